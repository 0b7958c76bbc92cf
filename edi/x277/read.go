package x277

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
)

// GuideVersion is the implementation guide of a 277CA (ST03 and GS08).
const GuideVersion = "005010X214"

// File is what Read found in an input: every 277 transaction set in input order, and every
// problem (envelope and content), positioned.
type File struct {
	Transactions []Transaction `json:"transactions"`
	Errors       edi.Errors    `json:"errors"`
}

// Read reads every 277 transaction set of an X12 input (several interchanges and groups
// allowed). Problems are collected in File.Errors; the error result is only for input that cannot
// be read at all (I/O failure, no ISA, a segment without terminator), and even then File holds
// what was read before it.
func Read(in io.Reader) (*File, error) {
	r := edi.NewReader(in)
	d := NewDecoder(r)
	f := &File{}
	open := false
	finish := func() {
		if open {
			f.Transactions = append(f.Transactions, *d.Finish())
			open = false
		}
	}
	for {
		seg, err := r.Next()
		if err != nil {
			finish()
			f.Errors = r.Errors()
			if errors.Is(err, io.EOF) {
				return f, nil
			}
			return f, fmt.Errorf("reading 277CA: %w", err)
		}
		switch seg.ID {
		case "ST":
			finish()
			if seg.String(1) == "277" {
				d.Start(seg, r.Group())
				open = true
			} else {
				r.AddError(edi.ErrorAt(seg, 1, edi.ErrStructure, "unexpected_transaction",
					fmt.Sprintf("transaction set %q is not a 277 claim acknowledgment; it is skipped", seg.String(1))))
			}
		case "SE", "GE", "IEA", "GS", "ISA":
			finish()
		case "TA1":
			// An interchange acknowledgment; package ta1 reads it.
		default:
			if open {
				d.Add(seg)
			}
		}
	}
}

type level int

const (
	levelNone level = iota
	levelSource
	levelReceiver
	levelProvider
	levelClaim
)

func (l level) String() string {
	switch l {
	case levelSource:
		return "information source (20)"
	case levelReceiver:
		return "information receiver (21)"
	case levelProvider:
		return "billing provider (19)"
	case levelClaim:
		return "patient (PT)"
	}
	return "none"
}

func (l level) loop(suffix string) string {
	switch l {
	case levelSource:
		return suffix + "A"
	case levelReceiver:
		return suffix + "B"
	case levelProvider:
		return suffix + "C"
	case levelClaim:
		return suffix + "D"
	}
	return ""
}

type pos struct {
	off  int64
	idx  int
	line int
	id   string
}

func posOf(s *edi.Segment) pos { return pos{s.Offset, s.Index, s.Line, s.ID} }

// Decoder builds a Transaction from the segments of one 277 transaction set at a time, for a
// caller that reads an input itself and dispatches on ST01. It records problems on the
// edi.Reader it was given, so they join the envelope's in one positioned list.
//
//	d := x277.NewDecoder(r)
//	d.Start(st, r.Group()) // the ST segment and its group (for the guide version)
//	d.Add(seg)             // each segment after ST, before SE
//	t := d.Finish()        // at SE, or at the envelope segment that cut the set short
type Decoder struct {
	r  *edi.Reader
	t  *Transaction
	st pos

	sawBHT bool
	level  level
	hlIDs  map[string]level
	hlOf   [5]string // HL01 of the open HL of each level

	src  *Source
	rcv  *Receiver
	prov *Provider
	clm  *ClaimAck
	line *LineAck

	// the open HL level: its HL segment and what it has carried so far
	hlPos                     pos
	hasNM1, hasTRN, clmHasSTC bool
	linePos                   pos
	lineHasSTC                bool
}

// NewDecoder returns a Decoder recording problems on r.
func NewDecoder(r *edi.Reader) *Decoder { return &Decoder{r: r} }

// Start begins a transaction set at its ST segment; g is the functional group holding it (nil
// when none), for the guide version when ST03 is absent.
func (d *Decoder) Start(st *edi.Segment, g *edi.Group) {
	*d = Decoder{r: d.r, st: posOf(st), hlIDs: map[string]level{}}
	d.t = &Transaction{Type: "277CA", ControlNumber: st.String(2), GuideVersion: st.String(3), Sources: []Source{}}
	version := d.t.GuideVersion
	if version == "" && g != nil {
		version = g.Version
	}
	if version != GuideVersion {
		d.errAt(st, 3, edi.ErrValue, "unsupported_version",
			"this 277 follows %q, not the claim acknowledgment guide 005010X214; it is read as a 277CA", version)
	}
}

