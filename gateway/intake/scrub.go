package intake

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/payers"
)

// ScrubOptions are what scrubbing needs from outside the document.
type ScrubOptions struct {
	// Now is the current time. Dates are "in the future" only when they are after today
	// anywhere on earth (Now in UTC+14), so a clinic ahead of the server's time zone is never
	// refused a same-day claim; timely filing counts from Now's UTC date. Zero means time.Now().
	Now time.Time
	// Payer looks up a configured payer by the encounter's payer.id. A nil Payer knows no payer,
	// so every encounter gets payer_unknown: callers without a registry (a command-line render)
	// pass a lookup that accepts every id.
	Payer func(id string) (payers.Payer, bool)
}

// Problem is one intake edit failure: where (an RFC 6901 JSON pointer into the encounter
// document; for a missing field, the field's own pointer, whose parent exists), what (a stable
// snake_case code, see ProblemCodes) and a sentence a billing clerk can act on. Messages quote
// submitted codes, dates and ZIP codes when that helps (never names, member ids or tax ids),
// so they are PHI like the encounter itself: return them to the submitter, never log them (log
// codes and pointers).
type Problem struct {
	Pointer string `json:"pointer"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// TR3 limits scrubbing enforces.
const (
	maxLinesProfessional   = 50
	maxLinesInstitutional  = 999
	maxDxProfessional      = 12
	maxDxInstitutional     = 25 // the principal diagnosis plus 24 other diagnoses (two HI segments of 12)
	maxPointers            = 4
	maxModifiers           = 4
	maxProcedures          = 25 // principal procedure plus 24 others
	maxUB04Codes           = 24 // condition, occurrence and value codes: two HI segments of 12 each
	maxAmountCents         = 999_999_999_999_999_999
	maxBirthYears          = 130
	maxQuantityChars       = 15
	maxQuantityDecimals    = 3
	maxExternalID          = 64
	maxPatientControlNum   = 20
	maxRefID               = 50 // REF02
	maxNote                = 80 // NTE02
	maxLastOrOrgName       = 60 // NM103
	maxFirstName           = 35 // NM104
	maxMiddleName          = 25 // NM105
	maxSuffix              = 10 // NM107
	maxAddressLine         = 55 // N301, N302
	maxCity                = 30 // N401
	maxMemberID            = 80 // NM109
	maxContactField        = 256
	maxPayerName           = 60
	maxGroupName           = 60
	furthestTimeZoneOffset = 14 * time.Hour
)

// Scrub applies the intake edits to an encounter and returns every problem found, or nil when
// the encounter can be accepted. The order is stable (character problems first, then the
// document part by part, lines in order). It never stops at the first problem, never changes e,
// never panics on any content however malformed, and its work is linear in the document's size.
func Scrub(e *Encounter, opts ScrubOptions) []Problem {
	if e == nil {
		return []Problem{{Pointer: "", Code: codeRequired, Message: "The encounter document is empty; send the encounter JSON object."}}
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	s := &scrubber{
		e:      e,
		lookup: opts.Payer,
		today:  dateOf(now.UTC()),
		latest: dateOf(now.UTC().Add(furthestTimeZoneOffset)),
		prof:   e.ClaimType == Professional,
		inst:   e.ClaimType == Institutional,
	}
	s.run()
	return s.probs
}

// pathToken is one step of the character walk: a struct field (its struct type and field
// index, so the JSON name is only looked up when a problem is reported) or an array element.
type pathToken struct {
	owner reflect.Type // the struct type; nil for an array element
	field int
	index int // the array index, when owner is nil
}

// name returns the token's JSON field name.
func (t pathToken) name() string {
	if t.owner == nil {
		return ""
	}
	f := t.owner.Field(t.field)
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		name = f.Name
	}
	return name
}

type scrubber struct {
	e          *Encounter
	lookup     func(string) (payers.Payer, bool)
	today      time.Time // UTC midnight of Now's UTC date
	latest     time.Time // the latest date that is already today somewhere on earth
	prof, inst bool
	probs      []Problem
	bad        map[string]bool // pointers already reported for invalid characters
	path       []pathToken

	birth    time.Time // the patient's birth date, when valid
	hasBirth bool
	payer    payers.Payer
	hasPayer bool
	period   [2]time.Time // 837I statement period, when valid
	hasPer   bool
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *scrubber) add(ptr, code, msg string) {
	s.probs = append(s.probs, Problem{Pointer: ptr, Code: code, Message: msg})
}

func (s *scrubber) addf(ptr, code, format string, args ...any) {
	s.add(ptr, code, fmt.Sprintf(format, args...))
}

// skip reports whether ptr was already reported for invalid characters, so its shape is not
// reported a second time.
func (s *scrubber) skip(ptr string) bool {
	return len(s.bad) > 0 && s.bad[ptr]
}

func blank(v string) bool { return strings.TrimSpace(v) == "" }

// quote shows a submitted value in a message, cut short so a huge value cannot flood it.
func quote(v string) string {
	const max = 24
	if utf8.RuneCountInString(v) > max {
		r := []rune(v)
		return strconv.Quote(string(r[:max]) + "...")
	}
	return strconv.Quote(v)
}

func lineName(i int) string { return "Line " + strconv.Itoa(i+1) }

func idx(base string, i int) string { return base + "/" + strconv.Itoa(i) }

// require reports a missing (empty or blank) value and returns whether the value is present.
func (s *scrubber) require(ptr, v, what, hint string) bool {
	if !blank(v) {
		return true
	}
	msg := what + " is missing."
	if hint != "" {
		msg = what + " is missing; " + hint
	}
	s.add(ptr, codeRequired, msg)
	return false
}

// length reports a text value longer than max characters.
func (s *scrubber) length(ptr, v string, max int, what string) {
	if n := utf8.RuneCountInString(v); n > max {
		s.addf(ptr, codeTooLong, "%s is %d characters long; the 837 allows at most %d, so shorten it.", what, n, max)
	}
}

func (s *scrubber) choice(ptr, v, what string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	s.addf(ptr, codeInvalidChoice, "%s %s is not one of the accepted values; use %s.", what, quote(v), orList(allowed))
	return false
}

func andList(items []string) string { return joinList(items, " and ") }

func orList(items []string) string { return joinList(items, " or ") }

func joinList(items []string, last string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}

func (s *scrubber) run() {
	e := s.e
	s.checkCharacters()

	// Document level.
	if s.require("/external_id", e.ExternalID, "The external id (your own id for this encounter)", "send the id your system uses for it.") {
		s.length("/external_id", e.ExternalID, maxExternalID, "The external id")
	}
	if s.require("/claim_type", e.ClaimType, "The claim type", "use professional (837P) or institutional (837I).") && !s.skip("/claim_type") {
		s.choice("/claim_type", e.ClaimType, "The claim type", Professional, Institutional)
	}

	s.checkPayer()
	s.checkBillingProvider()
	if e.PayToAddress != nil {
		s.address("/pay_to_address", e.PayToAddress, "The pay-to address", false, false)
	}
	if e.RenderingProvider != nil {
		s.person("/rendering_provider", e.RenderingProvider, "The rendering provider")
	}
	if e.ReferringProvider != nil {
		s.person("/referring_provider", e.ReferringProvider, "The referring provider")
	}
	if e.AttendingProvider != nil {
		s.person("/attending_provider", e.AttendingProvider, "The attending provider")
	} else if s.inst {
		s.add("/attending_provider", codeRequired, "The attending provider is missing; institutional claims need the attending physician's NPI and name.")
	}
	if f := e.ServiceFacility; f != nil {
		if f.NPI != "" {
			s.npi("/service_facility/npi", f.NPI, "The service facility NPI")
		}
		if s.require("/service_facility/name", f.Name, "The service facility name", "give the facility's name, or leave out service_facility when services were at the billing provider's address.") {
			s.length("/service_facility/name", f.Name, maxLastOrOrgName, "The service facility name")
		}
		s.address("/service_facility/address", &f.Address, "The service facility address", true, false)
	}
	s.checkSubscriberAndPatient()
	s.checkClaim()
	s.checkPayerEdits()
}

// checkCharacters walks every text field of the document and reports X12 delimiters, control
// characters and invalid UTF-8, naming the character.
func (s *scrubber) checkCharacters() {
	s.walk(reflect.ValueOf(s.e).Elem())
}

func (s *scrubber) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			s.walk(v.Elem())
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if !f.CanInterface() { // unexported: not part of the JSON document
				continue
			}
			s.path = append(s.path, pathToken{owner: t, field: i})
			s.walk(f)
			s.path = s.path[:len(s.path)-1]
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			s.path = append(s.path, pathToken{index: i})
			s.walk(v.Index(i))
			s.path = s.path[:len(s.path)-1]
		}
	case reflect.String:
		if why := badCharacter(v.String()); why != "" {
			// Hours may be written HH:MM; their own check lets only digits and that colon
			// through.
			if name := s.path[len(s.path)-1].name(); name == "hour" || name == "discharge_hour" {
				return
			}
			ptr := s.pointer()
			if s.bad == nil {
				s.bad = make(map[string]bool)
			}
			s.bad[ptr] = true
			s.add(ptr, codeInvalidCharacter, label(s.path)+" "+why)
		}
	}
}

func (s *scrubber) pointer() string {
	var b strings.Builder
	for _, t := range s.path {
		b.WriteByte('/')
		if t.owner == nil {
			b.WriteString(strconv.Itoa(t.index))
		} else {
			// JSON field names of the contract hold neither "~" nor "/", but escape them as
			// RFC 6901 says in case the contract ever grows one.
			b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t.name()))
		}
	}
	return b.String()
}

// label names a field for people: "/claim/service_lines/2/note" is "Line 3 note".
func label(path []pathToken) string {
	var words []string
	for i := 0; i < len(path); i++ {
		t := path[i]
		if t.owner == nil {
			continue
		}
		name := t.name()
		if name == "claim" && i+1 < len(path) && path[i+1].name() == "service_lines" {
			continue
		}
		w := strings.ReplaceAll(name, "_", " ")
		if i+1 < len(path) && path[i+1].owner == nil {
			n := strconv.Itoa(path[i+1].index + 1)
			switch name {
			case "service_lines":
				w = "line " + n
			case "diagnoses":
				w = "diagnosis " + n
			case "procedures":
				w = "procedure " + n
			default:
				w = strings.TrimSuffix(w, "s") + " " + n
			}
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return "The document"
	}
	out := strings.Join(words, " ")
	return strings.ToUpper(out[:1]) + out[1:]
}

// badCharacter says why a text value cannot go into an X12 file, or "" when it can.
func badCharacter(v string) string {
	if !utf8.ValidString(v) {
		return "holds bytes that are not valid UTF-8 text; send the document UTF-8 encoded."
	}
	for _, r := range v {
		switch {
		case r == '~' || r == '*' || r == ':' || r == '^':
			return fmt.Sprintf("contains the character %q, which separates data in X12 files; remove it or use another character (for example a hyphen).", r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return fmt.Sprintf("contains a control character (U+%04X, such as a tab or line break); keep the text on one line without tabs.", r)
		}
	}
	return ""
}

func (s *scrubber) checkPayer() {
	e := s.e
	if e.Payer.Name != "" {
		s.length("/payer/name", e.Payer.Name, maxPayerName, "The payer name")
	}
	if !s.require("/payer/id", e.Payer.ID, "The payer id", "give the id of a configured payer (see GET /v1/payers).") || s.skip("/payer/id") {
		return
	}
	if s.lookup != nil {
		s.payer, s.hasPayer = s.lookup(e.Payer.ID)
	}
	if !s.hasPayer {
		s.addf("/payer/id", codePayerUnknown, "The payer id %s is not a payer this gateway sends claims to; check the id against GET /v1/payers.", quote(e.Payer.ID))
		return
	}
	if (s.prof || s.inst) && !s.payer.AcceptsClaimType(e.ClaimType) {
		s.addf("/claim_type", codePayerClaimType, "Payer %s does not accept %s claims; it accepts %s claims only.", s.payer.ID, e.ClaimType, orList(s.payer.ClaimTypes))
	}
}

func (s *scrubber) checkBillingProvider() {
	bp := &s.e.BillingProvider
	const base = "/billing_provider"
	if s.require(base+"/npi", bp.NPI, "The billing provider's NPI", "give the 10-digit NPI of the billing organization or provider.") {
		s.npi(base+"/npi", bp.NPI, "The billing provider's NPI")
	}
	if s.require(base+"/tax_id", bp.TaxID, "The billing provider's tax id", "give the 9-digit EIN (or SSN) the provider bills under.") && !s.skip(base+"/tax_id") {
		s.taxID(base+"/tax_id", bp.TaxID)
	}
	if bp.Taxonomy != "" {
		s.taxonomy(base+"/taxonomy", bp.Taxonomy, "The billing provider's taxonomy code")
	}
	if blank(bp.OrganizationName) {
		switch {
		case blank(bp.FirstName) && blank(bp.LastName):
			s.add(base+"/organization_name", codeRequired, "The billing provider's name is missing; give organization_name, or first_name and last_name when an individual provider bills.")
		case blank(bp.LastName):
			s.add(base+"/last_name", codeRequired, "The billing provider's last name is missing; give last_name with first_name, or give organization_name instead.")
		case blank(bp.FirstName):
			s.add(base+"/first_name", codeRequired, "The billing provider's first name is missing; give first_name with last_name, or give organization_name instead.")
		}
	}
	s.length(base+"/organization_name", bp.OrganizationName, maxLastOrOrgName, "The billing provider's organization name")
	s.length(base+"/last_name", bp.LastName, maxLastOrOrgName, "The billing provider's last name")
	s.length(base+"/first_name", bp.FirstName, maxFirstName, "The billing provider's first name")
	s.address(base+"/address", &bp.Address, "The billing provider address", true, true)
	if c := bp.Contact; c != nil {
		s.length(base+"/contact/name", c.Name, maxLastOrOrgName, "The billing contact name")
		s.length(base+"/contact/phone", c.Phone, maxContactField, "The billing contact phone")
		s.length(base+"/contact/email", c.Email, maxContactField, "The billing contact email")
	}
}

// npi checks a non-empty NPI's shape and check digit.
func (s *scrubber) npi(ptr, v, what string) {
	if s.skip(ptr) {
		return
	}
	if !isDigits(v) || len(v) != 10 {
		s.addf(ptr, codeNPIFormat, "%s %s is not an NPI; an NPI is exactly 10 digits.", what, quote(v))
		return
	}
	if !ValidNPI(v) {
		s.addf(ptr, codeNPICheckDigit, "%s %s fails the NPI check digit, so it has a typo; compare it with the NPPES NPI registry.", what, quote(v))
	}
}

func (s *scrubber) taxID(ptr, v string) {
	if isDigits(v) && len(v) == 9 {
		return
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, v)
	if len(digits) == 9 && strings.Trim(v, "0123456789- ") == "" {
		s.add(ptr, codeTaxIDFormat, "The billing provider's tax id must be 9 digits without hyphens or spaces; send the same digits without them.")
		return
	}
	s.add(ptr, codeTaxIDFormat, "The billing provider's tax id must be the 9-digit EIN (or SSN) without hyphens, for example 123456789.")
}

func (s *scrubber) taxonomy(ptr, v, what string) {
	if s.skip(ptr) {
		return
	}
	if fix := checkTaxonomy(v); fix != "" {
		s.addf(ptr, codeTaxonomyFormat, "%s %s is not a taxonomy code: %s", what, quote(v), fix)
	}
}

// person checks a rendering, referring or attending provider.
func (s *scrubber) person(base string, p *Provider, what string) {
	if s.require(base+"/npi", p.NPI, what+"'s NPI", "give the provider's 10-digit NPI.") {
		s.npi(base+"/npi", p.NPI, what+"'s NPI")
	}
	if s.require(base+"/last_name", p.LastName, what+"'s last name", "") {
		s.length(base+"/last_name", p.LastName, maxLastOrOrgName, what+"'s last name")
	}
	s.length(base+"/first_name", p.FirstName, maxFirstName, what+"'s first name")
	if p.Taxonomy != "" {
		s.taxonomy(base+"/taxonomy", p.Taxonomy, what+"'s taxonomy code")
	}
}

// address checks a US postal address. need9 asks for a ZIP+4; noPOBox refuses PO boxes.
func (s *scrubber) address(base string, a *Address, what string, need9, noPOBox bool) {
	if s.require(base+"/line1", a.Line1, what+" street line", "") {
		s.length(base+"/line1", a.Line1, maxAddressLine, what+" street line")
		if noPOBox && isPOBox(a.Line1) {
			s.add(base+"/line1", codePOBoxNotAllowed, what+" is a PO box; the 837 requires a street address here. Put the PO box in pay_to_address.")
		}
	}
	s.length(base+"/line2", a.Line2, maxAddressLine, what+" second line")
	if noPOBox && a.Line2 != "" && isPOBox(a.Line2) {
		s.add(base+"/line2", codePOBoxNotAllowed, what+" second line is a PO box; the 837 requires a street address here. Put the PO box in pay_to_address.")
	}
	if s.require(base+"/city", a.City, what+" city", "") {
		s.length(base+"/city", a.City, maxCity, what+" city")
	}
	if s.require(base+"/state", a.State, what+" state", "use the 2-letter USPS code (for example MN).") && !s.skip(base+"/state") && !validState(a.State) {
		hint := "use the 2-letter USPS state or territory code (for example MN)."
		if validState(strings.ToUpper(a.State)) {
			hint = "write it in capital letters (" + strings.ToUpper(a.State) + ")."
		}
		s.addf(base+"/state", codeStateInvalid, "%s state %s is not a US state or territory code; %s", what, quote(a.State), hint)
	}
	if s.require(base+"/postal_code", a.PostalCode, what+" ZIP code", "") && !s.skip(base+"/postal_code") {
		if code, fix := checkPostalCode(a.PostalCode, need9); code != "" {
			s.addf(base+"/postal_code", code, "%s ZIP code %s needs fixing: %s", what, quote(a.PostalCode), fix)
		}
	}
}

func (s *scrubber) checkSubscriberAndPatient() {
	sub := &s.e.Subscriber
	const base = "/subscriber"
	if s.require(base+"/member_id", sub.MemberID, "The subscriber's member id", "copy it from the insurance card.") {
		s.length(base+"/member_id", sub.MemberID, maxMemberID, "The subscriber's member id")
	}
	s.length(base+"/group_number", sub.GroupNumber, maxRefID, "The group number")
	s.length(base+"/group_name", sub.GroupName, maxGroupName, "The group name")
	if s.require(base+"/first_name", sub.FirstName, "The subscriber's first name", "") {
		s.length(base+"/first_name", sub.FirstName, maxFirstName, "The subscriber's first name")
	}
	if s.require(base+"/last_name", sub.LastName, "The subscriber's last name", "") {
		s.length(base+"/last_name", sub.LastName, maxLastOrOrgName, "The subscriber's last name")
	}
	s.length(base+"/middle_name", sub.MiddleName, maxMiddleName, "The subscriber's middle name")
	s.length(base+"/suffix", sub.Suffix, maxSuffix, "The subscriber's name suffix")
	subBirth, subBirthOK := s.birthDate(base+"/birth_date", sub.BirthDate, "The subscriber's birth date")
	s.gender(base+"/gender", sub.Gender, "The subscriber's gender")
	s.address(base+"/address", &sub.Address, "The subscriber address", false, false)
	if sub.ClaimFilingIndicator != "" && !s.skip(base+"/claim_filing_indicator") {
		s.choice(base+"/claim_filing_indicator", sub.ClaimFilingIndicator, "The claim filing indicator",
			"11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ")
	}
	if sub.PayerResponsibility != "" && !s.skip(base+"/payer_responsibility") {
		s.choice(base+"/payer_responsibility", sub.PayerResponsibility, "The payer responsibility", "primary", "secondary", "tertiary")
	}

	rel := sub.RelationshipToPatient
	relOK := false
	if s.require(base+"/relationship_to_patient", rel, "The subscriber's relationship to the patient", "use self, spouse, child or other.") && !s.skip(base+"/relationship_to_patient") {
		relOK = s.choice(base+"/relationship_to_patient", rel, "The subscriber's relationship to the patient", RelSelf, RelSpouse, RelChild, RelOther)
	}
	p := s.e.Patient
	switch {
	case relOK && rel == RelSelf && p != nil:
		s.add("/patient", codePatientNotExpected, "A patient block is given, but relationship_to_patient is self, so the subscriber is the patient; remove the patient block, or set relationship_to_patient to spouse, child or other.")
	case relOK && rel != RelSelf && p == nil:
		s.addf("/patient", codePatientRequired, "The subscriber is the patient's %s, so the patient block is required; give the patient's name, birth date, gender and address.", rel)
	}
	if p != nil {
		const pb = "/patient"
		if s.require(pb+"/first_name", p.FirstName, "The patient's first name", "") {
			s.length(pb+"/first_name", p.FirstName, maxFirstName, "The patient's first name")
		}
		if s.require(pb+"/last_name", p.LastName, "The patient's last name", "") {
			s.length(pb+"/last_name", p.LastName, maxLastOrOrgName, "The patient's last name")
		}
		s.length(pb+"/middle_name", p.MiddleName, maxMiddleName, "The patient's middle name")
		s.length(pb+"/suffix", p.Suffix, maxSuffix, "The patient's name suffix")
		pBirth, pOK := s.birthDate(pb+"/birth_date", p.BirthDate, "The patient's birth date")
		s.gender(pb+"/gender", p.Gender, "The patient's gender")
		s.address(pb+"/address", &p.Address, "The patient address", false, false)
		if rel != RelSelf {
			s.birth, s.hasBirth = pBirth, pOK
		}
	}
	if rel == RelSelf || p == nil {
		s.birth, s.hasBirth = subBirth, subBirthOK
	}
}

func (s *scrubber) gender(ptr, v, what string) {
	if s.require(ptr, v, what, "use M, F or U (unknown).") && !s.skip(ptr) {
		s.choice(ptr, v, what, "M", "F", "U")
	}
}

// parseDate parses a YYYY-MM-DD calendar date.
func parseDate(v string) (time.Time, bool) {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' || !isDigits(v[:4]) || !isDigits(v[5:7]) || !isDigits(v[8:]) {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(v[:4])
	m, _ := strconv.Atoi(v[5:7])
	d, _ := strconv.Atoi(v[8:])
	if y < 1 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != time.Month(m) {
		return time.Time{}, false
	}
	return t, true
}

// date checks a date field. Missing dates are reported only when required.
func (s *scrubber) date(ptr, v, what string, required bool) (time.Time, bool) {
	if v == "" && !required {
		return time.Time{}, false
	}
	if required && !s.require(ptr, v, what, "write it as YYYY-MM-DD.") || s.skip(ptr) {
		return time.Time{}, false
	}
	t, ok := parseDate(v)
	if !ok {
		s.addf(ptr, codeDateFormat, "%s is not a real date written YYYY-MM-DD; write it like 2026-03-07.", what)
		return time.Time{}, false
	}
	return t, true
}

// notFuture reports a date after today (anywhere on earth).
func (s *scrubber) notFuture(ptr string, t time.Time, what string) bool {
	if t.After(s.latest) {
		s.addf(ptr, codeDateInFuture, "%s (%s) is in the future; claims can only be sent for what already happened, so check the date.", what, t.Format(time.DateOnly))
		return false
	}
	return true
}

func (s *scrubber) notBeforeBirth(ptr string, t time.Time, what string) {
	if s.hasBirth && t.Before(s.birth) {
		s.addf(ptr, codeDateBeforeBirth, "%s (%s) is before the patient's birth date; check both dates.", what, t.Format(time.DateOnly))
	}
}

func (s *scrubber) birthDate(ptr, v, what string) (time.Time, bool) {
	t, ok := s.date(ptr, v, what, true)
	if !ok {
		return t, false
	}
	if !s.notFuture(ptr, t, what) {
		return t, false
	}
	if t.Before(s.today.AddDate(-maxBirthYears, 0, 0)) {
		s.addf(ptr, codeBirthDateTooOld, "%s is more than %d years ago; check the year.", what, maxBirthYears)
		return t, false
	}
	return t, true
}

func (s *scrubber) checkClaim() {
	c := &s.e.Claim
	const base = "/claim"

	if c.PatientControlNumber != "" {
		s.length(base+"/patient_control_number", c.PatientControlNumber, maxPatientControlNum, "The patient control number")
	}
	freqOK := false
	if s.require(base+"/frequency", c.Frequency, "The claim frequency", "use original, replacement or void.") && !s.skip(base+"/frequency") {
		freqOK = s.choice(base+"/frequency", c.Frequency, "The claim frequency", FrequencyOriginal, FrequencyReplacement, FrequencyVoid)
	}
	if freqOK && c.Frequency != FrequencyOriginal && blank(c.PayerClaimNumber) {
		s.addf(base+"/payer_claim_number", codePayerClaimNumberRequired,
			"A %s claim must carry the payer's claim number of the claim it %s; copy it from the 277CA or 835 of the original claim.",
			c.Frequency, map[string]string{FrequencyReplacement: "replaces", FrequencyVoid: "voids"}[c.Frequency])
	}
	s.length(base+"/payer_claim_number", c.PayerClaimNumber, maxRefID, "The payer claim number")
	s.length(base+"/prior_authorization", c.PriorAuthorization, maxRefID, "The prior authorization number")
	s.length(base+"/referral_number", c.ReferralNumber, maxRefID, "The referral number")
	s.length(base+"/note", c.Note, maxNote, "The claim note")

	if c.PlaceOfService != "" {
		s.placeOfService(base+"/place_of_service", c.PlaceOfService, "The claim's place of service")
	} else if s.prof {
		s.add(base+"/place_of_service", codeRequired, "The place of service is missing; professional claims need the 2-digit CMS code (for example 11 for an office).")
	}

	if c.TypeOfBill != "" {
		if !s.skip(base + "/type_of_bill") {
			freq := ""
			if freqOK {
				freq = c.Frequency
			}
			switch kind, fix := checkTypeOfBill(c.TypeOfBill, freq); kind {
			case tobFormat:
				s.addf(base+"/type_of_bill", codeTypeOfBillFormat, "The type of bill %s is not valid: %s", quote(c.TypeOfBill), fix)
			case tobMismatch:
				s.addf(base+"/type_of_bill", codeTypeOfBillFrequency, "The type of bill %s disagrees with the claim frequency: %s", quote(c.TypeOfBill), fix)
			}
		}
	} else if s.inst {
		s.add(base+"/type_of_bill", codeRequired, "The type of bill is missing; institutional claims need the 4-digit type of bill (for example 0131).")
	}

	if sp := c.StatementPeriod; sp != nil {
		from, fromOK := s.date(base+"/statement_period/from", sp.From, "The statement period start", true)
		to, toOK := s.date(base+"/statement_period/to", sp.To, "The statement period end", true)
		if fromOK {
			fromOK = s.notFuture(base+"/statement_period/from", from, "The statement period start")
		}
		if toOK {
			toOK = s.notFuture(base+"/statement_period/to", to, "The statement period end")
		}
		if fromOK && toOK {
			if to.Before(from) {
				s.add(base+"/statement_period/to", codeDateRangeOrder, "The statement period ends before it starts; check the from and to dates.")
			} else {
				s.period, s.hasPer = [2]time.Time{from, to}, true
			}
		}
	} else if s.inst {
		s.add(base+"/statement_period", codeRequired, "The statement period is missing; institutional claims need the from and to dates the bill covers.")
	}

	if d, ok := s.date(base+"/onset_date", c.OnsetDate, "The onset date", false); ok {
		s.notFuture(base+"/onset_date", d, "The onset date")
	}
	if a := c.Accident; a != nil {
		const ab = base + "/accident"
		if s.require(ab+"/type", a.Type, "The accident type", "use auto, employment or other.") && !s.skip(ab+"/type") {
			s.choice(ab+"/type", a.Type, "The accident type", "auto", "employment", "other")
		}
		if a.State != "" {
			if !s.skip(ab+"/state") && !validState(a.State) {
				s.addf(ab+"/state", codeStateInvalid, "The accident state %s is not a US state or territory code; use the 2-letter USPS code (for example MN).", quote(a.State))
			}
		} else if a.Type == "auto" {
			s.add(ab+"/state", codeRequired, "The accident state is missing; auto accident claims need the 2-letter state where the accident happened.")
		}
		if d, ok := s.date(ab+"/date", a.Date, "The accident date", false); ok {
			s.notFuture(ab+"/date", d, "The accident date")
		}
	}

	s.checkDiagnoses()
	s.checkInstitutional()
	s.checkLines()
}

func (s *scrubber) placeOfService(ptr, v, what string) {
	if s.skip(ptr) {
		return
	}
	if fix := checkPlaceOfService(v); fix != "" {
		s.addf(ptr, codePlaceOfServiceInvalid, "%s %s is not a valid place of service: %s", what, quote(v), fix)
	}
}

// icd10 checks one ICD-10-CM code and returns its normalized form when valid.
func (s *scrubber) icd10(ptr, v, what string) (string, bool) {
	if s.skip(ptr) {
		return "", false
	}
	switch kind, fix := checkICD10CM(v); kind {
	case icdNine:
		s.addf(ptr, codeICD9Code, "%s %s %s", what, quote(v), fix)
		return "", false
	case icdBadShape:
		s.addf(ptr, codeICD10Format, "%s %s is not an ICD-10-CM code: %s", what, quote(v), fix)
		return "", false
	}
	return normalizeICD(v), true
}

func (s *scrubber) checkDiagnoses() {
	c := &s.e.Claim
	const base = "/claim/diagnoses"
	if len(c.Diagnoses) == 0 {
		s.add(base, codeRequired, "The claim lists no diagnoses; add at least one ICD-10-CM diagnosis code (the principal diagnosis first).")
	}
	max := maxDxProfessional
	if s.inst {
		max = maxDxInstitutional
	}
	if (s.prof || s.inst) && len(c.Diagnoses) > max {
		kind := "a professional"
		if s.inst {
			kind = "an institutional"
		}
		s.addf(base, codeTooMany, "The claim lists %d diagnoses; %s claim carries at most %d. Keep the %d most relevant (and re-point the lines) or split the claim.", len(c.Diagnoses), kind, max, max)
	}
	seen := make(map[string]int, len(c.Diagnoses))
	for i, d := range c.Diagnoses {
		ptr := idx(base, i)
		what := "Diagnosis " + strconv.Itoa(i+1)
		if i == 0 && s.inst {
			what = "The principal diagnosis"
		}
		if !s.require(ptr, d, what, "remove the empty entry or give an ICD-10-CM code.") {
			continue
		}
		n, ok := s.icd10(ptr, d, what)
		if !ok {
			continue
		}
		if first, dup := seen[n]; dup {
			s.addf(ptr, codeDiagnosisDuplicate, "Diagnosis %d (%s) repeats diagnosis %d; list each code once and point lines to the first one.", i+1, quote(d), first+1)
			continue
		}
		seen[n] = i
	}
	if c.AdmittingDiagnosis != "" {
		s.icd10("/claim/admitting_diagnosis", c.AdmittingDiagnosis, "The admitting diagnosis")
	}
}

func (s *scrubber) checkInstitutional() {
	c := &s.e.Claim
	const base = "/claim"
	// CL1 (admission type, point of origin, patient status) is on every 837I; the admission date
	// (DTP*435) and point of origin are required on inpatient bills only (type of bill
	// classification 1 or 2, e.g. 0111), so an outpatient bill such as 0131 may leave them out.
	tob := strings.TrimPrefix(c.TypeOfBill, "0")
	inpatient := len(tob) == 3 && (tob[1] == '1' || tob[1] == '2')
	if s.inst && c.Admission == nil {
		s.require(base+"/admission", "", "The admission block", "add claim.admission with the 1-digit UB-04 admission type (1 emergency, 2 urgent, 3 elective, 4 newborn, 5 trauma, 9 unknown); institutional claims need it, outpatient ones too.")
	}
	if s.inst {
		s.require(base+"/patient_status", c.PatientStatus, "The patient status", "use the 2-digit UB-04 discharge status (for example 01 discharged home); outpatient claims use it too.")
	}
	if a := c.Admission; a != nil {
		const ab = base + "/admission"
		if d, ok := s.date(ab+"/date", a.Date, "The admission date", inpatient); ok {
			if s.notFuture(ab+"/date", d, "The admission date") {
				s.notBeforeBirth(ab+"/date", d, "The admission date")
				if s.hasPer && d.After(s.period[1]) {
					s.add(ab+"/date", codeDateRangeOrder, "The admission date is after the statement period ends; check the admission date and the statement period.")
				}
			}
		}
		if a.Hour != "" {
			s.hour(ab+"/hour", a.Hour, "The admission hour")
		}
		if s.require(ab+"/type", a.Type, "The admission type", "use the 1-digit UB-04 code (1 emergency, 2 urgent, 3 elective, 4 newborn, 5 trauma, 9 unknown).") && !s.skip(ab+"/type") {
			if len(a.Type) != 1 || !strings.Contains("123459", a.Type) {
				s.addf(ab+"/type", codeUB04CodeFormat, "The admission type %s is not a UB-04 code; use 1 emergency, 2 urgent, 3 elective, 4 newborn, 5 trauma or 9 unknown.", quote(a.Type))
			}
		}
		if (inpatient || a.Source != "") && s.require(ab+"/source", a.Source, "The admission source", "use the 1-character UB-04 point of origin code (for example 1 non-health care facility).") && !s.skip(ab+"/source") {
			if len(a.Source) != 1 || !isUpperAlnum(a.Source[0]) {
				s.addf(ab+"/source", codeUB04CodeFormat, "The admission source %s is not a UB-04 point of origin code; it is 1 letter or digit (for example 1 or 7).", quote(a.Source))
			}
		}
	}
	if c.DischargeHour != "" {
		s.hour(base+"/discharge_hour", c.DischargeHour, "The discharge hour")
	}
	if c.PatientStatus != "" && !s.skip(base+"/patient_status") {
		if len(c.PatientStatus) != 2 || !isDigits(c.PatientStatus) {
			s.addf(base+"/patient_status", codeUB04CodeFormat, "The patient status %s is not a UB-04 discharge status; it is 2 digits (for example 01 discharged home).", quote(c.PatientStatus))
		}
	}

	if len(c.Procedures) > maxProcedures {
		s.addf(base+"/procedures", codeTooMany, "The claim lists %d ICD-10-PCS procedures; an 837I carries at most %d.", len(c.Procedures), maxProcedures)
	}
	for i, p := range c.Procedures {
		pb := idx(base+"/procedures", i)
		what := "Procedure " + strconv.Itoa(i+1)
		if s.require(pb+"/code", p.Code, what+" code", "give the 7-character ICD-10-PCS code.") && !s.skip(pb+"/code") {
			if fix := checkICD10PCS(p.Code); fix != "" {
				s.addf(pb+"/code", codeICD10PCSFormat, "%s code %s is not an ICD-10-PCS code: %s", what, quote(p.Code), fix)
			}
		}
		if d, ok := s.date(pb+"/date", p.Date, what+" date", true); ok && s.notFuture(pb+"/date", d, what+" date") {
			s.notBeforeBirth(pb+"/date", d, what+" date")
		}
	}

	s.ub04List(base+"/condition_codes", "condition code", len(c.ConditionCodes), func(i int) string { return c.ConditionCodes[i] }, "")
	s.ub04List(base+"/occurrence_codes", "occurrence code", len(c.OccurrenceCodes), func(i int) string { return c.OccurrenceCodes[i].Code }, "/code")
	for i, o := range c.OccurrenceCodes {
		ptr := idx(base+"/occurrence_codes", i) + "/date"
		what := "Occurrence code " + strconv.Itoa(i+1) + " date"
		if d, ok := s.date(ptr, o.Date, what, true); ok {
			s.notFuture(ptr, d, what)
		}
	}
	s.ub04List(base+"/value_codes", "value code", len(c.ValueCodes), func(i int) string { return c.ValueCodes[i].Code }, "/code")
	if c.ReleaseOfInformation != "" && !s.skip(base+"/release_of_information") {
		s.choice(base+"/release_of_information", c.ReleaseOfInformation, "The release of information code", "Y", "I")
	}
	if c.ProviderAcceptsAssignment != "" && !s.skip(base+"/provider_accepts_assignment") {
		s.choice(base+"/provider_accepts_assignment", c.ProviderAcceptsAssignment, "The provider accepts assignment code", "A", "B", "C")
	}
}

func (s *scrubber) ub04List(base, what string, n int, code func(int) string, leaf string) {
	if n > maxUB04Codes {
		s.addf(base, codeTooMany, "The claim lists %d %ss; an 837I carries at most %d.", n, what, maxUB04Codes)
	}
	for i := 0; i < n; i++ {
		ptr := idx(base, i) + leaf
		v := code(i)
		w := strings.ToUpper(what[:1]) + what[1:] + " " + strconv.Itoa(i+1)
		if !s.require(ptr, v, w, "give the 2-character UB-04 code or remove the entry.") || s.skip(ptr) {
			continue
		}
		if fix := checkUB04Code(v); fix != "" {
			s.addf(ptr, codeUB04CodeFormat, "%s %s is not a UB-04 code: %s", w, quote(v), fix)
		}
	}
}

func (s *scrubber) hour(ptr, v, what string) {
	if s.skip(ptr) {
		return
	}
	h := v
	if len(h) == 5 && h[2] == ':' {
		h = h[:2] + h[3:]
	}
	ok := len(h) == 4 && isDigits(h) && h[:2] <= "23" && h[2:] <= "59"
	if !ok {
		s.addf(ptr, codeHourFormat, "%s %s is not a time of day; write HHMM or HH:MM on a 24-hour clock (for example 0700 or 14:30).", what, quote(v))
	}
}

func (s *scrubber) checkLines() {
	c := &s.e.Claim
	const base = "/claim/service_lines"
	if len(c.ServiceLines) == 0 {
		s.add(base, codeRequired, "The claim has no service lines; add at least one line with a procedure, charge, units and date.")
	}
	switch {
	case s.prof && len(c.ServiceLines) > maxLinesProfessional:
		s.addf(base, codeTooMany, "The claim has %d service lines; a professional claim carries at most %d. Split it into several claims.", len(c.ServiceLines), maxLinesProfessional)
	case s.inst && len(c.ServiceLines) > maxLinesInstitutional:
		s.addf(base, codeTooMany, "The claim has %d service lines; an institutional claim carries at most %d. Split it into several claims.", len(c.ServiceLines), maxLinesInstitutional)
	}
	var total int64
	totalOK := true
	undated := false
	for i := range c.ServiceLines {
		l := &c.ServiceLines[i]
		undated = undated || l.ServiceDate == ""
		charge := s.checkLine(i, l)
		if charge > 0 && charge <= maxAmountCents {
			if total > maxAmountCents-int64(charge) {
				totalOK = false
			} else {
				total += int64(charge)
			}
		}
	}
	if !totalOK {
		s.add(base, codeChargeTooLarge, "The claim's total charge is larger than an 837 amount can carry; check the line charges for typos.")
	}
	// Institutional lines without their own date are dated by the statement period.
	if s.inst && undated && s.hasPer && s.timelyFilingLimit(s.period[1]) {
		s.addf("/claim/statement_period/to", codeTimelyFiling, "The statement period ended on %s, more than %d days ago, past payer %s's timely filing limit; the payer will deny it unless you have proof of timely filing, so contact the payer before sending.",
			s.period[1].Format(time.DateOnly), s.payer.Edits.TimelyFilingDays, s.payer.ID)
	}
}

// timelyFilingLimit reports whether a service on date d is past the payer's timely filing
// limit. Voids are never refused for it: taking back a claim is always allowed.
func (s *scrubber) timelyFilingLimit(d time.Time) bool {
	if !s.hasPayer || s.payer.Edits.TimelyFilingDays <= 0 || s.e.Claim.Frequency == FrequencyVoid {
		return false
	}
	return d.Before(s.today.AddDate(0, 0, -s.payer.Edits.TimelyFilingDays))
}

// checkLine checks one service line and returns its charge.
func (s *scrubber) checkLine(i int, l *ServiceLine) edi.Amount {
	base := idx("/claim/service_lines", i)
	name := lineName(i)

	// Procedure and revenue codes.
	switch {
	case l.ProcedureCode != "":
		if !s.skip(base + "/procedure_code") {
			if fix := checkProcedureCode(l.ProcedureCode); fix != "" {
				s.addf(base+"/procedure_code", codeProcedureCodeFormat, "%s procedure code %s is not a CPT or HCPCS code: %s", name, quote(l.ProcedureCode), fix)
			}
		}
	case s.prof:
		s.add(base+"/procedure_code", codeRequired, name+" has no procedure code; give the CPT or HCPCS code of the service.")
	}
	switch {
	case l.RevenueCode != "":
		if fix := checkRevenueCode(l.RevenueCode); fix != "" && !s.skip(base+"/revenue_code") {
			s.addf(base+"/revenue_code", codeRevenueCodeFormat, "%s revenue code %s is not valid: %s", name, quote(l.RevenueCode), fix)
		}
	case s.inst:
		s.add(base+"/revenue_code", codeRequired, name+" has no revenue code; institutional lines need the 4-digit revenue code (for example 0450).")
	}

	// Modifiers.
	if len(l.Modifiers) > maxModifiers {
		s.addf(base+"/modifiers", codeTooMany, "%s has %d modifiers; a line carries at most %d. Keep the %d that affect payment.", name, len(l.Modifiers), maxModifiers, maxModifiers)
	}
	dup := repeats(l.Modifiers)
	for j, m := range l.Modifiers {
		ptr := idx(base+"/modifiers", j)
		if !s.require(ptr, m, name+" modifier "+strconv.Itoa(j+1), "remove the empty entry.") || s.skip(ptr) {
			continue
		}
		if fix := checkModifier(m); fix != "" {
			s.addf(ptr, codeModifierFormat, "%s modifier %s is not valid: %s", name, quote(m), fix)
			continue
		}
		if dup[j] {
			s.addf(ptr, codeModifierDuplicate, "%s lists modifier %s twice; remove the repeat.", name, m)
		}
	}

	// Charge and units.
	switch {
	case l.Charge <= 0:
		s.addf(base+"/charge", codeChargeNotPositive, "%s charge is %s; give the line's billed charge, which must be more than 0.00.", name, l.Charge.String())
	case l.Charge > maxAmountCents:
		s.addf(base+"/charge", codeChargeTooLarge, "%s charge %s is larger than an 837 amount can carry; check it for a typo.", name, l.Charge.String())
	}
	if s.require(base+"/units", string(l.Units), name+" unit count", "give the number of units (for example 1).") && !s.skip(base+"/units") {
		if fix := checkQuantity(string(l.Units)); fix != "" {
			s.addf(base+"/units", codeQuantityInvalid, "%s units %s are not valid: %s", name, quote(string(l.Units)), fix)
		}
	}
	if l.UnitType != "" && !s.skip(base+"/unit_type") {
		switch {
		case s.prof:
			s.choice(base+"/unit_type", l.UnitType, name+" unit type", "UN", "MJ")
		case s.inst:
			s.choice(base+"/unit_type", l.UnitType, name+" unit type", "UN", "DA")
		default:
			s.choice(base+"/unit_type", l.UnitType, name+" unit type", "UN", "MJ", "DA")
		}
	}

	// Dates.
	// The 837I carries line dates only when they add to the statement period; the 837P always.
	from, fromOK := s.date(base+"/service_date", l.ServiceDate, name+" service date", !s.inst)
	if fromOK {
		if fromOK = s.notFuture(base+"/service_date", from, name+" service date"); fromOK {
			s.notBeforeBirth(base+"/service_date", from, name+" service date")
		}
	}
	to, toOK := s.date(base+"/service_date_end", l.ServiceDateEnd, name+" end date", false)
	if toOK {
		if toOK = s.notFuture(base+"/service_date_end", to, name+" end date"); toOK && fromOK && to.Before(from) {
			s.addf(base+"/service_date_end", codeDateRangeOrder, "%s ends (%s) before it starts (%s); check the service dates.", name, to.Format(time.DateOnly), from.Format(time.DateOnly))
			toOK = false
		}
	}
	last, lastOK := from, fromOK
	if toOK {
		last, lastOK = to, true
	}
	if s.hasPer && fromOK {
		outside := from.Before(s.period[0]) || from.After(s.period[1]) || (toOK && to.After(s.period[1]))
		if outside {
			ptr := base + "/service_date"
			if toOK && !from.Before(s.period[0]) && !from.After(s.period[1]) {
				ptr = base + "/service_date_end"
			}
			s.addf(ptr, codeDateOutsideStatement, "%s dates fall outside the statement period %s to %s; correct the line dates or widen the statement period.",
				name, s.period[0].Format(time.DateOnly), s.period[1].Format(time.DateOnly))
		}
	}
	if lastOK && s.timelyFilingLimit(last) {
		ptr := base + "/service_date"
		if toOK {
			ptr = base + "/service_date_end"
		}
		s.addf(ptr, codeTimelyFiling, "%s service date (%s) is more than %d days ago, past payer %s's timely filing limit; the payer will deny it unless you have proof of timely filing, so contact the payer before sending.",
			name, last.Format(time.DateOnly), s.payer.Edits.TimelyFilingDays, s.payer.ID)
	}

	// Diagnosis pointers.
	s.checkPointers(base, name, l.DiagnosisPointers)

	if l.PlaceOfService != "" {
		s.placeOfService(base+"/place_of_service", l.PlaceOfService, name+" place of service")
	}
	if n := l.NDC; n != nil {
		nb := base + "/ndc"
		if s.require(nb+"/code", n.Code, name+" NDC", "give the 11-digit national drug code, or remove the ndc block.") && !s.skip(nb+"/code") {
			if fix := checkNDC(n.Code); fix != "" {
				s.addf(nb+"/code", codeNDCFormat, "%s NDC %s is not in the form the 837 needs: %s", name, quote(n.Code), fix)
			}
		}
		if s.require(nb+"/quantity", string(n.Quantity), name+" NDC quantity", "give the quantity of drug given (for example 1.5).") && !s.skip(nb+"/quantity") {
			if fix := checkQuantity(string(n.Quantity)); fix != "" {
				s.addf(nb+"/quantity", codeQuantityInvalid, "%s NDC quantity %s is not valid: %s", name, quote(string(n.Quantity)), fix)
			}
		}
		if s.require(nb+"/unit", n.Unit, name+" NDC unit", "use F2, GR, ME, ML or UN.") && !s.skip(nb+"/unit") {
			s.choice(nb+"/unit", n.Unit, name+" NDC unit", "F2", "GR", "ME", "ML", "UN")
		}
	}
	if l.RenderingProvider != nil {
		s.person(base+"/rendering_provider", l.RenderingProvider, name+" rendering provider")
	}
	s.length(base+"/note", l.Note, maxNote, name+" note")
	return l.Charge
}

func (s *scrubber) checkPointers(base, name string, ptrs []int) {
	pb := base + "/diagnosis_pointers"
	if len(ptrs) == 0 {
		if s.prof {
			s.add(pb, codeRequired, name+" has no diagnosis pointers; point it to 1 to 4 of the claim's diagnoses (for example [1]).")
		}
		return
	}
	if len(ptrs) > maxPointers {
		s.addf(pb, codeTooMany, "%s has %d diagnosis pointers; a line points to at most %d diagnoses, so keep the %d most relevant.", name, len(ptrs), maxPointers, maxPointers)
	}
	n := len(s.e.Claim.Diagnoses)
	dup := repeats(ptrs)
	for j, p := range ptrs {
		ptr := idx(pb, j)
		if p < 1 || p > n {
			switch {
			case n == 0:
				s.addf(ptr, codeDiagnosisPointerRange, "%s points to diagnosis %d, but the claim lists no diagnoses; add the diagnoses first.", name, p)
			case p < 1:
				s.addf(ptr, codeDiagnosisPointerRange, "%s has diagnosis pointer %d; pointers count from 1 (the first diagnosis) to %d.", name, p, n)
			default:
				s.addf(ptr, codeDiagnosisPointerRange, "%s points to diagnosis %d, but the claim lists only %d %s.", name, p, n, plural(n, "diagnosis", "diagnoses"))
			}
			continue
		}
		if dup[j] {
			s.addf(ptr, codeDiagnosisPointerDuplicate, "%s points to diagnosis %d twice; remove the repeat.", name, p)
		}
	}
}

// repeats marks the elements equal to an earlier element, in linear time however long the
// list (a hostile document may send thousands of pointers).
func repeats[T comparable](list []T) []bool {
	dup := make([]bool, len(list))
	if len(list) <= 8 {
		for j := range list {
			for k := 0; k < j; k++ {
				if list[k] == list[j] {
					dup[j] = true
					break
				}
			}
		}
		return dup
	}
	seen := make(map[T]struct{}, len(list))
	for j, v := range list {
		if _, ok := seen[v]; ok {
			dup[j] = true
		}
		seen[v] = struct{}{}
	}
	return dup
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkQuantity checks units or an NDC quantity: a positive decimal of at most 15 characters
// and 3 decimals, without sign or exponent.
func checkQuantity(v string) string {
	intPart, frac, hasDot := strings.Cut(v, ".")
	if (intPart != "" && !isDigits(intPart)) || (frac != "" && !isDigits(frac)) || (intPart == "" && frac == "") || (hasDot && frac == "") {
		return "write a plain positive number such as 1 or 2.5."
	}
	if len(frac) > maxQuantityDecimals {
		return "use at most 3 decimals."
	}
	if len(v) > maxQuantityChars {
		return "use at most 15 characters, decimal point included."
	}
	if strings.Trim(intPart+frac, "0") == "" {
		return "it must be more than 0."
	}
	return ""
}

func (s *scrubber) checkPayerEdits() {
	if !s.hasPayer {
		return
	}
	e, ed := s.e, s.payer.Edits
	if ed.RequireTaxonomy && blank(e.BillingProvider.Taxonomy) {
		s.addf("/billing_provider/taxonomy", codePayerTaxonomy, "Payer %s requires the billing provider's taxonomy code; add it (for example 207Q00000X, from NPPES).", s.payer.ID)
	}
	if ed.RequireRendering && e.RenderingProvider == nil {
		var missing []string
		for i, l := range e.Claim.ServiceLines {
			if l.RenderingProvider == nil {
				missing = append(missing, strconv.Itoa(i+1))
			}
		}
		if len(missing) > 0 {
			s.addf("/rendering_provider", codePayerRendering, "Payer %s requires a rendering provider; add rendering_provider for the claim (or on %s %s).", s.payer.ID, plural(len(missing), "line", "lines"), andList(missing))
		}
	}
	if ed.MaxLines > 0 && len(e.Claim.ServiceLines) > ed.MaxLines {
		s.addf("/claim/service_lines", codePayerMaxLines, "Payer %s accepts at most %d service lines per claim and this claim has %d; split it into several claims.", s.payer.ID, ed.MaxLines, len(e.Claim.ServiceLines))
	}
	if len(ed.PriorAuthProcedures) > 0 && blank(e.Claim.PriorAuthorization) {
		var which []string
		for i, l := range e.Claim.ServiceLines {
			for _, p := range ed.PriorAuthProcedures {
				if l.ProcedureCode != "" && strings.EqualFold(strings.TrimSpace(p), l.ProcedureCode) {
					which = append(which, l.ProcedureCode+" (line "+strconv.Itoa(i+1)+")")
					break
				}
			}
		}
		if len(which) > 0 {
			s.addf("/claim/prior_authorization", codePayerPriorAuth, "Payer %s requires prior authorization for %s; add the authorization number as prior_authorization.", s.payer.ID, andList(which))
		}
	}
}
