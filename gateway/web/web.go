package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/acks"
	"github.com/claimgate/claimgate/gateway/remit"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// Reconciler computes the reconciliation of a period; *remit.Poster implements it (the API's
// RemittanceService uses the same method).
type Reconciler interface {
	Reconcile(ctx context.Context, f gateway.ReconciliationFilter, asOf time.Time) (remit.Reconciliation, error)
}

// Config is what the dashboard needs.
type Config struct {
	// Store is read by every page. Required.
	Store gateway.Store
	// OperatorTokenHash is gateway.HashToken of the operator token (api.LoadOperatorToken);
	// empty: the dashboard is disabled and every page answers 503 saying so.
	OperatorTokenHash string
	// Reconciler serves the reconciliation page (a *remit.Poster); nil answers it 503.
	Reconciler Reconciler
	// Matcher matches an unmatched claim payment to a claim by hand (a *remit.Poster, the
	// same call as the API's match route); nil answers the match form 503.
	Matcher Matcher
	// Codes labels CARC and RARC codes and lists the work queues; nil means codes.Default().
	Codes *codes.Table
	// Staleness are the thresholds of "waiting too long" (the daemon's staleness settings);
	// zero durations take acks' defaults.
	Staleness acks.Staleness
	// Logger receives store failures (ids only); nil: slog.Default().
	Logger *slog.Logger
	// Now is the clock (sessions, ages, stale thresholds); nil means time.Now.
	Now func() time.Time
}

// Dashboard serves the /ui pages.
type Dashboard struct {
	store      gateway.Store
	opHash     string
	sessionKey []byte
	recon      Reconciler
	matcher    Matcher
	codes      *codes.Table
	stale      acks.Staleness
	log        *slog.Logger
	now        func() time.Time
	pages      map[string]*template.Template
	csrf       *http.CrossOriginProtection
}

// pageNames are the templates of templates/, each rendered inside layout.html.
var pageNames = []string{"login", "message", "overview", "claims", "claim", "denials", "remittances", "remittance", "reconciliation"}

// New checks cfg and builds the dashboard.
func New(cfg Config) (*Dashboard, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: Config.Store is required")
	}
	d := &Dashboard{store: cfg.Store, opHash: cfg.OperatorTokenHash, recon: cfg.Reconciler, matcher: cfg.Matcher, codes: cfg.Codes,
		stale: cfg.Staleness, log: cfg.Logger, now: cfg.Now, pages: map[string]*template.Template{}}
	if d.codes == nil {
		d.codes = codes.Default()
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.opHash != "" {
		d.sessionKey = sessionKey(d.opHash)
	}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		d.pages[name] = t
	}
	d.csrf = http.NewCrossOriginProtection()
	return d, nil
}

// Register adds the /ui routes to mux, with method patterns. Every other path under /ui/ is a
// 404 page.
func (d *Dashboard) Register(mux *http.ServeMux) {
	open := func(h http.HandlerFunc) http.Handler { return d.guard(h) }
	authed := func(h http.HandlerFunc) http.Handler { return d.guard(d.requireSession(h)) }
	mux.Handle("GET /ui/static/style.css", open(d.style))
	mux.Handle("GET /ui/login", open(d.loginPage))
	mux.Handle("POST /ui/login", open(d.login))
	mux.Handle("POST /ui/logout", open(d.logout))
	mux.Handle("GET /ui/{$}", authed(d.overview))
	mux.Handle("GET /ui/claims", authed(d.claims))
	mux.Handle("GET /ui/claims/{id}", authed(d.claim))
	mux.Handle("GET /ui/denials", authed(d.denials))
	mux.Handle("GET /ui/remittances", authed(d.remittances))
	mux.Handle("GET /ui/remittances/{id}", authed(d.remittance))
	mux.Handle("GET /ui/reconciliation", authed(d.reconciliation))
	mux.Handle("GET /ui/reconciliation.csv", authed(d.reconciliationCSV))
	mux.Handle("POST /ui/denials/{id}/assign", authed(d.assignDenial))
	mux.Handle("POST /ui/denials/{id}/resolve", authed(d.resolveDenial))
	mux.Handle("POST /ui/remittances/{id}/claims/{n}/match", authed(d.matchPayment))
	mux.Handle("POST /ui/webhooks/deliveries/{id}/retry", authed(d.retryDelivery))
	mux.Handle("/ui/", open(d.notFoundRoute))
}

