package intake

import "sort"

// Problem codes. They are part of the public API (clients branch on them): never rename one;
// add new codes instead. ProblemCodes lists them with a description.
const (
	codeRequired                  = "required"
	codeTooLong                   = "too_long"
	codeInvalidCharacter          = "invalid_character"
	codeInvalidChoice             = "invalid_choice"
	codeTooMany                   = "too_many"
	codeNPIFormat                 = "npi_format"
	codeNPICheckDigit             = "npi_check_digit"
	codeTaxIDFormat               = "tax_id_format"
	codeTaxonomyFormat            = "taxonomy_format"
	codeICD10Format               = "icd10_format"
	codeICD9Code                  = "icd9_code"
	codeDiagnosisDuplicate        = "diagnosis_duplicate"
	codeICD10PCSFormat            = "icd10_pcs_format"
	codeProcedureCodeFormat       = "procedure_code_format"
	codeModifierFormat            = "modifier_format"
	codeModifierDuplicate         = "modifier_duplicate"
	codeRevenueCodeFormat         = "revenue_code_format"
	codeUB04CodeFormat            = "ub04_code_format"
	codeHourFormat                = "hour_format"
	codeQuantityInvalid           = "quantity_invalid"
	codeChargeNotPositive         = "charge_not_positive"
	codeChargeTooLarge            = "charge_too_large"
	codeNDCFormat                 = "ndc_format"
	codePlaceOfServiceInvalid     = "place_of_service_invalid"
	codeTypeOfBillFormat          = "type_of_bill_format"
	codeTypeOfBillFrequency       = "type_of_bill_frequency_mismatch"
	codeDiagnosisPointerRange     = "diagnosis_pointer_range"
	codeDiagnosisPointerDuplicate = "diagnosis_pointer_duplicate"
	codeDateFormat                = "date_format"
	codeDateInFuture              = "date_in_future"
	codeDateBeforeBirth           = "date_before_birth"
	codeDateRangeOrder            = "date_range_order"
	codeDateOutsideStatement      = "date_outside_statement_period"
	codeBirthDateTooOld           = "birth_date_too_old"
	codePatientRequired           = "patient_required"
	codePatientNotExpected        = "patient_not_expected"
	codeStateInvalid              = "state_invalid"
	codePostalCodeFormat          = "postal_code_format"
	codePostalCodeZip4            = "postal_code_zip4_required"
	codePOBoxNotAllowed           = "po_box_not_allowed"
	codePayerClaimNumberRequired  = "payer_claim_number_required"
	codePayerUnknown              = "payer_unknown"
	codePayerClaimType            = "payer_claim_type"
	codePayerPriorAuth            = "payer_requires_prior_authorization"
	codePayerTaxonomy             = "payer_requires_taxonomy"
	codePayerRendering            = "payer_requires_rendering_provider"
	codePayerMaxLines             = "payer_max_lines"
	codeTimelyFiling              = "timely_filing"
)

