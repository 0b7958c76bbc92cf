package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/gateway"
)

func TestWebhookDeliveries(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		token, sub := e.submitter("ehr")
		otherToken, other := e.submitter("other")
		for _, s := range []gateway.Submitter{sub, other} {
			if err := e.store.SetSubmitterWebhook(ctx, s.Name, "https://"+s.Name+".example/hooks", "whsec"); err != nil {
				t.Fatal(err)
			}
		}
		var claimID string
		for i, s := range []gateway.Submitter{sub, sub, other} {
			c, err := e.store.CreateClaim(ctx, gateway.Claim{SubmitterID: s.ID, ExternalID: fmt.Sprintf("E-%d", i),
				Type: gateway.Professional, PayerID: "SIMPAYER", TotalCharge: 100, LineCount: 1, Encounter: json.RawMessage(`{}`)},
				gateway.EventInput{})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				claimID = c.ID
			}
			for j := range 2 {
				if _, _, err := e.store.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: s.ID, ClaimID: c.ID,
					Type: gateway.EventDenialCreated, Payload: json.RawMessage(fmt.Sprintf(`{"denial_id":%d}`, j))}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, _, err := e.store.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID,
			Type: gateway.EventRemittanceReceived, Payload: json.RawMessage(`{"remittance_id":1}`)}); err != nil {
			t.Fatal(err)
		}
		// One delivered, to filter on.
		due, err := e.store.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "test", Now: testNow, Limit: 10, Lease: 60e9})
		if err != nil {
			t.Fatal(err)
		}
		var delivered string
		for _, d := range due {
			if d.SubmitterID == sub.ID && d.ClaimID == "" {
				delivered = d.ID
				if _, err := e.store.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: d.ID, Owner: "test",
					At: testNow, Status: 204, State: gateway.WebhookDelivered}); err != nil {
					t.Fatal(err)
				}
			}
		}

		// Paging through everything of ehr: 5 deliveries, 2 per page, newest first.
		var ids []string
		path := "/v1/webhooks/deliveries?limit=2"
		for pages := 0; path != ""; pages++ {
			r := e.call(http.MethodGet, path, token, nil)
			wantStatus(t, r, http.StatusOK)
			var page struct {
				Deliveries []map[string]any      `json:"deliveries"`
				NextCursor string                `json:"next_cursor"`
				Links      struct{ Next string } `json:"links"`
			}
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatal(err)
			}
			for _, d := range page.Deliveries {
				ids = append(ids, d["id"].(string))
				if _, leak := d["secret"]; leak {
					t.Fatalf("secret in %v", d)
				}
				if d["state"] == nil || d["event"] == nil || d["attempts"] == nil || d["created_at"] == nil {
					t.Fatalf("delivery view %v", d)
				}
			}
			path = page.Links.Next
			if pages > 5 {
				t.Fatal("too many pages")
			}
		}
		if len(ids) != 5 || ids[0] != delivered {
			t.Fatalf("ids = %v (delivered %s)", ids, delivered)
		}

		r := e.call(http.MethodGet, "/v1/webhooks/deliveries?state=delivered", token, nil)
		wantStatus(t, r, http.StatusOK)
		got := r.json(t)["deliveries"].([]any)
		if len(got) != 1 || got[0].(map[string]any)["last_status"] != float64(204) {
			t.Fatalf("delivered = %v", got)
		}
		r = e.call(http.MethodGet, "/v1/webhooks/deliveries?claim="+strings.ToLower(claimID)+"&event=denial.created", token, nil)
		wantStatus(t, r, http.StatusOK)
		if got := r.json(t)["deliveries"].([]any); len(got) != 2 {
			t.Fatalf("by claim = %v", got)
		}
		// Another submitter sees only its own.
		r = e.call(http.MethodGet, "/v1/webhooks/deliveries?claim="+claimID, otherToken, nil)
		wantStatus(t, r, http.StatusOK)
		if got := r.json(t)["deliveries"].([]any); len(got) != 0 {
			t.Fatalf("other submitter sees %v", got)
		}
		r = e.call(http.MethodGet, "/v1/webhooks/deliveries", otherToken, nil)
		if got := r.json(t)["deliveries"].([]any); len(got) != 2 {
			t.Fatalf("other submitter's own = %v", got)
		}

		for _, q := range []string{"state=lost", "event=claim.exploded", "claim=not-an-id!", "limit=0", "cursor=%21%21", "cursor=Zm9v", "color=red", "state=pending&state=failed"} {
			r := e.call(http.MethodGet, "/v1/webhooks/deliveries?"+q, token, nil)
			wantStatus(t, r, http.StatusBadRequest)
			wantProblem(t, r)
		}
		r = e.call(http.MethodGet, "/v1/webhooks/deliveries", "", nil)
		wantStatus(t, r, http.StatusUnauthorized)
	})
}

func TestRetryWebhookDelivery(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		token, sub := e.submitter("ehr")
		otherToken, _ := e.submitter("other")
		if err := e.store.SetSubmitterWebhook(ctx, sub.Name, "https://ehr.example/hooks", "whsec"); err != nil {
			t.Fatal(err)
		}
		d, _, err := e.store.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID, Type: gateway.EventRemittanceReceived,
			Payload: json.RawMessage(`{"remittance_id":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		path := "/v1/webhooks/deliveries/" + d.ID + "/retry"
		r := e.call(http.MethodPost, path, token, nil)
		wantStatus(t, r, http.StatusConflict) // pending: nothing to retry
		if r.json(t)["type"] != "urn:claimgate:problem:delivery-not-failed" {
			t.Fatalf("%s", r.body)
		}
		if _, err := e.store.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "test", Now: testNow, Limit: 1, Lease: 60e9}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: d.ID, Owner: "test", At: testNow,
			Status: 503, State: gateway.WebhookFailed}); err != nil {
			t.Fatal(err)
		}

		wantStatus(t, e.call(http.MethodPost, path, "", nil), http.StatusUnauthorized)
		wantStatus(t, e.call(http.MethodPost, path, otherToken, nil), http.StatusNotFound)
		wantStatus(t, e.call(http.MethodPost, "/v1/webhooks/deliveries/nope/retry", token, nil), http.StatusNotFound)
		r = e.call(http.MethodPost, path, token, nil)
		wantStatus(t, r, http.StatusOK)
		if m := r.json(t); m["id"] != d.ID || m["state"] != "pending" || m["attempts"] != float64(0) || m["last_status"] != float64(503) {
			t.Fatalf("retried: %s", r.body)
		}
		wantStatus(t, e.call(http.MethodPost, path, token, nil), http.StatusConflict)
	})
}
