package x837

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
)

func TestValidateRefusesWhatTheTR3Forbids(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(ic *Interchange)
		field string
		msg   string
	}{
		{"missing member id", func(ic *Interchange) { ic.Claims[0].Subscriber.MemberID = "" }, "subscriber.member_id", "required"},
		{"total mismatch", func(ic *Interchange) { ic.Claims[0].TotalCharge++ }, "total_charge", "235.00"},
		{"replacement without F8", func(ic *Interchange) { ic.Claims[0].Frequency = FrequencyReplacement }, "payer_claim_number", "REF*F8"},
		{"void without F8", func(ic *Interchange) { ic.Claims[0].Frequency = FrequencyVoid }, "payer_claim_number", "void"},
		{"bad frequency", func(ic *Interchange) { ic.Claims[0].Frequency = "9" }, "frequency", "one of"},
		{"five digit billing zip", func(ic *Interchange) { ic.Claims[0].BillingProvider.Address.PostalCode = "55401" }, "billing_provider.address.postal_code", "9 digits"},
		{"npi check digit", func(ic *Interchange) { ic.Claims[0].BillingProvider.NPI = "1234567890" }, "billing_provider.npi", "check digit"},
		{"icd-9 diagnosis", func(ic *Interchange) { ic.Claims[0].Diagnoses[0] = "25000" }, "diagnoses[0]", "ICD-10"},
		{"total line", func(ic *Interchange) {
			ic.Claims[0] = testInstitutional("I1")
			ic.Claims[0].Lines[0].RevenueCode = "0001"
		}, "service_lines[0].revenue_code", "0001"},
		{"diagnosis with dot", func(ic *Interchange) { ic.Claims[0].Diagnoses[1] = "E11.9" }, "diagnoses[1]", "no dots"},
		{"thirteen diagnoses", func(ic *Interchange) {
			ic.Claims[0].Diagnoses = strings.Split("A00 A01 A02 A03 A04 A05 A06 A07 A08 A09 B00 B01 B02", " ")
		}, "diagnoses", "at most 12"},
		{"pointer out of range", func(ic *Interchange) { ic.Claims[0].Lines[1].DiagnosisPointers = []int{3} }, "service_lines[1].diagnosis_pointers", "pointer 3"},
		{"five modifiers", func(ic *Interchange) { ic.Claims[0].Lines[0].Modifiers = []string{"25", "59", "GT", "95", "XU"} }, "service_lines[0].modifiers", "at most 4"},
		{"missing line control number", func(ic *Interchange) { ic.Claims[0].Lines[1].ControlNumber = "" }, "service_lines[1].line_control_number", "required"},
		{"duplicate line control number", func(ic *Interchange) { ic.Claims[0].Lines[1].ControlNumber = ic.Claims[0].Lines[0].ControlNumber }, "service_lines[1].line_control_number", "another line"},
		{"long line control number", func(ic *Interchange) { ic.Claims[0].Lines[1].ControlNumber = strings.Repeat("X", 31) }, "service_lines[1].line_control_number", "30"},
		{"long patient control number", func(ic *Interchange) { ic.Claims[0].PatientControlNumber = strings.Repeat("X", 21) }, "patient_control_number", "20"},
		{"units not a number", func(ic *Interchange) { ic.Claims[0].Lines[0].Units = "1,5" }, "service_lines[0].units", "decimal"},
		{"no service date", func(ic *Interchange) { ic.Claims[0].Lines[0].ServiceDate = Date{} }, "service_lines[0].service_date", "required"},
		{"impossible date", func(ic *Interchange) { ic.Claims[0].Lines[0].ServiceDate = NewDate(2023, 2, 29) }, "service_lines[0].service_date", "calendar"},
		{"auto accident without state", func(ic *Interchange) {
			ic.Claims[0].Accident = &Accident{Type: AccidentAuto, Date: NewDate(2026, 1, 2)}
		}, "accident.state", "required"},
		{"patient without address", func(ic *Interchange) {
			ic.Claims[0].Patient = &Patient{Relationship: "19", LastName: "DOE", BirthDate: NewDate(2010, 1, 1), Gender: "F"}
		}, "patient.address", "required"},
		{"self subscriber without birth date", func(ic *Interchange) { ic.Claims[0].Subscriber.BirthDate = Date{} }, "subscriber.birth_date", "required"},
		{"institutional field on professional", func(ic *Interchange) { ic.Claims[0].PatientStatus = "01" }, "claim", "institutional"},
		{"institutional without statement period", func(ic *Interchange) {
			ic.Claims[0] = testInstitutional("I1")
			ic.Claims[0].StatementPeriod = nil
		}, "statement_period", "DTP*434"},
		{"institutional without attending", func(ic *Interchange) {
			ic.Claims[0] = testInstitutional("I1")
			ic.Claims[0].AttendingProvider = nil
		}, "attending_provider", "2310A"},
		{"institutional line without revenue code", func(ic *Interchange) {
			ic.Claims[0] = testInstitutional("I1")
			ic.Claims[0].Lines[0].RevenueCode = ""
		}, "service_lines[0].revenue_code", "required"},
		{"institutional employment accident", func(ic *Interchange) {
			ic.Claims[0] = testInstitutional("I1")
			ic.Claims[0].Accident = &Accident{Type: AccidentEmployment, State: "MN"}
		}, "accident.type", "occurrence codes"},
		{"sender without contact", func(ic *Interchange) { ic.Sender.Contact = Contact{} }, "sender.contact", "PER"},
		{"control number zero", func(ic *Interchange) { ic.ControlNumbers.ISA = 0 }, "control_numbers.isa", "1 to"},
		{"non-ASCII name", func(ic *Interchange) { ic.Claims[0].Subscriber.LastName = "MÜLLER" }, "subscriber.last_name", "ASCII"},
		{"51 lines", func(ic *Interchange) {
			c := &ic.Claims[0]
			for len(c.Lines) < 51 {
				l := c.Lines[0]
				l.ControlNumber = "L" + strings.Repeat("9", len(c.Lines))
				c.Lines = append(c.Lines, l)
				c.TotalCharge += l.Charge
			}
		}, "service_lines", "at most 50"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ic := testInterchange(testProfessional("P1"))
			tc.edit(ic)
			var buf bytes.Buffer
			err := Render(&buf, ic)
			if err == nil {
				t.Fatal("rendered without complaint")
			}
			if buf.Len() != 0 {
				t.Fatalf("wrote %d bytes before refusing", buf.Len())
			}
			var ces ClaimErrors
			if !errors.As(err, &ces) {
				t.Fatalf("error %T is not ClaimErrors: %v", err, err)
			}
			if !errors.Is(err, ErrInvalidClaim) {
				t.Fatalf("error does not wrap ErrInvalidClaim: %v", err)
			}
			for _, ce := range ces {
				if ce.Field == tc.field && strings.Contains(ce.Msg, tc.msg) {
					if tc.field != "sender.contact" && tc.field != "control_numbers.isa" && (ce.Index != 0 || ce.PatientControlNumber == "") {
						t.Fatalf("error does not name the claim: %+v", ce)
					}
					return
				}
			}
			t.Fatalf("no error for %s containing %q; got:\n%v", tc.field, tc.msg, err)
		})
	}
}

