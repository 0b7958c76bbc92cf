package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/payers"
)

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is zero: 1 MiB, the
// default of the http.max_body_bytes setting.
const DefaultMaxBodyBytes = 1 << 20

// DefaultAuthCacheTTL is Config.AuthCacheTTL's default.
const DefaultAuthCacheTTL = 30 * time.Second

// Config is what the API needs.
type Config struct {
	// Store persists claims and authenticates submitters. Required.
	Store gateway.Store
	// Payers are the configured payers: scrubbing's "payer known" and payer-specific edits,
	// and GET /v1/payers when PayerOps is nil.
	Payers []payers.Payer
	// PayerOps serves the payer operations (gateway/submission implements it); nil answers
	// submit-now and poll-now 503 and lists Payers on GET /v1/payers.
	PayerOps gateway.PayerOps
	// OperatorTokenHash is gateway.HashToken of the operator token (see LoadOperatorToken);
	// empty: no operator token is accepted and the operator routes answer 403.
	OperatorTokenHash string
	// Registerer receives the API's metrics (never the global registry). Required.
	Registerer prometheus.Registerer
	// Logger receives one line per accepted or rejected encounter (ids and codes only).
	// nil: slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes refuses larger request bodies with 413; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Now is the clock for scrubbing's date edits; nil means time.Now.
	Now func() time.Time
	// AuthCacheTTL is how long POST /v1/encounters trusts a token it has authenticated before
	// asking the store again (0: DefaultAuthCacheTTL; negative: no cache). Revocation still takes
	// effect on the next request: the claim write re-checks the submitter, and every other
	// answer of that route is re-authenticated before it is sent.
	AuthCacheTTL time.Duration
	// Codes lists the denial work queues (GET /v1/denials/queues); nil means codes.Default().
	Codes *codes.Table
	// Remittances posts and reconciles 835s (a *remit.Poster); nil answers the upload, match
	// and reconciliation routes 503.
	Remittances RemittanceService
}

// API serves the /v1 routes.
type API struct {
	store        gateway.Store
	payers       map[string]payers.Payer // by upper-case id
	payerList    []payers.Payer
	ops          gateway.PayerOps
	operatorHash string
	log          *slog.Logger
	maxBody      int64
	now          func() time.Time
	metrics      *metrics
	auth         authCache    // POST /v1/encounters' authentication cache
	codes        *codes.Table // denial queues
	routes       []route
	methods      *http.ServeMux // the routes with no-op handlers, to compute Allow for 405
}

// route is one registered endpoint.
type route struct {
	method  string
	path    string
	handler http.HandlerFunc
}

// Pattern is the ServeMux pattern of the route.
func (r route) Pattern() string { return r.method + " " + r.path }

