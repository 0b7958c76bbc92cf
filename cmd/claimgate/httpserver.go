package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// readinessChecker is what /readyz asks of the store.
type readinessChecker interface {
	Ping(ctx context.Context) error
	SchemaVersion(ctx context.Context) (current, latest int, err error)
}

// httpDeps is everything newHTTPHandler needs.
type httpDeps struct {
	logger       *slog.Logger
	metrics      *metrics
	ready        readinessChecker
	maxBodyBytes int64
	// mountAPI registers the application routes on mux: the JSON API under /v1 (gateway/api),
	// FHIR intake under /fhir and the dashboard (gateway/web). Routes are registered on this
	// mux directly, with full method patterns ("POST /v1/encounters"), so that metrics and
	// access logs are labelled by those patterns. nil: no application routes yet.
	mountAPI func(mux *http.ServeMux)
}

// metrics holds the registry of the process (never the prometheus global default) and the
// HTTP instruments. Other components register their collectors on registry.
type metrics struct {
	registry     *prometheus.Registry
	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	httpInFlight prometheus.Gauge
}

func newMetrics(bi buildInfo) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		registry: reg,
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_http_requests_total",
			Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "claimgate_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		httpInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "claimgate_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "claimgate_build_info",
		Help:        "Always 1; the labels describe the running binary.",
		ConstLabels: prometheus.Labels{"version": bi.Version, "commit": bi.Commit, "goversion": bi.GoVersion},
	})
	buildInfo.Set(1)
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo, m.httpRequests, m.httpDuration, m.httpInFlight,
	)
	return m
}

// routeUnmatched labels requests no route matched (404, 405), so that scanners probing random
// paths cannot grow the label set.
const routeUnmatched = "unmatched"

// newHTTPHandler builds the whole HTTP surface: operational endpoints, the application routes
// (deps.mountAPI) and the middleware every request goes through (request id, body limit, panic
// recovery, metrics, access log).
func newHTTPHandler(d httpDeps) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /readyz", readyHandler(d.ready, d.logger))
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.metrics.registry, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(d.logger.Handler(), slog.LevelError),
		Registry: d.metrics.registry,
	}))

	// Application routes: the /v1 JSON API, /fhir and the dashboard are mounted here.
	if d.mountAPI != nil {
		d.mountAPI(mux)
	}

	return &instrumented{next: mux, deps: d}
}

// readyHandler answers 200 when the store answers and its schema is current, 503 with the
// reason otherwise.
func readyHandler(store readinessChecker, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		notReady := func(reason string, err error) {
			logger.Warn("not ready", "reason", reason, "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "not ready: %s\n", reason)
		}
		if err := store.Ping(ctx); err != nil {
			notReady("database unreachable", err)
			return
		}
		current, latest, err := store.SchemaVersion(ctx)
		if err != nil {
			notReady("cannot read the database schema version", err)
			return
		}
		if current != latest {
			notReady(fmt.Sprintf("database schema is at version %d, this binary needs %d (run `claimgate migrate`)", current, latest), nil)
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// instrumented is the middleware around the mux. It is one handler rather than a chain so that
// it can read r.Pattern, which the mux sets on the very request it is given.
type instrumented struct {
	next http.Handler
	deps httpDeps
}

var requestIDRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

func (h *instrumented) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	m := h.deps.metrics
	m.httpInFlight.Inc()
	defer m.httpInFlight.Dec()

	// Request id: the caller's X-Request-Id when it is a sane token, else a new one. It is put
	// back on the request so the application handlers see the one we log.
	id := r.Header.Get("X-Request-Id")
	if !requestIDRe.MatchString(id) {
		id = newRequestID()
	}
	r.Header.Set("X-Request-Id", id)
	w.Header().Set("X-Request-Id", id)

	if r.Body != nil && h.deps.maxBodyBytes > 0 {
		r.Body = http.MaxBytesReader(w, r.Body, h.deps.maxBodyBytes)
	}

	rec := &statusRecorder{ResponseWriter: w}
	var aborted any
	func() {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				aborted = v
				return
			}
			h.deps.logger.Error("panic in HTTP handler",
				"method", r.Method, "route", routeLabel(r), "request_id", id,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !rec.wroteHeader {
				writeProblem(rec, http.StatusInternalServerError, "Internal Server Error",
					"An unexpected error occurred. Quote the request id to the operator: "+id, id)
			}
		}()
		h.next.ServeHTTP(rec, r)
	}()

	status := rec.status
	if status == 0 {
		status = http.StatusOK // the handler wrote nothing
	}
	route := routeLabel(r)
	elapsed := time.Since(start)
	m.httpRequests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route).Observe(elapsed.Seconds())

	level := slog.LevelInfo
	switch route {
	case "GET /healthz", "GET /readyz", "GET /metrics":
		level = slog.LevelDebug // probes and scrapes every few seconds
	}
	if status >= 500 {
		level = slog.LevelError
	}
	// Never the raw path, the query string or a body: they can carry PHI.
	h.deps.logger.LogAttrs(r.Context(), level, "http request",
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.Int64("bytes", rec.bytes),
		slog.String("request_id", id),
	)
	if aborted != nil {
		panic(aborted)
	}
}

// routeLabel is the mux pattern that matched r, or routeUnmatched.
func routeLabel(r *http.Request) string {
	if r.Pattern == "" {
		return routeUnmatched
	}
	return r.Pattern
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// problem is an RFC 9457 problem details body.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

func writeProblem(w http.ResponseWriter, status int, title, detail, requestID string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: title, Status: status, Detail: detail, RequestID: requestID})
}

// statusRecorder remembers the status and size of a response. Unwrap lets
// http.ResponseController reach the underlying writer (Flush, deadlines, hijack).
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	bytes       int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader && code >= 200 {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = http.StatusOK, true
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Flush() {
	if !s.wroteHeader {
		s.status, s.wroteHeader = http.StatusOK, true
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// errServerClosed reports whether err is the normal result of Shutdown.
func errServerClosed(err error) bool { return errors.Is(err, http.ErrServerClosed) }
