package sim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/internal/samples"
)

// FuzzParseScenario: any scenario ParseScenario accepts adjudicates claims that balance, with
// amounts that are never negative for an original claim.
func FuzzParseScenario(f *testing.F) {
	f.Add(defaultScenarioYAML)
	if data, err := os.ReadFile(filepath.Join(samples.MustRepoRoot(f), "testdata", "sim", "scenarios.yaml")); err == nil {
		f.Add(string(data))
	}
	f.Add("adjudication: {allowed_percent: 100, deductible: 99999999, copay: 0.01, coinsurance_percent: 99.99}")
	f.Add("line_denials: [{modifier: '59', group: PR, reason: '96'}]\nclaim_denials: [{frequency: '1', group: OA, reason: '23'}]")
	f.Fuzz(func(t *testing.T, doc string) {
		s, err := ParseScenario(strings.NewReader(doc))
		if err != nil {
			return
		}
		claims := []*x837.Claim{
			oneLineClaim("F1", x837.ServiceLine{ProcedureCode: "99213", Charge: 12345}, x837.ServiceLine{ProcedureCode: "97530", Charge: 1, Modifiers: []string{"59"}}),
			oneLineClaim("F2", x837.ServiceLine{ProcedureCode: "99215", Charge: 99999999}),
		}
		for _, c := range claims {
			cp := s.Adjudicate(c, "SIM1", "20261120")
			if cp.Charge-cp.Paid != cp.AdjustmentTotal() {
				t.Fatalf("claim %s does not balance: %s - %s != %s", c.PatientControlNumber, cp.Charge, cp.Paid, cp.AdjustmentTotal())
			}
			if cp.Paid < 0 || cp.PatientResponsibility < 0 || cp.Paid > cp.Charge {
				t.Fatalf("claim %s: paid %s, patient %s of %s", c.PatientControlNumber, cp.Paid, cp.PatientResponsibility, cp.Charge)
			}
			for _, l := range cp.Lines {
				if l.Charge-l.Paid != sumAdj(l.Adjustments) || l.Paid < 0 {
					t.Fatalf("line %s does not balance", l.ControlNumber)
				}
			}
		}
	})
}

func sumAdj(as []x835.Adjustment) (n edi.Amount) {
	for _, a := range as {
		n += a.Amount
	}
	return n
}