func TestValidateAcceptsTestClaims(t *testing.T) {
	for _, tc := range goldenCases() {
		if err := Validate(tc.ic); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestRenderRefusesDelimiterInData(t *testing.T) {
	for _, d := range []edi.Delimiters{edi.DefaultDelimiters, {Element: '|', Component: '>', Repetition: '!', Segment: '\n'}} {
		ic := testInterchange(testProfessional("P1"), testProfessional("P2"))
		ic.Claims[1].Subscriber.Address.Line1 = "12 ELM ST" + string(d.Element) + "APT 4"
		var buf bytes.Buffer
		w := edi.NewWriter(&buf, d)
		err := WriteInterchange(w, ic)
		var ces ClaimErrors
		if !errors.As(err, &ces) || len(ces) != 1 {
			t.Fatalf("got %v, want one ClaimError", err)
		}
		if ce := ces[0]; ce.Index != 1 || ce.PatientControlNumber != "P2" || ce.Field != "subscriber.address.line1" {
			t.Fatalf("error does not name claim 1 (P2) and the field: %+v", ce)
		}
		if w.Flush() != nil || buf.Len() != 0 {
			t.Fatalf("wrote %d bytes before refusing", buf.Len())
		}
		if strings.Contains(err.Error(), "ELM") {
			t.Fatalf("the error repeats patient data: %v", err)
		}
	}
}

func TestRenderWithOtherDelimiters(t *testing.T) {
	d := edi.Delimiters{Element: '|', Component: '>', Repetition: '!', Segment: '\n'}
	ic := testInterchange(testProfessional("P1"), testInstitutional("I1"))
	ic.Claims[0].Subscriber.Address.Line1 = "12 ELM ST*APT 4" // a '*' is data here
	var buf bytes.Buffer
	w := edi.NewWriter(&buf, d)
	if err := WriteInterchange(w, ic); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	ics, problems, err := ReadAll(&buf)
	if err != nil || len(problems) > 0 || len(ics) != 1 || len(ics[0].Claims) != 2 {
		t.Fatalf("%v %v %d", err, problems, len(ics))
	}
	if got := ics[0].Claims[0].Subscriber.Address.Line1; got != "12 ELM ST*APT 4" {
		t.Fatalf("address read back as %q", got)
	}
}

func TestLayoutGroupsByBillingProviderAndType(t *testing.T) {
	other := testProfessional("P3")
	other.BillingProvider.NPI = "1003000118"
	ic := testInterchange(testProfessional("P1"), testInstitutional("I1"), other, testProfessional("P2"), testInstitutional("I2"))
	layout := ic.Layout()
	if len(layout) != 2 {
		t.Fatalf("%d sets, want 2", len(layout))
	}
	want := []SetLayout{
		{Type: Professional, Version: VersionProfessional, GroupControlNumber: 3401, ControlNumber: "5601", Claims: []int{0, 3, 2}},
		{Type: Institutional, Version: VersionInstitutional, GroupControlNumber: 3402, ControlNumber: "5602", Claims: []int{1, 4}},
	}
	for i := range want {
		g, w := layout[i], want[i]
		if g.Type != w.Type || g.Version != w.Version || g.GroupControlNumber != w.GroupControlNumber || g.ControlNumber != w.ControlNumber ||
			len(g.Claims) != len(w.Claims) {
			t.Fatalf("set %d: %+v, want %+v", i, g, w)
		}
		for j := range w.Claims {
			if g.Claims[j] != w.Claims[j] {
				t.Fatalf("set %d claims %v, want %v", i, g.Claims, w.Claims)
			}
		}
	}
}

func TestClaimJSONCarriesAmountsAsDecimalStrings(t *testing.T) {
	c := testInstitutional("I1")
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"total_charge":"12500.75"`, `"charge":"500.75"`, `"amount":"2.00"`,
		`"birth_date":"1980-04-01"`, `"service_date":"2026-11-01"`, `"line_control_number":"I1-1"`, `"type":"institutional"`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "onset_date") || strings.Contains(s, "service_date_end\":\"\"") {
		t.Errorf("zero dates should be omitted:\n%s", s)
	}
}

func TestValidNPI(t *testing.T) {
	tests := []struct {
		npi  string
		want bool
	}{
		{"1234567893", true},
		{"1245319599", true},
		{"1003000126", true},
		{"1234567890", false},
		{"123456789", false},
		{"12345678931", false},
		{"123456789X", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := ValidNPI(tc.npi); got != tc.want {
			t.Errorf("ValidNPI(%q) = %v, want %v", tc.npi, got, tc.want)
		}
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		in    string
		ok    bool
		x12   string
		valid bool
	}{
		{"2026-11-02", true, "20261102", true},
		{"2024-02-29", true, "20240229", true},
		{"2023-02-29", false, "", false},
		{"1900-02-29", false, "", false},
		{"2000-02-29", true, "20000229", true},
		{"2026-13-01", false, "", false},
		{"2026-1-01", false, "", false},
		{"20261102", false, "", false},
		{"", true, "", false},
	}
	for _, tc := range tests {
		d, err := ParseDate(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseDate(%q) error %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if err != nil || tc.in == "" {
			continue
		}
		if d.X12() != tc.x12 || d.String() != tc.in || d.Valid() != tc.valid {
			t.Errorf("%q: X12 %q String %q Valid %v", tc.in, d.X12(), d.String(), d.Valid())
		}
		back, ok := ParseX12Date([]byte(d.X12()))
		if !ok || back != d {
			t.Errorf("ParseX12Date(%q) = %v %v", d.X12(), back, ok)
		}
	}
	for _, bad := range []string{"2026110", "2026-1102", "20261131", "2026110a"} {
		if _, ok := ParseX12Date([]byte(bad)); ok {
			t.Errorf("ParseX12Date(%q) accepted", bad)
		}
	}
	if !NewDate(2026, 1, 31).Before(NewDate(2026, 2, 1)) || NewDate(2026, 2, 1).Before(NewDate(2026, 2, 1)) {
		t.Error("Before is wrong")
	}
}

func TestClaimTypeTransactionType(t *testing.T) {
	if Professional.TransactionType() != "837P" || Institutional.TransactionType() != "837I" || ClaimType("dental").TransactionType() != "" {
		t.Fatal("wrong transaction type names")
	}
}
