package api

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// MinOperatorTokenLen is the shortest operator token LoadOperatorToken accepts.
const MinOperatorTokenLen = 32

// LoadOperatorToken reads the operator token from a file (its only content, surrounding white
// space ignored) and returns its gateway.HashToken for Config.OperatorTokenHash. The token must
// be at least MinOperatorTokenLen characters, e.g. `openssl rand -hex 32`. An empty path
// returns "" (no operator token).
func LoadOperatorToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("operator token file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if len(token) < MinOperatorTokenLen || strings.ContainsAny(token, " \t\r\n") {
		return "", fmt.Errorf("operator token file %s: the token must be one word of at least %d characters (e.g. the output of `openssl rand -hex 32`)",
			path, MinOperatorTokenLen)
	}
	return gateway.HashToken(token), nil
}

// principal is who called: a submitter, or the operator.
type principal struct {
	submitter gateway.Submitter
	operator  bool
	// idem is the submitter's stored record of the request's Idempotency-Key (nil when the
	// key is new or absent, or when the submitter came from the authentication cache), read
	// with the authentication in one round trip.
	idem *gateway.IdempotencyKey
	// check is set when the submitter came from the authentication cache: the handler calls
	// check.confirm() once the store has confirmed the submitter (a claim was written for it).
	check *authCheckWriter
}

// errNoCredentials: no usable Authorization header.
var errNoCredentials = errors.New("no bearer token")

// authenticate resolves the bearer token. Unknown and revoked tokens are the same answer.
func (a *API) authenticate(r *http.Request) (principal, error) {
	hash, err := bearerHash(r)
	if err != nil {
		return principal{}, err
	}
	if a.isOperator(hash) {
		return principal{operator: true}, nil
	}
	key := r.Header.Get("Idempotency-Key")
	if !validIdempotencyKey(key) {
		key = "" // the handler refuses it
	}
	sub, idem, err := a.store.AuthenticateSubmitter(r.Context(), hash, key)
	if err != nil {
		return principal{}, err
	}
	return principal{submitter: sub, idem: idem}, nil
}

// unauthorized answers 401 with the challenge; an error other than "unknown token" is a 500.
func (a *API) unauthorized(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errNoCredentials):
		w.Header().Set("WWW-Authenticate", `Bearer realm="claimgate"`)
		a.problem(w, r, problem{Title: "Unauthorized", Status: http.StatusUnauthorized,
			Detail: "Send the API token: Authorization: Bearer <token> (claimgate submitters add NAME prints one)."})
	case errors.Is(err, gateway.ErrNotFound):
		w.Header().Set("WWW-Authenticate", `Bearer realm="claimgate", error="invalid_token"`)
		a.problem(w, r, problem{Title: "Unauthorized", Status: http.StatusUnauthorized,
			Detail: "The API token is unknown or revoked; ask the operator for a new one."})
	default:
		a.log.Error("authenticating an API call", "route", r.Pattern, "request_id", requestID(r), "err", err)
		a.problem(w, r, problemInternal())
	}
}

// authSubmitter lets only submitters through.
func (a *API) authSubmitter(h func(http.ResponseWriter, *http.Request, principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := a.authenticate(r)
		if err != nil {
			a.unauthorized(w, r, err)
			return
		}
		if p.operator {
			a.problem(w, r, problem{Title: "Forbidden", Status: http.StatusForbidden,
				Detail: "The operator token cannot send or read claims; use a submitter's token."})
			return
		}
		h(w, r, p)
	}
}

// authAny lets submitters and the operator through.
func (a *API) authAny(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := a.authenticate(r); err != nil {
			a.unauthorized(w, r, err)
			return
		}
		h(w, r)
	}
}

// authOperator lets only the operator through; a submitter's token is 403.
func (a *API) authOperator(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := a.authenticate(r)
		if err != nil {
			a.unauthorized(w, r, err)
			return
		}
		if !p.operator {
			a.problem(w, r, problem{Title: "Forbidden", Status: http.StatusForbidden,
				Detail: "Only the operator token may trigger payer operations."})
			return
		}
		h(w, r)
	}
}

