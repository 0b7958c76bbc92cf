package intake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// want is one expected problem: its pointer and code, and optionally words its message holds.
type want struct {
	ptr, code string
	msg       string
}

type scrubCase struct {
	name   string
	base   func() *Encounter
	mutate func(e *Encounter)
	opts   func(o *ScrubOptions)
	want   []want // empty: the encounter must scrub clean
}

var (
	P = validProfessional
	I = validInstitutional
	S = strictProfessional
)

func line(e *Encounter, i int) *ServiceLine { return &e.Claim.ServiceLines[i] }

func scrubCases() []scrubCase {
	return []scrubCase{
		// --- required --------------------------------------------------------------------
		{"required 837I admission block", I, func(e *Encounter) { e.Claim.Admission = nil }, nil, []want{{"/claim/admission", codeRequired, "outpatient ones too"}}},
		{"required 837I patient status", I, func(e *Encounter) { e.Claim.PatientStatus = "" }, nil, []want{{"/claim/patient_status", codeRequired, "discharge status"}}},
		{"required inpatient admission date", I, func(e *Encounter) { e.Claim.TypeOfBill = "0111"; e.Claim.Admission.Date = "" }, nil, []want{{"/claim/admission/date", codeRequired, ""}}},
		{"pass outpatient without admission date or source", I, func(e *Encounter) {
			e.Claim.TypeOfBill = "0131"
			e.Claim.Admission.Date, e.Claim.Admission.Hour, e.Claim.Admission.Source = "", "", ""
		}, nil, nil},
		{"required external_id", P, func(e *Encounter) { e.ExternalID = "" }, nil, []want{{"/external_id", codeRequired, "external id"}}},
		{"required claim_type", P, func(e *Encounter) { e.ClaimType = "" }, nil, []want{{"/claim_type", codeRequired, "professional (837P) or institutional (837I)"}}},
		{"required payer id", P, func(e *Encounter) { e.Payer.ID = " " }, nil, []want{{"/payer/id", codeRequired, "GET /v1/payers"}}},
		{"required billing npi", P, func(e *Encounter) { e.BillingProvider.NPI = "" }, nil, []want{{"/billing_provider/npi", codeRequired, "10-digit NPI"}}},
		{"required billing tax id", P, func(e *Encounter) { e.BillingProvider.TaxID = "  " }, nil, []want{{"/billing_provider/tax_id", codeRequired, "EIN"}}},
		{"required billing name", P, func(e *Encounter) { e.BillingProvider.OrganizationName = "" }, nil, []want{{"/billing_provider/organization_name", codeRequired, "first_name and last_name"}}},
		{"required billing last name", P, func(e *Encounter) { e.BillingProvider.OrganizationName, e.BillingProvider.FirstName = "", "Jane" }, nil, []want{{"/billing_provider/last_name", codeRequired, ""}}},
		{"required billing first name", P, func(e *Encounter) { e.BillingProvider.OrganizationName, e.BillingProvider.LastName = "", "Smith" }, nil, []want{{"/billing_provider/first_name", codeRequired, ""}}},
		{"pass billing person name", P, func(e *Encounter) {
			e.BillingProvider.OrganizationName, e.BillingProvider.FirstName, e.BillingProvider.LastName = "", "Jane", "Smith"
		}, nil, nil},
		{"required billing address", P, func(e *Encounter) { e.BillingProvider.Address = Address{} }, nil, []want{
			{"/billing_provider/address/line1", codeRequired, "street line"}, {"/billing_provider/address/city", codeRequired, ""},
			{"/billing_provider/address/state", codeRequired, "USPS"}, {"/billing_provider/address/postal_code", codeRequired, "ZIP"},
		}},
		{"required subscriber", P, func(e *Encounter) {
			sub := &e.Subscriber
			sub.MemberID, sub.FirstName, sub.LastName, sub.BirthDate, sub.Gender, sub.RelationshipToPatient = "", "", "", "", "", ""
		}, nil, []want{
			{"/subscriber/member_id", codeRequired, "insurance card"}, {"/subscriber/first_name", codeRequired, ""},
			{"/subscriber/last_name", codeRequired, ""}, {"/subscriber/birth_date", codeRequired, "YYYY-MM-DD"},
			{"/subscriber/gender", codeRequired, "M, F or U"}, {"/subscriber/relationship_to_patient", codeRequired, "self, spouse"},
		}},
		{"required subscriber address", P, func(e *Encounter) { e.Subscriber.Address.City = "" }, nil, []want{{"/subscriber/address/city", codeRequired, "subscriber address city"}}},
		{"required frequency", P, func(e *Encounter) { e.Claim.Frequency = "" }, nil, []want{{"/claim/frequency", codeRequired, "original, replacement or void"}}},
		{"required diagnoses", P, func(e *Encounter) {
			e.Claim.Diagnoses = nil
			for i := range e.Claim.ServiceLines {
				line(e, i).DiagnosisPointers = []int{1}
			}
		}, nil, []want{
			{"/claim/diagnoses", codeRequired, "at least one ICD-10-CM"},
			{"/claim/service_lines/0/diagnosis_pointers/0", codeDiagnosisPointerRange, "Line 1 points to diagnosis 1, but the claim lists no diagnoses"},
			{"/claim/service_lines/1/diagnosis_pointers/0", codeDiagnosisPointerRange, ""},
			{"/claim/service_lines/2/diagnosis_pointers/0", codeDiagnosisPointerRange, ""},
			{"/claim/service_lines/3/diagnosis_pointers/0", codeDiagnosisPointerRange, ""},
		}},
		{"required empty diagnosis", P, func(e *Encounter) { e.Claim.Diagnoses[3] = "" }, nil, []want{{"/claim/diagnoses/3", codeRequired, "Diagnosis 4"}}},
		{"required service lines", P, func(e *Encounter) { e.Claim.ServiceLines = nil }, nil, []want{{"/claim/service_lines", codeRequired, "at least one line"}}},
		{"required place of service 837P", P, func(e *Encounter) { e.Claim.PlaceOfService = "" }, nil, []want{{"/claim/place_of_service", codeRequired, "11 for an office"}}},
		{"pass place of service not needed 837I", I, func(e *Encounter) { e.Claim.PlaceOfService = "" }, nil, nil},
		{"required pointers 837P", P, func(e *Encounter) { line(e, 1).DiagnosisPointers = nil }, nil, []want{{"/claim/service_lines/1/diagnosis_pointers", codeRequired, "Line 2 has no diagnosis pointers"}}},
		{"pass no pointers 837I", I, func(e *Encounter) { line(e, 0).DiagnosisPointers = nil }, nil, nil},
		{"required procedure 837P", P, func(e *Encounter) { line(e, 2).ProcedureCode = "" }, nil, []want{{"/claim/service_lines/2/procedure_code", codeRequired, "Line 3 has no procedure code"}}},
		{"pass revenue code alone 837I", I, func(e *Encounter) { line(e, 1).ProcedureCode = "" }, nil, nil},
		{"required units", P, func(e *Encounter) { line(e, 0).Units = "" }, nil, []want{{"/claim/service_lines/0/units", codeRequired, "Line 1 unit count is missing"}}},
		{"required service date 837P", P, func(e *Encounter) { line(e, 0).ServiceDate = "" }, nil, []want{{"/claim/service_lines/0/service_date", codeRequired, "Line 1 service date"}}},
		{"pass no line date 837I", I, func(e *Encounter) { line(e, 2).ServiceDate = "" }, nil, nil},
		{"required type of bill 837I", I, func(e *Encounter) { e.Claim.TypeOfBill = "" }, nil, []want{{"/claim/type_of_bill", codeRequired, "0131"}}},
		{"required statement period 837I", I, func(e *Encounter) { e.Claim.StatementPeriod = nil }, nil, []want{{"/claim/statement_period", codeRequired, "from and to"}}},
		{"required statement period dates", I, func(e *Encounter) { e.Claim.StatementPeriod.To = "" }, nil, []want{{"/claim/statement_period/to", codeRequired, ""}}},
		{"required attending 837I", I, func(e *Encounter) { e.AttendingProvider = nil }, nil, []want{{"/attending_provider", codeRequired, "attending physician"}}},
		{"required revenue code 837I", I, func(e *Encounter) { line(e, 3).RevenueCode = "" }, nil, []want{{"/claim/service_lines/3/revenue_code", codeRequired, "Line 4 has no revenue code"}}},
		{"required provider npi and name", P, func(e *Encounter) { e.RenderingProvider = &Provider{} }, nil, []want{
			{"/rendering_provider/npi", codeRequired, "rendering provider's NPI"}, {"/rendering_provider/last_name", codeRequired, ""},
		}},
		{"required auto accident state", P, func(e *Encounter) { e.Claim.Accident = &Accident{Type: "auto"} }, nil, []want{{"/claim/accident/state", codeRequired, "state where the accident happened"}}},
		{"pass employment accident without state", P, func(e *Encounter) { e.Claim.Accident = &Accident{Type: "employment", Date: "2026-10-30"} }, nil, nil},
		{"required admission type", I, func(e *Encounter) { e.Claim.Admission.Type = "" }, nil, []want{{"/claim/admission/type", codeRequired, "3 elective"}}},
		{"required ndc parts", P, func(e *Encounter) { line(e, 1).NDC = &NDC{} }, nil, []want{
			{"/claim/service_lines/1/ndc/code", codeRequired, "Line 2 NDC"}, {"/claim/service_lines/1/ndc/quantity", codeRequired, ""},
			{"/claim/service_lines/1/ndc/unit", codeRequired, "F2, GR"},
		}},
		{"required service facility name", I, func(e *Encounter) { e.ServiceFacility.Name = "" }, nil, []want{{"/service_facility/name", codeRequired, ""}}},
		{"required procedure date", I, func(e *Encounter) { e.Claim.Procedures[0].Date = "" }, nil, []want{{"/claim/procedures/0/date", codeRequired, "Procedure 1 date"}}},
		{"required value code", I, func(e *Encounter) { e.Claim.ValueCodes[0].Code = "" }, nil, []want{{"/claim/value_codes/0/code", codeRequired, "Value code 1"}}},

		// --- too_long --------------------------------------------------------------------
		{"too long external id", P, func(e *Encounter) { e.ExternalID = strings.Repeat("X", 65) }, nil, []want{{"/external_id", codeTooLong, "65 characters long; the 837 allows at most 64"}}},
		{"pass external id 64", P, func(e *Encounter) { e.ExternalID = strings.Repeat("X", 64) }, nil, nil},
		{"too long subscriber last name", P, func(e *Encounter) { e.Subscriber.LastName = strings.Repeat("A", 61) }, nil, []want{{"/subscriber/last_name", codeTooLong, "at most 60"}}},
		{"pass unicode name counted in characters", P, func(e *Encounter) { e.Subscriber.LastName = strings.Repeat("é", 60) }, nil, nil},
		{"too long first name", P, func(e *Encounter) { e.Subscriber.FirstName = strings.Repeat("A", 36) }, nil, []want{{"/subscriber/first_name", codeTooLong, "at most 35"}}},
		{"too long address", P, func(e *Encounter) {
			e.BillingProvider.Address.Line1 = strings.Repeat("1", 56)
			e.BillingProvider.Address.City = strings.Repeat("C", 31)
		}, nil, []want{{"/billing_provider/address/line1", codeTooLong, "at most 55"}, {"/billing_provider/address/city", codeTooLong, "at most 30"}}},
		{"too long member id", P, func(e *Encounter) { e.Subscriber.MemberID = strings.Repeat("9", 81) }, nil, []want{{"/subscriber/member_id", codeTooLong, "at most 80"}}},
		{"too long patient control number", P, func(e *Encounter) { e.Claim.PatientControlNumber = strings.Repeat("P", 21) }, nil, []want{{"/claim/patient_control_number", codeTooLong, "at most 20"}}},
		{"pass patient control number 20", P, func(e *Encounter) { e.Claim.PatientControlNumber = strings.Repeat("P", 20) }, nil, nil},
		{"too long line note", P, func(e *Encounter) { line(e, 3).Note = strings.Repeat("n", 81) }, nil, []want{{"/claim/service_lines/3/note", codeTooLong, "Line 4 note"}}},
		{"too long patient names", I, func(e *Encounter) {
			e.Patient.MiddleName, e.Patient.Suffix = strings.Repeat("M", 26), "JUNIOR THE THIRD"
		}, nil, []want{
			{"/patient/middle_name", codeTooLong, "at most 25"}, {"/patient/suffix", codeTooLong, "at most 10"},
		}},

		// --- invalid_character -----------------------------------------------------------
		{"invalid character tilde", P, func(e *Encounter) { e.Subscriber.FirstName = "Jo~hn" }, nil, []want{{"/subscriber/first_name", codeInvalidCharacter, `Subscriber first name contains the character '~'`}}},
		{"invalid character control", P, func(e *Encounter) { e.Claim.Note = "first\nsecond" }, nil, []want{{"/claim/note", codeInvalidCharacter, "U+000A"}}},
		{"invalid character in code reported once", P, func(e *Encounter) { line(e, 1).ProcedureCode = "99*14" }, nil, []want{{"/claim/service_lines/1/procedure_code", codeInvalidCharacter, "Line 2 procedure code contains the character '*'"}}},
		{"invalid character in diagnosis", P, func(e *Encounter) { e.Claim.Diagnoses[1] = "I1:0" }, nil, []want{{"/claim/diagnoses/1", codeInvalidCharacter, "Claim diagnosis 2 contains the character ':'"}}},
		{"invalid character caret in modifier", P, func(e *Encounter) { line(e, 0).Modifiers = []string{"2^"} }, nil, []want{{"/claim/service_lines/0/modifiers/0", codeInvalidCharacter, "Line 1 modifier 1"}}},
		{"invalid utf8", P, func(e *Encounter) { e.Subscriber.Address.City = "St. Pa\xffl" }, nil, []want{{"/subscriber/address/city", codeInvalidCharacter, "UTF-8"}}},
		{"pass punctuation and accents", P, func(e *Encounter) {
			e.Subscriber.LastName = "O'Brien-Smith"
			e.Subscriber.FirstName = "José"
			e.BillingProvider.OrganizationName = "Lakeside Family Medicine, P.A. & Sons #2 (North)"
		}, nil, nil},

		// --- invalid_choice --------------------------------------------------------------
		{"invalid claim type", P, func(e *Encounter) { e.ClaimType = "dental" }, nil, []want{{"/claim_type", codeInvalidChoice, `"dental" is not one of the accepted values; use professional or institutional`}}},
		{"invalid gender", P, func(e *Encounter) { e.Subscriber.Gender = "X" }, nil, []want{{"/subscriber/gender", codeInvalidChoice, "use M, F or U"}}},
		{"invalid gender lower case", I, func(e *Encounter) { e.Patient.Gender = "m" }, nil, []want{{"/patient/gender", codeInvalidChoice, "patient's gender"}}},
		{"invalid relationship", P, func(e *Encounter) { e.Subscriber.RelationshipToPatient = "mother" }, nil, []want{{"/subscriber/relationship_to_patient", codeInvalidChoice, "self, spouse, child or other"}}},
		{"invalid frequency", P, func(e *Encounter) { e.Claim.Frequency = "corrected" }, nil, []want{{"/claim/frequency", codeInvalidChoice, "original, replacement or void"}}},
		{"invalid unit type 837P", P, func(e *Encounter) { line(e, 0).UnitType = "DA" }, nil, []want{{"/claim/service_lines/0/unit_type", codeInvalidChoice, "Line 1 unit type"}}},
		{"invalid unit type 837I", I, func(e *Encounter) { line(e, 0).UnitType = "MJ" }, nil, []want{{"/claim/service_lines/0/unit_type", codeInvalidChoice, "UN or DA"}}},
		{"pass unit type MJ 837P", P, func(e *Encounter) { line(e, 0).UnitType = "MJ" }, nil, nil},
		{"invalid accident type", P, func(e *Encounter) { e.Claim.Accident = &Accident{Type: "fall"} }, nil, []want{{"/claim/accident/type", codeInvalidChoice, "auto, employment or other"}}},
		{"invalid ndc unit", P, func(e *Encounter) { line(e, 1).NDC.Unit = "MG" }, nil, []want{{"/claim/service_lines/1/ndc/unit", codeInvalidChoice, "F2, GR, ME, ML or UN"}}},
		{"invalid filing indicator", P, func(e *Encounter) { e.Subscriber.ClaimFilingIndicator = "XX" }, nil, []want{{"/subscriber/claim_filing_indicator", codeInvalidChoice, ""}}},
		{"invalid payer responsibility", P, func(e *Encounter) { e.Subscriber.PayerResponsibility = "first" }, nil, []want{{"/subscriber/payer_responsibility", codeInvalidChoice, "primary, secondary or tertiary"}}},
		{"invalid release and assignment", I, func(e *Encounter) { e.Claim.ReleaseOfInformation, e.Claim.ProviderAcceptsAssignment = "N", "D" }, nil, []want{
			{"/claim/release_of_information", codeInvalidChoice, "Y or I"}, {"/claim/provider_accepts_assignment", codeInvalidChoice, "A, B or C"},
		}},

		// --- too_many --------------------------------------------------------------------
		{"too many diagnoses 837P", P, func(e *Encounter) { e.Claim.Diagnoses = distinctDiagnoses(13) }, nil, []want{{"/claim/diagnoses", codeTooMany, "13 diagnoses; a professional claim carries at most 12"}}},
		{"pass 12 diagnoses 837P", P, func(e *Encounter) { e.Claim.Diagnoses = distinctDiagnoses(12) }, nil, nil},
		{"too many diagnoses 837I", I, func(e *Encounter) { e.Claim.Diagnoses = distinctDiagnoses(26) }, nil, []want{{"/claim/diagnoses", codeTooMany, "26 diagnoses; an institutional claim carries at most 25"}}},
		{"pass 25 diagnoses 837I", I, func(e *Encounter) { e.Claim.Diagnoses = distinctDiagnoses(25) }, nil, nil},
		{"too many modifiers", P, func(e *Encounter) { line(e, 0).Modifiers = []string{"25", "59", "LT", "RT", "XS"} }, nil, []want{{"/claim/service_lines/0/modifiers", codeTooMany, "Line 1 has 5 modifiers"}}},
		{"too many pointers", P, func(e *Encounter) {
			e.Claim.Diagnoses = distinctDiagnoses(5)
			line(e, 0).DiagnosisPointers = []int{1, 2, 3, 4, 5}
		}, nil, []want{{"/claim/service_lines/0/diagnosis_pointers", codeTooMany, "at most 4"}}},
		{"too many lines 837P", P, func(e *Encounter) { e.Claim.ServiceLines = repeatLine(e.Claim.ServiceLines[0], 51) }, nil, []want{{"/claim/service_lines", codeTooMany, "51 service lines; a professional claim carries at most 50"}}},
		{"pass 50 lines 837P", P, func(e *Encounter) { e.Claim.ServiceLines = repeatLine(e.Claim.ServiceLines[0], 50) }, nil, nil},
		{"pass 999 lines 837I", I, func(e *Encounter) { e.Claim.ServiceLines = repeatLine(e.Claim.ServiceLines[2], 999) }, nil, nil},
		{"too many lines 837I", I, func(e *Encounter) { e.Claim.ServiceLines = repeatLine(e.Claim.ServiceLines[2], 1000) }, nil, []want{{"/claim/service_lines", codeTooMany, "at most 999"}}},
		{"too many procedures", I, func(e *Encounter) {
			for len(e.Claim.Procedures) < 26 {
				e.Claim.Procedures = append(e.Claim.Procedures, CodedDate{Code: "0DTJ4ZZ", Date: "2026-11-03"})
			}
		}, nil, []want{{"/claim/procedures", codeTooMany, "at most 25"}}},
		{"too many condition codes", I, func(e *Encounter) { e.Claim.ConditionCodes = slices.Repeat([]string{"39"}, 25) }, nil, []want{{"/claim/condition_codes", codeTooMany, "25 condition codes; an 837I carries at most 24"}}},

		// --- NPI ------------------------------------------------------------------------
		{"npi format", P, func(e *Encounter) { e.BillingProvider.NPI = "123456789" }, nil, []want{{"/billing_provider/npi", codeNPIFormat, "exactly 10 digits"}}},
		{"npi format letters", P, func(e *Encounter) { e.ReferringProvider.NPI = "12345678AB" }, nil, []want{{"/referring_provider/npi", codeNPIFormat, "referring provider's NPI"}}},
		{"npi check digit billing", P, func(e *Encounter) { e.BillingProvider.NPI = "1234567890" }, nil, []want{{"/billing_provider/npi", codeNPICheckDigit, `NPI "1234567890" fails the NPI check digit`}}},
		{"npi check digit every provider", I, func(e *Encounter) {
			e.AttendingProvider.NPI = "1600000007"
			e.ServiceFacility.NPI = "1700000008"
			e.RenderingProvider = &Provider{NPI: "1245319590", LastName: "Lee"}
			e.ReferringProvider = &Provider{NPI: "1245319591", LastName: "Ray"}
			line(e, 1).RenderingProvider = &Provider{NPI: "1111111111", LastName: "Cut"}
		}, nil, []want{
			{"/attending_provider/npi", codeNPICheckDigit, ""}, {"/service_facility/npi", codeNPICheckDigit, ""},
			{"/rendering_provider/npi", codeNPICheckDigit, ""}, {"/referring_provider/npi", codeNPICheckDigit, ""},
			{"/claim/service_lines/1/rendering_provider/npi", codeNPICheckDigit, "Line 2 rendering provider's NPI"},
		}},

		// --- tax id, taxonomy --------------------------------------------------------------
		{"tax id hyphen", P, func(e *Encounter) { e.BillingProvider.TaxID = "12-3456789" }, nil, []want{{"/billing_provider/tax_id", codeTaxIDFormat, "without hyphens or spaces; send the same digits"}}},
		{"tax id short", P, func(e *Encounter) { e.BillingProvider.TaxID = "12345678" }, nil, []want{{"/billing_provider/tax_id", codeTaxIDFormat, "9-digit EIN"}}},
		{"taxonomy format", P, func(e *Encounter) { e.BillingProvider.Taxonomy = "207Q0000X" }, nil, []want{{"/billing_provider/taxonomy", codeTaxonomyFormat, "ending in X"}}},
		{"taxonomy format provider", I, func(e *Encounter) { e.AttendingProvider.Taxonomy = "207r00000x" }, nil, []want{{"/attending_provider/taxonomy", codeTaxonomyFormat, "capital letters (207R00000X)"}}},

		// --- ICD-10-CM -------------------------------------------------------------------
		{"icd10 format dot", P, func(e *Encounter) { e.Claim.Diagnoses[0] = "E1.19" }, nil, []want{{"/claim/diagnoses/0", codeICD10Format, "after the third character"}}},
		{"icd10 format lower case", P, func(e *Encounter) { e.Claim.Diagnoses[0] = "e11.9" }, nil, []want{{"/claim/diagnoses/0", codeICD10Format, "capital letters (E11.9)"}}},
		{"icd10 principal", I, func(e *Encounter) { e.Claim.Diagnoses[0] = "K3" }, nil, []want{{"/claim/diagnoses/0", codeICD10Format, "The principal diagnosis"}}},
		{"icd10 admitting", I, func(e *Encounter) { e.Claim.AdmittingDiagnosis = "R10.3.1" }, nil, []want{{"/claim/admitting_diagnosis", codeICD10Format, "admitting diagnosis"}}},
		{"pass icd10 without dot", P, func(e *Encounter) { e.Claim.Diagnoses = []string{"E119", "I10", "S52521A", "U07.1"} }, nil, nil},
		{"icd9 numeric", P, func(e *Encounter) { e.Claim.Diagnoses[0] = "250.00" }, nil, []want{{"/claim/diagnoses/0", codeICD9Code, "looks like an ICD-9 code; claims for services since October 1, 2015 need ICD-10-CM"}}},
		{"icd9 v code", P, func(e *Encounter) { e.Claim.Diagnoses[2] = "V70.0" }, nil, []want{{"/claim/diagnoses/2", codeICD9Code, "ICD-9"}}},
		{"diagnosis duplicate", P, func(e *Encounter) { e.Claim.Diagnoses[2] = "E119" }, nil, []want{{"/claim/diagnoses/2", codeDiagnosisDuplicate, "Diagnosis 3 (\"E119\") repeats diagnosis 1"}}},

		// --- ICD-10-PCS, CPT/HCPCS, modifiers, revenue, UB-04 ----------------------------
		{"pcs format", I, func(e *Encounter) { e.Claim.Procedures[0].Code = "0DTJ4Z" }, nil, []want{{"/claim/procedures/0/code", codeICD10PCSFormat, "exactly 7"}}},
		{"pcs letter O", I, func(e *Encounter) { e.Claim.Procedures[0].Code = "0DTO4ZZ" }, nil, []want{{"/claim/procedures/0/code", codeICD10PCSFormat, "digit 0"}}},
		{"procedure format", P, func(e *Encounter) { line(e, 2).ProcedureCode = "9637" }, nil, []want{{"/claim/service_lines/2/procedure_code", codeProcedureCodeFormat, "Line 3 procedure code \"9637\""}}},
		{"procedure with modifier", P, func(e *Encounter) { line(e, 0).ProcedureCode = "99214-25" }, nil, []want{{"/claim/service_lines/0/procedure_code", codeProcedureCodeFormat, "modifiers list"}}},
		{"pass category II and III and HCPCS", P, func(e *Encounter) {
			line(e, 0).ProcedureCode, line(e, 2).ProcedureCode, line(e, 3).ProcedureCode = "3044F", "0042T", "G0438"
		}, nil, nil},
		{"procedure format 837I", I, func(e *Encounter) { line(e, 1).ProcedureCode = "O4970" }, nil, []want{{"/claim/service_lines/1/procedure_code", codeProcedureCodeFormat, "digit 0"}}},
		{"modifier format", P, func(e *Encounter) { line(e, 0).Modifiers = []string{"2"} }, nil, []want{{"/claim/service_lines/0/modifiers/0", codeModifierFormat, "exactly 2"}}},
		{"modifier empty", P, func(e *Encounter) { line(e, 0).Modifiers = []string{""} }, nil, []want{{"/claim/service_lines/0/modifiers/0", codeRequired, "remove the empty entry"}}},
		{"modifier duplicate", P, func(e *Encounter) { line(e, 0).Modifiers = []string{"25", "59", "25"} }, nil, []want{{"/claim/service_lines/0/modifiers/2", codeModifierDuplicate, "Line 1 lists modifier 25 twice"}}},
		{"pass four modifiers", P, func(e *Encounter) { line(e, 0).Modifiers = []string{"25", "59", "LT", "XS"} }, nil, nil},
		{"revenue code three digits", I, func(e *Encounter) { line(e, 2).RevenueCode = "300" }, nil, []want{{"/claim/service_lines/2/revenue_code", codeRevenueCodeFormat, "add the leading zero (0300)"}}},
		{"revenue code letters", I, func(e *Encounter) { line(e, 2).RevenueCode = "03A0" }, nil, []want{{"/claim/service_lines/2/revenue_code", codeRevenueCodeFormat, "exactly 4 digits"}}},
		{"ub04 codes", I, func(e *Encounter) {
			e.Claim.ConditionCodes = []string{"1"}
			e.Claim.OccurrenceCodes[0].Code = "1A1"
			e.Claim.ValueCodes[0].Code = "a1"
			e.Claim.Admission.Type = "7"
			e.Claim.Admission.Source = "77"
			e.Claim.PatientStatus = "1"
		}, nil, []want{
			{"/claim/admission/type", codeUB04CodeFormat, "3 elective"}, {"/claim/admission/source", codeUB04CodeFormat, "point of origin"},
			{"/claim/patient_status", codeUB04CodeFormat, "2 digits"}, {"/claim/condition_codes/0", codeUB04CodeFormat, "Condition code 1"},
			{"/claim/occurrence_codes/0/code", codeUB04CodeFormat, "Occurrence code 1"}, {"/claim/value_codes/0/code", codeUB04CodeFormat, "capital letters (A1)"},
		}},
		{"hour format", I, func(e *Encounter) { e.Claim.Admission.Hour, e.Claim.DischargeHour = "25:00", "1060" }, nil, []want{
			{"/claim/admission/hour", codeHourFormat, "HHMM or HH:MM"}, {"/claim/discharge_hour", codeHourFormat, ""},
		}},
		{"hour format bare hour", I, func(e *Encounter) { e.Claim.Admission.Hour = "14" }, nil, []want{{"/claim/admission/hour", codeHourFormat, "0700"}}},
		{"pass hour with colon", I, func(e *Encounter) { e.Claim.Admission.Hour, e.Claim.DischargeHour = "14:30", "0000" }, nil, nil},

		// --- quantities and charges ------------------------------------------------------
		{"units zero", P, func(e *Encounter) { line(e, 0).Units = "0" }, nil, []want{{"/claim/service_lines/0/units", codeQuantityInvalid, "more than 0"}}},
		{"units negative", P, func(e *Encounter) { line(e, 3).Units = "-1" }, nil, []want{{"/claim/service_lines/3/units", codeQuantityInvalid, "Line 4 units"}}},
		{"units decimals", I, func(e *Encounter) { line(e, 0).Units = "1.2345" }, nil, []want{{"/claim/service_lines/0/units", codeQuantityInvalid, "3 decimals"}}},
		{"ndc quantity", P, func(e *Encounter) { line(e, 1).NDC.Quantity = "0" }, nil, []want{{"/claim/service_lines/1/ndc/quantity", codeQuantityInvalid, "Line 2 NDC quantity"}}},
		{"pass decimal units", P, func(e *Encounter) { line(e, 0).Units = "1.5"; line(e, 1).NDC.Quantity = ".25" }, nil, nil},
		{"charge zero", P, func(e *Encounter) { line(e, 2).Charge = 0 }, nil, []want{{"/claim/service_lines/2/charge", codeChargeNotPositive, "Line 3 charge is 0.00"}}},
		{"charge negative", I, func(e *Encounter) { line(e, 0).Charge = -500 }, nil, []want{{"/claim/service_lines/0/charge", codeChargeNotPositive, "-5.00"}}},
		{"charge too large", P, func(e *Encounter) { line(e, 0).Charge = maxAmountCents + 1 }, nil, []want{{"/claim/service_lines/0/charge", codeChargeTooLarge, "Line 1 charge"}}},
		{"claim total too large", P, func(e *Encounter) { line(e, 0).Charge, line(e, 1).Charge = maxAmountCents, maxAmountCents }, nil, []want{{"/claim/service_lines", codeChargeTooLarge, "total charge"}}},
		{"pass one cent", P, func(e *Encounter) { line(e, 0).Charge = 1 }, nil, nil},

		// --- NDC, place of service, type of bill -----------------------------------------
		{"ndc hyphenated", P, func(e *Encounter) { line(e, 1).NDC.Code = "0009-0347-01" }, nil, []want{{"/claim/service_lines/1/ndc/code", codeNDCFormat, "send the 11-digit 5-4-2 form without hyphens: 00009034701"}}},
		{"ndc ten digits", I, func(e *Encounter) { line(e, 3).NDC.Code = "0409490234" }, nil, []want{{"/claim/service_lines/3/ndc/code", codeNDCFormat, "5-4-2"}}},
		{"place of service unknown", P, func(e *Encounter) { e.Claim.PlaceOfService = "30" }, nil, []want{{"/claim/place_of_service", codePlaceOfServiceInvalid, "CMS place of service list"}}},
		{"line place of service one digit", P, func(e *Encounter) { line(e, 3).PlaceOfService = "1" }, nil, []want{{"/claim/service_lines/3/place_of_service", codePlaceOfServiceInvalid, "Line 4 place of service"}}},
		{"pass place of service telehealth", P, func(e *Encounter) { e.Claim.PlaceOfService = "10" }, nil, nil},
		{"type of bill format", I, func(e *Encounter) { e.Claim.TypeOfBill = "111" }, nil, []want{{"/claim/type_of_bill", codeTypeOfBillFormat, "leading zero (0111)"}}},
		{"type of bill frequency mismatch", I, func(e *Encounter) { e.Claim.TypeOfBill = "0117" }, nil, []want{{"/claim/type_of_bill", codeTypeOfBillFrequency, "(0111)"}}},
		{"type of bill void mismatch", I, func(e *Encounter) { e.Claim.Frequency, e.Claim.PayerClaimNumber = FrequencyVoid, "PCN123" }, nil, []want{{"/claim/type_of_bill", codeTypeOfBillFrequency, "(0118)"}}},
		{"pass type of bill replacement", I, func(e *Encounter) {
			e.Claim.Frequency, e.Claim.PayerClaimNumber, e.Claim.TypeOfBill = FrequencyReplacement, "PCN123", "0117"
		}, nil, nil},

		// --- diagnosis pointers ----------------------------------------------------------
		{"pointer past diagnoses", P, func(e *Encounter) { line(e, 2).DiagnosisPointers = []int{5} }, nil, []want{{"/claim/service_lines/2/diagnosis_pointers/0", codeDiagnosisPointerRange, "Line 3 points to diagnosis 5, but the claim lists only 4 diagnoses."}}},
		{"pointer zero", P, func(e *Encounter) { line(e, 0).DiagnosisPointers = []int{1, 0} }, nil, []want{{"/claim/service_lines/0/diagnosis_pointers/1", codeDiagnosisPointerRange, "count from 1"}}},
		{"pointer one diagnosis", P, func(e *Encounter) {
			e.Claim.Diagnoses = []string{"E11.9"}
			for i := range e.Claim.ServiceLines {
				line(e, i).DiagnosisPointers = []int{1}
			}
			line(e, 3).DiagnosisPointers = []int{2}
		}, nil, []want{{"/claim/service_lines/3/diagnosis_pointers/0", codeDiagnosisPointerRange, "lists only 1 diagnosis."}}},
		{"pointer duplicate", P, func(e *Encounter) { line(e, 0).DiagnosisPointers = []int{2, 1, 2} }, nil, []want{{"/claim/service_lines/0/diagnosis_pointers/2", codeDiagnosisPointerDuplicate, "points to diagnosis 2 twice"}}},
		{"pointer range 837I", I, func(e *Encounter) { line(e, 0).DiagnosisPointers = []int{4} }, nil, []want{{"/claim/service_lines/0/diagnosis_pointers/0", codeDiagnosisPointerRange, ""}}},

		// --- dates -----------------------------------------------------------------------
		{"date format impossible day", P, func(e *Encounter) { line(e, 0).ServiceDate = "2026-02-30" }, nil, []want{{"/claim/service_lines/0/service_date", codeDateFormat, "Line 1 service date is not a real date"}}},
		{"date format us style", P, func(e *Encounter) { e.Claim.OnsetDate = "10/30/2026" }, nil, []want{{"/claim/onset_date", codeDateFormat, "YYYY-MM-DD"}}},
		{"date format birth", P, func(e *Encounter) { e.Subscriber.BirthDate = "1980-4-1" }, nil, []want{{"/subscriber/birth_date", codeDateFormat, ""}}},
		{"date format blank optional", P, func(e *Encounter) { line(e, 3).ServiceDateEnd = " " }, nil, []want{{"/claim/service_lines/3/service_date_end", codeDateFormat, "Line 4 end date"}}},
		{"date in future", P, func(e *Encounter) { line(e, 0).ServiceDate = "2026-11-24" }, nil, []want{{"/claim/service_lines/0/service_date", codeDateInFuture, "Line 1 service date (2026-11-24) is in the future"}}},
		{"pass date today somewhere on earth", P, func(e *Encounter) { line(e, 0).ServiceDate = "2026-11-23" }, nil, nil},
		{"date in future others", P, func(e *Encounter) {
			e.Claim.OnsetDate = "2027-01-01"
			e.Claim.Accident = &Accident{Type: "other", Date: "2027-01-01"}
			e.Subscriber.BirthDate = "2027-01-01"
			line(e, 3).ServiceDateEnd = "2027-01-01"
		}, nil, []want{
			{"/claim/onset_date", codeDateInFuture, "onset date"}, {"/claim/accident/date", codeDateInFuture, "accident date"},
			{"/subscriber/birth_date", codeDateInFuture, "birth date"}, {"/claim/service_lines/3/service_date_end", codeDateInFuture, "Line 4 end date"},
		}},
		{"date in future 837I", I, func(e *Encounter) {
			e.Claim.StatementPeriod.To = "2026-12-05"
			e.Claim.Admission.Date = "2026-12-01"
		}, nil, []want{{"/claim/statement_period/to", codeDateInFuture, "statement period end"}, {"/claim/admission/date", codeDateInFuture, "admission date"}}},
		{"date before birth", P, func(e *Encounter) { line(e, 1).ServiceDate = "1979-12-31" }, nil, []want{{"/claim/service_lines/1/service_date", codeDateBeforeBirth, "Line 2 service date (1979-12-31) is before the patient's birth date"}}},
		{"date before birth uses the patient", I, func(e *Encounter) { e.Claim.Procedures[0].Date = "2011-05-05" }, nil, []want{{"/claim/procedures/0/date", codeDateBeforeBirth, "Procedure 1 date"}}},
		{"date range order line", P, func(e *Encounter) { line(e, 3).ServiceDateEnd = "2026-11-01" }, nil, []want{{"/claim/service_lines/3/service_date_end", codeDateRangeOrder, "Line 4 ends (2026-11-01) before it starts (2026-11-02)"}}},
		{"date range order statement", I, func(e *Encounter) {
			e.Claim.StatementPeriod = &Period{From: "2026-11-05", To: "2026-11-03"}
		}, nil, []want{{"/claim/statement_period/to", codeDateRangeOrder, "ends before it starts"}}},
		{"date range order admission", I, func(e *Encounter) { e.Claim.Admission.Date = "2026-11-06" }, nil, []want{{"/claim/admission/date", codeDateRangeOrder, "after the statement period ends"}}},
		{"date outside statement start", I, func(e *Encounter) { line(e, 2).ServiceDate = "2026-11-01" }, nil, []want{{"/claim/service_lines/2/service_date", codeDateOutsideStatement, "Line 3 dates fall outside the statement period 2026-11-03 to 2026-11-05"}}},
		{"date outside statement end", I, func(e *Encounter) { line(e, 0).ServiceDateEnd = "2026-11-07" }, nil, []want{{"/claim/service_lines/0/service_date_end", codeDateOutsideStatement, "Line 1"}}},
		{"birth date too old", P, func(e *Encounter) { e.Subscriber.BirthDate = "1890-01-01" }, nil, []want{{"/subscriber/birth_date", codeBirthDateTooOld, "more than 130 years ago"}}},
		{"pass birth date 129 years", P, func(e *Encounter) {
			e.Subscriber.BirthDate = "1897-01-01"
			line(e, 0).ServiceDate = "2026-11-02"
		}, nil, nil},

		// --- patient, addresses ----------------------------------------------------------
		{"patient required", P, func(e *Encounter) { e.Subscriber.RelationshipToPatient = RelSpouse }, nil, []want{{"/patient", codePatientRequired, "patient's spouse"}}},
		{"patient not expected", I, func(e *Encounter) { e.Subscriber.RelationshipToPatient = RelSelf }, nil, []want{{"/patient", codePatientNotExpected, "remove the patient block"}}},
		{"patient fields", I, func(e *Encounter) { e.Patient.FirstName, e.Patient.BirthDate = "", "" }, nil, []want{
			{"/patient/first_name", codeRequired, ""}, {"/patient/birth_date", codeRequired, "patient's birth date"},
		}},
		{"state invalid", P, func(e *Encounter) { e.Subscriber.Address.State = "XX" }, nil, []want{{"/subscriber/address/state", codeStateInvalid, "2-letter USPS"}}},
		{"state lower case", P, func(e *Encounter) { e.BillingProvider.Address.State = "mn" }, nil, []want{{"/billing_provider/address/state", codeStateInvalid, "capital letters (MN)"}}},
		{"accident state invalid", P, func(e *Encounter) { e.Claim.Accident = &Accident{Type: "auto", State: "ZZ"} }, nil, []want{{"/claim/accident/state", codeStateInvalid, ""}}},
		{"pass territory state", P, func(e *Encounter) { e.Subscriber.Address.State = "PR" }, nil, nil},
		{"postal code hyphen", P, func(e *Encounter) { e.BillingProvider.Address.PostalCode = "55401-0000" }, nil, []want{{"/billing_provider/address/postal_code", codePostalCodeFormat, "(554010000)"}}},
		{"postal code short", P, func(e *Encounter) { e.Subscriber.Address.PostalCode = "5510" }, nil, []want{{"/subscriber/address/postal_code", codePostalCodeFormat, "5 digits or 9"}}},
		{"postal code zip4 billing", P, func(e *Encounter) { e.BillingProvider.Address.PostalCode = "55401" }, nil, []want{{"/billing_provider/address/postal_code", codePostalCodeZip4, "add the 4-digit ZIP+4 extension"}}},
		{"postal code zip4 facility", I, func(e *Encounter) { e.ServiceFacility.Address.PostalCode = "55415" }, nil, []want{{"/service_facility/address/postal_code", codePostalCodeZip4, ""}}},
		{"po box billing", P, func(e *Encounter) { e.BillingProvider.Address.Line1 = "P.O. Box 123" }, nil, []want{{"/billing_provider/address/line1", codePOBoxNotAllowed, "Put the PO box in pay_to_address"}}},
		{"po box billing line2", P, func(e *Encounter) { e.BillingProvider.Address.Line2 = "Lockbox 4411" }, nil, []want{{"/billing_provider/address/line2", codePOBoxNotAllowed, ""}}},

		// --- frequency -------------------------------------------------------------------
		{"payer claim number for replacement", P, func(e *Encounter) { e.Claim.Frequency = FrequencyReplacement }, nil, []want{{"/claim/payer_claim_number", codePayerClaimNumberRequired, "the claim it replaces"}}},
		{"payer claim number for void", P, func(e *Encounter) { e.Claim.Frequency = FrequencyVoid }, nil, []want{{"/claim/payer_claim_number", codePayerClaimNumberRequired, "voids"}}},
		{"pass replacement with number", P, func(e *Encounter) {
			e.Claim.Frequency, e.Claim.PayerClaimNumber = FrequencyReplacement, "2026123456789"
		}, nil, nil},

		// --- payer -----------------------------------------------------------------------
		{"payer unknown", P, func(e *Encounter) { e.Payer.ID = "NOPE" }, nil, []want{{"/payer/id", codePayerUnknown, `"NOPE" is not a payer`}}},
		{"payer unknown without registry", P, nil, func(o *ScrubOptions) { o.Payer = nil }, []want{{"/payer/id", codePayerUnknown, ""}}},
		{"payer claim type", I, func(e *Encounter) { e.Payer.ID = "PROONLY" }, nil, []want{{"/claim_type", codePayerClaimType, "Payer PROONLY does not accept institutional claims"}}},
		{"pass payer claim type", P, func(e *Encounter) { e.Payer.ID = "PROONLY" }, nil, nil},
		{"pass strict payer", S, nil, nil, nil},
		{"payer prior authorization", S, func(e *Encounter) {
			e.Claim.PriorAuthorization = ""
			line(e, 0).ProcedureCode = "70553"
			line(e, 2).ProcedureCode = "27447"
		}, nil, []want{{"/claim/prior_authorization", codePayerPriorAuth, "Payer STRICT requires prior authorization for 70553 (line 1) and 27447 (line 3)"}}},
		{"pass prior authorization given", S, func(e *Encounter) { line(e, 0).ProcedureCode = "70553" }, nil, nil},
		{"pass prior authorization not needed", S, func(e *Encounter) { e.Claim.PriorAuthorization = "" }, nil, nil},
		{"payer taxonomy", S, func(e *Encounter) { e.BillingProvider.Taxonomy = "" }, nil, []want{{"/billing_provider/taxonomy", codePayerTaxonomy, "Payer STRICT requires the billing provider's taxonomy"}}},
		{"payer rendering", S, func(e *Encounter) { e.RenderingProvider = nil }, nil, []want{{"/rendering_provider", codePayerRendering, "on lines 1 and 2"}}},
		{"pass rendering on every line", S, func(e *Encounter) {
			e.RenderingProvider = nil
			for i := range e.Claim.ServiceLines {
				line(e, i).RenderingProvider = &Provider{NPI: "1245319599", FirstName: "Ann", LastName: "Lee"}
			}
		}, nil, nil},
		{"payer max lines", S, func(e *Encounter) { e.Claim.ServiceLines = append(e.Claim.ServiceLines, e.Claim.ServiceLines[0]) }, nil, []want{{"/claim/service_lines", codePayerMaxLines, "at most 3 service lines per claim and this claim has 4"}}},
		{"timely filing", S, func(e *Encounter) { line(e, 1).ServiceDate = "2026-08-23" }, nil, []want{{"/claim/service_lines/1/service_date", codeTimelyFiling, "Line 2 service date (2026-08-23) is more than 90 days ago, past payer STRICT's timely filing limit"}}},
		{"pass timely filing last day", S, func(e *Encounter) { line(e, 1).ServiceDate = "2026-08-24" }, nil, nil},
		{"timely filing by end date", S, func(e *Encounter) {
			line(e, 0).ServiceDate, line(e, 0).ServiceDateEnd = "2026-08-01", "2026-08-02"
		}, nil, []want{{"/claim/service_lines/0/service_date_end", codeTimelyFiling, ""}}},
		{"pass timely filing for a void", S, func(e *Encounter) {
			e.Claim.Frequency, e.Claim.PayerClaimNumber = FrequencyVoid, "2026123456789"
			line(e, 1).ServiceDate = "2026-01-05"
		}, nil, nil},
		{"timely filing statement period 837I", I, func(e *Encounter) {
			e.Payer.ID = "TIMELY"
			e.Claim.StatementPeriod = &Period{From: "2026-01-03", To: "2026-01-05"}
			e.Claim.Admission.Date = "2026-01-03"
			e.Claim.Procedures[0].Date = "2026-01-03"
			for i := range e.Claim.ServiceLines {
				line(e, i).ServiceDate, line(e, i).ServiceDateEnd = "", ""
			}
		}, nil, []want{{"/claim/statement_period/to", codeTimelyFiling, "statement period ended on 2026-01-05"}}},
	}
}

