package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/payers"
)

// maxIdempotencyKeyLen bounds the Idempotency-Key header.
const maxIdempotencyKeyLen = 255

// claimView is a claim as the API shows it (the 201 answer, list entries, the head of a claim).
type claimView struct {
	ID               string              `json:"id"`
	ExternalID       string              `json:"external_id"`
	Status           gateway.ClaimStatus `json:"status"`
	ClaimType        gateway.ClaimType   `json:"claim_type"`
	Frequency        gateway.Frequency   `json:"frequency"`
	Payer            payerRef            `json:"payer"`
	TotalCharge      edi.Amount          `json:"total_charge"`
	LineCount        int                 `json:"line_count"`
	PayerClaimNumber string              `json:"payer_claim_number,omitempty"`
	ReplacesClaimID  string              `json:"replaces_claim_id,omitempty"`
	CreatedAt        time.Time           `json:"created_at"`
	UpdatedAt        time.Time           `json:"updated_at"`
	Links            claimLinks          `json:"links"`
}

type payerRef struct {
	ID string `json:"id"`
}

type claimLinks struct {
	Self   string `json:"self"`
	Events string `json:"events"`
}

func claimPath(id string) string { return "/v1/claims/" + id }

func viewOf(c gateway.Claim) claimView {
	return claimView{
		ID: c.ID, ExternalID: c.ExternalID, Status: c.Status, ClaimType: c.Type, Frequency: c.Frequency,
		Payer: payerRef{ID: c.PayerID}, TotalCharge: c.TotalCharge, LineCount: c.LineCount,
		PayerClaimNumber: c.PayerClaimNumber, ReplacesClaimID: c.ReplacesClaimID,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Links: claimLinks{Self: claimPath(c.ID), Events: claimPath(c.ID) + "/events"},
	}
}

// createdView is the 201 answer of the request that created c. It is built only from what
// never changes after creation (the status and update time are those of the moment of creation:
// every claim starts queued), so replaying it for a retried request gives the same bytes.
func createdView(c gateway.Claim) claimView {
	v := viewOf(c)
	v.Status = gateway.StatusQueued
	v.UpdatedAt = c.CreatedAt
	v.PayerClaimNumber = ""
	return v
}

// lookupPayer is scrubbing's payer registry: configured payers by id, case-insensitively.
func (a *API) lookupPayer(id string) (payers.Payer, bool) {
	p, ok := a.payers[strings.ToUpper(id)]
	return p, ok
}

