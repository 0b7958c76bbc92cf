package api_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/api"
	"github.com/claimgate/claimgate/payers"
)

func sqliteEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	return newEnv(t, stores[0].open(t), opts...)
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	e := sqliteEnv(t)
	token, _ := e.submitter("ehr")
	for _, path := range []string{"/v1/nothing", "/v1/claims/ABC/extra", "/v1/encounters/1", "/v1/"} {
		r := e.call(http.MethodGet, path, token, nil)
		wantStatus(t, r, http.StatusNotFound)
	}
	tests := []struct{ method, path, allow string }{
		{http.MethodDelete, "/v1/encounters", "POST"},
		{http.MethodGet, "/v1/encounters", "POST"},
		{http.MethodPut, "/v1/claims/ABC", "GET, HEAD"},
		{http.MethodPost, "/v1/claims", "GET, HEAD"},
		{http.MethodGet, "/v1/payers/SIMPAYER/submit-now", "POST"},
		{http.MethodPost, "/v1/openapi.json", "GET, HEAD"},
	}
	for _, tc := range tests {
		r := e.call(tc.method, tc.path, token, nil)
		wantStatus(t, r, http.StatusMethodNotAllowed)
		if got := r.header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}

// panickyStore panics where the API authenticates.
type panickyStore struct{ gateway.Store }

func (panickyStore) AuthenticateSubmitter(context.Context, string, string) (gateway.Submitter, *gateway.IdempotencyKey, error) {
	panic("secret detail: member XYZ123456789")
}

// failingStore fails every claim creation.
type failingStore struct{ gateway.Store }

func (failingStore) CreateIntakeClaim(context.Context, gateway.Claim, gateway.EventInput, gateway.IdempotencyKey) (gateway.Claim, error) {
	return gateway.Claim{}, errors.New("database on fire")
}

func TestPanicsAndErrorsAre500WithoutInternals(t *testing.T) {
	s := stores[0].open(t)
	e := newEnv(t, panickyStore{s})
	token, _ := e.submitter("ehr")
	r := e.post(token, oneLine(t))
	wantStatus(t, r, http.StatusInternalServerError)
	if body := string(r.body); strings.Contains(body, "XYZ") || strings.Contains(body, "secret") || !strings.Contains(body, "test-request") {
		t.Fatalf("500 body %s", body)
	}
	if logs := e.logs.String(); strings.Contains(logs, "XYZ123456789") || !strings.Contains(logs, "panic") {
		t.Fatalf("panic log %s", logs)
	}

	f := newEnv(t, failingStore{stores[0].open(t)})
	token, _ = f.submitter("ehr")
	r = f.post(token, oneLine(t))
	wantStatus(t, r, http.StatusInternalServerError)
	if strings.Contains(string(r.body), "fire") {
		t.Fatalf("500 leaks the error: %s", r.body)
	}
}

// fakeOps records the payer operations it is asked for.
type fakeOps struct {
	list  []payers.Payer
	calls []string
}

func (f *fakeOps) Payers() []payers.Payer { return f.list }
func (f *fakeOps) SubmitNow(_ context.Context, id string) (int64, error) {
	f.calls = append(f.calls, "submit "+id)
	return 41, nil
}
func (f *fakeOps) PollNow(_ context.Context, id string) (int64, error) {
	f.calls = append(f.calls, "poll "+id)
	return 42, nil
}

func operatorToken(t *testing.T) (token, hash string) {
	t.Helper()
	token = "op-" + strings.Repeat("a1", 20)
	path := filepath.Join(t.TempDir(), "operator.token")
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hash, err := api.LoadOperatorToken(path)
	if err != nil {
		t.Fatal(err)
	}
	return token, hash
}

