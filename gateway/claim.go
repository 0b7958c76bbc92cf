package gateway

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
)

// ClaimStatus is where a claim is in its life cycle (see DESIGN.md "Claim life cycle").
// The status kept in the claim row is always the To of the claim's last event.
type ClaimStatus string

// Claim statuses. StatusNone is the From of a claim's first event.
const (
	StatusNone          ClaimStatus = ""
	StatusQueued        ClaimStatus = "queued"         // accepted at intake, waiting for the payer's next batch
	StatusBatched       ClaimStatus = "batched"        // in an 837 file, control numbers fixed
	StatusSubmitted     ClaimStatus = "submitted"      // the file is on the payer's SFTP server
	StatusRejected999   ClaimStatus = "rejected_999"   // the transaction set was rejected by a 999
	StatusAccepted999   ClaimStatus = "accepted_999"   // the transaction set was accepted by a 999
	StatusRejected277   ClaimStatus = "rejected_277"   // 277CA A3/A4/A6/A7/A8
	StatusAccepted277   ClaimStatus = "accepted_277"   // 277CA A1/A2: in the payer's adjudication system
	StatusPended        ClaimStatus = "pended"         // the payer holds the claim (277 pended status)
	StatusPaid          ClaimStatus = "paid"           // 835: paid in full
	StatusPartiallyPaid ClaimStatus = "partially_paid" // 835: paid less than billed beyond contractual
	StatusDenied        ClaimStatus = "denied"         // 835: nothing paid
	StatusReversed      ClaimStatus = "reversed"       // 835 CLP02=22
	StatusForwarded     ClaimStatus = "forwarded"      // 835 CLP02=19/20/21: crossed over to another payer
	StatusReplaced      ClaimStatus = "replaced"       // superseded by a frequency-7 claim or a corrected resubmission
	StatusVoided        ClaimStatus = "voided"         // cancelled by a frequency-8 claim
)

// ClaimStatuses lists every status in life-cycle order.
var ClaimStatuses = []ClaimStatus{
	StatusQueued, StatusBatched, StatusSubmitted, StatusRejected999, StatusAccepted999,
	StatusRejected277, StatusAccepted277, StatusPended, StatusPaid, StatusPartiallyPaid,
	StatusDenied, StatusReversed, StatusForwarded, StatusReplaced, StatusVoided,
}

// payerOutcomes are the statuses a claim the payer has received can reach directly.
var payerOutcomes = []ClaimStatus{StatusPaid, StatusPartiallyPaid, StatusDenied, StatusForwarded, StatusPended}

func set(groups ...[]ClaimStatus) map[ClaimStatus]bool {
	m := map[ClaimStatus]bool{}
	for _, g := range groups {
		for _, s := range g {
			m[s] = true
		}
	}
	return m
}

func list(s ...ClaimStatus) []ClaimStatus { return s }

// transitions is the life-cycle table: transitions[from][to] is true when the move is allowed.
// Response files arrive out of order (a 277CA before its 999, an 835 before the 277CA), so a
// later stage may be reached from any earlier one that the payer has seen.
var transitions = map[ClaimStatus]map[ClaimStatus]bool{
	StatusNone:    set(list(StatusQueued)),
	StatusQueued:  set(list(StatusBatched, StatusReplaced, StatusVoided)),
	StatusBatched: set(list(StatusSubmitted, StatusQueued)), // queued again when the upload fails for good
	StatusSubmitted: set(list(StatusAccepted999, StatusRejected999, StatusAccepted277, StatusRejected277),
		payerOutcomes),
	StatusRejected999:   set(list(StatusQueued, StatusReplaced, StatusVoided)),
	StatusAccepted999:   set(list(StatusAccepted277, StatusRejected277), payerOutcomes),
	StatusRejected277:   set(list(StatusQueued, StatusReplaced, StatusVoided)),
	StatusAccepted277:   set(list(StatusRejected277, StatusReplaced, StatusVoided), payerOutcomes),
	StatusPended:        set(list(StatusAccepted277, StatusRejected277, StatusReplaced, StatusVoided, StatusPaid, StatusPartiallyPaid, StatusDenied, StatusForwarded)),
	StatusPaid:          set(list(StatusReversed, StatusReplaced, StatusVoided)),
	StatusPartiallyPaid: set(list(StatusPaid, StatusReversed, StatusReplaced, StatusVoided)),
	StatusDenied:        set(list(StatusPaid, StatusPartiallyPaid, StatusReversed, StatusReplaced, StatusVoided)),
	StatusReversed:      set(list(StatusPaid, StatusPartiallyPaid, StatusDenied, StatusPended, StatusReplaced, StatusVoided)),
	StatusForwarded:     set(list(StatusPaid, StatusPartiallyPaid, StatusDenied, StatusReplaced, StatusVoided)),
	StatusReplaced:      {},
	StatusVoided:        {},
}

