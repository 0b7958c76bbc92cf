package acks_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
	"github.com/claimgate/claimgate/storage/storetest"
)

// BenchmarkIngest measures ingesting, for a batch of 200 submitted claims, the 999 that accepts
// its set and then the 277CA that accepts every claim: 400 claim transitions in two files.
// The batch is built outside the timer.
func BenchmarkIngest(b *testing.B) {
	const claims = 200
	openers := map[string]func(b *testing.B) gateway.Store{
		"sqlite": func(b *testing.B) gateway.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
			must(b, err)
			return s
		},
		"postgres": func(b *testing.B) gateway.Store {
			s, err := postgres.Open(context.Background(), storetest.PostgresURL(b))
			must(b, err)
			return s
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			s := openers[name](b)
			defer s.Close()
			must(b, s.Migrate(context.Background()))
			in := newIngester(b, s, nil)
			sub := newSubmitter(b, s)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				isa := int64(1000 + 10*i)
				batch := newSentBatch(b, s, sub, isa, claims, 0)
				set := batch.setOf(isa)
				f999 := receive(b, s, gateway.Kind999, "999", write999(b, isa, x999.FunctionalAck{FunctionalID: "HC",
					GroupControlNumber: ctl(isa), Status: "A", Sets: []x999.SetResponse{{SetID: "837", ControlNumber: set.ControlNumber, Status: "A"}}}))
				var answers []x277.ClaimAck
				for _, id := range batch.claimsOfSet(isa) {
					answers = append(answers, x277.AcceptedClaim(patient, id, "P"+id, 10000, "2026-11-02"))
				}
				f277 := receive(b, s, gateway.Kind277CA, "277", write277(b, isa+1, batch277(ctl(isa), answers...)))
				b.StartTimer()
				if r := ingest(b, in, f999); r.Moved != claims {
					b.Fatalf("999 moved %d", r.Moved)
				}
				if r := ingest(b, in, f277); r.Moved != claims {
					b.Fatalf("277CA moved %d", r.Moved)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*2*claims), "µs/claim-ack")
		})
	}
}