func TestPayers(t *testing.T) {
	opTok, opHash := operatorToken(t)
	ops := &fakeOps{list: testPayers()}

	t.Run("without payer operations", func(t *testing.T) {
		e := sqliteEnv(t, func(c *api.Config) { c.OperatorTokenHash = opHash })
		token, _ := e.submitter("ehr")
		r := e.call(http.MethodGet, "/v1/payers", token, nil)
		wantStatus(t, r, http.StatusOK)
		body := string(r.body)
		if !strings.Contains(body, `"id":"SIMPAYER"`) || !strings.Contains(body, `"submit":"*/5 * * * *"`) ||
			!strings.Contains(body, `"claim_types":["professional","institutional"]`) {
			t.Fatalf("payers %s", body)
		}
		for _, secret := range []string{"secret-user", "SECRET_ENV", "2222", "sftp"} {
			if strings.Contains(body, secret) {
				t.Fatalf("payer list shows SFTP settings (%q): %s", secret, body)
			}
		}
		wantStatus(t, e.call(http.MethodPost, "/v1/payers/SIMPAYER/submit-now", opTok, nil), http.StatusServiceUnavailable)
		wantStatus(t, e.call(http.MethodGet, "/v1/payers", "", nil), http.StatusUnauthorized)
	})

	t.Run("with payer operations", func(t *testing.T) {
		e := sqliteEnv(t, func(c *api.Config) { c.OperatorTokenHash = opHash; c.PayerOps = ops })
		token, _ := e.submitter("ehr")
		wantStatus(t, e.call(http.MethodGet, "/v1/payers", opTok, nil), http.StatusOK)
		// A submitter may not trigger operations; the operator may not touch claims.
		wantStatus(t, e.call(http.MethodPost, "/v1/payers/SIMPAYER/submit-now", token, nil), http.StatusForbidden)
		wantStatus(t, e.call(http.MethodGet, "/v1/claims", opTok, nil), http.StatusForbidden)
		wantStatus(t, e.post(opTok, oneLine(t)), http.StatusForbidden)

		r := e.call(http.MethodPost, "/v1/payers/simpayer/submit-now", opTok, nil)
		wantStatus(t, r, http.StatusAccepted)
		if m := r.json(t); m["job_id"] != float64(41) || m["payer_id"] != "SIMPAYER" {
			t.Fatalf("submit-now %s", r.body)
		}
		r = e.call(http.MethodPost, "/v1/payers/PROONLY/poll-now", opTok, nil)
		wantStatus(t, r, http.StatusAccepted)
		if m := r.json(t); m["job_id"] != float64(42) {
			t.Fatalf("poll-now %s", r.body)
		}
		wantStatus(t, e.call(http.MethodPost, "/v1/payers/NOPE/poll-now", opTok, nil), http.StatusNotFound)
		if strings.Join(ops.calls, ",") != "submit SIMPAYER,poll PROONLY" {
			t.Fatalf("calls %v", ops.calls)
		}
	})

	t.Run("operator token file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "short")
		if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := api.LoadOperatorToken(path); err == nil {
			t.Fatal("a short operator token was accepted")
		}
		if h, err := api.LoadOperatorToken(""); h != "" || err != nil {
			t.Fatalf("no file: %q %v", h, err)
		}
		if _, err := api.LoadOperatorToken(filepath.Join(t.TempDir(), "missing")); err == nil {
			t.Fatal("a missing file was accepted")
		}
	})
}

func TestNewChecksConfig(t *testing.T) {
	if _, err := api.New(api.Config{Registerer: prometheus.NewRegistry()}); err == nil {
		t.Fatal("New without a store succeeded")
	}
	s := stores[0].open(t)
	defer s.Close()
	if _, err := api.New(api.Config{Store: s}); err == nil {
		t.Fatal("New without a registerer succeeded")
	}
	reg := prometheus.NewRegistry()
	if _, err := api.New(api.Config{Store: s, Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.New(api.Config{Store: s, Registerer: reg}); err == nil {
		t.Fatal("registering the metrics twice on one registry succeeded")
	}
}
