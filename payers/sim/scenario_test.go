package sim

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/internal/samples"
)

func TestParseScenario(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
		check   func(*testing.T, *Scenario)
	}{
		{name: "empty file takes the defaults", yaml: "", check: func(t *testing.T, s *Scenario) {
			if s.Payer.Name != "SIMULATED HEALTH PLAN" || s.allowed() != 10000 || s.coinsurance() != 0 {
				t.Errorf("defaults: %+v", s)
			}
		}},
		{name: "unquoted numbers", yaml: "adjudication: {allowed_percent: 72.5, deductible: 50, copay: 12.5, coinsurance_percent: 20}", check: func(t *testing.T, s *Scenario) {
			a := s.Adjudication
			if s.allowed() != 7250 || a.Deductible != 5000 || a.Copay != 1250 || s.coinsurance() != 2000 {
				t.Errorf("adjudication: %+v", a)
			}
		}},
		{name: "codes normalised", yaml: "line_denials: [{diagnosis: z00.00, procedure: '99215', group: co, reason: '11', remarks: [n54]}]", check: func(t *testing.T, s *Scenario) {
			d := s.LineDenials[0]
			if d.Diagnosis != "Z0000" || d.Group != "CO" || d.Remarks[0] != "N54" {
				t.Errorf("denial: %+v", d)
			}
		}},
		{name: "unknown field", yaml: "adjudication: {allowed_percentage: 72}", wantErr: "allowed_percentage"},
		{name: "percent over 100", yaml: "adjudication: {allowed_percent: 101}", wantErr: "allowed_percent"},
		{name: "three decimals", yaml: "adjudication: {deductible: 1.005}", wantErr: "decimal"},
		{name: "accepting category", yaml: "rejections: [{category: A2, code: '20'}]", wantErr: "must be A3, A4, A6, A7 or A8"},
		{name: "bad group", yaml: "line_denials: [{procedure: '97530', group: XX, reason: '197'}]", wantErr: "must be CO, OA, PI or PR"},
		{name: "bad remark", yaml: "line_denials: [{procedure: '97530', group: CO, reason: '197', remarks: ['54N']}]", wantErr: "remark code"},
		{name: "separator in a name", yaml: "payer: {name: 'A*B'}", wantErr: "separator"},
		{name: "zero PLB", yaml: "provider_adjustments: [{reason: WO, amount: 0}]", wantErr: "must not be zero"},
		{name: "bad tax id", yaml: "payer: {tax_id: '12'}", wantErr: "nine digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseScenario(strings.NewReader(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

func TestExampleAndDefaultScenarios(t *testing.T) {
	s, err := LoadScenario(filepath.Join(samples.MustRepoRoot(t), "testdata", "sim", "scenarios.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rejections) != 2 || len(s.LineDenials) != 4 || len(s.ProviderAdjustments) != 2 || !s.Reversals.Replacements {
		t.Errorf("example scenario: %+v", s)
	}
	d := DefaultScenario()
	if d.allowed() != 7200 || d.coinsurance() != 2000 || len(d.LineDenials) != 4 || len(d.ProviderAdjustments) != 0 {
		t.Errorf("default scenario: %+v", d)
	}
}

// oneLineClaim is a professional claim with the given lines (procedure, charge in cents).
func oneLineClaim(pcn string, lines ...x837.ServiceLine) *x837.Claim {
	c := &x837.Claim{Type: x837.Professional, PatientControlNumber: pcn, Frequency: "1", PlaceOfService: "11",
		Subscriber: x837.Subscriber{MemberID: "M123", LastName: "DOE", FirstName: "JO"}, Diagnoses: []string{"E119"},
		BillingProvider: x837.BillingProvider{NPI: "1234567893", OrganizationName: "LAKESIDE", TaxID: "411234567"}}
	for i, l := range lines {
		l.ControlNumber = pcn + "-" + string(rune('1'+i))
		l.Units = "1"
		l.ServiceDate = x837.NewDate(2026, 11, 2)
		c.Lines = append(c.Lines, l)
		c.TotalCharge += l.Charge
	}
	return c
}

func TestAdjudicate(t *testing.T) {
	scen, err := ParseScenario(strings.NewReader(`
adjudication: {allowed_percent: "80", deductible: "30", copay: "15", coinsurance_percent: "10"}
claim_denials: [{member_id_prefix: NOCOV, group: CO, reason: "27", remarks: [N30]}]
line_denials:
  - {procedure: "97530", group: CO, reason: "197", remarks: [N54]}
  - {procedure: "99215", diagnosis: Z00.00, group: CO, reason: "11"}
  - {modifier: "59", group: PR, reason: "96"}
`))
	if err != nil {
		t.Fatal(err)
	}
	line := func(code string, cents edi.Amount, mods ...string) x837.ServiceLine {
		return x837.ServiceLine{ProcedureCode: code, Charge: cents, Modifiers: mods}
	}
	tests := []struct {
		name       string
		claim      *x837.Claim
		wantStatus string
		wantPaid   edi.Amount
		wantPR     edi.Amount
		wantCARCs  []string // every CAS group-reason, claim level first
	}{
		// 100 -> 80 allowed; 30 deductible, 15 copay, 10% of 35 = 3.50 -> 31.50 paid.
		{"paid", oneLineClaim("P1", line("99213", 10000)), "1", 3150, 4850, []string{"CO-45", "PR-1", "PR-3", "PR-2"}},
		// deductible spread over two lines of 20 (16 allowed each).
		{"deductible over lines", oneLineClaim("P2", line("99213", 2000), line("99213", 2000)), "1", 0, 3200, []string{"CO-45", "PR-1", "CO-45", "PR-1", "PR-3"}},
		{"line denied", oneLineClaim("P3", line("99213", 10000), line("97530", 5000)), "1", 3150, 4850, []string{"CO-45", "PR-1", "PR-3", "PR-2", "CO-197"}},
		{"diagnosis and procedure", func() *x837.Claim {
			c := oneLineClaim("P4", line("99215", 20000))
			c.Diagnoses = []string{"Z0000"}
			return c
		}(), "4", 0, 0, []string{"CO-11"}},
		{"diagnosis alone does not deny", func() *x837.Claim {
			c := oneLineClaim("P5", line("99213", 10000))
			c.Diagnoses = []string{"Z0000"}
			return c
		}(), "1", 3150, 4850, []string{"CO-45", "PR-1", "PR-3", "PR-2"}},
		{"patient responsibility denial", oneLineClaim("P6", line("20610", 10000, "59")), "4", 0, 10000, []string{"PR-96"}},
		{"whole claim denied", func() *x837.Claim {
			c := oneLineClaim("P7", line("99213", 10000))
			c.Subscriber.MemberID = "NOCOV1"
			return c
		}(), "4", 0, 0, []string{"CO-27"}},
		{"secondary payer", func() *x837.Claim {
			c := oneLineClaim("P8", line("99213", 10000))
			c.Subscriber.PayerResponsibility = "S"
			return c
		}(), "2", 3150, 4850, []string{"CO-45", "PR-1", "PR-3", "PR-2"}},
		{"CLM02 above its lines", func() *x837.Claim {
			c := oneLineClaim("P9", line("99213", 10000))
			c.TotalCharge = 10500
			return c
		}(), "1", 3150, 4850, []string{"CO-16", "CO-45", "PR-1", "PR-3", "PR-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := scen.Adjudicate(tt.claim, "SIM1", "20261120")
			var carcs []string
			for _, a := range cp.Adjustments {
				carcs = append(carcs, a.Group+"-"+a.Reason)
			}
			for _, l := range cp.Lines {
				for _, a := range l.Adjustments {
					carcs = append(carcs, a.Group+"-"+a.Reason)
				}
			}
			if cp.Status != tt.wantStatus || cp.Paid != tt.wantPaid || cp.PatientResponsibility != tt.wantPR || strings.Join(carcs, " ") != strings.Join(tt.wantCARCs, " ") {
				t.Errorf("status %s paid %s patient %s CAS %v; want %s %s %s %v", cp.Status, cp.Paid, cp.PatientResponsibility, carcs,
					tt.wantStatus, tt.wantPaid, tt.wantPR, tt.wantCARCs)
			}
			if cp.Charge-cp.Paid != cp.AdjustmentTotal() {
				t.Errorf("claim does not balance: %s - %s != %s", cp.Charge, cp.Paid, cp.AdjustmentTotal())
			}
			rev := Reverse(cp)
			if rev.Status != "22" || rev.Charge != -cp.Charge || rev.Paid != -cp.Paid || rev.Charge-rev.Paid != rev.AdjustmentTotal() {
				t.Errorf("reversal does not negate and balance: %+v", rev)
			}
			for i := range cp.Lines {
				if cp.Lines[i].ControlNumber != tt.claim.Lines[i].ControlNumber || rev.Lines[i].Charge != -cp.Lines[i].Charge {
					t.Errorf("line %d: REF*6R %q, reversal charge %s", i, cp.Lines[i].ControlNumber, rev.Lines[i].Charge)
				}
			}
		})
	}
}

func TestPayerClaimNumber(t *testing.T) {
	c := oneLineClaim("C1", x837.ServiceLine{ProcedureCode: "99213", Charge: 100})
	a := PayerClaimNumber("SIM", "CLAIMGATE01", c)
	if a != PayerClaimNumber("SIM", "CLAIMGATE01", c) || len(a) != 15 || !strings.HasPrefix(a, "SIM") {
		t.Errorf("payer claim number %q is not stable or not SIM + 12 digits", a)
	}
	r := *c
	r.Frequency, r.PayerClaimNumber = "7", a
	if b := PayerClaimNumber("SIM", "CLAIMGATE01", &r); b == a {
		t.Error("a replacement gets the number of the claim it replaces")
	}
	if b := PayerClaimNumber("SIM", "OTHER", c); b == a {
		t.Error("two submitters' claims share a number")
	}
}

// TestVoids: a void of a claim the simulator paid reverses it and pays nothing new; a void of
// an unknown claim is denied (CO-129).
func TestVoids(t *testing.T) {
	scen := DefaultScenario()
	st := newState()
	paid := oneLineClaim("V1", x837.ServiceLine{ProcedureCode: "99213", Charge: 10000})
	p := &processor{scen: scen, st: st, now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	ic := &x837.Interchange{Sender: x837.Sender{ISAID: "CLAIMGATE01", GSID: "CLAIMGATE01", Name: "CG"},
		Receiver: x837.Receiver{ISAID: "SIMPAYER", GSID: "SIMPAYER"}}
	first := acceptedClaim{claim: paid, pcn: PayerClaimNumber("SIM", "CLAIMGATE01", paid)}
	if err := p.remit(ic, []acceptedClaim{first}); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Paid[first.pcn]; !ok {
		t.Fatal("the payment is not remembered")
	}
	void := *paid
	void.Frequency, void.PayerClaimNumber = x837.FrequencyVoid, first.pcn
	unknown := *paid
	unknown.PatientControlNumber, unknown.Frequency, unknown.PayerClaimNumber = "V2", x837.FrequencyVoid, "SIM000000000000"
	p.out = nil
	if err := p.remit(ic, []acceptedClaim{{claim: &void, pcn: "X1"}, {claim: &unknown, pcn: "X2"}}); err != nil {
		t.Fatal(err)
	}
	if len(p.out) != 1 {
		t.Fatalf("%d 835s", len(p.out))
	}
	r := x835.NewReader(edi.NewReader(strings.NewReader(string(p.out[0].data))))
	rem, err := r.Next()
	if err != nil || len(r.Errors()) > 0 {
		t.Fatalf("%v %v", err, r.Errors())
	}
	if len(rem.Claims) != 2 || !rem.Claims[0].IsReversal() || rem.Claims[1].Status != "4" || rem.Claims[1].Adjustments[0].Reason != "129" {
		t.Fatalf("claims: %+v %+v", rem.Claims[0], rem.Claims[1])
	}
	// 72% of 100 less 20% coinsurance = 57.60 taken back: nothing paid, the balance forwarded.
	if rem.Payment.HandlingCode != "H" || rem.Payment.Amount != 0 || rem.Totals.ProviderAdjustments != -5760 || !rem.Totals.Balanced ||
		rem.ProviderAdjustments[0].Adjustments[0].Reason != "FB" {
		t.Errorf("payment %+v totals %+v PLB %+v", rem.Payment, rem.Totals, rem.ProviderAdjustments)
	}
	if len(st.Paid) != 0 {
		t.Errorf("the voided payment is still remembered: %v", st.Paid)
	}
}
