package sqlstore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// The webhook outbox method group (gateway.WebhookTx). Claim events reach the outbox through
// the trigger of migration 0006 (claim_events_webhook_outbox), in the transaction that appends
// the claim event; EnqueueWebhook writes the other events.

const webhookCols = `o.seq, o.delivery_id, o.submitter_id, COALESCE(o.claim_id, ''), o.event_type, o.state, o.attempts,
 o.last_status, o.last_error, o.next_attempt_at, o.created_at, o.first_attempt_at, o.last_attempt_at, o.delivered_at,
 o.payload, o.claim_event_seq, COALESCE(o.lease_owner, ''), o.lease_until`

// webhookEventCols are the claim event of a claim.* delivery (NULLs otherwise).
const webhookEventCols = `e.at, e.from_status, e.to_status, e.reason, e.source, e.detail`

const webhookFrom = ` FROM webhook_outbox o
 LEFT JOIN claim_events e ON e.claim_id = o.claim_id AND e.seq = o.claim_event_seq`

func scanWebhook(r scanner, extra ...any) (gateway.WebhookDelivery, error) {
	var d gateway.WebhookDelivery
	var attempts, lastStatus int64
	var payload *string
	var eventSeq *int64
	var evAt *time.Time
	var evFrom, evTo, evReason, evSource *string
	var evDetail []byte
	dest := []any{&d.Seq, &d.ID, &d.SubmitterID, &d.ClaimID, &d.Type, &d.State, &attempts,
		&lastStatus, &d.LastError, &d.NextAttemptAt, &d.CreatedAt, &d.FirstAttemptAt, &d.LastAttemptAt, &d.DeliveredAt,
		&payload, &eventSeq, &d.LeaseOwner, &d.LeaseUntil, &evAt, &evFrom, &evTo, &evReason, &evSource, &evDetail}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return gateway.WebhookDelivery{}, err
	}
	d.Attempts, d.LastStatus = int(attempts), int(lastStatus)
	d.CreatedAt = d.CreatedAt.UTC()
	d.NextAttemptAt, d.FirstAttemptAt = utcPtr(d.NextAttemptAt), utcPtr(d.FirstAttemptAt)
	d.LastAttemptAt, d.DeliveredAt = utcPtr(d.LastAttemptAt), utcPtr(d.DeliveredAt)
	d.LeaseUntil = utcPtr(d.LeaseUntil)
	if payload != nil {
		d.Payload = json.RawMessage(*payload)
	}
	if eventSeq != nil && evAt != nil {
		ev := &gateway.ClaimEvent{ClaimID: d.ClaimID, Seq: int(*eventSeq), At: evAt.UTC(),
			From: gateway.ClaimStatus(deref(evFrom)), To: gateway.ClaimStatus(deref(evTo)),
			Reason: deref(evReason), Source: deref(evSource)}
		if len(evDetail) > 0 {
			ev.Detail = json.RawMessage(evDetail)
		}
		d.ClaimEvent = ev
	}
	return d, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (t *tx) queryWebhooks(ctx context.Context, q string, args ...any) ([]gateway.WebhookDelivery, error) {
	rows, err := t.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []gateway.WebhookDelivery{}
	for rows.Next() {
		d, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// EnqueueWebhook implements gateway.WebhookTx.
func (t *tx) EnqueueWebhook(ctx context.Context, e gateway.WebhookEvent) (gateway.WebhookDelivery, bool, error) {
	if !gateway.ValidWebhookEvent(e.Type) {
		return gateway.WebhookDelivery{}, false, fmt.Errorf("enqueue webhook: %w: event type %q", gateway.ErrInvalid, e.Type)
	}
	payload := bytes.TrimSpace(e.Payload)
	if len(payload) == 0 || payload[0] != '{' || !json.Valid(payload) {
		return gateway.WebhookDelivery{}, false, fmt.Errorf("enqueue webhook %s: %w: payload must be a JSON object", e.Type, gateway.ErrInvalid)
	}
	var url *string
	if err := t.q.QueryRow(ctx, `SELECT webhook_url FROM submitters WHERE id = $1`, e.SubmitterID).Scan(&url); err != nil {
		if t.isNoRows(err) {
			return gateway.WebhookDelivery{}, false, fmt.Errorf("enqueue webhook %s: %w: submitter %d does not exist", e.Type, gateway.ErrInvalid, e.SubmitterID)
		}
		return gateway.WebhookDelivery{}, false, fmt.Errorf("enqueue webhook %s: %w", e.Type, err)
	}
	claimID := ""
	if e.ClaimID != "" {
		claimID = gateway.NormalizeClaimID(e.ClaimID)
		// On Postgres the claim row is locked, as a transition locks it, so the events of one
		// claim get their outbox order (seq) in commit order: a later event can never become
		// visible to the worker before an earlier one of the same claim.
		q := `SELECT submitter_id FROM claims WHERE id = $1`
		if t.d.ConcurrentWriters {
			q += ` FOR UPDATE`
		}
		var owner int64
		err := t.q.QueryRow(ctx, q, claimID).Scan(&owner)
		switch {
		case t.isNoRows(err):
			return gateway.WebhookDelivery{}, false, fmt.Errorf("enqueue webhook %s: %w: claim %s does not exist", e.Type, gateway.ErrInvalid, claimID)
		case err != nil:
			return gateway.WebhookDelivery{}, false, fmt.Errorf("enqueue webhook %s: %w", e.Type, err)
		case owner != e.SubmitterID:
			return gateway.WebhookDelivery{}, false, fmt.Errorf("enqueue webhook %s: %w: claim %s belongs to another submitter", e.Type, gateway.ErrInvalid, claimID)
		}
	}
	if url == nil || *url == "" {
		return gateway.WebhookDelivery{}, false, nil
	}
	at := t.clock()
	if !e.At.IsZero() {
		at = ts(e.At)
	}
	id := gateway.NewWebhookDeliveryID(at)
	var seq int64
	err := t.q.QueryRow(ctx, `INSERT INTO webhook_outbox (delivery_id, submitter_id, claim_id, event_type, payload, state, created_at)
VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING seq`,
		id, e.SubmitterID, nullString(claimID), e.Type, string(payload), at).Scan(&seq)
	if err != nil {
		return gateway.WebhookDelivery{}, false, fmt.Errorf("enqueue webhook %s: %w", e.Type, mapErr(t.d, err))
	}
	return gateway.WebhookDelivery{ID: id, Seq: seq, SubmitterID: e.SubmitterID, ClaimID: claimID, Type: e.Type,
		State: gateway.WebhookPending, CreatedAt: at, Payload: json.RawMessage(payload)}, true, nil
}

// webhookDueAt is the condition of a pending delivery o that is due at the time bound to the
// placeholder now: not waiting for a retry, not leased, and no earlier pending delivery of the
// same claim (the events of one claim go out one at a time, in order).
func webhookDueAt(now string) string {
	return `o.state = 'pending'
 AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ` + now + `)
 AND (o.lease_until IS NULL OR o.lease_until <= ` + now + `)
 AND (o.claim_id IS NULL OR NOT EXISTS (SELECT 1 FROM webhook_outbox p
      WHERE p.claim_id = o.claim_id AND p.state = 'pending' AND p.seq < o.seq))`
}

// webhookBusy counts each submitter's deliveries leased at $1 (webhook_outbox_owner_idx:
// leases are few, one per delivery in flight).
const webhookBusy = `SELECT l.submitter_id, COUNT(*) AS n FROM webhook_outbox l
 WHERE l.lease_owner IS NOT NULL AND l.lease_until > $1 AND l.state = 'pending' GROUP BY l.submitter_id`

// ClaimWebhookDeliveries implements gateway.WebhookTx.
//
// Submitters take turns: each offers its due deliveries in its own order (first attempts
// first, oldest first, then retries by due time, so the retries of a receiver that is down
// cannot starve fresh events), at most the per-submitter cap minus its deliveries in flight.
// A submitter's k-th offer has turn k plus its deliveries in flight, and the claim takes the
// offers by turn, then by that order. Alone, a submitter gets every slot; beside others with
// due events, a backlog of thousands waits its turn instead of going first.
//
// On Postgres one statement does it: a LATERAL subquery per submitter reads only the rows it
// offers, through webhook_outbox_submitter_due_idx, and locks them with the dialect's
// ClaimLock, so concurrent claimers skip each other's picks. SQLite, with one writer and no
// LATERAL, asks each submitter in turn: a few indexed reads each, never the whole backlog.
func (t *tx) ClaimWebhookDeliveries(ctx context.Context, c gateway.WebhookClaim) ([]gateway.WebhookDelivery, error) {
	if c.Owner == "" || c.Limit < 1 || c.Lease <= 0 || c.PerSubmitter < 0 {
		return nil, fmt.Errorf("claim webhook deliveries: %w: owner, limit >= 1, lease > 0 and per-submitter cap >= 0 are required", gateway.ErrInvalid)
	}
	now := ts(c.Now)
	perSubmitter := c.PerSubmitter
	if perSubmitter == 0 {
		perSubmitter = math.MaxInt32
	}
	var seqs []int64
	var err error
	if t.d.ConcurrentWriters {
		seqs, err = t.claimWebhooksLateral(ctx, c, now, perSubmitter)
	} else {
		seqs, err = t.claimWebhooksInTurn(ctx, c, now, perSubmitter)
	}
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	if len(seqs) == 0 {
		return nil, nil
	}
	var w where
	ph := make([]string, len(seqs))
	for i, s := range seqs {
		ph[i] = w.arg(s)
	}
	q := `SELECT ` + webhookCols + `, ` + webhookEventCols + `, COALESCE(s.webhook_url, ''), COALESCE(s.webhook_secret, '')` +
		webhookFrom + ` JOIN submitters s ON s.id = o.submitter_id WHERE o.seq IN (` + strings.Join(ph, ", ") + `) ORDER BY o.seq`
	rs, err := t.q.Query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	defer rs.Close()
	out := make([]gateway.WebhookDelivery, 0, len(seqs))
	for rs.Next() {
		var url, secret string
		d, err := scanWebhook(rs, &url, &secret)
		if err != nil {
			return nil, fmt.Errorf("claim webhook deliveries: %w", err)
		}
		d.URL, d.Secret = url, secret
		out = append(out, d)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return out, nil
}

// RecordWebhookAttempt implements gateway.WebhookTx.
func (t *tx) RecordWebhookAttempt(ctx context.Context, a gateway.WebhookAttempt) (gateway.WebhookDelivery, error) {
	if a.DeliveryID == "" || a.Owner == "" {
		return gateway.WebhookDelivery{}, fmt.Errorf("webhook attempt: %w: delivery id and owner are required", gateway.ErrInvalid)
	}
	at := t.clock()
	if !a.At.IsZero() {
		at = ts(a.At)
	}
	var next, delivered any
	switch a.State {
	case gateway.WebhookDelivered:
		delivered = at
	case gateway.WebhookPending:
		if a.NextAttemptAt.IsZero() {
			return gateway.WebhookDelivery{}, fmt.Errorf("webhook attempt %s: %w: a retry needs its next attempt time", a.DeliveryID, gateway.ErrInvalid)
		}
		next = ts(a.NextAttemptAt)
	case gateway.WebhookFailed:
	default:
		return gateway.WebhookDelivery{}, fmt.Errorf("webhook attempt %s: %w: state %q", a.DeliveryID, gateway.ErrInvalid, a.State)
	}
	n, err := t.q.Exec(ctx, `UPDATE webhook_outbox SET state = $3, attempts = attempts + 1, last_status = $4, last_error = $5,
 next_attempt_at = $6, lease_owner = NULL, lease_until = NULL, last_attempt_at = $7,
 first_attempt_at = COALESCE(first_attempt_at, $7), delivered_at = $8
WHERE delivery_id = $1 AND lease_owner = $2 AND state = 'pending'`,
		a.DeliveryID, a.Owner, a.State, a.Status, a.Error, next, at, delivered)
	if err != nil {
		return gateway.WebhookDelivery{}, fmt.Errorf("webhook attempt %s: %w", a.DeliveryID, mapErr(t.d, err))
	}
	d, gerr := t.GetWebhookDelivery(ctx, a.DeliveryID, 0)
	if gerr != nil {
		return gateway.WebhookDelivery{}, fmt.Errorf("webhook attempt: %w", gerr)
	}
	if n == 0 {
		return gateway.WebhookDelivery{}, fmt.Errorf("webhook attempt %s: %w: not leased to %s (state %s)", a.DeliveryID, gateway.ErrConflict, a.Owner, d.State)
	}
	return d, nil
}

// ReleaseWebhookLeases implements gateway.WebhookTx.
func (t *tx) ReleaseWebhookLeases(ctx context.Context, owner string) (int, error) {
	n, err := t.q.Exec(ctx, `UPDATE webhook_outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1`, owner)
	if err != nil {
		return 0, fmt.Errorf("release webhook leases of %s: %w", owner, err)
	}
	return int(n), nil
}

// GetWebhookDelivery implements gateway.WebhookTx.
func (t *tx) GetWebhookDelivery(ctx context.Context, id string, submitterID int64) (gateway.WebhookDelivery, error) {
	q := `SELECT ` + webhookCols + `, ` + webhookEventCols + webhookFrom + ` WHERE o.delivery_id = $1`
	args := []any{id}
	if submitterID != 0 {
		q += ` AND o.submitter_id = $2`
		args = append(args, submitterID)
	}
	d, err := scanWebhook(t.q.QueryRow(ctx, q, args...))
	if err != nil {
		return gateway.WebhookDelivery{}, fmt.Errorf("webhook delivery %s: %w", id, mapErr(t.d, err))
	}
	return d, nil
}

// RetryWebhookDelivery implements gateway.WebhookTx.
func (t *tx) RetryWebhookDelivery(ctx context.Context, id string, submitterID int64) (gateway.WebhookDelivery, error) {
	d, err := t.GetWebhookDelivery(ctx, id, submitterID)
	if err != nil {
		return gateway.WebhookDelivery{}, fmt.Errorf("retry: %w", err)
	}
	if d.State != gateway.WebhookFailed {
		return gateway.WebhookDelivery{}, fmt.Errorf("retry webhook delivery %s: %w: it is %s, not failed", id, gateway.ErrConflict, d.State)
	}
	n, err := t.q.Exec(ctx, `UPDATE webhook_outbox SET state = 'pending', attempts = 0, next_attempt_at = NULL,
 first_attempt_at = NULL, lease_owner = NULL, lease_until = NULL WHERE delivery_id = $1 AND state = 'failed'`, id)
	if err != nil {
		return gateway.WebhookDelivery{}, fmt.Errorf("retry webhook delivery %s: %w", id, mapErr(t.d, err))
	}
	if n == 0 {
		return gateway.WebhookDelivery{}, fmt.Errorf("retry webhook delivery %s: %w: it changed meanwhile", id, gateway.ErrConflict)
	}
	return t.GetWebhookDelivery(ctx, id, submitterID)
}

func encodeWebhookCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("w" + strconv.FormatInt(seq, 10)))
}

func decodeWebhookCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'w' {
		return 0, fmt.Errorf("%w: cursor", gateway.ErrInvalid)
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: cursor", gateway.ErrInvalid)
	}
	return n, nil
}

