package intake

import (
	"strings"
)

// This file holds the code-shape checks scrubbing applies: ICD-10-CM and ICD-10-PCS, CPT/HCPCS
// and modifiers, revenue codes, NDCs, place of service, type of bill, taxonomy, US states and
// ZIP codes. They check shape (and, for small closed lists, membership), not whether a code is
// billable on the date of service: that needs licensed code sets the gateway does not ship.
//
// Each check returns "" when the value is acceptable, otherwise a short sentence telling the
// sender how to fix it, which scrubbing appends to a message that names the field.

func isUpperAlnum(c byte) bool { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isUpper(c byte) bool      { return c >= 'A' && c <= 'Z' }

// capitalsHint asks for capital letters when a short code holds lower-case letters. Longer
// values are left to the length check, so a huge value is never echoed back.
func capitalsHint(s string, max int) string {
	if len(s) > max || !hasLower(s) {
		return ""
	}
	return "write it in capital letters (" + strings.ToUpper(s) + ")."
}

func hasLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return true
		}
	}
	return false
}

// icdKind tells an ICD-10-CM problem apart from an ICD-9 code sent by mistake.
type icdKind int

const (
	icdOK icdKind = iota
	icdBadShape
	icdNine
)

// checkICD10CM checks the shape of an ICD-10-CM diagnosis code, with or without its dot
// ("E11.9" or "E119"): a letter, a digit, a letter or digit, then up to four more letters or
// digits (3 to 7 characters without the dot), the dot, if any, after the third character.
// ICD-9-CM shapes ("250.00", "V70.0", "E849.0") are told apart so the message can say so.
func checkICD10CM(s string) (icdKind, string) {
	if strings.ContainsAny(s, " \t") {
		return icdBadShape, "remove the spaces (for example E11.9)."
	}
	if hint := capitalsHint(s, 8); hint != "" {
		return icdBadShape, hint
	}
	if looksLikeICD9(s) {
		return icdNine, "looks like an ICD-9 code; claims for services since October 1, 2015 need ICD-10-CM codes."
	}
	dot := strings.IndexByte(s, '.')
	code := s
	if dot >= 0 {
		if strings.IndexByte(s[dot+1:], '.') >= 0 {
			return icdBadShape, "an ICD-10-CM code has at most one dot, after the third character (for example E11.65)."
		}
		if dot != 3 {
			return icdBadShape, "the dot goes after the third character (for example E11.65), or leave it out (E1165)."
		}
		if dot == len(s)-1 {
			return icdBadShape, "remove the trailing dot, or complete the code after it."
		}
		code = s[:3] + s[4:]
	}
	if len(code) < 3 || len(code) > 7 {
		return icdBadShape, "an ICD-10-CM code is 3 to 7 characters long without the dot (for example I10 or S52.521A)."
	}
	if !isUpper(code[0]) {
		return icdBadShape, "an ICD-10-CM code starts with a letter (for example E11.9)."
	}
	if !isDigit(code[1]) {
		return icdBadShape, "the second character of an ICD-10-CM code is a digit (for example E11.9)."
	}
	for i := 2; i < len(code); i++ {
		if !isUpperAlnum(code[i]) {
			return icdBadShape, "an ICD-10-CM code holds only letters and digits, plus an optional dot after the third character."
		}
	}
	return icdOK, ""
}

// looksLikeICD9 reports the ICD-9-CM shapes that are not also ICD-10-CM shapes: all-digit
// codes (001-999 with up to two decimals), V codes V01-V91 with only digits after the V (the
// ICD-10-CM V chapter always carries letters in its 7th character), and E codes E800-E999 (ICD-10-CM
// E codes stop at E89, so E9xx is ICD-9, and E8xx.x with the dot after the fourth character is too).
func looksLikeICD9(s string) bool {
	body, frac, hasDot := strings.Cut(s, ".")
	digitsOrEmpty := func(x string, max int) bool {
		return len(x) <= max && (x == "" || isDigits(x))
	}
	if hasDot && frac == "" {
		return false
	}
	switch {
	case isDigits(body) && len(body) == 3 && digitsOrEmpty(frac, 2):
		return true
	case !hasDot && isDigits(body) && len(body) >= 3 && len(body) <= 5:
		return true
	case len(body) >= 3 && body[0] == 'V' && isDigits(body[1:]):
		if hasDot {
			return len(body) == 3 && digitsOrEmpty(frac, 2)
		}
		return len(body) <= 5
	case len(body) >= 4 && body[0] == 'E' && isDigits(body[1:]):
		if hasDot {
			return len(body) == 4 && (body[1] == '8' || body[1] == '9') && digitsOrEmpty(frac, 1)
		}
		return body[1] == '9' && len(body) <= 5
	}
	return false
}

