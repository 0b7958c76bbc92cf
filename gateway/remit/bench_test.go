package remit

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
	"github.com/claimgate/claimgate/storage/storetest"
)

// benchClaims is the size of the generated 835 of the posting benchmarks.
const benchClaims = 20000

// BenchmarkPostPostgres posts a generated 835 of 20,000 claim payments (one service line,
// CO-45 and PR-2 each, every claim ours) into Postgres and reports claims/s. The claims are
// where the loop leaves them before payment: accepted by a 277CA, which gave them the payer
// claim number the 835 repeats in CLP07. Setup is not timed: the claims are stored, then
// vacuumed and checkpointed, as claims submitted days before their payment would be; the 835
// is generated.
func BenchmarkPostPostgres(b *testing.B) {
	benchPost(b, openBenchPostgres(b), benchOptions{})
}

// BenchmarkPostPostgresWebhooks is BenchmarkPostPostgres for a submitter with a webhook
// endpoint: each claim move also queues a claim.paid delivery in the outbox.
func BenchmarkPostPostgresWebhooks(b *testing.B) {
	benchPost(b, openBenchPostgres(b), benchOptions{webhooks: true})
}

// BenchmarkPostPostgresUnacknowledged is BenchmarkPostPostgres for claims that never had a
// 999 or 277CA (status submitted, no payer claim number): posting also takes them off the
// list of claims waiting for an acknowledgment and stores the payer claim number, an index
// entry of claims that makes the update a full (non-HOT) one.
func BenchmarkPostPostgresUnacknowledged(b *testing.B) {
	benchPost(b, openBenchPostgres(b), benchOptions{unacknowledged: true})
}

// BenchmarkPostPostgresNoMoves is BenchmarkPostPostgres with claims that are paid already, so
// posting writes the payment rows but moves no claim: the cost of the remittance rows alone,
// without the claim life-cycle updates and events.
func BenchmarkPostPostgresNoMoves(b *testing.B) {
	benchPost(b, openBenchPostgres(b), benchOptions{prePaid: true})
}

// BenchmarkPostSQLite is BenchmarkPostPostgres on SQLite.
func BenchmarkPostSQLite(b *testing.B) {
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "claimgate.db"))
	if err != nil {
		b.Fatal(err)
	}
	benchPost(b, s, benchOptions{})
}

type benchOptions struct {
	prePaid        bool // the claims are paid already: posting moves none
	webhooks       bool // the submitter has a webhook endpoint
	unacknowledged bool // the claims are submitted, without a 999, 277CA or payer claim number
}

// benchStore is a Postgres store with a connection for the untimed housekeeping.
type benchStore struct {
	*postgres.Store
	url string
}

func openBenchPostgres(b *testing.B) benchStore {
	url := storetest.PostgresURL(b)
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	return benchStore{Store: s, url: url}
}

// settle vacuums and checkpoints the claims written by the setup (what autovacuum and the
// checkpointer do in the days between a claim's submission and its payment).
func (s benchStore) settle(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, q := range []string{"VACUUM ANALYZE claims", "VACUUM ANALYZE claim_events", "CHECKPOINT"} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

func benchPost(b *testing.B, s gateway.Store, o benchOptions) {
	e := newEnv(b, s)
	e.poster.chunk = DefaultChunk
	if o.webhooks {
		if err := s.SetSubmitterWebhook(e.ctx, e.sub.Name, "http://127.0.0.1:9/hook", "bench-secret-bench-secret"); err != nil {
			b.Fatal(err)
		}
	}
	posted := 0
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		ids := e.bulkClaims(benchClaims, i, o)
		data := e.x12(benchRemittance("BENCH-"+strconv.Itoa(i), ids))
		f, _, err := s.ArchiveFile(e.ctx, gateway.File{Direction: gateway.Inbound, PayerID: payer, Name: "bench.835",
			Kind: gateway.Kind835, Bytes: data})
		if err != nil {
			b.Fatal(err)
		}
		f.Bytes = data
		if pg, ok := s.(benchStore); ok {
			if err := pg.settle(e.ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		res, err := e.poster.Post(e.ctx, f)
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if res.Status != gateway.FileProcessed || res.Remittances[0].MatchedCount != benchClaims || !res.Remittances[0].Balanced {
			b.Fatalf("posting: %+v", res.Remittances[0])
		}
		posted += benchClaims
	}
	b.ReportMetric(float64(posted)/elapsed.Seconds(), "claims/s")
}

// bulkClaims stores n claims in one transaction, moved in bulk to accepted_277 with a payer
// claim number (to submitted without one when o.unacknowledged, on to paid when o.prePaid),
// and returns their ids.
func (e *env) bulkClaims(n, round int, o benchOptions) []string {
	e.t.Helper()
	enc, _ := json.Marshal(map[string]any{"claim": map[string]any{"service_lines": []map[string]string{
		{"procedure_code": "99214", "service_date": "2026-11-02", "charge": "150.00"}}}})
	ids := make([]string, 0, n)
	err := e.store.WithTx(e.ctx, func(tx gateway.Tx) error {
		for i := 0; i < n; i++ {
			c, err := tx.CreateClaim(e.ctx, gateway.Claim{SubmitterID: e.sub.ID, ExternalID: "B" + strconv.Itoa(round) + "-" + strconv.Itoa(i),
				Type: gateway.Professional, PayerID: payer, Frequency: gateway.FrequencyOriginal, TotalCharge: 15000,
				LineCount: 1, Encounter: enc}, gateway.EventInput{Source: "bench"})
			if err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		steps := []gateway.ClaimStatus{gateway.StatusQueued, gateway.StatusBatched, gateway.StatusSubmitted}
		if !o.unacknowledged {
			steps = append(steps, gateway.StatusAccepted999, gateway.StatusAccepted277)
		}
		if o.prePaid {
			steps = append(steps, gateway.StatusPaid)
		}
		for s := 1; s < len(steps); s++ {
			moves := make([]gateway.ClaimMove, len(ids))
			for i, id := range ids {
				moves[i] = gateway.ClaimMove{ClaimID: id, From: steps[s-1], To: steps[s], Event: gateway.EventInput{Source: "bench"}}
				if steps[s] == gateway.StatusAccepted277 {
					moves[i].PayerClaimNumber = "P" + id // the 277CA's REF*1K, repeated in CLP07
				}
			}
			if err := tx.ApplyClaimMoves(e.ctx, moves); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return ids
}

func benchRemittance(trace string, ids []string) *x835.Remittance {
	cps := make([]*x835.ClaimPayment, len(ids))
	for i, id := range ids {
		c := clp(id, "1", 15000, 10000, 2000, "P"+id, cas("CO", "45", 3000), cas("PR", "2", 2000))
		c.Adjustments = nil
		c.Lines = []x835.ServiceLine{svc("99214", id+"-1", "2026-11-02", 15000, 10000, cas("CO", "45", 3000), cas("PR", "2", 2000))}
		cps[i] = c
	}
	return remittance(trace, cps)
}
