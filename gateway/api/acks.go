package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/acks"
)

// Acknowledgment routes (issue 6): what TA1, 999 and 277CA files said about a claim, the
// acknowledgments that matched nothing (operator), and the stale-claims view of GET /v1/claims.

// claimAcksView is GET /v1/claims/{id}/acknowledgments: every acknowledgment the claim
// received, in arrival order, with codes and sentences, and the rejection work items they
// created.
type claimAcksView struct {
	ClaimID          string                        `json:"claim_id"`
	Status           gateway.ClaimStatus           `json:"status"`
	PayerClaimNumber string                        `json:"payer_claim_number,omitempty"`
	Acknowledgments  []gateway.ClaimAcknowledgment `json:"acknowledgments"`
	Rejections       []gateway.Rejection           `json:"rejections"`
}

// claimAcknowledgments reads a claim's acknowledgments and rejection work items inside tx, for
// GET /v1/claims/{id}/acknowledgments and for GET /v1/claims/{id}'s acknowledgments field.
func claimAcknowledgments(ctx context.Context, tx gateway.Tx, claimID string) ([]gateway.ClaimAcknowledgment, []gateway.Rejection, error) {
	cas, err := tx.ClaimAcknowledgments(ctx, claimID)
	if err != nil {
		return nil, nil, err
	}
	var rejs []gateway.Rejection
	f := gateway.RejectionFilter{ClaimID: claimID, Limit: 1000}
	for {
		page, err := tx.ListRejections(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		rejs = append(rejs, page...)
		if len(page) < f.Limit {
			break
		}
		f.BeforeID = page[len(page)-1].ID
	}
	// Oldest first, like the acknowledgments.
	for i, j := 0, len(rejs)-1; i < j; i, j = i+1, j-1 {
		rejs[i], rejs[j] = rejs[j], rejs[i]
	}
	if rejs == nil {
		rejs = []gateway.Rejection{}
	}
	return cas, rejs, nil
}

// getClaimAcknowledgments is GET /v1/claims/{id}/acknowledgments.
func (a *API) getClaimAcknowledgments(w http.ResponseWriter, r *http.Request, p principal) {
	id := gateway.NormalizeClaimID(r.PathValue("id"))
	if !gateway.ValidClaimID(id) {
		a.claimLookupFailed(w, r, gateway.ErrNotFound)
		return
	}
	var out claimAcksView
	err := a.store.WithTx(r.Context(), func(tx gateway.Tx) error {
		c, err := tx.GetClaim(r.Context(), id, p.submitter.ID)
		if err != nil {
			return err
		}
		out.ClaimID, out.Status, out.PayerClaimNumber = c.ID, c.Status, c.PayerClaimNumber
		out.Acknowledgments, out.Rejections, err = claimAcknowledgments(r.Context(), tx, c.ID)
		return err
	})
	if err != nil {
		a.claimLookupFailed(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, out)
}

// unmatchedPage is GET /v1/acknowledgments/unmatched.
type unmatchedPage struct {
	Unmatched  []gateway.UnmatchedAcknowledgment `json:"unmatched"`
	NextCursor string                            `json:"next_cursor,omitempty"`
	Links      pageLinks                         `json:"links"`
}

// listUnmatchedAcks is GET /v1/acknowledgments/unmatched?payer=&kind=&cursor=&limit= (operator):
// the acknowledgments, or parts of them, that matched no batch or claim, newest first.
func (a *API) listUnmatchedAcks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for name, vals := range q {
		switch name {
		case "payer", "kind", "cursor", "limit":
			if len(vals) > 1 {
				a.problem(w, r, problemQuery("Give "+name+" at most once."))
				return
			}
		default:
			a.problem(w, r, problemQuery("Unknown query parameter "+strconv.Quote(name)+"; the filters are payer, kind, cursor and limit."))
			return
		}
	}
	f := gateway.UnmatchedFilter{Limit: 50}
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
	if v := q.Get("kind"); v != "" {
		k := gateway.FileKind(v)
		if k != gateway.Kind999 && k != gateway.KindTA1 && k != gateway.Kind277CA {
			a.problem(w, r, problemQuery("kind must be 999, TA1 or 277CA."))
			return
		}
		f.Kind = k
	}
	limit, ok := a.pageLimit(w, r, q)
	if !ok {
		return
	}
	f.Limit = limit
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			a.problem(w, r, badCursor())
			return
		}
		f.BeforeID = n
	}
	list, err := a.store.ListUnmatchedAcknowledgments(r.Context(), f)
	if err != nil {
		a.fail(w, r, "listing unmatched acknowledgments", err)
		return
	}
	out := unmatchedPage{Unmatched: list}
	if len(list) == f.Limit {
		out.NextCursor = strconv.FormatInt(list[len(list)-1].ID, 10)
		out.Links.Next = nextPage("/v1/acknowledgments/unmatched", q, []string{"payer", "kind", "limit"}, out.NextCursor)
	}
	a.writeJSON(w, r, http.StatusOK, out)
}

