package x835

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
)

// writeEnvelope is the envelope of the writer's test interchanges.
func writeEnvelope() Envelope {
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	return Envelope{
		Interchange: edi.ISAHeader{SenderQualifier: "ZZ", SenderID: "SIMPAYER", ReceiverQualifier: "ZZ", ReceiverID: "CLAIMGATE01",
			Time: at, ControlNumber: 7, Usage: "T"},
		Group:      edi.GSHeader{Sender: "SIMPAYER", Receiver: "CLAIMGATE01", Time: at, ControlNumber: 7},
		LineBreaks: true,
	}
}

// sampleRemittance is a remittance like the payer simulator sends: a paid claim with
// contractual and patient responsibility adjustments, a denied line with a remark code, a
// denied claim with a claim-level adjustment, a reversal and its corrected payment, and a PLB
// with a recoupment and interest.
func sampleRemittance() *Remittance {
	return &Remittance{
		Type: "835", ControlNumber: "0001",
		Payment: Payment{HandlingCode: "I", Amount: 11600, CreditDebit: "C", Method: "ACH", Format: "CCP",
			SenderDFIQualifier: "01", SenderDFI: "999999992", SenderAccountQualifier: "DA", SenderAccount: "123456",
			OriginatorID: "1512345678", ReceiverDFIQualifier: "01", ReceiverDFI: "999988880", ReceiverAccountQualifier: "DA",
			ReceiverAccount: "98765", EffectiveDate: "20261120"},
		Trace:          &Trace{TypeCode: "1", Number: "SIM000000001", PayerID: "1512345678"},
		ReceiverID:     "CLAIMGATE01",
		ProductionDate: "20261120",
		Payer: Party{EntityCode: "PR", Name: "SIMULATED HEALTH PLAN", IDQualifier: "XV", ID: "SIMPAYER",
			Address:  &Address{Line1: "1 SIM WAY", City: "MINNEAPOLIS", State: "MN", PostalCode: "55401"},
			Contacts: []Contact{{Function: "BL", Name: "EDI SUPPORT", Communications: []Communication{{Qualifier: "TE", Number: "8005551212"}}}}},
		Payee:   Party{EntityCode: "PE", Name: "LAKESIDE FAMILY MEDICINE", IDQualifier: "XX", ID: "1234567893", References: []Reference{{Qualifier: "TJ", Value: "411234567"}}},
		Headers: []Header{{Number: "1"}},
		Claims: []*ClaimPayment{
			{HeaderNumber: "1", PatientControlNumber: "CLM0001", Status: "1", Charge: 25000, Paid: 14000, PatientResponsibility: 4000,
				FilingIndicator: "CI", PayerClaimNumber: "SIM0000000001", FacilityType: "11", Frequency: "1",
				Patient: &Name{EntityCode: "QC", EntityType: "1", LastName: "RUIZ", FirstName: "ANA", IDQualifier: "MI", ID: "XYZ123456789"},
				Dates:   []Date{{Qualifier: "050", Date: "20261118"}},
				Amounts: []QualifiedAmount{{Qualifier: "AU", Amount: 18000}},
				Lines: []ServiceLine{
					{Procedure: Procedure{Qualifier: "HC", Code: "99214", Modifiers: []string{"25"}}, Charge: 15000, Paid: 10800, Units: "1",
						Dates:         []Date{{Qualifier: "472", Date: "20261102"}},
						Adjustments:   []Adjustment{{Group: "CO", Reason: "45", Amount: 4200}},
						ControlNumber: "CLM0001-1", Amounts: []QualifiedAmount{{Qualifier: "B6", Amount: 10800}}},
					{Procedure: Procedure{Qualifier: "HC", Code: "97530"}, Charge: 10000, Paid: 3200, Units: "1",
						Dates:         []Date{{Qualifier: "472", Date: "20261102"}},
						Adjustments:   []Adjustment{{Group: "CO", Reason: "45", Amount: 2800}, {Group: "PR", Reason: "2", Amount: 3000}, {Group: "PR", Reason: "1", Amount: 1000}},
						ControlNumber: "CLM0001-2", Amounts: []QualifiedAmount{{Qualifier: "B6", Amount: 7200}},
						Remarks: []Remark{{Qualifier: "HE", Code: "N54"}}},
				}},
			{HeaderNumber: "1", PatientControlNumber: "CLM0002", Status: "4", Charge: 9000, Paid: 0,
				FilingIndicator: "CI", PayerClaimNumber: "SIM0000000002", Frequency: "1",
				Adjustments: []Adjustment{{Group: "CO", Reason: "197", Amount: 9000}}},
			{HeaderNumber: "1", PatientControlNumber: "CLM0003", Status: "22", Charge: -12000, Paid: -8000,
				FilingIndicator: "CI", PayerClaimNumber: "SIM0000000003", Frequency: "7",
				Adjustments: []Adjustment{{Group: "CO", Reason: "45", Amount: -4000}},
				References:  []Reference{{Qualifier: "F8", Value: "SIM0000000003"}}},
			{HeaderNumber: "1", PatientControlNumber: "CLM0003", Status: "1", Charge: 12000, Paid: 8600,
				FilingIndicator: "CI", PayerClaimNumber: "SIM0000000004", Frequency: "7",
				Adjustments: []Adjustment{{Group: "CO", Reason: "45", Amount: 3400}}},
		},
		ProviderAdjustments: []ProviderAdjustment{{ProviderID: "1234567893", FiscalPeriodDate: "20261231",
			Adjustments: []ProviderAdjustmentItem{{Reason: "WO", Reference: "SIM0000000009", Amount: 3500}, {Reason: "L6", Amount: -500}}}},
	}
}

