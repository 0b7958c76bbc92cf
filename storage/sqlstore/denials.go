package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/gateway"
)

const denialCols = `id, claim_id, submitter_id, payer_id, line_number, procedure_code, source, source_ref,
 remittance_id, rejection_id, group_code, carc, rarcs, codes, amount, category, queue, action, decided_by, reason,
 status, assignee, resolution, resolution_note, COALESCE(resolved_by_claim_id, ''), resolved_at, created_at, updated_at`

func scanDenial(r scanner) (gateway.Denial, error) {
	var d gateway.Denial
	var line *int64
	var rarcs, codes []byte
	var amount int64
	if err := r.Scan(&d.ID, &d.ClaimID, &d.SubmitterID, &d.PayerID, &line, &d.Procedure, &d.Source, &d.SourceRef,
		&d.RemittanceID, &d.RejectionID, &d.Group, &d.CARC, &rarcs, &codes, &amount, &d.Category, &d.Queue, &d.Action,
		&d.DecidedBy, &d.Reason, &d.Status, &d.Assignee, &d.Resolution, &d.ResolutionNote, &d.ResolvedByClaimID,
		&d.ResolvedAt, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return gateway.Denial{}, err
	}
	if line != nil {
		n := int(*line)
		d.LineNumber = &n
	}
	d.Amount = edi.Amount(amount)
	d.ResolvedAt = utcPtr(d.ResolvedAt)
	d.CreatedAt = d.CreatedAt.UTC()
	d.UpdatedAt = d.UpdatedAt.UTC()
	var err error
	if d.RARCs, err = decodeList(rarcs); err != nil {
		return gateway.Denial{}, fmt.Errorf("rarcs: %w", err)
	}
	if d.Codes, err = decodeList(codes); err != nil {
		return gateway.Denial{}, fmt.Errorf("codes: %w", err)
	}
	return d, nil
}

