package x837

import (
	"time"

	"github.com/claimgate/claimgate/edi"
)

// Test data built in Go. NPIs pass the check digit; names and ids are invented.

func testInterchange(claims ...Claim) *Interchange {
	return &Interchange{
		Sender: Sender{ISAQualifier: "ZZ", ISAID: "CLAIMGATE01", GSID: "CLAIMGATE01", Name: "LAKESIDE BILLING",
			Contact: Contact{Name: "EDI DESK", Phone: "6125550100", Email: "edi@example.com"}},
		Receiver:       Receiver{ISAQualifier: "ZZ", ISAID: "SIMPAYER", GSID: "SIMPAYER", Name: "SIMULATED HEALTH PLAN"},
		Usage:          "T",
		ControlNumbers: ControlNumbers{ISA: 1201, GS: 3401, ST: 5601},
		Time:           time.Date(2026, 11, 20, 9, 5, 0, 0, time.UTC),
		Claims:         claims,
	}
}

func testBillingProvider() BillingProvider {
	return BillingProvider{
		NPI: "1234567893", TaxID: "123456789", Taxonomy: "207Q00000X",
		OrganizationName: "LAKESIDE FAMILY MEDICINE",
		Address:          Address{Line1: "100 MAIN ST", City: "MINNEAPOLIS", State: "MN", PostalCode: "554010000"},
		Contact:          &Contact{Name: "BILLING OFFICE", Phone: "6125550199"},
	}
}

func testSubscriber() Subscriber {
	return Subscriber{
		MemberID: "XYZ123456789", GroupNumber: "GRP001", FirstName: "JOHN", LastName: "DOE",
		BirthDate: NewDate(1980, 4, 1), Gender: "M",
		Address:              &Address{Line1: "12 ELM ST", Line2: "APT 4", City: "SAINT PAUL", State: "MN", PostalCode: "55102"},
		ClaimFilingIndicator: "CI", PayerResponsibility: "P",
	}
}

// testProfessional is a two-line 837P claim where the subscriber is the patient.
func testProfessional(pcn string) Claim {
	return Claim{
		Type:                    Professional,
		BillingProvider:         testBillingProvider(),
		Subscriber:              testSubscriber(),
		Payer:                   Payer{ID: "SIMPAYER", Name: "SIMULATED HEALTH PLAN"},
		PatientControlNumber:    pcn,
		TotalCharge:             edi.Amount(23500),
		Frequency:               FrequencyOriginal,
		PlaceOfService:          "11",
		ProviderSignatureOnFile: true,
		AcceptAssignment:        "A",
		BenefitsAssignment:      "Y",
		ReleaseOfInformation:    "Y",
		Diagnoses:               []string{"E119", "I10"},
		RenderingProvider:       &Provider{NPI: "1245319599", FirstName: "ANN", LastName: "SMITH", Taxonomy: "207Q00000X"},
		Lines: []ServiceLine{
			{ControlNumber: pcn + "-1", ProcedureCode: "99214", Modifiers: []string{"25"}, Charge: 15000, Units: "1",
				ServiceDate: NewDate(2026, 11, 2), DiagnosisPointers: []int{1, 2}},
			{ControlNumber: pcn + "-2", ProcedureCode: "36415", Charge: 8500, Units: "1",
				ServiceDate: NewDate(2026, 11, 2), DiagnosisPointers: []int{1}},
		},
	}
}

// testInstitutional is an inpatient 837I claim.
func testInstitutional(pcn string) Claim {
	bp := testBillingProvider()
	bp.OrganizationName = "LAKESIDE HOSPITAL"
	bp.Taxonomy = "282N00000X"
	return Claim{
		Type:                 Institutional,
		BillingProvider:      bp,
		Subscriber:           testSubscriber(),
		Payer:                Payer{ID: "SIMPAYER", Name: "SIMULATED HEALTH PLAN"},
		PatientControlNumber: pcn,
		TotalCharge:          edi.Amount(1250075),
		Frequency:            FrequencyOriginal,
		FacilityType:         "11",
		AcceptAssignment:     "A",
		BenefitsAssignment:   "Y",
		ReleaseOfInformation: "Y",
		Diagnoses:            []string{"K3580", "E119", "I10"},
		AdmittingDiagnosis:   "R1031",
		Admission:            &Admission{Date: NewDate(2026, 11, 1), Hour: "1430", Type: "1", Source: "7"},
		DischargeHour:        "1015",
		PatientStatus:        "01",
		StatementPeriod:      &Period{From: NewDate(2026, 11, 1), To: NewDate(2026, 11, 3)},
		Procedures:           []Procedure{{Code: "0DTJ4ZZ", Date: NewDate(2026, 11, 1)}},
		ConditionCodes:       []string{"09"},
		OccurrenceCodes:      []Occurrence{{Code: "11", Date: NewDate(2026, 10, 31)}},
		ValueCodes:           []ValueCode{{Code: "80", Amount: 200}},
		AttendingProvider:    &Provider{NPI: "1245319599", FirstName: "ANN", LastName: "SMITH", Taxonomy: "207RS0010X"},
		Lines: []ServiceLine{
			{ControlNumber: pcn + "-1", RevenueCode: "0120", Charge: 600000, Units: "2", UnitType: "DA",
				ServiceDate: NewDate(2026, 11, 1), ServiceDateEnd: NewDate(2026, 11, 2)},
			{ControlNumber: pcn + "-2", RevenueCode: "0360", ProcedureCode: "44970", Charge: 600000, Units: "1",
				ServiceDate: NewDate(2026, 11, 1)},
			{ControlNumber: pcn + "-3", RevenueCode: "0250", Charge: 50075, Units: "3",
				ServiceDate: NewDate(2026, 11, 1), NDC: &NDC{Code: "00002140701", Quantity: "3", Unit: "UN"}},
		},
	}
}