// normalize clears what a reader adds that a model built by hand does not carry: positions,
// envelopes and totals.
func normalize(rems []*Remittance) {
	for _, rem := range rems {
		rem.Interchange, rem.Group = nil, nil
		rem.Offset, rem.SegmentIndex = 0, 0
		rem.Totals = Totals{}
		for _, c := range rem.Claims {
			c.Offset, c.SegmentIndex, c.Line = 0, 0, 0
			for i := range c.Lines {
				l := &c.Lines[i]
				l.Offset, l.SegmentIndex, l.Line = 0, 0, 0
			}
		}
		for i := range rem.ProviderAdjustments {
			p := &rem.ProviderAdjustments[i]
			p.Offset, p.SegmentIndex, p.Line = 0, 0, 0
		}
	}
}

func readBack(t *testing.T, data []byte) ([]*Remittance, edi.Errors) {
	t.Helper()
	r := NewReader(edi.NewReader(bytes.NewReader(data)))
	var out []*Remittance
	for {
		rem, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("reading back: %v", err)
		}
		out = append(out, rem)
	}
	return out, r.Errors()
}

func diffJSON(t *testing.T, want, got any) string {
	t.Helper()
	w, _ := json.MarshalIndent(want, "", " ")
	g, _ := json.MarshalIndent(got, "", " ")
	wl, gl := strings.Split(string(w), "\n"), strings.Split(string(g), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var a, b string
		if i < len(wl) {
			a = wl[i]
		}
		if i < len(gl) {
			b = gl[i]
		}
		if a != b {
			return "first difference at JSON line " + strings.TrimSpace(a) + " | " + strings.TrimSpace(b)
		}
	}
	return "models differ outside their JSON form"
}

