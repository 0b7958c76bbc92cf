package gateway

import (
	"context"
	"time"
)

// ClaimHold keeps a queued claim out of batching: the claim could not be rendered as an 837
// (ToClaim or the 837 validation refused it, or the payer does not take its claim type). It
// stays queued, with the reason recorded here, so it never blocks the rest of a batch and is
// not tried again on every run; correcting it (a replacement or void claim) or DeleteClaimHold
// releases it.
type ClaimHold struct {
	ClaimID   string    `json:"claim_id"`
	PayerID   string    `json:"payer_id"`
	Reason    string    `json:"reason"` // field paths and rule words, never PHI
	CreatedAt time.Time `json:"created_at"`
}

// PayerState is what the submission and polling jobs record per payer.
type PayerState struct {
	PayerID      string     `json:"payer_id"`
	LastSubmitAt *time.Time `json:"last_submit_at,omitempty"` // last submit run that finished without error
	LastPollAt   *time.Time `json:"last_poll_at,omitempty"`   // last poll run that finished without error
}

// SubmissionTx is the method group of Tx that batching, upload and polling use
// (gateway/submission).
type SubmissionTx interface {
	// QueuedClaimsForBatch returns up to limit queued claims of a payer that are not held,
	// oldest first, with their encounters. On Postgres the rows are locked FOR UPDATE SKIP
	// LOCKED, so a concurrent transaction selecting for the same payer gets other claims (or
	// none); call it inside WithTx and mark the claims batched in the same transaction.
	QueuedClaimsForBatch(ctx context.Context, payerID string, limit int) ([]Claim, error)
	// MarkClaimsBatched moves the given queued claims to batched in batch batchID, appending
	// one event each (ev.BatchID is ignored: batchID is used). It returns how many moved; a
	// claim that is no longer queued is not moved, and the caller treats a short count as a
	// conflict.
	MarkClaimsBatched(ctx context.Context, batchID int64, claimIDs []string, ev EventInput) (int, error)
	// FinishBatchUpload records that a batch's file is on the payer's server: the batch
	// becomes uploaded (at), its outbound file processed, and every claim of the batch still
	// batched becomes submitted with one event each. It returns the number of claims moved.
	// A batch already uploaded is left alone and reported with already=true.
	FinishBatchUpload(ctx context.Context, batchID int64, at time.Time, ev EventInput) (claims int, already bool, err error)
	// HoldClaim records (or replaces) a hold on a claim.
	HoldClaim(ctx context.Context, h ClaimHold) error
	// DeleteClaimHold releases a hold; releasing a claim that is not held is a no-op.
	DeleteClaimHold(ctx context.Context, claimID string) error
	// ListClaimHolds returns a payer's holds (all payers when payerID is ""), oldest first.
	ListClaimHolds(ctx context.Context, payerID string) ([]ClaimHold, error)
	// RecordPayerRun stores the time of a payer's last successful submit ("submit") or poll
	// ("poll") run.
	RecordPayerRun(ctx context.Context, payerID, kind string, at time.Time) error
	// PayerStates returns the recorded state of every payer that has any.
	PayerStates(ctx context.Context) ([]PayerState, error)
}
