package x837

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/edi"
)

// ErrInvalidClaim is wrapped by every ClaimError that is not a write error: the claim lacks a
// value the 837 requires or holds one it cannot carry.
var ErrInvalidClaim = errors.New("claim cannot be rendered as an 837")

// ClaimError is one reason Render refuses an interchange. It names the claim (by position and
// patient control number, never by patient data) and the field, as a path of the model's JSON
// names ("subscriber.member_id", "service_lines[2].charge"). Index is -1 for interchange-level
// fields (sender, receiver, control numbers).
type ClaimError struct {
	Index                int    `json:"index"`
	PatientControlNumber string `json:"patient_control_number,omitempty"`
	Field                string `json:"field"`
	Msg                  string `json:"message"`
	Err                  error  `json:"-"`
}

func (e *ClaimError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("interchange %s: %s", e.Field, e.Msg)
	}
	return fmt.Sprintf("claim %d (%s) %s: %s", e.Index, e.PatientControlNumber, e.Field, e.Msg)
}

// Unwrap returns the underlying writer error, or ErrInvalidClaim.
func (e *ClaimError) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return ErrInvalidClaim
}

// ClaimErrors is every problem Validate found; it is itself an error.
type ClaimErrors []*ClaimError

func (es ClaimErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap exposes every error to errors.Is and errors.As.
func (es ClaimErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Element length limits (X12 data element dictionary, narrowed where the TR3s narrow them).
const (
	maxName      = 60 // NM103
	maxFirst     = 35 // NM104
	maxMiddle    = 25 // NM105
	maxSuffix    = 10 // NM107
	maxID        = 80 // NM109
	maxAddr      = 55 // N301, N302
	maxCity      = 30 // N401
	maxRef       = 50 // REF02
	maxPCN       = 20 // CLM01 (TR3)
	maxLineCtl   = 30 // REF*6R (TR3)
	maxNote      = 80 // NTE02
	maxCode      = 30 // HI C022-02
	maxProc      = 48 // SV101-2, SV202-2, LIN03
	maxQuantity  = 15 // SV104, SV205, CTP04
	maxTaxonomy  = 50 // PRV03
	maxBHTRef    = 30 // BHT03 (TR3)
	maxPhone     = 256
	maxDiagP     = 12 // 837P HI: ABK + 11 ABF
	maxDiagI     = 25 // 837I: ABK + 2 x 12 ABF
	maxLinesP    = 50
	maxLinesI    = 999
	maxHICodes   = 24 // 837I BBQ, BH, BE, BG: 2 HI segments x 12
	maxModifiers = 4
	maxPointers  = 4
)

type validator struct {
	errs  ClaimErrors
	index int
	pcn   string
	class [256]uint8 // classOK, classDelimiter or classUnprintable
}

// field names a value of the claim without building a string until a problem is reported:
// [service_lines[line].]parent[[pidx]].name.
type field struct {
	line   int
	parent string
	pidx   int
	name   string
}

func fld(name string) field         { return field{line: -1, pidx: -1, name: name} }
func sub(parent, name string) field { return field{line: -1, pidx: -1, parent: parent, name: name} }
func idx(parent string, i int, name string) field {
	return field{line: -1, pidx: i, parent: parent, name: name}
}
func lf(line int, name string) field { return field{line: line, pidx: -1, name: name} }
func lsub(line int, parent, name string) field {
	return field{line: line, pidx: -1, parent: parent, name: name}
}

func (f field) String() string {
	var b strings.Builder
	if f.line >= 0 {
		b.WriteString("service_lines[")
		b.WriteString(strconv.Itoa(f.line))
		b.WriteString("]")
		if f.parent != "" || f.name != "" {
			b.WriteByte('.')
		}
	}
	if f.parent != "" {
		b.WriteString(f.parent)
		if f.pidx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(f.pidx))
			b.WriteByte(']')
		}
		if f.name != "" {
			b.WriteByte('.')
		}
	}
	b.WriteString(f.name)
	return b.String()
}