// CanTransition reports whether a claim may move from one status to another. A status never
// transitions to itself; replaced and voided are final.
func CanTransition(from, to ClaimStatus) bool {
	return transitions[from][to]
}

// Valid reports whether s is one of the life-cycle statuses (StatusNone is not).
func (s ClaimStatus) Valid() bool {
	_, ok := transitions[s]
	return ok && s != StatusNone
}

// Final reports whether no transition leaves s.
func (s ClaimStatus) Final() bool { return s.Valid() && len(transitions[s]) == 0 }

// ClaimType selects the 837 flavour.
type ClaimType string

// Claim types.
const (
	Professional  ClaimType = "professional"  // 837P
	Institutional ClaimType = "institutional" // 837I
)

// Valid reports whether t is a known claim type.
func (t ClaimType) Valid() bool { return t == Professional || t == Institutional }

// Frequency is the claim frequency (CLM05-3).
type Frequency string

// Frequencies.
const (
	FrequencyOriginal    Frequency = "original"    // 1
	FrequencyReplacement Frequency = "replacement" // 7
	FrequencyVoid        Frequency = "void"        // 8
)

// Code is the X12 claim frequency type code: "1", "7" or "8"; "" for an unknown frequency.
func (f Frequency) Code() string {
	switch f {
	case FrequencyOriginal:
		return "1"
	case FrequencyReplacement:
		return "7"
	case FrequencyVoid:
		return "8"
	}
	return ""
}

// Valid reports whether f is a known frequency.
func (f Frequency) Valid() bool { return f.Code() != "" }

// Claim is one claim as stored: the intake body plus its workflow state.
type Claim struct {
	ID               string          `json:"id"` // <= 17 characters, uppercase Crockford base32; CLM01
	SubmitterID      int64           `json:"submitter_id"`
	ExternalID       string          `json:"external_id"` // submitter's own id, unique per submitter
	Type             ClaimType       `json:"claim_type"`
	PayerID          string          `json:"payer_id"`
	Frequency        Frequency       `json:"frequency"`
	Status           ClaimStatus     `json:"status"`
	TotalCharge      edi.Amount      `json:"total_charge"` // CLM02, sum of the service lines
	LineCount        int             `json:"line_count"`
	Encounter        json.RawMessage `json:"encounter,omitempty"` // the intake body, kept to render the 837
	ContentHash      string          `json:"content_hash"`        // hex sha256 of the normalised encounter
	PayerClaimNumber string          `json:"payer_claim_number,omitempty"`
	BatchID          *int64          `json:"batch_id,omitempty"`
	ReplacesClaimID  string          `json:"replaces_claim_id,omitempty"`
	CreatedAt        time.Time       `json:"created_at"`
	UpdatedAt        time.Time       `json:"updated_at"`
}

// ClaimEvent is one append-only step of a claim's life cycle.
type ClaimEvent struct {
	ClaimID string          `json:"claim_id"`
	Seq     int             `json:"seq"` // 1 for the creation event, then +1 per event
	At      time.Time       `json:"at"`
	From    ClaimStatus     `json:"from"`
	To      ClaimStatus     `json:"to"`
	Reason  string          `json:"reason,omitempty"`
	Source  string          `json:"source,omitempty"` // what caused it: "intake", "file:123", "batch:7", "api"
	Detail  json.RawMessage `json:"detail,omitempty"`
}

// EventInput describes the event written with a claim creation or transition. The optional
// fields update the claim row in the same statement as the status.
type EventInput struct {
	At     time.Time       // default: the store's clock
	Reason string          // human words, no PHI
	Source string          // e.g. "intake", "file:42", "batch:7"
	Detail json.RawMessage // JSON object, optional

	BatchID          *int64 // set claims.batch_id (e.g. on queued -> batched)
	ClearBatch       bool   // set claims.batch_id to NULL (e.g. on batched -> queued)
	PayerClaimNumber string // set claims.payer_claim_number when non-empty (277CA REF*1K, 835 CLP07)
}

