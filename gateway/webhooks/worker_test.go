package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/webhooks"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
	"github.com/claimgate/claimgate/storage/storetest"
)

// opener opens the same database again on every call (a process restart); each store is
// migrated and closed when the test ends (closing twice is harmless for the test).
type opener func(t *testing.T) gateway.Store

// forEachStore runs fn on SQLite and on Postgres (skipped loudly when Postgres is unreachable,
// a failure with CLAIMGATE_REQUIRE_POSTGRES=1).
func forEachStore(t *testing.T, fn func(t *testing.T, open opener)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "claimgate.db")
		fn(t, func(t *testing.T) gateway.Store {
			s, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			return migrated(t, s)
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		fn(t, func(t *testing.T) gateway.Store {
			s, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			return migrated(t, s)
		})
	})
}

func migrated(t *testing.T, s gateway.Store) gateway.Store {
	t.Helper()
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { _ = s.Close() }) })
	return s
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

const secret = "whsec_0123456789abcdef"

// setup creates a submitter whose webhook is url and n claims, each moved
// queued -> batched -> submitted -> accepted_999 -> accepted_277 -> paid, with a denial.created
// enqueued in the transaction of claim 0's accepted_277, and one remittance.received without a
// claim. It returns the claims.
func setup(t *testing.T, s gateway.Store, url string, n int) (gateway.Submitter, []gateway.Claim) {
	t.Helper()
	ctx := context.Background()
	_, hash := gateway.NewToken()
	sub, err := s.CreateSubmitter(ctx, gateway.Submitter{Name: "ehr", TokenHash: hash})
	ok(t, err)
	ok(t, s.SetSubmitterWebhook(ctx, "ehr", url, secret))
	b, err := s.CreateBatch(ctx, gateway.Batch{PayerID: "SIMPAYER", ISA13: 1, GS06: 1})
	ok(t, err)
	var claims []gateway.Claim
	for i := range n {
		c, err := s.CreateClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: fmt.Sprintf("ENC-%d", i),
			Type: gateway.Professional, PayerID: "SIMPAYER", TotalCharge: 10000, LineCount: 1,
			Encounter: json.RawMessage(`{}`)}, gateway.EventInput{Source: "intake"})
		ok(t, err)
		claims = append(claims, c)
	}
	steps := []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted999,
		gateway.StatusAccepted277, gateway.StatusPaid}
	// Interleave the claims, as real traffic does.
	for _, st := range steps {
		for i, c := range claims {
			ev := gateway.EventInput{Source: "test"}
			if st == gateway.StatusBatched {
				ev.BatchID = &b.ID
			}
			ok(t, s.WithTx(ctx, func(tx gateway.Tx) error {
				if _, err := tx.TransitionClaim(ctx, c.ID, st, ev); err != nil {
					return err
				}
				if i == 0 && st == gateway.StatusAccepted277 {
					return webhooks.Enqueue(ctx, tx, sub.ID, c.ID, gateway.EventDenialCreated,
						map[string]any{"denial_id": 1, "category": "coding", "codes": []string{"CO-16", "M76"}})
				}
				return nil
			}))
		}
	}
	ok(t, s.WithTx(ctx, func(tx gateway.Tx) error {
		return webhooks.Enqueue(ctx, tx, sub.ID, "", gateway.EventRemittanceReceived, map[string]any{"remittance_id": 1, "claims": len(claims)})
	}))
	return sub, claims
}

// received is one request a receiver got.
type received struct {
	delivery, event string
	claimID         string
	status          int // what the receiver answered
	verifyErr       error
	bodyID          string
	bodyType        string
	headersOK       bool
}