// ListWebhookDeliveries implements gateway.WebhookTx: newest first, keyed on the outbox order.
func (t *tx) ListWebhookDeliveries(ctx context.Context, f gateway.WebhookDeliveryFilter) (gateway.WebhookDeliveryPage, error) {
	var w where
	if f.SubmitterID != 0 {
		w.add("o.submitter_id = ?", f.SubmitterID)
	}
	if f.State != "" {
		switch f.State {
		case gateway.WebhookPending, gateway.WebhookDelivered, gateway.WebhookFailed:
		default:
			return gateway.WebhookDeliveryPage{}, fmt.Errorf("list webhook deliveries: %w: state %q", gateway.ErrInvalid, f.State)
		}
		// A literal (one of the three checked above), so that generic plans can use the partial
		// index of failed deliveries (webhook_outbox_failed_idx).
		w.conds = append(w.conds, "o.state = '"+string(f.State)+"'")
	}
	if f.ClaimID != "" {
		w.add("o.claim_id = ?", gateway.NormalizeClaimID(f.ClaimID))
	}
	if f.Type != "" {
		w.add("o.event_type = ?", f.Type)
	}
	if f.Cursor != "" {
		seq, err := decodeWebhookCursor(f.Cursor)
		if err != nil {
			return gateway.WebhookDeliveryPage{}, fmt.Errorf("list webhook deliveries: %w", err)
		}
		w.add("o.seq < ?", seq)
	}
	limit := limitOf(f.Limit)
	q := `SELECT ` + webhookCols + `, ` + webhookEventCols + webhookFrom + w.sql() + ` ORDER BY o.seq DESC LIMIT ` + w.arg(limit+1)
	ds, err := t.queryWebhooks(ctx, q, w.args...)
	if err != nil {
		return gateway.WebhookDeliveryPage{}, fmt.Errorf("list webhook deliveries: %w", err)
	}
	page := gateway.WebhookDeliveryPage{Deliveries: ds}
	if len(ds) > limit {
		page.Deliveries = ds[:limit]
		page.Next = encodeWebhookCursor(ds[limit-1].Seq)
	}
	return page, nil
}

