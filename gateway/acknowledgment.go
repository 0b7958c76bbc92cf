package gateway

import (
	"context"
	"encoding/json"
	"time"
)

// Acknowledgment is one acknowledgment unit of an inbound file: a 999 transaction set (the
// answer to one functional group), a TA1 segment (the answer to one interchange) or a 277CA
// transaction set. gateway/acks records one per unit it reads, matched or not.
type Acknowledgment struct {
	ID      int64    `json:"id"`
	FileID  int64    `json:"file_id"`
	Ordinal int      `json:"ordinal"` // position of the unit in its file, from 0
	Kind    FileKind `json:"kind"`    // Kind999, KindTA1 or Kind277CA
	PayerID string   `json:"payer_id"`
	// BatchID is the outbound batch the acknowledgment answers, when it was found.
	BatchID *int64 `json:"batch_id,omitempty"`
	// ControlNumber is the acknowledgment's own ST02 (empty for a TA1).
	ControlNumber string `json:"control_number,omitempty"`
	// RefControlNumber is what it answers: the group control number (999 AK102), the
	// interchange control number (TA101) or the batch trace (277CA receiver TRN02).
	RefControlNumber string `json:"ref_control_number,omitempty"`
	// Status is the acknowledgment's own verdict: AK901 (A, E, P, R, M, W, X), TA104 (A, E, R)
	// or the 277CA receiver level's first status category (e.g. A1).
	Status     string          `json:"status,omitempty"`
	ReceivedAt time.Time       `json:"received_at"`
	Detail     json.RawMessage `json:"detail,omitempty"` // JSON object; never PHI
}

// Claim acknowledgment outcomes.
const (
	AckAccepted = "accepted"
	AckRejected = "rejected"
	AckPended   = "pended"
	AckOther    = "other" // forwarded (277CA A0), no verdict, or a status that changes nothing
)

// ClaimAcknowledgment is what one acknowledgment said about one claim. A claim keeps every one
// it receives (a 999, then a clearinghouse 277CA, then the payer's), numbered by Seq in arrival
// order. From and To are the claim's status before and after; they are equal when the
// acknowledgment did not move the claim (Note says why).
type ClaimAcknowledgment struct {
	ID      int64    `json:"id"`
	ClaimID string   `json:"claim_id"`
	Seq     int      `json:"seq"` // assigned by AddClaimAcknowledgment: 1, 2, ... per claim
	AckID   int64    `json:"ack_id"`
	Kind    FileKind `json:"kind"`
	Outcome string   `json:"outcome"` // AckAccepted, AckRejected, AckPended or AckOther
	// Codes are the codes the acknowledgment gave, each prefixed by where it comes from:
	// "IK501:R", "IK304:8", "IK403:7", "TA104:R", "TA105:022", or a 277CA STC composite
	// "A7:562:85" (category:status:entity).
	Codes            []string    `json:"codes"`
	PayerClaimNumber string      `json:"payer_claim_number,omitempty"` // 277CA REF*1K
	Sentences        []string    `json:"sentences"`                    // plain words, one per problem or status
	From             ClaimStatus `json:"from"`
	To               ClaimStatus `json:"to"`
	Note             string      `json:"note,omitempty"`
	At               time.Time   `json:"at"`
}

// Applied reports whether the acknowledgment moved the claim.
func (c ClaimAcknowledgment) Applied() bool { return c.From != c.To }

// Reasons an acknowledgment (or part of one) is unmatched.
const (
	UnmatchedUnknownBatch       = "unknown_batch"           // no batch of the payer has this GS06 / ISA13
	UnmatchedUnknownSet         = "unknown_transaction_set" // the batch has no set with this ST02
	UnmatchedUnknownClaim       = "unknown_claim"           // no claim has this patient control number or payer claim number
	UnmatchedPayerMismatch      = "payer_mismatch"          // the claim was sent to another payer
	UnmatchedNoVerdict          = "no_verdict"              // the acknowledgment gives no accept/reject verdict
	UnmatchedUnreadableArchive  = "unreadable_batch_file"   // the batch's archived 837 cannot be read back
	UnmatchedNotAClaimAck       = "not_a_claim_ack"         // a 999 answering a group that is not an 837 (AK101 not HC)
	UnmatchedNoClaimIdentifiers = "no_claim_identifiers"    // a 277CA claim without TRN02 and REF*1K
)