// authCache remembers, for a short time, which submitter a token hash belongs to, so that the
// busiest route (POST /v1/encounters) does not pay an authentication round trip per request.
// It never weakens revocation: the claim write itself checks the submitter is active, and every
// other answer of that route is re-authenticated against the store before it is sent
// (authCheckWriter). Only successful lookups are kept; unknown tokens always reach the store.
type authCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]authEntry
}

type authEntry struct {
	sub     gateway.Submitter
	expires time.Time
}

// authCacheMax bounds the cache; past it, the cache is emptied and refilled.
const authCacheMax = 10000

func (c *authCache) get(hash string, now time.Time) (gateway.Submitter, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.After(e.expires) {
		return gateway.Submitter{}, false
	}
	return e.sub, true
}

func (c *authCache) put(hash string, sub gateway.Submitter, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= authCacheMax {
		c.m = make(map[string]authEntry)
	}
	c.m[hash] = authEntry{sub: sub, expires: now.Add(c.ttl)}
}

// bearerHash returns the HashToken of the request's bearer token.
func bearerHash(r *http.Request) (string, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 512 {
		return "", errNoCredentials
	}
	return gateway.HashToken(token), nil
}

// authEncounter is authSubmitter for POST /v1/encounters, with the authentication cache.
func (a *API) authEncounter(h func(http.ResponseWriter, *http.Request, principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hash, err := bearerHash(r)
		if err != nil {
			a.unauthorized(w, r, err)
			return
		}
		if a.auth.ttl > 0 && !a.isOperator(hash) {
			if sub, ok := a.auth.get(hash, time.Now()); ok {
				cw := &authCheckWriter{ResponseWriter: w, a: a, r: r, hash: hash}
				h(cw, r, principal{submitter: sub, check: cw})
				return
			}
		}
		p, err := a.authenticate(r)
		if err != nil {
			a.unauthorized(w, r, err)
			return
		}
		if p.operator {
			a.problem(w, r, problem{Title: "Forbidden", Status: http.StatusForbidden,
				Detail: "The operator token cannot send or read claims; use a submitter's token."})
			return
		}
		if a.auth.ttl > 0 {
			a.auth.put(hash, p.submitter, time.Now())
		}
		h(w, r, p)
	}
}

func (a *API) isOperator(hash string) bool {
	return a.operatorHash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(a.operatorHash)) == 1
}

// authCheckWriter carries the answer of a request authenticated from the cache. Unless the
// store already confirmed the submitter in this request (the claim write checks it), it asks
// the store again before the answer starts, and answers 401 instead when the token was revoked
// meanwhile: a revoked token never gets anything but 401.
type authCheckWriter struct {
	http.ResponseWriter
	a        *API
	r        *http.Request
	hash     string
	verified bool // the store confirmed the submitter during this request
	started  bool
	replaced bool // the handler's answer was replaced by a 401; its writes are dropped
}

// confirm records that the store confirmed the submitter (a claim was written for it).
func (c *authCheckWriter) confirm() { c.verified = true }

func (c *authCheckWriter) WriteHeader(code int) {
	if c.started {
		return
	}
	c.started = true
	if !c.verified {
		if _, _, err := c.a.store.AuthenticateSubmitter(c.r.Context(), c.hash, ""); err != nil {
			h := c.Header()
			for k := range h {
				if k != "X-Request-Id" {
					delete(h, k)
				}
			}
			c.replaced = true
			c.a.unauthorized(c.ResponseWriter, c.r, err)
			return
		}
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *authCheckWriter) Write(b []byte) (int, error) {
	if !c.started {
		c.WriteHeader(http.StatusOK)
	}
	if c.replaced {
		return len(b), nil
	}
	return c.ResponseWriter.Write(b)
}

func (c *authCheckWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