func (v *validator) add(f field, msg string) {
	v.errs = append(v.errs, &ClaimError{Index: v.index, PatientControlNumber: v.pcn, Field: f.String(), Msg: msg})
}

// text checks a free-text or identifier value: required when req, at most max characters, and
// printable ASCII (the writer refuses delimiters itself; this catches what a payer would reject).
func (v *validator) text(f field, s string, req bool, max int) {
	if s == "" {
		if req {
			v.add(f, "is required")
		}
		return
	}
	if len(s) > max {
		v.add(f, "is longer than "+strconv.Itoa(max)+" characters")
		return
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		v.add(f, "has leading or trailing spaces")
		return
	}
	for i := 0; i < len(s); i++ {
		switch v.class[s[i]] {
		case classOK:
		case classDelimiter:
			v.add(f, "holds "+strconv.Quote(s[i:i+1])+", an X12 delimiter of this interchange; remove it")
			return
		default:
			v.add(f, "holds a character that is not printable ASCII")
			return
		}
	}
}

// Character classes of free-text values.
const (
	classOK = iota
	classDelimiter
	classUnprintable
)

func newValidator(d edi.Delimiters) *validator {
	v := &validator{index: -1}
	for c := 0; c < 256; c++ {
		if c < 0x20 || c > 0x7e {
			v.class[c] = classUnprintable
		}
	}
	for _, c := range [...]byte{d.Element, d.Component, d.Segment, d.Repetition} {
		if c != 0 {
			v.class[c] = classDelimiter
		}
	}
	return v
}

// code checks an identifier of digits and upper-case letters with a length in [min, max].
func (v *validator) code(f field, s string, req bool, min, max int) {
	if s == "" {
		if req {
			v.add(f, "is required")
		}
		return
	}
	if len(s) < min || len(s) > max {
		if min == max {
			v.add(f, "must be "+strconv.Itoa(min)+" characters")
		} else {
			v.add(f, "must be "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+" characters")
		}
		return
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			v.add(f, "must hold only digits and upper-case letters (no dots or spaces)")
			return
		}
	}
}

// digits checks a value of exactly n digits, or of n or m digits when m > 0.
func (v *validator) digits(f field, s string, req bool, n, m int) {
	if s == "" {
		if req {
			v.add(f, "is required")
		}
		return
	}
	if (len(s) != n && (m == 0 || len(s) != m)) || !isDigits(s) {
		if m == 0 {
			v.add(f, "must be "+strconv.Itoa(n)+" digits")
		} else {
			v.add(f, "must be "+strconv.Itoa(n)+" or "+strconv.Itoa(m)+" digits")
		}
	}
}

func (v *validator) oneOf(f field, s string, req bool, allowed ...string) {
	if s == "" {
		if req {
			v.add(f, "is required")
		}
		return
	}
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	v.add(f, "must be one of "+strings.Join(allowed, ", "))
}

// icd10cm checks an ICD-10-CM code written without its dot: a letter, then 2 to 6 letters or
// digits.
func (v *validator) icd10cm(f field, s string, req bool) {
	v.code(f, s, req, 3, 7)
	if s != "" && (s[0] < 'A' || s[0] > 'Z') {
		v.add(f, "is not an ICD-10-CM code (those start with a letter); 5010 claims carry ICD-10")
	}
}

func (v *validator) date(f field, d Date, req bool) {
	if d.IsZero() {
		if req {
			v.add(f, "is required")
		}
		return
	}
	if !d.Valid() || d.Year < 1000 {
		v.add(f, "is not a calendar date")
	}
}

func (v *validator) hour(f field, s string) {
	if s == "" {
		return
	}
	if len(s) != 4 || !isDigits(s) || s[0:2] > "23" || s[2:4] > "59" {
		v.add(f, "must be a time of day HHMM (0000 to 2359)")
	}
}

