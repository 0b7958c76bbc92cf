package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/gateway"
)

const claimCols = `id, submitter_id, external_id, claim_type, payer_id, frequency, status, total_charge,
 line_count, encounter, content_hash, payer_claim_number, batch_id, COALESCE(replaces_claim_id, ''),
 created_at, updated_at`

// claimColsC is claimCols of the claims aliased c, for queries that join a table sharing
// column names with claims (claims_waiting).
const claimColsC = `c.id, c.submitter_id, c.external_id, c.claim_type, c.payer_id, c.frequency, c.status, c.total_charge,
 c.line_count, c.encounter, c.content_hash, c.payer_claim_number, c.batch_id, COALESCE(c.replaces_claim_id, ''),
 c.created_at, c.updated_at`

func scanClaim(r scanner) (gateway.Claim, error) {
	var c gateway.Claim
	var total int64
	var lines int64
	var enc []byte
	if err := r.Scan(&c.ID, &c.SubmitterID, &c.ExternalID, &c.Type, &c.PayerID, &c.Frequency, &c.Status,
		&total, &lines, &enc, &c.ContentHash, &c.PayerClaimNumber, &c.BatchID, &c.ReplacesClaimID,
		&c.CreatedAt, &c.UpdatedAt); err != nil {
		return gateway.Claim{}, err
	}
	c.TotalCharge = edi.Amount(total)
	c.LineCount = int(lines)
	if len(enc) > 0 {
		c.Encounter = enc
	}
	c.CreatedAt = c.CreatedAt.UTC()
	c.UpdatedAt = c.UpdatedAt.UTC()
	return c, nil
}

const eventCols = `claim_id, seq, at, from_status, to_status, reason, source, detail`

func scanEvent(r scanner) (gateway.ClaimEvent, error) {
	var e gateway.ClaimEvent
	var seq int64
	var detail []byte
	if err := r.Scan(&e.ClaimID, &seq, &e.At, &e.From, &e.To, &e.Reason, &e.Source, &detail); err != nil {
		return gateway.ClaimEvent{}, err
	}
	e.Seq = int(seq)
	e.At = e.At.UTC()
	if len(detail) > 0 {
		e.Detail = detail
	}
	return e, nil
}

func (t *tx) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int64
	err := t.q.QueryRow(ctx, query, args...).Scan(&one)
	if t.isNoRows(err) {
		return false, nil
	}
	return err == nil, err
}

