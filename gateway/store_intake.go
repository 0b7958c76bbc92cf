package gateway

import "context"

// IntakeTx is the method group of Tx that the intake API's hot path uses: accepting an
// encounter writes the claim, its first event and the idempotency record together, in as few
// round trips as the engine allows (one statement on Postgres).
type IntakeTx interface {
	// CreateIntakeClaim stores an accepted encounter's claim with its first event
	// (StatusNone -> queued) and, when key.Key is not empty, the idempotency record
	// (key.SubmitterID, key.Key) -> the new claim, all atomically: either everything is written
	// or nothing is. An empty c.ID is generated with NewClaimID; c.ContentHash defaults to the
	// SHA256Hex of c.Encounter; key.SubmitterID and key.ClaimID are set from c.
	//
	// A claim of the same submitter with the same external id, an existing idempotency key or
	// (very unlikely) an existing claim id is ErrConflict with nothing written: the caller reads
	// what is there (IntakeIdempotencyKey, ClaimByExternalID) and answers from it. A revoked or
	// unknown submitter is ErrNotFound with nothing written: the write itself checks the
	// submitter, so a caller may authenticate from a cache.
	CreateIntakeClaim(ctx context.Context, c Claim, ev EventInput, key IdempotencyKey) (Claim, error)
	// IntakeIdempotencyKey returns the record stored for (submitterID, key), or ErrNotFound.
	IntakeIdempotencyKey(ctx context.Context, submitterID int64, key string) (IdempotencyKey, error)
	// AuthenticateSubmitter is SubmitterByTokenHash for the API's per-request authentication
	// (unknown or revoked is ErrNotFound) that also returns, when idempotencyKey is not empty,
	// the submitter's stored record of that key (nil when there is none). Called on the Store it
	// is one statement without a transaction of its own: the intake hot path pays one round
	// trip for both.
	AuthenticateSubmitter(ctx context.Context, tokenHash, idempotencyKey string) (Submitter, *IdempotencyKey, error)
}
