package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/api"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/storetest"
)

// BenchmarkIntakeLoad is the intake load generator (`make bench-api`): CLIENTS concurrent
// clients post b.N distinct valid encounters, each with its own Idempotency-Key, to a real HTTP
// server on loopback in front of the API and a fresh store, and it reports the accepted
// encounters per second, the p50 and p99 latency seen by the clients, and the errors (any answer
// but 201). Run it with a fixed count: -benchtime 20000x.
//
// Environment: CLAIMGATE_BENCH_CLIENTS (default 16), CLAIMGATE_BENCH_POOL (Postgres pool size,
// default 16), CLAIMGATE_BENCH_SUBMITTERS (default 1: every client posts as one submitter; N
// spreads the clients over N submitters), CLAIMGATE_BENCH_NO_KEY=1 to send no Idempotency-Key.
func BenchmarkIntakeLoad(b *testing.B) {
	clients := envInt(b, "CLAIMGATE_BENCH_CLIENTS", 16)
	pool := envInt(b, "CLAIMGATE_BENCH_POOL", 16)
	withKey := os.Getenv("CLAIMGATE_BENCH_NO_KEY") != "1"
	submitters := envInt(b, "CLAIMGATE_BENCH_SUBMITTERS", 1)
	for _, i := range []int{1, 0} { // Postgres, the production store, first
		st := stores[i]
		b.Run(st.name, func(b *testing.B) {
			var s gateway.Store
			if st.name == "postgres" {
				pg, err := postgres.Open(context.Background(), storetest.PostgresURL(b), postgres.WithMaxConns(pool))
				if err != nil {
					b.Fatal(err)
				}
				s = pg
			} else {
				s = st.open(b)
			}
			b.Cleanup(func() { _ = s.Close() })
			if err := s.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			a, err := api.New(api.Config{
				Store: s, Payers: testPayers(), Registerer: prometheus.NewRegistry(),
				Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
				Now:    func() time.Time { return testNow },
			})
			if err != nil {
				b.Fatal(err)
			}
			mux := http.NewServeMux()
			a.Register(mux)
			srv := httptest.NewServer(requestIDs(mux))
			b.Cleanup(srv.Close)
			tokens := make([]string, submitters)
			for i := range tokens {
				token, hash := gateway.NewToken()
				if _, err := s.CreateSubmitter(context.Background(), gateway.Submitter{Name: "load-" + strconv.Itoa(i), TokenHash: hash}); err != nil {
					b.Fatal(err)
				}
				tokens[i] = token
			}

			// Distinct encounters, prepared before the clock starts.
			n := b.N
			bodies := make([][]byte, n)
			doc := oneLineDoc(b)
			for i := range n {
				doc["external_id"] = "LOAD-" + strconv.Itoa(i)
				bodies[i] = mustJSON(b, doc)
			}
			transport := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
			client := &http.Client{Transport: transport}
			b.Cleanup(transport.CloseIdleConnections)

			latencies := make([]time.Duration, n)
			var next, errorsSeen, accepted atomic.Int64
			var firstErr sync.Once
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for c := range clients {
				token := tokens[c%submitters]
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1) - 1)
						if i >= n {
							return
						}
						req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/encounters", bytes.NewReader(bodies[i]))
						req.Header.Set("Authorization", "Bearer "+token)
						req.Header.Set("Content-Type", "application/json")
						if withKey {
							req.Header.Set("Idempotency-Key", "load-"+strconv.Itoa(i))
						}
						t0 := time.Now()
						res, err := client.Do(req)
						if err == nil {
							_, _ = io.Copy(io.Discard, res.Body)
							res.Body.Close()
						}
						latencies[i] = time.Since(t0)
						if err != nil || res.StatusCode != http.StatusCreated {
							errorsSeen.Add(1)
							firstErr.Do(func() {
								if err != nil {
									b.Logf("first error: %v", err)
								} else {
									b.Logf("first error: status %d", res.StatusCode)
								}
							})
							continue
						}
						accepted.Add(1)
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()

			sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
			pct := func(p float64) float64 {
				return float64(latencies[min(n-1, int(float64(n)*p))].Microseconds()) / 1000
			}
			b.ReportMetric(float64(accepted.Load())/elapsed.Seconds(), "accepted/s")
			b.ReportMetric(pct(0.50), "p50_ms")
			b.ReportMetric(pct(0.99), "p99_ms")
			b.ReportMetric(float64(errorsSeen.Load()), "errors")
			b.Logf("%s: %d clients as %d submitters, %d encounters in %v (Idempotency-Key: %v)",
				st.name, clients, submitters, n, elapsed.Round(time.Millisecond), withKey)
		})
	}
}

func envInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		tb.Fatalf("%s=%q: want a positive whole number", name, v)
	}
	return n
}
