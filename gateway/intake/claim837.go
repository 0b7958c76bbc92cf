package intake

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x837"
)

// Limits of the identifiers ToClaim writes.
const (
	// MaxClaimIDLen is the longest claim id ToClaim accepts: the claim id is CLM01's default and
	// payers truncate CLM01 beyond 17-20 characters (DESIGN.md, "Identifiers").
	MaxClaimIDLen = 17
	// maxPatientControlLen is CLM01's maximum length in both 5010 guides.
	maxPatientControlLen = 20
	// maxLineControlLen is REF*6R's (REF02) maximum length.
	maxLineControlLen = 50
)

// Defaults ToClaim applies when the encounter leaves a field out. They are part of the intake
// contract: a submitter that wants another value sends it.
const (
	// DefaultClaimFilingIndicator is SBR09 when subscriber.claim_filing_indicator is empty:
	// commercial insurance.
	DefaultClaimFilingIndicator = "CI"
	// DefaultReleaseOfInformation is CLM09 when claim.release_of_information is empty: the
	// provider holds a signed statement permitting release of medical data.
	DefaultReleaseOfInformation = "Y"
	// DefaultAcceptAssignment is CLM07 when claim.provider_accepts_assignment is empty: the
	// provider accepts assignment (payment goes to the provider).
	DefaultAcceptAssignment = "A"
)

// ErrUnmappable is wrapped by the errors of ToClaim: the encounter holds a value that has no
// place in the claim model (an unknown claim type, relationship or frequency, a date that is not
// YYYY-MM-DD, a missing value the 837 cannot go without).
var ErrUnmappable = errors.New("encounter cannot be mapped to an 837 claim")