// normalizeICD returns the code as X12 carries it: without the dot, in capitals.
func normalizeICD(s string) string {
	return strings.ToUpper(strings.Replace(s, ".", "", 1))
}

// checkICD10PCS checks an ICD-10-PCS procedure code: exactly seven letters or digits, never the
// letters I or O (which PCS leaves out so they are not read as 1 and 0).
func checkICD10PCS(s string) string {
	if hint := capitalsHint(s, 10); hint != "" {
		return hint
	}
	if strings.IndexByte(s, '.') >= 0 {
		return "ICD-10-PCS codes have no dot; send the 7 characters only (for example 0DTJ4ZZ)."
	}
	if len(s) != 7 {
		return "an ICD-10-PCS code is exactly 7 letters or digits (for example 0DTJ4ZZ)."
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 'I':
			return "ICD-10-PCS codes never use the letter I; did you mean the digit 1?"
		case c == 'O':
			return "ICD-10-PCS codes never use the letter O; did you mean the digit 0?"
		case !isUpperAlnum(c):
			return "an ICD-10-PCS code holds only letters and digits (for example 0DTJ4ZZ)."
		}
	}
	return ""
}

// checkProcedureCode checks a CPT or HCPCS Level II code: five digits (CPT Category I), four
// digits and F or T (CPT Category II or III), or a letter A-V and four digits (HCPCS Level II).
func checkProcedureCode(s string) string {
	if hint := capitalsHint(s, 10); hint != "" {
		return hint
	}
	if i := strings.IndexAny(s, "-: "); i == 5 {
		return "send only the 5-character code here and put modifiers in the modifiers list."
	}
	if strings.IndexByte(s, ' ') >= 0 {
		return "remove the spaces (for example 99214)."
	}
	if len(s) != 5 {
		return "CPT and HCPCS codes are exactly 5 characters (for example 99214, 0503F or J1100)."
	}
	if isDigits(s[:4]) {
		if isDigit(s[4]) || s[4] == 'F' || s[4] == 'T' {
			return ""
		}
		return "a code of 4 digits and a letter must end in F (CPT Category II) or T (CPT Category III)."
	}
	if !isDigits(s[1:]) {
		return "CPT and HCPCS codes are 5 digits, 4 digits and F or T, or a letter and 4 digits (for example J1100)."
	}
	switch c := s[0]; {
	case c == 'O':
		return "HCPCS codes never start with the letter O; did you mean the digit 0?"
	case c == 'I':
		return "HCPCS codes never start with the letter I; did you mean the digit 1?"
	case c < 'A' || c > 'V':
		return "HCPCS Level II codes start with a letter from A to V (for example J1100)."
	}
	return ""
}

// checkModifier checks a procedure modifier: two letters or digits.
func checkModifier(s string) string {
	if hint := capitalsHint(s, 10); hint != "" {
		return hint
	}
	if len(s) != 2 || !isUpperAlnum(s[0]) || !isUpperAlnum(s[1]) {
		return "a modifier is exactly 2 letters or digits (for example 25 or LT)."
	}
	return ""
}

// checkRevenueCode checks a UB-04 revenue code: four digits. A three-digit code is the common
// mistake of dropping the leading zero, and the message says so.
func checkRevenueCode(s string) string {
	if len(s) == 3 && isDigits(s) {
		return "revenue codes are 4 digits; add the leading zero (0" + s + ")."
	}
	if len(s) != 4 || !isDigits(s) {
		return "a revenue code is exactly 4 digits (for example 0450)."
	}
	return ""
}

// checkNDC checks a national drug code as X12 carries it: 11 digits in the 5-4-2 layout,
// without hyphens. Hyphenated and 10-digit forms are refused with the 11-digit form to send
// when it can be worked out from the hyphens.
func checkNDC(s string) string {
	if isDigits(s) {
		switch len(s) {
		case 11:
			return ""
		case 10:
			return "a 10-digit NDC must be sent as 11 digits in the 5-4-2 layout; pad the labeler, product or package part with a leading zero as the package label's hyphens show (4-4-2, 5-3-2 or 5-4-1)."
		}
		return "an NDC is sent as 11 digits in the 5-4-2 layout (for example 00002140701)."
	}
	parts := strings.Split(s, "-")
	if len(parts) == 3 && isDigits(parts[0]) && isDigits(parts[1]) && isDigits(parts[2]) {
		fixed := padLeft(parts[0], 5) + padLeft(parts[1], 4) + padLeft(parts[2], 2)
		if len(fixed) == 11 && len(parts[0])+len(parts[1])+len(parts[2]) >= 10 {
			return "send the 11-digit 5-4-2 form without hyphens: " + fixed + "."
		}
	}
	return "an NDC is sent as 11 digits in the 5-4-2 layout, without hyphens (for example 00002140701)."
}

