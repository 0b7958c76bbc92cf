package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// The submission method group (gateway.SubmissionTx): batching, upload bookkeeping, holds and
// per-payer run times. A batch holds up to thousands of claims, so claims move in bulk: one
// UPDATE ... RETURNING per chunk of ids and one INSERT ... SELECT of their events, instead of
// a TransitionClaim (two statements) per claim.

// idChunk bounds the ids bound in one statement (Postgres allows 65535 parameters, SQLite
// 32766); events are written by one INSERT ... SELECT per batch.
const idChunk = 1000

// QueuedClaimsForBatch implements gateway.SubmissionTx.
func (t *tx) QueuedClaimsForBatch(ctx context.Context, payerID string, limit int) ([]gateway.Claim, error) {
	if payerID == "" || limit < 1 {
		return nil, fmt.Errorf("queued claims: %w: payer id and limit >= 1 are required", gateway.ErrInvalid)
	}
	// claims_waiting lists the queued claims (migration 0009); the status of the claim itself is
	// checked too, so that a claim moved by a transaction this one waited for is not taken.
	// The status is a literal: a generic plan of a prepared statement can use the partial
	// index only when its predicate is in the query text.
	q := `SELECT ` + claimColsC + ` FROM claims_waiting w JOIN claims c ON c.id = w.claim_id
 WHERE w.status = 'queued' AND w.payer_id = $1 AND c.status = 'queued'
 AND NOT EXISTS (SELECT 1 FROM claim_holds h WHERE h.claim_id = c.id)
 ORDER BY w.created_at, w.claim_id LIMIT $2` + t.d.ClaimLock
	rows, err := t.q.Query(ctx, q, payerID, limit)
	if err != nil {
		return nil, fmt.Errorf("queued claims for %s: %w", payerID, err)
	}
	defer rows.Close()
	var out []gateway.Claim
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			return nil, fmt.Errorf("queued claims for %s: %w", payerID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("queued claims for %s: %w", payerID, err)
	}
	return out, nil
}

// insertPendingEvents appends the event of every claim of a batch, now in status to, whose
// latest step (last_event_seq) has no event row yet: exactly the claims a bulk UPDATE of this
// transaction just moved. One INSERT ... SELECT with a handful of parameters, however many
// claims the batch holds.
func (t *tx) insertPendingEvents(ctx context.Context, batchID int64, from, to gateway.ClaimStatus, at time.Time, ev gateway.EventInput) (int64, error) {
	n, err := t.q.Exec(ctx, `INSERT INTO claim_events (`+eventCols+`)
SELECT c.id, c.last_event_seq, $1, $2, $3, $4, $5, $6 FROM claims c
WHERE c.batch_id = $7 AND c.status = $3
 AND NOT EXISTS (SELECT 1 FROM claim_events e WHERE e.claim_id = c.id AND e.seq = c.last_event_seq)`,
		at, string(from), string(to), ev.Reason, ev.Source, nullJSON(ev.Detail), batchID)
	if err != nil {
		return 0, fmt.Errorf("claim events %s -> %s: %w", from, to, mapErr(t.d, err))
	}
	return n, nil
}

func (t *tx) eventTime(ev gateway.EventInput, now time.Time) time.Time {
	if ev.At.IsZero() {
		return now
	}
	return ts(ev.At)
}

// MarkClaimsBatched implements gateway.SubmissionTx.
func (t *tx) MarkClaimsBatched(ctx context.Context, batchID int64, claimIDs []string, ev gateway.EventInput) (int, error) {
	if err := checkJSON("event detail", ev.Detail); err != nil {
		return 0, fmt.Errorf("batch %d: %w", batchID, err)
	}
	if err := t.batchExists(ctx, batchID); err != nil {
		return 0, fmt.Errorf("batch %d: %w", batchID, err)
	}
	now := t.clock()
	at := t.eventTime(ev, now)
	total := 0
	for len(claimIDs) > 0 {
		n := min(len(claimIDs), idChunk)
		var w where
		set := `UPDATE claims SET status = ` + w.arg(string(gateway.StatusBatched)) + `, batch_id = ` + w.arg(batchID) +
			`, updated_at = ` + w.arg(now) + `, last_event_seq = last_event_seq + 1`
		ph := make([]string, n)
		for i, id := range claimIDs[:n] {
			ph[i] = w.arg(gateway.NormalizeClaimID(id))
		}
		w.conds = append(w.conds, "id IN ("+strings.Join(ph, ", ")+")")
		// "status || ''" keeps SQLite's planner on the primary key (the ids) instead of the
		// status index, which would scan every queued claim once per id.
		w.add("status || '' = ?", string(gateway.StatusQueued))
		moved, err := t.q.Exec(ctx, set+w.sql(), w.args...)
		if err != nil {
			return total, fmt.Errorf("batch %d: mark claims batched: %w", batchID, mapErr(t.d, err))
		}
		total += int(moved)
		claimIDs = claimIDs[n:]
	}
	events, err := t.insertPendingEvents(ctx, batchID, gateway.StatusQueued, gateway.StatusBatched, at, ev)
	if err != nil {
		return 0, fmt.Errorf("batch %d: %w", batchID, err)
	}
	if events != int64(total) {
		return 0, fmt.Errorf("batch %d: %d claims moved but %d events written", batchID, total, events)
	}
	return total, nil
}

