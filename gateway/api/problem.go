package api

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Problem type URIs of the answers a client acts on differently; generic HTTP failures are
// "about:blank" with the status's title (RFC 9457). They are part of the API contract.
const (
	TypeScrubFailed          = "urn:claimgate:problem:scrub-failed"           // 422: the encounter fails intake edits
	TypeMalformedEncounter   = "urn:claimgate:problem:malformed-encounter"    // 400: not an encounter document
	TypeIdempotencyKeyReused = "urn:claimgate:problem:idempotency-key-reused" // 409: same key, different request
	TypeExternalIDConflict   = "urn:claimgate:problem:external-id-conflict"   // 409: same external_id, different encounter
	TypeInvalidQuery         = "urn:claimgate:problem:invalid-query"          // 400: a bad filter, cursor or limit
	TypeUnavailable          = "urn:claimgate:problem:payer-ops-unavailable"  // 503: payer operations not wired
)

// problem is an RFC 9457 problem details document.
type problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Errors    []problemError `json:"errors,omitempty"`
}

// problemError is one located problem: a JSON pointer into the request, a stable code and a
// sentence.
type problemError struct {
	Pointer string `json:"pointer"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (a *API) problem(w http.ResponseWriter, r *http.Request, p problem) {
	p.RequestID = requestID(r)
	if p.Type == "" {
		p.Type = "about:blank"
	}
	b, err := marshal(p)
	if err != nil {
		// Only strings and ints: Marshal cannot fail.
		b = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}` + "\n")
		p.Status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Length")
	w.WriteHeader(p.Status)
	_, _ = w.Write(b)
}

func problemNotFound(detail string) problem {
	return problem{Title: "Not Found", Status: http.StatusNotFound, Detail: detail}
}

func problemInternal() problem {
	return problem{Title: "Internal Server Error", Status: http.StatusInternalServerError,
		Detail: "An unexpected error occurred. Quote the request id to the operator."}
}

func problemQuery(detail string) problem {
	return problem{Type: TypeInvalidQuery, Title: "Invalid query", Status: http.StatusBadRequest, Detail: detail}
}

// writeJSON writes v as a JSON response.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		a.log.Error("encoding an API response", "route", r.Pattern, "request_id", requestID(r), "err", err)
		a.problem(w, r, problemInternal())
		return
	}
	a.writeRaw(w, status, b)
}

func (a *API) writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// marshal is json.Marshal without HTML escaping ("<token>" stays readable), with the trailing
// newline of an encoder.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