// UnmatchedAcknowledgment is an acknowledgment, or one part of one (a 999 set, a 277CA claim),
// that names nothing of ours. It is kept so that nothing a payer says is lost; Identifiers holds
// the control numbers and claim identifiers it carried (never patient data).
type UnmatchedAcknowledgment struct {
	ID          int64             `json:"id"`
	AckID       int64             `json:"ack_id"`
	FileID      int64             `json:"file_id"`
	PayerID     string            `json:"payer_id"`
	Kind        FileKind          `json:"kind"`
	Reason      string            `json:"reason"`  // one of the Unmatched* codes
	Message     string            `json:"message"` // a sentence
	Identifiers map[string]string `json:"identifiers"`
	CreatedAt   time.Time         `json:"created_at"`
}

// Rejection statuses.
const (
	RejectionOpen     = "open"
	RejectionResolved = "resolved"
)

// Rejection is a work item created for every claim a TA1, 999 or 277CA rejects: the codes and
// sentences of the rejection, the denial category (edi/codes ClassifySyntaxError for TA1/999,
// ClassifyClaimStatus for 277CA) and the work queue of the team that fixes it. Denial routing
// (issue 8) builds its queues on these rows; ClaimAckID links to the acknowledgment.
type Rejection struct {
	ID         int64     `json:"id"`
	ClaimID    string    `json:"claim_id"`
	PayerID    string    `json:"payer_id"`
	ClaimAckID int64     `json:"claim_ack_id"`
	Source     FileKind  `json:"source"` // Kind999, KindTA1 or Kind277CA
	Codes      []string  `json:"codes"`
	Sentences  []string  `json:"sentences"`
	Category   string    `json:"category"` // an edi/codes Category
	Queue      string    `json:"queue"`
	DecidedBy  string    `json:"decided_by,omitempty"`
	Reason     string    `json:"reason,omitempty"` // the category's plain-words advice
	Status     string    `json:"status"`           // RejectionOpen (default) or RejectionResolved
	CreatedAt  time.Time `json:"created_at"`
}

// AckFilter selects acknowledgments. Zero fields do not filter.
type AckFilter struct {
	PayerID  string
	Kind     FileKind
	FileID   int64
	BatchID  int64
	BeforeID int64 // page: ID < BeforeID
	Limit    int   // default 50, at most 1000
}

// UnmatchedFilter selects unmatched acknowledgments. Zero fields do not filter.
type UnmatchedFilter struct {
	PayerID  string
	Kind     FileKind
	FileID   int64
	BeforeID int64
	Limit    int
}

// RejectionFilter selects rejection work items. Zero fields do not filter.
type RejectionFilter struct {
	ClaimID  string
	PayerID  string
	Source   FileKind
	Queue    string
	Status   string
	BeforeID int64
	Limit    int
}

// What a stale claim waits for.
const (
	Waiting999   = "999"   // submitted, no 999 yet
	Waiting277CA = "277CA" // accepted by a 999, no 277CA yet
)

// StaleFilter selects claims waiting too long for an acknowledgment: claims submitted before
// SubmittedBefore (waiting for a 999), and claims accepted_999 before AcceptedBefore (waiting
// for a 277CA). A zero time leaves that kind out. "Before" is the time of the claim's last
// event, when it entered its status.
type StaleFilter struct {
	SubmittedBefore time.Time
	AcceptedBefore  time.Time
	PayerID         string
	SubmitterID     int64
	Cursor          string // from the previous StalePage.Next
	Limit           int    // default 50, at most 1000
}

// StaleClaim is a claim waiting too long: what it waits for and since when.
type StaleClaim struct {
	Claim      Claim     `json:"claim"`
	WaitingFor string    `json:"waiting_for"` // Waiting999 or Waiting277CA
	Since      time.Time `json:"since"`
}