// FinishBatchUpload implements gateway.SubmissionTx. The conditional UPDATE of the batch row
// is the guard: on Postgres a concurrent caller waits for the row and then finds it uploaded.
func (t *tx) FinishBatchUpload(ctx context.Context, batchID int64, at time.Time, ev gateway.EventInput) (int, bool, error) {
	if err := checkJSON("event detail", ev.Detail); err != nil {
		return 0, false, fmt.Errorf("batch %d: %w", batchID, err)
	}
	if at.IsZero() {
		at = t.clock()
	}
	at = ts(at)
	var fileID *int64
	err := t.q.QueryRow(ctx, `UPDATE batches SET status = $2, uploaded_at = $3 WHERE id = $1 AND status <> $2 RETURNING file_id`,
		batchID, string(gateway.BatchUploaded), at).Scan(&fileID)
	if t.isNoRows(err) {
		if _, gerr := t.GetBatch(ctx, batchID); gerr != nil {
			return 0, false, gerr
		}
		return 0, true, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("batch %d: mark uploaded: %w", batchID, mapErr(t.d, err))
	}
	if fileID != nil {
		if _, err := t.q.Exec(ctx, `UPDATE files SET status = $2 WHERE id = $1`, *fileID, string(gateway.FileProcessed)); err != nil {
			return 0, false, fmt.Errorf("batch %d: file %d: %w", batchID, *fileID, mapErr(t.d, err))
		}
	}
	now := t.clock()
	moved, err := t.q.Exec(ctx, `UPDATE claims SET status = $2, updated_at = $3, last_event_seq = last_event_seq + 1
WHERE batch_id = $1 AND status = $4`,
		batchID, string(gateway.StatusSubmitted), now, string(gateway.StatusBatched))
	if err != nil {
		return 0, false, fmt.Errorf("batch %d: mark claims submitted: %w", batchID, mapErr(t.d, err))
	}
	events, err := t.insertPendingEvents(ctx, batchID, gateway.StatusBatched, gateway.StatusSubmitted, t.eventTime(ev, now), ev)
	if err != nil {
		return 0, false, fmt.Errorf("batch %d: %w", batchID, err)
	}
	if events != moved {
		return 0, false, fmt.Errorf("batch %d: %d claims moved but %d events written", batchID, moved, events)
	}
	return int(moved), false, nil
}

// HoldClaim implements gateway.SubmissionTx.
func (t *tx) HoldClaim(ctx context.Context, h gateway.ClaimHold) error {
	if h.ClaimID == "" || h.PayerID == "" || h.Reason == "" {
		return fmt.Errorf("hold claim: %w: claim id, payer id and reason are required", gateway.ErrInvalid)
	}
	id := gateway.NormalizeClaimID(h.ClaimID)
	_, err := t.q.Exec(ctx, `INSERT INTO claim_holds (claim_id, payer_id, reason, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (claim_id) DO UPDATE SET payer_id = excluded.payer_id, reason = excluded.reason, created_at = excluded.created_at`,
		id, h.PayerID, h.Reason, t.clock())
	if err != nil {
		return fmt.Errorf("hold claim %s: %w", id, mapErr(t.d, err))
	}
	return nil
}

// DeleteClaimHold implements gateway.SubmissionTx.
func (t *tx) DeleteClaimHold(ctx context.Context, claimID string) error {
	id := gateway.NormalizeClaimID(claimID)
	if _, err := t.q.Exec(ctx, `DELETE FROM claim_holds WHERE claim_id = $1`, id); err != nil {
		return fmt.Errorf("release hold on claim %s: %w", id, err)
	}
	return nil
}

