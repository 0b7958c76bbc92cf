package x277

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
)

// Envelope addresses the interchange that carries 277CAs; GS01 defaults to HN and GS08 to
// 005010X214.
type Envelope = edi.Envelope

// Write writes a complete interchange (ISA, GS, one 277 per transaction, GE, IEA) to out. A
// transaction without a ControlNumber gets one counted from 0001 in the order given.
func Write(out io.Writer, env Envelope, txs ...Transaction) error {
	return edi.WriteGroup(out, env, "277CA", "HN", GuideVersion, len(txs), func(w *edi.Writer, i int) error {
		return WriteSet(w, edi.SetControl(txs[i].ControlNumber, i), &txs[i])
	})
}

// WriteSet writes one 277 transaction set (ST to SE) into the open group of w, with ST02 control.
// It checks the transaction first and writes nothing when a required value is missing.
func WriteSet(w *edi.Writer, control string, t *Transaction) error {
	if err := t.Validate(); err != nil {
		return err
	}
	version := t.GuideVersion
	if version == "" {
		version = GuideVersion
	}
	w.BeginTransaction("277", control, version)
	w.Seg("BHT").E("0085").E("08").E(t.Reference).E(x12Date(t.Date)).E(t.Time).E("TH").End()
	hl := 0
	// next writes an HL; HL04 (child code) is sent on every level but the patient level, where
	// the guide does not use it.
	next := func(parent int, code string, children bool) int {
		hl++
		p := ""
		if parent > 0 {
			p = strconv.Itoa(parent)
		}
		child := "0"
		switch {
		case code == "PT":
			child = ""
		case children:
			child = "1"
		}
		w.Seg("HL").Int(int64(hl)).E(p).E(code).E(child).End()
		return hl
	}
	for i := range t.Sources {
		s := &t.Sources[i]
		sid := next(0, "20", len(s.Receivers) > 0)
		writeNM1(w, s.Entity)
		w.Seg("TRN").E("1").E(s.Trace).End()
		if s.ReceivedDate != "" {
			w.Seg("DTP").E("050").E("D8").E(x12Date(s.ReceivedDate)).End()
		}
		if s.ProcessedDate != "" {
			w.Seg("DTP").E("009").E("D8").E(x12Date(s.ProcessedDate)).End()
		}
		for j := range s.Receivers {
			r := &s.Receivers[j]
			rid := next(sid, "21", len(r.Providers) > 0)
			writeNM1(w, r.Entity)
			w.Seg("TRN").E("2").E(r.Trace).End()
			writeSTC(w, r.Statuses)
			writeTotals(w, r.Totals, "90", "AA")
			for k := range r.Providers {
				p := &r.Providers[k]
				pid := next(rid, "19", len(p.Claims) > 0)
				writeNM1(w, p.Entity)
				if p.Trace != "" {
					w.Seg("TRN").E("1").E(p.Trace).End()
				}
				writeSTC(w, p.Statuses)
				for _, ref := range p.References {
					w.Seg("REF").E(ref.Qualifier).E(ref.Value).End()
				}
				writeTotals(w, p.Totals, "QA", "QC")
				for c := range p.Claims {
					next(pid, "PT", false)
					writeClaim(w, &p.Claims[c])
				}
			}
		}
	}
	w.EndTransaction()
	return w.Err()
}

func writeClaim(w *edi.Writer, c *ClaimAck) {
	writeNM1(w, c.Patient)
	w.Seg("TRN").E("2").E(c.PatientControlNumber).End()
	writeSTC(w, c.Statuses)
	for _, r := range []struct{ q, v string }{{"1K", c.PayerClaimNumber}, {"D9", c.ClearinghouseTrace}, {"BLT", c.BillType}, {"EA", c.MedicalRecord}} {
		if r.v != "" {
			w.Seg("REF").E(r.q).E(r.v).End()
		}
	}
	for _, r := range c.References {
		w.Seg("REF").E(r.Qualifier).E(r.Value).End()
	}
	writeDTP(w, c.ServiceDate, c.ServiceDateEnd)
	for i := range c.Lines {
		l := &c.Lines[i]
		w.Seg("SVC").C(l.Procedure...).Amt(l.Charge).E("").E(l.RevenueCode).Skip(2).E(l.Units).End()
		writeSTC(w, l.Statuses)
		if l.LineItemControlNumber != "" {
			w.Seg("REF").E("FJ").E(l.LineItemControlNumber).End()
		}
		if l.PrescriptionNumber != "" {
			w.Seg("REF").E("XZ").E(l.PrescriptionNumber).End()
		}
		writeDTP(w, l.ServiceDate, l.ServiceDateEnd)
	}
}

func writeDTP(w *edi.Writer, from, to string) {
	switch {
	case from == "":
	case to == "" || to == from:
		w.Seg("DTP").E("472").E("D8").E(x12Date(from)).End()
	default:
		w.Seg("DTP").E("472").E("RD8").E(x12Date(from) + "-" + x12Date(to)).End()
	}
}

func writeNM1(w *edi.Writer, e Entity) {
	w.Seg("NM1").E(e.Code).E(e.Type).E(e.Name).E(e.FirstName).E(e.MiddleName).E("").E(e.Suffix).E(e.IDQualifier).E(e.ID).End()
}

