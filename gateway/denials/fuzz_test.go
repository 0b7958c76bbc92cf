package denials_test

import (
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/denials"
)

// FuzzDetect feeds arbitrary acknowledgment codes, categories and adjustment codes to the
// detectors: they never panic, and every denial they return is routable (a known category, a
// queue, an action, a reason) with a positive amount for an 835 adjustment.
func FuzzDetect(f *testing.F) {
	f.Add("277CA", "A7:33:IL", "", "CO", "197", "N54", int64(15000))
	f.Add("277CA", "A1:19:PR A6:562:85", "bogus", "OA", "18", "", int64(1))
	f.Add("999", "IK501:R IK304:8", "eligibility_registration", "PI", "16", "M76", int64(-5))
	f.Add("TA1", "TA104:R::", "other", "PR", "2", "N479", int64(0))
	f.Add("277CA", ":::", "", "co", "45", "MA130", int64(9999999))
	tbl := codes.Default()
	f.Fuzz(func(t *testing.T, source, codeList, category, group, carc, rarc string, amount int64) {
		rej := gateway.Rejection{ID: 1, ClaimID: "C", PayerID: "P", Source: gateway.FileKind(source),
			Codes: strings.Fields(codeList), Category: category}
		d := denials.DetectRejection(tbl, rej, 1)
		if _, err := codes.ParseCategory(d.Category); err != nil || d.Queue == "" || d.Reason == "" || d.Action == "" {
			t.Fatalf("rejection denial not routable: %+v", d)
		}
		cp := gateway.ClaimPayment{RemittanceID: 1, Seq: 1, ClaimID: "C", SubmitterID: 1, StatusCode: "4",
			Adjustments: []gateway.RemitAdjustment{{Group: group, Reason: carc, Amount: edi.Amount(amount)}},
			Remarks:     []gateway.RemitRemark{{Source: "MOA", Code: rarc}}}
		ds := denials.DetectPayment(tbl, "P", cp)
		if len(ds) == 0 {
			t.Fatalf("a CLP02 4 claim yields no denial")
		}
		for _, d := range ds {
			if _, err := codes.ParseCategory(d.Category); err != nil || d.Queue == "" || d.Reason == "" || d.Action == "" || d.Amount < 0 {
				t.Fatalf("835 denial not routable: %+v", d)
			}
		}
	})
}

// BenchmarkDetectPayment: one paid claim of 10 lines, each with CO-45, PR-2 and, on every
// other line, a CO-197 denial with a remark.
func BenchmarkDetectPayment(b *testing.B) {
	tbl := codes.Default()
	cp := gateway.ClaimPayment{RemittanceID: 1, Seq: 1, ClaimID: "C", SubmitterID: 1, StatusCode: "1", Charge: 150000, Paid: 50000}
	for i := 0; i < 10; i++ {
		l := gateway.LinePayment{Seq: i + 1, LineNumber: i + 1, Procedure: "99214", Charge: 15000,
			Adjustments: []gateway.RemitAdjustment{{Group: "CO", Reason: "45", Amount: 4200}, {Group: "PR", Reason: "2", Amount: 2160}}}
		if i%2 == 1 {
			l.Adjustments = append(l.Adjustments, gateway.RemitAdjustment{Group: "CO", Reason: "197", Amount: 8640})
			l.Remarks = []gateway.RemitRemark{{Source: "LQ*HE", Code: "N54"}}
		}
		cp.Lines = append(cp.Lines, l)
	}
	b.ReportAllocs()
	for b.Loop() {
		if n := len(denials.DetectPayment(tbl, "P", cp)); n != 5 {
			b.Fatalf("%d denials", n)
		}
	}
}