func (v *validator) npi(f field, s string, req bool) {
	if s == "" {
		if req {
			v.add(f, "is required")
		}
		return
	}
	if len(s) != 10 || !isDigits(s) {
		v.add(f, "must be a 10-digit NPI")
		return
	}
	if !ValidNPI(s) {
		v.add(f, "fails the NPI check digit")
	}
}

func (v *validator) quantity(f field, s string, req bool) {
	if s == "" {
		if req {
			v.add(f, "is required")
		}
		return
	}
	if len(s) > maxQuantity || !isDecimal(s) {
		v.add(f, "must be a positive decimal number such as 1 or 2.5")
	}
}

func (v *validator) address(parent string, a *Address, zip9 bool) {
	v.text(sub(parent, "line1"), a.Line1, true, maxAddr)
	v.text(sub(parent, "line2"), a.Line2, false, maxAddr)
	v.text(sub(parent, "city"), a.City, true, maxCity)
	if len(a.City) == 1 {
		v.add(sub(parent, "city"), "must be at least 2 characters")
	}
	v.code(sub(parent, "state"), a.State, true, 2, 2)
	if zip9 {
		v.digits(sub(parent, "postal_code"), a.PostalCode, true, 9, 0)
	} else {
		v.digits(sub(parent, "postal_code"), a.PostalCode, true, 5, 9)
	}
}

func (v *validator) person(line int, parent string, last, first, middle string) {
	v.text(lsub(line, parent, "last_name"), last, true, maxName)
	v.text(lsub(line, parent, "first_name"), first, false, maxFirst)
	v.text(lsub(line, parent, "middle_name"), middle, false, maxMiddle)
}

func (v *validator) provider(line int, parent string, p *Provider, orgAllowed, npiRequired bool) {
	if p.OrganizationName != "" {
		if !orgAllowed {
			v.add(lsub(line, parent, "organization_name"), "must be a person (first_name, last_name) here")
		}
		v.text(lsub(line, parent, "organization_name"), p.OrganizationName, true, maxName)
		if p.FirstName != "" || p.LastName != "" {
			v.add(lsub(line, parent, ""), "has both an organization name and a person's name")
		}
	} else {
		v.person(line, parent, p.LastName, p.FirstName, p.MiddleName)
	}
	v.npi(lsub(line, parent, "npi"), p.NPI, npiRequired)
	v.code(lsub(line, parent, "taxonomy"), p.Taxonomy, false, 10, 10)
}

// Validate checks an interchange against what the 837P/837I TR3s require, returning every
// problem as ClaimErrors (nil when it can be rendered). Render calls it before writing. Values
// are checked against the default delimiters (* : ^ ~).
func Validate(ic *Interchange) error {
	return validate(ic, edi.DefaultDelimiters)
}

