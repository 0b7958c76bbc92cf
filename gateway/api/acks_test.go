package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/acks"
	"github.com/claimgate/claimgate/gateway/api"
)

// submittedClaim stores a claim of sub and moves it to submitted at the given time.
func submittedClaim(t *testing.T, s gateway.Store, sub gateway.Submitter, ext string, at time.Time) gateway.Claim {
	t.Helper()
	ctx := context.Background()
	c, err := s.CreateClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: ext, Type: gateway.Professional, PayerID: "SIMPAYER",
		TotalCharge: 10000, LineCount: 1, Encounter: []byte(`{"external_id":"` + ext + `"}`)}, gateway.EventInput{At: at})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted} {
		if c, err = s.TransitionClaim(ctx, c.ID, st, gateway.EventInput{At: at, Source: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// ingest277 writes a 277CA with the given claim answers, archives it and ingests it.
func ingest277(t *testing.T, s gateway.Store, claims ...x277.ClaimAck) {
	t.Helper()
	b := x277.Batch{Reference: "ACK1", Created: testNow, Trace: "BATCH1",
		Source:   x277.Entity{Code: "PR", Type: "2", Name: "Simulated Health Plan", IDQualifier: "PI", ID: "SIMPAYER"},
		Receiver: x277.Entity{Code: "41", Type: "2", Name: "Lakeside Billing", IDQualifier: "46", ID: "CLAIMGATE01"}}
	for _, c := range claims {
		b.Claims = append(b.Claims, x277.BatchClaim{Provider: x277.Entity{Code: "85", Type: "2", Name: "Lakeside", IDQualifier: "XX", ID: "1234567893"}, Claim: c})
	}
	var buf bytes.Buffer
	env := x277.Envelope{Interchange: edi.ISAHeader{SenderID: "SIMPAYER", ReceiverID: "CLAIMGATE01", Time: testNow, ControlNumber: 5, Usage: "T"},
		Group: edi.GSHeader{Sender: "SIMPAYER", Receiver: "CLAIMGATE01", Time: testNow, ControlNumber: 5}}
	if err := x277.Write(&buf, env, x277.Build(b)); err != nil {
		t.Fatal(err)
	}
	f, _, err := s.ArchiveFile(context.Background(), gateway.File{Direction: gateway.Inbound, PayerID: "SIMPAYER", Name: "277CA_5",
		Kind: gateway.Kind277CA, Bytes: buf.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	in, err := acks.New(s, acks.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Ingest(context.Background(), f); err != nil {
		t.Fatal(err)
	}
}

func TestAcknowledgmentRoutes(t *testing.T) {
	opTok, opHash := operatorToken(t)
	forEachStore(t, func(t *testing.T, e *env) {
		token, sub := e.submitter("ehr")
		otherToken, _ := e.submitter("other")
		old := submittedClaim(t, e.store, sub, "OLD", testNow.Add(-48*time.Hour))
		rej := submittedClaim(t, e.store, sub, "REJ", testNow.Add(-time.Hour))
		patient := x277.Entity{Code: "QC", Type: "1", Name: "DOE", FirstName: "JANE"}
		ingest277(t, e.store,
			x277.RejectedClaim(patient, strings.ToLower(rej.ID), 10000, "2026-11-02", x277.Status{Category: "A7", Code: "562", Entity: "85"}),
			x277.AcceptedClaim(patient, "NOTOURS01", "PCN9", 5000, "2026-11-02"))

		// The claim's acknowledgments, with codes, sentences and the rejection work item.
		r := e.call(http.MethodGet, "/v1/claims/"+strings.ToLower(rej.ID)+"/acknowledgments", token, nil)
		wantStatus(t, r, http.StatusOK)
		body := r.json(t)
		if body["status"] != "rejected_277" || body["claim_id"] != rej.ID {
			t.Fatalf("claim acknowledgments %s", r.body)
		}
		list := body["acknowledgments"].([]any)
		if len(list) != 1 {
			t.Fatalf("acknowledgments %s", r.body)
		}
		ack := list[0].(map[string]any)
		if ack["kind"] != "277CA" || ack["outcome"] != "rejected" || ack["codes"].([]any)[0] != "A7:562:85" ||
			!strings.Contains(ack["sentences"].([]any)[0].(string), "562") || ack["from"] != "submitted" || ack["to"] != "rejected_277" {
			t.Errorf("acknowledgment %v", ack)
		}
		rejs := body["rejections"].([]any)
		if len(rejs) != 1 || rejs[0].(map[string]any)["source"] != "277CA" || rejs[0].(map[string]any)["queue"] == "" {
			t.Errorf("rejections %v", rejs)
		}
		wantStatus(t, e.call(http.MethodGet, "/v1/claims/"+rej.ID+"/acknowledgments", otherToken, nil), http.StatusNotFound)
		wantStatus(t, e.call(http.MethodGet, "/v1/claims/"+rej.ID+"/acknowledgments", opTok, nil), http.StatusForbidden)
		wantStatus(t, e.call(http.MethodGet, "/v1/claims/NOT-A-CLAIM!/acknowledgments", token, nil), http.StatusNotFound)

		// Unmatched acknowledgments: the operator's list.
		r = e.call(http.MethodGet, "/v1/acknowledgments/unmatched?kind=277CA&payer=simpayer", opTok, nil)
		wantStatus(t, r, http.StatusOK)
		un := r.json(t)["unmatched"].([]any)
		if len(un) != 1 || un[0].(map[string]any)["reason"] != "unknown_claim" ||
			un[0].(map[string]any)["identifiers"].(map[string]any)["patient_control_number"] != "NOTOURS01" {
			t.Errorf("unmatched %s", r.body)
		}
		r = e.call(http.MethodGet, "/v1/acknowledgments/unmatched?limit=1&kind=999", opTok, nil)
		wantStatus(t, r, http.StatusOK)
		if len(r.json(t)["unmatched"].([]any)) != 0 {
			t.Errorf("unmatched 999 %s", r.body)
		}
		wantStatus(t, e.call(http.MethodGet, "/v1/acknowledgments/unmatched", token, nil), http.StatusForbidden)
		for _, q := range []string{"kind=835", "limit=0", "cursor=x", "color=red", "payer=a%20b"} {
			wantProblem(t, e.call(http.MethodGet, "/v1/acknowledgments/unmatched?"+q, opTok, nil))
		}

		// Stale claims: the one submitted two days ago waits for its 999.
		r = e.call(http.MethodGet, "/v1/claims?stale=true", token, nil)
		wantStatus(t, r, http.StatusOK)
		claims := r.json(t)["claims"].([]any)
		if len(claims) != 1 || claims[0].(map[string]any)["id"] != old.ID || claims[0].(map[string]any)["waiting_for"] != "999" ||
			claims[0].(map[string]any)["waiting_since"] == nil {
			t.Errorf("stale claims %s", r.body)
		}
		r = e.call(http.MethodGet, "/v1/claims?stale=true", otherToken, nil)
		wantStatus(t, r, http.StatusOK)
		if len(r.json(t)["claims"].([]any)) != 0 {
			t.Errorf("another submitter sees stale claims %s", r.body)
		}
		r = e.call(http.MethodGet, "/v1/claims?stale=false", token, nil)
		wantStatus(t, r, http.StatusOK)
		if len(r.json(t)["claims"].([]any)) != 2 {
			t.Errorf("stale=false %s", r.body)
		}
		for _, q := range []string{"stale=maybe", "stale=true&status=queued", "stale=true&stale=false", "stale=true&limit=0"} {
			wantProblem(t, e.call(http.MethodGet, "/v1/claims?"+q, token, nil))
		}
	}, func(c *api.Config) { c.OperatorTokenHash = opHash })
}