// receiver is a webhook endpoint: it verifies every request and answers with policy(n), n
// counting requests from 1.
type receiver struct {
	mu     sync.Mutex
	got    []received
	policy func(n int) int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	verr := webhooks.Verify(secret, r.Header.Get(webhooks.HeaderSignature), body, time.Now(), time.Minute)
	var env struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Data struct {
			ClaimID string `json:"claim_id"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &env)
	rc.mu.Lock()
	status := rc.policy(len(rc.got) + 1)
	rc.got = append(rc.got, received{
		delivery: r.Header.Get(webhooks.HeaderDelivery), event: r.Header.Get(webhooks.HeaderEvent),
		claimID: env.Data.ClaimID, status: status, verifyErr: verr, bodyID: env.ID, bodyType: env.Type,
		headersOK: r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/json",
	})
	rc.mu.Unlock()
	w.WriteHeader(status)
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// allDeliveries returns the outbox of a submitter, oldest first.
func allDeliveries(t *testing.T, s gateway.Store, subID int64) []gateway.WebhookDelivery {
	t.Helper()
	page, err := s.ListWebhookDeliveries(context.Background(), gateway.WebhookDeliveryFilter{SubmitterID: subID, Limit: 1000})
	ok(t, err)
	ds := page.Deliveries
	for i, j := 0, len(ds)-1; i < j; i, j = i+1, j-1 {
		ds[i], ds[j] = ds[j], ds[i]
	}
	return ds
}

// waitFor polls cond every 10ms for up to 30s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func pendingCount(t *testing.T, s gateway.Store) int {
	n, err := s.WebhookOutboxDepth(context.Background())
	ok(t, err)
	return n
}

// checkExactlyOnceInOrder checks what the receiver saw against the outbox: every request was
// signed and well-formed; every delivery id was acknowledged (2xx) exactly once; and no event
// of a claim reached the receiver before the claim's previous event was acknowledged.
func checkExactlyOnceInOrder(t *testing.T, s gateway.Store, subID int64, reqs []received) {
	t.Helper()
	ds := allDeliveries(t, s, subID)
	acked := map[string]int{}
	for _, r := range reqs {
		if r.verifyErr != nil || !r.headersOK || r.bodyID != r.delivery || r.bodyType != r.event {
			t.Fatalf("bad request: %+v", r)
		}
		if r.status >= 200 && r.status < 300 {
			acked[r.delivery]++
		}
	}
	// Per claim, the outbox order of its deliveries.
	order := map[string][]string{}
	index := map[string]int{}
	for _, d := range ds {
		if d.State != gateway.WebhookDelivered {
			t.Fatalf("delivery %s is %s after %d attempts (%s)", d.ID, d.State, d.Attempts, d.LastError)
		}
		if acked[d.ID] != 1 {
			t.Fatalf("delivery %s acknowledged %d times", d.ID, acked[d.ID])
		}
		if d.ClaimID != "" {
			index[d.ID] = len(order[d.ClaimID])
			order[d.ClaimID] = append(order[d.ClaimID], d.ID)
		}
	}
	if len(acked) != len(ds) {
		t.Fatalf("receiver acknowledged %d delivery ids, outbox has %d", len(acked), len(ds))
	}
	// Replay the requests: a claim's k-th delivery may only arrive once its (k-1)-th has been
	// acknowledged.
	done := map[string]int{} // claim -> deliveries acknowledged so far
	for _, r := range reqs {
		d := allByID(ds)[r.delivery]
		if d.ClaimID == "" {
			continue
		}
		k := index[r.delivery]
		if k != done[d.ClaimID] {
			t.Fatalf("claim %s: delivery %d (%s) arrived when %d earlier ones were acknowledged", d.ClaimID, k, r.delivery, done[d.ClaimID])
		}
		if r.status >= 200 && r.status < 300 {
			done[d.ClaimID]++
		}
	}
}

func allByID(ds []gateway.WebhookDelivery) map[string]gateway.WebhookDelivery {
	m := make(map[string]gateway.WebhookDelivery, len(ds))
	for _, d := range ds {
		m[d.ID] = d
	}
	return m
}

func counter(t *testing.T, reg *prometheus.Registry, name, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	ok(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if labelIs(m, "result", result) {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no metric %s{result=%q}", name, result)
	return 0
}

func labelIs(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

// listenAgain binds addr again (the receiver coming back on its old address).
func listenAgain(t *testing.T, addr string) net.Listener {
	t.Helper()
	var lastErr error
	for range 50 {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			return ln
		}
		lastErr = err
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("cannot listen on %s again: %v", addr, lastErr)
	return nil
}

func fastBackoff(int) time.Duration { return 3 * time.Millisecond }

// quiet discards the worker's log lines.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestReceiverDownThenBack: the receiver refuses connections, then answers 503 and the odd
// 500, then recovers. It gets every event exactly once per delivery id, in order per claim,
// with valid signatures.
func TestReceiverDownThenBack(t *testing.T) {
	forEachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ok(t, err)
		addr := ln.Addr().String()
		ok(t, ln.Close()) // down: connection refused
		sub, claims := setup(t, s, "http://"+addr+"/hooks/claimgate", 5)
		total := len(allDeliveries(t, s, sub.ID))
		if want := 5*4 + 2; total != want {
			t.Fatalf("outbox has %d deliveries, want %d", total, want)
		}

		reg := prometheus.NewRegistry()
		w, err := webhooks.New(webhooks.Config{Store: s, Logger: quiet, Backoff: fastBackoff, PollInterval: 5 * time.Millisecond,
			Timeout: 5 * time.Second, Concurrency: 4, Registerer: reg})
		ok(t, err)
		runCtx, stop := context.WithCancel(ctx)
		stopped := make(chan error, 1)
		go func() { stopped <- w.Run(runCtx) }()
		defer func() {
			stop()
			<-stopped
		}()

		// Down long enough that every claim's first event has failed a few times.
		waitFor(t, "failed attempts while the receiver is down", func() bool {
			firsts := 0
			for _, d := range allDeliveries(t, s, sub.ID) {
				if d.Attempts >= 3 && strings.Contains(d.LastError, "connection refused") {
					firsts++
				}
			}
			if firsts < len(claims) && testing.Verbose() {
				for _, d := range allDeliveries(t, s, sub.ID) {
					if d.Attempts > 0 {
						t.Logf("%s attempts=%d next=%v err=%q", d.ID, d.Attempts, d.NextAttemptAt, d.LastError)
					}
				}
			}
			return firsts >= len(claims)
		})
		for _, d := range allDeliveries(t, s, sub.ID) {
			if d.State != gateway.WebhookPending {
				t.Fatalf("while down: %s is %s", d.ID, d.State)
			}
		}

		// Back, but answering 503 to the first 10 requests and 500 to every fourth after that.
		rc := &receiver{policy: func(n int) int {
			switch {
			case n <= 10:
				return http.StatusServiceUnavailable
			case n%4 == 0:
				return http.StatusInternalServerError
			case n%5 == 0:
				return http.StatusAccepted
			}
			return http.StatusOK
		}}
		srv := &http.Server{Handler: rc, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(listenAgain(t, addr)) }()
		defer srv.Close()

		waitFor(t, "every delivery", func() bool { return pendingCount(t, s) == 0 })
		stop()
		ok(t, <-stopped)
		stopped <- nil

		reqs := rc.requests()
		checkExactlyOnceInOrder(t, s, sub.ID, reqs)
		if got := counter(t, reg, "claimgate_webhook_deliveries_total", webhooks.ResultDelivered); got != float64(total) {
			t.Fatalf("delivered counter = %v, want %d", got, total)
		}
		if got := counter(t, reg, "claimgate_webhook_deliveries_total", webhooks.ResultRetry); got < float64(10+len(claims)) {
			t.Fatalf("retry counter = %v", got)
		}
		if got := counter(t, reg, "claimgate_webhook_deliveries_total", webhooks.ResultFailed); got != 0 {
			t.Fatalf("failed counter = %v", got)
		}
		retried := 0
		for _, d := range allDeliveries(t, s, sub.ID) {
			if d.Attempts > 1 {
				retried++
			}
			if d.LastStatus < 200 || d.LastStatus > 299 || d.DeliveredAt == nil || d.NextAttemptAt != nil || d.LastError != "" {
				t.Fatalf("delivered row = %+v", d)
			}
		}
		if retried < len(claims) {
			t.Fatalf("only %d deliveries were retried", retried)
		}
	})
}

// TestOutboxSurvivesRestart: a worker stops (cleanly, and one "crashes" holding leases); the
// database is reopened by a new worker, which delivers everything exactly once.
func TestOutboxSurvivesRestart(t *testing.T) {
	forEachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		var up atomic.Bool
		rc := &receiver{policy: func(int) int {
			if up.Load() {
				return http.StatusNoContent
			}
			return http.StatusBadGateway
		}}
		srv := httptest.NewServer(rc)
		defer srv.Close()

		s1 := open(t)
		sub, _ := setup(t, s1, srv.URL+"/hook", 3)
		w1, err := webhooks.New(webhooks.Config{Store: s1, Logger: quiet, Backoff: fastBackoff, PollInterval: 5 * time.Millisecond, Owner: "first"})
		ok(t, err)
		runCtx, stop := context.WithCancel(ctx)
		stopped := make(chan error, 1)
		go func() { stopped <- w1.Run(runCtx) }()
		waitFor(t, "failed attempts", func() bool { return len(rc.requests()) >= 12 })
		stop()
		ok(t, <-stopped)
		// A crashed worker: holds two leases that nobody gives back.
		// (Claimed as of a second from now: the first worker's last retries, 3ms apart, are due.)
		crashed, err := s1.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "crashed", Now: time.Now().Add(time.Second), Limit: 2, Lease: 1300 * time.Millisecond})
		ok(t, err)
		if len(crashed) != 2 {
			t.Fatalf("crashed worker claimed %d", len(crashed))
		}
		ok(t, s1.Close())

		s2 := open(t)
		for _, d := range allDeliveries(t, s2, sub.ID) {
			if d.State != gateway.WebhookPending {
				t.Fatalf("after the restart %s is %s", d.ID, d.State)
			}
		}
		up.Store(true)
		var logs strings.Builder
		var logMu sync.Mutex
		logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
			logMu.Lock()
			defer logMu.Unlock()
			return logs.Write(p)
		}), nil))
		t.Cleanup(func() {
			if t.Failed() {
				logMu.Lock()
				t.Logf("second worker's log:\n%s", logs.String())
				logMu.Unlock()
			}
		})
		w2, err := webhooks.New(webhooks.Config{Store: s2, Logger: logger, Backoff: fastBackoff, PollInterval: 5 * time.Millisecond, Owner: "second"})
		ok(t, err)
		runCtx2, stop2 := context.WithCancel(ctx)
		go func() { stopped <- w2.Run(runCtx2) }()
		t.Cleanup(func() {
			if t.Failed() {
				for _, d := range allDeliveries(t, s2, sub.ID) {
					t.Logf("%s claim=%s state=%s attempts=%d next=%v err=%q lease=%s until %v last=%v", d.ID, d.ClaimID, d.State, d.Attempts,
						d.NextAttemptAt, d.LastError, d.LeaseOwner, d.LeaseUntil, d.LastAttemptAt)
				}
			}
		})
		waitFor(t, "every delivery after the restart", func() bool { return pendingCount(t, s2) == 0 })
		stop2()
		ok(t, <-stopped)
		checkExactlyOnceInOrder(t, s2, sub.ID, rc.requests())
	})
}

// TestGiveUpAfterRetryWindow: with an injected clock, a delivery failing for 24 hours is
// retried with growing waits, then marked failed; the claim's next event then goes out.
func TestGiveUpAfterRetryWindow(t *testing.T) {
	forEachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		var poison atomic.Value // the delivery id the receiver refuses
		poison.Store("")
		rc := &receiver{}
		var mu sync.Mutex
		rc.policy = func(int) int { return http.StatusOK }
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get(webhooks.HeaderDelivery) == poison.Load().(string) {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			rc.ServeHTTP(w, r)
		})
		srv := httptest.NewServer(handler)
		defer srv.Close()
		sub, claims := setup(t, s, srv.URL, 1)
		first := allDeliveries(t, s, sub.ID)[0]
		if first.ClaimID != claims[0].ID || first.Type != gateway.EventClaimSubmitted {
			t.Fatalf("first delivery = %+v", first)
		}
		poison.Store(first.ID)

		clock := time.Now().UTC()
		now := func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return clock
		}
		advance := func(d time.Duration) {
			mu.Lock()
			clock = clock.Add(d)
			mu.Unlock()
		}
		reg := prometheus.NewRegistry()
		w, err := webhooks.New(webhooks.Config{Store: s, Logger: quiet, Now: now, Concurrency: 1, Registerer: reg,
			Backoff: webhooks.ExponentialBackoff(time.Minute, 4*time.Hour)})
		ok(t, err)
		attempts := 0
		for {
			n, err := w.RunOnce(ctx)
			ok(t, err)
			d, err := s.GetWebhookDelivery(ctx, first.ID, sub.ID)
			ok(t, err)
			if n == 0 {
				// Not due yet: move the clock to the next attempt.
				if d.NextAttemptAt == nil {
					t.Fatalf("pending without a next attempt: %+v", d)
				}
				advance(d.NextAttemptAt.Sub(now()))
				continue
			}
			attempts++
			if d.LastStatus != http.StatusInternalServerError || d.LastError != "HTTP 500" {
				t.Fatalf("attempt %d: %+v", attempts, d)
			}
			if d.State == gateway.WebhookFailed {
				if since := now().Sub(*d.FirstAttemptAt); since < 24*time.Hour {
					t.Fatalf("gave up after %v", since)
				}
				break
			}
			if d.State != gateway.WebhookPending || d.NextAttemptAt == nil || !d.NextAttemptAt.After(now()) {
				t.Fatalf("attempt %d: %+v", attempts, d)
			}
			// Nothing of this claim goes out while its first event is pending.
			for _, r := range rc.requests() {
				if r.claimID == claims[0].ID {
					t.Fatalf("a later event of the claim was sent early: %+v", r)
				}
			}
			if attempts > 100 {
				t.Fatal("never gave up")
			}
		}
		if attempts < 8 {
			t.Fatalf("gave up after only %d attempts", attempts)
		}
		if got := counter(t, reg, "claimgate_webhook_deliveries_total", webhooks.ResultFailed); got != 1 {
			t.Fatalf("failed counter = %v", got)
		}
		// The failed event no longer blocks the claim.
		for range 20 {
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		page, err := s.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{SubmitterID: sub.ID, State: gateway.WebhookPending})
		ok(t, err)
		if len(page.Deliveries) != 0 {
			t.Fatalf("still pending: %+v", page.Deliveries)
		}
		if n := len(rc.requests()); n != len(allDeliveries(t, s, sub.ID))-1 {
			t.Fatalf("receiver got %d", n)
		}

		// Retention: nothing is purged until 30 days after the oldest last attempt; 30 days
		// after the newest, everything finished is.
		all := allDeliveries(t, s, sub.ID)
		total := len(all)
		oldest, newest := *all[0].LastAttemptAt, *all[0].LastAttemptAt
		for _, d := range all {
			oldest, newest = minTime(oldest, *d.LastAttemptAt), maxTime(newest, *d.LastAttemptAt)
		}
		setClock := func(at time.Time) {
			mu.Lock()
			clock = at
			mu.Unlock()
		}
		keep, err := webhooks.New(webhooks.Config{Store: s, Now: now, Retention: -1, Logger: quiet})
		ok(t, err)
		setClock(newest.Add(webhooks.DefaultRetention + time.Hour))
		if n, err := keep.Purge(ctx); err != nil || n != 0 {
			t.Fatalf("Purge with retention disabled = %d, %v", n, err)
		}
		setClock(oldest.Add(webhooks.DefaultRetention - time.Second))
		if n, err := w.Purge(ctx); err != nil || n != 0 {
			t.Fatalf("Purge before the retention = %d, %v", n, err)
		}
		setClock(newest.Add(webhooks.DefaultRetention + time.Second))
		if n, err := w.Purge(ctx); err != nil || n != total {
			t.Fatalf("Purge = %d, %v; want %d", n, err, total)
		}
		if left := allDeliveries(t, s, sub.ID); len(left) != 0 {
			t.Fatalf("left after purge: %+v", left)
		}
	})
}

// TestRedirectsTimeoutsAndRemovedWebhook: one RunOnce per case on a single claim's first event.
func TestRedirectsTimeoutsAndRemovedWebhook(t *testing.T) {
	forEachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		var otherHits atomic.Int32
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			otherHits.Add(1)
			w.WriteHeader(http.StatusOK)
		}))
		defer other.Close()
		release := make(chan struct{})
		var finalHits atomic.Int32
		mux := http.NewServeMux()
		mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
		})
		mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/final", http.StatusPermanentRedirect)
		})
		mux.HandleFunc("/as-get", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/final", http.StatusFound)
		})
		mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if r.Method != http.MethodPost || webhooks.Verify(secret, r.Header.Get(webhooks.HeaderSignature), body, time.Now(), time.Minute) != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			finalHits.Add(1)
			w.WriteHeader(http.StatusOK)
		})
		mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		srv := httptest.NewServer(mux)
		defer srv.Close()
		defer close(release)

		s := open(t)
		sub, _ := setup(t, s, srv.URL+"/elsewhere", 1)
		w, err := webhooks.New(webhooks.Config{Store: s, Logger: quiet, Concurrency: 1, Timeout: 200 * time.Millisecond,
			Backoff: func(int) time.Duration { return 0 }})
		ok(t, err)
		first := allDeliveries(t, s, sub.ID)[0]
		// Take the claimless remittance.received out of the way: only the claim's events remain.
		due, err := s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "setup", Now: time.Now(), Limit: 10, Lease: time.Minute})
		ok(t, err)
		for _, d := range due {
			if d.ClaimID == "" {
				_, err := s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: d.ID, Owner: "setup", Status: 200, State: gateway.WebhookDelivered})
				ok(t, err)
			}
		}
		_, err = s.ReleaseWebhookLeases(ctx, "setup")
		ok(t, err)
		attempt := func(url string) gateway.WebhookDelivery {
			t.Helper()
			if url == "" {
				ok(t, s.SetSubmitterWebhook(ctx, "ehr", "", ""))
			} else {
				ok(t, s.SetSubmitterWebhook(ctx, "ehr", url, secret))
			}
			n, err := w.RunOnce(ctx)
			ok(t, err)
			if n != 1 {
				t.Fatalf("%s: attempted %d", url, n)
			}
			d, err := s.GetWebhookDelivery(ctx, first.ID, 0)
			ok(t, err)
			return d
		}
		d := attempt(srv.URL + "/elsewhere")
		if d.State != gateway.WebhookPending || d.LastStatus != http.StatusTemporaryRedirect || !strings.Contains(d.LastError, "redirect not followed") || otherHits.Load() != 0 {
			t.Fatalf("redirect to another host: %+v, other host hit %d times", d, otherHits.Load())
		}
		d = attempt(srv.URL + "/as-get")
		if d.State != gateway.WebhookPending || d.LastStatus != http.StatusFound || finalHits.Load() != 0 {
			t.Fatalf("302 (would turn the POST into a GET): %+v", d)
		}
		d = attempt(srv.URL + "/slow")
		if d.State != gateway.WebhookPending || d.LastStatus != 0 || !strings.HasPrefix(d.LastError, "timeout") {
			t.Fatalf("slow receiver: %+v", d)
		}
		if d.Attempts != 3 {
			t.Fatalf("attempts = %d", d.Attempts)
		}
		d = attempt(srv.URL + "/moved")
		if d.State != gateway.WebhookDelivered || d.LastStatus != http.StatusOK || finalHits.Load() != 1 {
			t.Fatalf("308 on the same host: %+v (final hit %d)", d, finalHits.Load())
		}
		// The claim's next event: the webhook is removed before it goes out. It fails for good
		// (retrying cannot help), and the request never leaves.
		attempt("")
		second := allDeliveries(t, s, sub.ID)[1]
		if second.ClaimID != first.ClaimID || second.State != gateway.WebhookFailed || second.Attempts != 1 ||
			!strings.Contains(second.LastError, "no webhook URL") {
			t.Fatalf("removed webhook: %+v", second)
		}
		if finalHits.Load() != 1 || otherHits.Load() != 0 {
			t.Fatalf("requests after the webhook was removed: final %d, other %d", finalHits.Load(), otherHits.Load())
		}
		// A webhook without a secret never sends unsigned requests.
		ok(t, s.SetSubmitterWebhook(ctx, "ehr", srv.URL+"/final", ""))
		n, err := w.RunOnce(ctx)
		ok(t, err)
		third := allDeliveries(t, s, sub.ID)[2]
		if n != 1 || third.State != gateway.WebhookFailed || !strings.Contains(third.LastError, "no signing secret") || finalHits.Load() != 1 {
			t.Fatalf("no secret: %+v (final hit %d)", third, finalHits.Load())
		}
	})
}

// TestSlowReceiverHoldsOneSlot: a receiver that hangs until the attempt times out holds one
// of the worker's slots; another submitter's events flow through the others meanwhile.
func TestSlowReceiverHoldsOneSlot(t *testing.T) {
	forEachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		slow, fast := newHangingReceiver(t), newCountingReceiver(t)
		fastHits := &fast.hits
		subs := hookedSubmitters(t, s, map[string]string{"slow": slow.URL, "fast": fast.URL})
		// The slow submitter's event is first in the outbox.
		_, _, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: subs["slow"].ID, Type: gateway.EventRemittanceReceived,
			Payload: json.RawMessage(`{"remittance_id":0}`)})
		ok(t, err)
		const n = 30
		for i := range n {
			_, _, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: subs["fast"].ID, Type: gateway.EventRemittanceReceived,
				Payload: json.RawMessage(fmt.Sprintf(`{"remittance_id":%d}`, i+1))})
			ok(t, err)
		}
		w, err := webhooks.New(webhooks.Config{Store: s, Logger: quiet, Concurrency: 2, Timeout: 20 * time.Second,
			PollInterval: 5 * time.Millisecond, Backoff: fastBackoff})
		ok(t, err)
		runCtx, stop := context.WithCancel(ctx)
		stopped := make(chan error, 1)
		go func() { stopped <- w.Run(runCtx) }()
		// All of the fast submitter's events arrive while the slow attempt still hangs (it
		// would time out only after 20s).
		waitFor(t, "the fast submitter's events", func() bool { return fastHits.Load() == n })
		page, err := s.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{SubmitterID: subs["slow"].ID})
		ok(t, err)
		if len(page.Deliveries) != 1 || page.Deliveries[0].Attempts != 0 || page.Deliveries[0].State != gateway.WebhookPending {
			t.Fatalf("slow delivery = %+v", page.Deliveries)
		}
		// Stopping cancels the hanging attempt without recording it, and gives back the lease.
		stop()
		ok(t, <-stopped)
		d, err := s.GetWebhookDelivery(ctx, page.Deliveries[0].ID, 0)
		ok(t, err)
		if d.Attempts != 0 || d.State != gateway.WebhookPending {
			t.Fatalf("after stop: %+v", d)
		}
		due, err := s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "next", Now: time.Now(), Limit: 10, Lease: time.Minute})
		ok(t, err)
		if len(due) != 1 || due[0].ID != d.ID {
			t.Fatalf("lease not given back: %+v", due)
		}
	})
}

// TestBacklogLeavesSlotsForOthers: a submitter with a backlog ahead of everyone else in the
// outbox, whose receiver hangs, holds only PerSubmitter of the worker's slots; another
// submitter's events flow through the rest meanwhile. Without the cap the backlog would take
// every slot until the attempts time out.
func TestBacklogLeavesSlotsForOthers(t *testing.T) {
	forEachStore(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		slow, fast := newHangingReceiver(t), newCountingReceiver(t)
		inFlight, maxInFlight, fastHits := &slow.inFlight, &slow.maxInFlight, &fast.hits
		subs := hookedSubmitters(t, s, map[string]string{"slow": slow.URL, "fast": fast.URL})
		const backlog, n = 10, 30
		for i := range backlog {
			_, _, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: subs["slow"].ID, Type: gateway.EventRemittanceReceived,
				Payload: json.RawMessage(fmt.Sprintf(`{"remittance_id":%d}`, i+1))})
			ok(t, err)
		}
		for i := range n {
			_, _, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: subs["fast"].ID, Type: gateway.EventRemittanceReceived,
				Payload: json.RawMessage(fmt.Sprintf(`{"remittance_id":%d}`, 100+i))})
			ok(t, err)
		}
		w, err := webhooks.New(webhooks.Config{Store: s, Logger: quiet, Concurrency: 4, PerSubmitter: 2,
			Timeout: 20 * time.Second, PollInterval: 5 * time.Millisecond, Backoff: fastBackoff})
		ok(t, err)
		runCtx, stop := context.WithCancel(ctx)
		stopped := make(chan error, 1)
		go func() { stopped <- w.Run(runCtx) }()
		waitFor(t, "the fast submitter's events", func() bool { return fastHits.Load() == n })
		waitFor(t, "two slow attempts", func() bool { return inFlight.Load() == 2 })
		if m := maxInFlight.Load(); m != 2 {
			t.Fatalf("the slow receiver had %d requests at once, want the cap, 2", m)
		}
		stop()
		ok(t, <-stopped)
		page, err := s.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{SubmitterID: subs["slow"].ID})
		ok(t, err)
		for _, d := range page.Deliveries {
			if d.State != gateway.WebhookPending || d.Attempts != 0 {
				t.Fatalf("slow delivery after stop = %+v", d)
			}
		}
	})
}

// hangingReceiver is a webhook receiver that answers nothing until its request is cancelled or
// the test ends; it counts the requests in flight and the most at once.
type hangingReceiver struct {
	*httptest.Server
	inFlight, maxInFlight atomic.Int32
}

func newHangingReceiver(t *testing.T) *hangingReceiver {
	h := &hangingReceiver{}
	release := make(chan struct{})
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := h.inFlight.Add(1)
		defer h.inFlight.Add(-1)
		for {
			m := h.maxInFlight.Load()
			if n <= m || h.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(h.Close)
	t.Cleanup(func() { close(release) }) // runs first: Close waits for the requests
	return h
}

// countingReceiver is a webhook receiver answering 200 that counts its requests.
type countingReceiver struct {
	*httptest.Server
	hits atomic.Int32
}

func newCountingReceiver(t *testing.T) *countingReceiver {
	c := &countingReceiver{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(c.Close)
	return c
}

// hookedSubmitters creates a submitter per name with the webhook URL given.
func hookedSubmitters(t *testing.T, s gateway.Store, urls map[string]string) map[string]gateway.Submitter {
	t.Helper()
	subs := map[string]gateway.Submitter{}
	for name, url := range urls {
		_, hash := gateway.NewToken()
		sub, err := s.CreateSubmitter(context.Background(), gateway.Submitter{Name: name, TokenHash: hash})
		ok(t, err)
		ok(t, s.SetSubmitterWebhook(context.Background(), name, url, secret))
		subs[name] = sub
	}
	return subs
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// writerFunc is an io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
