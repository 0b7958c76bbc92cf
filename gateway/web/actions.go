package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/gateway"
)

// The operator's actions: the only writes of the dashboard. Each is an HTML form POSTed to
// its own address, checked with the same rules as the JSON API (gateway.ValidAssignee,
// gateway.ValidResolutionNote, gateway.ValidDenialResolution), done with the same store or
// poster call, logged with ids only, and answered 303 back to the page it came from with
// ?done= (a fixed confirmation sentence, see notice). A mistake is a 400/404/409 page saying
// what to do; a store failure the 500 page with the request id.

// Matcher matches an unmatched claim payment to a claim by hand; *remit.Poster implements it
// (the API's POST /v1/remittances/{id}/claims/{n}/match calls the same method).
type Matcher interface {
	Match(ctx context.Context, remittanceID int64, seq int, claimID string) (gateway.ClaimPayment, error)
}

// actor is who acted, in the logs: the operator is the dashboard's only user.
const actor = "operator"

// maxActionBody bounds an action form (the resolution note is the largest field).
const maxActionBody = 16 << 10

// Confirmations of ?done=: fixed sentences, with ids the dashboard parses itself.
const (
	doneAssigned   = "assigned"
	doneUnassigned = "unassigned"
	doneResolved   = "resolved"
	doneMatched    = "matched"
	doneRetried    = "retried"
)

// validDeliveryID reports whether s looks like a webhook delivery id (whd_ and letters, digits
// and underscores), the only form a confirmation or a retry accepts.
func validDeliveryID(s string) bool {
	rest, ok := strings.CutPrefix(s, "whd_")
	if !ok || rest == "" || len(s) > 100 {
		return false
	}
	for _, c := range rest {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}

// notice is the confirmation sentence for a page reached by an action's redirect, "" when
// the query holds none. Nothing the clerk typed is shown: only ids parsed here.
func notice(q url.Values) string {
	switch q.Get("done") {
	case doneAssigned, doneUnassigned, doneResolved:
		id, err := strconv.ParseInt(q.Get("denial"), 10, 64)
		if err != nil || id < 1 {
			return ""
		}
		n := strconv.FormatInt(id, 10)
		switch q.Get("done") {
		case doneAssigned:
			return "Denial " + n + " is assigned."
		case doneUnassigned:
			return "Denial " + n + " is unassigned: it is back in the open queue."
		default:
			return "Denial " + n + " is resolved."
		}
	case doneRetried:
		if id := q.Get("delivery"); validDeliveryID(id) {
			return "Webhook delivery " + id + " is back in the outbox: it is sent again at once."
		}
		return ""
	case doneMatched:
		seq, err := strconv.Atoi(q.Get("payment"))
		claim := gateway.NormalizeClaimID(q.Get("claim"))
		if err != nil || seq < 1 || !gateway.ValidClaimID(claim) {
			return ""
		}
		return "Claim payment " + strconv.Itoa(seq) + " is matched to claim " + claim + "."
	}
	return ""
}

// backPath checks the page an action form came from (its back field): the denial queue (with
// its filters) or a claim page; anything else is def. The confirmation parameters are
// replaced by extra (name, value pairs).
func backPath(raw, def string, extra ...string) string {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		u, _ = url.Parse(def)
	} else if id, ok := strings.CutPrefix(u.Path, "/ui/claims/"); !(u.Path == "/ui/denials" ||
		ok && gateway.ValidClaimID(id) && gateway.NormalizeClaimID(id) == id) {
		u, _ = url.Parse(def)
	}
	q := u.Query()
	for _, k := range []string{"done", "denial", "payment", "claim"} {
		q.Del(k)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// actionFailed renders an action's error page, with a link back to the page of the form.
func (d *Dashboard) actionFailed(w http.ResponseWriter, r *http.Request, status int, heading, text, back string) {
	d.render(w, r, status, "message", page{Title: heading, LoggedIn: true,
		Data: messageData{Heading: heading, Text: text, Back: back}})
}

// actionForm reads a POSTed form of at most maxActionBody; ok is false once it has answered.
func (d *Dashboard) actionForm(w http.ResponseWriter, r *http.Request, back string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxActionBody)
	if err := r.ParseForm(); err != nil {
		d.actionFailed(w, r, http.StatusBadRequest, "The form could not be read",
			"The form was too long or damaged. Go back to the page, fill the form in again and send it.", back)
		return false
	}
	return true
}

// denialForm reads an assign or resolve form: the denial id of the address and the page to
// return to (the back field, checked). ok is false once it has answered.
func (d *Dashboard) denialForm(w http.ResponseWriter, r *http.Request) (id int64, back string, ok bool) {
	if !d.actionForm(w, r, "/ui/denials") {
		return 0, "", false
	}
	back = backPath(r.PostForm.Get("back"), "/ui/denials")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		d.actionFailed(w, r, http.StatusNotFound, "Denial not found",
			"No denial has this id. Open the denial from the Denials page and use its form.", back)
		return 0, "", false
	}
	return id, back, true
}

