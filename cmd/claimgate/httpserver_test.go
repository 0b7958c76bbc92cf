package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeReadiness is a readinessChecker with canned answers.
type fakeReadiness struct {
	pingErr         error
	current, latest int
	versionErr      error
}

func (f fakeReadiness) Ping(context.Context) error { return f.pingErr }
func (f fakeReadiness) SchemaVersion(context.Context) (int, int, error) {
	return f.current, f.latest, f.versionErr
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a server and reads of a test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logRecords decodes JSON log lines.
func logRecords(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

func newTestHandler(t *testing.T, ready readinessChecker, mount func(*http.ServeMux)) (http.Handler, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	h := newHTTPHandler(httpDeps{
		logger:       newLogger(logs, "json", "debug"),
		metrics:      newMetrics(buildInfo{Version: "v9.9.9", Commit: "abc1234", GoVersion: "go1.26"}),
		ready:        ready,
		maxBodyBytes: 64,
		mountAPI:     mount,
	})
	return h, logs
}

func TestOperationalEndpoints(t *testing.T) {
	tests := []struct {
		name       string
		ready      fakeReadiness
		path       string
		method     string
		wantStatus int
		wantBody   string
	}{
		{name: "healthz", path: "/healthz", wantStatus: 200, wantBody: "ok\n"},
		{name: "healthz HEAD", method: http.MethodHead, path: "/healthz", wantStatus: 200},
		{name: "healthz ignores the database", ready: fakeReadiness{pingErr: errors.New("down")}, path: "/healthz", wantStatus: 200, wantBody: "ok\n"},
		{name: "ready", ready: fakeReadiness{current: 1, latest: 1}, path: "/readyz", wantStatus: 200, wantBody: "ready\n"},
		{name: "database down", ready: fakeReadiness{pingErr: errors.New("connection refused")}, path: "/readyz", wantStatus: 503, wantBody: "not ready: database unreachable\n"},
		{name: "schema behind", ready: fakeReadiness{current: 1, latest: 3}, path: "/readyz", wantStatus: 503,
			wantBody: "not ready: database schema is at version 1, this binary needs 3 (run `claimgate migrate`)\n"},
		{name: "schema unreadable", ready: fakeReadiness{versionErr: errors.New("no table")}, path: "/readyz", wantStatus: 503, wantBody: "not ready: cannot read the database schema version\n"},
		{name: "wrong method", method: http.MethodPost, path: "/healthz", wantStatus: 405},
		{name: "unknown path", path: "/nope", wantStatus: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newTestHandler(t, tc.ready, nil)
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(method, tc.path, nil))
			if rec.Code != tc.wantStatus {
				t.Errorf("status %d, want %d (body %q)", rec.Code, tc.wantStatus, rec.Body.String())
			}
			if tc.wantBody != "" && rec.Body.String() != tc.wantBody {
				t.Errorf("body %q, want %q", rec.Body.String(), tc.wantBody)
			}
			if rec.Header().Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id on the response")
			}
		})
	}
}

func TestMetricsAreLabelledByRoutePattern(t *testing.T) {
	h, _ := newTestHandler(t, fakeReadiness{current: 2, latest: 2}, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /v1/claims/{id}", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
		})
	})
	for _, p := range []string{"/healthz", "/healthz", "/readyz", "/v1/claims/CLM0001", "/v1/claims/CLM0002", "/no/such/MEMBER123"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, p, nil))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`claimgate_build_info{commit="abc1234",goversion="go1.26",version="v9.9.9"} 1`,
		`claimgate_http_requests_total{code="200",route="GET /healthz"} 2`,
		`claimgate_http_requests_total{code="200",route="GET /readyz"} 1`,
		`claimgate_http_requests_total{code="404",route="GET /v1/claims/{id}"} 2`,
		`claimgate_http_requests_total{code="404",route="unmatched"} 1`,
		`claimgate_http_request_duration_seconds_count{route="GET /v1/claims/{id}"} 2`,
		"go_goroutines ",
		"process_open_fds ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, never := range []string{"CLM0001", "MEMBER123"} {
		if strings.Contains(body, never) {
			t.Errorf("/metrics holds the raw path segment %q", never)
		}
	}
}

func TestPanicBecomesProblem(t *testing.T) {
	h, logs := newTestHandler(t, fakeReadiness{}, func(mux *http.ServeMux) {
		mux.HandleFunc("POST /v1/boom", func(w http.ResponseWriter, r *http.Request) {
			var s []int
			_ = s[3] // index out of range
		})
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v1/boom", strings.NewReader("{}"))
	req.Header.Set("X-Request-Id", "req-42")
	h.ServeHTTP(rec, req)
	if rec.Code != 500 {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	if p.Status != 500 || p.Title != "Internal Server Error" || p.RequestID != "req-42" || !strings.Contains(p.Detail, "req-42") {
		t.Errorf("problem = %+v", p)
	}
	var sawPanic, sawAccess bool
	for _, r := range logRecords(t, logs.String()) {
		switch r["msg"] {
		case "panic in HTTP handler":
			sawPanic = r["request_id"] == "req-42" && strings.Contains(fmt.Sprint(r["stack"]), "httpserver_test.go")
		case "http request":
			sawAccess = r["status"] == float64(500) && r["route"] == "POST /v1/boom" && r["level"] == "ERROR"
		}
	}
	if !sawPanic || !sawAccess {
		t.Errorf("logs lack the panic record with its stack or the 500 access record:\n%s", logs.String())
	}
}

func TestPanicAfterHeadersKeepsStatus(t *testing.T) {
	h, _ := newTestHandler(t, fakeReadiness{}, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /v1/half", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			panic("late")
		})
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/half", nil))
	if rec.Code != http.StatusAccepted || rec.Body.Len() != 0 {
		t.Errorf("status %d body %q: a problem was written after the headers", rec.Code, rec.Body.String())
	}
}

func TestAbortHandlerPanicPropagates(t *testing.T) {
	h, _ := newTestHandler(t, fakeReadiness{}, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /v1/abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	})
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler to reach net/http", v)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/v1/abort", nil))
}