// CreateClaim stores a claim and its first event.
func (t *tx) CreateClaim(ctx context.Context, c gateway.Claim, ev gateway.EventInput) (gateway.Claim, error) {
	if c.Status == "" {
		c.Status = gateway.StatusQueued
	}
	if c.Frequency == "" {
		c.Frequency = gateway.FrequencyOriginal
	}
	switch {
	case c.SubmitterID == 0:
		return gateway.Claim{}, fmt.Errorf("create claim: %w: submitter id is required", gateway.ErrInvalid)
	case c.ExternalID == "":
		return gateway.Claim{}, fmt.Errorf("create claim: %w: external id is required", gateway.ErrInvalid)
	case !c.Type.Valid():
		return gateway.Claim{}, fmt.Errorf("create claim: %w: claim type %q", gateway.ErrInvalid, c.Type)
	case c.PayerID == "":
		return gateway.Claim{}, fmt.Errorf("create claim: %w: payer id is required", gateway.ErrInvalid)
	case !c.Frequency.Valid():
		return gateway.Claim{}, fmt.Errorf("create claim: %w: frequency %q", gateway.ErrInvalid, c.Frequency)
	case !gateway.CanTransition(gateway.StatusNone, c.Status):
		return gateway.Claim{}, fmt.Errorf("create claim: %w: a claim cannot start as %q", gateway.ErrInvalid, c.Status)
	case c.LineCount < 0:
		return gateway.Claim{}, fmt.Errorf("create claim: %w: negative line count", gateway.ErrInvalid)
	}
	if err := checkJSON("encounter", c.Encounter); err != nil {
		return gateway.Claim{}, fmt.Errorf("create claim: %w", err)
	}
	if err := checkJSON("event detail", ev.Detail); err != nil {
		return gateway.Claim{}, fmt.Errorf("create claim: %w", err)
	}
	if c.ContentHash == "" {
		c.ContentHash = gateway.SHA256Hex(c.Encounter)
	}
	if c.ReplacesClaimID != "" {
		c.ReplacesClaimID = gateway.NormalizeClaimID(c.ReplacesClaimID)
		ok, err := t.exists(ctx, `SELECT 1 FROM claims WHERE id = $1`, c.ReplacesClaimID)
		if err != nil {
			return gateway.Claim{}, fmt.Errorf("create claim: %w", err)
		}
		if !ok {
			return gateway.Claim{}, fmt.Errorf("create claim: %w: replaced claim %s does not exist", gateway.ErrInvalid, c.ReplacesClaimID)
		}
	}
	ok, err := t.exists(ctx, `SELECT 1 FROM submitters WHERE id = $1`, c.SubmitterID)
	if err != nil {
		return gateway.Claim{}, fmt.Errorf("create claim: %w", err)
	}
	if !ok {
		return gateway.Claim{}, fmt.Errorf("create claim: %w: submitter %d does not exist", gateway.ErrInvalid, c.SubmitterID)
	}
	if c.BatchID != nil {
		if err := t.batchExists(ctx, *c.BatchID); err != nil {
			return gateway.Claim{}, fmt.Errorf("create claim: %w", err)
		}
	}
	now := t.clock()
	c.CreatedAt, c.UpdatedAt = now, now
	enc := []byte(c.Encounter)
	if enc == nil {
		enc = []byte{}
	}
	generated := c.ID == ""
	if !generated {
		c.ID = gateway.NormalizeClaimID(c.ID)
		if !gateway.ValidClaimID(c.ID) {
			return gateway.Claim{}, fmt.Errorf("create claim: %w: claim id %q", gateway.ErrInvalid, c.ID)
		}
	}
	const insert = `INSERT INTO claims (id, submitter_id, external_id, claim_type, payer_id, frequency, status,
 total_charge, line_count, encounter, content_hash, payer_claim_number, batch_id, replaces_claim_id,
 last_event_seq, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15)
ON CONFLICT (id) DO NOTHING`
	for attempt := 0; ; attempt++ {
		if generated {
			c.ID = gateway.NewClaimID(now)
		}
		n, err := t.q.Exec(ctx, insert, c.ID, c.SubmitterID, c.ExternalID, string(c.Type), c.PayerID,
			string(c.Frequency), string(c.Status), int64(c.TotalCharge), c.LineCount, enc, c.ContentHash,
			c.PayerClaimNumber, nullInt(c.BatchID), nullString(c.ReplacesClaimID), now)
		if err != nil {
			return gateway.Claim{}, fmt.Errorf("create claim: %w", mapErr(t.d, err))
		}
		if n == 1 {
			break
		}
		if !generated || attempt == 4 {
			return gateway.Claim{}, fmt.Errorf("create claim: %w: claim id %s exists", gateway.ErrConflict, c.ID)
		}
	}
	at := now
	if !ev.At.IsZero() {
		at = ts(ev.At)
	}
	if _, err := t.q.Exec(ctx, `INSERT INTO claim_events (`+eventCols+`) VALUES ($1, 1, $2, $3, $4, $5, $6, $7)`,
		c.ID, at, string(gateway.StatusNone), string(c.Status), ev.Reason, ev.Source, nullJSON(ev.Detail)); err != nil {
		return gateway.Claim{}, fmt.Errorf("create claim %s: event: %w", c.ID, mapErr(t.d, err))
	}
	if len(c.Encounter) == 0 {
		c.Encounter = nil
	}
	return c, nil
}

