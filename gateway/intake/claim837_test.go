package intake

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x837"
)

func claimTestBool(b bool) *bool { return &b }

// baseEncounter returns a minimal professional encounter that maps without problems.
func baseEncounter() *Encounter {
	return &Encounter{
		ExternalID: "ENC-1",
		ClaimType:  "professional",
		Payer:      EncounterPayer{ID: "SIMPAYER", Name: "Simulated Health Plan"},
		BillingProvider: BillingProvider{
			NPI: "1234567893", TaxID: "41-1234567", Taxonomy: "207q00000x",
			OrganizationName: " Lakeside Family Medicine ",
			Address:          Address{Line1: "100 Main St", City: "Minneapolis", State: "mn", PostalCode: "55401-1000"},
			Contact:          &Contact{Name: "Billing", Phone: "(612) 555-0100"},
		},
		Subscriber: Subscriber{
			MemberID: " XYZ123 ", FirstName: "Ana", LastName: "Ruiz", BirthDate: "1979-03-14", Gender: "f",
			Address:               Address{Line1: "1 Elm", City: "Minneapolis", State: "MN", PostalCode: "55409"},
			RelationshipToPatient: "self",
		},
		Claim: EncounterClaim{
			Frequency:      "original",
			PlaceOfService: "11",
			Diagnoses:      []string{"e11.9", " I10 "},
			ServiceLines: []ServiceLine{
				{ProcedureCode: "99214", Modifiers: []string{"25"}, Charge: 15000, Units: "1", ServiceDate: "2026-11-02", DiagnosisPointers: []int{1, 2}},
				{ProcedureCode: "36415", Charge: 1250, Units: "1.0", ServiceDate: "2026-11-02"},
			},
		},
	}
}