// writeSTC writes the statuses, one STC per entry with Element 1 (or 0), its followers with
// Element 10 and 11 as STC10 and STC11.
func writeSTC(w *edi.Writer, ss []Status) {
	for i := 0; i < len(ss); {
		first := ss[i]
		var more [2]*Status
		j := i + 1
		for ; j < len(ss) && (ss[j].Element == 10 || ss[j].Element == 11); j++ {
			more[ss[j].Element-10] = &ss[j]
		}
		w.Seg("STC").C(first.Category, first.Code, first.Entity, first.CodeList).E(x12Date(first.Date)).E(first.Action)
		if first.Amount != nil {
			w.Amt(*first.Amount)
		} else {
			w.E("")
		}
		w.Skip(5)
		for _, m := range more {
			if m != nil {
				w.C(m.Category, m.Code, m.Entity, m.CodeList)
			} else {
				w.E("")
			}
		}
		w.E(first.Text).End()
		i = j
	}
}

func writeTotals(w *edi.Writer, t Totals, acceptedQty, rejectedQty string) {
	if t.AcceptedCount != nil {
		w.Seg("QTY").E(acceptedQty).Int(*t.AcceptedCount).End()
	}
	if t.RejectedCount != nil {
		w.Seg("QTY").E(rejectedQty).Int(*t.RejectedCount).End()
	}
	if t.AcceptedAmount != nil {
		w.Seg("AMT").E("YU").Amt(*t.AcceptedAmount).End()
	}
	if t.RejectedAmount != nil {
		w.Seg("AMT").E("YY").Amt(*t.RejectedAmount).End()
	}
}

// x12Date turns YYYY-MM-DD into CCYYMMDD.
func x12Date(s string) string { return strings.ReplaceAll(s, "-", "") }

// Validate reports the first value a 277CA requires that the transaction lacks.
func (t *Transaction) Validate() error {
	bad := func(format string, args ...any) error {
		return &edi.Error{Code: "invalid_277", Msg: fmt.Sprintf(format, args...), Err: edi.ErrWrite}
	}
	checkDate := func(what, v string) error {
		if v == "" {
			return nil
		}
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return bad("277: %s %q is not a date (YYYY-MM-DD)", what, v)
		}
		return nil
	}
	checkStatuses := func(where string, ss []Status) error {
		for k, s := range ss {
			if s.Category == "" || s.Code == "" {
				return bad("277: %s: a status lacks its category or code", where)
			}
			if (s.Element == 10 || s.Element == 11) && (k == 0 || ss[k-1].Element >= s.Element) {
				return bad("277: %s: status %s:%s continues an STC (element %d) but does not follow a status of STC01 or STC10", where, s.Category, s.Code, s.Element)
			}
			if s.Element != 0 && s.Element != 1 && s.Element != 10 && s.Element != 11 {
				return bad("277: %s: status element %d is not 1, 10 or 11", where, s.Element)
			}
			if err := checkDate(where+" status date", s.Date); err != nil {
				return err
			}
		}
		return nil
	}
	if t.Reference == "" {
		return bad("277: the acknowledgment's reference (BHT03) is empty")
	}
	if t.Date == "" {
		return bad("277: the creation date (BHT04) is empty")
	}
	if err := checkDate("creation date (BHT04)", t.Date); err != nil {
		return err
	}
	if len(t.Sources) == 0 {
		return bad("277: no information source level: the acknowledgment answers nothing")
	}
	for _, s := range t.Sources {
		if s.Entity.Code == "" || s.Trace == "" {
			return bad("277: the information source lacks its NM1 entity code or its trace number (TRN02)")
		}
		for _, d := range []string{s.ReceivedDate, s.ProcessedDate} {
			if err := checkDate("information source date", d); err != nil {
				return err
			}
		}
		for _, r := range s.Receivers {
			if r.Entity.Code == "" || r.Trace == "" {
				return bad("277: an information receiver lacks its NM1 entity code or its batch trace number (TRN02)")
			}
			if err := checkStatuses("information receiver "+r.Trace, r.Statuses); err != nil {
				return err
			}
			for _, p := range r.Providers {
				if p.Entity.Code == "" {
					return bad("277: a billing provider of receiver %s lacks its NM1 entity code", r.Trace)
				}
				if err := checkStatuses("billing provider "+p.Entity.ID, p.Statuses); err != nil {
					return err
				}
				for _, c := range p.Claims {
					where := "claim " + c.PatientControlNumber
					if c.PatientControlNumber == "" || c.Patient.Code == "" {
						return bad("277: a claim of provider %s lacks its patient control number (TRN02) or patient NM1 entity code", p.Entity.ID)
					}
					if len(c.Statuses) == 0 {
						return bad("277: %s has no status", where)
					}
					if err := checkStatuses(where, c.Statuses); err != nil {
						return err
					}
					if err := checkDate(where+" service date", c.ServiceDate); err != nil {
						return err
					}
					if err := checkDate(where+" service end date", c.ServiceDateEnd); err != nil {
						return err
					}
					for _, l := range c.Lines {
						if len(l.Procedure) < 2 && l.RevenueCode == "" {
							return bad("277: %s: a service line lacks its procedure (SVC01) and revenue code", where)
						}
						if len(l.Statuses) == 0 {
							return bad("277: %s: a service line has no status", where)
						}
						if err := checkStatuses(where+" line", l.Statuses); err != nil {
							return err
						}
						if err := checkDate(where+" line service date", l.ServiceDate); err != nil {
							return err
						}
						if err := checkDate(where+" line service end date", l.ServiceDateEnd); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}
