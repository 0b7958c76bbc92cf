package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
)

// Problem types of the denial and correction endpoints.
const (
	TypeDenialResolved        = "urn:claimgate:problem:denial-resolved"          // 409: the denial is resolved already
	TypeNoPayerClaimNumber    = "urn:claimgate:problem:no-payer-claim-number"    // 409: replace/void before the payer's claim number
	TypeClaimFinal            = "urn:claimgate:problem:claim-replaced-or-voided" // 409: the claim is replaced or voided already
	TypeInvalidDenialRequest  = "urn:claimgate:problem:invalid-denial-request"   // 400/422: a bad assign or resolve body
	maxDenialRequestBodyBytes = 16 << 10
)

var queueNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// denialView is a denial as the API shows it.
type denialView struct {
	gateway.Denial
	// History is the work on the denial, in GET /v1/denials/{id} only.
	History []gateway.DenialEvent `json:"history,omitempty"`
	Links   denialLinks           `json:"links"`
}

type denialLinks struct {
	Self  string `json:"self"`
	Claim string `json:"claim"`
}

func denialPath(id int64) string { return "/v1/denials/" + strconv.FormatInt(id, 10) }

func denialViewOf(d gateway.Denial) denialView {
	if d.RARCs == nil {
		d.RARCs = []string{}
	}
	if d.Codes == nil {
		d.Codes = []string{}
	}
	return denialView{Denial: d, Links: denialLinks{Self: denialPath(d.ID), Claim: claimPath(d.ClaimID)}}
}

// authDenials lets submitters (their own claims' denials) and the operator (every denial)
// through; scope is the submitter id, 0 for the operator.
func (a *API) authDenials(h func(w http.ResponseWriter, r *http.Request, scope int64)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := a.authenticate(r)
		if err != nil {
			a.unauthorized(w, r, err)
			return
		}
		var scope int64
		if !p.operator {
			scope = p.submitter.ID
		}
		h(w, r, scope)
	}
}

// denialPage is GET /v1/denials.
type denialPage struct {
	Denials    []denialView `json:"denials"`
	NextCursor string       `json:"next_cursor,omitempty"`
	Links      pageLinks    `json:"links"`
}

// listDenials is GET /v1/denials?queue=&status=&category=&payer=&claim=&cursor=&limit=: newest
// first, one page at a time.
func (a *API) listDenials(w http.ResponseWriter, r *http.Request, scope int64) {
	q := r.URL.Query()
	f := gateway.DenialFilter{SubmitterID: scope}
	names := []string{"queue", "status", "category", "payer", "claim", "cursor", "limit"}
	for name, vals := range q {
		if !denialParam(names, name) {
			a.problem(w, r, problemQuery("Unknown query parameter "+strconv.Quote(name)+"; the filters are queue, status, category, payer, claim, cursor and limit."))
			return
		}
		if len(vals) > 1 {
			a.problem(w, r, problemQuery("Give "+name+" at most once."))
			return
		}
	}
	if v := q.Get("queue"); v != "" {
		if !queueNameRe.MatchString(v) {
			a.problem(w, r, problemQuery("queue must be a queue name such as coding, front_desk or billing; GET /v1/denials/queues lists them."))
			return
		}
		f.Queue = v
	}
	if v := q.Get("status"); v != "" {
		if !gateway.ValidDenialStatus(v) {
			a.problem(w, r, problemQuery("status must be open, assigned or resolved."))
			return
		}
		f.Status = v
	}
	if v := q.Get("category"); v != "" {
		if _, err := codes.ParseCategory(v); err != nil {
			a.problem(w, r, problemQuery(err.Error()+"."))
			return
		}
		f.Category = v
	}
	if v := q.Get("payer"); v != "" {
		if !payerIDRe.MatchString(v) {
			a.problem(w, r, problemQuery("payer must be a payer id: 1-32 letters, digits, '.', '_' or '-'."))
			return
		}
		if p, ok := a.lookupPayer(v); ok {
			v = p.ID
		}
		f.PayerID = v
	}
	if v := q.Get("claim"); v != "" {
		id := gateway.NormalizeClaimID(v)
		if !gateway.ValidClaimID(id) {
			a.problem(w, r, problemQuery("claim must be a claim id."))
			return
		}
		f.ClaimID = id
	}
	var ok bool
	if f.Limit, f.Cursor, ok = a.pageParams(w, r, q); !ok {
		return
	}
	page, err := a.store.ListDenials(r.Context(), f)
	if err != nil {
		if errors.Is(err, gateway.ErrInvalid) {
			a.problem(w, r, badCursor())
			return
		}
		a.fail(w, r, "listing denials", err)
		return
	}
	out := denialPage{Denials: make([]denialView, len(page.Denials)), NextCursor: page.Next}
	for i, d := range page.Denials {
		out.Denials[i] = denialViewOf(d)
	}
	if page.Next != "" {
		out.Links.Next = nextPage("/v1/denials", q, names, page.Next) // its cursor is replaced
	}
	a.writeJSON(w, r, http.StatusOK, out)
}

