package x835

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
)

// wrap builds an 835 interchange from body segments (without terminators), one segment per
// line, with correct SE, GE and IEA counts.
func wrap(control string, body ...string) string {
	var b strings.Builder
	b.WriteString("ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*LAKESIDE       *261120*1200*^*00501*000000001*0*T*:~\n")
	b.WriteString("GS*HP*ACMEHEALTH*LAKESIDE*20261120*1200*1*X*005010X221A1~\n")
	fmt.Fprintf(&b, "ST*835*%s*005010X221A1~\n", control)
	for _, s := range body {
		b.WriteString(s)
		b.WriteString("~\n")
	}
	fmt.Fprintf(&b, "SE*%d*%s~\nGE*1*1~\nIEA*1*000000001~\n", len(body)+2, control)
	return b.String()
}

// header returns the segments before the first LX with BPR02 = payment (BPR03 = flag).
func header(payment, flag string) []string {
	return []string{
		"BPR*I*" + payment + "*" + flag + "*ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765*20261120",
		"TRN*1*EFT0001*1512345678",
		"REF*EV*LAKESIDE01",
		"DTM*405*20261119",
		"N1*PR*ACME HEALTH PLAN",
		"N3*1 MAIN ST",
		"N4*SPRINGFIELD*IL*62701",
		"REF*2U*ACME01",
		"PER*BL*EDI SUPPORT*TE*8005551212*EM*edi@example.com",
		"N1*PE*LAKESIDE FAMILY MEDICINE*XX*1234567893",
		"N4*MINNEAPOLIS*MN*554010000",
		"REF*TJ*123456789",
		"LX*1",
	}
}

func doc(payment, flag string, detail ...string) string {
	return wrap("0001", append(header(payment, flag), detail...)...)
}

// readAll reads every remittance of text and returns them with the recorded problems.
func readAll(t *testing.T, text string) ([]*Remittance, edi.Errors) {
	t.Helper()
	r := NewReader(edi.NewReader(strings.NewReader(text)))
	var out []*Remittance
	for {
		rem, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, rem)
	}
	// The fast path must agree with the model on every document.
	var fast []Totals
	if err := ReadTotals(strings.NewReader(text), func(_ TransactionInfo, tot Totals) error {
		fast = append(fast, tot)
		return nil
	}); err != nil {
		t.Fatalf("ReadTotals: %v", err)
	}
	if len(fast) != len(out) {
		t.Fatalf("ReadTotals found %d sets, Next %d", len(fast), len(out))
	}
	for i := range fast {
		if fast[i] != out[i].Totals {
			t.Errorf("set %d: ReadTotals %+v, model %+v", i, fast[i], out[i].Totals)
		}
	}
	return out, r.Errors()
}

// position returns where the segment starting with prefix is in text: byte offset, 1-based
// segment index and 1-based line (one segment per line).
func position(t *testing.T, text, prefix string) (int64, int, int) {
	t.Helper()
	i := strings.Index(text, "\n"+prefix)
	if i < 0 {
		t.Fatalf("segment %q not in the document", prefix)
	}
	i++
	n := strings.Count(text[:i], "~")
	return int64(i), n + 1, strings.Count(text[:i], "\n") + 1
}

func codes(es edi.Errors) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Code)
	}
	return out
}