// PurgeWebhookDeliveries implements gateway.WebhookTx.
func (t *tx) PurgeWebhookDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("purge webhook deliveries: %w: limit >= 1 is required", gateway.ErrInvalid)
	}
	n, err := t.q.Exec(ctx, `DELETE FROM webhook_outbox WHERE seq IN (SELECT seq FROM webhook_outbox
 WHERE state <> 'pending' AND last_attempt_at < $1 ORDER BY last_attempt_at, seq LIMIT $2)`, ts(before), limit)
	if err != nil {
		return 0, fmt.Errorf("purge webhook deliveries: %w", err)
	}
	return int(n), nil
}

// WebhookOutboxDepth implements gateway.WebhookTx.
func (t *tx) WebhookOutboxDepth(ctx context.Context) (int, error) {
	var n int64
	if err := t.q.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_outbox WHERE state = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("webhook outbox depth: %w", err)
	}
	return int(n), nil
}

// The Store's webhook methods each run the Tx method in a transaction of its own.

// EnqueueWebhook implements gateway.WebhookTx.
func (s *Store) EnqueueWebhook(ctx context.Context, e gateway.WebhookEvent) (d gateway.WebhookDelivery, created bool, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e2 error) { d, created, e2 = t.EnqueueWebhook(ctx, e); return e2 })
	return d, created, err
}