func denialParam(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// denialID parses the {id} path value; ok is false (and 404 answered) when it is not one.
func (a *API) denialID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		a.problem(w, r, problemNotFound("No denial of yours has this id."))
		return 0, false
	}
	return id, true
}

func (a *API) denialFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		a.problem(w, r, problemNotFound("No denial of yours has this id."))
	case errors.Is(err, gateway.ErrConflict):
		a.problem(w, r, problem{Type: TypeDenialResolved, Title: "Denial resolved", Status: http.StatusConflict,
			Detail: "This denial is resolved already; a resolved denial cannot be assigned or resolved again."})
	case errors.Is(err, gateway.ErrInvalid):
		a.problem(w, r, problem{Type: TypeInvalidDenialRequest, Title: "Invalid request", Status: http.StatusUnprocessableEntity,
			Detail: "claim_id must be a claim of the same submitter as the denial (the corrected claim that resolved it)."})
	default:
		a.fail(w, r, what, err)
	}
}

// getDenial is GET /v1/denials/{id}.
func (a *API) getDenial(w http.ResponseWriter, r *http.Request, scope int64) {
	id, ok := a.denialID(w, r)
	if !ok {
		return
	}
	d, err := a.store.GetDenial(r.Context(), id, scope)
	if err != nil {
		a.denialFailed(w, r, "reading a denial", err)
		return
	}
	history, err := a.store.DenialHistory(r.Context(), id, scope)
	if err != nil {
		a.denialFailed(w, r, "reading a denial's history", err)
		return
	}
	v := denialViewOf(d)
	v.History = history
	a.writeJSON(w, r, http.StatusOK, v)
}

// decodeDenialBody reads a small JSON object into v; on failure it answers 400.
func (a *API) decodeDenialBody(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxDenialRequestBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		a.problem(w, r, problem{Type: TypeInvalidDenialRequest, Title: "Malformed request", Status: http.StatusBadRequest,
			Detail: "The body must be one JSON object with the documented fields: " + strings.TrimPrefix(err.Error(), "json: ") + "."})
		return false
	}
	if dec.More() {
		a.problem(w, r, problem{Type: TypeInvalidDenialRequest, Title: "Malformed request", Status: http.StatusBadRequest,
			Detail: "The body must be exactly one JSON object."})
		return false
	}
	return true
}

func invalidDenialRequest(pointer, code, msg string) problem {
	return problem{Type: TypeInvalidDenialRequest, Title: "Invalid request", Status: http.StatusUnprocessableEntity,
		Detail: msg, Errors: []problemError{{Pointer: pointer, Code: code, Message: msg}}}
}

// assignDenial is POST /v1/denials/{id}/assign {"assignee": "..."}; an empty assignee puts the
// denial back in the open queue.
func (a *API) assignDenial(w http.ResponseWriter, r *http.Request, scope int64) {
	id, ok := a.denialID(w, r)
	if !ok {
		return
	}
	var body struct {
		Assignee *string `json:"assignee"`
	}
	if !a.decodeDenialBody(w, r, &body) {
		return
	}
	if body.Assignee == nil {
		a.problem(w, r, invalidDenialRequest("/assignee", "required", "assignee is required: the person or team working the denial (\"\" to unassign)."))
		return
	}
	as := strings.TrimSpace(*body.Assignee)
	if !gateway.ValidAssignee(as) {
		a.problem(w, r, invalidDenialRequest("/assignee", "invalid", "assignee must be at most 100 printable characters on one line."))
		return
	}
	d, err := a.store.AssignDenial(r.Context(), gateway.DenialAssign{ID: id, SubmitterID: scope, Assignee: as, Actor: actorOf(scope), At: a.now()})
	if err != nil {
		a.denialFailed(w, r, "assigning a denial", err)
		return
	}
	a.log.Info("denial assigned", "denial_id", d.ID, "claim_id", d.ClaimID, "queue", d.Queue, "request_id", requestID(r))
	a.writeJSON(w, r, http.StatusOK, denialViewOf(d))
}

