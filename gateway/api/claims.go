package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// claimDetail is GET /v1/claims/{id}: the claim, the encounter it was made from, its life
// cycle, and what the payer answered: its TA1/999/277CA acknowledgments in arrival order and
// its 835 payments (reversals included) in posting order, and its denial work items, newest
// first. Empty lists are empty arrays, never absent.
type claimDetail struct {
	claimView
	Encounter       json.RawMessage               `json:"encounter"`
	Events          []eventView                   `json:"events"`
	Acknowledgments []gateway.ClaimAcknowledgment `json:"acknowledgments"`
	Payments        []gateway.ClaimPayment        `json:"payments"`
	Denials         []denialView                  `json:"denials"`
}

// eventView is one life-cycle step.
type eventView struct {
	Seq    int                 `json:"seq"`
	At     time.Time           `json:"at"`
	From   gateway.ClaimStatus `json:"from"`
	To     gateway.ClaimStatus `json:"to"`
	Reason string              `json:"reason,omitempty"`
	Source string              `json:"source,omitempty"`
	Detail json.RawMessage     `json:"detail,omitempty"`
}

func eventViews(evs []gateway.ClaimEvent) []eventView {
	out := make([]eventView, len(evs))
	for i, e := range evs {
		out[i] = eventView{Seq: e.Seq, At: e.At, From: e.From, To: e.To, Reason: e.Reason, Source: e.Source, Detail: e.Detail}
	}
	return out
}

// claimAndEvents reads a submitter's claim and its events in one transaction, so the status and
// the last event agree.
func (a *API) claimAndEvents(r *http.Request, sub gateway.Submitter) (gateway.Claim, []gateway.ClaimEvent, error) {
	id := gateway.NormalizeClaimID(r.PathValue("id"))
	if !gateway.ValidClaimID(id) {
		return gateway.Claim{}, nil, gateway.ErrNotFound
	}
	var c gateway.Claim
	var evs []gateway.ClaimEvent
	err := a.store.WithTx(r.Context(), func(tx gateway.Tx) error {
		var err error
		if c, err = tx.GetClaim(r.Context(), id, sub.ID); err != nil {
			return err
		}
		evs, err = tx.ClaimEvents(r.Context(), c.ID)
		return err
	})
	return c, evs, err
}

func (a *API) claimLookupFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, gateway.ErrNotFound) {
		a.problem(w, r, problemNotFound("No claim of yours has this id."))
		return
	}
	a.fail(w, r, "reading a claim", err)
}

// getClaim is GET /v1/claims/{id}: the claim, its events, acknowledgments and denials read in
// one transaction, so they agree with the status.
func (a *API) getClaim(w http.ResponseWriter, r *http.Request, p principal) {
	id := gateway.NormalizeClaimID(r.PathValue("id"))
	if !gateway.ValidClaimID(id) {
		a.claimLookupFailed(w, r, gateway.ErrNotFound)
		return
	}
	out := claimDetail{Denials: []denialView{}}
	ctx := r.Context()
	err := a.store.WithTx(ctx, func(tx gateway.Tx) error {
		c, err := tx.GetClaim(ctx, id, p.submitter.ID)
		if err != nil {
			return err
		}
		evs, err := tx.ClaimEvents(ctx, c.ID)
		if err != nil {
			return err
		}
		out.claimView, out.Encounter, out.Events = viewOf(c), c.Encounter, eventViews(evs)
		if out.Acknowledgments, _, err = claimAcknowledgments(ctx, tx, c.ID); err != nil {
			return err
		}
		if out.Payments, err = tx.ClaimPaymentsForClaim(ctx, c.ID); err != nil {
			return err
		}
		f := gateway.DenialFilter{SubmitterID: p.submitter.ID, ClaimID: c.ID, Limit: 1000}
		for {
			page, err := tx.ListDenials(ctx, f)
			if err != nil {
				return err
			}
			for _, d := range page.Denials {
				out.Denials = append(out.Denials, denialViewOf(d))
			}
			if page.Next == "" {
				return nil
			}
			f.Cursor = page.Next
		}
	})
	if err != nil {
		a.claimLookupFailed(w, r, err)
		return
	}
	if out.Acknowledgments == nil {
		out.Acknowledgments = []gateway.ClaimAcknowledgment{}
	}
	if out.Payments == nil {
		out.Payments = []gateway.ClaimPayment{}
	}
	a.writeJSON(w, r, http.StatusOK, out)
}

// getClaimEvents is GET /v1/claims/{id}/events.
func (a *API) getClaimEvents(w http.ResponseWriter, r *http.Request, p principal) {
	c, evs, err := a.claimAndEvents(r, p.submitter)
	if err != nil {
		a.claimLookupFailed(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, struct {
		ClaimID string      `json:"claim_id"`
		Status  string      `json:"status"`
		Events  []eventView `json:"events"`
	}{c.ID, string(c.Status), eventViews(evs)})
}

// claimPage is GET /v1/claims.
type claimPage struct {
	Claims     []claimView `json:"claims"`
	NextCursor string      `json:"next_cursor,omitempty"`
	Links      pageLinks   `json:"links"`
}

type pageLinks struct {
	Next string `json:"next,omitempty"`
}

// MaxPageSize is the largest limit GET /v1/claims accepts.
const MaxPageSize = 1000

var (
	payerIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)
	cursorRe  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)
)

// listClaims is GET /v1/claims?status=&payer=&since=&cursor=&limit=: the submitter's claims,
// newest first, one page at a time.
func (a *API) listClaims(w http.ResponseWriter, r *http.Request, p principal) {
	q := r.URL.Query()
	f := gateway.ClaimFilter{SubmitterID: p.submitter.ID}
	for name, vals := range q {
		switch name {
		case "status", "payer", "since", "cursor", "limit":
			if len(vals) > 1 {
				a.problem(w, r, problemQuery("Give "+name+" at most once."))
				return
			}
		default:
			a.problem(w, r, problemQuery("Unknown query parameter "+strconv.Quote(name)+"; the filters are status, payer, since, cursor and limit."))
			return
		}
	}
	if v := q.Get("status"); v != "" {
		st := gateway.ClaimStatus(v)
		if !st.Valid() {
			a.problem(w, r, problemQuery("status "+strconv.Quote(v)+" is not a claim status; see the ClaimStatus schema in /v1/openapi.json."))
			return
		}
		f.Status = st
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
	if v := q.Get("since"); v != "" {
		t, err := parseSince(v)
		if err != nil {
			a.problem(w, r, problemQuery("since must be a date (2026-11-01) or an RFC 3339 time (2026-11-01T08:00:00Z)."))
			return
		}
		f.Since = t
	}
	var ok bool
	if f.Limit, f.Cursor, ok = a.pageParams(w, r, q); !ok {
		return
	}
	page, err := a.store.ListClaims(r.Context(), f)
	if err != nil {
		if errors.Is(err, gateway.ErrInvalid) {
			a.problem(w, r, badCursor())
			return
		}
		a.fail(w, r, "listing claims", err)
		return
	}
	out := claimPage{Claims: make([]claimView, len(page.Claims)), NextCursor: page.Next}
	for i, c := range page.Claims {
		out.Claims[i] = viewOf(c)
	}
	if page.Next != "" {
		out.Links.Next = nextPage("/v1/claims", q, []string{"status", "payer", "since", "limit"}, page.Next)
	}
	a.writeJSON(w, r, http.StatusOK, out)
}

// parseSince accepts a date (midnight UTC) or an RFC 3339 time.
func parseSince(v string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, v)
}
