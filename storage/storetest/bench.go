package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// Benchmark measures the store's hot paths. open must return a fresh store; Benchmark
// migrates and closes it.
func Benchmark(b *testing.B, open func(tb testing.TB) gateway.Store) {
	ctx := context.Background()
	setup := func(b *testing.B) gateway.Store {
		s := open(b)
		b.Cleanup(func() { _ = s.Close() })
		if err := s.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		return s
	}
	b.Run("CreateClaim", func(b *testing.B) {
		s := setup(b)
		_, hash := gateway.NewToken()
		sub, err := s.CreateSubmitter(ctx, gateway.Submitter{Name: "bench", TokenHash: hash})
		if err != nil {
			b.Fatal(err)
		}
		enc := json.RawMessage(`{"claim":{"service_lines":[{"charge":"150.00"}]}}`)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			c := gateway.Claim{SubmitterID: sub.ID, ExternalID: fmt.Sprintf("E%d", i), Type: gateway.Professional,
				PayerID: "SIMPAYER", TotalCharge: 15000, LineCount: 1, Encounter: enc}
			if _, err := s.CreateClaim(ctx, c, gateway.EventInput{Source: "intake"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("JobRoundTrip", func(b *testing.B) {
		// Enqueue, claim and complete one job: the queue overhead per unit of work.
		s := setup(b)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, _, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "bench"}); err != nil {
				b.Fatal(err)
			}
			jobs, err := s.ClaimJobs(ctx, "bench", []string{"bench"}, 1, time.Now(), time.Minute)
			if err != nil || len(jobs) != 1 {
				b.Fatalf("claim: %d jobs, %v", len(jobs), err)
			}
			if err := s.CompleteJob(ctx, jobs[0].ID, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("NextControlNumbers", func(b *testing.B) {
		s := setup(b)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := s.NextControlNumbers(ctx, "SIMPAYER", gateway.CounterST, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
