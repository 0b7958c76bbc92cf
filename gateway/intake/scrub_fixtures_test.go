package intake

import (
	"time"

	"github.com/claimgate/claimgate/payers"
)

// testNow is the fixed clock of the scrubbing tests.
var testNow = time.Date(2026, 11, 22, 15, 30, 0, 0, time.UTC)

// testPayers are the payers the scrubbing tests know.
func testPayers() map[string]payers.Payer {
	return map[string]payers.Payer{
		"SIMPAYER": {ID: "SIMPAYER", Name: "Simulated Health Plan"},
		"PROONLY":  {ID: "PROONLY", Name: "Professional Only Plan", ClaimTypes: []string{Professional}},
		"TIMELY":   {ID: "TIMELY", Name: "Timely Filing Plan", Edits: payers.Edits{TimelyFilingDays: 90}},
		"STRICT": {ID: "STRICT", Name: "Strict Health Plan", Edits: payers.Edits{
			PriorAuthProcedures: []string{"70553", " 27447 "},
			RequireTaxonomy:     true,
			RequireRendering:    true,
			MaxLines:            3,
			TimelyFilingDays:    90,
		}},
	}
}

func testOptions() ScrubOptions {
	reg := testPayers()
	return ScrubOptions{Now: testNow, Payer: func(id string) (payers.Payer, bool) {
		p, ok := reg[id]
		return p, ok
	}}
}

func boolPtr(b bool) *bool { return &b }

// validProfessional is a realistic, clean 837P encounter: an office visit with a same-day
// injection, a drug line with its NDC and a lab test.
func validProfessional() *Encounter {
	return &Encounter{
		ExternalID: "ENC-2026-000123",
		ClaimType:  Professional,
		Payer:      EncounterPayer{ID: "SIMPAYER", Name: "Simulated Health Plan"},
		BillingProvider: BillingProvider{
			NPI: "1234567893", TaxID: "123456789", Taxonomy: "207Q00000X",
			OrganizationName: "Lakeside Family Medicine",
			Address:          Address{Line1: "100 Main St", Line2: "Suite 200", City: "Minneapolis", State: "MN", PostalCode: "554010000"},
			Contact:          &Contact{Name: "Billing Office", Phone: "6125550100", Email: "billing@lakeside.example"},
		},
		PayToAddress:      &Address{Line1: "PO Box 4411", City: "Minneapolis", State: "MN", PostalCode: "55440"},
		RenderingProvider: &Provider{NPI: "1245319599", FirstName: "Ann", LastName: "Lee", Taxonomy: "207Q00000X"},
		ReferringProvider: &Provider{NPI: "1987654328", FirstName: "Raj", LastName: "Patel"},
		Subscriber: Subscriber{
			MemberID: "XYZ123456789", GroupNumber: "GRP-001", GroupName: "Acme Corp",
			FirstName: "John", LastName: "Doe", MiddleName: "Q", BirthDate: "1980-04-01", Gender: "M",
			Address:               Address{Line1: "12 Elm St", City: "St. Paul", State: "MN", PostalCode: "55102"},
			RelationshipToPatient: RelSelf, ClaimFilingIndicator: "CI", PayerResponsibility: "primary",
		},
		Claim: EncounterClaim{
			Frequency:            FrequencyOriginal,
			PlaceOfService:       "11",
			PriorAuthorization:   "AUTH-5521",
			OnsetDate:            "2026-10-30",
			Diagnoses:            []string{"E11.9", "I10", "Z79.4", "J06.9"},
			SignatureOnFile:      boolPtr(true),
			AssignmentOfBenefits: boolPtr(true),
			ReleaseOfInformation: "Y",
			ServiceLines: []ServiceLine{
				{ProcedureCode: "99214", Modifiers: []string{"25"}, Charge: 15000, Units: "1", UnitType: "UN",
					ServiceDate: "2026-11-02", DiagnosisPointers: []int{1, 2}},
				{ProcedureCode: "J1100", Charge: 2250, Units: "1", ServiceDate: "2026-11-02", DiagnosisPointers: []int{4},
					NDC: &NDC{Code: "00009034701", Quantity: "1", Unit: "ML"}},
				{ProcedureCode: "96372", Charge: 3500, Units: "1", ServiceDate: "2026-11-02", DiagnosisPointers: []int{4},
					RenderingProvider: &Provider{NPI: "1111111112", FirstName: "Mia", LastName: "Nurse"}},
				{ProcedureCode: "83036", Charge: 4000, Units: "1", ServiceDate: "2026-11-02", ServiceDateEnd: "2026-11-02",
					DiagnosisPointers: []int{1, 3}, PlaceOfService: "81", Note: "HbA1c"},
			},
		},
	}
}