// MapProblem is one value ToClaim could not map, located by a JSON pointer into the encounter
// (RFC 6901, e.g. "/claim/service_lines/2/service_date"). Messages quote the offending value
// only for code fields (claim type, frequency, ...), never for dates, names or ids of people, so
// a problem list can be logged without PHI.
type MapProblem struct {
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

// MapError lists every problem ToClaim found, so a caller learns all of them at once. It
// unwraps to ErrUnmappable.
type MapError struct {
	Problems []MapProblem
}

func (e *MapError) Error() string {
	var b strings.Builder
	b.WriteString(ErrUnmappable.Error())
	b.WriteString(": ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Pointer)
		b.WriteString(": ")
		b.WriteString(p.Message)
	}
	return b.String()
}

// Unwrap returns ErrUnmappable.
func (e *MapError) Unwrap() error { return ErrUnmappable }

// LineControlNumber returns the line item control number (REF*6R) ToClaim gives service line n
// (1-based) of claim claimID: the claim id, a hyphen and the line number ("C12345-3"). An 835
// echoes it in its REF*6R, which is how a payment line finds its service line.
func LineControlNumber(claimID string, n int) string {
	return claimID + "-" + strconv.Itoa(n)
}

// ToClaim maps the encounter onto the X12 claim model that x837.Render writes, under claim id
// claimID (at most MaxClaimIDLen letters, digits or hyphens).
//
// It normalises what the contract allows to be written loosely: codes lose dots and spaces and
// are upper-cased ("e11.9" -> "E119"), tax ids and phone numbers keep their digits, postal codes
// lose hyphens, NDCs lose hyphens, hours lose their colon ("14:30" -> "1430"), unit counts are
// written in their shortest form ("2.50" -> "2.5"). It computes, never trusts:
//
//   - CLM02, the total charge, is the sum of the line charges;
//   - CLM01, the patient control number, is the claim id unless the encounter gives one;
//   - every line's control number (REF*6R) is LineControlNumber(claimID, n).
//
// Codes from words: relationship self/spouse/child/other -> 18/01/19/G8 (self writes no
// patient loop), frequency original/replacement/void -> 1/7/8, payer responsibility
// primary/secondary/tertiary -> P/S/T, accident auto/employment/other -> AA/EM/OA.
//
// Defaults for what the encounter leaves out: claim filing indicator CI
// (DefaultClaimFilingIndicator); payer responsibility primary (P); frequency original, or for
// an institutional claim the type of bill's frequency digit; provider signature on file (837P CLM06)
// Y; assignment of benefits (CLM08) Y; release of information (CLM09) Y; provider accepts
// assignment (CLM07) A; gender U; on a professional line without diagnosis pointers, one pointer
// to the first diagnosis.
//
// The claim holds exactly what the 837 carries, so that rendering it and reading it back gives
// the same value: procedure codes get their HC qualifier, unit types default to UN, a service
// date range of one day is one date, the subscriber's birth date and gender are kept only when
// the subscriber is the patient, and an institutional claim's rendering provider has no taxonomy.
//
// ToClaim checks only what it needs to map; the code shapes, NPI check digits and payer rules
// are scrubbing's (Scrub, which the API and `claimgate edi render` run first, is stricter and
// refuses the loose forms ToClaim normalises). Every problem it finds is listed in a *MapError.
func (e *Encounter) ToClaim(claimID string) (x837.Claim, error) {
	m := &claimMapper{}
	c := m.claim(e, claimID)
	if len(m.problems) > 0 {
		return x837.Claim{}, &MapError{Problems: m.problems}
	}
	return c, nil
}

// claimMapper collects the problems of one ToClaim call.
type claimMapper struct {
	problems []MapProblem
}

func (m *claimMapper) addf(pointer, format string, args ...any) {
	m.problems = append(m.problems, MapProblem{Pointer: pointer, Message: fmt.Sprintf(format, args...)})
}

func (m *claimMapper) claim(e *Encounter, claimID string) x837.Claim {
	var c x837.Claim
	m.checkClaimID(claimID)

	switch strings.ToLower(strings.TrimSpace(e.ClaimType)) {
	case Professional:
		c.Type = x837.Professional
	case Institutional:
		c.Type = x837.Institutional
	case "":
		m.addf("/claim_type", "missing: professional or institutional")
	default:
		m.addf("/claim_type", "%q is not professional or institutional", e.ClaimType)
	}
	inst := c.Type == x837.Institutional

	c.BillingProvider = m.billingProvider(e.BillingProvider, e.PayToAddress)
	c.Payer = x837.Payer{ID: strings.TrimSpace(e.Payer.ID), Name: strings.TrimSpace(e.Payer.Name)}
	if c.Payer.ID == "" {
		m.addf("/payer/id", "missing: the payer id")
	}
	c.Subscriber, c.Patient = m.people(e.Subscriber, e.Patient)
	c.RenderingProvider = m.provider("/rendering_provider", e.RenderingProvider)
	c.ReferringProvider = m.provider("/referring_provider", e.ReferringProvider)
	c.AttendingProvider = m.provider("/attending_provider", e.AttendingProvider)
	if sf := e.ServiceFacility; sf != nil {
		c.ServiceFacility = &x837.ServiceFacility{
			NPI:     strings.TrimSpace(sf.NPI),
			Name:    strings.TrimSpace(sf.Name),
			Address: x12Address(sf.Address),
		}
	}

	ec := &e.Claim
	c.PatientControlNumber = strings.TrimSpace(ec.PatientControlNumber)
	if c.PatientControlNumber == "" {
		c.PatientControlNumber = claimID
	} else if n := len(c.PatientControlNumber); n > maxPatientControlLen {
		m.addf("/claim/patient_control_number", "is %d characters; CLM01 holds at most %d", n, maxPatientControlLen)
	}

	c.Frequency = m.frequency(ec, inst)
	c.PayerClaimNumber = strings.TrimSpace(ec.PayerClaimNumber)
	if c.PayerClaimNumber == "" && (c.Frequency == x837.FrequencyReplacement || c.Frequency == x837.FrequencyVoid) {
		m.addf("/claim/payer_claim_number", "missing: a replacement or void must name the payer's claim number of the claim it changes")
	}

	if inst {
		c.FacilityType = m.facilityType(ec.TypeOfBill)
	} else if c.Type == x837.Professional {
		c.PlaceOfService = strings.TrimSpace(ec.PlaceOfService)
		if c.PlaceOfService == "" {
			m.addf("/claim/place_of_service", "missing: a professional claim needs its place of service (e.g. 11 office)")
		}
	}

	if c.Type == x837.Professional {
		// CLM06 exists only in the 837P.
		c.ProviderSignatureOnFile = ec.SignatureOnFile == nil || *ec.SignatureOnFile
	}
	c.BenefitsAssignment = "Y"
	if ec.AssignmentOfBenefits != nil && !*ec.AssignmentOfBenefits {
		c.BenefitsAssignment = "N"
	}
	c.ReleaseOfInformation = m.oneOf("/claim/release_of_information", ec.ReleaseOfInformation, DefaultReleaseOfInformation, "Y", "I")
	c.AcceptAssignment = m.oneOf("/claim/provider_accepts_assignment", ec.ProviderAcceptsAssignment, DefaultAcceptAssignment, "A", "B", "C")

	if a := ec.Accident; a != nil {
		c.Accident = &x837.Accident{
			State: x12Upper(a.State),
			Date:  m.date("/claim/accident/date", a.Date),
		}
		switch strings.ToLower(strings.TrimSpace(a.Type)) {
		case "auto":
			c.Accident.Type = x837.AccidentAuto
		case "employment":
			c.Accident.Type = x837.AccidentEmployment
		case "other":
			c.Accident.Type = x837.AccidentOther
		default:
			m.addf("/claim/accident/type", "%q is not auto, employment or other", a.Type)
		}
	}
	c.OnsetDate = m.date("/claim/onset_date", ec.OnsetDate)
	c.PriorAuthorization = strings.TrimSpace(ec.PriorAuthorization)
	c.ReferralNumber = strings.TrimSpace(ec.ReferralNumber)
	c.Note = strings.TrimSpace(ec.Note)

	if len(ec.Diagnoses) == 0 {
		m.addf("/claim/diagnoses", "missing: at least one ICD-10-CM diagnosis")
	}
	c.Diagnoses = make([]string, 0, len(ec.Diagnoses))
	for i, d := range ec.Diagnoses {
		code := x12Code(d)
		if code == "" {
			m.addf(fmt.Sprintf("/claim/diagnoses/%d", i), "empty diagnosis code")
		}
		c.Diagnoses = append(c.Diagnoses, code)
	}
	c.AdmittingDiagnosis = x12Code(ec.AdmittingDiagnosis)
	if a := ec.Admission; a != nil {
		c.Admission = &x837.Admission{
			Date:   m.date("/claim/admission/date", a.Date),
			Hour:   m.hour("/claim/admission/hour", a.Hour),
			Type:   strings.TrimSpace(a.Type),
			Source: x12Upper(a.Source),
		}
	}
	c.DischargeHour = m.hour("/claim/discharge_hour", ec.DischargeHour)
	c.PatientStatus = strings.TrimSpace(ec.PatientStatus)
	if p := ec.StatementPeriod; p != nil {
		c.StatementPeriod = &x837.Period{
			From: m.date("/claim/statement_period/from", p.From),
			To:   m.date("/claim/statement_period/to", p.To),
		}
	} else if inst {
		m.addf("/claim/statement_period", "missing: an institutional claim needs its statement period")
	}
	for i, p := range ec.Procedures {
		ptr := fmt.Sprintf("/claim/procedures/%d", i)
		c.Procedures = append(c.Procedures, x837.Procedure{Code: x12Code(p.Code), Date: m.date(ptr+"/date", p.Date)})
	}
	for _, cc := range ec.ConditionCodes {
		c.ConditionCodes = append(c.ConditionCodes, x12Upper(cc))
	}
	for i, o := range ec.OccurrenceCodes {
		ptr := fmt.Sprintf("/claim/occurrence_codes/%d", i)
		c.OccurrenceCodes = append(c.OccurrenceCodes, x837.Occurrence{Code: x12Upper(o.Code), Date: m.date(ptr+"/date", o.Date)})
	}
	for _, v := range ec.ValueCodes {
		c.ValueCodes = append(c.ValueCodes, x837.ValueCode{Code: x12Upper(v.Code), Amount: v.Amount})
	}

	if inst && c.RenderingProvider != nil {
		c.RenderingProvider.Taxonomy = "" // 837I 2310D has no PRV segment
	}

	c.Lines, c.TotalCharge = m.lines(ec, claimID, c.Type, len(c.Diagnoses))
	return c
}

func (m *claimMapper) checkClaimID(id string) {
	if id == "" {
		m.addf("", "the claim id is empty")
		return
	}
	if len(id) > MaxClaimIDLen {
		m.addf("", "claim id %q is longer than %d characters", id, MaxClaimIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-') {
			m.addf("", "claim id %q may hold only letters, digits and hyphens", id)
			return
		}
	}
}

func (m *claimMapper) billingProvider(bp BillingProvider, payTo *Address) x837.BillingProvider {
	out := x837.BillingProvider{
		NPI:              strings.TrimSpace(bp.NPI),
		TaxID:            x12Digits(bp.TaxID),
		Taxonomy:         x12Upper(bp.Taxonomy),
		OrganizationName: strings.TrimSpace(bp.OrganizationName),
		FirstName:        strings.TrimSpace(bp.FirstName),
		LastName:         strings.TrimSpace(bp.LastName),
		Address:          x12Address(bp.Address),
	}
	if out.OrganizationName == "" && out.LastName == "" {
		m.addf("/billing_provider/organization_name", "missing: the billing provider needs an organization_name or a last_name")
	}
	if ct := bp.Contact; ct != nil {
		c := x837.Contact{Name: strings.TrimSpace(ct.Name), Phone: x12Digits(ct.Phone), Email: strings.TrimSpace(ct.Email)}
		if c != (x837.Contact{}) {
			out.Contact = &c
		}
	}
	if payTo != nil {
		a := x12Address(*payTo)
		if !a.IsZero() {
			out.PayToAddress = &a
		}
	}
	return out
}

func (m *claimMapper) people(s Subscriber, p *Patient) (x837.Subscriber, *x837.Patient) {
	sub := x837.Subscriber{
		MemberID:             strings.TrimSpace(s.MemberID),
		GroupNumber:          strings.TrimSpace(s.GroupNumber),
		GroupName:            strings.TrimSpace(s.GroupName),
		FirstName:            strings.TrimSpace(s.FirstName),
		LastName:             strings.TrimSpace(s.LastName),
		MiddleName:           strings.TrimSpace(s.MiddleName),
		Suffix:               strings.TrimSpace(s.Suffix),
		BirthDate:            m.date("/subscriber/birth_date", s.BirthDate),
		Gender:               m.gender("/subscriber/gender", s.Gender),
		Address:              x12OptionalAddress(s.Address),
		ClaimFilingIndicator: x12Upper(s.ClaimFilingIndicator),
	}
	if sub.MemberID == "" {
		m.addf("/subscriber/member_id", "missing: the subscriber's member id")
	}
	if sub.ClaimFilingIndicator == "" {
		sub.ClaimFilingIndicator = DefaultClaimFilingIndicator
	}
	switch strings.ToLower(strings.TrimSpace(s.PayerResponsibility)) {
	case "", "primary":
		sub.PayerResponsibility = x837.ResponsibilityPrimary
	case "secondary":
		sub.PayerResponsibility = x837.ResponsibilitySecondary
	case "tertiary":
		sub.PayerResponsibility = x837.ResponsibilityTertiary
	default:
		m.addf("/subscriber/payer_responsibility", "%q is not primary, secondary or tertiary", s.PayerResponsibility)
	}

	var rel string
	switch strings.ToLower(strings.TrimSpace(s.RelationshipToPatient)) {
	case RelSelf:
		rel = x837.RelationshipSelf
	case RelSpouse:
		rel = x837.RelationshipSpouse
	case RelChild:
		rel = x837.RelationshipChild
	case RelOther:
		rel = x837.RelationshipOther
	case "":
		m.addf("/subscriber/relationship_to_patient", "missing: self, spouse, child or other")
		return sub, nil
	default:
		m.addf("/subscriber/relationship_to_patient", "%q is not self, spouse, child or other", s.RelationshipToPatient)
		return sub, nil
	}
	if rel != x837.RelationshipSelf {
		// The 837 carries the subscriber's birth date and gender (2010BA DMG) only when the
		// subscriber is the patient.
		sub.BirthDate, sub.Gender = x837.Date{}, ""
	}
	if rel == x837.RelationshipSelf {
		if p != nil {
			m.addf("/patient", "given although the subscriber is the patient (relationship_to_patient is self); leave it out or name the relationship")
		}
		return sub, nil
	}
	if p == nil {
		m.addf("/patient", "missing: the patient is not the subscriber (relationship_to_patient is %s), so the patient must be described", s.RelationshipToPatient)
		return sub, nil
	}
	return sub, &x837.Patient{
		Relationship: rel,
		FirstName:    strings.TrimSpace(p.FirstName),
		LastName:     strings.TrimSpace(p.LastName),
		MiddleName:   strings.TrimSpace(p.MiddleName),
		Suffix:       strings.TrimSpace(p.Suffix),
		BirthDate:    m.date("/patient/birth_date", p.BirthDate),
		Gender:       m.gender("/patient/gender", p.Gender),
		Address:      x12OptionalAddress(p.Address),
	}
}

func (m *claimMapper) provider(pointer string, p *Provider) *x837.Provider {
	if p == nil {
		return nil
	}
	out := &x837.Provider{
		NPI:       strings.TrimSpace(p.NPI),
		FirstName: strings.TrimSpace(p.FirstName),
		LastName:  strings.TrimSpace(p.LastName),
		Taxonomy:  x12Upper(p.Taxonomy),
	}
	if *out == (x837.Provider{}) {
		m.addf(pointer, "is empty: leave it out or give the provider's npi and name")
	}
	return out
}

// frequency returns CLM05-3. An institutional claim without a frequency takes its type of bill's
// frequency digit; one with both must have them agree.
func (m *claimMapper) frequency(ec *EncounterClaim, inst bool) string {
	var f string
	switch strings.ToLower(strings.TrimSpace(ec.Frequency)) {
	case FrequencyOriginal:
		f = x837.FrequencyOriginal
	case FrequencyReplacement:
		f = x837.FrequencyReplacement
	case FrequencyVoid:
		f = x837.FrequencyVoid
	case "":
	default:
		m.addf("/claim/frequency", "%q is not original, replacement or void", ec.Frequency)
		return x837.FrequencyOriginal
	}
	if inst {
		tob := x12Digits(ec.TypeOfBill)
		if len(tob) >= 3 {
			digit := tob[len(tob)-1:]
			switch {
			case f == "":
				f = digit
			case f != digit:
				m.addf("/claim/type_of_bill", "frequency digit %s disagrees with frequency %q (%s); make them agree", digit, ec.Frequency, f)
			}
		}
	}
	if f == "" {
		f = x837.FrequencyOriginal
	}
	return f
}

// facilityType returns CLM05-1 of an institutional claim from its type of bill: "0131" and
// "131" both give "13".
func (m *claimMapper) facilityType(tob string) string {
	t := strings.TrimSpace(tob)
	if t == "" {
		m.addf("/claim/type_of_bill", "missing: an institutional claim needs its type of bill (e.g. 0131)")
		return ""
	}
	if len(t) == 4 && t[0] == '0' {
		t = t[1:]
	}
	if len(t) != 3 || x12Digits(t) != t {
		m.addf("/claim/type_of_bill", "%q is not a type of bill: four digits with a leading zero, such as 0131", tob)
		return ""
	}
	return t[:2]
}

func (m *claimMapper) lines(ec *EncounterClaim, claimID string, typ x837.ClaimType, diagnoses int) ([]x837.ServiceLine, edi.Amount) {
	if len(ec.ServiceLines) == 0 {
		m.addf("/claim/service_lines", "missing: at least one service line")
		return nil, 0
	}
	lines := make([]x837.ServiceLine, 0, len(ec.ServiceLines))
	var total edi.Amount
	for i, l := range ec.ServiceLines {
		ptr := fmt.Sprintf("/claim/service_lines/%d", i)
		out := x837.ServiceLine{
			ControlNumber:     LineControlNumber(claimID, i+1),
			ProcedureCode:     x12Code(l.ProcedureCode),
			RevenueCode:       x12RevenueCode(l.RevenueCode),
			Charge:            l.Charge,
			UnitType:          x12Upper(l.UnitType),
			ServiceDateEnd:    m.date(ptr+"/service_date_end", l.ServiceDateEnd),
			PlaceOfService:    strings.TrimSpace(l.PlaceOfService),
			RenderingProvider: m.provider(ptr+"/rendering_provider", l.RenderingProvider),
			Note:              strings.TrimSpace(l.Note),
		}
		if len(out.ControlNumber) > maxLineControlLen {
			m.addf(ptr, "line control number %q is longer than %d characters", out.ControlNumber, maxLineControlLen)
		}
		if strings.TrimSpace(l.ServiceDate) == "" && typ == x837.Professional {
			m.addf(ptr+"/service_date", "missing: the date of service")
		} else {
			out.ServiceDate = m.date(ptr+"/service_date", l.ServiceDate)
		}
		if out.ServiceDateEnd == out.ServiceDate {
			out.ServiceDateEnd = x837.Date{} // a one-day service is written as one D8 date
		}
		if out.ProcedureCode != "" {
			out.ProcedureQualifier = "HC"
		}
		if out.UnitType == "" {
			out.UnitType = "UN"
		}
		if out.ProcedureCode == "" && out.RevenueCode == "" {
			m.addf(ptr+"/procedure_code", "missing: a procedure code (or, on an institutional claim, a revenue code)")
		}
		for _, mod := range l.Modifiers {
			out.Modifiers = append(out.Modifiers, x12Upper(mod))
		}
		if l.Charge < 0 {
			m.addf(ptr+"/charge", "%s is negative; a charge is zero or more", l.Charge)
		} else if total > edi.Amount(1<<62)-l.Charge {
			m.addf(ptr+"/charge", "the sum of the charges is too large")
		} else {
			total += l.Charge
		}
		units, ok := x12Units(string(l.Units))
		if !ok {
			m.addf(ptr+"/units", "%q is not a positive decimal number of units", string(l.Units))
		}
		out.Units = units
		if len(l.DiagnosisPointers) > 0 {
			out.DiagnosisPointers = append([]int(nil), l.DiagnosisPointers...)
		} else if typ == x837.Professional && diagnoses > 0 {
			out.DiagnosisPointers = []int{1}
		}
		if n := l.NDC; n != nil {
			q, ok := x12Units(string(n.Quantity))
			if !ok {
				m.addf(ptr+"/ndc/quantity", "%q is not a positive decimal quantity", string(n.Quantity))
			}
			out.NDC = &x837.NDC{Code: x12Digits(n.Code), Quantity: q, Unit: x12Upper(n.Unit)}
		}
		lines = append(lines, out)
	}
	return lines, total
}

func (m *claimMapper) date(pointer, s string) x837.Date {
	s = strings.TrimSpace(s)
	if s == "" {
		return x837.Date{}
	}
	d, err := x837.ParseDate(s)
	if err != nil {
		m.addf(pointer, "is not a calendar date in the form YYYY-MM-DD")
	}
	return d
}

// hour accepts HHMM or HH:MM.
func (m *claimMapper) hour(pointer, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	h := strings.Replace(s, ":", "", 1)
	if len(h) != 4 || x12Digits(h) != h || h[:2] > "23" || h[2:] > "59" {
		m.addf(pointer, "is not an hour in the form HHMM or HH:MM (00:00 to 23:59)")
		return ""
	}
	return h
}

func (m *claimMapper) gender(pointer, s string) string {
	g := strings.ToUpper(strings.TrimSpace(s))
	switch g {
	case "":
		return "U"
	case "M", "F", "U":
		return g
	}
	m.addf(pointer, "must be M, F or U")
	return "U"
}

// oneOf upper-cases s and checks it against the allowed codes; empty gives def.
func (m *claimMapper) oneOf(pointer, s, def string, allowed ...string) string {
	v := x12Upper(s)
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	m.addf(pointer, "%q is not one of %s", s, strings.Join(allowed, ", "))
	return def
}

func x12Address(a Address) x837.Address {
	return x837.Address{
		Line1:      strings.TrimSpace(a.Line1),
		Line2:      strings.TrimSpace(a.Line2),
		City:       strings.TrimSpace(a.City),
		State:      x12Upper(a.State),
		PostalCode: x12Digits(a.PostalCode),
	}
}

func x12OptionalAddress(a Address) *x837.Address {
	out := x12Address(a)
	if out.IsZero() {
		return nil
	}
	return &out
}

// x12Code writes a diagnosis, procedure or similar code the way X12 wants it: no dots, no
// spaces, upper case ("e11.9 " -> "E119").
func x12Code(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '.' || r == ' ' || r == '\t' || r == '-':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// x12Upper trims and upper-cases a code value (modifiers, states, qualifiers).
func x12Upper(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// x12RevenueCode normalises a revenue code: digits only, a three-digit code gains its leading zero
// ("450" -> "0450").
func x12RevenueCode(s string) string {
	d := strings.TrimSpace(s)
	if d == "" {
		return ""
	}
	if len(d) == 3 && x12Digits(d) == d {
		return "0" + d
	}
	return x12Upper(d)
}

// x12Digits keeps the ASCII digits of s ("12-3456789" -> "123456789").
func x12Digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// x12Units checks a positive decimal quantity and writes it without leading or trailing
// zero noise ("01.50" -> "1.5", "2.0" -> "2").
func x12Units(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 15 {
		return s, false
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if x12Digits(whole) != whole || x12Digits(frac) != frac || (hasDot && frac == "" && whole == "") {
		return s, false
	}
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	if whole == "" && frac == "" {
		return s, false // zero
	}
	if whole == "" {
		whole = "0"
	}
	if frac == "" {
		return whole, true
	}
	return whole + "." + frac, true
}