// postEncounter is POST /v1/encounters.
func (a *API) postEncounter(w http.ResponseWriter, r *http.Request, p principal) {
	ctx := r.Context()
	sub := p.submitter
	invalid := func(pr problem) {
		a.metrics.encounters.WithLabelValues(resultInvalid).Inc()
		a.problem(w, r, pr)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			invalid(problem{Title: "Unsupported Media Type", Status: http.StatusUnsupportedMediaType,
				Detail: "Send the encounter as JSON with Content-Type: application/json."})
			return
		}
	}
	key := r.Header.Get("Idempotency-Key")
	if !validIdempotencyKey(key) {
		invalid(problem{Type: TypeMalformedEncounter, Title: "Invalid Idempotency-Key", Status: http.StatusBadRequest,
			Detail: "The Idempotency-Key header must be 1 to 255 printable ASCII characters, such as a UUID."})
		return
	}
	body, err := a.readBody(w, r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			invalid(problem{Title: "Content Too Large", Status: http.StatusRequestEntityTooLarge,
				Detail: "The encounter is larger than the " + strconv.FormatInt(a.maxBody, 10) + " bytes this gateway accepts."})
			return
		}
		invalid(problem{Type: TypeMalformedEncounter, Title: "Malformed encounter", Status: http.StatusBadRequest,
			Detail: "The request body could not be read completely."})
		return
	}
	enc, err := intake.DecodeEncounter(bytes.NewReader(body))
	if err != nil {
		invalid(problem{Type: TypeMalformedEncounter, Title: "Malformed encounter", Status: http.StatusBadRequest,
			Detail: decodeDetail(err)})
		return
	}
	canonical, err := enc.MarshalCanonical()
	if err != nil {
		a.fail(w, r, "encoding the canonical encounter", err)
		return
	}
	hash := gateway.SHA256Hex(canonical)

	// A retry under a key already used is answered from the first request, whatever today's
	// date or configuration would say of it now. The key was read with the authentication; when
	// the submitter came from the cache it is read only where it can change the answer: before a
	// 422 here, and when the claim write collides below.
	if p.idem != nil {
		a.replay(w, r, sub, *p.idem, hash)
		return
	}

	if probs := intake.Scrub(enc, intake.ScrubOptions{Now: a.now(), Payer: a.lookupPayer}); len(probs) > 0 {
		if key != "" && p.check != nil {
			k, err := a.store.IntakeIdempotencyKey(ctx, sub.ID, key)
			switch {
			case err == nil:
				a.replay(w, r, sub, k, hash)
				return
			case !errors.Is(err, gateway.ErrNotFound):
				a.fail(w, r, "reading an idempotency key", err)
				return
			}
		}
		errs := make([]problemError, len(probs))
		for i, p := range probs {
			errs[i] = problemError(p)
		}
		a.rejected(w, r, sub, errs)
		return
	}
	payer, _ := a.lookupPayer(enc.Payer.ID) // scrubbing refused unknown payers
	claim := gateway.Claim{
		ID:          gateway.NewClaimID(a.now()),
		SubmitterID: sub.ID,
		ExternalID:  enc.ExternalID,
		Type:        gateway.ClaimType(enc.ClaimType),
		PayerID:     payer.ID,
		LineCount:   len(enc.Claim.ServiceLines),
		Encounter:   canonical,
		ContentHash: hash,
	}
	// The mapping the batch will render proves the claim can become an 837 and computes CLM02
	// (the sum of the lines) and the frequency (an 837I may give it in the type of bill alone).
	x, err := enc.ToClaim(claim.ID)
	if err != nil {
		var me *intake.MapError
		if !errors.As(err, &me) {
			a.fail(w, r, "mapping an encounter", err)
			return
		}
		errs := make([]problemError, len(me.Problems))
		for i, p := range me.Problems {
			errs[i] = problemError{Pointer: p.Pointer, Code: codeUnmappable, Message: p.Message}
		}
		a.rejected(w, r, sub, errs)
		return
	}
	claim.TotalCharge = x.TotalCharge
	claim.Frequency = frequencyOf(x.Frequency)

	ev := gateway.EventInput{Reason: "encounter accepted at intake", Source: "intake"}
	if id := requestID(r); id != "" {
		ev.Detail, _ = json.Marshal(map[string]string{"request_id": id})
	}
	created, ok := a.storeClaim(w, r, sub, claim, ev, key, hash, "storing a claim")
	if !ok {
		return
	}
	if p.check != nil {
		p.check.confirm() // the write checked the submitter is active
	}
	a.metrics.encounters.WithLabelValues(resultAccepted).Inc()
	a.log.Info("encounter accepted", "claim_id", created.ID, "submitter_id", sub.ID,
		"payer_id", created.PayerID, "lines", created.LineCount, "request_id", requestID(r))
	w.Header().Set("Location", claimPath(created.ID))
	a.writeJSON(w, r, http.StatusCreated, createdView(created))
}

// storeClaim creates claim with its first event and idempotency record. When someone was first
// (a concurrent retry under the same Idempotency-Key, the same external_id, or rarely the same
// generated claim id) it answers from what is stored and returns ok false; it answers errors
// itself too. On success nothing has been written to w yet.
func (a *API) storeClaim(w http.ResponseWriter, r *http.Request, sub gateway.Submitter, claim gateway.Claim,
	ev gateway.EventInput, key, hash, what string) (gateway.Claim, bool) {
	ctx := r.Context()
	idem := gateway.IdempotencyKey{Key: key, RequestHash: hash}
	for attempt := 0; ; attempt++ {
		created, createErr := a.store.CreateIntakeClaim(ctx, claim, ev, idem)
		if createErr == nil {
			return created, true
		}
		if errors.Is(createErr, gateway.ErrNotFound) { // revoked since it was authenticated
			a.unauthorized(w, r, createErr)
			return gateway.Claim{}, false
		}
		if !errors.Is(createErr, gateway.ErrConflict) {
			a.fail(w, r, what, createErr)
			return gateway.Claim{}, false
		}
		if key != "" {
			k, err := a.store.IntakeIdempotencyKey(ctx, sub.ID, key)
			switch {
			case err == nil:
				a.replay(w, r, sub, k, hash)
				return gateway.Claim{}, false
			case !errors.Is(err, gateway.ErrNotFound):
				a.fail(w, r, "reading an idempotency key", err)
				return gateway.Claim{}, false
			}
		}
		existing, err := a.store.ClaimByExternalID(ctx, sub.ID, claim.ExternalID)
		switch {
		case err == nil:
			a.existingExternalID(w, r, existing, hash)
			return gateway.Claim{}, false
		case !errors.Is(err, gateway.ErrNotFound):
			a.fail(w, r, "reading a claim by external id", err)
			return gateway.Claim{}, false
		}
		if attempt == 3 {
			a.fail(w, r, what, createErr)
			return gateway.Claim{}, false
		}
		claim.ID = gateway.NewClaimID(a.now())
	}
}