// ClaimWebhookDeliveries implements gateway.WebhookTx.
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, c gateway.WebhookClaim) (out []gateway.WebhookDelivery, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) {
		out, e = t.ClaimWebhookDeliveries(ctx, c)
		return e
	})
	return out, err
}

// RecordWebhookAttempt implements gateway.WebhookTx.
func (s *Store) RecordWebhookAttempt(ctx context.Context, a gateway.WebhookAttempt) (out gateway.WebhookDelivery, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.RecordWebhookAttempt(ctx, a); return e })
	return out, err
}

// ReleaseWebhookLeases implements gateway.WebhookTx.
func (s *Store) ReleaseWebhookLeases(ctx context.Context, owner string) (n int, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { n, e = t.ReleaseWebhookLeases(ctx, owner); return e })
	return n, err
}

// GetWebhookDelivery implements gateway.WebhookTx.
func (s *Store) GetWebhookDelivery(ctx context.Context, id string, submitterID int64) (out gateway.WebhookDelivery, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.GetWebhookDelivery(ctx, id, submitterID); return e })
	return out, err
}

// RetryWebhookDelivery implements gateway.WebhookTx.
func (s *Store) RetryWebhookDelivery(ctx context.Context, id string, submitterID int64) (out gateway.WebhookDelivery, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.RetryWebhookDelivery(ctx, id, submitterID); return e })
	return out, err
}