// Handler returns a ServeMux holding only the dashboard's routes (tests, embedding).
func (d *Dashboard) Handler() http.Handler {
	mux := http.NewServeMux()
	d.Register(mux)
	return mux
}

// securityHeaders are set on every /ui answer.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
}

// guard sets the security headers, refuses cross-site unsafe requests, answers 503 while no
// operator token is configured, and turns a panic into a 500 page quoting the request id.
func (d *Dashboard) guard(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		if r.Header.Get("X-Request-Id") == "" {
			r.Header.Set("X-Request-Id", newRequestID())
		}
		rw := &trackingWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			d.log.Error("panic in dashboard handler", "route", r.Pattern, "request_id", requestID(r),
				"panic_type", fmt.Sprintf("%T", v), "stack", string(debug.Stack()))
			if !rw.wrote {
				d.internalError(rw, r)
			}
		}()
		if err := d.csrf.Check(r); err != nil {
			d.message(rw, r, http.StatusForbidden, "Request refused",
				"This form was sent from another web site, so it was refused. Open the dashboard at its own address and try again.")
			return
		}
		if d.opHash == "" && r.Pattern != "GET /ui/static/style.css" {
			d.message(rw, r, http.StatusServiceUnavailable, "Dashboard not configured",
				"The dashboard is for the operator and needs an operator token: put a token of at least 32 characters "+
					"(for example the output of `openssl rand -hex 32`) in a file, set CLAIMGATE_OPERATOR_TOKEN_FILE to "+
					"that file's path and restart claimgate.")
			return
		}
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

func requestID(r *http.Request) string { return r.Header.Get("X-Request-Id") }

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// page is what every template receives.
type page struct {
	Title     string
	Nav       string // the highlighted menu entry
	LoggedIn  bool
	RequestID string
	// Notice confirms the action that redirected here (?done=): a fixed sentence with ids.
	Notice string
	Data   any
}

// render writes a page; a template failure is a 500 page (nothing was written yet).
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	var b bytes.Buffer
	p.RequestID = requestID(r)
	if p.LoggedIn && r.Method == http.MethodGet && name != "message" {
		p.Notice = notice(r.URL.Query())
	}
	if err := d.pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		d.log.Error("rendering a dashboard page", "page", name, "request_id", requestID(r), "err", err)
		if name != "message" {
			d.internalError(w, r)
			return
		}
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// messageData is the body of an error or notice page.
type messageData struct {
	Heading string
	Text    string
	Back    string // a dashboard page to go back to (the page of a refused form); "" for none
}

// message renders a page with a heading and a sentence.
func (d *Dashboard) message(w http.ResponseWriter, r *http.Request, status int, heading, text string) {
	d.render(w, r, status, "message", page{Title: heading, LoggedIn: d.opHash != "" && d.validSession(r),
		Data: messageData{Heading: heading, Text: text}})
}

func (d *Dashboard) badRequest(w http.ResponseWriter, r *http.Request, text string) {
	d.message(w, r, http.StatusBadRequest, "This address is not quite right", text)
}

func (d *Dashboard) notFound(w http.ResponseWriter, r *http.Request, text string) {
	d.message(w, r, http.StatusNotFound, "Not found", text)
}

func (d *Dashboard) internalError(w http.ResponseWriter, r *http.Request) {
	d.message(w, r, http.StatusInternalServerError, "Something went wrong",
		"The page could not be read from the database. Try again in a moment; if it keeps failing, give the operator this request id: "+requestID(r)+".")
}

// fail logs a store failure (what, ids: never PHI) and answers the 500 page.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, what string, err error, attrs ...any) {
	d.log.Error("dashboard: "+what, append([]any{"route", r.Pattern, "request_id", requestID(r), "err", err}, attrs...)...)
	d.internalError(w, r)
}

// notFoundRoute answers every /ui/ path no page serves.
func (d *Dashboard) notFoundRoute(w http.ResponseWriter, r *http.Request) {
	if !d.validSession(r) && r.Method == http.MethodGet {
		http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
		return
	}
	d.notFound(w, r, "There is no dashboard page at this address. Start again from the overview.")
}

// style serves the embedded stylesheet.
func (d *Dashboard) style(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write(styleCSS)
}