func TestClaimMapping(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(e *Encounter)
		check func(t *testing.T, c x837.Claim)
	}{
		{"defaults", func(e *Encounter) {}, func(t *testing.T, c x837.Claim) {
			want := x837.Claim{
				Type: x837.Professional,
				BillingProvider: x837.BillingProvider{
					NPI: "1234567893", TaxID: "411234567", Taxonomy: "207Q00000X", OrganizationName: "Lakeside Family Medicine",
					Address: x837.Address{Line1: "100 Main St", City: "Minneapolis", State: "MN", PostalCode: "554011000"},
					Contact: &x837.Contact{Name: "Billing", Phone: "6125550100"},
				},
				Subscriber: x837.Subscriber{
					MemberID: "XYZ123", FirstName: "Ana", LastName: "Ruiz", BirthDate: x837.NewDate(1979, time.March, 14), Gender: "F",
					Address:              &x837.Address{Line1: "1 Elm", City: "Minneapolis", State: "MN", PostalCode: "55409"},
					ClaimFilingIndicator: "CI", PayerResponsibility: "P",
				},
				Payer:                   x837.Payer{ID: "SIMPAYER", Name: "Simulated Health Plan"},
				PatientControlNumber:    "CLM1",
				TotalCharge:             16250,
				Frequency:               "1",
				PlaceOfService:          "11",
				ProviderSignatureOnFile: true,
				AcceptAssignment:        "A",
				BenefitsAssignment:      "Y",
				ReleaseOfInformation:    "Y",
				Diagnoses:               []string{"E119", "I10"},
				Lines: []x837.ServiceLine{
					{ControlNumber: "CLM1-1", ProcedureCode: "99214", ProcedureQualifier: "HC", UnitType: "UN", Modifiers: []string{"25"}, Charge: 15000, Units: "1",
						ServiceDate: x837.NewDate(2026, time.November, 2), DiagnosisPointers: []int{1, 2}},
					{ControlNumber: "CLM1-2", ProcedureCode: "36415", ProcedureQualifier: "HC", UnitType: "UN", Charge: 1250, Units: "1",
						ServiceDate: x837.NewDate(2026, time.November, 2), DiagnosisPointers: []int{1}},
				},
			}
			if !reflect.DeepEqual(c, want) {
				t.Errorf("claim:\n got %+v\nwant %+v", c, want)
			}
		}},
		{"total is computed from the lines", func(e *Encounter) {
			e.Claim.ServiceLines = append(e.Claim.ServiceLines, ServiceLine{ProcedureCode: "81002", Charge: 1, Units: "1", ServiceDate: "2026-11-02"})
		}, func(t *testing.T, c x837.Claim) {
			if c.TotalCharge != 16251 {
				t.Errorf("TotalCharge = %s, want 162.51", c.TotalCharge)
			}
		}},
		{"patient control number given", func(e *Encounter) { e.Claim.PatientControlNumber = " PCN-77 " }, func(t *testing.T, c x837.Claim) {
			if c.PatientControlNumber != "PCN-77" {
				t.Errorf("PatientControlNumber = %q", c.PatientControlNumber)
			}
			if c.Lines[0].ControlNumber != "CLM1-1" {
				t.Errorf("line control number %q follows the claim id, not CLM01", c.Lines[0].ControlNumber)
			}
		}},
		{"code normalisation", func(e *Encounter) {
			e.Claim.Diagnoses = []string{"s13.4xxa", "M54. 50", "z68.3 0"}
			e.Claim.ServiceLines[0].ProcedureCode = " j3301 "
			e.Claim.ServiceLines[0].Modifiers = []string{" rt", "59 "}
			e.Claim.ServiceLines[0].NDC = &NDC{Code: "00003-0293-05", Quantity: "1.500", Unit: "ml"}
		}, func(t *testing.T, c x837.Claim) {
			if want := []string{"S134XXA", "M5450", "Z6830"}; !reflect.DeepEqual(c.Diagnoses, want) {
				t.Errorf("Diagnoses = %q, want %q", c.Diagnoses, want)
			}
			l := c.Lines[0]
			if l.ProcedureCode != "J3301" || !reflect.DeepEqual(l.Modifiers, []string{"RT", "59"}) {
				t.Errorf("line = %q %q", l.ProcedureCode, l.Modifiers)
			}
			if want := (x837.NDC{Code: "00003029305", Quantity: "1.5", Unit: "ML"}); l.NDC == nil || *l.NDC != want {
				t.Errorf("NDC = %+v, want %+v", l.NDC, want)
			}
		}},
		{"child patient", func(e *Encounter) {
			e.Subscriber.RelationshipToPatient = "Child"
			e.Patient = &Patient{FirstName: "Lucie", LastName: "Ruiz", BirthDate: "2018-02-17", Gender: "F",
				Address: Address{Line1: "1 Elm", City: "Minneapolis", State: "MN", PostalCode: "55409"}}
		}, func(t *testing.T, c x837.Claim) {
			if c.Patient == nil || c.Patient.Relationship != "19" || c.Patient.BirthDate != x837.NewDate(2018, 2, 17) {
				t.Errorf("Patient = %+v", c.Patient)
			}
		}},
		{"one-day range", func(e *Encounter) {
			e.Claim.ServiceLines[0].ServiceDateEnd = "2026-11-02"
		}, func(t *testing.T, c x837.Claim) {
			if !c.Lines[0].ServiceDateEnd.IsZero() {
				t.Errorf("ServiceDateEnd %v, want none for a one-day service", c.Lines[0].ServiceDateEnd)
			}
		}},
		{"spouse", func(e *Encounter) {
			e.Subscriber.RelationshipToPatient = "spouse"
			e.Patient = &Patient{FirstName: "Karl", LastName: "Ruiz", BirthDate: "1978-01-01", Gender: "M"}
		}, func(t *testing.T, c x837.Claim) {
			if c.Patient == nil || c.Patient.Relationship != "01" || c.Patient.Address != nil {
				t.Errorf("Patient = %+v", c.Patient)
			}
			if !c.Subscriber.BirthDate.IsZero() || c.Subscriber.Gender != "" {
				t.Errorf("subscriber DMG %v %q kept although the subscriber is not the patient", c.Subscriber.BirthDate, c.Subscriber.Gender)
			}
		}},
		{"other", func(e *Encounter) {
			e.Subscriber.RelationshipToPatient = "other"
			e.Patient = &Patient{FirstName: "Sam", LastName: "Ruiz", BirthDate: "2001-01-01"}
		}, func(t *testing.T, c x837.Claim) {
			if c.Patient == nil || c.Patient.Relationship != "G8" || c.Patient.Gender != "U" {
				t.Errorf("Patient = %+v", c.Patient)
			}
		}},
		{"replacement", func(e *Encounter) {
			e.Claim.Frequency = "replacement"
			e.Claim.PayerClaimNumber = "2026310000123"
		}, func(t *testing.T, c x837.Claim) {
			if c.Frequency != "7" || c.PayerClaimNumber != "2026310000123" {
				t.Errorf("Frequency %q PayerClaimNumber %q", c.Frequency, c.PayerClaimNumber)
			}
		}},
		{"void", func(e *Encounter) {
			e.Claim.Frequency = "VOID"
			e.Claim.PayerClaimNumber = "X1"
		}, func(t *testing.T, c x837.Claim) {
			if c.Frequency != "8" {
				t.Errorf("Frequency %q", c.Frequency)
			}
		}},
		{"explicit flags", func(e *Encounter) {
			e.Claim.SignatureOnFile = claimTestBool(false)
			e.Claim.AssignmentOfBenefits = claimTestBool(false)
			e.Claim.ReleaseOfInformation = "i"
			e.Claim.ProviderAcceptsAssignment = "c"
			e.Subscriber.ClaimFilingIndicator = "mb"
			e.Subscriber.PayerResponsibility = "Secondary"
		}, func(t *testing.T, c x837.Claim) {
			if c.ProviderSignatureOnFile || c.BenefitsAssignment != "N" || c.ReleaseOfInformation != "I" || c.AcceptAssignment != "C" {
				t.Errorf("flags %v %q %q %q", c.ProviderSignatureOnFile, c.BenefitsAssignment, c.ReleaseOfInformation, c.AcceptAssignment)
			}
			if c.Subscriber.ClaimFilingIndicator != "MB" || c.Subscriber.PayerResponsibility != "S" {
				t.Errorf("SBR %q %q", c.Subscriber.ClaimFilingIndicator, c.Subscriber.PayerResponsibility)
			}
		}},
		{"tertiary", func(e *Encounter) { e.Subscriber.PayerResponsibility = "tertiary" }, func(t *testing.T, c x837.Claim) {
			if c.Subscriber.PayerResponsibility != "T" {
				t.Errorf("SBR01 %q", c.Subscriber.PayerResponsibility)
			}
		}},
		{"accident", func(e *Encounter) {
			e.Claim.Accident = &Accident{Type: "Auto", State: "mn", Date: "2026-10-14"}
			e.Claim.OnsetDate = "2026-10-14"
		}, func(t *testing.T, c x837.Claim) {
			want := x837.Accident{Type: "AA", State: "MN", Date: x837.NewDate(2026, 10, 14)}
			if c.Accident == nil || *c.Accident != want || c.OnsetDate != want.Date {
				t.Errorf("Accident %+v onset %v", c.Accident, c.OnsetDate)
			}
		}},
		{"employment accident", func(e *Encounter) { e.Claim.Accident = &Accident{Type: "employment"} }, func(t *testing.T, c x837.Claim) {
			if c.Accident == nil || c.Accident.Type != "EM" {
				t.Errorf("Accident %+v", c.Accident)
			}
		}},
		{"institutional inpatient", func(e *Encounter) {
			e.ClaimType = "Institutional"
			e.Claim.PlaceOfService = ""
			e.Claim.TypeOfBill = "0111"
			e.Claim.Frequency = ""
			e.Claim.StatementPeriod = &Period{From: "2026-10-28", To: "2026-10-30"}
			e.Claim.AdmittingDiagnosis = "r10.31"
			e.Claim.Admission = &Admission{Date: "2026-10-28", Hour: "14:30", Type: "1", Source: "1"}
			e.Claim.DischargeHour = "1100"
			e.Claim.PatientStatus = "01"
			e.Claim.Procedures = []CodedDate{{Code: "0dtj4zz", Date: "2026-10-28"}}
			e.Claim.ConditionCodes = []string{"39"}
			e.Claim.OccurrenceCodes = []CodedDate{{Code: "11", Date: "2026-10-27"}}
			e.Claim.ValueCodes = []ValueCode{{Code: "80", Amount: 200}}
			e.AttendingProvider = &Provider{NPI: "1602938478", FirstName: "Priya", LastName: "Raman", Taxonomy: "207rh0003x"}
			e.Claim.ServiceLines = []ServiceLine{
				{RevenueCode: "111", Charge: 370000, Units: "2", UnitType: "da", ServiceDate: "2026-10-28", ServiceDateEnd: "2026-10-29"},
				{RevenueCode: "0370", Charge: 142500, Units: "1"},
			}
		}, func(t *testing.T, c x837.Claim) {
			if c.Type != x837.Institutional || c.FacilityType != "11" || c.Frequency != "1" || c.PlaceOfService != "" {
				t.Errorf("type %q facility %q frequency %q pos %q", c.Type, c.FacilityType, c.Frequency, c.PlaceOfService)
			}
			if c.Admission == nil || c.Admission.Hour != "1430" || c.DischargeHour != "1100" || c.AdmittingDiagnosis != "R1031" {
				t.Errorf("admission %+v discharge %q admitting %q", c.Admission, c.DischargeHour, c.AdmittingDiagnosis)
			}
			if len(c.Procedures) != 1 || c.Procedures[0].Code != "0DTJ4ZZ" || c.AttendingProvider.Taxonomy != "207RH0003X" {
				t.Errorf("procedures %+v attending %+v", c.Procedures, c.AttendingProvider)
			}
			if c.Lines[0].RevenueCode != "0111" || c.Lines[0].UnitType != "DA" || len(c.Lines[0].DiagnosisPointers) != 0 {
				t.Errorf("line 1 %+v", c.Lines[0])
			}
			if !c.Lines[1].ServiceDate.IsZero() || c.TotalCharge != 512500 {
				t.Errorf("line 2 date %v total %s", c.Lines[1].ServiceDate, c.TotalCharge)
			}
			if c.ValueCodes[0] != (x837.ValueCode{Code: "80", Amount: 200}) {
				t.Errorf("value codes %+v", c.ValueCodes)
			}
		}},
		{"type of bill frequency", func(e *Encounter) {
			e.ClaimType = "institutional"
			e.Claim.TypeOfBill = "137"
			e.Claim.Frequency = "replacement"
			e.Claim.PayerClaimNumber = "P1"
			e.Claim.StatementPeriod = &Period{From: "2026-11-01", To: "2026-11-01"}
		}, func(t *testing.T, c x837.Claim) {
			if c.FacilityType != "13" || c.Frequency != "7" {
				t.Errorf("facility %q frequency %q", c.FacilityType, c.Frequency)
			}
		}},
		{"units canonical", func(e *Encounter) {
			e.Claim.ServiceLines[0].Units = "002.50"
			e.Claim.ServiceLines[1].Units = ".75"
		}, func(t *testing.T, c x837.Claim) {
			if c.Lines[0].Units != "2.5" || c.Lines[1].Units != "0.75" {
				t.Errorf("units %q %q", c.Lines[0].Units, c.Lines[1].Units)
			}
		}},
		{"pay-to and facility", func(e *Encounter) {
			e.PayToAddress = &Address{Line1: "PO Box 1", City: "Minneapolis", State: "MN", PostalCode: "55440"}
			e.ServiceFacility = &ServiceFacility{NPI: "1908172632", Name: "Imaging", Address: Address{Line1: "810 E 28th St", City: "Minneapolis", State: "MN", PostalCode: "55407-3799"}}
			e.ReferringProvider = &Provider{NPI: "1543267896", FirstName: "Erik", LastName: "Lindqvist"}
		}, func(t *testing.T, c x837.Claim) {
			if c.BillingProvider.PayToAddress == nil || c.BillingProvider.PayToAddress.PostalCode != "55440" {
				t.Errorf("pay-to %+v", c.BillingProvider.PayToAddress)
			}
			if c.ServiceFacility == nil || c.ServiceFacility.Address.PostalCode != "554073799" || c.ReferringProvider == nil {
				t.Errorf("facility %+v referring %+v", c.ServiceFacility, c.ReferringProvider)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := baseEncounter()
			tt.edit(e)
			c, err := e.ToClaim("CLM1")
			if err != nil {
				t.Fatalf("ToClaim: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestClaimMappingProblems(t *testing.T) {
	tests := []struct {
		name     string
		claimID  string
		edit     func(e *Encounter)
		pointers []string
	}{
		{"empty claim id", "", func(e *Encounter) {}, []string{""}},
		{"long claim id", "ABCDEFGHIJKLMNOPQR", func(e *Encounter) {}, []string{""}},
		{"claim id with delimiter", "A*B", func(e *Encounter) {}, []string{""}},
		{"claim type", "C1", func(e *Encounter) { e.ClaimType = "dental" }, []string{"/claim_type"}},
		{"missing claim type", "C1", func(e *Encounter) { e.ClaimType = "" }, []string{"/claim_type"}},
		{"relationship", "C1", func(e *Encounter) { e.Subscriber.RelationshipToPatient = "cousin" }, []string{"/subscriber/relationship_to_patient"}},
		{"patient missing", "C1", func(e *Encounter) { e.Subscriber.RelationshipToPatient = "child" }, []string{"/patient"}},
		{"patient with self", "C1", func(e *Encounter) { e.Patient = &Patient{LastName: "X"} }, []string{"/patient"}},
		{"frequency", "C1", func(e *Encounter) { e.Claim.Frequency = "corrected" }, []string{"/claim/frequency"}},
		{"replacement without payer claim number", "C1", func(e *Encounter) { e.Claim.Frequency = "replacement" }, []string{"/claim/payer_claim_number"}},
		{"void without payer claim number", "C1", func(e *Encounter) { e.Claim.Frequency = "void" }, []string{"/claim/payer_claim_number"}},
		{"dates", "C1", func(e *Encounter) {
			e.Subscriber.BirthDate = "03/14/1979"
			e.Claim.ServiceLines[1].ServiceDate = "2026-02-30"
			e.Claim.OnsetDate = "yesterday"
		}, []string{"/subscriber/birth_date", "/claim/onset_date", "/claim/service_lines/1/service_date"}},
		{"missing service date", "C1", func(e *Encounter) { e.Claim.ServiceLines[0].ServiceDate = "" }, []string{"/claim/service_lines/0/service_date"}},
		{"no lines", "C1", func(e *Encounter) { e.Claim.ServiceLines = nil }, []string{"/claim/service_lines"}},
		{"no diagnoses", "C1", func(e *Encounter) { e.Claim.Diagnoses = []string{" . "} }, []string{"/claim/diagnoses/0"}},
		{"negative charge and bad units", "C1", func(e *Encounter) {
			e.Claim.ServiceLines[0].Charge = -100
			e.Claim.ServiceLines[1].Units = "-1"
		}, []string{"/claim/service_lines/0/charge", "/claim/service_lines/1/units"}},
		{"zero units", "C1", func(e *Encounter) { e.Claim.ServiceLines[0].Units = "0.0" }, []string{"/claim/service_lines/0/units"}},
		{"charge overflow", "C1", func(e *Encounter) {
			e.Claim.ServiceLines[0].Charge = edi.Amount(1 << 62)
			e.Claim.ServiceLines[1].Charge = edi.Amount(1 << 62)
		}, []string{"/claim/service_lines/1/charge"}},
		{"place of service", "C1", func(e *Encounter) { e.Claim.PlaceOfService = "" }, []string{"/claim/place_of_service"}},
		{"institutional requirements", "C1", func(e *Encounter) { e.ClaimType = "institutional" }, []string{"/claim/type_of_bill", "/claim/statement_period"}},
		{"type of bill disagrees", "C1", func(e *Encounter) {
			e.ClaimType = "institutional"
			e.Claim.TypeOfBill = "0138"
			e.Claim.StatementPeriod = &Period{From: "2026-11-01", To: "2026-11-01"}
		}, []string{"/claim/type_of_bill"}},
		{"hours and gender", "C1", func(e *Encounter) {
			e.Claim.DischargeHour = "2460"
			e.Claim.Admission = &Admission{Date: "2026-10-01", Hour: "7pm"}
			e.Subscriber.Gender = "X"
		}, []string{"/subscriber/gender", "/claim/admission/hour", "/claim/discharge_hour"}},
		{"codes", "C1", func(e *Encounter) {
			e.Claim.ReleaseOfInformation = "N"
			e.Claim.ProviderAcceptsAssignment = "Z"
			e.Subscriber.PayerResponsibility = "fourth"
			e.Claim.Accident = &Accident{Type: "boating"}
		}, []string{"/subscriber/payer_responsibility", "/claim/release_of_information", "/claim/provider_accepts_assignment", "/claim/accident/type"}},
		{"empty provider", "C1", func(e *Encounter) { e.RenderingProvider = &Provider{} }, []string{"/rendering_provider"}},
		{"long patient control number", "C1", func(e *Encounter) { e.Claim.PatientControlNumber = strings.Repeat("9", 21) }, []string{"/claim/patient_control_number"}},
		{"missing ids", "C1", func(e *Encounter) {
			e.Payer.ID = ""
			e.Subscriber.MemberID = ""
			e.BillingProvider.OrganizationName = ""
		}, []string{"/billing_provider/organization_name", "/payer/id", "/subscriber/member_id"}},
		{"no procedure", "C1", func(e *Encounter) { e.Claim.ServiceLines[0].ProcedureCode = "" }, []string{"/claim/service_lines/0/procedure_code"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := baseEncounter()
			tt.edit(e)
			_, err := e.ToClaim(tt.claimID)
			if !errors.Is(err, ErrUnmappable) {
				t.Fatalf("ToClaim error = %v, want ErrUnmappable", err)
			}
			var me *MapError
			if !errors.As(err, &me) {
				t.Fatalf("error %T is not a *MapError", err)
			}
			var got []string
			for _, p := range me.Problems {
				got = append(got, p.Pointer)
				if p.Message == "" {
					t.Errorf("problem at %q has no message", p.Pointer)
				}
			}
			if !reflect.DeepEqual(got, tt.pointers) {
				t.Errorf("problems at %q, want %q\n%v", got, tt.pointers, err)
			}
		})
	}
}

func TestLineControlNumber(t *testing.T) {
	tests := []struct {
		id   string
		n    int
		want string
	}{
		{"C1", 1, "C1-1"},
		{"ENC-2026-000103", 50, "ENC-2026-000103-50"},
		{strings.Repeat("Z", MaxClaimIDLen), 999, strings.Repeat("Z", MaxClaimIDLen) + "-999"},
	}
	for _, tt := range tests {
		got := LineControlNumber(tt.id, tt.n)
		if got != tt.want {
			t.Errorf("LineControlNumber(%q, %d) = %q, want %q", tt.id, tt.n, got, tt.want)
		}
		if len(got) > maxLineControlLen {
			t.Errorf("LineControlNumber(%q, %d) is %d characters, more than REF02 holds", tt.id, tt.n, len(got))
		}
	}
}
