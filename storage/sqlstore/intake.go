package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// The intake method group (gateway.IntakeTx). Accepting an encounter is the busiest write of the
// gateway, so on Postgres the claim, its first event and the idempotency record go in one
// statement (data-modifying CTEs): one round trip and one commit, atomic without an explicit
// transaction. SQLite has no data-modifying CTEs; there the three inserts run in a transaction
// on its single local connection, which costs no network round trips.

// intakeClaimInsertActive writes the claim only while its submitter is active (no row
// otherwise). It is SQLite's: SQLite's dynamic typing needs no casts in the SELECT list.
const intakeClaimInsertActive = `INSERT INTO claims (id, submitter_id, external_id, claim_type, payer_id, frequency, status,
 total_charge, line_count, encounter, content_hash, payer_claim_number, batch_id, replaces_claim_id,
 last_event_seq, created_at, updated_at)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, 1, $14, $14
WHERE EXISTS (SELECT 1 FROM submitters WHERE id = $2 AND revoked_at IS NULL)`

const intakeEventInsert = `INSERT INTO claim_events (` + eventCols + `) VALUES ($1, 1, $2, $3, $4, $5, $6, $7)`

const intakeKeyInsert = `INSERT INTO idempotency_keys (submitter_id, idem_key, request_hash, claim_id, created_at)
VALUES ($1, $2, $3, $4, $5)`

// intakePostgres is the three inserts as one statement. Every sub-statement sees the claim id
// through the c CTE; a unique violation in any of them aborts the whole statement. The claim is
// written only while its submitter is not revoked (no row: nothing is written), so a caller that
// authenticated earlier never writes for a token revoked since.
const intakePostgres = `WITH c AS (INSERT INTO claims (id, submitter_id, external_id, claim_type, payer_id, frequency, status,
 total_charge, line_count, encounter, content_hash, payer_claim_number, batch_id, replaces_claim_id,
 last_event_seq, created_at, updated_at)
      SELECT $1::text, $2::bigint, $3::text, $4::text, $5::text, $6::text, $7::text, $8::bigint, $9::integer,
             $10::bytea, $11::text, $12::text, NULL, $13::text, 1, $14::timestamptz, $14::timestamptz
      WHERE EXISTS (SELECT 1 FROM submitters WHERE id = $2::bigint AND revoked_at IS NULL)
      RETURNING id),
e AS (INSERT INTO claim_events (` + eventCols + `)
      SELECT id, 1, $15::timestamptz, $16::text, $7::text, $17::text, $18::text, $19::jsonb FROM c),
k AS (INSERT INTO idempotency_keys (submitter_id, idem_key, request_hash, claim_id, created_at)
      SELECT $2::bigint, $20::text, $21::text, id, $14::timestamptz FROM c WHERE $20::text <> '')
SELECT count(*) FROM c`

// errRevoked: the submitter is revoked (or unknown); nothing was written.
func errRevoked(id int64) error {
	return fmt.Errorf("create intake claim: %w: submitter %d is revoked or unknown", gateway.ErrNotFound, id)
}