// distinctDiagnoses returns n different valid ICD-10-CM codes.
func distinctDiagnoses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Z%02d.%d", 10+i/10, i%10)
	}
	return out
}

func repeatLine(l ServiceLine, n int) []ServiceLine {
	out := make([]ServiceLine, n)
	for i := range out {
		out[i] = l
	}
	return out
}

var linePointer = regexp.MustCompile(`^/claim/service_lines/(\d+)/`)

// checkProblemShape asserts what every problem must be: a pointer, a known code and a message
// a person can act on, naming the line (1-based) when the pointer is inside one.
func checkProblemShape(t *testing.T, p Problem, known map[string]bool) {
	t.Helper()
	if !strings.HasPrefix(p.Pointer, "/") {
		t.Errorf("problem %+v: pointer is not a JSON pointer", p)
	}
	if !known[p.Code] {
		t.Errorf("problem %+v: code is not listed by ProblemCodes", p)
	}
	if p.Message == "" || !strings.HasSuffix(p.Message, ".") && !strings.HasSuffix(p.Message, "?") {
		t.Errorf("problem %+v: message is not a sentence", p)
	}
	if p.Message != "" && strings.ToUpper(p.Message[:1]) != p.Message[:1] {
		t.Errorf("problem %+v: message does not start with a capital", p)
	}
	if m := linePointer.FindStringSubmatch(p.Pointer); m != nil {
		n, _ := strconv.Atoi(m[1])
		if !strings.Contains(p.Message, "Line "+strconv.Itoa(n+1)+" ") {
			t.Errorf("problem %+v: message does not name Line %d", p, n+1)
		}
	}
}