func (d *Decoder) errAt(seg *edi.Segment, element int, kind error, code, format string, args ...any) {
	e := edi.ErrorAt(seg, element, kind, code, fmt.Sprintf(format, args...))
	if seg.ID != "ST" && seg.ID != "BHT" {
		e.Loop = d.loop(seg.ID)
	}
	d.r.AddError(e)
}

func (d *Decoder) errPos(p pos, kind error, code, format string, args ...any) {
	d.r.AddError(&edi.Error{Offset: p.off, SegmentIndex: p.idx, Line: p.line, SegmentID: p.id, Code: code, Msg: fmt.Sprintf(format, args...), Err: kind})
}

// loop names the loop a segment of the current level belongs to.
func (d *Decoder) loop(id string) string {
	switch id {
	case "HL":
		return d.level.loop("2000")
	case "NM1":
		return d.level.loop("2100")
	}
	if d.line != nil {
		return "2220D"
	}
	return d.level.loop("2200")
}

// Add reads one segment of the set (not ST or SE).
func (d *Decoder) Add(seg *edi.Segment) {
	if d.t == nil {
		d.r.AddError(edi.ErrorAt(seg, 0, edi.ErrStructure, "segment_outside_277", seg.ID+" segment outside a 277 transaction set"))
		return
	}
	switch seg.ID {
	case "BHT":
		d.bht(seg)
		return
	case "HL":
		d.hl(seg)
		return
	}
	if !d.sawBHT && d.level == levelNone {
		d.errAt(seg, 0, edi.ErrStructure, "missing_bht", "%s comes before BHT; a 277 starts with BHT after ST", seg.ID)
		d.sawBHT = true
	}
	if d.line == nil {
		switch seg.ID {
		case "NM1":
			d.hasNM1 = true
		case "TRN":
			d.hasTRN = true
		}
	}
	switch d.level {
	case levelNone:
		d.errAt(seg, 0, edi.ErrStructure, "unexpected_segment", "%s segment before the first HL", seg.ID)
	case levelSource:
		d.sourceSegment(seg)
	case levelReceiver:
		d.receiverSegment(seg)
	case levelProvider:
		d.providerSegment(seg)
	case levelClaim:
		d.claimSegment(seg)
	}
}

// Finish ends the set (at its SE, or where the set was cut short) and returns what was read.
func (d *Decoder) Finish() *Transaction {
	if d.t == nil {
		return &Transaction{Type: "277CA", Sources: []Source{}}
	}
	d.closeLevel()
	if !d.sawBHT {
		d.errPos(d.st, edi.ErrStructure, "missing_bht", "277 %s has no BHT segment", d.t.ControlNumber)
	}
	if len(d.t.Sources) == 0 {
		d.errPos(d.st, edi.ErrStructure, "missing_hl", "277 %s has no HL segment: it acknowledges nothing", d.t.ControlNumber)
	}
	t := d.t
	d.t = nil
	return t
}

func (d *Decoder) bht(seg *edi.Segment) {
	if d.sawBHT {
		d.errAt(seg, 0, edi.ErrStructure, "unexpected_segment", "BHT appears twice, or after the first HL")
		return
	}
	d.sawBHT = true
	t := d.t
	t.Reference = seg.String(3)
	t.Date = d.date(seg, 4, "BHT04", true)
	t.Time = seg.String(5)
	if seg.String(1) != "0085" {
		d.errAt(seg, 1, edi.ErrValue, "bht01_code", "BHT01 %q must be 0085 (information source, receiver, provider, patient)", seg.String(1))
	}
	if seg.String(2) != "08" {
		d.errAt(seg, 2, edi.ErrValue, "bht02_code", "BHT02 %q must be 08 (status)", seg.String(2))
	}
	if seg.String(6) != "TH" {
		d.errAt(seg, 6, edi.ErrValue, "bht06_code", "BHT06 %q must be TH (receipt acknowledgment)", seg.String(6))
	}
	if t.Reference == "" {
		d.errAt(seg, 3, edi.ErrValue, "missing_element", "BHT03 (the acknowledgment's reference) is missing")
	}
	if n := len(t.Time); n > 0 && ((n != 4 && n != 6) || !digits(t.Time)) {
		d.errAt(seg, 5, edi.ErrValue, "invalid_time", "BHT05 %q is not a time (HHMM or HHMMSS)", t.Time)
	}
}

