package gateway

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// Webhook event types (DESIGN.md "Webhooks"). The claim.* events are written by the store
// itself whenever a claim event moves a claim into a status WebhookEventForStatus maps (every
// path: TransitionClaim, the bulk batch moves, anything appending to claim_events), so no
// caller has to remember them. remittance.received and denial.created are written by the
// features that create them, with gateway/webhooks.Enqueue (Tx.EnqueueWebhook) inside their
// own transaction.
const (
	EventClaimSubmitted     = "claim.submitted"
	EventClaimAccepted      = "claim.accepted" // accepted_999 or accepted_277 (the payload says which)
	EventClaimRejected      = "claim.rejected" // rejected_999 or rejected_277
	EventClaimPaid          = "claim.paid"     // paid or partially_paid
	EventClaimDenied        = "claim.denied"
	EventClaimReversed      = "claim.reversed"
	EventRemittanceReceived = "remittance.received"
	EventDenialCreated      = "denial.created"
)

// WebhookEvents lists every event type.
var WebhookEvents = []string{
	EventClaimSubmitted, EventClaimAccepted, EventClaimRejected, EventClaimPaid, EventClaimDenied,
	EventClaimReversed, EventRemittanceReceived, EventDenialCreated,
}

// ValidWebhookEvent reports whether e is one of WebhookEvents.
func ValidWebhookEvent(e string) bool {
	for _, v := range WebhookEvents {
		if v == e {
			return true
		}
	}
	return false
}

// statusEvents is the claim status -> webhook event table. The store's migration
// (0006_webhooks, table webhook_status_events) holds the same table; the contract suite checks
// that the two agree.
var statusEvents = map[ClaimStatus]string{
	StatusSubmitted:     EventClaimSubmitted,
	StatusAccepted999:   EventClaimAccepted,
	StatusAccepted277:   EventClaimAccepted,
	StatusRejected999:   EventClaimRejected,
	StatusRejected277:   EventClaimRejected,
	StatusPaid:          EventClaimPaid,
	StatusPartiallyPaid: EventClaimPaid,
	StatusDenied:        EventClaimDenied,
	StatusReversed:      EventClaimReversed,
}

// WebhookEventForStatus returns the event a claim entering status s emits, or "" for a status
// that emits none (queued, batched, pended, forwarded, replaced, voided).
func WebhookEventForStatus(s ClaimStatus) string { return statusEvents[s] }

// Webhook delivery states.
const (
	WebhookPending   = "pending"   // not yet delivered; retried until RetryFor has passed since the first attempt
	WebhookDelivered = "delivered" // the receiver answered 2xx
	WebhookFailed    = "failed"    // given up (retried too long, or the submitter's webhook was removed)
)

// WebhookEvent is an event to put in the outbox (EnqueueWebhook).
type WebhookEvent struct {
	SubmitterID int64
	ClaimID     string          // optional; events of one claim are delivered in order
	Type        string          // one of WebhookEvents
	Payload     json.RawMessage // JSON object, never PHI
	At          time.Time       // default: the store's clock
}

// WebhookDelivery is one outbox row: an event for one submitter, and how its delivery went.
// ID is the X-Claimgate-Delivery header: it stays the same on every retry, so receivers dedupe
// on it. Claim events have the id "whd_<claim id>_<event seq>"; enqueued events a random one.
type WebhookDelivery struct {
	ID             string     `json:"id"`
	Seq            int64      `json:"-"` // outbox order
	SubmitterID    int64      `json:"submitter_id"`
	ClaimID        string     `json:"claim_id,omitempty"`
	Type           string     `json:"event"`
	State          string     `json:"state"`
	Attempts       int        `json:"attempts"`
	LastStatus     int        `json:"last_status,omitempty"` // HTTP status of the last attempt; 0 when none came back
	LastError      string     `json:"last_error,omitempty"`
	NextAttemptAt  *time.Time `json:"next_attempt_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"` // the time of the event
	FirstAttemptAt *time.Time `json:"first_attempt_at,omitempty"`
	LastAttemptAt  *time.Time `json:"last_attempt_at,omitempty"`
	DeliveredAt    *time.Time `json:"delivered_at,omitempty"`

	// Payload is the event data of an enqueued event; nil for a claim event, whose data is
	// ClaimEvent.
	Payload json.RawMessage `json:"-"`
	// ClaimEvent is the claim event a claim.* delivery was made for (append-only, so the body
	// built from it is the same on every attempt). Filled by ClaimWebhookDeliveries and
	// GetWebhookDelivery.
	ClaimEvent *ClaimEvent `json:"-"`
	// LeaseOwner and LeaseUntil name the worker attempting the delivery now, if any.
	LeaseOwner string     `json:"-"`
	LeaseUntil *time.Time `json:"-"`
	// URL and Secret are the submitter's webhook at claiming time (ClaimWebhookDeliveries
	// only); URL is "" when the webhook has been removed.
	URL    string `json:"-"`
	Secret string `json:"-"`
}

// WebhookAttempt is the outcome of one delivery attempt (RecordWebhookAttempt).
type WebhookAttempt struct {
	DeliveryID string
	Owner      string    // the lease owner that claimed the delivery
	At         time.Time // when the attempt started
	Status     int       // HTTP status, 0 when none came back
	Error      string    // short, no PHI, no response body; "" when delivered
	// State is the delivery's new state: WebhookDelivered, WebhookPending (retry at
	// NextAttemptAt) or WebhookFailed.
	State         string
	NextAttemptAt time.Time
}