// ListClaimHolds implements gateway.SubmissionTx.
func (t *tx) ListClaimHolds(ctx context.Context, payerID string) ([]gateway.ClaimHold, error) {
	var w where
	if payerID != "" {
		w.add("payer_id = ?", payerID)
	}
	rows, err := t.q.Query(ctx, `SELECT claim_id, payer_id, reason, created_at FROM claim_holds`+w.sql()+
		` ORDER BY created_at, claim_id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list claim holds: %w", err)
	}
	defer rows.Close()
	out := []gateway.ClaimHold{}
	for rows.Next() {
		var h gateway.ClaimHold
		if err := rows.Scan(&h.ClaimID, &h.PayerID, &h.Reason, &h.CreatedAt); err != nil {
			return nil, fmt.Errorf("list claim holds: %w", err)
		}
		h.CreatedAt = h.CreatedAt.UTC()
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list claim holds: %w", err)
	}
	return out, nil
}

// RecordPayerRun implements gateway.SubmissionTx.
func (t *tx) RecordPayerRun(ctx context.Context, payerID, kind string, at time.Time) error {
	var col string
	switch kind {
	case "submit":
		col = "last_submit_at"
	case "poll":
		col = "last_poll_at"
	default:
		return fmt.Errorf("record payer run: %w: kind %q (submit or poll)", gateway.ErrInvalid, kind)
	}
	if payerID == "" {
		return fmt.Errorf("record payer run: %w: payer id is required", gateway.ErrInvalid)
	}
	if at.IsZero() {
		at = t.clock()
	}
	_, err := t.q.Exec(ctx, `INSERT INTO payer_state (payer_id, `+col+`) VALUES ($1, $2)
ON CONFLICT (payer_id) DO UPDATE SET `+col+` = excluded.`+col, payerID, ts(at))
	if err != nil {
		return fmt.Errorf("record %s run of %s: %w", kind, payerID, mapErr(t.d, err))
	}
	return nil
}

// PayerStates implements gateway.SubmissionTx.
func (t *tx) PayerStates(ctx context.Context) ([]gateway.PayerState, error) {
	rows, err := t.q.Query(ctx, `SELECT payer_id, last_submit_at, last_poll_at FROM payer_state ORDER BY payer_id`)
	if err != nil {
		return nil, fmt.Errorf("payer states: %w", err)
	}
	defer rows.Close()
	out := []gateway.PayerState{}
	for rows.Next() {
		var p gateway.PayerState
		if err := rows.Scan(&p.PayerID, &p.LastSubmitAt, &p.LastPollAt); err != nil {
			return nil, fmt.Errorf("payer states: %w", err)
		}
		p.LastSubmitAt = utcPtr(p.LastSubmitAt)
		p.LastPollAt = utcPtr(p.LastPollAt)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("payer states: %w", err)
	}
	return out, nil
}

// The Store's submission methods each run in a transaction of their own.

// QueuedClaimsForBatch implements gateway.SubmissionTx (without a surrounding transaction the
// row locks end at once; batching calls it inside WithTx).
func (s *Store) QueuedClaimsForBatch(ctx context.Context, payerID string, limit int) (out []gateway.Claim, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.QueuedClaimsForBatch(ctx, payerID, limit); return e })
	return out, err
}

// MarkClaimsBatched implements gateway.SubmissionTx.
func (s *Store) MarkClaimsBatched(ctx context.Context, batchID int64, claimIDs []string, ev gateway.EventInput) (n int, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { n, e = t.MarkClaimsBatched(ctx, batchID, claimIDs, ev); return e })
	return n, err
}

// FinishBatchUpload implements gateway.SubmissionTx.
func (s *Store) FinishBatchUpload(ctx context.Context, batchID int64, at time.Time, ev gateway.EventInput) (n int, already bool, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { n, already, e = t.FinishBatchUpload(ctx, batchID, at, ev); return e })
	return n, already, err
}

// HoldClaim implements gateway.SubmissionTx.
func (s *Store) HoldClaim(ctx context.Context, h gateway.ClaimHold) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.HoldClaim(ctx, h) })
}

// DeleteClaimHold implements gateway.SubmissionTx.
func (s *Store) DeleteClaimHold(ctx context.Context, claimID string) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.DeleteClaimHold(ctx, claimID) })
}

// ListClaimHolds implements gateway.SubmissionTx.
func (s *Store) ListClaimHolds(ctx context.Context, payerID string) (out []gateway.ClaimHold, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListClaimHolds(ctx, payerID); return e })
	return out, err
}

// RecordPayerRun implements gateway.SubmissionTx.
func (s *Store) RecordPayerRun(ctx context.Context, payerID, kind string, at time.Time) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.RecordPayerRun(ctx, payerID, kind, at) })
}

// PayerStates implements gateway.SubmissionTx.
func (s *Store) PayerStates(ctx context.Context) (out []gateway.PayerState, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.PayerStates(ctx); return e })
	return out, err
}