func (d *Decoder) hl(seg *edi.Segment) {
	if !d.sawBHT {
		d.errAt(seg, 0, edi.ErrStructure, "missing_bht", "HL comes before BHT; a 277 starts with BHT after ST")
		d.sawBHT = true
	}
	d.closeLevel()
	d.hlPos = posOf(seg)
	d.hasNM1, d.hasTRN = false, false
	id, parent, code := seg.String(1), seg.String(2), seg.String(3)
	var lv level
	switch code {
	case "20":
		lv = levelSource
	case "21":
		lv = levelReceiver
	case "19":
		lv = levelProvider
	case "PT", "22", "23":
		// 22 and 23 (subscriber, dependent) carry claims in the 277 claim status response
		// (005010X212); they are read as the patient level.
		lv = levelClaim
	default:
		d.errAt(seg, 3, edi.ErrValue, "hl03_code", "HL03 %q is not a 277CA level (20 source, 21 receiver, 19 provider, PT patient); the loop is skipped", code)
		d.level = levelNone
		return
	}
	d.level = lv
	if id == "" {
		d.errAt(seg, 1, edi.ErrValue, "missing_element", "HL01 (hierarchical id) is missing")
	} else if _, dup := d.hlIDs[id]; dup {
		d.errAt(seg, 1, edi.ErrValue, "hl01_duplicate", "HL01 %s is used twice in this transaction set", id)
	} else {
		d.hlIDs[id] = lv
	}
	if lv == levelSource {
		if parent != "" {
			d.errAt(seg, 2, edi.ErrValue, "hl02_parent", "HL02 %q: the information source level has no parent", parent)
		}
	} else if want := d.hlOf[lv-1]; parent == "" || d.hlIDs[parent] != lv-1 || (want != "" && parent != want) {
		d.errAt(seg, 2, edi.ErrStructure, "hl02_parent", "HL02 %q must point to the %s level above (HL %s)", parent, (lv - 1).String(), orNone(want))
	}
	d.hlOf[lv] = id
	t := d.t
	// A level whose parent is missing gets an empty parent so nothing read is lost.
	if lv > levelSource && d.src == nil {
		d.errAt(seg, 0, edi.ErrStructure, "hl_parent_missing", "%s level without an information source level before it", lv)
	}
	if lv == levelSource || d.src == nil {
		t.Sources = append(t.Sources, Source{Receivers: []Receiver{}})
		d.src = &t.Sources[len(t.Sources)-1]
		d.rcv, d.prov, d.clm, d.line = nil, nil, nil, nil
		if lv == levelSource {
			return
		}
	}
	if lv == levelReceiver || d.rcv == nil {
		if lv > levelReceiver {
			d.errAt(seg, 0, edi.ErrStructure, "hl_parent_missing", "%s level without an information receiver level before it", lv)
		}
		d.src.Receivers = append(d.src.Receivers, Receiver{Providers: []Provider{}})
		d.rcv = &d.src.Receivers[len(d.src.Receivers)-1]
		d.prov, d.clm, d.line = nil, nil, nil
		if lv == levelReceiver {
			return
		}
	}
	if lv == levelProvider || d.prov == nil {
		if lv > levelProvider {
			d.errAt(seg, 0, edi.ErrStructure, "hl_parent_missing", "%s level without a billing provider level before it", lv)
		}
		d.rcv.Providers = append(d.rcv.Providers, Provider{Claims: []ClaimAck{}})
		d.prov = &d.rcv.Providers[len(d.rcv.Providers)-1]
		d.clm, d.line = nil, nil
		if lv == levelProvider {
			return
		}
	}
	d.prov.Claims = append(d.prov.Claims, ClaimAck{Statuses: []Status{}})
	d.clm = &d.prov.Claims[len(d.prov.Claims)-1]
	d.line = nil
	d.clmHasSTC = false
}