func amt(s string) edi.Amount {
	a, err := edi.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

func TestScenarios(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		totals Totals
		check  func(t *testing.T, rem *Remittance)
	}{
		{
			name: "reversal then repayment",
			text: doc("20", "C",
				"CLP*CLM1*22*-150*-100**12*PCN9001*11*1", "CAS*CO*45*-50", "NM1*QC*1*DOE*JOHN****MI*XYZ123456789",
				"CLP*CLM1*1*150*120**12*PCN9002*11*1", "CAS*CO*45*30", "NM1*QC*1*DOE*JOHN****MI*XYZ123456789"),
			totals: Totals{ClaimCount: 2, ReversalCount: 1, Charged: 0, Paid: amt("20"), PaymentAmount: amt("20"), Balanced: true},
			check: func(t *testing.T, rem *Remittance) {
				c0, c1 := rem.Claims[0], rem.Claims[1]
				if !c0.IsReversal() || c1.IsReversal() {
					t.Errorf("IsReversal = %v, %v; want true, false", c0.IsReversal(), c1.IsReversal())
				}
				if c0.PatientControlNumber != c1.PatientControlNumber || c0.Paid != amt("-100") || c1.Paid != amt("120") {
					t.Errorf("claims %+v / %+v", c0, c1)
				}
				if c0.Adjustments[0] != (Adjustment{Group: "CO", Reason: "45", Amount: amt("-50")}) {
					t.Errorf("reversal CAS %+v", c0.Adjustments)
				}
			},
		},
		{
			name: "split claim",
			text: doc("100", "C",
				"CLP*CLM2*1*200*60**12*PCN1*11*1", "SVC*HC:99214*200*60**1", "DTM*472*20261101", "CAS*CO*45*140", "REF*6R*CLM2-1",
				"CLP*CLM2*1*150*40**12*PCN2*11*1", "SVC*HC:99213*150*40**1", "DTM*472*20261101", "CAS*CO*45*110", "REF*6R*CLM2-2"),
			totals: Totals{ClaimCount: 2, Charged: amt("350"), Paid: amt("100"), PaymentAmount: amt("100"), Balanced: true},
			check: func(t *testing.T, rem *Remittance) {
				a, b := rem.Claims[0], rem.Claims[1]
				if a.PatientControlNumber != "CLM2" || b.PatientControlNumber != "CLM2" || a.PayerClaimNumber == b.PayerClaimNumber {
					t.Errorf("split claims %q/%q %q/%q", a.PatientControlNumber, a.PayerClaimNumber, b.PatientControlNumber, b.PayerClaimNumber)
				}
				if len(a.Lines) != 1 || len(b.Lines) != 1 || a.Lines[0].ControlNumber != "CLM2-1" || b.Lines[0].ControlNumber != "CLM2-2" {
					t.Errorf("lines %+v / %+v", a.Lines, b.Lines)
				}
			},
		},
		{
			name: "line-level denial inside a paid claim",
			text: doc("100", "C",
				"CLP*CLM3*1*250*100*20*12*PCN3*11*1",
				"SVC*HC:99214*150*100**1", "DTM*472*20261101", "CAS*CO*45*30", "CAS*PR*3*20", "REF*6R*L1", "AMT*B6*120",
				"SVC*HC:93000:26*100*0**1", "DTM*472*20261101", "CAS*CO*50*100", "REF*6R*L2", "LQ*HE*N115"),
			totals: Totals{ClaimCount: 1, Charged: amt("250"), Paid: amt("100"), PaymentAmount: amt("100"), Balanced: true},
			check: func(t *testing.T, rem *Remittance) {
				c := rem.Claims[0]
				if len(c.Lines) != 2 {
					t.Fatalf("%d lines", len(c.Lines))
				}
				paid, denied := c.Lines[0], c.Lines[1]
				if a, ok := paid.Allowed(); !ok || a != amt("120") {
					t.Errorf("allowed %v %v", a, ok)
				}
				if denied.Paid != 0 || denied.ControlNumber != "L2" || len(denied.Adjustments) != 1 ||
					denied.Adjustments[0] != (Adjustment{Group: "CO", Reason: "50", Amount: amt("100")}) {
					t.Errorf("denied line %+v", denied)
				}
				if len(denied.Remarks) != 1 || denied.Remarks[0] != (Remark{Qualifier: "HE", Code: "N115"}) {
					t.Errorf("remarks %+v", denied.Remarks)
				}
				if denied.Procedure.Code != "93000" || len(denied.Procedure.Modifiers) != 1 || denied.Procedure.Modifiers[0] != "26" {
					t.Errorf("procedure %+v", denied.Procedure)
				}
				if c.PatientResponsibility != amt("20") || c.AdjustmentTotal() != amt("150") {
					t.Errorf("patient responsibility %v, adjustments %v", c.PatientResponsibility, c.AdjustmentTotal())
				}
			},
		},
		{
			name: "PLB WO recoupment and L6 interest",
			text: doc("32.5", "C",
				"CLP*CLM4*1*100*80**12*PCN4*11*1", "CAS*CO*45*20",
				"PLB*1234567893*20261231*WO:PCN8888*50*L6*-2.5"),
			totals: Totals{ClaimCount: 1, Charged: amt("100"), Paid: amt("80"), PaymentAmount: amt("32.5"),
				ProviderAdjustmentCount: 1, ProviderAdjustments: amt("47.5"), Balanced: true},
			check: func(t *testing.T, rem *Remittance) {
				if len(rem.ProviderAdjustments) != 1 {
					t.Fatalf("%d PLB", len(rem.ProviderAdjustments))
				}
				p := rem.ProviderAdjustments[0]
				want := []ProviderAdjustmentItem{{Reason: "WO", Reference: "PCN8888", Amount: amt("50")}, {Reason: "L6", Amount: amt("-2.5")}}
				if p.ProviderID != "1234567893" || p.FiscalPeriodDate != "20261231" || fmt.Sprint(p.Adjustments) != fmt.Sprint(want) {
					t.Errorf("PLB %+v", p)
				}
			},
		},
		{
			name: "debit payment",
			text: doc("30", "D",
				"CLP*CLM5*22*-100*-30**12*PCN5*11*1", "CAS*CO*45*-70"),
			totals: Totals{ClaimCount: 1, ReversalCount: 1, Charged: amt("-100"), Paid: amt("-30"), PaymentAmount: amt("-30"), Balanced: true},
			check: func(t *testing.T, rem *Remittance) {
				if rem.Payment.Amount != amt("30") || rem.Payment.CreditDebit != "D" || rem.Payment.Signed() != amt("-30") {
					t.Errorf("payment %+v", rem.Payment)
				}
			},
		},
		{
			name: "crossover",
			text: doc("300", "C",
				"CLP*CLM6*19*500*300*50*MB*PCN6*11*1", "CAS*PR*1*50", "CAS*CO*45*150",
				"NM1*QC*1*DOE*JANE****MI*1EG4TE5MK72", "NM1*TT*2*MEDIGAP PLAN*****PI*55555", "REF*F8*ORIG1"),
			totals: Totals{ClaimCount: 1, Charged: amt("500"), Paid: amt("300"), PaymentAmount: amt("300"), Balanced: true},
			check: func(t *testing.T, rem *Remittance) {
				c := rem.Claims[0]
				if !c.IsForwarded() || c.CrossoverCarrier == nil || c.CrossoverCarrier.LastName != "MEDIGAP PLAN" || c.CrossoverCarrier.ID != "55555" {
					t.Errorf("crossover %+v carrier %+v", c, c.CrossoverCarrier)
				}
				if len(c.References) != 1 || c.References[0] != (Reference{Qualifier: "F8", Value: "ORIG1"}) {
					t.Errorf("references %+v", c.References)
				}
			},
		},
		{
			name: "crossover status 20 without lines",
			text: doc("0", "C",
				"CLP*CLM7*20*80*0**MC*PCN7*11*1", "CAS*OA*23*80", "NM1*TT*2*STATE MEDICAID*****PI*77777"),
			totals: Totals{ClaimCount: 1, Charged: amt("80"), Balanced: true},
			check: func(t *testing.T, rem *Remittance) {
				if c := rem.Claims[0]; !c.IsForwarded() || c.CrossoverCarrier == nil || c.IsReversal() {
					t.Errorf("claim %+v", c)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rems, errs := readAll(t, tt.text)
			if len(errs) != 0 {
				t.Errorf("unexpected problems: %v", errs)
			}
			if len(rems) != 1 {
				t.Fatalf("%d remittances", len(rems))
			}
			if rems[0].Totals != tt.totals {
				t.Errorf("totals\n got %+v\nwant %+v", rems[0].Totals, tt.totals)
			}
			tt.check(t, rems[0])
		})
	}
}

// TestBalancingErrors checks that each balancing problem is reported once, wraps
// edi.ErrBalance, and is positioned at the segment that does not add up.
func TestBalancingErrors(t *testing.T) {
	text := doc("130", "C",
		"CLP*GOOD*1*50*50**12*P0*11*1",
		"CLP*BADCLM*1*100*70**12*P1*11*1", "CAS*CO*45*20",
		"SVC*HC:99213*100*70**1", "DTM*472*20261101", "CAS*CO*45*25", "REF*6R*BADLINE",
		"SVC*HC:99212*0*0**1", "REF*6R*ZERO",
	)
	rems, errs := readAll(t, text)
	if len(rems) != 1 || rems[0].Totals.Balanced {
		t.Fatalf("remittances %d, totals %+v", len(rems), rems[0].Totals)
	}
	type want struct {
		code, seg string
		element   int
		prefix    string
		loop      string
	}
	wants := []want{
		{"line_not_balanced", "SVC", 0, "SVC*HC:99213", "2110"},
		{"claim_not_balanced", "CLP", 0, "CLP*BADCLM", "2100"},
		{"payment_not_balanced", "BPR", 2, "BPR*", "Header"},
	}
	if len(errs) != len(wants) {
		t.Fatalf("problems %v, want %d", codes(errs), len(wants))
	}
	for i, w := range wants {
		e := errs[i]
		off, idx, line := position(t, text, w.prefix)
		if e.Code != w.code || e.SegmentID != w.seg || e.Element != w.element || e.Offset != off || e.SegmentIndex != idx || e.Line != line ||
			e.Loop != w.loop || e.Transaction != "0001" || !errors.Is(e, edi.ErrBalance) {
			t.Errorf("problem %d = %+v\nwant %s at %s element %d offset %d index %d line %d loop %s", i, *e, w.code, w.seg, w.element, off, idx, line, w.loop)
		}
	}
	if !strings.Contains(errs[0].Msg, "BADLINE") || !strings.Contains(errs[1].Msg, "difference -15.00") || !strings.Contains(errs[2].Msg, "difference 10.00") {
		t.Errorf("messages:\n%v", errs)
	}
}

// TestSetBoundaries checks sets cut short (no SE), non-835 sets in the same file, and values
// that cannot be read.
func TestSetBoundaries(t *testing.T) {
	// Cut the first interchange after its last claim: the next ISA closes the set.
	first := doc("50", "C", "CLP*A*1*50*50**12")
	first = first[:strings.Index(first, "\nSE*")+1]
	other := strings.ReplaceAll(wrap("0002", "BHT*0019*00*1*20261120*1200*CH", "CLP*X*1*999*999**12"), "ST*835", "ST*837")
	third := strings.ReplaceAll(doc("abc", "C", "CLP*B*1*10*1x**12", "CAS*CO*45*9"), "000000001", "000000003")
	rems, errs := readAll(t, first+other+third)
	if len(rems) != 2 {
		t.Fatalf("%d remittances, want 2 (the 837 skipped)", len(rems))
	}
	if rems[0].Totals.ClaimCount != 1 || rems[0].Totals.Paid != amt("50") || !rems[0].Totals.Balanced {
		t.Errorf("first set %+v", rems[0].Totals)
	}
	if rems[1].Totals.Paid != 0 || rems[1].Totals.PaymentAmount != 0 {
		t.Errorf("third set %+v", rems[1].Totals)
	}
	got := strings.Join(codes(errs), " ")
	for _, c := range []string{"missing_se", "invalid_amount", "claim_not_balanced"} {
		if !strings.Contains(got, c) {
			t.Errorf("problems %q lack %s", got, c)
		}
	}
}

func TestMisplacedSegments(t *testing.T) {
	text := doc("0", "C", "CAS*CO*45*10", "SVC*HC:99213*10*0", "CLP*A*1*0*0**12", "N3*NOT HERE", "NM1*ZZ*1*X")
	rems, errs := readAll(t, text)
	if len(rems) != 1 || rems[0].Totals.ClaimCount != 1 {
		t.Fatalf("remittances %+v", rems)
	}
	got := strings.Join(codes(errs), " ")
	if got != "unexpected_segment unexpected_segment unexpected_segment invalid_code" {
		t.Errorf("problems %q", got)
	}
	for _, e := range errs {
		if e.Code == "unexpected_segment" && !errors.Is(e, edi.ErrStructure) {
			t.Errorf("%v is not a structure error", e)
		}
	}
}

func TestTotalsJSON(t *testing.T) {
	tot := Totals{ClaimCount: 9, Charged: amt("1234"), Paid: amt("810.8"), PaymentAmount: amt("810.8"), Balanced: true}
	b, err := json.Marshal(tot)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"claim_count":9,"reversal_count":0,"charged":"1234.00","paid":"810.80","payment_amount":"810.80",` +
		`"provider_adjustment_count":0,"provider_adjustments":"0.00","balanced":true}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
}