func (t *tx) queryDenials(ctx context.Context, q string, args ...any) ([]gateway.Denial, error) {
	rows, err := t.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []gateway.Denial{}
	for rows.Next() {
		d, err := scanDenial(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// CreateDenial implements gateway.DenialTx.
func (t *tx) CreateDenial(ctx context.Context, d gateway.Denial) (gateway.Denial, bool, error) {
	d.ClaimID = gateway.NormalizeClaimID(d.ClaimID)
	if d.Status == "" {
		d.Status = gateway.DenialOpen
	}
	switch {
	case d.ClaimID == "" || d.PayerID == "" || d.SubmitterID == 0:
		return gateway.Denial{}, false, fmt.Errorf("create denial: %w: claim id, submitter id and payer id are required", gateway.ErrInvalid)
	case !gateway.ValidDenialSource(d.Source) || d.SourceRef == "":
		return gateway.Denial{}, false, fmt.Errorf("create denial: %w: source %q / source ref %q", gateway.ErrInvalid, d.Source, d.SourceRef)
	case d.Category == "" || d.Queue == "" || d.Action == "" || d.Reason == "":
		return gateway.Denial{}, false, fmt.Errorf("create denial: %w: category, queue, action and reason are required", gateway.ErrInvalid)
	case !gateway.ValidDenialStatus(d.Status):
		return gateway.Denial{}, false, fmt.Errorf("create denial: %w: status %q", gateway.ErrInvalid, d.Status)
	}
	ok, err := t.exists(ctx, `SELECT 1 FROM claims WHERE id = $1`, d.ClaimID)
	if err != nil {
		return gateway.Denial{}, false, fmt.Errorf("create denial: %w", err)
	}
	if !ok {
		return gateway.Denial{}, false, fmt.Errorf("create denial: %w: claim %s does not exist", gateway.ErrInvalid, d.ClaimID)
	}
	var line any
	if d.LineNumber != nil {
		line = int64(*d.LineNumber)
	}
	now := t.clock()
	rows, err := t.queryDenials(ctx, `INSERT INTO denials (claim_id, submitter_id, payer_id, line_number, procedure_code,
 source, source_ref, remittance_id, rejection_id, group_code, carc, rarcs, codes, amount, category, queue, action,
 decided_by, reason, status, assignee, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)
ON CONFLICT (source, source_ref) DO NOTHING RETURNING `+denialCols,
		d.ClaimID, d.SubmitterID, d.PayerID, line, d.Procedure, d.Source, d.SourceRef, nullInt(d.RemittanceID),
		nullInt(d.RejectionID), d.Group, d.CARC, jsonList(d.RARCs), jsonList(d.Codes), int64(d.Amount), d.Category,
		d.Queue, d.Action, d.DecidedBy, d.Reason, d.Status, d.Assignee, now)
	if err != nil {
		return gateway.Denial{}, false, fmt.Errorf("create denial for claim %s: %w", d.ClaimID, mapErr(t.d, err))
	}
	if len(rows) == 1 {
		return rows[0], true, nil
	}
	existing, err := scanDenial(t.q.QueryRow(ctx, `SELECT `+denialCols+` FROM denials WHERE source = $1 AND source_ref = $2`,
		d.Source, d.SourceRef))
	if err != nil {
		return gateway.Denial{}, false, fmt.Errorf("create denial: read the existing one: %w", mapErr(t.d, err))
	}
	return existing, false, nil
}

// GetDenial implements gateway.DenialTx.
func (t *tx) GetDenial(ctx context.Context, id, submitterID int64) (gateway.Denial, error) {
	q := `SELECT ` + denialCols + ` FROM denials WHERE id = $1`
	args := []any{id}
	if submitterID != 0 {
		q += ` AND submitter_id = $2`
		args = append(args, submitterID)
	}
	d, err := scanDenial(t.q.QueryRow(ctx, q, args...))
	if err != nil {
		return gateway.Denial{}, fmt.Errorf("denial %d: %w", id, mapErr(t.d, err))
	}
	return d, nil
}

// denialCursorPrefix starts every ListDenials cursor.
const denialCursorPrefix = "d"

// ListDenials implements gateway.DenialTx.
func (t *tx) ListDenials(ctx context.Context, f gateway.DenialFilter) (gateway.DenialPage, error) {
	var w where
	if f.SubmitterID != 0 {
		w.add("submitter_id = ?", f.SubmitterID)
	}
	if f.ClaimID != "" {
		w.add("claim_id = ?", gateway.NormalizeClaimID(f.ClaimID))
	}
	if f.Queue != "" {
		w.add("queue = ?", f.Queue)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Category != "" {
		w.add("category = ?", f.Category)
	}
	if f.PayerID != "" {
		w.add("payer_id = ?", f.PayerID)
	}
	if f.Cursor != "" {
		before, err := strconv.ParseInt(strings.TrimPrefix(f.Cursor, denialCursorPrefix), 10, 64)
		if err != nil || !strings.HasPrefix(f.Cursor, denialCursorPrefix) || before <= 0 {
			return gateway.DenialPage{}, fmt.Errorf("list denials: %w: bad cursor", gateway.ErrInvalid)
		}
		w.add("id < ?", before)
	}
	limit := limitOf(f.Limit)
	ds, err := t.queryDenials(ctx, `SELECT `+denialCols+` FROM denials`+w.sql()+` ORDER BY id DESC LIMIT `+w.arg(limit+1), w.args...)
	if err != nil {
		return gateway.DenialPage{}, fmt.Errorf("list denials: %w", err)
	}
	page := gateway.DenialPage{Denials: ds}
	if len(ds) > limit {
		page.Denials = ds[:limit]
		page.Next = denialCursorPrefix + strconv.FormatInt(ds[limit-1].ID, 10)
	}
	return page, nil
}

// AssignDenial implements gateway.DenialTx.
func (t *tx) AssignDenial(ctx context.Context, a gateway.DenialAssign) (gateway.Denial, error) {
	id := a.ID
	cur, err := t.lockDenial(ctx, id, a.SubmitterID)
	if err != nil {
		return gateway.Denial{}, fmt.Errorf("assign denial: %w", err)
	}
	if cur.Status == gateway.DenialResolved {
		return gateway.Denial{}, fmt.Errorf("assign denial %d: %w: it is resolved", id, gateway.ErrConflict)
	}
	status, action := gateway.DenialAssigned, gateway.DenialEventAssigned
	if a.Assignee == "" {
		status, action = gateway.DenialOpen, gateway.DenialEventUnassigned
	}
	at := a.At
	if at.IsZero() {
		at = t.clock()
	}
	d, err := scanDenial(t.q.QueryRow(ctx, `UPDATE denials SET status = $1, assignee = $2, updated_at = $3
WHERE id = $4 AND status <> 'resolved' RETURNING `+denialCols, status, a.Assignee, ts(at), id))
	if err != nil {
		if t.isNoRows(err) {
			return gateway.Denial{}, fmt.Errorf("assign denial %d: %w: it was resolved meanwhile", id, gateway.ErrConflict)
		}
		return gateway.Denial{}, fmt.Errorf("assign denial %d: %w", id, mapErr(t.d, err))
	}
	if err := t.addDenialEvent(ctx, gateway.DenialEvent{DenialID: id, At: at, Action: action, Actor: a.Actor, Assignee: a.Assignee}); err != nil {
		return gateway.Denial{}, fmt.Errorf("assign denial %d: %w", id, err)
	}
	return d, nil
}

// addDenialEvent appends a step to a denial's history (its row is locked: seq is next).
func (t *tx) addDenialEvent(ctx context.Context, e gateway.DenialEvent) error {
	var claim any
	if e.ClaimID != "" {
		claim = e.ClaimID
	}
	_, err := t.q.Exec(ctx, `INSERT INTO denial_events (denial_id, seq, at, action, actor, assignee, resolution, note, claim_id)
SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8 FROM denial_events WHERE denial_id = $1`,
		e.DenialID, ts(e.At), e.Action, e.Actor, e.Assignee, e.Resolution, e.Note, claim)
	if err != nil {
		return fmt.Errorf("history: %w", mapErr(t.d, err))
	}
	return nil
}

// DenialHistory implements gateway.DenialTx.
func (t *tx) DenialHistory(ctx context.Context, id, submitterID int64) ([]gateway.DenialEvent, error) {
	if _, err := t.GetDenial(ctx, id, submitterID); err != nil {
		return nil, err
	}
	rows, err := t.q.Query(ctx, `SELECT denial_id, seq, at, action, actor, assignee, resolution, note, COALESCE(claim_id, '')
 FROM denial_events WHERE denial_id = $1 ORDER BY seq`, id)
	out, err := collectRows(rows, err, func(r scanner) (e gateway.DenialEvent, err error) {
		var seq int64
		err = r.Scan(&e.DenialID, &seq, &e.At, &e.Action, &e.Actor, &e.Assignee, &e.Resolution, &e.Note, &e.ClaimID)
		e.Seq, e.At = int(seq), e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("history of denial %d: %w", id, err)
	}
	return out, nil
}

// lockDenial reads a denial for update (the row lock on Postgres orders concurrent changes).
func (t *tx) lockDenial(ctx context.Context, id, submitterID int64) (gateway.Denial, error) {
	q := `SELECT ` + denialCols + ` FROM denials WHERE id = $1`
	args := []any{id}
	if submitterID != 0 {
		q += ` AND submitter_id = $2`
		args = append(args, submitterID)
	}
	if t.d.ConcurrentWriters {
		q += ` FOR UPDATE`
	}
	d, err := scanDenial(t.q.QueryRow(ctx, q, args...))
	if err != nil {
		return gateway.Denial{}, fmt.Errorf("denial %d: %w", id, mapErr(t.d, err))
	}
	return d, nil
}

// ResolveDenial implements gateway.DenialTx.
func (t *tx) ResolveDenial(ctx context.Context, r gateway.DenialResolve) (gateway.Denial, error) {
	if !gateway.ValidDenialResolution(r.Resolution) {
		return gateway.Denial{}, fmt.Errorf("resolve denial: %w: resolution %q", gateway.ErrInvalid, r.Resolution)
	}
	cur, err := t.lockDenial(ctx, r.ID, r.SubmitterID)
	if err != nil {
		return gateway.Denial{}, fmt.Errorf("resolve denial: %w", err)
	}
	if cur.Status == gateway.DenialResolved {
		return gateway.Denial{}, fmt.Errorf("resolve denial %d: %w: it is resolved already", r.ID, gateway.ErrConflict)
	}
	var byClaim any
	if r.ClaimID != "" {
		id := gateway.NormalizeClaimID(r.ClaimID)
		var sub int64
		err := t.q.QueryRow(ctx, `SELECT submitter_id FROM claims WHERE id = $1`, id).Scan(&sub)
		switch {
		case t.isNoRows(err) || (err == nil && sub != cur.SubmitterID):
			return gateway.Denial{}, fmt.Errorf("resolve denial %d: %w: claim %s is not a claim of the denial's submitter", r.ID, gateway.ErrInvalid, id)
		case err != nil:
			return gateway.Denial{}, fmt.Errorf("resolve denial %d: %w", r.ID, err)
		}
		byClaim = id
	}
	at := r.At
	if at.IsZero() {
		at = t.clock()
	}
	d, err := scanDenial(t.q.QueryRow(ctx, `UPDATE denials SET status = 'resolved', resolution = $1, resolution_note = $2,
 resolved_by_claim_id = $3, resolved_at = $4, updated_at = $4 WHERE id = $5 AND status <> 'resolved' RETURNING `+denialCols,
		r.Resolution, r.Note, byClaim, ts(at), r.ID))
	if err != nil {
		if t.isNoRows(err) {
			return gateway.Denial{}, fmt.Errorf("resolve denial %d: %w: it was resolved meanwhile", r.ID, gateway.ErrConflict)
		}
		return gateway.Denial{}, fmt.Errorf("resolve denial %d: %w", r.ID, mapErr(t.d, err))
	}
	claim, _ := byClaim.(string)
	if err := t.addDenialEvent(ctx, gateway.DenialEvent{DenialID: r.ID, At: at, Action: gateway.DenialEventResolved, Actor: r.Actor,
		Resolution: r.Resolution, Note: r.Note, ClaimID: claim}); err != nil {
		return gateway.Denial{}, fmt.Errorf("resolve denial %d: %w", r.ID, err)
	}
	if d.RejectionID != nil {
		if _, err := t.q.Exec(ctx, `UPDATE rejections SET status = $1 WHERE id = $2`, gateway.RejectionResolved, *d.RejectionID); err != nil {
			return gateway.Denial{}, fmt.Errorf("resolve denial %d: resolve rejection %d: %w", r.ID, *d.RejectionID, err)
		}
	}
	return d, nil
}

// DenialQueueStats implements gateway.DenialTx.
func (t *tx) DenialQueueStats(ctx context.Context, submitterID int64) ([]gateway.DenialQueueStat, error) {
	var w where
	w.add("status <> 'resolved'")
	if submitterID != 0 {
		w.add("submitter_id = ?", submitterID)
	}
	rows, err := t.q.Query(ctx, `SELECT queue, status, COUNT(*), MIN(created_at) FROM denials`+w.sql()+
		` GROUP BY queue, status ORDER BY queue, status`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("denial queue stats: %w", err)
	}
	var out []gateway.DenialQueueStat
	idx := map[string]int{}
	for rows.Next() {
		var queue, status string
		var n int64
		var oldest time.Time
		if err := rows.Scan(&queue, &status, &n, &oldest); err != nil {
			rows.Close()
			return nil, fmt.Errorf("denial queue stats: %w", err)
		}
		i, ok := idx[queue]
		if !ok {
			i = len(out)
			idx[queue] = i
			out = append(out, gateway.DenialQueueStat{Queue: queue})
		}
		s := &out[i]
		if status == gateway.DenialAssigned {
			s.Assigned += int(n)
		} else {
			s.Open += int(n)
		}
		oldest = oldest.UTC()
		if s.OldestAt == nil || oldest.Before(*s.OldestAt) {
			s.OldestAt = &oldest
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("denial queue stats: %w", err)
	}
	// The median: the creation time of the middle unresolved denial of each queue (the lower
	// middle for an even count), read through the (queue, status, created_at) index.
	for i := range out {
		s := &out[i]
		n := s.Open + s.Assigned
		var mw where
		mw.add("queue = ?", s.Queue)
		mw.add("status <> 'resolved'")
		if submitterID != 0 {
			mw.add("submitter_id = ?", submitterID)
		}
		var med time.Time
		q := `SELECT created_at FROM denials` + mw.sql() + ` ORDER BY created_at LIMIT 1 OFFSET ` + mw.arg((n-1)/2)
		if err := t.q.QueryRow(ctx, q, mw.args...).Scan(&med); err != nil {
			return nil, fmt.Errorf("denial queue stats: median of %s: %w", s.Queue, mapErr(t.d, err))
		}
		med = med.UTC()
		s.MedianAt = &med
	}
	if out == nil {
		out = []gateway.DenialQueueStat{}
	}
	return out, nil
}

// UnroutedClaimPayments implements gateway.DenialTx: the routing queue, oldest first. It has
// two parts, both filled by triggers on claim_payments: a posted remittance is one row of
// denial_route_remittances (its matched payments from next_seq on are unrouted), and a payment
// matched by hand later is one row of denial_route_payments.
func (t *tx) UnroutedClaimPayments(ctx context.Context, limit int) ([]gateway.PaymentRef, error) {
	limit = limitOf(limit)
	posted, err := t.paymentRefs(ctx, `SELECT cp.remittance_id, cp.seq FROM denial_route_remittances m
JOIN claim_payments cp ON cp.remittance_id = m.remittance_id AND cp.seq >= m.next_seq
WHERE cp.claim_id IS NOT NULL ORDER BY cp.remittance_id, cp.seq LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	matched, err := t.paymentRefs(ctx, `SELECT remittance_id, seq FROM denial_route_payments
ORDER BY remittance_id, seq LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	// Merge the two ordered lists (a payment can be in both), keeping the first limit.
	out := make([]gateway.PaymentRef, 0, min(limit, len(posted)+len(matched)))
	less := func(a, b gateway.PaymentRef) bool {
		return a.RemittanceID < b.RemittanceID || (a.RemittanceID == b.RemittanceID && a.Seq < b.Seq)
	}
	for len(out) < limit && (len(posted) > 0 || len(matched) > 0) {
		var next gateway.PaymentRef
		switch {
		case len(matched) == 0 || (len(posted) > 0 && less(posted[0], matched[0])):
			next, posted = posted[0], posted[1:]
		case len(posted) == 0 || less(matched[0], posted[0]):
			next, matched = matched[0], matched[1:]
		default: // the same payment in both
			next, posted, matched = posted[0], posted[1:], matched[1:]
		}
		out = append(out, next)
	}
	return out, nil
}

func (t *tx) paymentRefs(ctx context.Context, q string, args ...any) ([]gateway.PaymentRef, error) {
	rows, err := t.q.Query(ctx, q, args...)
	out, err := collectRows(rows, err, func(r scanner) (gateway.PaymentRef, error) {
		var p gateway.PaymentRef
		var seq int64
		err := r.Scan(&p.RemittanceID, &seq)
		p.Seq = int(seq)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("unrouted claim payments: %w", mapErr(t.d, err))
	}
	return out, nil
}

// UnroutedRejections implements gateway.DenialTx: the routing queue (denial_route_rejections,
// filled by a trigger on rejections), oldest first.
func (t *tx) UnroutedRejections(ctx context.Context, limit int) ([]gateway.Rejection, error) {
	rows, err := t.q.Query(ctx, `SELECT `+rejectionCols+` FROM rejections
WHERE id IN (SELECT rejection_id FROM denial_route_rejections ORDER BY rejection_id LIMIT $1) ORDER BY id`, limitOf(limit))
	if err != nil {
		return nil, fmt.Errorf("unrouted rejections: %w", err)
	}
	defer rows.Close()
	out := []gateway.Rejection{}
	for rows.Next() {
		r, err := scanRejection(rows)
		if err != nil {
			return nil, fmt.Errorf("unrouted rejections: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MarkPaymentsRouted implements gateway.DenialTx: it takes the payments off the routing queue.
// The payments UnroutedClaimPayments returned for a remittance are, in seq order, every
// unrouted matched payment of it up to the last one, so the remittance's mark moves past that
// last one, and goes when no matched payment is left after it.
func (t *tx) MarkPaymentsRouted(ctx context.Context, refs []gateway.PaymentRef) error {
	last := map[int64]int{}
	var rems []int64
	for _, p := range refs {
		if s, ok := last[p.RemittanceID]; !ok || p.Seq > s {
			if !ok {
				rems = append(rems, p.RemittanceID)
			}
			last[p.RemittanceID] = p.Seq
		}
	}
	for _, rem := range rems {
		if _, err := t.q.Exec(ctx, `UPDATE denial_route_remittances SET next_seq = $2
WHERE remittance_id = $1 AND next_seq < $2`, rem, last[rem]+1); err != nil {
			return fmt.Errorf("mark claim payments of remittance %d routed: %w", rem, mapErr(t.d, err))
		}
		if _, err := t.q.Exec(ctx, `DELETE FROM denial_route_remittances WHERE remittance_id = $1
AND NOT EXISTS (SELECT 1 FROM claim_payments cp WHERE cp.remittance_id = $1
 AND cp.seq >= denial_route_remittances.next_seq AND cp.claim_id IS NOT NULL)`, rem); err != nil {
			return fmt.Errorf("mark claim payments of remittance %d routed: %w", rem, mapErr(t.d, err))
		}
	}
	// Payments matched by hand: exactly the refs (one matched after the refs were read stays).
	routed := make(map[gateway.PaymentRef]bool, len(refs))
	for _, p := range refs {
		routed[p] = true
	}
	for _, rem := range rems {
		queued, err := t.paymentRefs(ctx, `SELECT remittance_id, seq FROM denial_route_payments
WHERE remittance_id = $1 AND seq <= $2`, rem, last[rem])
		if err != nil {
			return err
		}
		for _, p := range queued {
			if !routed[p] {
				continue
			}
			if _, err := t.q.Exec(ctx, `DELETE FROM denial_route_payments WHERE remittance_id = $1 AND seq = $2`,
				p.RemittanceID, p.Seq); err != nil {
				return fmt.Errorf("mark claim payment %d/%d routed: %w", p.RemittanceID, p.Seq, mapErr(t.d, err))
			}
		}
	}
	return nil
}

// MarkRejectionsRouted implements gateway.DenialTx: it takes the rejections off the routing queue.
func (t *tx) MarkRejectionsRouted(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		if _, err := t.q.Exec(ctx, `DELETE FROM denial_route_rejections WHERE rejection_id = $1`, id); err != nil {
			return fmt.Errorf("mark rejection %d routed: %w", id, mapErr(t.d, err))
		}
	}
	return nil
}

// PendingCorrectionLinks implements gateway.DenialTx.
func (t *tx) PendingCorrectionLinks(ctx context.Context, accepted []gateway.ClaimStatus, limit int) ([]gateway.CorrectionLink, error) {
	if len(accepted) == 0 {
		return []gateway.CorrectionLink{}, nil
	}
	var w where
	sts := make([]string, len(accepted))
	for i, s := range accepted {
		sts[i] = string(s)
	}
	in := inList(&w, sts)
	rows, err := t.q.Query(ctx, `SELECT c.id, o.id FROM claims c JOIN claims o ON o.id = c.replaces_claim_id
WHERE c.replaces_claim_id IS NOT NULL AND c.status IN `+in+` AND o.status NOT IN ('replaced', 'voided')
ORDER BY c.created_at, c.id LIMIT `+w.arg(limitOf(limit)), w.args...)
	if err != nil {
		return nil, fmt.Errorf("pending correction links: %w", err)
	}
	type pair struct{ c, o string }
	var pairs []pair
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.c, &p.o); err != nil {
			rows.Close()
			return nil, fmt.Errorf("pending correction links: %w", err)
		}
		pairs = append(pairs, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending correction links: %w", err)
	}
	out := make([]gateway.CorrectionLink, 0, len(pairs))
	for _, p := range pairs {
		c, err := t.GetClaim(ctx, p.c, 0)
		if err != nil {
			return nil, fmt.Errorf("pending correction links: %w", err)
		}
		o, err := t.GetClaim(ctx, p.o, 0)
		if err != nil {
			return nil, fmt.Errorf("pending correction links: %w", err)
		}
		c.Encounter, o.Encounter = nil, nil
		out = append(out, gateway.CorrectionLink{Correction: c, Original: o})
	}
	return out, nil
}

// ClaimCorrections implements gateway.DenialTx.
func (t *tx) ClaimCorrections(ctx context.Context, claimID string) ([]gateway.Claim, error) {
	cs, err := t.queryClaims(ctx, `SELECT `+claimCols+` FROM claims WHERE replaces_claim_id = $1 ORDER BY created_at, id`,
		gateway.NormalizeClaimID(claimID))
	if err != nil {
		return nil, fmt.Errorf("corrections of claim %s: %w", claimID, err)
	}
	if cs == nil {
		cs = []gateway.Claim{}
	}
	return cs, nil
}

// The Store's denial methods, each in a transaction of its own.

// CreateDenial implements gateway.DenialTx.
func (s *Store) CreateDenial(ctx context.Context, d gateway.Denial) (out gateway.Denial, created bool, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, created, e = t.CreateDenial(ctx, d); return e })
	return out, created, err
}

// GetDenial implements gateway.DenialTx.
func (s *Store) GetDenial(ctx context.Context, id, submitterID int64) (out gateway.Denial, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.GetDenial(ctx, id, submitterID); return e })
	return out, err
}

// ListDenials implements gateway.DenialTx.
func (s *Store) ListDenials(ctx context.Context, f gateway.DenialFilter) (out gateway.DenialPage, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListDenials(ctx, f); return e })
	return out, err
}

// AssignDenial implements gateway.DenialTx.
func (s *Store) AssignDenial(ctx context.Context, a gateway.DenialAssign) (out gateway.Denial, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.AssignDenial(ctx, a); return e })
	return out, err
}

// DenialHistory implements gateway.DenialTx.
func (s *Store) DenialHistory(ctx context.Context, id, submitterID int64) (out []gateway.DenialEvent, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.DenialHistory(ctx, id, submitterID); return e })
	return out, err
}