// denialActionFailed answers a store error of an assign or resolve.
func (d *Dashboard) denialActionFailed(w http.ResponseWriter, r *http.Request, what string, id int64, err error, back string) {
	n := strconv.FormatInt(id, 10)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		d.actionFailed(w, r, http.StatusNotFound, "Denial not found",
			"No denial has the id "+n+". Open the denial from the Denials page and use its form.", back)
	case errors.Is(err, gateway.ErrConflict):
		d.actionFailed(w, r, http.StatusConflict, "Denial already resolved",
			"Denial "+n+" is resolved already, so it cannot be assigned or resolved again. Reload the page to see how it was resolved.", back)
	case errors.Is(err, gateway.ErrInvalid):
		d.actionFailed(w, r, http.StatusBadRequest, "Corrected claim not accepted",
			"The corrected claim must be an existing claim of the same submitter as the denied claim. Check the claim id, or leave it empty.", back)
	default:
		d.fail(w, r, what, err, "denial_id", id)
	}
}

// assignDenial is POST /ui/denials/{id}/assign with assignee ("" unassigns) and back.
func (d *Dashboard) assignDenial(w http.ResponseWriter, r *http.Request) {
	id, back, ok := d.denialForm(w, r)
	if !ok {
		return
	}
	raw, present := r.PostForm["assignee"]
	if !present || len(raw) != 1 {
		d.actionFailed(w, r, http.StatusBadRequest, "Assignee missing",
			"Type the person or team who works this denial in the assignee field (leave it empty to unassign), then press Assign.", back)
		return
	}
	as := strings.TrimSpace(raw[0])
	if !gateway.ValidAssignee(as) {
		d.actionFailed(w, r, http.StatusBadRequest, "Assignee not accepted",
			"The assignee must be at most 100 characters on one line, such as a name or a team. Shorten it and press Assign again.", back)
		return
	}
	dn, err := d.store.AssignDenial(r.Context(), gateway.DenialAssign{ID: id, Assignee: as, Actor: actor, At: d.now()})
	if err != nil {
		d.denialActionFailed(w, r, "assigning a denial", id, err, back)
		return
	}
	done := doneAssigned
	if as == "" {
		done = doneUnassigned
	}
	d.log.Info("dashboard: denial "+done, "denial_id", dn.ID, "claim_id", dn.ClaimID, "queue", dn.Queue, "actor", actor,
		"request_id", requestID(r))
	http.Redirect(w, r, backPath(r.PostForm.Get("back"), "/ui/claims/"+dn.ClaimID, "done", done,
		"denial", strconv.FormatInt(dn.ID, 10)), http.StatusSeeOther)
}

