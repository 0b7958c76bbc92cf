package gateway

import (
	"context"

	"github.com/claimgate/claimgate/payers"
)

// PayerOps is what the operator's payer routes call (GET /v1/payers, POST
// /v1/payers/{id}/submit-now and /poll-now): the configured payers and "do it now" triggers of
// the submit and poll jobs. gateway/submission implements it; gateway/api routes it.
//
// SubmitNow and PollNow enqueue a job and return its id at once; the work runs in the job
// runner like a scheduled tick's (same per-payer lease, so it never overlaps another replica's
// run for the payer). An unknown payer is ErrNotFound.
type PayerOps interface {
	// Payers returns the configured payers in configuration order.
	Payers() []payers.Payer
	// SubmitNow enqueues an immediate batch-and-upload job for the payer.
	SubmitNow(ctx context.Context, payerID string) (jobID int64, err error)
	// PollNow enqueues an immediate poll of the payer's response files.
	PollNow(ctx context.Context, payerID string) (jobID int64, err error)
}