// ListWebhookDeliveries implements gateway.WebhookTx.
func (s *Store) ListWebhookDeliveries(ctx context.Context, f gateway.WebhookDeliveryFilter) (out gateway.WebhookDeliveryPage, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListWebhookDeliveries(ctx, f); return e })
	return out, err
}

// PurgeWebhookDeliveries implements gateway.WebhookTx.
func (s *Store) PurgeWebhookDeliveries(ctx context.Context, before time.Time, limit int) (n int, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { n, e = t.PurgeWebhookDeliveries(ctx, before, limit); return e })
	return n, err
}

// WebhookOutboxDepth implements gateway.WebhookTx.
func (s *Store) WebhookOutboxDepth(ctx context.Context) (n int, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { n, e = t.WebhookOutboxDepth(ctx); return e })
	return n, err
}

// lockOf narrows a row-locking clause (" FOR UPDATE SKIP LOCKED") to the table alias, for a
// query that reads other tables too; "" stays "".
func lockOf(lock, alias string) string {
	if lock == "" {
		return ""
	}
	return strings.Replace(lock, "FOR UPDATE", "FOR UPDATE OF "+alias, 1)
}

// claimWebhooksLateral leases the deliveries ClaimWebhookDeliveries takes, in one statement.
func (t *tx) claimWebhooksLateral(ctx context.Context, c gateway.WebhookClaim, now time.Time, perSubmitter int) ([]int64, error) {
	// $1 now, $2 limit, $3 per-submitter cap, $4 owner, $5 lease end. webhookDue reads $1 as now.
	q := `WITH busy AS (` + webhookBusy + `)
UPDATE webhook_outbox SET lease_owner = $4, lease_until = $5 WHERE seq IN (
 SELECT r.seq FROM (
  SELECT p.seq, p.next_attempt_at,
    b.n + ROW_NUMBER() OVER (PARTITION BY s.id ORDER BY p.next_attempt_at NULLS FIRST, p.seq) AS turn
  FROM submitters s
  CROSS JOIN LATERAL (SELECT COALESCE((SELECT y.n FROM busy y WHERE y.submitter_id = s.id), 0) AS n) b
  CROSS JOIN LATERAL (
   SELECT o.seq, o.next_attempt_at FROM webhook_outbox o WHERE o.submitter_id = s.id AND ` + webhookDueAt("$1") + `
   ORDER BY o.next_attempt_at NULLS FIRST, o.seq
   LIMIT GREATEST(0, LEAST($2, $3 - b.n))` + lockOf(t.d.ClaimLock, "o") + `) p) r
 ORDER BY r.turn, r.next_attempt_at NULLS FIRST, r.seq LIMIT $2)
RETURNING seq`
	rows, err := t.q.Query(ctx, q, now, c.Limit, perSubmitter, c.Owner, now.Add(c.Lease))
	return collectRows(rows, err, scanInt64)
}

