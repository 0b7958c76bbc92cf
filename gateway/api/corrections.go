package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/denials"
	"github.com/claimgate/claimgate/gateway/intake"
)

// correctionClaim reads the submitter's claim named by the path; ok is false when an answer
// (404) was written.
func (a *API) correctionClaim(w http.ResponseWriter, r *http.Request, sub gateway.Submitter) (gateway.Claim, bool) {
	id := gateway.NormalizeClaimID(r.PathValue("id"))
	if !gateway.ValidClaimID(id) {
		a.problem(w, r, problemNotFound("No claim of yours has this id."))
		return gateway.Claim{}, false
	}
	orig, err := a.store.GetClaim(r.Context(), id, sub.ID)
	if err != nil {
		a.claimLookupFailed(w, r, err)
		return gateway.Claim{}, false
	}
	return orig, true
}

// correctable answers 409 when orig cannot be replaced or voided now; it reports whether it may.
func (a *API) correctable(w http.ResponseWriter, r *http.Request, orig gateway.Claim) bool {
	err := denials.CheckCorrectable(orig)
	switch {
	case err == nil:
		return true
	case errors.Is(err, denials.ErrNoPayerClaimNumber):
		a.problem(w, r, problem{Type: TypeNoPayerClaimNumber, Title: "The payer has not assigned its claim number yet",
			Status: http.StatusConflict,
			Detail: "Claim " + orig.ID + " is " + string(orig.Status) + " and the payer has not assigned its claim number to it yet " +
				"(it comes with the payer's 277CA acceptance or its 835). A replacement or void must quote that number, so it cannot be sent now. " +
				"If the claim was rejected, correct the encounter and send it as a new original claim (POST /v1/encounters with a new external_id); " +
				"otherwise wait for the payer's acknowledgment."})
	default:
		a.problem(w, r, problem{Type: TypeClaimFinal, Title: "Claim already replaced or voided", Status: http.StatusConflict,
			Detail: "Claim " + orig.ID + " is " + string(orig.Status) + ": it cannot be corrected again. Correct the claim that replaced it instead."})
	}
	return false
}

// replaceClaim is POST /v1/claims/{id}/replace with a corrected encounter: a new claim with
// frequency 7 (replacement) quoting the original's payer claim number in REF*F8.
func (a *API) replaceClaim(w http.ResponseWriter, r *http.Request, p principal) {
	sub := p.submitter
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			a.problem(w, r, problem{Title: "Unsupported Media Type", Status: http.StatusUnsupportedMediaType,
				Detail: "Send the corrected encounter as JSON with Content-Type: application/json."})
			return
		}
	}
	key := r.Header.Get("Idempotency-Key")
	if !validIdempotencyKey(key) {
		a.problem(w, r, problem{Type: TypeMalformedEncounter, Title: "Invalid Idempotency-Key", Status: http.StatusBadRequest,
			Detail: "The Idempotency-Key header must be 1 to 255 printable ASCII characters, such as a UUID."})
		return
	}
	body, err := a.readBody(w, r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			a.problem(w, r, problem{Title: "Content Too Large", Status: http.StatusRequestEntityTooLarge,
				Detail: "The encounter is larger than the " + strconv.FormatInt(a.maxBody, 10) + " bytes this gateway accepts."})
			return
		}
		a.problem(w, r, problem{Type: TypeMalformedEncounter, Title: "Malformed encounter", Status: http.StatusBadRequest,
			Detail: "The request body could not be read completely."})
		return
	}
	enc, err := intake.DecodeEncounter(bytes.NewReader(body))
	if err != nil {
		a.problem(w, r, problem{Type: TypeMalformedEncounter, Title: "Malformed encounter", Status: http.StatusBadRequest,
			Detail: decodeDetail(err)})
		return
	}
	orig, ok := a.correctionClaim(w, r, sub)
	if !ok {
		return
	}
	// A retry under a used Idempotency-Key is answered from the first request (createCorrection),
	// even when the original has been replaced since; anything else is checked first.
	if p.idem == nil && !a.correctable(w, r, orig) {
		return
	}
	if probs := denials.PrepareReplacement(orig, enc); len(probs) > 0 {
		errs := make([]problemError, len(probs))
		for i, p := range probs {
			errs[i] = problemError(p)
		}
		a.rejected(w, r, sub, errs)
		return
	}
	a.createCorrection(w, r, p, orig, enc, key, "replacement of claim "+orig.ID+" accepted")
}

