package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// Envelope is the JSON body of every delivery. It is built from the outbox row and the
// append-only claim event only, so every retry of a delivery sends the same bytes.
type Envelope struct {
	ID        string          `json:"id"`         // the delivery id (= X-Claimgate-Delivery)
	Type      string          `json:"type"`       // the event type (= X-Claimgate-Event)
	CreatedAt time.Time       `json:"created_at"` // when the event happened
	Data      json.RawMessage `json:"data"`       // ClaimEventData for claim.*, the enqueued payload otherwise
}

// ClaimEventData is the data of the claim.* events. It carries no PHI: ids, statuses, times,
// the reason words of the claim event and its reason codes.
type ClaimEventData struct {
	ClaimID  string              `json:"claim_id"`
	EventSeq int                 `json:"event_seq"` // the claim event's number: 1, 2, ... per claim
	Status   gateway.ClaimStatus `json:"status"`    // the status the claim entered
	From     gateway.ClaimStatus `json:"from"`      // the status it left
	At       time.Time           `json:"at"`
	// Stage says which acknowledgment accepted or rejected the claim: "999" or "277CA"
	// (claim.accepted and claim.rejected only).
	Stage  string `json:"stage,omitempty"`
	Reason string `json:"reason,omitempty"`
	// ReasonCodes are the codes of the claim event's detail ("codes": ["CO-16", "N290"],
	// "A7:562:85", "IK304:8", ...); an empty list when it has none.
	ReasonCodes []string `json:"reason_codes"`
}

// stage names the acknowledgment behind an accepted or rejected status.
func stage(s gateway.ClaimStatus) string {
	switch s {
	case gateway.StatusAccepted999, gateway.StatusRejected999:
		return "999"
	case gateway.StatusAccepted277, gateway.StatusRejected277:
		return "277CA"
	}
	return ""
}

// reasonCodes reads the "codes" (or "reason_codes") list of a claim event's detail; values
// that are not strings are skipped.
func reasonCodes(detail json.RawMessage) []string {
	out := []string{}
	if len(detail) == 0 {
		return out
	}
	var d map[string]json.RawMessage
	if json.Unmarshal(detail, &d) != nil {
		return out
	}
	for _, key := range []string{"codes", "reason_codes"} {
		var list []any
		if json.Unmarshal(d[key], &list) != nil {
			continue
		}
		for _, v := range list {
			if s, ok := v.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// ClaimData returns the data of a claim.* delivery built from its claim event.
func ClaimData(ev gateway.ClaimEvent) ClaimEventData {
	return ClaimEventData{ClaimID: ev.ClaimID, EventSeq: ev.Seq, Status: ev.To, From: ev.From, At: ev.At.UTC(),
		Stage: stage(ev.To), Reason: ev.Reason, ReasonCodes: reasonCodes(ev.Detail)}
}

// Body returns the JSON body of a delivery.
func Body(d gateway.WebhookDelivery) ([]byte, error) {
	data := d.Payload
	if d.ClaimEvent != nil {
		b, err := json.Marshal(ClaimData(*d.ClaimEvent))
		if err != nil {
			return nil, fmt.Errorf("webhook %s: %w", d.ID, err)
		}
		data = b
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("webhook %s: no payload and no claim event", d.ID)
	}
	b, err := json.Marshal(Envelope{ID: d.ID, Type: d.Type, CreatedAt: d.CreatedAt.UTC(), Data: data})
	if err != nil {
		return nil, fmt.Errorf("webhook %s: %w", d.ID, err)
	}
	return b, nil
}

// phiKeys are object keys an event payload must never hold (at any depth): patient and
// subscriber identity. Enqueue refuses payloads carrying them.
var phiKeys = map[string]bool{
	"patient": true, "subscriber": true, "insured": true, "member_id": true, "subscriber_id": true,
	"first_name": true, "last_name": true, "middle_name": true, "patient_name": true,
	"birth_date": true, "date_of_birth": true, "dob": true, "ssn": true, "gender": true,
	"address": true, "phone": true, "email": true, "encounter": true,
}

// findPHIKey returns the path of the first key of v in phiKeys, or "".
func findPHIKey(v any, path string) string {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			if phiKeys[strings.ToLower(k)] {
				return path + "/" + k
			}
			if p := findPHIKey(sub, path+"/"+k); p != "" {
				return p
			}
		}
	case []any:
		for i, sub := range x {
			if p := findPHIKey(sub, fmt.Sprintf("%s/%d", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// Enqueue writes an event to submitterID's outbox inside tx, the transaction of the change
// that causes it, so the event exists exactly when the change is committed. It is how other
// packages emit the events the store does not derive from claim events:
//
//	err := store.WithTx(ctx, func(tx gateway.Tx) error {
//		// ... post the remittance ...
//		return webhooks.Enqueue(ctx, tx, claim.SubmitterID, claim.ID, gateway.EventRemittanceReceived,
//			map[string]any{"remittance_id": r.ID, "claim_id": claim.ID, "paid": r.Paid.String()})
//	})
//
// eventType is gateway.EventRemittanceReceived or gateway.EventDenialCreated (the claim.*
// events are written by the store with the claim event, never by hand). claimID is optional:
// events naming a claim are delivered after that claim's earlier events. payload is marshalled
// to JSON and must be an object without PHI (names, member ids, birth dates, addresses: keys
// such as first_name, member_id, birth_date are refused). A submitter without a webhook URL
// gets nothing and Enqueue returns nil. Refusals wrap gateway.ErrInvalid.
func Enqueue(ctx context.Context, tx gateway.Tx, submitterID int64, claimID, eventType string, payload any) error {
	if eventType != gateway.EventRemittanceReceived && eventType != gateway.EventDenialCreated {
		return fmt.Errorf("webhooks: enqueue %q: %w: only %s and %s are enqueued by hand; claim.* events come from claim transitions",
			eventType, gateway.ErrInvalid, gateway.EventRemittanceReceived, gateway.EventDenialCreated)
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("webhooks: enqueue %s: %w: payload: %w", eventType, gateway.ErrInvalid, err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("webhooks: enqueue %s: %w: payload: %w", eventType, gateway.ErrInvalid, err)
	}
	if _, ok := v.(map[string]any); !ok {
		return fmt.Errorf("webhooks: enqueue %s: %w: payload must be a JSON object", eventType, gateway.ErrInvalid)
	}
	if p := findPHIKey(v, ""); p != "" {
		return fmt.Errorf("webhooks: enqueue %s: %w: payload key %s may carry patient data; webhooks never do", eventType, gateway.ErrInvalid, p)
	}
	if _, _, err := tx.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: submitterID, ClaimID: claimID,
		Type: eventType, Payload: b}); err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	return nil
}
