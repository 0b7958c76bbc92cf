package x835

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/edi"
)

// GuideVersion is the implementation guide an 835 follows (ST03 and GS08).
const GuideVersion = "005010X221A1"

// ErrIncomplete is wrapped by the error WriteSet returns when a remittance lacks a value the
// 835 requires or holds one it cannot carry; nothing is written then.
var ErrIncomplete = errors.New("remittance cannot be written as an 835")

// Envelope addresses the interchange that carries 835s; GS01 defaults to HP and GS08 to
// 005010X221A1.
type Envelope = edi.Envelope

// Write writes a complete interchange (ISA, GS, one 835 per remittance, GE, IEA) to out. A
// remittance without a ControlNumber gets one counted from 0001 in the order given.
//
// Amounts are written as the model holds them: Write does not balance a remittance. Balanced
// reports whether the figures it would write add up.
func Write(out io.Writer, env Envelope, rems ...*Remittance) error {
	for i, rem := range rems {
		if err := rem.checkWritable(); err != nil {
			return fmt.Errorf("writing 835: remittance %d: %w", i+1, err)
		}
	}
	return edi.WriteGroup(out, env, "835", "HP", GuideVersion, len(rems), func(w *edi.Writer, i int) error {
		return WriteSet(w, edi.SetControl(rems[i].ControlNumber, i), rems[i])
	})
}

// Balanced checks the figures of a remittance the way the reader does: every claim's charge
// minus its payment equals its adjustments (claim and line level), every line's charge minus
// its payment equals its adjustments, and the payment (BPR02 signed by BPR03) equals the claims
// paid minus the provider adjustments. It returns nil when everything balances, otherwise
// every difference found.
func (rem *Remittance) Balanced() error {
	var errs []error
	var paid, plb edi.Amount
	for _, c := range rem.Claims {
		paid += c.Paid
		if adj := c.AdjustmentTotal(); c.Charge-c.Paid != adj {
			errs = append(errs, fmt.Errorf("%w: claim %s: charge %s - paid %s != adjustments %s",
				edi.ErrBalance, c.PatientControlNumber, c.Charge, c.Paid, adj))
		}
		for i := range c.Lines {
			l := &c.Lines[i]
			if adj := sumAdjustments(l.Adjustments); l.Charge-l.Paid != adj {
				errs = append(errs, fmt.Errorf("%w: claim %s line %d: charge %s - paid %s != adjustments %s",
					edi.ErrBalance, c.PatientControlNumber, i+1, l.Charge, l.Paid, adj))
			}
		}
	}
	for i := range rem.ProviderAdjustments {
		plb += rem.ProviderAdjustments[i].Total()
	}
	if got := rem.Payment.Signed(); got != paid-plb {
		errs = append(errs, fmt.Errorf("%w: payment %s != claims paid %s - provider adjustments %s",
			edi.ErrBalance, got, paid, plb))
	}
	return errors.Join(errs...)
}

