package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi/x277"
)

// GET /v1/claims/{id} carries the claim's acknowledgments (as .../acknowledgments lists them)
// and its denial work items, and only the caller's.
func TestClaimDetailAcknowledgmentsAndDenials(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, sub := e.submitter("ehr")
		otherToken, _ := e.submitter("other")
		fresh := submittedClaim(t, e.store, sub, "FRESH", testNow.Add(-time.Hour))
		rej := submittedClaim(t, e.store, sub, "REJ", testNow.Add(-time.Hour))
		patient := x277.Entity{Code: "QC", Type: "1", Name: "DOE", FirstName: "JANE"}
		ingest277(t, e.store,
			x277.RejectedClaim(patient, strings.ToLower(rej.ID), 10000, "2026-11-02", x277.Status{Category: "A7", Code: "33", Entity: "IL"}))
		d := addDenial(t, e.store, rej.ID, "r1", "coding", "coding")

		// A claim the payer has not answered: empty arrays, never null.
		r := e.call(http.MethodGet, "/v1/claims/"+fresh.ID, token, nil)
		wantStatus(t, r, http.StatusOK)
		body := r.json(t)
		for _, k := range []string{"acknowledgments", "payments", "denials"} {
			if l, ok := body[k].([]any); !ok || len(l) != 0 {
				t.Errorf("unanswered claim: %s = %v, want []", k, body[k])
			}
		}

		r = e.call(http.MethodGet, "/v1/claims/"+strings.ToLower(rej.ID), token, nil)
		wantStatus(t, r, http.StatusOK)
		body = r.json(t)
		if body["status"] != "rejected_277" || len(body["events"].([]any)) == 0 {
			t.Fatalf("claim %s", r.body)
		}
		acks := body["acknowledgments"].([]any)
		if len(acks) != 1 {
			t.Fatalf("acknowledgments %v", body["acknowledgments"])
		}
		ack := acks[0].(map[string]any)
		if ack["kind"] != "277CA" || ack["outcome"] != "rejected" || ack["codes"].([]any)[0] != "A7:33:IL" || ack["claim_id"] != rej.ID {
			t.Errorf("acknowledgment %v", ack)
		}
		// The same list as GET /v1/claims/{id}/acknowledgments.
		own := e.call(http.MethodGet, "/v1/claims/"+rej.ID+"/acknowledgments", token, nil).json(t)["acknowledgments"].([]any)
		if len(own) != 1 || own[0].(map[string]any)["id"] != ack["id"] {
			t.Errorf("acknowledgments differ: %v vs %v", own, acks)
		}
		dens := body["denials"].([]any)
		if len(dens) != 1 {
			t.Fatalf("denials %v", body["denials"])
		}
		den := dens[0].(map[string]any)
		if den["id"] != float64(d.ID) || den["carc"] != "197" || den["queue"] != "coding" || den["links"].(map[string]any)["claim"] != "/v1/claims/"+rej.ID {
			t.Errorf("denial %v", den)
		}

		wantStatus(t, e.call(http.MethodGet, "/v1/claims/"+rej.ID, otherToken, nil), http.StatusNotFound)
		wantStatus(t, e.call(http.MethodGet, "/v1/claims/NOT-A-CLAIM!", token, nil), http.StatusNotFound)
	})
}