// prepareIntakeClaim checks and completes an intake claim the way CreateClaim does.
func prepareIntakeClaim(c gateway.Claim, key gateway.IdempotencyKey) (gateway.Claim, gateway.IdempotencyKey, error) {
	if c.Status == "" {
		c.Status = gateway.StatusQueued
	}
	if c.Frequency == "" {
		c.Frequency = gateway.FrequencyOriginal
	}
	switch {
	case c.SubmitterID == 0:
		return c, key, fmt.Errorf("create intake claim: %w: submitter id is required", gateway.ErrInvalid)
	case c.ExternalID == "":
		return c, key, fmt.Errorf("create intake claim: %w: external id is required", gateway.ErrInvalid)
	case !c.Type.Valid():
		return c, key, fmt.Errorf("create intake claim: %w: claim type %q", gateway.ErrInvalid, c.Type)
	case c.PayerID == "":
		return c, key, fmt.Errorf("create intake claim: %w: payer id is required", gateway.ErrInvalid)
	case !c.Frequency.Valid():
		return c, key, fmt.Errorf("create intake claim: %w: frequency %q", gateway.ErrInvalid, c.Frequency)
	case !gateway.CanTransition(gateway.StatusNone, c.Status):
		return c, key, fmt.Errorf("create intake claim: %w: a claim cannot start as %q", gateway.ErrInvalid, c.Status)
	case c.LineCount < 0:
		return c, key, fmt.Errorf("create intake claim: %w: negative line count", gateway.ErrInvalid)
	case len(c.Encounter) == 0:
		return c, key, fmt.Errorf("create intake claim: %w: the encounter is required", gateway.ErrInvalid)
	case c.BatchID != nil:
		return c, key, fmt.Errorf("create intake claim: %w: a new claim is in no batch", gateway.ErrInvalid)
	}
	if err := checkJSON("encounter", c.Encounter); err != nil {
		return c, key, fmt.Errorf("create intake claim: %w", err)
	}
	if c.ContentHash == "" {
		c.ContentHash = gateway.SHA256Hex(c.Encounter)
	}
	if c.ID != "" {
		c.ID = gateway.NormalizeClaimID(c.ID)
		if !gateway.ValidClaimID(c.ID) {
			return c, key, fmt.Errorf("create intake claim: %w: claim id %q", gateway.ErrInvalid, c.ID)
		}
	}
	if c.ReplacesClaimID != "" {
		c.ReplacesClaimID = gateway.NormalizeClaimID(c.ReplacesClaimID)
	}
	key.SubmitterID = c.SubmitterID
	return c, key, nil
}

// CreateIntakeClaim implements gateway.IntakeTx.
func (t *tx) CreateIntakeClaim(ctx context.Context, c gateway.Claim, ev gateway.EventInput, key gateway.IdempotencyKey) (gateway.Claim, error) {
	c, key, err := prepareIntakeClaim(c, key)
	if err != nil {
		return gateway.Claim{}, err
	}
	if err := checkJSON("event detail", ev.Detail); err != nil {
		return gateway.Claim{}, fmt.Errorf("create intake claim: %w", err)
	}
	now := t.clock()
	if c.ID == "" {
		c.ID = gateway.NewClaimID(now)
	}
	c.CreatedAt, c.UpdatedAt = now, now
	at := now
	if !ev.At.IsZero() {
		at = ts(ev.At)
	}
	claimArgs := []any{c.ID, c.SubmitterID, c.ExternalID, string(c.Type), c.PayerID, string(c.Frequency),
		string(c.Status), int64(c.TotalCharge), c.LineCount, []byte(c.Encounter), c.ContentHash,
		c.PayerClaimNumber, nullString(c.ReplacesClaimID), now}
	if t.d.Name == "postgres" {
		args := append(claimArgs, at, string(gateway.StatusNone), ev.Reason, ev.Source, nullJSON(ev.Detail),
			key.Key, key.RequestHash)
		var n int64
		if err := t.q.QueryRow(ctx, intakePostgres, args...).Scan(&n); err != nil {
			return gateway.Claim{}, fmt.Errorf("create intake claim: %w", mapErr(t.d, err))
		}
		if n != 1 {
			return gateway.Claim{}, errRevoked(c.SubmitterID)
		}
		return c, nil
	}
	n, err := t.q.Exec(ctx, intakeClaimInsertActive, claimArgs...)
	if err != nil {
		return gateway.Claim{}, fmt.Errorf("create intake claim: %w", mapErr(t.d, err))
	}
	if n != 1 {
		return gateway.Claim{}, errRevoked(c.SubmitterID)
	}
	if _, err := t.q.Exec(ctx, intakeEventInsert, c.ID, at, string(gateway.StatusNone), string(c.Status),
		ev.Reason, ev.Source, nullJSON(ev.Detail)); err != nil {
		return gateway.Claim{}, fmt.Errorf("create intake claim %s: event: %w", c.ID, mapErr(t.d, err))
	}
	if key.Key != "" {
		if _, err := t.q.Exec(ctx, intakeKeyInsert, c.SubmitterID, key.Key, key.RequestHash, c.ID, now); err != nil {
			return gateway.Claim{}, fmt.Errorf("create intake claim %s: idempotency key: %w", c.ID, mapErr(t.d, err))
		}
	}
	return c, nil
}