func TestAccessLogHasNoPHI(t *testing.T) {
	const phi = "DOE^JOHN*19800401*XYZ123456789"
	h, logs := newTestHandler(t, fakeReadiness{}, func(mux *http.ServeMux) {
		mux.HandleFunc("POST /v1/encounters/{member}", func(w http.ResponseWriter, r *http.Request) {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				return
			}
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(b)
		})
	})
	req := httptest.NewRequest(http.MethodPost, "/v1/encounters/XYZ123456789?last_name=DOE", strings.NewReader(`{"subscriber":"`+phi+`"}`))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d", rec.Code)
	}
	out := logs.String()
	for _, never := range []string{"DOE", "XYZ123456789", "19800401", "last_name"} {
		if strings.Contains(out, never) {
			t.Errorf("log holds %q:\n%s", never, out)
		}
	}
	recs := logRecords(t, out)
	if len(recs) != 1 {
		t.Fatalf("want one access record, got %d:\n%s", len(recs), out)
	}
	r := recs[0]
	for k, want := range map[string]any{"msg": "http request", "method": "POST", "route": "POST /v1/encounters/{member}", "status": float64(201), "level": "INFO"} {
		if r[k] != want {
			t.Errorf("access log %s = %v, want %v", k, r[k], want)
		}
	}
	for _, k := range []string{"duration_ms", "request_id", "bytes"} {
		if _, ok := r[k]; !ok {
			t.Errorf("access log lacks %s: %v", k, r)
		}
	}
}

func TestProbesLogAtDebug(t *testing.T) {
	logs := &syncBuffer{}
	h := newHTTPHandler(httpDeps{
		logger:  newLogger(logs, "json", "info"),
		metrics: newMetrics(buildInfo{}),
		ready:   fakeReadiness{},
	})
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/nope", nil))
	recs := logRecords(t, logs.String())
	if len(recs) != 1 || recs[0]["route"] != routeUnmatched {
		t.Errorf("at info level, want only the unmatched request logged, got:\n%s", logs.String())
	}
}

func TestRequestID(t *testing.T) {
	tests := []struct {
		in       string
		keep     bool
		wantSize int
	}{
		{in: "", keep: false, wantSize: 24},
		{in: "abc-123_x.y:z", keep: true},
		{in: "has space", keep: false, wantSize: 24},
		{in: strings.Repeat("a", 65), keep: false, wantSize: 24},
		{in: "<script>", keep: false, wantSize: 24},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var seen string
			h, _ := newTestHandler(t, fakeReadiness{}, func(mux *http.ServeMux) {
				mux.HandleFunc("GET /v1/id", func(w http.ResponseWriter, r *http.Request) { seen = r.Header.Get("X-Request-Id") })
			})
			req := httptest.NewRequest(http.MethodGet, "/v1/id", nil)
			if tc.in != "" {
				req.Header.Set("X-Request-Id", tc.in)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get("X-Request-Id")
			if got != seen {
				t.Errorf("handler saw %q, response says %q", seen, got)
			}
			if tc.keep && got != tc.in {
				t.Errorf("got %q, want the caller's %q", got, tc.in)
			}
			if !tc.keep && (got == tc.in || len(got) != tc.wantSize) {
				t.Errorf("got %q, want a new %d-character id", got, tc.wantSize)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	h, _ := newTestHandler(t, fakeReadiness{}, func(mux *http.ServeMux) {
		mux.HandleFunc("POST /v1/echo", func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(r.Body); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					w.WriteHeader(http.StatusRequestEntityTooLarge)
					return
				}
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
	})
	for _, tc := range []struct {
		size int
		want int
	}{{64, http.StatusNoContent}, {65, http.StatusRequestEntityTooLarge}} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/echo", strings.NewReader(strings.Repeat("x", tc.size))))
		if rec.Code != tc.want {
			t.Errorf("%d-byte body: status %d, want %d", tc.size, rec.Code, tc.want)
		}
	}
}

func TestStatusRecorderFlushes(t *testing.T) {
	rec := httptest.NewRecorder()
	s := &statusRecorder{ResponseWriter: rec}
	if err := http.NewResponseController(s).Flush(); err != nil {
		t.Fatalf("Flush through ResponseController: %v", err)
	}
	if !rec.Flushed || s.status != http.StatusOK {
		t.Errorf("flushed %v status %d", rec.Flushed, s.status)
	}
}

func TestNewLogger(t *testing.T) {
	tests := []struct {
		format, level string
		wantDebug     bool
		wantPrefix    string
	}{
		{"json", "info", false, "{"},
		{"json", "debug", true, "{"},
		{"text", "warn", false, "time="},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		l := newLogger(&buf, tc.format, tc.level)
		if got := l.Enabled(context.Background(), slog.LevelDebug); got != tc.wantDebug {
			t.Errorf("%s/%s: debug enabled %v", tc.format, tc.level, got)
		}
		l.Error("x")
		if !strings.HasPrefix(buf.String(), tc.wantPrefix) {
			t.Errorf("%s: output %q", tc.format, buf.String())
		}
	}
}
