package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/api"
	"github.com/claimgate/claimgate/internal/samples"
	"github.com/claimgate/claimgate/payers"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
	"github.com/claimgate/claimgate/storage/storetest"
)

// testNow is the scrubbing clock of the tests: the encounters of testdata/encounters are dated
// early November 2026.
var testNow = time.Date(2026, 11, 22, 15, 30, 0, 0, time.UTC)

// stores are the two Store implementations every HTTP test runs against.
var stores = []struct {
	name string
	open func(t testing.TB) gateway.Store
}{
	{"sqlite", func(t testing.TB) gateway.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "claimgate.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{"postgres", func(t testing.TB) gateway.Store {
		s, err := postgres.Open(context.Background(), storetest.PostgresURL(t), postgres.WithMaxConns(16))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// testPayers are the payers the test gateway is configured with.
func testPayers() []payers.Payer {
	return []payers.Payer{
		{ID: "SIMPAYER", Name: "Simulated Health Plan", Submit: "*/5 * * * *", Poll: "*/2 * * * *",
			SFTP: payers.SFTP{Addr: "127.0.0.1:2222", User: "secret-user", PasswordEnv: "SECRET_ENV"}},
		{ID: "PROONLY", Name: "Professional Only Plan", ClaimTypes: []string{"professional"}, Usage: "P",
			Submit: "@every 1m", Poll: "@every 1m", Edits: payers.Edits{RequireTaxonomy: true, MaxLines: 10}},
	}
}

// env is one API over one store, served by a real HTTP server.
type env struct {
	t      testing.TB
	store  gateway.Store
	api    *api.API
	reg    *prometheus.Registry
	srv    *httptest.Server
	client *http.Client
	logs   *lockedBuffer
}

type envOption func(*api.Config)

// forEachStore runs fn once per store, each in a subtest with a fresh database.
func forEachStore(t *testing.T, fn func(t *testing.T, e *env), opts ...envOption) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			fn(t, newEnv(t, st.open(t), opts...))
		})
	}
}

func newEnv(t testing.TB, s gateway.Store, opts ...envOption) *env {
	t.Helper()
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	logs := &lockedBuffer{}
	reg := prometheus.NewRegistry()
	cfg := api.Config{
		Store:      s,
		Payers:     testPayers(),
		Registerer: reg,
		Logger:     slog.New(slog.NewJSONHandler(logs, nil)),
		Now:        func() time.Time { return testNow },
	}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewServer(requestIDs(mux))
	t.Cleanup(srv.Close)
	return &env{t: t, store: s, api: a, reg: reg, srv: srv, client: srv.Client(), logs: logs}
}

// requestIDs stands in for the daemon's middleware: it gives every request an X-Request-Id.
func requestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Request-Id") == "" {
			r.Header.Set("X-Request-Id", "test-request")
		}
		next.ServeHTTP(w, r)
	})
}

// lockedBuffer is a log sink safe for concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// submitter creates a submitter and returns its token.
func (e *env) submitter(name string) (string, gateway.Submitter) {
	e.t.Helper()
	token, hash := gateway.NewToken()
	sub, err := e.store.CreateSubmitter(context.Background(), gateway.Submitter{Name: name, TokenHash: hash})
	if err != nil {
		e.t.Fatal(err)
	}
	return token, sub
}

// response is one HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// call sends a request; headers are name, value pairs.
func (e *env) call(method, path, token string, body []byte, headers ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (e *env) post(token string, body []byte, headers ...string) response {
	e.t.Helper()
	return e.call(http.MethodPost, "/v1/encounters", token, body, headers...)
}

// wantStatus fails unless r has the status; a non-2xx must be problem+json with that status.
func wantStatus(t testing.TB, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	if status >= 300 {
		wantProblem(t, r)
	}
}

// wantProblem checks the RFC 9457 shape.
func wantProblem(t testing.TB, r response) map[string]any {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, r.body)
	}
	m := r.json(t)
	if m["type"] == "" || m["title"] == "" || m["status"] != float64(r.status) {
		t.Fatalf("problem %s lacks type/title/status %d", r.body, r.status)
	}
	return m
}

// encounterFiles returns testdata/encounters/*.json by base name.
func encounterFiles(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(samples.MustRepoRoot(t), "testdata", "encounters", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no testdata/encounters/*.json: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".json")] = b
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// encounter returns a testdata encounter as a generic JSON tree, to modify.
func encounter(t testing.TB, name string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(encounterFiles(t)[name], &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// counter reads a counter of the registry ("name" plus label pairs).
func (e *env) counter(name string, labels ...string) float64 {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if hasLabels(m, labels) {
				return m.GetCounter().GetValue()
			}
		}
	}
	e.t.Fatalf("no metric %s%v", name, labels)
	return 0
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, lp := range m.GetLabel() {
			if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// oneLineDoc is testdata/encounters/prof_one_line.json as a JSON tree, with the two values the
// sample writes loosely for the 837 mapping tests (a hyphenated tax id and ZIP+4) written the
// way scrubbing accepts them.
func oneLineDoc(t testing.TB) map[string]any {
	t.Helper()
	m := encounter(t, "prof_one_line")
	bp := m["billing_provider"].(map[string]any)
	bp["tax_id"] = "411234567"
	bp["address"].(map[string]any)["postal_code"] = "554011000"
	return m
}

// oneLine is oneLineDoc as a request body.
func oneLine(t testing.TB) []byte {
	t.Helper()
	return mustJSON(t, oneLineDoc(t))
}