func validate(ic *Interchange, d edi.Delimiters) error {
	v := newValidator(d)
	validateEnvelope(v, ic)
	for i := range ic.Claims {
		c := &ic.Claims[i]
		v.index, v.pcn = i, c.PatientControlNumber
		validateClaim(v, c, ic.Receiver.Name != "")
	}
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

func validateEnvelope(v *validator, ic *Interchange) {
	v.code(sub("sender", "isa_qualifier"), ic.Sender.ISAQualifier, false, 2, 2)
	v.text(sub("sender", "isa_id"), ic.Sender.ISAID, true, 15)
	v.text(sub("sender", "gs_id"), ic.Sender.GSID, true, 15)
	v.text(sub("sender", "name"), ic.Sender.Name, true, maxName)
	v.text(sub("sender", "id"), ic.Sender.ID, false, maxID)
	v.text(sub("sender", "contact.name"), ic.Sender.Contact.Name, false, maxName)
	if ic.Sender.Contact.Phone == "" && ic.Sender.Contact.Email == "" {
		v.add(sub("sender", "contact"), "needs a phone or an email (1000A PER is required)")
	}
	v.digits(sub("sender", "contact.phone"), ic.Sender.Contact.Phone, false, 10, 0)
	v.text(sub("sender", "contact.email"), ic.Sender.Contact.Email, false, maxPhone)
	v.code(sub("receiver", "isa_qualifier"), ic.Receiver.ISAQualifier, false, 2, 2)
	v.text(sub("receiver", "isa_id"), ic.Receiver.ISAID, true, 15)
	v.text(sub("receiver", "gs_id"), ic.Receiver.GSID, true, 15)
	if len(ic.Sender.GSID) == 1 || len(ic.Receiver.GSID) == 1 {
		v.add(fld("gs_id"), "GS02 and GS03 must be 2 to 15 characters")
	}
	v.text(sub("receiver", "name"), ic.Receiver.Name, true, maxName)
	v.text(sub("receiver", "id"), ic.Receiver.ID, false, maxID)
	v.oneOf(fld("usage"), ic.Usage, false, "T", "P")
	v.text(fld("reference_id"), ic.ReferenceID, false, maxBHTRef)
	cn := ic.ControlNumbers
	if cn.ISA < 1 || cn.ISA > 999999999 {
		v.add(sub("control_numbers", "isa"), "must be 1 to 999999999")
	}
	if cn.GS < 1 || cn.GS > 999999998 {
		v.add(sub("control_numbers", "gs"), "must be 1 to 999999998 (a second group uses gs+1)")
	}
	if cn.ST < 1 || cn.ST > 999999998 {
		v.add(sub("control_numbers", "st"), "must be 1 to 999999998 (a second transaction set uses st+1)")
	}
	if ic.Time.IsZero() {
		v.add(fld("time"), "is required")
	}
	if len(ic.Claims) == 0 {
		v.add(fld("claims"), "an interchange needs at least one claim")
	}
}

func validateClaim(v *validator, c *Claim, receiverNamed bool) {
	prof := c.Type == Professional
	if !prof && c.Type != Institutional {
		v.add(fld("type"), "must be professional or institutional")
		return
	}

	// Billing provider (2010AA). The TR3s want the nine-digit ZIP code here.
	bp := &c.BillingProvider
	if bp.OrganizationName != "" {
		v.text(sub("billing_provider", "organization_name"), bp.OrganizationName, true, maxName)
		if bp.FirstName != "" || bp.LastName != "" {
			v.add(fld("billing_provider"), "has both an organization name and a person's name")
		}
	} else {
		v.person(-1, "billing_provider", bp.LastName, bp.FirstName, bp.MiddleName)
	}
	v.npi(sub("billing_provider", "npi"), bp.NPI, true)
	v.digits(sub("billing_provider", "tax_id"), bp.TaxID, true, 9, 0)
	v.code(sub("billing_provider", "taxonomy"), bp.Taxonomy, false, 10, 10)
	v.address("billing_provider.address", &bp.Address, true)
	if ct := bp.Contact; ct != nil {
		v.text(sub("billing_provider", "contact.name"), ct.Name, false, maxName)
		if ct.Phone == "" && ct.Email == "" {
			v.add(sub("billing_provider", "contact"), "needs a phone or an email")
		}
		v.digits(sub("billing_provider", "contact.phone"), ct.Phone, false, 10, 0)
		v.text(sub("billing_provider", "contact.email"), ct.Email, false, maxPhone)
	}
	if bp.PayToAddress != nil {
		v.address("billing_provider.pay_to_address", bp.PayToAddress, false)
	}

	// Subscriber (2000B/2010BA) and payer (2010BB).
	s := &c.Subscriber
	self := c.Patient == nil
	v.text(sub("subscriber", "member_id"), s.MemberID, true, maxID)
	if len(s.MemberID) == 1 {
		v.add(sub("subscriber", "member_id"), "must be at least 2 characters")
	}
	v.text(sub("subscriber", "group_number"), s.GroupNumber, false, maxRef)
	v.text(sub("subscriber", "group_name"), s.GroupName, false, maxName)
	v.person(-1, "subscriber", s.LastName, s.FirstName, s.MiddleName)
	v.text(sub("subscriber", "suffix"), s.Suffix, false, maxSuffix)
	v.date(sub("subscriber", "birth_date"), s.BirthDate, self)
	v.oneOf(sub("subscriber", "gender"), s.Gender, self, "M", "F", "U")
	if s.Address != nil {
		v.address("subscriber.address", s.Address, false)
	} else if self {
		v.add(sub("subscriber", "address"), "is required when the subscriber is the patient")
	}
	v.oneOf(sub("subscriber", "claim_filing_indicator"), s.ClaimFilingIndicator, false,
		"11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM",
		"LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ")
	v.oneOf(sub("subscriber", "payer_responsibility"), s.PayerResponsibility, false,
		"P", "S", "T", "A", "B", "C", "D", "E", "F", "G", "H", "U")
	v.text(sub("payer", "id"), c.Payer.ID, true, maxID)
	if len(c.Payer.ID) == 1 {
		v.add(sub("payer", "id"), "must be at least 2 characters")
	}
	v.text(sub("payer", "name"), c.Payer.Name, !receiverNamed, maxName)

	// Patient (2000C/2010CA).
	if p := c.Patient; p != nil {
		v.oneOf(sub("patient", "relationship"), p.Relationship, true, "01", "19", "20", "21", "39", "40", "53", "G8")
		v.person(-1, "patient", p.LastName, p.FirstName, p.MiddleName)
		v.text(sub("patient", "suffix"), p.Suffix, false, maxSuffix)
		v.date(sub("patient", "birth_date"), p.BirthDate, true)
		v.oneOf(sub("patient", "gender"), p.Gender, true, "M", "F", "U")
		if p.Address == nil {
			v.add(sub("patient", "address"), "is required")
		} else {
			v.address("patient.address", p.Address, false)
		}
	}

	// Claim (2300).
	v.text(fld("patient_control_number"), c.PatientControlNumber, true, maxPCN)
	if c.TotalCharge < 0 {
		v.add(fld("total_charge"), "must not be negative")
	}
	var sum int64
	for i := range c.Lines {
		sum += int64(c.Lines[i].Charge)
	}
	if sum != int64(c.TotalCharge) {
		v.add(fld("total_charge"), "must equal the sum of the service line charges ("+formatCents(sum)+")")
	}
	if prof {
		v.oneOf(fld("frequency"), c.Frequency, true, "1", "6", "7", "8")
		v.digits(fld("place_of_service"), c.PlaceOfService, true, 2, 0)
		if c.FacilityType != "" {
			v.add(fld("facility_type"), "is for institutional claims; professional claims use place_of_service")
		}
	} else {
		v.code(fld("frequency"), c.Frequency, true, 1, 1)
		v.digits(fld("facility_type"), c.FacilityType, true, 2, 0)
		if c.PlaceOfService != "" {
			v.add(fld("place_of_service"), "is for professional claims; institutional claims use facility_type")
		}
	}
	if (c.Frequency == FrequencyReplacement || c.Frequency == FrequencyVoid) && c.PayerClaimNumber == "" {
		v.add(fld("payer_claim_number"), "is required for a replacement (7) or void (8) claim (REF*F8)")
	}
	v.oneOf(fld("provider_accepts_assignment"), c.AcceptAssignment, false, "A", "B", "C")
	v.oneOf(fld("assignment_of_benefits"), c.BenefitsAssignment, false, "Y", "N", "W")
	v.oneOf(fld("release_of_information"), c.ReleaseOfInformation, false, "I", "Y")
	v.text(fld("payer_claim_number"), c.PayerClaimNumber, false, maxRef)
	v.text(fld("prior_authorization"), c.PriorAuthorization, false, maxRef)
	v.text(fld("referral_number"), c.ReferralNumber, false, maxRef)
	v.text(fld("note"), c.Note, false, maxNote)
	if a := c.Accident; a != nil {
		if prof {
			v.oneOf(sub("accident", "type"), a.Type, true, "AA", "EM", "OA")
			v.code(sub("accident", "state"), a.State, a.Type == AccidentAuto, 2, 2)
			if a.Type != AccidentEmployment && a.Date.IsZero() && c.OnsetDate.IsZero() {
				v.add(sub("accident", "date"), "is required for an auto or other accident (DTP*439); onset_date is used when absent")
			}
			v.date(sub("accident", "date"), a.Date, false)
		} else {
			// 837I has no CLM11: only the auto accident state travels (REF*LU); the accident
			// itself is told with occurrence codes (01-06).
			if a.Type != AccidentAuto {
				v.add(sub("accident", "type"), "institutional claims carry only auto accidents (state in REF*LU); report others with occurrence codes")
			}
			v.code(sub("accident", "state"), a.State, true, 2, 2)
			if !a.Date.IsZero() {
				v.add(sub("accident", "date"), "institutional claims carry the accident date as an occurrence code, not here")
			}
		}
	}

	// Diagnoses.
	maxDiag := maxDiagP
	if !prof {
		maxDiag = maxDiagI
	}
	if len(c.Diagnoses) == 0 {
		v.add(fld("diagnoses"), "at least one diagnosis is required")
	}
	if len(c.Diagnoses) > maxDiag {
		v.add(fld("diagnoses"), "at most "+strconv.Itoa(maxDiag)+" diagnoses fit this claim type")
	}
	for i, d := range c.Diagnoses {
		v.icd10cm(idx("diagnoses", i, ""), d, true)
	}

	if prof {
		validateProfessionalOnly(v, c)
	} else {
		validateInstitutionalOnly(v, c)
	}

	if c.ReferringProvider != nil {
		v.provider(-1, "referring_provider", c.ReferringProvider, false, false)
	}
	if c.RenderingProvider != nil {
		v.provider(-1, "rendering_provider", c.RenderingProvider, prof, true)
	}
	if f := c.ServiceFacility; f != nil {
		v.text(sub("service_facility", "name"), f.Name, true, maxName)
		v.npi(sub("service_facility", "npi"), f.NPI, false)
		v.address("service_facility.address", &f.Address, true)
	}
	validateLines(v, c, prof)
}

func validateLines(v *validator, c *Claim, prof bool) {
	maxLines := maxLinesP
	if !prof {
		maxLines = maxLinesI
	}
	if len(c.Lines) == 0 {
		v.add(fld("service_lines"), "at least one service line is required")
	}
	if len(c.Lines) > maxLines {
		v.add(fld("service_lines"), "at most "+strconv.Itoa(maxLines)+" service lines fit this claim type")
	}
	var seen map[string]bool
	if len(c.Lines) > 8 {
		seen = make(map[string]bool, len(c.Lines))
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		v.text(lf(i, "line_control_number"), l.ControlNumber, true, maxLineCtl)
		if l.ControlNumber != "" {
			dup := false
			if seen != nil {
				dup = seen[l.ControlNumber]
				seen[l.ControlNumber] = true
			} else {
				for j := 0; j < i; j++ {
					dup = dup || c.Lines[j].ControlNumber == l.ControlNumber
				}
			}
			if dup {
				v.add(lf(i, "line_control_number"), "is used by another line of the claim")
			}
		}
		v.oneOf(lf(i, "procedure_qualifier"), l.ProcedureQualifier, false, "HC", "ER", "IV", "WK", "HP")
		v.code(lf(i, "procedure_code"), l.ProcedureCode, prof, 1, maxProc)
		if len(l.Modifiers) > maxModifiers {
			v.add(lf(i, "modifiers"), "at most 4 modifiers")
		}
		for j, m := range l.Modifiers {
			v.code(field{line: i, parent: "modifiers", pidx: j}, m, true, 2, 2)
		}
		if len(l.Modifiers) > 0 && l.ProcedureCode == "" {
			v.add(lf(i, "modifiers"), "modifiers need a procedure_code")
		}
		if l.Charge < 0 {
			v.add(lf(i, "charge"), "must not be negative")
		}
		v.quantity(lf(i, "units"), l.Units, true)
		v.date(lf(i, "service_date"), l.ServiceDate, prof)
		v.date(lf(i, "service_date_end"), l.ServiceDateEnd, false)
		if !l.ServiceDateEnd.IsZero() && l.ServiceDate.IsZero() {
			v.add(lf(i, "service_date_end"), "needs a service_date")
		}
		if !l.ServiceDateEnd.IsZero() && l.ServiceDateEnd.Before(l.ServiceDate) {
			v.add(lf(i, "service_date_end"), "is before service_date")
		}
		v.text(lf(i, "note"), l.Note, false, maxNote)
		if n := l.NDC; n != nil {
			v.digits(lsub(i, "ndc", "code"), n.Code, true, 11, 0)
			v.quantity(lsub(i, "ndc", "quantity"), n.Quantity, true)
			v.oneOf(lsub(i, "ndc", "unit"), n.Unit, true, "F2", "GR", "ME", "ML", "UN")
		}
		if l.RenderingProvider != nil {
			v.provider(i, "rendering_provider", l.RenderingProvider, prof, true)
		}
		if prof {
			if l.ProcedureQualifier == "HP" {
				v.add(lf(i, "procedure_qualifier"), "HP is for institutional claims")
			}
			v.oneOf(lf(i, "unit_type"), l.UnitType, false, "UN", "MJ")
			v.digits(lf(i, "place_of_service"), l.PlaceOfService, false, 2, 0)
			if l.RevenueCode != "" {
				v.add(lf(i, "revenue_code"), "is for institutional claims")
			}
			if len(l.DiagnosisPointers) > maxPointers {
				v.add(lf(i, "diagnosis_pointers"), "at most 4 pointers")
			}
			for _, p := range l.DiagnosisPointers {
				if p < 1 || p > len(c.Diagnoses) || p > maxDiagP {
					v.add(lf(i, "diagnosis_pointers"), "pointer "+strconv.Itoa(p)+" does not point at a diagnosis of the claim")
				}
			}
		} else {
			v.oneOf(lf(i, "unit_type"), l.UnitType, false, "UN", "DA")
			v.digits(lf(i, "revenue_code"), l.RevenueCode, true, 4, 0)
			if l.RevenueCode == "0001" {
				v.add(lf(i, "revenue_code"), "0001 (total charges) is not sent as a line in a 5010 837I")
			}
			if l.PlaceOfService != "" {
				v.add(lf(i, "place_of_service"), "is for professional claims")
			}
			if len(l.DiagnosisPointers) > 0 {
				v.add(lf(i, "diagnosis_pointers"), "are for professional claims")
			}
		}
	}
}

func validateProfessionalOnly(v *validator, c *Claim) {
	v.date(fld("onset_date"), c.OnsetDate, false)
	if c.AdmittingDiagnosis != "" || c.Admission != nil || c.DischargeHour != "" || c.PatientStatus != "" ||
		c.StatementPeriod != nil || len(c.Procedures) > 0 || len(c.ConditionCodes) > 0 ||
		len(c.OccurrenceCodes) > 0 || len(c.ValueCodes) > 0 {
		v.add(fld("claim"), "admission, discharge, patient status, statement period, procedures, condition, occurrence and value codes are for institutional claims")
	}
	if c.AttendingProvider != nil {
		v.add(fld("attending_provider"), "is for institutional claims")
	}
}

func validateInstitutionalOnly(v *validator, c *Claim) {
	if !c.OnsetDate.IsZero() {
		v.add(fld("onset_date"), "is for professional claims (institutional claims use occurrence codes)")
	}
	v.icd10cm(fld("admitting_diagnosis"), c.AdmittingDiagnosis, false)
	if a := c.Admission; a == nil {
		v.add(sub("admission", "type"), "is required (CL101), also for outpatient claims")
	} else {
		v.date(sub("admission", "date"), a.Date, false)
		v.hour(sub("admission", "hour"), a.Hour)
		if a.Hour != "" && a.Date.IsZero() {
			v.add(sub("admission", "hour"), "needs admission.date")
		}
		v.code(sub("admission", "type"), a.Type, true, 1, 1)
		v.code(sub("admission", "source"), a.Source, false, 1, 1)
	}
	v.hour(fld("discharge_hour"), c.DischargeHour)
	v.code(fld("patient_status"), c.PatientStatus, true, 1, 2)
	if p := c.StatementPeriod; p == nil {
		v.add(fld("statement_period"), "is required (DTP*434)")
	} else {
		v.date(sub("statement_period", "from"), p.From, true)
		v.date(sub("statement_period", "to"), p.To, true)
		if p.To.Before(p.From) {
			v.add(sub("statement_period", "to"), "is before statement_period.from")
		}
	}
	if len(c.Procedures) > 1+maxHICodes {
		v.add(fld("procedures"), "at most 25 procedures (1 principal + 24 other)")
	}
	for i := range c.Procedures {
		v.code(idx("procedures", i, "code"), c.Procedures[i].Code, true, 7, 7)
		v.date(idx("procedures", i, "date"), c.Procedures[i].Date, true)
	}
	if len(c.ConditionCodes) > maxHICodes {
		v.add(fld("condition_codes"), "at most 24 condition codes")
	}
	for i, cc := range c.ConditionCodes {
		v.code(idx("condition_codes", i, ""), cc, true, 2, 2)
	}
	if len(c.OccurrenceCodes) > maxHICodes {
		v.add(fld("occurrence_codes"), "at most 24 occurrence codes")
	}
	for i := range c.OccurrenceCodes {
		v.code(idx("occurrence_codes", i, "code"), c.OccurrenceCodes[i].Code, true, 2, 2)
		v.date(idx("occurrence_codes", i, "date"), c.OccurrenceCodes[i].Date, true)
	}
	if len(c.ValueCodes) > maxHICodes {
		v.add(fld("value_codes"), "at most 24 value codes")
	}
	for i := range c.ValueCodes {
		v.code(idx("value_codes", i, "code"), c.ValueCodes[i].Code, true, 2, 2)
	}
	if c.AttendingProvider == nil {
		v.add(fld("attending_provider"), "is required on institutional claims (2310A)")
	} else {
		v.provider(-1, "attending_provider", c.AttendingProvider, false, false)
	}
	if c.ProviderSignatureOnFile {
		v.add(fld("signature_on_file"), "is for professional claims (CLM06 is not used in 837I)")
	}
}

func formatCents(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n/100, 10) + "." + string(rune('0'+n%100/10)) + string(rune('0'+n%10))
	if neg {
		return "-" + s
	}
	return s
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDecimal reports whether s is an unsigned decimal number: digits with at most one point and
// at least one digit.
func isDecimal(s string) bool {
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

// ValidNPI reports whether s is a 10-digit National Provider Identifier with a valid check digit
// (Luhn over the prefix 80840 and the first nine digits).
func ValidNPI(s string) bool {
	if len(s) != 10 || !isDigits(s) {
		return false
	}
	// The constant 24 is the Luhn sum of the prefix 80840.
	sum := 24
	for i := 0; i < 9; i++ {
		d := int(s[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	check := (10 - sum%10) % 10
	return int(s[9]-'0') == check
}
