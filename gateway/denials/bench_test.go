package denials_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/denials"
)

// BenchmarkSweepIdle is the cost of a routing run that finds nothing new, over a store holding
// 20,000 claim payments (200 remittances of 100) that were all routed before: what every replica pays
// every interval. Both stores.
func BenchmarkSweepIdle(b *testing.B) {
	const payments, perRemittance = 20000, 100
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			ctx := context.Background()
			s := st.open(b)
			b.Cleanup(func() { _ = s.Close() })
			ok(b, s.Migrate(ctx))
			sub := newSubmitter(b, s, "bench")
			e := encounter(b, "prof_one_line")
			c, _ := storeClaim(b, s, sub, e, "SIMBENCH")
			for r := 0; r < payments/perRemittance; r++ {
				f, _, err := s.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: "SIMPAYER", Name: "b" + strconv.Itoa(r),
					Kind: gateway.Kind835, Bytes: []byte("bench-" + strconv.Itoa(r))})
				ok(b, err)
				rem, err := s.CreateRemittance(ctx, gateway.Remittance{FileID: f.ID, PayerID: "SIMPAYER", TraceNumber: "T" + strconv.Itoa(r)})
				ok(b, err)
				cps := make([]gateway.ClaimPayment, perRemittance)
				for i := range cps {
					cps[i] = gateway.ClaimPayment{Seq: i + 1, ClaimID: c.ID, SubmitterID: sub.ID, MatchedBy: gateway.MatchPCN,
						PatientControlNumber: c.ID, StatusCode: "1", Charge: 15000, Paid: 15000}
				}
				ok(b, s.AddClaimPayments(ctx, rem.ID, cps))
			}
			r, err := denials.New(denials.Config{Store: s, Logger: quiet, Batch: 1000})
			ok(b, err)
			res, err := r.Sweep(ctx)
			ok(b, err)
			if res.Payments != payments {
				b.Fatalf("first sweep routed %d payments", res.Payments)
			}
			b.ResetTimer()
			for b.Loop() {
				res, err := r.Sweep(ctx)
				ok(b, err)
				if res.Payments != 0 {
					b.Fatalf("idle sweep routed %d", res.Payments)
				}
			}
		})
	}
}