// checkWritable reports the values the TR3 requires that the remittance lacks.
func (rem *Remittance) checkWritable() error {
	if rem == nil {
		return fmt.Errorf("%w: nil remittance", ErrIncomplete)
	}
	var missing []string
	need := func(ok bool, what string) {
		if !ok {
			missing = append(missing, what)
		}
	}
	p := &rem.Payment
	need(p.HandlingCode != "", "payment.handling_code (BPR01)")
	need(p.CreditDebit == "C" || p.CreditDebit == "D", "payment.credit_debit (BPR03: C or D)")
	need(p.Method != "", "payment.method (BPR04)")
	need(p.EffectiveDate != "", "payment.effective_date (BPR16)")
	need(p.Amount >= 0, "payment.amount (BPR02) not negative (a debit is BPR03 D)")
	need(rem.Trace != nil && rem.Trace.Number != "" && rem.Trace.PayerID != "", "trace number and payer id (TRN02, TRN03)")
	need(rem.Payer.Name != "", "payer.name (N1*PR)")
	need(rem.Payee.Name != "", "payee.name (N1*PE)")
	headers := map[string]bool{}
	for _, h := range rem.Headers {
		need(h.Number != "", "headers[].number (LX01)")
		headers[h.Number] = true
	}
	needf := func(format string, args ...any) { missing = append(missing, fmt.Sprintf(format, args...)) }
	for i, c := range rem.Claims {
		if c == nil {
			needf("claims[%d] not nil", i)
			continue
		}
		if c.PatientControlNumber == "" {
			needf("claims[%d].patient_control_number (CLP01)", i)
		}
		if c.Status == "" {
			needf("claims[%d].status (CLP02)", i)
		}
		if c.FilingIndicator == "" {
			needf("claims[%d].filing_indicator (CLP06)", i)
		}
		if c.HeaderNumber != "" && !headers[c.HeaderNumber] {
			needf("claims[%d].header_number naming a header (LX) the remittance has", i)
		}
		for j := range c.Lines {
			if c.Lines[j].Procedure.Code == "" {
				needf("claims[%d].lines[%d].procedure.code (SVC01-2)", i, j)
			}
		}
	}
	for i, pa := range rem.ProviderAdjustments {
		if pa.ProviderID == "" || pa.FiscalPeriodDate == "" {
			needf("provider_adjustments[%d] provider id and fiscal period date (PLB01, PLB02)", i)
		}
		if len(pa.Adjustments) < 1 || len(pa.Adjustments) > 6 {
			needf("provider_adjustments[%d] holding 1 to 6 adjustments", i)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: needs %s", ErrIncomplete, strings.Join(missing, ", "))
	}
	return nil
}

// WriteSet writes one 835 transaction set (ST to SE) into the open group of w, with ST02
// control. It checks the remittance first and writes nothing when a required value is missing.
func WriteSet(w *edi.Writer, control string, rem *Remittance) error {
	if err := rem.checkWritable(); err != nil {
		return err
	}
	version := rem.Version
	if version == "" {
		version = GuideVersion
	}
	w.BeginTransaction("835", control, version)
	p := &rem.Payment
	w.Seg("BPR").E(p.HandlingCode).Amt(p.Amount).E(p.CreditDebit).E(p.Method).E(p.Format).
		E(p.SenderDFIQualifier).E(p.SenderDFI).E(p.SenderAccountQualifier).E(p.SenderAccount).
		E(p.OriginatorID).E(p.OriginatorSupplemental).
		E(p.ReceiverDFIQualifier).E(p.ReceiverDFI).E(p.ReceiverAccountQualifier).E(p.ReceiverAccount).
		E(p.EffectiveDate).End()
	if t := rem.Trace; t != nil {
		typ := t.TypeCode
		if typ == "" {
			typ = "1"
		}
		w.Seg("TRN").E(typ).E(t.Number).E(t.PayerID).E(t.PayerSupplemental).End()
	}
	if rem.Currency != "" {
		w.Seg("CUR").E("PR").E(rem.Currency).End()
	}
	if rem.ReceiverID != "" {
		w.Seg("REF").E("EV").E(rem.ReceiverID).End()
	}
	if rem.VersionID != "" {
		w.Seg("REF").E("F2").E(rem.VersionID).End()
	}
	writeRefs(w, rem.References)
	if rem.ProductionDate != "" {
		w.Seg("DTM").E("405").E(rem.ProductionDate).End()
	}
	writeParty(w, &rem.Payer, "PR")
	writeParty(w, &rem.Payee, "PE")

	for _, c := range rem.Claims {
		if c.HeaderNumber == "" {
			writeClaim(w, c)
		}
	}
	for i := range rem.Headers {
		h := &rem.Headers[i]
		w.Seg("LX").E(h.Number).End()
		if s := h.Summary; s != nil {
			els := make([]string, 24)
			els[0], els[1], els[2], els[3], els[4] = s.ProviderID, s.FacilityCode, s.FiscalPeriodDate, s.ClaimCount, s.TotalCharge.X12()
			for _, a := range s.Amounts {
				if k, ok := elementIndex(a.Element, "TS3", len(els)); ok {
					els[k-1] = a.Amount.X12()
				}
			}
			writeElements(w, "TS3", els)
		}
		if s := h.Supplemental; s != nil {
			els := make([]string, 19)
			for _, v := range s.Values {
				if k, ok := elementIndex(v.Element, "TS2", len(els)); ok {
					els[k-1] = v.Value
				}
			}
			writeElements(w, "TS2", els)
		}
		for _, c := range rem.Claims {
			if c.HeaderNumber == h.Number {
				writeClaim(w, c)
			}
		}
	}
	for i := range rem.ProviderAdjustments {
		pa := &rem.ProviderAdjustments[i]
		w.Seg("PLB").E(pa.ProviderID).E(pa.FiscalPeriodDate)
		for _, a := range pa.Adjustments {
			w.C(a.Reason, a.Reference).Amt(a.Amount)
		}
		w.End()
	}
	w.EndTransaction()
	return w.Err()
}

func writeParty(w *edi.Writer, p *Party, entity string) {
	code := p.EntityCode
	if code == "" {
		code = entity
	}
	w.Seg("N1").E(code).E(p.Name).E(p.IDQualifier).E(p.ID).End()
	if a := p.Address; a != nil {
		w.Seg("N3").E(a.Line1).E(a.Line2).End()
		w.Seg("N4").E(a.City).E(a.State).E(a.PostalCode).E(a.Country).Skip(2).E(a.CountrySubdivision).End()
	}
	writeRefs(w, p.References)
	writeContacts(w, p.Contacts)
	if m := p.DeliveryMethod; m != nil {
		w.Seg("RDM").E(m.Code).E(m.Name).E(m.Communication).End()
	}
}

func writeRefs(w *edi.Writer, refs []Reference) {
	for _, r := range refs {
		w.Seg("REF").E(r.Qualifier).E(r.Value).E(r.Description).End()
	}
}

func writeContacts(w *edi.Writer, cs []Contact) {
	for _, c := range cs {
		w.Seg("PER").E(c.Function).E(c.Name)
		for _, n := range c.Communications {
			w.E(n.Qualifier).E(n.Number)
		}
		w.End()
	}
}

func writeClaim(w *edi.Writer, c *ClaimPayment) {
	w.Seg("CLP").E(c.PatientControlNumber).E(c.Status).Amt(c.Charge).Amt(c.Paid)
	if c.PatientResponsibility != 0 {
		w.Amt(c.PatientResponsibility)
	} else {
		w.E("")
	}
	w.E(c.FilingIndicator).E(c.PayerClaimNumber).E(c.FacilityType).E(c.Frequency).E("").
		E(c.DRG).E(c.DRGWeight).E(c.DischargeFraction).End()
	writeAdjustments(w, c.Adjustments)
	names := [...]*Name{c.Patient, c.Insured, c.Corrected, c.ServiceProvider, c.CrossoverCarrier, c.CorrectedPriorityPayer, c.OtherSubscriber}
	for _, n := range names {
		if n != nil {
			w.Seg("NM1").E(n.EntityCode).E(n.EntityType).E(n.LastName).E(n.FirstName).E(n.MiddleName).E("").
				E(n.Suffix).E(n.IDQualifier).E(n.ID).End()
		}
	}
	if m := c.Inpatient; m != nil {
		els := make([]string, 24)
		els[0], els[2] = m.CoveredDays, m.LifetimePsychiatricDays
		els[1] = optAmount(m.PPSOperatingOutlier)
		els[3] = optAmount(m.DRGAmount)
		els[14] = m.CostReportDays
		for _, a := range m.Amounts {
			if k, ok := elementIndex(a.Element, "MIA", len(els)); ok {
				els[k-1] = a.Amount.X12()
			}
		}
		remarks := []int{5, 20, 21, 22, 23}
		for i, code := range m.RemarkCodes {
			if i < len(remarks) {
				els[remarks[i]-1] = code
			}
		}
		writeElements(w, "MIA", els)
	}
	if m := c.Outpatient; m != nil {
		els := make([]string, 9)
		els[0] = m.ReimbursementRate
		els[1] = optAmount(m.HCPCSPayable)
		for i, code := range m.RemarkCodes {
			if i < 5 {
				els[2+i] = code
			}
		}
		els[7] = optAmount(m.ESRDPayment)
		els[8] = optAmount(m.NonpayableProfessionalComponent)
		writeElements(w, "MOA", els)
	}
	writeRefs(w, c.References)
	writeDates(w, c.Dates)
	writeContacts(w, c.Contacts)
	writeAmounts(w, c.Amounts)
	writeQuantities(w, c.Quantities)
	for i := range c.Lines {
		writeLine(w, &c.Lines[i])
	}
}

func writeLine(w *edi.Writer, l *ServiceLine) {
	w.Seg("SVC")
	writeProcedure(w, &l.Procedure)
	w.Amt(l.Charge).Amt(l.Paid).E(l.RevenueCode).E(l.Units)
	if l.OriginalProcedure != nil {
		writeProcedure(w, l.OriginalProcedure)
	} else {
		w.E("")
	}
	w.E(l.OriginalUnits).End()
	writeDates(w, l.Dates)
	writeAdjustments(w, l.Adjustments)
	if l.ControlNumber != "" {
		w.Seg("REF").E("6R").E(l.ControlNumber).End()
	}
	writeRefs(w, l.References)
	writeAmounts(w, l.Amounts)
	writeQuantities(w, l.Quantities)
	for _, r := range l.Remarks {
		w.Seg("LQ").E(r.Qualifier).E(r.Code).End()
	}
}

// writeProcedure writes a C003 composite: qualifier, code, up to four modifiers, description.
func writeProcedure(w *edi.Writer, p *Procedure) {
	var parts [7]string
	parts[0], parts[1] = p.Qualifier, p.Code
	for i, m := range p.Modifiers {
		if i < 4 {
			parts[2+i] = m
		}
	}
	parts[6] = p.Description
	w.C(parts[:]...)
}

// writeAdjustments writes CAS segments: consecutive adjustments of one group share a segment,
// up to six reason/amount/quantity triplets each.
func writeAdjustments(w *edi.Writer, adj []Adjustment) {
	for i := 0; i < len(adj); {
		j := i
		w.Seg("CAS").E(adj[i].Group)
		for j < len(adj) && j-i < 6 && adj[j].Group == adj[i].Group {
			w.E(adj[j].Reason).Amt(adj[j].Amount).E(adj[j].Quantity)
			j++
		}
		w.End()
		i = j
	}
}

func writeDates(w *edi.Writer, ds []Date) {
	for _, d := range ds {
		w.Seg("DTM").E(d.Qualifier).E(d.Date).End()
	}
}

func writeAmounts(w *edi.Writer, as []QualifiedAmount) {
	for _, a := range as {
		w.Seg("AMT").E(a.Qualifier).Amt(a.Amount).End()
	}
}

func writeQuantities(w *edi.Writer, qs []Quantity) {
	for _, q := range qs {
		w.Seg("QTY").E(q.Qualifier).E(q.Quantity).End()
	}
}

// writeElements writes a segment from its element values (trailing empty ones are trimmed by
// the writer).
func writeElements(w *edi.Writer, id string, els []string) {
	w.Seg(id)
	for _, e := range els {
		w.E(e)
	}
	w.End()
}

// optAmount is the X12 form of a situational amount: empty when zero.
func optAmount(a edi.Amount) string {
	if a == 0 {
		return ""
	}
	return a.X12()
}

// elementIndex parses an element reference such as "TS313" for segment id into its position,
// which must be 1..max.
func elementIndex(ref, id string, max int) (int, bool) {
	rest, ok := strings.CutPrefix(ref, id)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || n > max {
		return 0, false
	}
	return n, true
}