// resolveDenial is POST /ui/denials/{id}/resolve with resolution, note, claim_id and back.
func (d *Dashboard) resolveDenial(w http.ResponseWriter, r *http.Request) {
	id, back, ok := d.denialForm(w, r)
	if !ok {
		return
	}
	res := r.PostForm.Get("resolution")
	if !gateway.ValidDenialResolution(res) {
		d.actionFailed(w, r, http.StatusBadRequest, "Choose a resolution",
			"Choose how the denial was resolved: corrected, appealed, written off or billed to the patient, then press Resolve.", back)
		return
	}
	// Browsers send a text area's line breaks as CRLF; the note keeps them as LF.
	note := strings.ReplaceAll(r.PostForm.Get("note"), "\r\n", "\n")
	if !gateway.ValidResolutionNote(note) {
		d.actionFailed(w, r, http.StatusBadRequest, "Note not accepted",
			"The note must be at most 2000 characters of plain text. Shorten it and press Resolve again.", back)
		return
	}
	claimID := ""
	if raw := strings.TrimSpace(r.PostForm.Get("claim_id")); raw != "" {
		claimID = gateway.NormalizeClaimID(raw)
		if !gateway.ValidClaimID(claimID) {
			d.actionFailed(w, r, http.StatusBadRequest, "Corrected claim not accepted",
				"The corrected claim id is up to 17 letters and digits, like 01M829KPGHBEMNS71. Check it, or leave it empty.", back)
			return
		}
		if res != gateway.ResolutionCorrected {
			d.actionFailed(w, r, http.StatusBadRequest, "Corrected claim only with “corrected”",
				"A corrected claim id goes only with the resolution “corrected”. Choose corrected, or leave the claim id empty.", back)
			return
		}
	}
	dn, err := d.store.ResolveDenial(r.Context(), gateway.DenialResolve{ID: id, Resolution: res, Note: note, ClaimID: claimID,
		Actor: actor, At: d.now()})
	if err != nil {
		d.denialActionFailed(w, r, "resolving a denial", id, err, back)
		return
	}
	d.log.Info("dashboard: denial resolved", "denial_id", dn.ID, "claim_id", dn.ClaimID, "resolution", dn.Resolution,
		"corrected_claim_id", claimID, "actor", actor, "request_id", requestID(r))
	http.Redirect(w, r, backPath(r.PostForm.Get("back"), "/ui/claims/"+dn.ClaimID, "done", doneResolved,
		"denial", strconv.FormatInt(dn.ID, 10)), http.StatusSeeOther)
}