func (t *tx) batchExists(ctx context.Context, id int64) error {
	ok, err := t.exists(ctx, `SELECT 1 FROM batches WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: batch %d does not exist", gateway.ErrInvalid, id)
	}
	return nil
}

// GetClaim returns a claim, scoped to a submitter when submitterID != 0.
func (t *tx) GetClaim(ctx context.Context, id string, submitterID int64) (gateway.Claim, error) {
	id = gateway.NormalizeClaimID(id)
	q := `SELECT ` + claimCols + ` FROM claims WHERE id = $1`
	args := []any{id}
	if submitterID != 0 {
		q += ` AND submitter_id = $2`
		args = append(args, submitterID)
	}
	c, err := scanClaim(t.q.QueryRow(ctx, q, args...))
	if err != nil {
		return gateway.Claim{}, fmt.Errorf("claim %s: %w", id, mapErr(t.d, err))
	}
	return c, nil
}

// ClaimByExternalID returns a submitter's claim by its own id.
func (t *tx) ClaimByExternalID(ctx context.Context, submitterID int64, externalID string) (gateway.Claim, error) {
	c, err := scanClaim(t.q.QueryRow(ctx, `SELECT `+claimCols+` FROM claims WHERE submitter_id = $1 AND external_id = $2`,
		submitterID, externalID))
	if err != nil {
		return gateway.Claim{}, fmt.Errorf("claim with external id for submitter %d: %w", submitterID, mapErr(t.d, err))
	}
	return c, nil
}

// claimCursor is the position after the last claim of a page.
func encodeClaimCursor(c gateway.Claim) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + "." + c.ID))
}

func decodeClaimCursor(s string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("%w: cursor", gateway.ErrInvalid)
	}
	us, id, ok := strings.Cut(string(b), ".")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || !gateway.ValidClaimID(id) {
		return time.Time{}, "", fmt.Errorf("%w: cursor", gateway.ErrInvalid)
	}
	return time.UnixMicro(n).UTC(), id, nil
}

// ListClaims returns a page of claims, newest first, keyed on (created_at, id).
func (t *tx) ListClaims(ctx context.Context, f gateway.ClaimFilter) (gateway.ClaimPage, error) {
	var w where
	if f.SubmitterID != 0 {
		w.add("submitter_id = ?", f.SubmitterID)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return gateway.ClaimPage{}, fmt.Errorf("list claims: %w: status %q", gateway.ErrInvalid, f.Status)
		}
		w.add("status = ?", string(f.Status))
	}
	if f.PayerID != "" {
		w.add("payer_id = ?", f.PayerID)
	}
	if f.BatchID != 0 {
		w.add("batch_id = ?", f.BatchID)
	}
	if !f.Since.IsZero() {
		w.add("created_at >= ?", ts(f.Since))
	}
	if f.Cursor != "" {
		at, id, err := decodeClaimCursor(f.Cursor)
		if err != nil {
			return gateway.ClaimPage{}, fmt.Errorf("list claims: %w", err)
		}
		w.add("(created_at < ? OR (created_at = ? AND id < ?))", at, at, id)
	}
	limit := limitOf(f.Limit)
	q := `SELECT ` + claimCols + ` FROM claims` + w.sql() + ` ORDER BY created_at DESC, id DESC LIMIT ` + w.arg(limit+1)
	rows, err := t.q.Query(ctx, q, w.args...)
	if err != nil {
		return gateway.ClaimPage{}, fmt.Errorf("list claims: %w", err)
	}
	defer rows.Close()
	page := gateway.ClaimPage{Claims: []gateway.Claim{}}
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			return gateway.ClaimPage{}, fmt.Errorf("list claims: %w", err)
		}
		page.Claims = append(page.Claims, c)
	}
	if err := rows.Err(); err != nil {
		return gateway.ClaimPage{}, fmt.Errorf("list claims: %w", err)
	}
	if len(page.Claims) > limit {
		page.Claims = page.Claims[:limit]
		page.Next = encodeClaimCursor(page.Claims[limit-1])
	}
	return page, nil
}

// TransitionClaim moves a claim and appends the event, refusing moves CanTransition refuses.
func (t *tx) TransitionClaim(ctx context.Context, claimID string, to gateway.ClaimStatus, ev gateway.EventInput) (gateway.Claim, error) {
	id := gateway.NormalizeClaimID(claimID)
	if !to.Valid() {
		return gateway.Claim{}, fmt.Errorf("claim %s: %w: status %q", id, gateway.ErrInvalid, to)
	}
	if err := checkJSON("event detail", ev.Detail); err != nil {
		return gateway.Claim{}, fmt.Errorf("claim %s: %w", id, err)
	}
	var from gateway.ClaimStatus
	if err := t.q.QueryRow(ctx, `SELECT status FROM claims WHERE id = $1`, id).Scan(&from); err != nil {
		return gateway.Claim{}, fmt.Errorf("claim %s: %w", id, mapErr(t.d, err))
	}
	if !gateway.CanTransition(from, to) {
		return gateway.Claim{}, fmt.Errorf("claim %s: %w: cannot move from %s to %s", id, gateway.ErrConflict, from, to)
	}
	if ev.BatchID != nil {
		if err := t.batchExists(ctx, *ev.BatchID); err != nil {
			return gateway.Claim{}, fmt.Errorf("claim %s: %w", id, err)
		}
	}
	now := t.clock()
	var w where
	set := []string{
		"status = " + w.arg(string(to)),
		"updated_at = " + w.arg(now),
		"last_event_seq = last_event_seq + 1",
	}
	switch {
	case ev.BatchID != nil:
		set = append(set, "batch_id = "+w.arg(*ev.BatchID))
	case ev.ClearBatch:
		set = append(set, "batch_id = NULL")
	}
	if ev.PayerClaimNumber != "" {
		set = append(set, "payer_claim_number = "+w.arg(ev.PayerClaimNumber))
	}
	// Compare-and-set on the status read above: a concurrent transition makes this match no
	// row (Postgres re-checks the WHERE after waiting for the other writer).
	w.add("id = ?", id)
	w.add("status = ?", string(from))
	q := `UPDATE claims SET ` + strings.Join(set, ", ") + w.sql() + ` RETURNING ` + claimCols + `, last_event_seq`
	var c gateway.Claim
	var seq int64
	row := t.q.QueryRow(ctx, q, w.args...)
	c, err := scanClaim(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &seq)...) }))
	if err != nil {
		if t.isNoRows(err) {
			return gateway.Claim{}, fmt.Errorf("claim %s: %w: changed concurrently", id, gateway.ErrConflict)
		}
		return gateway.Claim{}, fmt.Errorf("claim %s: %w", id, mapErr(t.d, err))
	}
	at := now
	if !ev.At.IsZero() {
		at = ts(ev.At)
	}
	if _, err := t.q.Exec(ctx, `INSERT INTO claim_events (`+eventCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, seq, at, string(from), string(to), ev.Reason, ev.Source, nullJSON(ev.Detail)); err != nil {
		return gateway.Claim{}, fmt.Errorf("claim %s: event: %w", id, mapErr(t.d, err))
	}
	return c, nil
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// ClaimEvents returns a claim's events in order.
func (t *tx) ClaimEvents(ctx context.Context, claimID string) ([]gateway.ClaimEvent, error) {
	id := gateway.NormalizeClaimID(claimID)
	rows, err := t.q.Query(ctx, `SELECT `+eventCols+` FROM claim_events WHERE claim_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("claim %s events: %w", id, err)
	}
	defer rows.Close()
	var out []gateway.ClaimEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("claim %s events: %w", id, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim %s events: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("claim %s events: %w", id, gateway.ErrNotFound)
	}
	return out, nil
}

// PutIdempotencyKey stores k unless its (submitter, key) exists.
func (t *tx) PutIdempotencyKey(ctx context.Context, k gateway.IdempotencyKey) (gateway.IdempotencyKey, bool, error) {
	if k.SubmitterID == 0 || k.Key == "" || k.ClaimID == "" {
		return gateway.IdempotencyKey{}, false, fmt.Errorf("idempotency key: %w: submitter, key and claim id are required", gateway.ErrInvalid)
	}
	k.ClaimID = gateway.NormalizeClaimID(k.ClaimID)
	k.CreatedAt = t.clock()
	n, err := t.q.Exec(ctx, `INSERT INTO idempotency_keys (submitter_id, idem_key, request_hash, claim_id, created_at)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (submitter_id, idem_key) DO NOTHING`,
		k.SubmitterID, k.Key, k.RequestHash, k.ClaimID, k.CreatedAt)
	if err != nil {
		return gateway.IdempotencyKey{}, false, fmt.Errorf("idempotency key: %w", mapErr(t.d, err))
	}
	if n == 1 {
		return k, true, nil
	}
	var got gateway.IdempotencyKey
	err = t.q.QueryRow(ctx, `SELECT submitter_id, idem_key, request_hash, claim_id, created_at FROM idempotency_keys
WHERE submitter_id = $1 AND idem_key = $2`, k.SubmitterID, k.Key).
		Scan(&got.SubmitterID, &got.Key, &got.RequestHash, &got.ClaimID, &got.CreatedAt)
	if err != nil {
		return gateway.IdempotencyKey{}, false, fmt.Errorf("idempotency key: %w", mapErr(t.d, err))
	}
	got.CreatedAt = got.CreatedAt.UTC()
	return got, false, nil
}
