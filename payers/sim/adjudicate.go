package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/edi/x837"
)

// PayerClaimNumber is the payer claim control number the simulator gives a claim (277CA
// REF*1K, 835 CLP07): the scenario's prefix and 12 digits from a hash of the submitter, the
// patient control number, the frequency and the claim it replaces, so the same claim always
// gets the same number and a replacement gets a new one.
func PayerClaimNumber(prefix, submitter string, c *x837.Claim) string {
	h := sha256.Sum256([]byte(submitter + "\x00" + c.PatientControlNumber + "\x00" + c.Frequency + "\x00" + c.PayerClaimNumber))
	return fmt.Sprintf("%s%012d", prefix, binary.BigEndian.Uint64(h[:8])%1_000_000_000_000)
}

func (m *Match) matchesClaim(c *x837.Claim) bool {
	if m.MemberIDPrefix != "" && !strings.HasPrefix(strings.ToUpper(c.Subscriber.MemberID), m.MemberIDPrefix) {
		return false
	}
	if m.PatientControlNumberPrefix != "" && !strings.HasPrefix(strings.ToUpper(c.PatientControlNumber), m.PatientControlNumberPrefix) {
		return false
	}
	if m.Frequency != "" && c.Frequency != m.Frequency {
		return false
	}
	if m.ClaimType != "" && string(c.Type) != m.ClaimType {
		return false
	}
	if m.Diagnosis != "" {
		found := false
		for _, d := range c.Diagnoses {
			if strings.EqualFold(strings.ReplaceAll(d, ".", ""), m.Diagnosis) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if m.Procedure != "" || m.Modifier != "" {
		for i := range c.Lines {
			if m.matchesLine(&c.Lines[i]) {
				return true
			}
		}
		return false
	}
	return true
}

// matchesLine checks the line fields of m (procedure, modifier) against l.
func (m *Match) matchesLine(l *x837.ServiceLine) bool {
	if m.Procedure != "" && !strings.EqualFold(l.ProcedureCode, m.Procedure) {
		return false
	}
	if m.Modifier != "" {
		for _, mod := range l.Modifiers {
			if strings.EqualFold(mod, m.Modifier) {
				return true
			}
		}
		return false
	}
	return true
}

// lineMatch is a line denial rule's test: the claim fields (member, diagnosis, ...) against
// the claim, the line fields against the line.
func (d *Denial) matchesLine(c *x837.Claim, l *x837.ServiceLine) bool {
	claimPart := d.Match
	claimPart.Procedure, claimPart.Modifier = "", ""
	return claimPart.matchesClaim(c) && d.Match.matchesLine(l)
}

// Rejection returns the 277CA rejection status for a claim, or nil when the payer's front end
// accepts it.
func (s *Scenario) Rejection(c *x837.Claim) *x277.Status {
	for i := range s.Rejections {
		r := &s.Rejections[i]
		if r.Match.matchesClaim(c) {
			return &x277.Status{Category: r.Category, Code: r.Code, Entity: r.Entity}
		}
	}
	return nil
}

// Adjudicate pays one accepted claim by the scenario: a claim denial rule denies the whole
// claim (CLP02 4, claim-level CAS for the charge); otherwise each line is denied by the first
// line denial rule it matches or allowed at the scenario's share, with CO-45 for the rest and
// the patient's deductible (PR-1), copay (PR-3) and coinsurance (PR-2) taken from the allowed
// amount. Every line echoes its REF*6R. The result balances: charge - paid = adjustments.
func (s *Scenario) Adjudicate(c *x837.Claim, payerClaimNumber, received string) *x835.ClaimPayment {
	cp := &x835.ClaimPayment{
		PatientControlNumber: c.PatientControlNumber, Status: "1", Charge: c.TotalCharge,
		FilingIndicator: filingIndicator(c), PayerClaimNumber: payerClaimNumber, Frequency: c.Frequency,
		Patient: patientName(c),
	}
	switch c.Subscriber.PayerResponsibility {
	case x837.ResponsibilitySecondary:
		cp.Status = "2"
	case x837.ResponsibilityTertiary:
		cp.Status = "3"
	}
	if c.Type == x837.Institutional {
		cp.FacilityType = c.FacilityType
	} else {
		cp.FacilityType = c.PlaceOfService
	}
	if c.Patient != nil {
		cp.Insured = &x835.Name{EntityCode: "IL", EntityType: "1", LastName: c.Subscriber.LastName, FirstName: c.Subscriber.FirstName,
			IDQualifier: "MI", ID: c.Subscriber.MemberID}
	}
	if rp := c.RenderingProvider; rp != nil && rp.NPI != "" {
		n := &x835.Name{EntityCode: "82", EntityType: "1", LastName: rp.LastName, FirstName: rp.FirstName, IDQualifier: "XX", ID: rp.NPI}
		if rp.OrganizationName != "" {
			n.EntityType, n.LastName, n.FirstName = "2", rp.OrganizationName, ""
		}
		cp.ServiceProvider = n
	}
	if sp := c.StatementPeriod; sp != nil && !sp.From.IsZero() {
		cp.Dates = append(cp.Dates, x835.Date{Qualifier: "232", Date: sp.From.X12()}, x835.Date{Qualifier: "233", Date: sp.To.X12()})
	}
	if received != "" {
		cp.Dates = append(cp.Dates, x835.Date{Qualifier: "050", Date: received})
	}

	for i := range s.ClaimDenials {
		d := &s.ClaimDenials[i]
		if d.Match.matchesClaim(c) {
			cp.Status = "4"
			cp.Adjustments = []x835.Adjustment{{Group: d.Group, Reason: d.Reason, Amount: c.TotalCharge}}
			if d.Group == "PR" {
				cp.PatientResponsibility = c.TotalCharge
			}
			if len(d.Remarks) > 0 {
				cp.Outpatient = &x835.OutpatientAdjudication{RemarkCodes: append([]string(nil), d.Remarks...)}
			}
			return cp
		}
	}

	allowedPct, coinsPct := s.allowed(), s.coinsurance()
	deductibleLeft := s.Adjudication.Deductible
	copayLeft := s.Adjudication.Copay
	var lineCharges, allowedTotal edi.Amount
	paidLines := 0
	for i := range c.Lines {
		l := &c.Lines[i]
		sl := x835.ServiceLine{Procedure: procedureOf(l), Charge: l.Charge, Units: l.Units, ControlNumber: l.ControlNumber}
		if c.Type == x837.Institutional {
			sl.RevenueCode = l.RevenueCode
			if sl.Procedure.Qualifier == "NU" {
				sl.RevenueCode = ""
			}
		}
		if !l.ServiceDate.IsZero() {
			if !l.ServiceDateEnd.IsZero() && l.ServiceDateEnd != l.ServiceDate {
				sl.Dates = []x835.Date{{Qualifier: "150", Date: l.ServiceDate.X12()}, {Qualifier: "151", Date: l.ServiceDateEnd.X12()}}
			} else {
				sl.Dates = []x835.Date{{Qualifier: "472", Date: l.ServiceDate.X12()}}
			}
		}
		lineCharges += l.Charge
		if d := s.lineDenial(c, l); d != nil {
			sl.Adjustments = []x835.Adjustment{{Group: d.Group, Reason: d.Reason, Amount: l.Charge}}
			if d.Group == "PR" {
				cp.PatientResponsibility += l.Charge
			}
			for _, r := range d.Remarks {
				sl.Remarks = append(sl.Remarks, x835.Remark{Qualifier: "HE", Code: r})
			}
			cp.Lines = append(cp.Lines, sl)
			continue
		}
		allowed := allowedPct.of(l.Charge)
		if allowed > l.Charge {
			allowed = l.Charge
		}
		allowedTotal += allowed
		if wo := l.Charge - allowed; wo != 0 {
			sl.Adjustments = append(sl.Adjustments, x835.Adjustment{Group: "CO", Reason: "45", Amount: wo})
		}
		left := allowed
		take := func(limit *edi.Amount) edi.Amount {
			n := min(*limit, left)
			if n < 0 {
				n = 0
			}
			*limit -= n
			left -= n
			return n
		}
		var pr []x835.Adjustment
		if n := take(&deductibleLeft); n > 0 {
			pr = append(pr, x835.Adjustment{Group: "PR", Reason: "1", Amount: n})
		}
		if n := take(&copayLeft); n > 0 {
			pr = append(pr, x835.Adjustment{Group: "PR", Reason: "3", Amount: n})
		}
		if n := coinsPct.of(left); n > 0 {
			left -= n
			pr = append(pr, x835.Adjustment{Group: "PR", Reason: "2", Amount: n})
		}
		for _, a := range pr {
			cp.PatientResponsibility += a.Amount
		}
		sl.Adjustments = append(sl.Adjustments, pr...)
		sl.Paid = left
		sl.Amounts = []x835.QualifiedAmount{{Qualifier: "B6", Amount: allowed}}
		cp.Paid += left
		paidLines++
		cp.Lines = append(cp.Lines, sl)
	}
	if diff := c.TotalCharge - lineCharges; diff != 0 {
		// CLM02 disagrees with its lines: the difference is not payable.
		cp.Adjustments = append(cp.Adjustments, x835.Adjustment{Group: "CO", Reason: "16", Amount: diff})
	}
	if paidLines > 0 {
		cp.Amounts = []x835.QualifiedAmount{{Qualifier: "AU", Amount: allowedTotal}}
	}
	if paidLines == 0 && len(c.Lines) > 0 && cp.Status == "1" {
		cp.Status = "4"
	}
	return cp
}

func (s *Scenario) lineDenial(c *x837.Claim, l *x837.ServiceLine) *Denial {
	for i := range s.LineDenials {
		if d := &s.LineDenials[i]; d.matchesLine(c, l) {
			return d
		}
	}
	return nil
}

// Reverse returns the reversal (CLP02 22) of a payment: the same claim with every amount
// negated, as the TR3 wants.
func Reverse(p *x835.ClaimPayment) *x835.ClaimPayment {
	r := *p
	r.Status = "22"
	r.Charge, r.Paid, r.PatientResponsibility = -p.Charge, -p.Paid, -p.PatientResponsibility
	r.Adjustments = negate(p.Adjustments)
	r.Amounts = negateAmounts(p.Amounts)
	r.Lines = make([]x835.ServiceLine, len(p.Lines))
	for i, l := range p.Lines {
		l.Charge, l.Paid = -l.Charge, -l.Paid
		l.Adjustments = negate(l.Adjustments)
		l.Amounts = negateAmounts(l.Amounts)
		r.Lines[i] = l
	}
	return &r
}

func negate(as []x835.Adjustment) []x835.Adjustment {
	if as == nil {
		return nil
	}
	out := make([]x835.Adjustment, len(as))
	for i, a := range as {
		a.Amount = -a.Amount
		out[i] = a
	}
	return out
}

func negateAmounts(as []x835.QualifiedAmount) []x835.QualifiedAmount {
	if as == nil {
		return nil
	}
	out := make([]x835.QualifiedAmount, len(as))
	for i, a := range as {
		a.Amount = -a.Amount
		out[i] = a
	}
	return out
}

func procedureOf(l *x837.ServiceLine) x835.Procedure {
	if l.ProcedureCode == "" {
		return x835.Procedure{Qualifier: "NU", Code: l.RevenueCode}
	}
	q := l.ProcedureQualifier
	if q == "" {
		q = "HC"
	}
	return x835.Procedure{Qualifier: q, Code: l.ProcedureCode, Modifiers: append([]string(nil), l.Modifiers...)}
}

func filingIndicator(c *x837.Claim) string {
	if f := c.Subscriber.ClaimFilingIndicator; f != "" {
		return f
	}
	return "CI"
}

// patientName is the 835 NM1*QC of a claim: the patient, with the subscriber's member id.
func patientName(c *x837.Claim) *x835.Name {
	n := &x835.Name{EntityCode: "QC", EntityType: "1", IDQualifier: "MI", ID: c.Subscriber.MemberID}
	if p := c.Patient; p != nil {
		n.LastName, n.FirstName, n.MiddleName, n.Suffix = p.LastName, p.FirstName, p.MiddleName, p.Suffix
	} else {
		s := &c.Subscriber
		n.LastName, n.FirstName, n.MiddleName, n.Suffix = s.LastName, s.FirstName, s.MiddleName, s.Suffix
	}
	return n
}