func padLeft(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

// placeOfServiceName returns the CMS place of service name for a two-digit code, or "" when
// the code is not on the CMS list (codes 28-30, 35-40 and others are unassigned).
func placeOfServiceName(code string) string {
	switch code {
	case "01":
		return "Pharmacy"
	case "02":
		return "Telehealth provided other than in patient's home"
	case "03":
		return "School"
	case "04":
		return "Homeless shelter"
	case "05":
		return "Indian Health Service free-standing facility"
	case "06":
		return "Indian Health Service provider-based facility"
	case "07":
		return "Tribal 638 free-standing facility"
	case "08":
		return "Tribal 638 provider-based facility"
	case "09":
		return "Prison/correctional facility"
	case "10":
		return "Telehealth provided in patient's home"
	case "11":
		return "Office"
	case "12":
		return "Home"
	case "13":
		return "Assisted living facility"
	case "14":
		return "Group home"
	case "15":
		return "Mobile unit"
	case "16":
		return "Temporary lodging"
	case "17":
		return "Walk-in retail health clinic"
	case "18":
		return "Place of employment/worksite"
	case "19":
		return "Off campus-outpatient hospital"
	case "20":
		return "Urgent care facility"
	case "21":
		return "Inpatient hospital"
	case "22":
		return "On campus-outpatient hospital"
	case "23":
		return "Emergency room - hospital"
	case "24":
		return "Ambulatory surgical center"
	case "25":
		return "Birthing center"
	case "26":
		return "Military treatment facility"
	case "27":
		return "Outreach site/street"
	case "31":
		return "Skilled nursing facility"
	case "32":
		return "Nursing facility"
	case "33":
		return "Custodial care facility"
	case "34":
		return "Hospice"
	case "41":
		return "Ambulance - land"
	case "42":
		return "Ambulance - air or water"
	case "49":
		return "Independent clinic"
	case "50":
		return "Federally qualified health center"
	case "51":
		return "Inpatient psychiatric facility"
	case "52":
		return "Psychiatric facility-partial hospitalization"
	case "53":
		return "Community mental health center"
	case "54":
		return "Intermediate care facility/individuals with intellectual disabilities"
	case "55":
		return "Residential substance abuse treatment facility"
	case "56":
		return "Psychiatric residential treatment center"
	case "57":
		return "Non-residential substance abuse treatment facility"
	case "58":
		return "Non-residential opioid treatment facility"
	case "60":
		return "Mass immunization center"
	case "61":
		return "Comprehensive inpatient rehabilitation facility"
	case "62":
		return "Comprehensive outpatient rehabilitation facility"
	case "65":
		return "End-stage renal disease treatment facility"
	case "66":
		return "Programs of All-Inclusive Care for the Elderly (PACE) center"
	case "71":
		return "State or local public health clinic"
	case "72":
		return "Rural health clinic"
	case "81":
		return "Independent laboratory"
	case "99":
		return "Other place of service"
	}
	return ""
}

// checkPlaceOfService checks a CMS place of service code.
func checkPlaceOfService(s string) string {
	if len(s) == 1 && isDigit(s[0]) {
		return "place of service codes are 2 digits; add the leading zero (0" + s + ")."
	}
	if len(s) != 2 || !isDigits(s) {
		return "a place of service is a 2-digit CMS code (for example 11 for an office)."
	}
	if placeOfServiceName(s) == "" {
		return "it is not on the CMS place of service list (for example 11 office, 22 outpatient hospital, 99 other)."
	}
	return ""
}

// tobFrequencyProblem is what checkTypeOfBill found wrong.
type tobFrequencyProblem int

const (
	tobOK tobFrequencyProblem = iota
	tobFormat
	tobMismatch
)

// checkTypeOfBill checks a UB-04 type of bill ("0" + facility type + classification + claim
// frequency) and that its frequency digit agrees with the claim frequency: 7 for a
// replacement, 8 for a void, and an original bill's digit (0-5 or 9) otherwise.
func checkTypeOfBill(s, frequency string) (tobFrequencyProblem, string) {
	if len(s) == 3 && isDigits(s) {
		return tobFormat, "a type of bill is 4 digits; add the leading zero (0" + s + ")."
	}
	if len(s) != 4 || !isDigits(s) {
		return tobFormat, "a type of bill is 4 digits: 0, the facility type, the classification and the claim frequency (for example 0131)."
	}
	if s[0] != '0' {
		return tobFormat, "a type of bill starts with 0 (for example 0131)."
	}
	if s[1] < '1' || s[1] > '8' {
		return tobFormat, "its second digit, the facility type, must be 1 to 8 (1 hospital, 2 skilled nursing, 3 home health, 7 clinic, 8 special facility)."
	}
	if s[2] == '0' {
		return tobFormat, "its third digit, the bill classification, must be 1 to 9."
	}
	want := ""
	switch s[3] {
	case '0', '1', '2', '3', '4', '5', '9':
		want = FrequencyOriginal
	case '7':
		want = FrequencyReplacement
	case '8':
		want = FrequencyVoid
	default:
		return tobFormat, "its last digit, the claim frequency, must be 1 (original), 7 (replacement), 8 (void) or an interim/late-charge digit (0, 2-5, 9)."
	}
	switch frequency {
	case FrequencyOriginal, FrequencyReplacement, FrequencyVoid:
	default:
		return tobOK, "" // the frequency itself is reported on its own field
	}
	if want != frequency {
		digit := map[string]string{FrequencyOriginal: "1", FrequencyReplacement: "7", FrequencyVoid: "8"}[frequency]
		return tobMismatch, "its last digit " + s[3:] + " means " + want + " but claim.frequency is " + frequency +
			"; end the type of bill with " + digit + " (" + s[:3] + digit + ") or correct claim.frequency."
	}
	return tobOK, ""
}

// checkTaxonomy checks a NUCC health care provider taxonomy code: ten characters, nine letters
// or digits and a final X (for example 207Q00000X).
func checkTaxonomy(s string) string {
	if hint := capitalsHint(s, 10); hint != "" {
		return hint
	}
	if len(s) != 10 || s[9] != 'X' {
		return "a taxonomy code is 10 characters ending in X (for example 207Q00000X)."
	}
	for i := 0; i < 9; i++ {
		if !isUpperAlnum(s[i]) {
			return "a taxonomy code holds only letters and digits (for example 207Q00000X)."
		}
	}
	return ""
}

// checkUB04Code checks a condition, occurrence or value code: two letters or digits.
func checkUB04Code(s string) string {
	if hint := capitalsHint(s, 10); hint != "" {
		return hint
	}
	if len(s) != 2 || !isUpperAlnum(s[0]) || !isUpperAlnum(s[1]) {
		return "it must be exactly 2 letters or digits (for example 01 or A1)."
	}
	return ""
}

// validState reports whether s is a USPS code of a US state, the District of Columbia, a US
// territory, a freely associated state or an armed forces postal area.
func validState(s string) bool {
	if len(s) != 2 {
		return false
	}
	switch s {
	case "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
		"KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
		"NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
		"VA", "WA", "WV", "WI", "WY",
		"DC", "AS", "GU", "MP", "PR", "VI", "UM", "FM", "MH", "PW", "AA", "AE", "AP":
		return true
	}
	return false
}

// checkPostalCode checks a US ZIP code: 5 digits or 9 digits (ZIP+4) without a hyphen. With
// need9 it also refuses a 5-digit code.
func checkPostalCode(s string, need9 bool) (code, fix string) {
	if len(s) == 10 && s[5] == '-' && isDigits(s[:5]) && isDigits(s[6:]) {
		return codePostalCodeFormat, "write the ZIP+4 as 9 digits without the hyphen (" + s[:5] + s[6:] + ")."
	}
	if !isDigits(s) || (len(s) != 5 && len(s) != 9) {
		return codePostalCodeFormat, "a ZIP code is 5 digits or 9 digits (ZIP+4) without a hyphen."
	}
	if need9 && len(s) == 5 {
		return codePostalCodeZip4, "add the 4-digit ZIP+4 extension; the 837 requires the full 9-digit ZIP code here."
	}
	return "", ""
}

// isPOBox reports whether an address line is a post office box or lock box, which the TR3
// does not allow as the billing provider's address (it belongs in the pay-to address).
func isPOBox(line string) bool {
	var b strings.Builder
	b.Grow(len(line) + 2)
	b.WriteByte(' ')
	space := true
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c == '.' || c == ',' || c == '#':
			continue
		case c == ' ' || c == '\t' || c == '-':
			if space {
				continue
			}
			b.WriteByte(' ')
			space = true
			continue
		}
		b.WriteByte(c)
		space = false
	}
	b.WriteByte(' ')
	n := b.String()
	for _, p := range []string{" PO BOX ", " P O BOX ", " POBOX", " POST OFFICE BOX ", " LOCK BOX ", " LOCKBOX", " POB "} {
		if strings.Contains(n, p) {
			return true
		}
	}
	return strings.HasPrefix(n, " PO ") && len(n) > 4 && isDigit(n[4])
}