// ResolveDenial implements gateway.DenialTx.
func (s *Store) ResolveDenial(ctx context.Context, r gateway.DenialResolve) (out gateway.Denial, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ResolveDenial(ctx, r); return e })
	return out, err
}

// DenialQueueStats implements gateway.DenialTx.
func (s *Store) DenialQueueStats(ctx context.Context, submitterID int64) (out []gateway.DenialQueueStat, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.DenialQueueStats(ctx, submitterID); return e })
	return out, err
}

// UnroutedClaimPayments implements gateway.DenialTx.
func (s *Store) UnroutedClaimPayments(ctx context.Context, limit int) (out []gateway.PaymentRef, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.UnroutedClaimPayments(ctx, limit); return e })
	return out, err
}

// UnroutedRejections implements gateway.DenialTx.
func (s *Store) UnroutedRejections(ctx context.Context, limit int) (out []gateway.Rejection, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.UnroutedRejections(ctx, limit); return e })
	return out, err
}

// MarkPaymentsRouted implements gateway.DenialTx.
func (s *Store) MarkPaymentsRouted(ctx context.Context, refs []gateway.PaymentRef) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.MarkPaymentsRouted(ctx, refs) })
}

// MarkRejectionsRouted implements gateway.DenialTx.
func (s *Store) MarkRejectionsRouted(ctx context.Context, ids []int64) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.MarkRejectionsRouted(ctx, ids) })
}

// PendingCorrectionLinks implements gateway.DenialTx.
func (s *Store) PendingCorrectionLinks(ctx context.Context, accepted []gateway.ClaimStatus, limit int) (out []gateway.CorrectionLink, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.PendingCorrectionLinks(ctx, accepted, limit); return e })
	return out, err
}

// ClaimCorrections implements gateway.DenialTx.
func (s *Store) ClaimCorrections(ctx context.Context, claimID string) (out []gateway.Claim, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimCorrections(ctx, claimID); return e })
	return out, err
}