// validInstitutional is a realistic, clean inpatient 837I encounter with a dependent patient,
// ICD-10-PCS procedures and UB-04 codes.
func validInstitutional() *Encounter {
	return &Encounter{
		ExternalID: "ENC-2026-IP-0042",
		ClaimType:  Institutional,
		Payer:      EncounterPayer{ID: "SIMPAYER"},
		BillingProvider: BillingProvider{
			NPI: "1500000009", TaxID: "987654321", Taxonomy: "282N00000X",
			OrganizationName: "Lakeside Regional Hospital",
			Address:          Address{Line1: "900 Hospital Dr", City: "Minneapolis", State: "MN", PostalCode: "554150001"},
		},
		AttendingProvider: &Provider{NPI: "1600000008", FirstName: "Grace", LastName: "Hopper", Taxonomy: "207R00000X"},
		ServiceFacility: &ServiceFacility{NPI: "1700000007", Name: "Lakeside Regional Hospital East",
			Address: Address{Line1: "950 Hospital Dr", City: "Minneapolis", State: "MN", PostalCode: "554150002"}},
		Subscriber: Subscriber{
			MemberID: "W998877665", FirstName: "Maria", LastName: "Garcia", BirthDate: "1975-09-12", Gender: "F",
			Address:               Address{Line1: "44 Lake Rd", City: "Edina", State: "MN", PostalCode: "55424"},
			RelationshipToPatient: RelChild, ClaimFilingIndicator: "CI",
		},
		Patient: &Patient{FirstName: "Lucas", LastName: "Garcia", BirthDate: "2012-03-05", Gender: "M",
			Address: Address{Line1: "44 Lake Rd", City: "Edina", State: "MN", PostalCode: "55424"}},
		Claim: EncounterClaim{
			Frequency:                 FrequencyOriginal,
			TypeOfBill:                "0111",
			Diagnoses:                 []string{"K35.80", "E86.0", "R10.31"},
			AdmittingDiagnosis:        "R10.31",
			Admission:                 &Admission{Date: "2026-11-03", Hour: "1400", Type: "1", Source: "7"},
			DischargeHour:             "1030",
			PatientStatus:             "01",
			StatementPeriod:           &Period{From: "2026-11-03", To: "2026-11-05"},
			Procedures:                []CodedDate{{Code: "0DTJ4ZZ", Date: "2026-11-03"}},
			ConditionCodes:            []string{"39"},
			OccurrenceCodes:           []CodedDate{{Code: "11", Date: "2026-11-02"}},
			ValueCodes:                []ValueCode{{Code: "80", Amount: 200}},
			ReleaseOfInformation:      "Y",
			ProviderAcceptsAssignment: "A",
			ServiceLines: []ServiceLine{
				{RevenueCode: "0120", Charge: 450000, Units: "2", UnitType: "DA", ServiceDate: "2026-11-03", ServiceDateEnd: "2026-11-05"},
				{RevenueCode: "0360", ProcedureCode: "44970", Charge: 1250000, Units: "1", ServiceDate: "2026-11-03"},
				{RevenueCode: "0300", ProcedureCode: "80053", Charge: 12000, Units: "1", ServiceDate: "2026-11-04"},
				{RevenueCode: "0250", Charge: 8000, Units: "3", ServiceDate: "2026-11-04",
					NDC: &NDC{Code: "00409490234", Quantity: "2.5", Unit: "ML"}},
			},
		},
	}
}

// strictProfessional is validProfessional billed to STRICT, trimmed to the payer's three lines:
// still clean.
func strictProfessional() *Encounter {
	e := validProfessional()
	e.Payer.ID = "STRICT"
	e.Claim.ServiceLines = e.Claim.ServiceLines[:3]
	return e
}