// matchPayment is POST /ui/remittances/{id}/claims/{n}/match with claim_id: the unmatched
// claim payment n is matched to the claim and posted as remit.Poster.Match posts it.
func (d *Dashboard) matchPayment(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		d.actionFailed(w, r, http.StatusNotFound, "Remittance not found",
			"No remittance has this id. Open the remittance from the Remittances page and use its form.", "/ui/remittances")
		return
	}
	back := "/ui/remittances/" + strconv.FormatInt(id, 10)
	seq, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || seq < 1 {
		d.actionFailed(w, r, http.StatusNotFound, "Claim payment not found",
			"This remittance has no claim payment at this position. Reload the remittance and use the form of the unmatched payment.", back)
		return
	}
	if !d.actionForm(w, r, back) {
		return
	}
	if d.matcher == nil {
		d.actionFailed(w, r, http.StatusServiceUnavailable, "Matching unavailable",
			"Remittance posting is not configured on this server, so payments cannot be matched here.", back)
		return
	}
	raw := strings.TrimSpace(r.PostForm.Get("claim_id"))
	claimID := gateway.NormalizeClaimID(raw)
	if raw == "" || !gateway.ValidClaimID(claimID) {
		d.actionFailed(w, r, http.StatusBadRequest, "Claim id not accepted",
			"Type the id of the claim this payment is for: up to 17 letters and digits, like 01M829KPGHBEMNS71 (look it up on the Claims page).", back)
		return
	}
	// The remittance and the claim first, so that an unknown one gets its own sentence
	// (neither is ever deleted).
	if _, err := d.store.GetRemittance(r.Context(), id); errors.Is(err, gateway.ErrNotFound) {
		d.actionFailed(w, r, http.StatusNotFound, "Remittance not found",
			"No remittance has the id "+strconv.FormatInt(id, 10)+". Open the remittance from the Remittances page and use its form.", "/ui/remittances")
		return
	} else if err != nil {
		d.fail(w, r, "reading a remittance to match", err, "remittance_id", id, "claim_payment", seq)
		return
	}
	if _, err := d.store.GetClaim(r.Context(), claimID, 0); errors.Is(err, gateway.ErrNotFound) {
		d.actionFailed(w, r, http.StatusNotFound, "Claim not found",
			"No claim has the id "+claimID+". Check the id on the Claims page and match the payment again.", back)
		return
	} else if err != nil {
		d.fail(w, r, "reading a claim to match", err, "remittance_id", id, "claim_payment", seq, "claim_id", claimID)
		return
	}
	cp, err := d.matcher.Match(r.Context(), id, seq, claimID)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		d.actionFailed(w, r, http.StatusNotFound, "Claim payment not found",
			"Remittance "+strconv.FormatInt(id, 10)+" has no claim payment "+strconv.Itoa(seq)+". Reload the remittance and use the form of the unmatched payment.", back)
		return
	case errors.Is(err, gateway.ErrConflict):
		d.actionFailed(w, r, http.StatusConflict, "Payment already matched",
			"Claim payment "+strconv.Itoa(seq)+" is matched to a claim already (or this remittance is a duplicate payment), so it cannot be matched again. Reload the remittance to see its claim.", back)
		return
	case errors.Is(err, gateway.ErrInvalid):
		d.actionFailed(w, r, http.StatusBadRequest, "Claim of another payer",
			"Claim "+claimID+" was sent to another payer than the one that made this payment, so the payment cannot be for it. Check the claim id.", back)
		return
	case err != nil:
		d.fail(w, r, "matching a claim payment", err, "remittance_id", id, "claim_payment", seq, "claim_id", claimID)
		return
	}
	d.log.Info("dashboard: claim payment matched", "remittance_id", id, "claim_payment", seq, "claim_id", cp.ClaimID,
		"result", string(cp.Result), "actor", actor, "request_id", requestID(r))
	http.Redirect(w, r, query(back, "done", doneMatched, "payment", strconv.Itoa(seq), "claim", cp.ClaimID), http.StatusSeeOther)
}

// retryDelivery is POST /ui/webhooks/deliveries/{id}/retry: a failed webhook delivery goes back
// in the outbox (the same store call as the API's POST /v1/webhooks/deliveries/{id}/retry).
func (d *Dashboard) retryDelivery(w http.ResponseWriter, r *http.Request) {
	if !d.actionForm(w, r, "/ui/") {
		return
	}
	id := r.PathValue("id")
	if !validDeliveryID(id) {
		d.actionFailed(w, r, http.StatusNotFound, "Webhook delivery not found",
			"No webhook delivery has this id. Open the failed deliveries from the overview.", "/ui/")
		return
	}
	del, err := d.store.RetryWebhookDelivery(r.Context(), id, 0)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		d.actionFailed(w, r, http.StatusNotFound, "Webhook delivery not found",
			"No webhook delivery has the id "+id+". Open the failed deliveries from the overview.", "/ui/")
		return
	case errors.Is(err, gateway.ErrConflict):
		d.actionFailed(w, r, http.StatusConflict, "Not a failed delivery",
			"This delivery is pending or delivered already, so there is nothing to send again.", "/ui/")
		return
	case err != nil:
		d.fail(w, r, "retrying a webhook delivery", err, "delivery_id", id)
		return
	}
	d.log.Info("dashboard: webhook delivery retried", "delivery_id", del.ID, "claim_id", del.ClaimID, "actor", actor,
		"request_id", requestID(r))
	http.Redirect(w, r, query("/ui/", "done", doneRetried, "delivery", del.ID), http.StatusSeeOther)
}