// closeLevel checks what the HL level being left requires: an NM1 on every level, a TRN on the
// source, receiver and claim levels (the provider's is optional), and a status on a claim.
func (d *Decoder) closeLevel() {
	d.closeLine()
	if d.level != levelNone {
		id := d.hlOf[d.level]
		if !d.hasNM1 {
			d.errPos(d.hlPos, edi.ErrStructure, "missing_nm1", "%s level HL %s has no NM1 segment naming who it is about", d.level, id)
		}
		if !d.hasTRN && d.level != levelProvider {
			what := "trace number"
			if d.level == levelClaim {
				what = "patient control number the answer is for"
			}
			d.errPos(d.hlPos, edi.ErrStructure, "missing_trn", "%s level HL %s has no TRN segment: the %s is unknown", d.level, id, what)
		}
	}
	if d.clm != nil && !d.clmHasSTC {
		d.errPos(d.hlPos, edi.ErrStructure, "missing_stc", "claim level HL %s (patient control number %q) has no STC status", d.hlOf[levelClaim], d.clm.PatientControlNumber)
	}
	d.clm = nil
}

func (d *Decoder) closeLine() {
	if d.line != nil && !d.lineHasSTC {
		d.errPos(d.linePos, edi.ErrStructure, "missing_stc", "service line of claim %q has no STC status", d.clm.PatientControlNumber)
	}
	d.line = nil
}

func (d *Decoder) sourceSegment(seg *edi.Segment) {
	s := d.src
	switch seg.ID {
	case "NM1":
		s.Entity = d.entity(seg, "PR", "AY")
	case "TRN":
		s.Trace = d.trn(seg, "1")
	case "DTP":
		switch seg.String(1) {
		case "050":
			s.ReceivedDate, _ = d.dtp(seg)
		case "009":
			s.ProcessedDate, _ = d.dtp(seg)
		default:
			d.errAt(seg, 1, edi.ErrValue, "dtp01_code", "DTP01 %q at the information source level must be 050 (received) or 009 (processed)", seg.String(1))
		}
	default:
		d.unexpected(seg)
	}
}

func (d *Decoder) receiverSegment(seg *edi.Segment) {
	r := d.rcv
	switch seg.ID {
	case "NM1":
		r.Entity = d.entity(seg, "41")
	case "TRN":
		r.Trace = d.trn(seg, "2")
	case "STC":
		r.Statuses = append(r.Statuses, d.stc(seg)...)
	case "QTY", "AMT":
		d.totals(seg, &r.Totals)
	default:
		d.unexpected(seg)
	}
}

func (d *Decoder) providerSegment(seg *edi.Segment) {
	p := d.prov
	switch seg.ID {
	case "NM1":
		p.Entity = d.entity(seg, "85")
	case "TRN":
		p.Trace = d.trn(seg, "1")
	case "STC":
		p.Statuses = append(p.Statuses, d.stc(seg)...)
	case "REF":
		p.References = append(p.References, Reference{Qualifier: seg.String(1), Value: seg.String(2)})
	case "QTY", "AMT":
		d.totals(seg, &p.Totals)
	default:
		d.unexpected(seg)
	}
}

func (d *Decoder) claimSegment(seg *edi.Segment) {
	c := d.clm
	if seg.ID == "SVC" {
		d.closeLine()
		l := LineAck{Procedure: seg.Components(1), RevenueCode: seg.String(4), Units: seg.String(7)}
		if len(l.Procedure) < 2 && l.RevenueCode == "" {
			d.errAt(seg, 1, edi.ErrValue, "missing_element", "SVC01 must give the procedure qualifier and code (or SVC04 a revenue code)")
		}
		if a, ok, err := seg.Amount(2); err != nil {
			d.addLoop(err)
		} else if !ok {
			d.errAt(seg, 2, edi.ErrValue, "missing_element", "SVC02 (line charge) is missing")
		} else {
			l.Charge = a
		}
		c.Lines = append(c.Lines, l)
		d.line = &c.Lines[len(c.Lines)-1]
		d.linePos = posOf(seg)
		d.lineHasSTC = false
		return
	}
	if l := d.line; l != nil {
		switch seg.ID {
		case "STC":
			l.Statuses = append(l.Statuses, d.stc(seg)...)
			d.lineHasSTC = true
			return
		case "REF":
			switch seg.String(1) {
			case "FJ":
				l.LineItemControlNumber = d.ref(seg)
				return
			case "XZ":
				l.PrescriptionNumber = d.ref(seg)
				return
			}
		case "DTP":
			if seg.String(1) == "472" {
				l.ServiceDate, l.ServiceDateEnd = d.dtp(seg)
				return
			}
		}
		d.errAt(seg, 0, edi.ErrStructure, "unexpected_segment", "%s segment does not belong in a service line (loop 2220D)", seg.ID)
		return
	}
	switch seg.ID {
	case "NM1":
		c.Patient = d.entity(seg, "QC")
	case "TRN":
		c.PatientControlNumber = d.trn(seg, "2")
	case "STC":
		c.Statuses = append(c.Statuses, d.stc(seg)...)
		d.clmHasSTC = true
	case "REF":
		v := d.ref(seg)
		switch q := seg.String(1); q {
		case "1K":
			c.PayerClaimNumber = v
		case "D9":
			c.ClearinghouseTrace = v
		case "BLT":
			c.BillType = v
		case "EA":
			c.MedicalRecord = v
		default:
			c.References = append(c.References, Reference{Qualifier: q, Value: v})
		}
	case "DTP":
		if seg.String(1) != "472" {
			d.errAt(seg, 1, edi.ErrValue, "dtp01_code", "DTP01 %q at the claim level must be 472 (service date)", seg.String(1))
			return
		}
		c.ServiceDate, c.ServiceDateEnd = d.dtp(seg)
	default:
		d.unexpected(seg)
	}
}