// New checks cfg and builds the API, registering its metrics on cfg.Registerer.
func New(cfg Config) (*API, error) {
	if cfg.Store == nil {
		return nil, errors.New("api: Config.Store is required")
	}
	if cfg.Registerer == nil {
		return nil, errors.New("api: Config.Registerer is required")
	}
	a := &API{
		store:        cfg.Store,
		payers:       make(map[string]payers.Payer, len(cfg.Payers)),
		payerList:    append([]payers.Payer(nil), cfg.Payers...),
		ops:          cfg.PayerOps,
		operatorHash: cfg.OperatorTokenHash,
		log:          cfg.Logger,
		maxBody:      cfg.MaxBodyBytes,
		now:          cfg.Now,
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.maxBody <= 0 {
		a.maxBody = DefaultMaxBodyBytes
	}
	if a.now == nil {
		a.now = time.Now
	}
	switch {
	case cfg.AuthCacheTTL == 0:
		a.auth.ttl = DefaultAuthCacheTTL
	case cfg.AuthCacheTTL > 0:
		a.auth.ttl = cfg.AuthCacheTTL
	}
	if a.codes = cfg.Codes; a.codes == nil {
		a.codes = codes.Default()
	}
	for _, p := range cfg.Payers {
		a.payers[strings.ToUpper(p.ID)] = p
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	a.metrics = m
	a.routes = []route{
		{http.MethodPost, "/v1/encounters", a.authEncounter(a.postEncounter)},
		{http.MethodGet, "/v1/claims", a.authSubmitter(a.listClaimsOrStale)},
		{http.MethodGet, "/v1/claims/{id}", a.authSubmitter(a.getClaim)},
		{http.MethodGet, "/v1/claims/{id}/events", a.authSubmitter(a.getClaimEvents)},
		{http.MethodGet, "/v1/claims/{id}/acknowledgments", a.authSubmitter(a.getClaimAcknowledgments)},
		{http.MethodGet, "/v1/acknowledgments/unmatched", a.authOperator(a.listUnmatchedAcks)},
		{http.MethodGet, "/v1/payers", a.authAny(a.listPayers)},
		{http.MethodPost, "/v1/payers/{id}/submit-now", a.authOperator(a.submitNow)},
		{http.MethodPost, "/v1/payers/{id}/poll-now", a.authOperator(a.pollNow)},
		{http.MethodGet, "/v1/openapi.json", a.openAPI},
		{http.MethodPost, "/v1/claims/{id}/replace", a.authSubmitter(a.replaceClaim)},
		{http.MethodPost, "/v1/claims/{id}/void", a.authSubmitter(a.voidClaim)},
		{http.MethodGet, "/v1/denials", a.authDenials(a.listDenials)},
		{http.MethodGet, "/v1/denials/queues", a.authDenials(a.denialQueues)},
		{http.MethodGet, "/v1/denials/{id}", a.authDenials(a.getDenial)},
		{http.MethodPost, "/v1/denials/{id}/assign", a.authDenials(a.assignDenial)},
		{http.MethodPost, "/v1/denials/{id}/resolve", a.authDenials(a.resolveDenial)},
		{http.MethodGet, "/v1/webhooks/deliveries", a.authSubmitter(a.listWebhookDeliveries)},
		{http.MethodPost, "/v1/webhooks/deliveries/{id}/retry", a.authSubmitter(a.retryWebhookDelivery)},
	}
	a.routes = append(a.routes, a.remittanceRoutes(cfg.Remittances)...)
	a.methods = http.NewServeMux()
	for _, rt := range a.routes {
		a.methods.HandleFunc(rt.Pattern(), func(http.ResponseWriter, *http.Request) {})
	}
	return a, nil
}

// Register adds every /v1 route to mux, with its method pattern, and a catch-all for the rest
// of /v1/ that answers 404 or 405 as problem+json.
func (a *API) Register(mux *http.ServeMux) {
	for _, rt := range a.routes {
		mux.Handle(rt.Pattern(), a.guard(rt.handler))
	}
	mux.Handle("/v1/", a.guard(a.unmatched))
}

// Handler returns a ServeMux holding only the API's routes: for tests and for embedding the
// API without the daemon's operational endpoints.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	a.Register(mux)
	return mux
}

// Routes returns the patterns of the registered endpoints ("GET /v1/claims/{id}", ...).
func (a *API) Routes() []string {
	out := make([]string, len(a.routes))
	for i, rt := range a.routes {
		out[i] = rt.Pattern()
	}
	return out
}

// guard turns a panic into a 500 problem that quotes the request id and nothing else; the log
// gets the panic's type and the stack, not its value (it could hold request content).
func (a *API) guard(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &trackingWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			a.log.Error("panic in API handler", "route", r.Pattern, "request_id", requestID(r),
				"panic_type", fmt.Sprintf("%T", v), "stack", string(debug.Stack()))
			if !rw.wrote {
				a.problem(rw, r, problemInternal())
			}
		}()
		h(rw, r)
	})
}

// trackingWriter remembers whether the response has started.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// probeMethods are the methods unmatched tries, to list what a path allows.
var probeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// unmatched answers every /v1/ request no route took: 405 with Allow when the path exists
// with other methods, 404 otherwise.
func (a *API) unmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range probeMethods {
		probe := &http.Request{Method: m, URL: &url.URL{Path: r.URL.Path}, Host: r.Host, Header: http.Header{}}
		if _, pattern := a.methods.Handler(probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		a.problem(w, r, problemNotFound("There is no API endpoint at this path. GET /v1/openapi.json lists them."))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	a.problem(w, r, problem{Type: "about:blank", Title: "Method Not Allowed", Status: http.StatusMethodNotAllowed,
		Detail: fmt.Sprintf("%s is not allowed here; this endpoint accepts %s.", r.Method, strings.Join(allow, ", "))})
}

// requestID is the request id the server middleware put on the request ("" without it).
func requestID(r *http.Request) string { return r.Header.Get("X-Request-Id") }
