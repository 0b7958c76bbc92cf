package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/webhooks"
	"github.com/claimgate/claimgate/storage/sqlite"
)

func TestSubmittersWebhook(t *testing.T) {
	ctx := context.Background()
	vars := sqliteVars(t)
	if r := runCLI(t, ctx, vars, "migrate"); r.code != exitOK {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, ctx, vars, "submitters", "add", "ehr"); r.code != exitOK {
		t.Fatalf("add: %d %s", r.code, r.stderr)
	}
	stored := func() gateway.Submitter {
		t.Helper()
		s, err := sqlite.Open(ctx, strings.TrimPrefix(vars["CLAIMGATE_DATABASE_URL"], "sqlite:"))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		sub, err := s.SubmitterByName(ctx, "ehr")
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}

	// Generated secret: printed once on stdout, stored.
	r := runCLI(t, ctx, vars, "submitters", "webhook", "ehr", "https://ehr.example/hooks/claimgate")
	secret := strings.TrimSpace(r.stdout)
	if r.code != exitOK || !strings.HasPrefix(secret, webhooks.SecretPrefix) || len(secret) != len(webhooks.SecretPrefix)+43 ||
		!strings.Contains(r.stderr, "shown only this once") {
		t.Fatalf("webhook: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if sub := stored(); sub.WebhookURL != "https://ehr.example/hooks/claimgate" || sub.WebhookSecret != secret {
		t.Fatalf("stored %q %q, want the printed secret", sub.WebhookURL, sub.WebhookSecret)
	}

	// Secret from a file: not printed.
	file := writeFile(t, t.TempDir(), "secret", "  0123456789abcdef0123456789abcdef\n")
	r = runCLI(t, ctx, vars, "submitters", "webhook", "ehr", "http://127.0.0.1:9000/in", "--secret-file", file)
	if r.code != exitOK || strings.Contains(r.stdout+r.stderr, "0123456789abcdef") {
		t.Fatalf("secret file: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if sub := stored(); sub.WebhookURL != "http://127.0.0.1:9000/in" || sub.WebhookSecret != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("stored %q %q", sub.WebhookURL, sub.WebhookSecret)
	}

	short := writeFile(t, t.TempDir(), "short", "abc\n")
	bad := []struct {
		name string
		args []string
		want string
	}{
		{"no name", []string{}, "missing submitter NAME"},
		{"no url", []string{"ehr"}, "missing URL"},
		{"ftp", []string{"ehr", "ftp://x.example/in"}, "not an absolute http(s) URL"},
		{"relative", []string{"ehr", "/hooks"}, "not an absolute http(s) URL"},
		{"user info", []string{"ehr", "https://u:p@x.example/in"}, "user or password"},
		{"extra", []string{"ehr", "https://x.example", "more"}, "unexpected argument"},
		{"short secret", []string{"ehr", "https://x.example", "--secret-file", short}, "at least 24 characters"},
		{"missing secret file", []string{"ehr", "https://x.example", "--secret-file", filepath.Join(t.TempDir(), "nope")}, "--secret-file"},
		{"remove with url", []string{"ehr", "https://x.example", "--remove"}, "--remove takes only NAME"},
		{"unknown submitter", []string{"nobody", "https://x.example"}, `no submitter named "nobody"`},
	}
	for _, tc := range bad {
		r := runCLI(t, ctx, vars, append([]string{"submitters", "webhook"}, tc.args...)...)
		if r.code == exitOK || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d stderr %q, want %q", tc.name, r.code, r.stderr, tc.want)
		}
	}
	if sub := stored(); sub.WebhookURL != "http://127.0.0.1:9000/in" {
		t.Fatalf("a refused command changed the webhook: %q", sub.WebhookURL)
	}

	r = runCLI(t, ctx, vars, "submitters", "webhook", "ehr", "--remove")
	if r.code != exitOK || !strings.Contains(r.stdout, "Removed") {
		t.Fatalf("remove: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if sub := stored(); sub.WebhookURL != "" || sub.WebhookSecret != "" {
		t.Fatalf("after remove: %q %q", sub.WebhookURL, sub.WebhookSecret)
	}
}

func TestWithWebhooksStopsWithTheRunner(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w, err := webhooks.New(webhooks.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	// The job runner fails at once: the combined run returns its error after the worker stops.
	boom := context.DeadlineExceeded
	err = withWebhooks(func(context.Context) error { return boom }, w)(ctx)
	if err == nil || !strings.Contains(err.Error(), boom.Error()) {
		t.Fatalf("withWebhooks = %v", err)
	}
	// No job runner: it runs until cancelled.
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- withWebhooks(nil, w)(cctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("after cancel: %v", err)
	}
}

// TestServeDeliversWebhooks: serve runs the webhook worker: an event in the outbox before the
// daemon starts reaches the receiver, signed, and shows in the metrics.
func TestServeDeliversWebhooks(t *testing.T) {
	ctx := context.Background()
	vars := sqliteVars(t)
	if r := runCLI(t, ctx, vars, "migrate"); r.code != exitOK {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, ctx, vars, "submitters", "add", "ehr"); r.code != exitOK {
		t.Fatalf("add: %d %s", r.code, r.stderr)
	}
	type hit struct {
		event, delivery string
		verifyErr       error
	}
	hits := make(chan hit, 10)
	var secret string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hits <- hit{r.Header.Get(webhooks.HeaderEvent), r.Header.Get(webhooks.HeaderDelivery),
			webhooks.Verify(secret, r.Header.Get(webhooks.HeaderSignature), body, time.Now(), time.Minute)}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	r := runCLI(t, ctx, vars, "submitters", "webhook", "ehr", recv.URL+"/hooks")
	if r.code != exitOK {
		t.Fatalf("webhook: %d %s", r.code, r.stderr)
	}
	secret = strings.TrimSpace(r.stdout)

	// A claim moved to submitted before the daemon starts: its claim.submitted waits in the outbox.
	s, err := sqlite.Open(ctx, strings.TrimPrefix(vars["CLAIMGATE_DATABASE_URL"], "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.SubmitterByName(ctx, "ehr")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: "E-1", Type: gateway.Professional,
		PayerID: "SIMPAYER", TotalCharge: 100, LineCount: 1, Encounter: json.RawMessage(`{}`)}, gateway.EventInput{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateBatch(ctx, gateway.Batch{PayerID: "SIMPAYER", ISA13: 1, GS06: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TransitionClaim(ctx, c.ID, gateway.StatusBatched, gateway.EventInput{BatchID: &b.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TransitionClaim(ctx, c.ID, gateway.StatusSubmitted, gateway.EventInput{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	p := startServe(t, vars)
	select {
	case h := <-hits:
		if h.event != gateway.EventClaimSubmitted || h.delivery != "whd_"+c.ID+"_3" || h.verifyErr != nil {
			t.Fatalf("received %+v", h)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no webhook within 20s:\n%s", p.logs.String())
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := httpGet(t, "http://"+p.addr+"/metrics")
		if strings.Contains(body, `claimgate_webhook_deliveries_total{result="delivered"} 1`) &&
			strings.Contains(body, "claimgate_webhook_outbox_depth 0") &&
			strings.Contains(body, "claimgate_webhook_delivery_duration_seconds_count 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook metrics missing:\n%s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code := p.stop(t); code != exitOK {
		t.Fatalf("serve exit %d:\n%s", code, p.logs.String())
	}
	if strings.Contains(p.logs.String(), secret) || strings.Contains(p.logs.String(), recv.URL) {
		t.Fatal("the log carries the webhook secret or URL")
	}
}
