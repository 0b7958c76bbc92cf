package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// deliveryView is one webhook delivery as GET /v1/webhooks/deliveries shows it: which event,
// for which claim, and how its delivery went. The event body is not repeated here.
type deliveryView struct {
	ID             string     `json:"id"` // the X-Claimgate-Delivery header
	Event          string     `json:"event"`
	ClaimID        string     `json:"claim_id,omitempty"`
	State          string     `json:"state"` // pending, delivered or failed
	Attempts       int        `json:"attempts"`
	LastStatus     int        `json:"last_status,omitempty"` // HTTP status of the last attempt
	LastError      string     `json:"last_error,omitempty"`
	NextAttemptAt  *time.Time `json:"next_attempt_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	FirstAttemptAt *time.Time `json:"first_attempt_at,omitempty"`
	LastAttemptAt  *time.Time `json:"last_attempt_at,omitempty"`
	DeliveredAt    *time.Time `json:"delivered_at,omitempty"`
}

func deliveryViewOf(d gateway.WebhookDelivery) deliveryView {
	return deliveryView{ID: d.ID, Event: d.Type, ClaimID: d.ClaimID, State: d.State, Attempts: d.Attempts,
		LastStatus: d.LastStatus, LastError: d.LastError, NextAttemptAt: d.NextAttemptAt, CreatedAt: d.CreatedAt,
		FirstAttemptAt: d.FirstAttemptAt, LastAttemptAt: d.LastAttemptAt, DeliveredAt: d.DeliveredAt}
}

// deliveryPage is GET /v1/webhooks/deliveries.
type deliveryPage struct {
	Deliveries []deliveryView `json:"deliveries"`
	NextCursor string         `json:"next_cursor,omitempty"`
	Links      pageLinks      `json:"links"`
}

// listWebhookDeliveries is GET /v1/webhooks/deliveries?state=&event=&claim=&cursor=&limit=:
// the calling submitter's webhook deliveries, newest first, one page at a time.
func (a *API) listWebhookDeliveries(w http.ResponseWriter, r *http.Request, p principal) {
	q := r.URL.Query()
	f := gateway.WebhookDeliveryFilter{SubmitterID: p.submitter.ID}
	for name, vals := range q {
		switch name {
		case "state", "event", "claim", "cursor", "limit":
			if len(vals) > 1 {
				a.problem(w, r, problemQuery("Give "+name+" at most once."))
				return
			}
		default:
			a.problem(w, r, problemQuery("Unknown query parameter "+strconv.Quote(name)+"; the filters are state, event, claim, cursor and limit."))
			return
		}
	}
	if v := q.Get("state"); v != "" {
		switch v {
		case gateway.WebhookPending, gateway.WebhookDelivered, gateway.WebhookFailed:
			f.State = v
		default:
			a.problem(w, r, problemQuery("state must be pending, delivered or failed."))
			return
		}
	}
	if v := q.Get("event"); v != "" {
		if !gateway.ValidWebhookEvent(v) {
			a.problem(w, r, problemQuery("event "+strconv.Quote(v)+" is not a webhook event type (claim.submitted, claim.accepted, claim.rejected, claim.paid, claim.denied, claim.reversed, remittance.received, denial.created)."))
			return
		}
		f.Type = v
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
	page, err := a.store.ListWebhookDeliveries(r.Context(), f)
	if err != nil {
		if errors.Is(err, gateway.ErrInvalid) {
			a.problem(w, r, badCursor())
			return
		}
		a.fail(w, r, "listing webhook deliveries", err)
		return
	}
	out := deliveryPage{Deliveries: make([]deliveryView, len(page.Deliveries)), NextCursor: page.Next}
	for i, d := range page.Deliveries {
		out.Deliveries[i] = deliveryViewOf(d)
	}
	if page.Next != "" {
		out.Links.Next = nextPage("/v1/webhooks/deliveries", q, []string{"state", "event", "claim", "limit"}, page.Next)
	}
	a.writeJSON(w, r, http.StatusOK, out)
}

// TypeDeliveryNotFailed is the 409 of retrying a delivery that is pending or delivered.
const TypeDeliveryNotFailed = "urn:claimgate:problem:delivery-not-failed"

// retryWebhookDelivery is POST /v1/webhooks/deliveries/{id}/retry: a failed delivery of the
// caller's goes back in the outbox, due at once, with a fresh retry window.
func (a *API) retryWebhookDelivery(w http.ResponseWriter, r *http.Request, p principal) {
	id := r.PathValue("id")
	if !strings.HasPrefix(id, "whd_") || len(id) > 100 {
		a.problem(w, r, problemNotFound("No webhook delivery of yours has this id; ids are the X-Claimgate-Delivery header, like whd_01M829KPGHBEMNS71_3."))
		return
	}
	d, err := a.store.RetryWebhookDelivery(r.Context(), id, p.submitter.ID)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		a.problem(w, r, problemNotFound("No webhook delivery of yours has the id "+id+"."))
		return
	case errors.Is(err, gateway.ErrConflict):
		a.problem(w, r, problem{Type: TypeDeliveryNotFailed, Title: "Delivery not failed", Status: http.StatusConflict,
			Detail: "Only a failed delivery can be retried; this one is pending or delivered already. GET /v1/webhooks/deliveries?state=failed lists the failed ones."})
		return
	case err != nil:
		a.fail(w, r, "retrying a webhook delivery", err)
		return
	}
	a.log.Info("webhook delivery retried by hand", "delivery_id", d.ID, "claim_id", d.ClaimID, "submitter_id", p.submitter.ID,
		"request_id", requestID(r))
	a.writeJSON(w, r, http.StatusOK, deliveryViewOf(d))
}