func knownCodes() map[string]bool {
	m := map[string]bool{}
	for _, c := range ProblemCodes() {
		m[c.Code] = true
	}
	return m
}

func TestScrubValidEncounters(t *testing.T) {
	for name, e := range map[string]*Encounter{"professional": validProfessional(), "institutional": validInstitutional(), "strict": strictProfessional()} {
		if probs := Scrub(e, testOptions()); len(probs) != 0 {
			for _, p := range probs {
				t.Errorf("%s: %s %s: %s", name, p.Pointer, p.Code, p.Message)
			}
		}
	}
}

func TestScrubRules(t *testing.T) {
	known := knownCodes()
	for _, tc := range scrubCases() {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.base()
			if tc.mutate != nil {
				tc.mutate(e)
			}
			opts := testOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			got := Scrub(e, opts)
			var gotKeys, wantKeys []string
			for _, p := range got {
				checkProblemShape(t, p, known)
				gotKeys = append(gotKeys, p.Pointer+" "+p.Code)
			}
			for _, w := range tc.want {
				wantKeys = append(wantKeys, w.ptr+" "+w.code)
			}
			sort.Strings(gotKeys)
			sort.Strings(wantKeys)
			if !slices.Equal(gotKeys, wantKeys) {
				t.Fatalf("problems:\n got  %q\n want %q\nmessages: %s", gotKeys, wantKeys, dumpProblems(got))
			}
			for _, w := range tc.want {
				for _, p := range got {
					if p.Pointer == w.ptr && p.Code == w.code && !strings.Contains(p.Message, w.msg) {
						t.Errorf("%s %s: message %q does not contain %q", w.ptr, w.code, p.Message, w.msg)
					}
				}
			}
		})
	}
}