// voidClaim is POST /v1/claims/{id}/void: a new claim with frequency 8 built from the
// original's encounter. A second request answers the first void (200).
func (a *API) voidClaim(w http.ResponseWriter, r *http.Request, p principal) {
	key := r.Header.Get("Idempotency-Key")
	if !validIdempotencyKey(key) {
		a.problem(w, r, problem{Type: TypeMalformedEncounter, Title: "Invalid Idempotency-Key", Status: http.StatusBadRequest,
			Detail: "The Idempotency-Key header must be 1 to 255 printable ASCII characters, such as a UUID."})
		return
	}
	orig, ok := a.correctionClaim(w, r, p.submitter)
	if !ok {
		return
	}
	if p.idem == nil && !a.correctable(w, r, orig) {
		return
	}
	enc, err := denials.PrepareVoid(orig)
	if err != nil {
		a.fail(w, r, "building a void claim", err)
		return
	}
	a.createCorrection(w, r, p, orig, enc, key, "void of claim "+orig.ID+" accepted")
}

// createCorrection scrubs, maps and stores a replacement or void through the intake path
// (CreateIntakeClaim, with the Idempotency-Key), linked to the original by ReplacesClaimID.
func (a *API) createCorrection(w http.ResponseWriter, r *http.Request, p principal, orig gateway.Claim, enc *intake.Encounter, key, reason string) {
	sub := p.submitter
	canonical, err := enc.MarshalCanonical()
	if err != nil {
		a.fail(w, r, "encoding the canonical encounter", err)
		return
	}
	hash := gateway.SHA256Hex(canonical)
	if p.idem != nil {
		a.replay(w, r, sub, *p.idem, hash)
		return
	}
	if probs := intake.Scrub(enc, intake.ScrubOptions{Now: a.now(), Payer: a.lookupPayer}); len(probs) > 0 {
		errs := make([]problemError, len(probs))
		for i, p := range probs {
			errs[i] = problemError(p)
		}
		a.rejected(w, r, sub, errs)
		return
	}
	claim := gateway.Claim{
		ID:              gateway.NewClaimID(a.now()),
		SubmitterID:     sub.ID,
		ExternalID:      enc.ExternalID,
		Type:            orig.Type,
		PayerID:         orig.PayerID,
		LineCount:       len(enc.Claim.ServiceLines),
		Encounter:       canonical,
		ContentHash:     hash,
		ReplacesClaimID: orig.ID,
	}
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
	ev := gateway.EventInput{Reason: reason, Source: "api"}
	detail := map[string]string{"replaces_claim_id": orig.ID}
	if id := requestID(r); id != "" {
		detail["request_id"] = id
	}
	ev.Detail, _ = json.Marshal(detail)
	created, ok := a.storeClaim(w, r, sub, claim, ev, key, hash, "storing a correction")
	if !ok {
		return
	}
	a.metrics.encounters.WithLabelValues(resultAccepted).Inc()
	a.log.Info("correction accepted", "claim_id", created.ID, "replaces_claim_id", orig.ID, "frequency", created.Frequency,
		"submitter_id", sub.ID, "payer_id", created.PayerID, "request_id", requestID(r))
	w.Header().Set("Location", claimPath(created.ID))
	a.writeJSON(w, r, http.StatusCreated, createdView(created))
}