// webhookOffer is a delivery a submitter offers to a claim (SQLite).
type webhookOffer struct {
	seq  int64
	next *time.Time // nil: never attempted
	turn int
}

// claimWebhooksInTurn leases the deliveries ClaimWebhookDeliveries takes by asking each
// submitter for its offers (SQLite: the one writer makes the reads and the update atomic).
func (t *tx) claimWebhooksInTurn(ctx context.Context, c gateway.WebhookClaim, now time.Time, perSubmitter int) ([]int64, error) {
	type count struct{ sub, n int64 }
	rows, err := t.q.Query(ctx, webhookBusy, now)
	counts, err := collectRows(rows, err, func(r scanner) (c count, err error) { return c, r.Scan(&c.sub, &c.n) })
	if err != nil {
		return nil, err
	}
	busy := map[int64]int{}
	for _, c := range counts {
		busy[c.sub] = int(c.n)
	}
	rows, err = t.q.Query(ctx, `SELECT DISTINCT submitter_id FROM webhook_outbox WHERE state = 'pending'`)
	subs, err := collectRows(rows, err, scanInt64)
	if err != nil {
		return nil, err
	}
	var offers []webhookOffer
	for _, sub := range subs {
		k := min(c.Limit, perSubmitter-busy[sub])
		if k <= 0 {
			continue
		}
		rows, err := t.q.Query(ctx, `SELECT o.seq, o.next_attempt_at FROM webhook_outbox o WHERE o.submitter_id = $2 AND `+
			webhookDueAt("$1")+` ORDER BY o.next_attempt_at NULLS FIRST, o.seq LIMIT $3`, now, sub, k)
		mine, err := collectRows(rows, err, func(r scanner) (o webhookOffer, err error) { return o, r.Scan(&o.seq, &o.next) })
		if err != nil {
			return nil, err
		}
		for i := range mine {
			mine[i].turn = busy[sub] + i + 1
		}
		offers = append(offers, mine...)
	}
	sort.Slice(offers, func(i, j int) bool {
		a, b := offers[i], offers[j]
		switch {
		case a.turn != b.turn:
			return a.turn < b.turn
		case (a.next == nil) != (b.next == nil):
			return a.next == nil
		case a.next != nil && !a.next.Equal(*b.next):
			return a.next.Before(*b.next)
		}
		return a.seq < b.seq
	})
	offers = offers[:min(len(offers), c.Limit)]
	if len(offers) == 0 {
		return nil, nil
	}
	var w where
	owner, until := w.arg(c.Owner), w.arg(now.Add(c.Lease))
	ph := make([]string, len(offers))
	seqs := make([]int64, len(offers))
	for i, o := range offers {
		ph[i], seqs[i] = w.arg(o.seq), o.seq
	}
	if _, err := t.q.Exec(ctx, `UPDATE webhook_outbox SET lease_owner = `+owner+`, lease_until = `+until+
		` WHERE seq IN (`+strings.Join(ph, ", ")+`)`, w.args...); err != nil {
		return nil, err
	}
	return seqs, nil
}