// resolveDenial is POST /v1/denials/{id}/resolve {"resolution", "note", "claim_id"}.
func (a *API) resolveDenial(w http.ResponseWriter, r *http.Request, scope int64) {
	id, ok := a.denialID(w, r)
	if !ok {
		return
	}
	var body struct {
		Resolution string `json:"resolution"`
		Note       string `json:"note"`
		ClaimID    string `json:"claim_id"`
	}
	if !a.decodeDenialBody(w, r, &body) {
		return
	}
	if !gateway.ValidDenialResolution(body.Resolution) {
		a.problem(w, r, invalidDenialRequest("/resolution", "invalid",
			"resolution must be one of corrected, appealed, written_off, billed_patient."))
		return
	}
	if !gateway.ValidResolutionNote(body.Note) {
		a.problem(w, r, invalidDenialRequest("/note", "invalid", "note must be at most 2000 printable characters."))
		return
	}
	claimID := ""
	if body.ClaimID != "" {
		claimID = gateway.NormalizeClaimID(body.ClaimID)
		if !gateway.ValidClaimID(claimID) {
			a.problem(w, r, invalidDenialRequest("/claim_id", "invalid", "claim_id must be a claim id (the corrected claim that resolved the denial)."))
			return
		}
		if body.Resolution != gateway.ResolutionCorrected {
			a.problem(w, r, invalidDenialRequest("/claim_id", "only_for_corrected", "claim_id names the corrected claim; give it only with resolution corrected."))
			return
		}
	}
	d, err := a.store.ResolveDenial(r.Context(), gateway.DenialResolve{ID: id, SubmitterID: scope, Resolution: body.Resolution,
		Note: body.Note, ClaimID: claimID, Actor: actorOf(scope), At: a.now()})
	if err != nil {
		a.denialFailed(w, r, "resolving a denial", err)
		return
	}
	a.log.Info("denial resolved", "denial_id", d.ID, "claim_id", d.ClaimID, "resolution", d.Resolution, "request_id", requestID(r))
	a.writeJSON(w, r, http.StatusOK, denialViewOf(d))
}

// actorOf names who acted in a denial's history: the operator (scope 0) or the submitter.
func actorOf(scope int64) string {
	if scope == 0 {
		return "operator"
	}
	return "submitter:" + strconv.FormatInt(scope, 10)
}

// queueView is one queue of GET /v1/denials/queues.
type queueView struct {
	Queue    string `json:"queue"`
	Open     int    `json:"open"`
	Assigned int    `json:"assigned"`
	// Unresolved is open + assigned; the ages are of the unresolved denials, in seconds.
	Unresolved       int        `json:"unresolved"`
	OldestAgeSeconds int64      `json:"oldest_age_seconds"`
	MedianAgeSeconds int64      `json:"median_age_seconds"`
	OldestAt         *time.Time `json:"oldest_at,omitempty"`
}

// denialQueues is GET /v1/denials/queues: every queue (configured ones with zeros) with its
// counts and the ages of its unresolved denials.
func (a *API) denialQueues(w http.ResponseWriter, r *http.Request, scope int64) {
	if len(r.URL.Query()) > 0 {
		a.problem(w, r, problemQuery("GET /v1/denials/queues takes no query parameters."))
		return
	}
	stats, err := a.store.DenialQueueStats(r.Context(), scope)
	if err != nil {
		a.fail(w, r, "reading denial queue stats", err)
		return
	}
	now := a.now()
	byQueue := map[string]queueView{}
	for _, q := range a.denialCodes().Queues() {
		byQueue[q] = queueView{Queue: q}
	}
	for _, s := range stats {
		v := queueView{Queue: s.Queue, Open: s.Open, Assigned: s.Assigned, Unresolved: s.Open + s.Assigned, OldestAt: s.OldestAt}
		if s.OldestAt != nil {
			v.OldestAgeSeconds = max(int64(now.Sub(*s.OldestAt)/time.Second), 0)
		}
		if s.MedianAt != nil {
			v.MedianAgeSeconds = max(int64(now.Sub(*s.MedianAt)/time.Second), 0)
		}
		byQueue[s.Queue] = v
	}
	out := make([]queueView, 0, len(byQueue))
	for _, v := range byQueue {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Queue < out[j].Queue })
	a.writeJSON(w, r, http.StatusOK, struct {
		Queues []queueView `json:"queues"`
	}{out})
}

// denialCodes is the code table the queues come from.
func (a *API) denialCodes() *codes.Table { return a.codes }