// WebhookDeliveryFilter selects deliveries for ListWebhookDeliveries. Zero fields do not filter.
type WebhookDeliveryFilter struct {
	SubmitterID int64
	State       string
	ClaimID     string
	Type        string
	Cursor      string // from the previous page's Next
	Limit       int    // default 50, at most 1000
}

// WebhookDeliveryPage is one page of deliveries, newest first. Next is empty on the last page.
type WebhookDeliveryPage struct {
	Deliveries []WebhookDelivery `json:"deliveries"`
	Next       string            `json:"next,omitempty"`
}

// WebhookClaim is what ClaimWebhookDeliveries leases: for whom, when, how many, how long.
type WebhookClaim struct {
	Owner string        // the worker taking the leases (required)
	Now   time.Time     // due at this time
	Limit int           // at most this many deliveries (>= 1)
	Lease time.Duration // leased until Now+Lease (> 0)
	// PerSubmitter caps the deliveries of one submitter leased at once, across every owner,
	// those leased before included (0: no cap). Two claimers at the same instant may each
	// see the other's leases only once committed, so the cap can be passed briefly.
	PerSubmitter int
}

// WebhookTx is the webhook outbox method group of Tx.
type WebhookTx interface {
	// EnqueueWebhook writes an event to the outbox of its submitter, in the caller's
	// transaction. A submitter without a webhook URL gets nothing: created is false and the
	// delivery is zero. An unknown submitter or claim, an unknown type or a payload that is
	// not a JSON object is ErrInvalid.
	EnqueueWebhook(ctx context.Context, e WebhookEvent) (d WebhookDelivery, created bool, err error)
	// ClaimWebhookDeliveries leases up to c.Limit pending deliveries that are due at c.Now to
	// c.Owner until c.Now+c.Lease, with their submitter's URL and secret. Submitters take
	// turns: each offers its deliveries in its own order, never-attempted ones first (oldest
	// first), then retries by due time, so a dead receiver's retries cannot starve fresh
	// events; its k-th offer comes at turn k plus its deliveries already in flight, so one
	// submitter's backlog does not go before another's newer events. A delivery is not due
	// while an earlier pending delivery of the same claim exists, so the events of one claim
	// go out one at a time, in order. With c.PerSubmitter > 0 no submitter has more than that
	// many deliveries leased at once (counting every owner's unexpired leases), so a slow
	// receiver cannot hold every slot. On Postgres concurrent claimers skip each other's rows
	// (SKIP LOCKED).
	ClaimWebhookDeliveries(ctx context.Context, c WebhookClaim) ([]WebhookDelivery, error)
	// RecordWebhookAttempt stores an attempt's outcome and releases the lease. A delivery not
	// leased to a.Owner (lease lost, or already finished) is ErrConflict.
	RecordWebhookAttempt(ctx context.Context, a WebhookAttempt) (WebhookDelivery, error)
	// ReleaseWebhookLeases gives back owner's leases (worker shutdown) and returns how many.
	ReleaseWebhookLeases(ctx context.Context, owner string) (int, error)
	// GetWebhookDelivery returns a delivery; with submitterID != 0 another submitter's is
	// ErrNotFound.
	GetWebhookDelivery(ctx context.Context, id string, submitterID int64) (WebhookDelivery, error)
	// ListWebhookDeliveries returns one page of deliveries, newest first.
	ListWebhookDeliveries(ctx context.Context, f WebhookDeliveryFilter) (WebhookDeliveryPage, error)
	// RetryWebhookDelivery puts a failed delivery back in the outbox, due now, with a fresh
	// retry window (its attempts count again from zero; its last status and error stay until
	// the next attempt): after a receiver's long outage, its failed events can be sent again.
	// A delivery that is not failed is ErrConflict; with submitterID != 0 another submitter's
	// is ErrNotFound.
	RetryWebhookDelivery(ctx context.Context, id string, submitterID int64) (WebhookDelivery, error)
	// PurgeWebhookDeliveries deletes up to limit finished (delivered or failed) deliveries
	// whose last attempt was before before, oldest first, and returns how many. Pending ones
	// are never deleted.
	PurgeWebhookDeliveries(ctx context.Context, before time.Time, limit int) (int, error)
	// WebhookOutboxDepth counts the pending deliveries (cheap: an index of pending rows only,
	// however many delivered rows the outbox keeps).
	WebhookOutboxDepth(ctx context.Context) (int, error)
}

// WebhookDeliveryPrefix starts every delivery id.
const WebhookDeliveryPrefix = "whd_"

// NewWebhookDeliveryID returns a new random delivery id for an enqueued event:
// WebhookDeliveryPrefix + 26 characters of Crockford base32 (10 of time, 16 of randomness).
func NewWebhookDeliveryID(now time.Time) string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("gateway: crypto/rand failed: %v", err)) // never fails on supported platforms
	}
	var out [26]byte
	ms := uint64(now.UnixMilli())
	for i := 9; i >= 0; i-- {
		out[i] = crockford[ms&31]
		ms >>= 5
	}
	r1 := binary.BigEndian.Uint64(b[:8])
	r2 := uint64(binary.BigEndian.Uint16(b[8:]))
	for i := 10; i < 22; i++ {
		out[i] = crockford[r1&31]
		r1 >>= 5
	}
	for i := 22; i < 26; i++ {
		out[i] = crockford[r2&31]
		r2 >>= 5
	}
	return WebhookDeliveryPrefix + string(out[:])
}