func (d *Decoder) unexpected(seg *edi.Segment) {
	d.errAt(seg, 0, edi.ErrStructure, "unexpected_segment", "%s segment does not belong at the %s level of a 277CA", seg.ID, d.level)
}

func (d *Decoder) addLoop(err error) {
	var e *edi.Error
	if errors.As(err, &e) {
		e.Loop = d.loop(e.SegmentID)
		d.r.AddError(e)
	}
}

func (d *Decoder) entity(seg *edi.Segment, want ...string) Entity {
	e := Entity{
		Code: seg.String(1), Type: seg.String(2), Name: seg.String(3), FirstName: seg.String(4),
		MiddleName: seg.String(5), Suffix: seg.String(7), IDQualifier: seg.String(8), ID: seg.String(9),
	}
	ok := false
	for _, w := range want {
		ok = ok || e.Code == w
	}
	if !ok {
		d.errAt(seg, 1, edi.ErrValue, "nm101_code", "NM101 %q at the %s level must be %s", e.Code, d.level, orList(want))
	}
	if e.Type != "1" && e.Type != "2" {
		d.errAt(seg, 2, edi.ErrValue, "nm102_code", "NM102 %q must be 1 (person) or 2 (organization)", e.Type)
	}
	return e
}

func (d *Decoder) trn(seg *edi.Segment, want string) string {
	if got := seg.String(1); got != want {
		d.errAt(seg, 1, edi.ErrValue, "trn01_code", "TRN01 %q at the %s level must be %s", got, d.level, want)
	}
	v := seg.String(2)
	if v == "" {
		d.errAt(seg, 2, edi.ErrValue, "missing_element", "TRN02 (trace number) is missing")
	}
	return v
}

func (d *Decoder) ref(seg *edi.Segment) string {
	v := seg.String(2)
	if v == "" {
		d.errAt(seg, 2, edi.ErrValue, "missing_element", "REF02 (the %s reference) is missing", seg.String(1))
	}
	return v
}