// TestWriteGolden compares the writer's output with testdata/write.835 (go test -run
// TestWriteGolden -update rewrites it) and reads it back: no problem, balanced totals, and the
// model that was written.
func TestWriteGolden(t *testing.T) {
	rem := sampleRemittance()
	if err := rem.Balanced(); err != nil {
		t.Fatalf("sample remittance does not balance: %v", err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, writeEnvelope(), rem); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "write.835")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s (run with -update after checking the change):\n%s", golden, buf.String())
	}

	got, problems := readBack(t, buf.Bytes())
	if len(problems) > 0 {
		t.Fatalf("the written 835 has problems:\n%v", problems)
	}
	if len(got) != 1 {
		t.Fatalf("read %d remittances, want 1", len(got))
	}
	tot := got[0].Totals
	wantTot := Totals{ClaimCount: 4, ReversalCount: 1, Charged: 25000 + 9000 - 12000 + 12000, Paid: 14000 - 8000 + 8600,
		PaymentAmount: 11600, ProviderAdjustmentCount: 1, ProviderAdjustments: 3000, Balanced: true}
	if tot != wantTot {
		t.Errorf("totals = %+v, want %+v", tot, wantTot)
	}
	// ReadTotals, the streaming path, agrees.
	var streamed []Totals
	if err := ReadTotals(bytes.NewReader(buf.Bytes()), func(_ TransactionInfo, tt Totals) error {
		streamed = append(streamed, tt)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(streamed) != 1 || streamed[0] != wantTot {
		t.Errorf("ReadTotals = %+v, want [%+v]", streamed, wantTot)
	}
	normalize(got)
	rem.Version = GuideVersion
	if !reflect.DeepEqual(got[0], rem) {
		t.Errorf("read back model differs from the written one: %s", diffJSON(t, rem, got[0]))
	}
}

// TestWriteRoundTrip reads testdata/full.835 (every segment the model carries), writes the
// model, reads the output and expects the same model and totals.
func TestWriteRoundTrip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "full.835"))
	if err != nil {
		t.Fatal(err)
	}
	first, problems := readBack(t, data)
	if len(first) != 1 {
		t.Fatalf("full.835: %d remittances", len(first))
	}
	wantTotals := first[0].Totals
	var buf bytes.Buffer
	if err := Write(&buf, writeEnvelope(), first...); err != nil {
		t.Fatal(err)
	}
	second, problems2 := readBack(t, buf.Bytes())
	if len(problems2) > len(problems) {
		t.Errorf("the rewritten file has more problems (%d) than the original (%d):\n%v", len(problems2), len(problems), problems2)
	}
	if len(second) != 1 {
		t.Fatalf("rewritten: %d remittances", len(second))
	}
	if second[0].Totals != wantTotals {
		t.Errorf("totals = %+v, want %+v", second[0].Totals, wantTotals)
	}
	normalize(first)
	normalize(second)
	if !reflect.DeepEqual(first[0], second[0]) {
		t.Errorf("round trip changed the model: %s", diffJSON(t, first[0], second[0]))
	}
}

// TestWriteSamplesRoundTrip writes back every 835 sample the reader reads without a problem
// and expects the same model.
func TestWriteSamplesRoundTrip(t *testing.T) {
	n := 0
	for _, name := range sample835s(t) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		first, problems := readBack(t, data)
		if len(problems) > 0 || len(first) == 0 {
			continue
		}
		writable := true
		for _, rem := range first {
			if rem.checkWritable() != nil {
				writable = false
			}
		}
		if !writable {
			continue
		}
		// The sets may come from several groups: number them afresh for one group.
		controls := make([]string, len(first))
		for i, rem := range first {
			controls[i], rem.ControlNumber = rem.ControlNumber, ""
		}
		var buf bytes.Buffer
		if err := Write(&buf, writeEnvelope(), first...); err != nil {
			t.Errorf("%s: %v", filepath.Base(name), err)
			continue
		}
		for i, rem := range first {
			rem.ControlNumber = controls[i]
		}
		second, problems2 := readBack(t, buf.Bytes())
		if len(problems2) > 0 {
			t.Errorf("%s: the rewritten file has problems:\n%v", filepath.Base(name), problems2)
			continue
		}
		if len(second) != len(first) {
			t.Errorf("%s: %d remittances read back, want %d", filepath.Base(name), len(second), len(first))
			continue
		}
		for i := range second {
			second[i].ControlNumber = first[i].ControlNumber
		}
		normalize(first)
		normalize(second)
		// GS08 may name the guide where ST03 did not.
		for _, rem := range first {
			if rem.Version == "" {
				rem.Version = GuideVersion
			}
		}
		if !reflect.DeepEqual(first, second) {
			t.Errorf("%s: round trip changed the model: %s", filepath.Base(name), diffJSON(t, first, second))
		}
		n++
	}
	t.Logf("%d sample files round-tripped", n)
}