// IntakeIdempotencyKey implements gateway.IntakeTx.
func (t *tx) IntakeIdempotencyKey(ctx context.Context, submitterID int64, key string) (gateway.IdempotencyKey, error) {
	var got gateway.IdempotencyKey
	err := t.q.QueryRow(ctx, `SELECT submitter_id, idem_key, request_hash, claim_id, created_at FROM idempotency_keys
WHERE submitter_id = $1 AND idem_key = $2`, submitterID, key).
		Scan(&got.SubmitterID, &got.Key, &got.RequestHash, &got.ClaimID, &got.CreatedAt)
	if err != nil {
		return gateway.IdempotencyKey{}, fmt.Errorf("idempotency key for submitter %d: %w", submitterID, mapErr(t.d, err))
	}
	got.CreatedAt = got.CreatedAt.UTC()
	return got, nil
}

// CreateIntakeClaim implements gateway.IntakeTx. On Postgres the one statement runs on its own
// (it is atomic without BEGIN/COMMIT, which would cost two more round trips); on SQLite the
// inserts run in one transaction.
func (s *Store) CreateIntakeClaim(ctx context.Context, c gateway.Claim, ev gateway.EventInput, key gateway.IdempotencyKey) (out gateway.Claim, err error) {
	if s.d.Name == "postgres" {
		t := &tx{q: s.db, d: &s.d, now: s.now}
		return t.CreateIntakeClaim(ctx, c, ev, key)
	}
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.CreateIntakeClaim(ctx, c, ev, key); return e })
	return out, err
}

// IntakeIdempotencyKey implements gateway.IntakeTx: one SELECT, outside any transaction.
func (s *Store) IntakeIdempotencyKey(ctx context.Context, submitterID int64, key string) (gateway.IdempotencyKey, error) {
	t := &tx{q: s.db, d: &s.d, now: s.now}
	return t.IntakeIdempotencyKey(ctx, submitterID, key)
}

const authenticateSQL = `SELECT s.id, s.name, s.token_hash, COALESCE(s.webhook_url, ''), COALESCE(s.webhook_secret, ''),
 s.created_at, s.revoked_at, k.request_hash, k.claim_id, k.created_at
FROM submitters s LEFT JOIN idempotency_keys k ON k.submitter_id = s.id AND k.idem_key = $2
WHERE s.token_hash = $1 AND s.revoked_at IS NULL`

// AuthenticateSubmitter implements gateway.IntakeTx.
func (t *tx) AuthenticateSubmitter(ctx context.Context, tokenHash, idempotencyKey string) (gateway.Submitter, *gateway.IdempotencyKey, error) {
	var s gateway.Submitter
	var reqHash, claimID *string
	var keyAt *time.Time
	err := t.q.QueryRow(ctx, authenticateSQL, tokenHash, idempotencyKey).Scan(&s.ID, &s.Name, &s.TokenHash,
		&s.WebhookURL, &s.WebhookSecret, &s.CreatedAt, &s.RevokedAt, &reqHash, &claimID, &keyAt)
	if err != nil {
		return gateway.Submitter{}, nil, fmt.Errorf("submitter by token: %w", mapErr(t.d, err))
	}
	s.CreatedAt = s.CreatedAt.UTC()
	s.RevokedAt = utcPtr(s.RevokedAt)
	if idempotencyKey == "" || claimID == nil {
		return s, nil, nil
	}
	k := &gateway.IdempotencyKey{SubmitterID: s.ID, Key: idempotencyKey, ClaimID: *claimID}
	if reqHash != nil {
		k.RequestHash = *reqHash
	}
	if keyAt != nil {
		k.CreatedAt = keyAt.UTC()
	}
	return s, k, nil
}

// AuthenticateSubmitter implements gateway.IntakeTx: one SELECT, outside any transaction.
func (s *Store) AuthenticateSubmitter(ctx context.Context, tokenHash, idempotencyKey string) (gateway.Submitter, *gateway.IdempotencyKey, error) {
	t := &tx{q: s.db, d: &s.d, now: s.now}
	return t.AuthenticateSubmitter(ctx, tokenHash, idempotencyKey)
}