// staleClaimView is one claim of GET /v1/claims?stale=true: the claim, what acknowledgment it
// waits for (999 or 277CA) and since when.
type staleClaimView struct {
	claimView
	WaitingFor string    `json:"waiting_for"`
	Since      time.Time `json:"waiting_since"`
}

type stalePage struct {
	Claims     []staleClaimView `json:"claims"`
	NextCursor string           `json:"next_cursor,omitempty"`
	Links      pageLinks        `json:"links"`
}

// listClaimsOrStale is GET /v1/claims: with stale=true the submitter's claims waiting too long
// for a 999 or a 277CA (longest waiting first; thresholds acks.DefaultStaleAfter999 and
// acks.DefaultStaleAfter277CA), otherwise listClaims. stale=false is the plain list.
func (a *API) listClaimsOrStale(w http.ResponseWriter, r *http.Request, p principal) {
	q := r.URL.Query()
	vals, ok := q["stale"]
	if !ok {
		a.listClaims(w, r, p)
		return
	}
	if len(vals) > 1 {
		a.problem(w, r, problemQuery("Give stale at most once."))
		return
	}
	switch vals[0] {
	case "false":
		q.Del("stale")
		r2 := r.Clone(r.Context())
		r2.URL.RawQuery = q.Encode()
		a.listClaims(w, r2, p)
		return
	case "true":
	default:
		a.problem(w, r, problemQuery("stale must be true or false."))
		return
	}
	f := gateway.StaleFilter{SubmitterID: p.submitter.ID}
	for name, vals := range q {
		switch name {
		case "stale", "payer", "cursor", "limit":
			if len(vals) > 1 {
				a.problem(w, r, problemQuery("Give "+name+" at most once."))
				return
			}
		default:
			a.problem(w, r, problemQuery("Unknown query parameter "+strconv.Quote(name)+" with stale=true; the filters are payer, cursor and limit."))
			return
		}
	}
	if v := q.Get("payer"); v != "" {
		if !payerIDRe.MatchString(v) {
			a.problem(w, r, problemQuery("payer must be a payer id: 1-32 letters, digits, '.', '_' or '-'."))
			return
		}
		if pp, ok := a.lookupPayer(v); ok {
			v = pp.ID
		}
		f.PayerID = v
	}
	if f.Limit, f.Cursor, ok = a.pageParams(w, r, q); !ok {
		return
	}
	page, err := acks.StaleClaims(r.Context(), a.store, acks.Staleness{}, a.now(), f)
	if err != nil {
		if errors.Is(err, gateway.ErrInvalid) {
			a.problem(w, r, badCursor())
			return
		}
		a.fail(w, r, "listing stale claims", err)
		return
	}
	out := stalePage{Claims: make([]staleClaimView, len(page.Claims)), NextCursor: page.Next}
	for i, sc := range page.Claims {
		out.Claims[i] = staleClaimView{claimView: viewOf(sc.Claim), WaitingFor: sc.WaitingFor, Since: sc.Since}
	}
	if page.Next != "" {
		out.Links.Next = nextPage("/v1/claims", q, []string{"stale", "payer", "limit"}, page.Next)
	}
	a.writeJSON(w, r, http.StatusOK, out)
}