// ProblemCode is one stable problem code Scrub can report, with a one-line description for the
// API documentation.
type ProblemCode struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// ProblemCodes returns every code Scrub can report with a one-line description, sorted by code.
// The slice is new on each call; callers may keep or change it.
func ProblemCodes() []ProblemCode {
	list := []ProblemCode{
		{codeRequired, "A field the claim type needs is missing or blank."},
		{codeTooLong, "A text field is longer than the 837 allows for it."},
		{codeInvalidCharacter, "A text field holds an X12 delimiter (~ * : ^), a control character or bytes that are not UTF-8."},
		{codeInvalidChoice, "A field holds a value outside its fixed list (claim type, gender, relationship, frequency, unit...)."},
		{codeTooMany, "A list holds more entries than the 837 allows (diagnoses, modifiers, pointers, service lines, codes)."},
		{codeNPIFormat, "An NPI is not exactly 10 digits."},
		{codeNPICheckDigit, "An NPI fails the Luhn check digit computed with the 80840 prefix: it has a typo."},
		{codeTaxIDFormat, "The billing provider tax id (EIN or SSN) is not 9 digits without hyphens."},
		{codeTaxonomyFormat, "A provider taxonomy code is not 10 characters ending in X."},
		{codeICD10Format, "A diagnosis code does not have the shape of an ICD-10-CM code."},
		{codeICD9Code, "A diagnosis code looks like an ICD-9-CM code; claims need ICD-10-CM."},
		{codeDiagnosisDuplicate, "The same diagnosis code is listed twice."},
		{codeICD10PCSFormat, "An institutional procedure code does not have the shape of an ICD-10-PCS code."},
		{codeProcedureCodeFormat, "A line's procedure code does not have the shape of a CPT or HCPCS Level II code."},
		{codeModifierFormat, "A procedure modifier is not 2 letters or digits."},
		{codeModifierDuplicate, "A line lists the same modifier twice."},
		{codeRevenueCodeFormat, "A revenue code is not 4 digits."},
		{codeUB04CodeFormat, "A condition, occurrence, value, admission or patient status code has the wrong shape."},
		{codeHourFormat, "An admission or discharge hour is not HH or HHMM on a 24-hour clock."},
		{codeQuantityInvalid, "Units or an NDC quantity is not a positive decimal number."},
		{codeChargeNotPositive, "A line charge is zero or negative."},
		{codeChargeTooLarge, "A line charge or the claim total is larger than an 837 amount can carry."},
		{codeNDCFormat, "A national drug code is not 11 digits in the 5-4-2 layout without hyphens."},
		{codePlaceOfServiceInvalid, "A place of service is not a 2-digit code on the CMS list."},
		{codeTypeOfBillFormat, "The type of bill is not 0 + facility type + classification + frequency digits."},
		{codeTypeOfBillFrequency, "The type of bill's frequency digit disagrees with claim.frequency."},
		{codeDiagnosisPointerRange, "A diagnosis pointer points past the claim's diagnosis list (or below 1)."},
		{codeDiagnosisPointerDuplicate, "A line points to the same diagnosis twice."},
		{codeDateFormat, "A date is not a real calendar date written YYYY-MM-DD."},
		{codeDateInFuture, "A service, statement, onset, accident, admission or birth date is in the future."},
		{codeDateBeforeBirth, "A service date is before the patient's birth date."},
		{codeDateRangeOrder, "A range ends before it starts (service dates, statement period, admission)."},
		{codeDateOutsideStatement, "A line's service dates fall outside the claim's statement period."},
		{codeBirthDateTooOld, "A birth date is more than 130 years ago."},
		{codePatientRequired, "The subscriber is not the patient but the patient block is missing."},
		{codePatientNotExpected, "A patient block is given although the subscriber is the patient (relationship self)."},
		{codeStateInvalid, "A state is not a 2-letter USPS state or territory code."},
		{codePostalCodeFormat, "A ZIP code is not 5 or 9 digits without a hyphen."},
		{codePostalCodeZip4, "A ZIP code that the 837 requires as ZIP+4 has only 5 digits."},
		{codePOBoxNotAllowed, "The billing provider address is a PO box or lock box; it must be a street address."},
		{codePayerClaimNumberRequired, "A replacement or void claim lacks the payer's claim number of the original claim."},
		{codePayerUnknown, "The payer id is not a payer this gateway is configured for."},
		{codePayerClaimType, "The payer does not accept this claim type."},
		{codePayerPriorAuth, "The payer requires a prior authorization number for a procedure on the claim."},
		{codePayerTaxonomy, "The payer requires the billing provider's taxonomy code."},
		{codePayerRendering, "The payer requires a rendering provider."},
		{codePayerMaxLines, "The claim has more service lines than the payer accepts on one claim."},
		{codeTimelyFiling, "A line's service date is older than the payer's timely filing limit."},
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Code < list[j].Code })
	return list
}
