package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

func TestBodyClaimEvents(t *testing.T) {
	at := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name  string
		ev    gateway.ClaimEvent
		typ   string
		stage string
		codes []string
	}{
		{"accepted by a 999", gateway.ClaimEvent{ClaimID: "01ABC", Seq: 4, At: at, From: gateway.StatusSubmitted, To: gateway.StatusAccepted999},
			gateway.EventClaimAccepted, "999", []string{}},
		{"accepted by a 277CA", gateway.ClaimEvent{ClaimID: "01ABC", Seq: 5, At: at, From: gateway.StatusAccepted999, To: gateway.StatusAccepted277,
			Detail: json.RawMessage(`{"codes":["A1:20"]}`)}, gateway.EventClaimAccepted, "277CA", []string{"A1:20"}},
		{"rejected by a 277CA with codes", gateway.ClaimEvent{ClaimID: "01ABC", Seq: 5, At: at, From: gateway.StatusAccepted999, To: gateway.StatusRejected277,
			Reason: "subscriber not found", Detail: json.RawMessage(`{"codes":["A7:562:85", 7, ""],"file":12}`)}, gateway.EventClaimRejected, "277CA", []string{"A7:562:85"}},
		{"denied, reason_codes key", gateway.ClaimEvent{ClaimID: "01ABC", Seq: 6, At: at, From: gateway.StatusAccepted277, To: gateway.StatusDenied,
			Detail: json.RawMessage(`{"reason_codes":["CO-16","N290"]}`)}, gateway.EventClaimDenied, "", []string{"CO-16", "N290"}},
		{"paid, detail not an object", gateway.ClaimEvent{ClaimID: "01ABC", Seq: 6, At: at, From: gateway.StatusAccepted277, To: gateway.StatusPartiallyPaid,
			Detail: json.RawMessage(`[1,2]`)}, gateway.EventClaimPaid, "", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.ev
			d := gateway.WebhookDelivery{ID: "whd_01ABC_4", Type: gateway.WebhookEventForStatus(ev.To), CreatedAt: at, ClaimEvent: &ev}
			if d.Type != tc.typ {
				t.Fatalf("event for %s = %q, want %q", ev.To, d.Type, tc.typ)
			}
			b, err := Body(d)
			if err != nil {
				t.Fatal(err)
			}
			b2, err := Body(d)
			if err != nil || string(b2) != string(b) {
				t.Fatalf("Body is not stable: %s vs %s (%v)", b, b2, err)
			}
			var env struct {
				ID        string          `json:"id"`
				Type      string          `json:"type"`
				CreatedAt time.Time       `json:"created_at"`
				Data      json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(b, &env); err != nil {
				t.Fatal(err)
			}
			if env.ID != d.ID || env.Type != tc.typ || !env.CreatedAt.Equal(at) {
				t.Fatalf("envelope = %s", b)
			}
			var data map[string]any
			if err := json.Unmarshal(env.Data, &data); err != nil {
				t.Fatal(err)
			}
			if data["claim_id"] != "01ABC" || data["status"] != string(ev.To) || data["from"] != string(ev.From) ||
				data["event_seq"] != float64(ev.Seq) || data["at"] != "2026-11-21T09:30:00Z" {
				t.Fatalf("data = %s", env.Data)
			}
			if got, _ := data["stage"].(string); got != tc.stage {
				t.Fatalf("stage = %q, want %q", got, tc.stage)
			}
			codes, _ := json.Marshal(data["reason_codes"])
			want, _ := json.Marshal(tc.codes)
			if string(codes) != string(want) {
				t.Fatalf("reason_codes = %s, want %s", codes, want)
			}
		})
	}
}

func TestBodyEnqueued(t *testing.T) {
	d := gateway.WebhookDelivery{ID: "whd_X", Type: gateway.EventDenialCreated, CreatedAt: time.Unix(0, 0),
		Payload: json.RawMessage(`{"denial_id":7}`)}
	b, err := Body(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":"whd_X","type":"denial.created","created_at":"1970-01-01T00:00:00Z","data":{"denial_id":7}}`; string(b) != want {
		t.Fatalf("Body = %s, want %s", b, want)
	}
	if _, err := Body(gateway.WebhookDelivery{ID: "whd_Y", Type: gateway.EventDenialCreated}); err == nil {
		t.Fatal("Body without payload or claim event: no error")
	}
}

// recordingTx records EnqueueWebhook calls; every other method is the embedded nil Tx and
// panics if called.
type recordingTx struct {
	gateway.Tx
	got []gateway.WebhookEvent
}

func (r *recordingTx) EnqueueWebhook(_ context.Context, e gateway.WebhookEvent) (gateway.WebhookDelivery, bool, error) {
	r.got = append(r.got, e)
	return gateway.WebhookDelivery{ID: "whd_T"}, true, nil
}

func TestEnqueueRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		typ     string
		payload any
		detail  string
	}{
		{"claim events come from transitions", gateway.EventClaimPaid, map[string]any{"claim_id": "X"}, "claim.*"},
		{"unknown type", "claim.exploded", map[string]any{}, "only"},
		{"not an object", gateway.EventDenialCreated, []int{1}, "JSON object"},
		{"null", gateway.EventDenialCreated, nil, "JSON object"},
		{"not marshalable", gateway.EventDenialCreated, map[string]any{"f": func() {}}, "payload"},
		{"member id", gateway.EventDenialCreated, map[string]any{"claim_id": "X", "member_id": "XYZ123"}, "/member_id"},
		{"nested patient name", gateway.EventRemittanceReceived, map[string]any{"claims": []any{map[string]any{"id": "X", "Patient": map[string]any{}}}}, "/claims/0/Patient"},
		{"birth date", gateway.EventDenialCreated, struct {
			BirthDate string `json:"birth_date"`
		}{"1980-04-01"}, "/birth_date"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := &recordingTx{}
			err := Enqueue(ctx, tx, 1, "", tc.typ, tc.payload)
			if !errors.Is(err, gateway.ErrInvalid) || !strings.Contains(err.Error(), tc.detail) {
				t.Fatalf("Enqueue = %v, want ErrInvalid mentioning %q", err, tc.detail)
			}
			if len(tx.got) != 0 {
				t.Fatalf("refused event reached the store: %+v", tx.got)
			}
		})
	}
	tx := &recordingTx{}
	if err := Enqueue(ctx, tx, 3, "01ABC", gateway.EventDenialCreated, map[string]any{"denial_id": 9, "category": "coding", "codes": []string{"CO-16"}}); err != nil {
		t.Fatal(err)
	}
	if len(tx.got) != 1 || tx.got[0].SubmitterID != 3 || tx.got[0].ClaimID != "01ABC" || tx.got[0].Type != gateway.EventDenialCreated ||
		string(tx.got[0].Payload) != `{"category":"coding","codes":["CO-16"],"denial_id":9}` {
		t.Fatalf("enqueued %+v", tx.got)
	}
}

func TestExponentialBackoff(t *testing.T) {
	b := ExponentialBackoff(30*time.Second, time.Hour)
	for attempt, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 8: time.Hour, 40: time.Hour} {
		for range 50 {
			got := b(attempt)
			if got < want/2 || got > want {
				t.Fatalf("attempt %d: %v, want in [%v, %v]", attempt, got, want/2, want)
			}
		}
	}
	// The waits of 24 hours of failures: more than 20 attempts, none later than an hour apart.
	total, n := time.Duration(0), 0
	for total < 24*time.Hour {
		n++
		total += b(n)
	}
	if n < 20 {
		t.Fatalf("only %d attempts in 24 hours", n)
	}
}