func TestWriteRefusesIncomplete(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Remittance)
		want   string
	}{
		{"no handling code", func(r *Remittance) { r.Payment.HandlingCode = "" }, "BPR01"},
		{"bad credit flag", func(r *Remittance) { r.Payment.CreditDebit = "X" }, "BPR03"},
		{"negative payment", func(r *Remittance) { r.Payment.Amount = -5 }, "BPR02"},
		{"no trace", func(r *Remittance) { r.Trace = nil }, "TRN02"},
		{"no payer", func(r *Remittance) { r.Payer.Name = "" }, "N1*PR"},
		{"no payee", func(r *Remittance) { r.Payee.Name = "" }, "N1*PE"},
		{"claim without status", func(r *Remittance) { r.Claims[1].Status = "" }, "claims[1].status"},
		{"unknown header", func(r *Remittance) { r.Claims[0].HeaderNumber = "9" }, "claims[0].header_number"},
		{"too many PLB items", func(r *Remittance) {
			r.ProviderAdjustments[0].Adjustments = make([]ProviderAdjustmentItem, 7)
		}, "1 to 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rem := sampleRemittance()
			tt.modify(rem)
			var buf bytes.Buffer
			err := Write(&buf, writeEnvelope(), rem)
			if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrIncomplete naming %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

func TestBalanced(t *testing.T) {
	rem := sampleRemittance()
	if err := rem.Balanced(); err != nil {
		t.Fatal(err)
	}
	rem.Claims[0].Lines[1].Paid++
	rem.Payment.Amount++
	err := rem.Balanced()
	if !errors.Is(err, edi.ErrBalance) || !strings.Contains(err.Error(), "claim CLM0001 line 2") || !strings.Contains(err.Error(), "payment 116.01") {
		t.Errorf("Balanced() = %v, want the line and payment differences", err)
	}
}

func TestWriteCASSplitsSixTriplets(t *testing.T) {
	rem := sampleRemittance()
	c := rem.Claims[1]
	c.Adjustments = nil
	for i := 0; i < 7; i++ {
		c.Adjustments = append(c.Adjustments, Adjustment{Group: "CO", Reason: "45", Amount: 1000})
	}
	c.Adjustments[6].Amount = 3000
	var buf bytes.Buffer
	if err := Write(&buf, writeEnvelope(), rem); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "CAS*CO*45*10**45*10**45*10**45*10**45*10**45*10~\nCAS*CO*45*30~") {
		t.Errorf("seven adjustments of one group should fill one CAS and start a second:\n%s", buf.String())
	}
	got, problems := readBack(t, buf.Bytes())
	if len(problems) > 0 || len(got[0].Claims[1].Adjustments) != 7 {
		t.Errorf("read back %d adjustments, problems %v", len(got[0].Claims[1].Adjustments), problems)
	}
}

// BenchmarkWrite writes an 835 of 1,000 claims (two lines each) and reports the output rate.
func BenchmarkWrite(b *testing.B) {
	base := sampleRemittance()
	rem := *base
	rem.Claims = nil
	for i := 0; i < 1000; i++ {
		c := *base.Claims[0]
		c.PatientControlNumber = fmt.Sprintf("CLM%06d", i)
		rem.Claims = append(rem.Claims, &c)
	}
	rem.ProviderAdjustments = nil
	rem.Payment.Amount = 1000 * base.Claims[0].Paid
	if err := rem.Balanced(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, writeEnvelope(), &rem); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := Write(&buf, writeEnvelope(), &rem); err != nil {
			b.Fatal(err)
		}
	}
}