func dumpProblems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "\n  %s [%s] %s", p.Pointer, p.Code, p.Message)
	}
	return b.String()
}

// TestScrubCodesCovered checks that every code ProblemCodes lists has a failing case in
// TestScrubRules, and that the list is sorted, unique and described.
func TestScrubCodesCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range scrubCases() {
		for _, w := range tc.want {
			covered[w.code] = true
		}
	}
	codes := ProblemCodes()
	for i, c := range codes {
		if !covered[c.Code] {
			t.Errorf("code %s has no failing case in scrubCases", c.Code)
		}
		if c.Description == "" || !strings.HasSuffix(c.Description, ".") {
			t.Errorf("code %s: description %q is not a sentence", c.Code, c.Description)
		}
		if !regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`).MatchString(c.Code) {
			t.Errorf("code %q is not snake_case", c.Code)
		}
		if i > 0 && codes[i-1].Code >= c.Code {
			t.Errorf("ProblemCodes not sorted and unique at %s", c.Code)
		}
	}
	for c := range covered {
		if !knownCodes()[c] {
			t.Errorf("test expects code %s, which ProblemCodes does not list", c)
		}
	}
	codes[0].Code = "changed"
	if ProblemCodes()[0].Code == "changed" {
		t.Error("ProblemCodes returns shared state")
	}
}

// TestScrubReportsEverythingAtOnce sends one encounter with many different mistakes and
// expects all of them back in one answer, each at its place.
func TestScrubReportsEverythingAtOnce(t *testing.T) {
	e := validProfessional()
	e.ExternalID = ""                                             // required
	e.BillingProvider.NPI = "1234567890"                          // npi_check_digit
	e.BillingProvider.TaxID = "12-3456789"                        // tax_id_format
	e.BillingProvider.Address.Line1 = "PO Box 77"                 // po_box_not_allowed
	e.BillingProvider.Address.PostalCode = "55401"                // postal_code_zip4_required
	e.Subscriber.Gender = "X"                                     // invalid_choice
	e.Subscriber.BirthDate = "1980-02-30"                         // date_format
	e.Subscriber.LastName = "Doe~Smith"                           // invalid_character
	e.Subscriber.RelationshipToPatient = RelChild                 // patient_required
	e.Claim.Frequency = FrequencyReplacement                      // payer_claim_number_required
	e.Claim.PlaceOfService = "30"                                 // place_of_service_invalid
	e.Claim.Diagnoses = []string{"E11.9", "250.00", "I10", "I10"} // icd9_code, diagnosis_duplicate
	line(e, 0).ProcedureCode = "9921"                             // procedure_code_format
	line(e, 0).Modifiers = []string{"25", "25"}                   // modifier_duplicate
	line(e, 1).Charge = 0                                         // charge_not_positive
	line(e, 1).NDC.Code = "0009-0347-01"                          // ndc_format
	line(e, 2).DiagnosisPointers = []int{5}                       // diagnosis_pointer_range
	line(e, 2).ServiceDate = "2027-01-01"                         // date_in_future
	line(e, 3).ServiceDateEnd = "2026-10-01"                      // date_range_order
	line(e, 3).Units = "0"                                        // quantity_invalid
	e.RenderingProvider.NPI = "12345"                             // npi_format

	want := []string{
		"/external_id required",
		"/billing_provider/npi npi_check_digit",
		"/billing_provider/tax_id tax_id_format",
		"/billing_provider/address/line1 po_box_not_allowed",
		"/billing_provider/address/postal_code postal_code_zip4_required",
		"/subscriber/gender invalid_choice",
		"/subscriber/birth_date date_format",
		"/subscriber/last_name invalid_character",
		"/patient patient_required",
		"/claim/payer_claim_number payer_claim_number_required",
		"/claim/place_of_service place_of_service_invalid",
		"/claim/diagnoses/1 icd9_code",
		"/claim/diagnoses/3 diagnosis_duplicate",
		"/claim/service_lines/0/procedure_code procedure_code_format",
		"/claim/service_lines/0/modifiers/1 modifier_duplicate",
		"/claim/service_lines/1/charge charge_not_positive",
		"/claim/service_lines/1/ndc/code ndc_format",
		"/claim/service_lines/2/diagnosis_pointers/0 diagnosis_pointer_range",
		"/claim/service_lines/2/service_date date_in_future",
		"/claim/service_lines/3/service_date_end date_range_order",
		"/claim/service_lines/3/units quantity_invalid",
		"/rendering_provider/npi npi_format",
	}
	got := Scrub(e, testOptions())
	var keys []string
	codes := map[string]bool{}
	known := knownCodes()
	for _, p := range got {
		checkProblemShape(t, p, known)
		keys = append(keys, p.Pointer+" "+p.Code)
		codes[p.Code] = true
	}
	sort.Strings(keys)
	sort.Strings(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("problems:\n got  %q\n want %q%s", keys, want, dumpProblems(got))
	}
	if len(codes) < 15 {
		t.Fatalf("only %d different codes", len(codes))
	}
	for _, p := range got {
		if p.Pointer == "/claim/service_lines/2/diagnosis_pointers/0" && p.Message != "Line 3 points to diagnosis 5, but the claim lists only 4 diagnoses." {
			t.Errorf("pointer message = %q", p.Message)
		}
	}
	// The problems serialise with the documented JSON names.
	b, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || m["pointer"] == "" || m["code"] == "" || m["message"] == "" || len(m) != 3 {
		t.Errorf("problem JSON = %s (%v)", b, err)
	}
}

func TestScrubNilAndZeroNow(t *testing.T) {
	if got := Scrub(nil, testOptions()); len(got) != 1 || got[0].Code != codeRequired || got[0].Message == "" {
		t.Errorf("Scrub(nil) = %+v", got)
	}
	// A zero Now means the real clock: a claim for last week is clean today, one for next
	// year is in the future.
	e := validProfessional()
	week := time.Now().UTC().AddDate(0, 0, -7).Format(time.DateOnly)
	for i := range e.Claim.ServiceLines {
		line(e, i).ServiceDate, line(e, i).ServiceDateEnd = week, ""
	}
	e.Claim.OnsetDate = ""
	opts := testOptions()
	opts.Now = time.Time{}
	if got := Scrub(e, opts); len(got) != 0 {
		t.Fatalf("last week's claim with the real clock: %s", dumpProblems(got))
	}
	line(e, 0).ServiceDate = time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	if got := Scrub(e, opts); len(got) != 1 || got[0].Code != codeDateInFuture {
		t.Fatalf("next year's claim with the real clock: %s", dumpProblems(got))
	}
}
