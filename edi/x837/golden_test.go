package x837

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/claimgate/claimgate/edi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

type goldenCase struct {
	name string
	ic   *Interchange
}

func goldenCases() []goldenCase {
	dependent := testProfessional("PDEP001")
	dependent.Patient = &Patient{Relationship: RelationshipChild, FirstName: "JANE", LastName: "DOE",
		BirthDate: NewDate(2012, 6, 15), Gender: "F",
		Address: &Address{Line1: "12 ELM ST", City: "SAINT PAUL", State: "MN", PostalCode: "55102"}}
	dependent.Subscriber.BirthDate, dependent.Subscriber.Gender = Date{}, ""
	dependent.ReferringProvider = &Provider{NPI: "1003000126", FirstName: "PAUL", LastName: "JONES"}
	dependent.ServiceFacility = &ServiceFacility{NPI: "1003000134", Name: "LAKESIDE CLINIC NORTH",
		Address: Address{Line1: "200 LAKE RD", City: "MINNEAPOLIS", State: "MN", PostalCode: "554020000"}}
	dependent.BillingProvider.PayToAddress = &Address{Line1: "PO BOX 100", City: "MINNEAPOLIS", State: "MN", PostalCode: "55401"}
	dependent.OnsetDate = NewDate(2026, 10, 30)
	dependent.Accident = &Accident{Type: AccidentAuto, State: "MN", Date: NewDate(2026, 10, 30)}

	replacement := testProfessional("PREP001")
	replacement.Frequency = FrequencyReplacement
	replacement.PayerClaimNumber = "PAYER2026110100042"
	replacement.PriorAuthorization = "AUTH778"
	replacement.ReferralNumber = "REF5512"
	replacement.Note = "CORRECTED UNITS ON LINE 2"

	void := testProfessional("PVOID01")
	void.Frequency = FrequencyVoid
	void.PayerClaimNumber = "PAYER2026110100043"

	ndc := testProfessional("PNDC001")
	ndc.Diagnoses = []string{"E119", "I10", "E785", "J449", "M545", "F329", "K219", "G4733", "N390", "R5383", "Z7984", "E669"}
	ndc.Lines[0].Modifiers = []string{"25", "59", "GT", "95"}
	ndc.Lines[0].DiagnosisPointers = []int{1, 5, 9, 12}
	ndc.Lines[1] = ServiceLine{ControlNumber: "PNDC001-2", ProcedureCode: "J3420", Charge: 8500, Units: "1",
		ServiceDate: NewDate(2026, 11, 2), DiagnosisPointers: []int{12},
		NDC:               &NDC{Code: "00409488601", Quantity: "1", Unit: "ML"},
		RenderingProvider: &Provider{NPI: "1003000142", FirstName: "RITA", LastName: "NURSE", Taxonomy: "163W00000X"},
		Note:              "ADMINISTERED IN OFFICE"}

	fifty := testProfessional("P50LINE")
	fifty.Lines = nil
	fifty.TotalCharge = 0
	for i := 1; i <= 50; i++ {
		l := ServiceLine{ControlNumber: "P50LINE-" + strconv.Itoa(i), ProcedureCode: "97110", Modifiers: []string{"GP"},
			Charge: edi.Amount(4000 + i), Units: "1", UnitType: "UN", ServiceDate: NewDate(2026, 9, 1+i%28), DiagnosisPointers: []int{1 + i%2}}
		if i%10 == 0 {
			l.ServiceDateEnd = l.ServiceDate.addDays(2)
			l.Units = "2.5"
		}
		fifty.Lines = append(fifty.Lines, l)
		fifty.TotalCharge += l.Charge
	}

	outpatient := testInstitutional("IOUT001")
	outpatient.FacilityType = "13"
	outpatient.Frequency = FrequencyReplacement
	outpatient.PayerClaimNumber = "PAYER2026110100044"
	outpatient.Admission = &Admission{Type: "3"}
	outpatient.AdmittingDiagnosis = ""
	outpatient.DischargeHour = ""
	outpatient.Procedures = nil
	outpatient.PatientStatus = "01"
	outpatient.Accident = &Accident{Type: AccidentAuto, State: "WI"}
	outpatient.Patient = &Patient{Relationship: RelationshipSpouse, FirstName: "MARY", LastName: "DOE",
		BirthDate: NewDate(1982, 2, 3), Gender: "F",
		Address: &Address{Line1: "12 ELM ST", City: "SAINT PAUL", State: "MN", PostalCode: "55102"}}
	outpatient.Subscriber.BirthDate, outpatient.Subscriber.Gender = Date{}, ""
	outpatient.RenderingProvider = &Provider{NPI: "1003000126", FirstName: "PAUL", LastName: "JONES"}
	outpatient.ReferringProvider = &Provider{NPI: "1003000134", FirstName: "LISA", LastName: "REF"}
	outpatient.ServiceFacility = &ServiceFacility{Name: "LAKESIDE OUTPATIENT", Address: Address{Line1: "300 LAKE RD",
		City: "MINNEAPOLIS", State: "MN", PostalCode: "554030000"}}
	outpatient.Note = "REPLACES CLAIM WITH WRONG REVENUE CODE"
	outpatient.Lines[2].Note = "DRUG WASTE DOCUMENTED"

	otherBP := testProfessional("PBP2001")
	otherBP.BillingProvider = BillingProvider{NPI: "1003000118", TaxID: "987654321", FirstName: "ANN", LastName: "SMITH",
		Address: Address{Line1: "5 OAK AVE", City: "DULUTH", State: "MN", PostalCode: "558020000"}}

	return []goldenCase{
		{"837p_basic", testInterchange(testProfessional("PBASIC1"))},
		{"837p_patient_not_subscriber", testInterchange(dependent)},
		{"837p_replacement", testInterchange(replacement)},
		{"837p_void", testInterchange(void)},
		{"837p_ndc_4_modifiers_12_diagnoses", testInterchange(ndc)},
		{"837p_50_lines", testInterchange(fifty)},
		{"837i_inpatient", testInterchange(testInstitutional("IINP001"))},
		{"837i_outpatient_replacement_dependent", testInterchange(outpatient)},
		{"mixed_two_billing_providers", testInterchange(testProfessional("PMIX001"), testInstitutional("IMIX001"), otherBP, testProfessional("PMIX002"))},
	}
}

func TestGoldenFiles(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := edi.NewWriter(&buf, edi.DefaultDelimiters)
			w.LineBreaks = true
			if err := WriteInterchange(w, tc.ic); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./edi/x837 -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("rendered output differs from %s (run with -update after checking the change):\n%s", path, lineDiff(string(want), buf.String()))
			}
			// The golden file reads back without a problem.
			_, problems, err := ReadAll(bytes.NewReader(want))
			if err != nil || len(problems) > 0 {
				t.Fatalf("reading %s: %v %v", path, err, problems)
			}
		})
	}
}

// lineDiff returns the first differing lines of two texts.
func lineDiff(want, got string) string {
	wl, gl := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + strconv.Itoa(i+1) + ":\n- " + string(w) + "\n+ " + string(g)
		}
	}
	return ""
}