// StalePage is one page of stale claims, longest waiting first. Next is empty on the last page.
type StalePage struct {
	Claims []StaleClaim `json:"claims"`
	Next   string       `json:"next,omitempty"`
}

// StaleCount is how many claims of a payer wait too long for one kind of acknowledgment.
type StaleCount struct {
	PayerID    string `json:"payer_id"`
	WaitingFor string `json:"waiting_for"`
	Count      int    `json:"count"`
}

// AckTx is the acknowledgment method group of Tx (gateway/acks writes it while ingesting TA1,
// 999 and 277CA files; the API reads it).
type AckTx interface {
	// RecordAcknowledgment stores an acknowledgment unit. A second unit with the same
	// (FileID, Ordinal) is ErrConflict.
	RecordAcknowledgment(ctx context.Context, a Acknowledgment) (Acknowledgment, error)
	// GetAcknowledgment returns one acknowledgment.
	GetAcknowledgment(ctx context.Context, id int64) (Acknowledgment, error)
	// ListAcknowledgments returns acknowledgments newest first.
	ListAcknowledgments(ctx context.Context, f AckFilter) ([]Acknowledgment, error)
	// AddClaimAcknowledgment appends what an acknowledgment said about a claim, assigning the
	// next Seq of the claim. Codes and Sentences default to empty lists; To defaults to From.
	AddClaimAcknowledgment(ctx context.Context, c ClaimAcknowledgment) (ClaimAcknowledgment, error)
	// ClaimAcknowledgments returns a claim's acknowledgments in arrival order (Seq).
	ClaimAcknowledgments(ctx context.Context, claimID string) ([]ClaimAcknowledgment, error)
	// AddUnmatchedAcknowledgment keeps an acknowledgment (part) that matched nothing.
	AddUnmatchedAcknowledgment(ctx context.Context, u UnmatchedAcknowledgment) (UnmatchedAcknowledgment, error)
	// ListUnmatchedAcknowledgments returns unmatched acknowledgments newest first.
	ListUnmatchedAcknowledgments(ctx context.Context, f UnmatchedFilter) ([]UnmatchedAcknowledgment, error)
	// AddRejection creates a rejection work item (Status defaults to open). One per claim
	// acknowledgment: a second for the same ClaimAckID is ErrConflict.
	AddRejection(ctx context.Context, r Rejection) (Rejection, error)
	// ListRejections returns rejection work items newest first.
	ListRejections(ctx context.Context, f RejectionFilter) ([]Rejection, error)
	// BatchesByGroupControl returns the payer's batches with an archived file whose 837 may
	// hold functional group gs06: a batch's first group is its GS06 and an institutional group
	// after a professional one is GS06+1, so batches with GS06 gs06 or gs06-1, newest first.
	// The caller reads the file to tell which one holds the group.
	BatchesByGroupControl(ctx context.Context, payerID string, gs06 int64) ([]Batch, error)
	// BatchByInterchangeControl returns the payer's batch with ISA13 isa13, or ErrNotFound.
	BatchByInterchangeControl(ctx context.Context, payerID string, isa13 int64) (Batch, error)
	// ClaimByPayerClaimNumber returns the payer's most recent claim carrying the payer's claim
	// control number, or ErrNotFound.
	ClaimByPayerClaimNumber(ctx context.Context, payerID, number string) (Claim, error)
	// SetPayerClaimNumber records the payer's claim control number on a claim without changing
	// its status (a 277CA that carries REF*1K but does not move the claim). An unknown claim is
	// ErrNotFound.
	SetPayerClaimNumber(ctx context.Context, claimID, number string) error
	// StaleClaims returns the claims waiting too long for a 999 or a 277CA, longest waiting
	// first.
	StaleClaims(ctx context.Context, f StaleFilter) (StalePage, error)
	// CountStaleClaims counts the stale claims per payer and what they wait for (only non-zero
	// counts are returned).
	CountStaleClaims(ctx context.Context, submittedBefore, acceptedBefore time.Time) ([]StaleCount, error)
}