func TestReadTotalsCallbackError(t *testing.T) {
	stop := errors.New("stop")
	err := ReadTotals(strings.NewReader(doc("0", "C")), func(TransactionInfo, Totals) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("err = %v, want the callback's error wrapped", err)
	}
	err = ReadTotals(strings.NewReader("not x12 at all"), func(TransactionInfo, Totals) error { return nil })
	if !errors.Is(err, edi.ErrSyntax) {
		t.Errorf("err = %v, want a syntax error", err)
	}
}

func TestReadTotalsInfo(t *testing.T) {
	var infos []TransactionInfo
	text := doc("0", "C") + strings.Replace(doc("0", "C"), "ST*835*0001", "ST*835*0002", 1)
	if err := ReadTotals(strings.NewReader(text), func(info TransactionInfo, _ Totals) error {
		infos = append(infos, info)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].ControlNumber != "0001" || infos[1].ControlNumber != "0002" {
		t.Fatalf("infos %+v", infos)
	}
	for _, in := range infos {
		if in.InterchangeControlNumber != "000000001" || in.GroupControlNumber != "1" || !in.Complete {
			t.Errorf("info %+v", in)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden reads testdata/full.835, which uses every segment of the guide, and compares the
// model's JSON with testdata/full.json (go test -run TestGolden -update rewrites it).
func TestGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "full.835"))
	if err != nil {
		t.Fatal(err)
	}
	rems, errs := readAll(t, string(data))
	if len(errs) != 0 {
		t.Errorf("problems in a clean file: %v", errs)
	}
	got, err := json.MarshalIndent(rems, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "full.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("JSON differs from %s (run with -update after checking the change):\n%s", golden, got)
	}
	if len(rems) == 1 && !rems[0].Totals.Balanced {
		t.Errorf("full.835 does not balance: %+v", rems[0].Totals)
	}
}

// TestSkipClaims checks that NextTransaction skips the claims of a set not read to the end, and
// that its totals still count them.
func TestSkipClaims(t *testing.T) {
	one := doc("50", "C", "CLP*A*1*50*50**12", "CLP*B*1*10*0**12", "CAS*CO*45*10")
	two := strings.Replace(doc("7", "C", "CLP*C*1*7*7**12"), "ST*835*0001", "ST*835*0002", 1)
	two = strings.Replace(two, "SE*16*0001", "SE*16*0002", 1)
	r := NewReader(edi.NewReader(strings.NewReader(one + two)))
	first, err := r.NextTransaction()
	if err != nil {
		t.Fatal(err)
	}
	if c, err := r.NextClaim(); err != nil || c.PatientControlNumber != "A" {
		t.Fatalf("first claim %+v, %v", c, err)
	}
	second, err := r.NextTransaction()
	if err != nil {
		t.Fatal(err)
	}
	if first.Totals.ClaimCount != 2 || !first.Totals.Balanced {
		t.Errorf("skipped set totals %+v", first.Totals)
	}
	if second.ControlNumber != "0002" {
		t.Errorf("second set %q", second.ControlNumber)
	}
	if c, err := r.NextClaim(); err != nil || c.PatientControlNumber != "C" {
		t.Fatalf("second set claim %+v, %v", c, err)
	}
	if _, err := r.NextClaim(); err != io.EOF {
		t.Fatalf("after the last claim: %v", err)
	}
	if _, err := r.NextTransaction(); err != io.EOF {
		t.Fatalf("after the last set: %v", err)
	}
	if errs := r.Errors(); len(errs) != 0 {
		t.Errorf("problems: %v", errs)
	}
}