// rejected answers 422 with every problem.
func (a *API) rejected(w http.ResponseWriter, r *http.Request, sub gateway.Submitter, errs []problemError) {
	a.metrics.encounters.WithLabelValues(resultRejected).Inc()
	codes := make([]string, 0, len(errs))
	seen := make(map[string]bool, len(errs))
	for _, e := range errs {
		a.metrics.scrubProblems.WithLabelValues(e.Code).Inc()
		if !seen[e.Code] {
			seen[e.Code] = true
			codes = append(codes, e.Code)
		}
	}
	// Codes and counts only: the messages quote submitted values.
	a.log.Info("encounter rejected", "submitter_id", sub.ID, "problems", len(errs), "codes", codes, "request_id", requestID(r))
	detail := "The encounter has 1 problem; correct it and send the encounter again."
	if len(errs) != 1 {
		detail = "The encounter has " + strconv.Itoa(len(errs)) + " problems; correct them and send the encounter again."
	}
	a.problem(w, r, problem{Type: TypeScrubFailed, Title: "The encounter did not pass the intake edits",
		Status: http.StatusUnprocessableEntity, Detail: detail, Errors: errs})
}

// replay answers a request whose Idempotency-Key was used before: the first answer for the same
// encounter, 409 for another.
func (a *API) replay(w http.ResponseWriter, r *http.Request, sub gateway.Submitter, k gateway.IdempotencyKey, hash string) {
	if k.RequestHash != hash {
		a.metrics.encounters.WithLabelValues(resultInvalid).Inc()
		a.problem(w, r, problem{Type: TypeIdempotencyKeyReused, Title: "Idempotency-Key already used",
			Status: http.StatusConflict,
			Detail: "This Idempotency-Key was already used for a different encounter (claim " + k.ClaimID +
				"). A retry must send the same encounter; a new encounter needs a new key."})
		return
	}
	c, err := a.store.GetClaim(r.Context(), k.ClaimID, sub.ID)
	if err != nil {
		a.fail(w, r, "reading the claim of an idempotency key", err)
		return
	}
	a.metrics.encounters.WithLabelValues(resultDuplicate).Inc()
	a.log.Info("encounter replayed", "claim_id", c.ID, "submitter_id", sub.ID, "request_id", requestID(r))
	w.Header().Set("Location", claimPath(c.ID))
	w.Header().Set("Idempotent-Replayed", "true")
	a.writeJSON(w, r, http.StatusCreated, createdView(c))
}

// existingExternalID answers an encounter whose external_id the submitter used before: the
// claim as it is now (200) for the same encounter, 409 for another.
func (a *API) existingExternalID(w http.ResponseWriter, r *http.Request, c gateway.Claim, hash string) {
	if c.ContentHash != hash {
		a.metrics.encounters.WithLabelValues(resultInvalid).Inc()
		a.problem(w, r, problem{Type: TypeExternalIDConflict, Title: "external_id already used",
			Status: http.StatusConflict,
			Detail: "external_id was already used for a different encounter (claim " + c.ID + "). " +
				"To correct a claim that was sent, send a replacement: a new external_id with claim.frequency " +
				"\"replacement\" and the payer's claim number in claim.payer_claim_number (or \"void\" to cancel it). " +
				"If this is a different encounter, give it its own external_id."})
		return
	}
	a.metrics.encounters.WithLabelValues(resultDuplicate).Inc()
	a.log.Info("encounter already received", "claim_id", c.ID, "submitter_id", c.SubmitterID, "request_id", requestID(r))
	w.Header().Set("Location", claimPath(c.ID))
	a.writeJSON(w, r, http.StatusOK, viewOf(c))
}

// readBody reads the request body up to the limit.
func (a *API) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > a.maxBody {
		return nil, &http.MaxBytesError{Limit: a.maxBody}
	}
	body := http.MaxBytesReader(w, r.Body, a.maxBody)
	n := r.ContentLength
	if n < 0 || n > a.maxBody {
		n = 4096
	}
	buf := bytes.NewBuffer(make([]byte, 0, n+1))
	_, err := buf.ReadFrom(body)
	return buf.Bytes(), err
}

// decodeDetail is DecodeEncounter's error for the client: it names the field or the byte.
func decodeDetail(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, intake.ErrEncounterJSON.Error()+": ")
	return "The body is not a valid encounter document: " + msg + "."
}

// frequencyOf maps CLM05-3 back to the claim frequency.
func frequencyOf(code string) gateway.Frequency {
	switch code {
	case "7":
		return gateway.FrequencyReplacement
	case "8":
		return gateway.FrequencyVoid
	}
	return gateway.FrequencyOriginal
}

// validIdempotencyKey: empty (no key) or 1 to 255 printable ASCII characters.
func validIdempotencyKey(s string) bool {
	if len(s) > maxIdempotencyKeyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// fail answers 500 and logs the cause (errors of the store carry ids, never content).
func (a *API) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	a.log.Error("API request failed", "route", r.Pattern, "request_id", requestID(r), "op", what, "err", err)
	a.problem(w, r, problemInternal())
}