// ClaimFilter selects claims for ListClaims. Zero fields do not filter.
type ClaimFilter struct {
	SubmitterID int64       // only this submitter's claims
	Status      ClaimStatus //
	PayerID     string      //
	BatchID     int64       // only the claims of this batch
	Since       time.Time   // created at or after
	Cursor      string      // from the previous page's ClaimPage.Next
	Limit       int         // default 50, at most 1000
}

// ClaimPage is one page of ListClaims, newest first. Next is empty on the last page.
type ClaimPage struct {
	Claims []Claim `json:"claims"`
	Next   string  `json:"next,omitempty"`
}

// IdempotencyKey records the outcome of a POST carrying an Idempotency-Key header, so a retried
// request returns the first result instead of creating a second claim.
type IdempotencyKey struct {
	SubmitterID int64     `json:"submitter_id"`
	Key         string    `json:"key"`
	RequestHash string    `json:"request_hash"` // hex sha256 of the request body
	ClaimID     string    `json:"claim_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// ClaimTx is the claim method group of Tx.
type ClaimTx interface {
	// CreateClaim stores a new claim with its first event (StatusNone -> c.Status, default
	// queued). An empty c.ID is generated with NewClaimID. A second claim with the same
	// (SubmitterID, ExternalID) is ErrConflict.
	CreateClaim(ctx context.Context, c Claim, ev EventInput) (Claim, error)
	// GetClaim returns a claim by id (case-insensitive). With submitterID != 0, another
	// submitter's claim is ErrNotFound.
	GetClaim(ctx context.Context, id string, submitterID int64) (Claim, error)
	// ClaimByExternalID returns a submitter's claim by its external id.
	ClaimByExternalID(ctx context.Context, submitterID int64, externalID string) (Claim, error)
	// ListClaims returns one page of claims, newest first, stable under concurrent inserts.
	ListClaims(ctx context.Context, f ClaimFilter) (ClaimPage, error)
	// TransitionClaim moves a claim to status to, appending an event. A move CanTransition
	// refuses, or a concurrent change of the claim, is ErrConflict.
	TransitionClaim(ctx context.Context, claimID string, to ClaimStatus, ev EventInput) (Claim, error)
	// ClaimEvents returns a claim's events in order.
	ClaimEvents(ctx context.Context, claimID string) ([]ClaimEvent, error)
	// PutIdempotencyKey stores k unless (SubmitterID, Key) exists; then it returns the stored
	// record and created=false. The caller compares RequestHash.
	PutIdempotencyKey(ctx context.Context, k IdempotencyKey) (stored IdempotencyKey, created bool, err error)
}

// crockford is Crockford's base32 alphabet (no I, L, O, U).
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ClaimIDLen is the length of generated claim ids.
const ClaimIDLen = 17

// NewClaimID returns a new claim id: 17 characters of Crockford base32, the first 10 encoding
// the milliseconds since the Unix epoch (so ids sort roughly by creation) and the last 7 encoding
// 35 random bits.
func NewClaimID(now time.Time) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("gateway: crypto/rand failed: %v", err)) // crypto/rand never fails on supported platforms
	}
	r := binary.BigEndian.Uint64(b[:])
	ms := uint64(now.UnixMilli())
	var out [ClaimIDLen]byte
	for i := 9; i >= 0; i-- {
		out[i] = crockford[ms&31]
		ms >>= 5
	}
	for i := ClaimIDLen - 1; i >= 10; i-- {
		out[i] = crockford[r&31]
		r >>= 5
	}
	return string(out[:])
}

// NormalizeClaimID maps a claim id as a person or payer may have typed or echoed it to the
// stored form: upper case, with Crockford's I, L -> 1 and O -> 0, surrounding spaces removed.
func NormalizeClaimID(id string) string {
	id = strings.ToUpper(strings.TrimSpace(id))
	return strings.Map(func(r rune) rune {
		switch r {
		case 'I', 'L':
			return '1'
		case 'O':
			return '0'
		}
		return r
	}, id)
}

// ValidClaimID reports whether id (already normalised) is a well-formed claim id: 1 to 17
// characters of the Crockford alphabet.
func ValidClaimID(id string) bool {
	if id == "" || len(id) > ClaimIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if strings.IndexByte(crockford, id[i]) < 0 {
			return false
		}
	}
	return true
}