// stc reads the composites of an STC segment.
func (d *Decoder) stc(seg *edi.Segment) []Status {
	first := Status{Element: 1, Date: d.date(seg, 2, "STC02", false), Action: seg.String(3), Text: seg.String(12)}
	if a, ok, err := seg.Amount(4); err != nil {
		d.addLoop(err)
	} else if ok {
		first.Amount = &a
	}
	switch first.Action {
	case "", "WQ", "U":
	default:
		d.errAt(seg, 3, edi.ErrValue, "stc03_code", "STC03 %q must be WQ (accepted) or U (rejected)", first.Action)
	}
	var out []Status
	for _, el := range []int{1, 10, 11} {
		if !seg.Has(el) {
			if el == 1 {
				d.errAt(seg, 1, edi.ErrValue, "missing_element", "STC01 (status category and code) is missing")
			}
			continue
		}
		parts := seg.Components(el)
		s := Status{Element: el, Date: first.Date, Action: first.Action}
		if el == 1 {
			s = first
		}
		get := func(i int) string {
			if i < len(parts) {
				return parts[i]
			}
			return ""
		}
		s.Category, s.Code, s.Entity, s.CodeList = get(0), get(1), get(2), get(3)
		ref := edi.ElementRef("STC", el)
		if s.Category == "" {
			d.errAt(seg, el, edi.ErrValue, "missing_element", "%s-1 (status category) is missing", ref)
		} else if _, ok := codes.LookupStatusCategory(s.Category); !ok {
			d.errAt(seg, el, edi.ErrValue, "unknown_status_category", "%s-1 %q is not a claim status category code", ref, s.Category)
		}
		if s.Code == "" {
			d.errAt(seg, el, edi.ErrValue, "missing_element", "%s-2 (status code) is missing", ref)
		}
		if len(parts) > 4 {
			d.errAt(seg, el, edi.ErrValue, "too_many_components", "%s has %d components; it has at most 4", ref, len(parts))
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		// Keep the segment's date, action and amount even when STC01 is missing.
		out = append(out, first)
	}
	return out
}

func (d *Decoder) totals(seg *edi.Segment, t *Totals) {
	q := seg.String(1)
	if seg.ID == "QTY" {
		n, ok := d.count(seg)
		if !ok {
			return
		}
		switch q {
		case "90", "QA":
			t.AcceptedCount = &n
		case "AA", "QC":
			t.RejectedCount = &n
		default:
			d.errAt(seg, 1, edi.ErrValue, "qty01_code", "QTY01 %q must be 90 or QA (accepted claims) or AA or QC (rejected claims)", q)
		}
		return
	}
	a, ok, err := seg.Amount(2)
	if err != nil {
		d.addLoop(err)
		return
	}
	if !ok {
		d.errAt(seg, 2, edi.ErrValue, "missing_element", "AMT02 (amount) is missing")
		return
	}
	switch q {
	case "YU":
		t.AcceptedAmount = &a
	case "YY":
		t.RejectedAmount = &a
	default:
		d.errAt(seg, 1, edi.ErrValue, "amt01_code", "AMT01 %q must be YU (accepted charges) or YY (rejected charges)", q)
	}
}

func (d *Decoder) count(seg *edi.Segment) (int64, bool) {
	s := seg.String(2)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 && n < 1e9 {
		return n, true
	}
	// QTY02 is a decimal number: "3.0" is a count too.
	if a, err := edi.ParseAmount(s); err == nil && a >= 0 && a%100 == 0 && a < 1e11 {
		return int64(a / 100), true
	}
	d.errAt(seg, 2, edi.ErrValue, "invalid_number", "QTY02 %q is not a number of claims", s)
	return 0, false
}

// dtp reads a DTP segment's date or date range (D8 or RD8) as YYYY-MM-DD.
func (d *Decoder) dtp(seg *edi.Segment) (from, to string) {
	v := seg.String(3)
	switch seg.String(2) {
	case "D8":
		return d.dateValue(seg, 3, "DTP03", v), ""
	case "RD8":
		if len(v) == 17 && v[8] == '-' {
			return d.dateValue(seg, 3, "DTP03", v[:8]), d.dateValue(seg, 3, "DTP03", v[9:])
		}
		d.errAt(seg, 3, edi.ErrValue, "invalid_date", "DTP03 %q is not a date range CCYYMMDD-CCYYMMDD", v)
	default:
		d.errAt(seg, 2, edi.ErrValue, "dtp02_code", "DTP02 %q must be D8 (date) or RD8 (date range)", seg.String(2))
	}
	return "", ""
}

func (d *Decoder) date(seg *edi.Segment, i int, name string, required bool) string {
	v := seg.String(i)
	if v == "" {
		if required {
			d.errAt(seg, i, edi.ErrValue, "missing_element", "%s (date) is missing", name)
		}
		return ""
	}
	return d.dateValue(seg, i, name, v)
}

func (d *Decoder) dateValue(seg *edi.Segment, i int, name, v string) string {
	t, err := time.Parse("20060102", v)
	if err != nil || len(v) != 8 {
		d.errAt(seg, i, edi.ErrValue, "invalid_date", "%s %q is not a date (CCYYMMDD)", name, v)
		return ""
	}
	return t.Format("2006-01-02")
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func orList(want []string) string {
	if len(want) == 1 {
		return want[0]
	}
	s := ""
	for i, w := range want {
		if i > 0 {
			s += " or "
		}
		s += w
	}
	return s
}
