package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/webhooks"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
	"github.com/claimgate/claimgate/storage/storetest"
)

// benchStores opens a fresh migrated store of each kind.
func benchStores(b *testing.B, fn func(b *testing.B, s gateway.Store)) {
	b.Run("sqlite", func(b *testing.B) {
		s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		if err := s.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		fn(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		s, err := postgres.Open(context.Background(), storetest.PostgresURL(b))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		if err := s.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		fn(b, s)
	})
}

// paidClaim creates a claim of sub and moves it to paid.
func paidClaim(b *testing.B, s gateway.Store, sub gateway.Submitter) gateway.Claim {
	ctx := context.Background()
	c, err := s.CreateClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: "B-" + sub.Name, Type: gateway.Professional,
		PayerID: "SIMPAYER", TotalCharge: 100, LineCount: 1, Encounter: json.RawMessage(`{}`)}, gateway.EventInput{})
	if err != nil {
		b.Fatal(err)
	}
	batch, err := s.CreateBatch(ctx, gateway.Batch{PayerID: "SIMPAYER", ISA13: 1000 + sub.ID, GS06: 1000 + sub.ID})
	if err != nil {
		b.Fatal(err)
	}
	for _, st := range []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusPaid} {
		ev := gateway.EventInput{}
		if st == gateway.StatusBatched {
			ev.BatchID = &batch.ID
		}
		if _, err := s.TransitionClaim(ctx, c.ID, st, ev); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

// BenchmarkTransitionOutbox is the cost the outbox trigger adds to a claim transition: one
// TransitionClaim (paid <-> reversed) for a submitter without and with a webhook.
func BenchmarkTransitionOutbox(b *testing.B) {
	benchStores(b, func(b *testing.B, s gateway.Store) {
		ctx := context.Background()
		for _, hooked := range []bool{false, true} {
			name := "no_webhook"
			if hooked {
				name = "webhook"
			}
			b.Run(name, func(b *testing.B) {
				_, hash := gateway.NewToken()
				subName := fmt.Sprintf("%s-%d", name, time.Now().UnixNano()) // unique across -count runs
				sub, err := s.CreateSubmitter(ctx, gateway.Submitter{Name: subName, TokenHash: hash})
				if err != nil {
					b.Fatal(err)
				}
				if hooked {
					if err := s.SetSubmitterWebhook(ctx, subName, "https://x.example/h", "whsec_bench"); err != nil {
						b.Fatal(err)
					}
				}
				c := paidClaim(b, s, sub)
				to := []gateway.ClaimStatus{gateway.StatusReversed, gateway.StatusPaid}
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					if _, err := s.TransitionClaim(ctx, c.ID, to[i%2], gateway.EventInput{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// BenchmarkDelivery is the worker's throughput against a local receiver answering 204: each
// iteration delivers one event (outbox rows of distinct claims, written before the timer).
func BenchmarkDelivery(b *testing.B) {
	benchStores(b, func(b *testing.B, s gateway.Store) {
		ctx := context.Background()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		_, hash := gateway.NewToken()
		sub, err := s.CreateSubmitter(ctx, gateway.Submitter{Name: "bench", TokenHash: hash})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.SetSubmitterWebhook(ctx, "bench", srv.URL, "whsec_bench"); err != nil {
			b.Fatal(err)
		}
		w, err := webhooks.New(webhooks.Config{Store: s, Concurrency: 8, Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		n := b.N
		if err := s.WithTx(ctx, func(tx gateway.Tx) error {
			for i := range n {
				if _, _, err := tx.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID, Type: gateway.EventRemittanceReceived,
					Payload: json.RawMessage(fmt.Sprintf(`{"remittance_id":%d}`, i))}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		start := time.Now()
		done := 0
		for done < n {
			k, err := w.RunOnce(ctx)
			if err != nil {
				b.Fatal(err)
			}
			done += k
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "deliveries/s")
	})
}
