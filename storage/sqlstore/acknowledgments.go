package sqlstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// The acknowledgment method group (gateway.AckTx): what TA1, 999 and 277CA files said, per unit
// and per claim, the unmatched parts, the rejection work items, and the lookups and staleness
// queries ingestion and the API need.

func ackKindValid(k gateway.FileKind) bool {
	return k == gateway.Kind999 || k == gateway.KindTA1 || k == gateway.Kind277CA
}

// jsonList encodes a string list as a JSON array ([] for nil).
func jsonList(v []string) []byte {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v) // a []string always marshals
	return b
}

func decodeList(b []byte) ([]string, error) {
	out := []string{}
	if len(b) == 0 {
		return out, nil
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

const ackCols = `id, file_id, ordinal, kind, payer_id, batch_id, control_number, ref_control_number, status, received_at, detail`

func scanAck(r scanner) (gateway.Acknowledgment, error) {
	var a gateway.Acknowledgment
	var ordinal int64
	var detail []byte
	if err := r.Scan(&a.ID, &a.FileID, &ordinal, &a.Kind, &a.PayerID, &a.BatchID, &a.ControlNumber,
		&a.RefControlNumber, &a.Status, &a.ReceivedAt, &detail); err != nil {
		return gateway.Acknowledgment{}, err
	}
	a.Ordinal = int(ordinal)
	a.ReceivedAt = a.ReceivedAt.UTC()
	if len(detail) > 0 {
		a.Detail = detail
	}
	return a, nil
}

// RecordAcknowledgment implements gateway.AckTx.
func (t *tx) RecordAcknowledgment(ctx context.Context, a gateway.Acknowledgment) (gateway.Acknowledgment, error) {
	switch {
	case a.FileID == 0:
		return gateway.Acknowledgment{}, fmt.Errorf("record acknowledgment: %w: file id is required", gateway.ErrInvalid)
	case !ackKindValid(a.Kind):
		return gateway.Acknowledgment{}, fmt.Errorf("record acknowledgment: %w: kind %q", gateway.ErrInvalid, a.Kind)
	case a.PayerID == "":
		return gateway.Acknowledgment{}, fmt.Errorf("record acknowledgment: %w: payer id is required", gateway.ErrInvalid)
	case a.Ordinal < 0:
		return gateway.Acknowledgment{}, fmt.Errorf("record acknowledgment: %w: negative ordinal", gateway.ErrInvalid)
	}
	if err := checkJSON("acknowledgment detail", a.Detail); err != nil {
		return gateway.Acknowledgment{}, fmt.Errorf("record acknowledgment: %w", err)
	}
	if a.ReceivedAt.IsZero() {
		a.ReceivedAt = t.clock()
	}
	a.ReceivedAt = ts(a.ReceivedAt)
	out, err := scanAck(t.q.QueryRow(ctx, `INSERT INTO acknowledgments (file_id, ordinal, kind, payer_id, batch_id,
 control_number, ref_control_number, status, received_at, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING `+ackCols,
		a.FileID, a.Ordinal, string(a.Kind), a.PayerID, nullInt(a.BatchID), a.ControlNumber, a.RefControlNumber,
		a.Status, a.ReceivedAt, nullJSON(a.Detail)))
	if err != nil {
		return gateway.Acknowledgment{}, fmt.Errorf("record acknowledgment of file %d: %w", a.FileID, mapErr(t.d, err))
	}
	return out, nil
}

// GetAcknowledgment implements gateway.AckTx.
func (t *tx) GetAcknowledgment(ctx context.Context, id int64) (gateway.Acknowledgment, error) {
	a, err := scanAck(t.q.QueryRow(ctx, `SELECT `+ackCols+` FROM acknowledgments WHERE id = $1`, id))
	if err != nil {
		return gateway.Acknowledgment{}, fmt.Errorf("acknowledgment %d: %w", id, mapErr(t.d, err))
	}
	return a, nil
}

// ListAcknowledgments implements gateway.AckTx.
func (t *tx) ListAcknowledgments(ctx context.Context, f gateway.AckFilter) ([]gateway.Acknowledgment, error) {
	var w where
	if f.PayerID != "" {
		w.add("payer_id = ?", f.PayerID)
	}
	if f.Kind != "" {
		w.add("kind = ?", string(f.Kind))
	}
	if f.FileID != 0 {
		w.add("file_id = ?", f.FileID)
	}
	if f.BatchID != 0 {
		w.add("batch_id = ?", f.BatchID)
	}
	if f.BeforeID != 0 {
		w.add("id < ?", f.BeforeID)
	}
	q := `SELECT ` + ackCols + ` FROM acknowledgments` + w.sql() + ` ORDER BY id DESC LIMIT ` + w.arg(limitOf(f.Limit))
	rows, err := t.q.Query(ctx, q, w.args...)
	out, err := collectRows(rows, err, scanAck)
	if err != nil {
		return nil, fmt.Errorf("list acknowledgments: %w", mapErr(t.d, err))
	}
	return out, nil
}

const claimAckCols = `id, claim_id, seq, ack_id, kind, outcome, codes, payer_claim_number, sentences, from_status,
 to_status, note, at`

func scanClaimAck(r scanner) (gateway.ClaimAcknowledgment, error) {
	var c gateway.ClaimAcknowledgment
	var seq int64
	var codes, sentences []byte
	if err := r.Scan(&c.ID, &c.ClaimID, &seq, &c.AckID, &c.Kind, &c.Outcome, &codes, &c.PayerClaimNumber,
		&sentences, &c.From, &c.To, &c.Note, &c.At); err != nil {
		return gateway.ClaimAcknowledgment{}, err
	}
	c.Seq = int(seq)
	c.At = c.At.UTC()
	var err error
	if c.Codes, err = decodeList(codes); err != nil {
		return gateway.ClaimAcknowledgment{}, fmt.Errorf("codes: %w", err)
	}
	if c.Sentences, err = decodeList(sentences); err != nil {
		return gateway.ClaimAcknowledgment{}, fmt.Errorf("sentences: %w", err)
	}
	return c, nil
}

func outcomeValid(o string) bool {
	switch o {
	case gateway.AckAccepted, gateway.AckRejected, gateway.AckPended, gateway.AckOther:
		return true
	}
	return false
}

// AddClaimAcknowledgment implements gateway.AckTx. The next seq is read first; two transactions adding to the same claim at once collide on (claim_id, seq), and the loser
// gets ErrConflict and retries (ingestion runs again).
func (t *tx) AddClaimAcknowledgment(ctx context.Context, c gateway.ClaimAcknowledgment) (gateway.ClaimAcknowledgment, error) {
	c.ClaimID = gateway.NormalizeClaimID(c.ClaimID)
	if c.To == "" {
		c.To = c.From
	}
	switch {
	case c.ClaimID == "" || c.AckID == 0:
		return gateway.ClaimAcknowledgment{}, fmt.Errorf("add claim acknowledgment: %w: claim id and ack id are required", gateway.ErrInvalid)
	case !ackKindValid(c.Kind):
		return gateway.ClaimAcknowledgment{}, fmt.Errorf("add claim acknowledgment: %w: kind %q", gateway.ErrInvalid, c.Kind)
	case !outcomeValid(c.Outcome):
		return gateway.ClaimAcknowledgment{}, fmt.Errorf("add claim acknowledgment: %w: outcome %q", gateway.ErrInvalid, c.Outcome)
	case !c.From.Valid() || !c.To.Valid():
		return gateway.ClaimAcknowledgment{}, fmt.Errorf("add claim acknowledgment: %w: status %q -> %q", gateway.ErrInvalid, c.From, c.To)
	}
	if c.At.IsZero() {
		c.At = t.clock()
	}
	c.At = ts(c.At)
	var last int64
	if err := t.q.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM claim_acknowledgments WHERE claim_id = $1`,
		c.ClaimID).Scan(&last); err != nil {
		return gateway.ClaimAcknowledgment{}, fmt.Errorf("add acknowledgment to claim %s: %w", c.ClaimID, mapErr(t.d, err))
	}
	out, err := scanClaimAck(t.q.QueryRow(ctx, `INSERT INTO claim_acknowledgments (claim_id, seq, ack_id, kind, outcome,
 codes, payer_claim_number, sentences, from_status, to_status, note, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING `+claimAckCols,
		c.ClaimID, last+1, c.AckID, string(c.Kind), c.Outcome, jsonList(c.Codes), c.PayerClaimNumber, jsonList(c.Sentences),
		string(c.From), string(c.To), c.Note, c.At))
	if err != nil {
		return gateway.ClaimAcknowledgment{}, fmt.Errorf("add acknowledgment to claim %s: %w", c.ClaimID, mapErr(t.d, err))
	}
	return out, nil
}

// ClaimAcknowledgments implements gateway.AckTx.
func (t *tx) ClaimAcknowledgments(ctx context.Context, claimID string) ([]gateway.ClaimAcknowledgment, error) {
	id := gateway.NormalizeClaimID(claimID)
	rows, err := t.q.Query(ctx, `SELECT `+claimAckCols+` FROM claim_acknowledgments WHERE claim_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("acknowledgments of claim %s: %w", id, err)
	}
	defer rows.Close()
	out := []gateway.ClaimAcknowledgment{}
	for rows.Next() {
		c, err := scanClaimAck(rows)
		if err != nil {
			return nil, fmt.Errorf("acknowledgments of claim %s: %w", id, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("acknowledgments of claim %s: %w", id, err)
	}
	return out, nil
}

const unmatchedCols = `id, ack_id, file_id, payer_id, kind, reason, message, identifiers, created_at`

func scanUnmatched(r scanner) (gateway.UnmatchedAcknowledgment, error) {
	var u gateway.UnmatchedAcknowledgment
	var ids []byte
	if err := r.Scan(&u.ID, &u.AckID, &u.FileID, &u.PayerID, &u.Kind, &u.Reason, &u.Message, &ids, &u.CreatedAt); err != nil {
		return gateway.UnmatchedAcknowledgment{}, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	u.Identifiers = map[string]string{}
	if len(ids) > 0 {
		if err := json.Unmarshal(ids, &u.Identifiers); err != nil {
			return gateway.UnmatchedAcknowledgment{}, fmt.Errorf("identifiers: %w", err)
		}
	}
	return u, nil
}

// AddUnmatchedAcknowledgment implements gateway.AckTx.
func (t *tx) AddUnmatchedAcknowledgment(ctx context.Context, u gateway.UnmatchedAcknowledgment) (gateway.UnmatchedAcknowledgment, error) {
	switch {
	case u.AckID == 0 || u.FileID == 0:
		return gateway.UnmatchedAcknowledgment{}, fmt.Errorf("add unmatched acknowledgment: %w: ack id and file id are required", gateway.ErrInvalid)
	case !ackKindValid(u.Kind):
		return gateway.UnmatchedAcknowledgment{}, fmt.Errorf("add unmatched acknowledgment: %w: kind %q", gateway.ErrInvalid, u.Kind)
	case u.PayerID == "" || u.Reason == "":
		return gateway.UnmatchedAcknowledgment{}, fmt.Errorf("add unmatched acknowledgment: %w: payer id and reason are required", gateway.ErrInvalid)
	}
	if u.Identifiers == nil {
		u.Identifiers = map[string]string{}
	}
	ids, err := json.Marshal(u.Identifiers)
	if err != nil {
		return gateway.UnmatchedAcknowledgment{}, fmt.Errorf("add unmatched acknowledgment: %w", err)
	}
	out, err := scanUnmatched(t.q.QueryRow(ctx, `INSERT INTO unmatched_acknowledgments (ack_id, file_id, payer_id, kind, reason,
 message, identifiers, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+unmatchedCols,
		u.AckID, u.FileID, u.PayerID, string(u.Kind), u.Reason, u.Message, ids, t.clock()))
	if err != nil {
		return gateway.UnmatchedAcknowledgment{}, fmt.Errorf("add unmatched acknowledgment of file %d: %w", u.FileID, mapErr(t.d, err))
	}
	return out, nil
}

// ListUnmatchedAcknowledgments implements gateway.AckTx.
func (t *tx) ListUnmatchedAcknowledgments(ctx context.Context, f gateway.UnmatchedFilter) ([]gateway.UnmatchedAcknowledgment, error) {
	var w where
	if f.PayerID != "" {
		w.add("payer_id = ?", f.PayerID)
	}
	if f.Kind != "" {
		w.add("kind = ?", string(f.Kind))
	}
	if f.FileID != 0 {
		w.add("file_id = ?", f.FileID)
	}
	if f.BeforeID != 0 {
		w.add("id < ?", f.BeforeID)
	}
	q := `SELECT ` + unmatchedCols + ` FROM unmatched_acknowledgments` + w.sql() + ` ORDER BY id DESC LIMIT ` + w.arg(limitOf(f.Limit))
	rows, err := t.q.Query(ctx, q, w.args...)
	out, err := collectRows(rows, err, scanUnmatched)
	if err != nil {
		return nil, fmt.Errorf("list unmatched acknowledgments: %w", mapErr(t.d, err))
	}
	return out, nil
}

const rejectionCols = `id, claim_id, payer_id, claim_ack_id, source, codes, sentences, category, queue, decided_by, reason,
 status, created_at`

func scanRejection(r scanner) (gateway.Rejection, error) {
	var x gateway.Rejection
	var codes, sentences []byte
	if err := r.Scan(&x.ID, &x.ClaimID, &x.PayerID, &x.ClaimAckID, &x.Source, &codes, &sentences, &x.Category, &x.Queue,
		&x.DecidedBy, &x.Reason, &x.Status, &x.CreatedAt); err != nil {
		return gateway.Rejection{}, err
	}
	x.CreatedAt = x.CreatedAt.UTC()
	var err error
	if x.Codes, err = decodeList(codes); err != nil {
		return gateway.Rejection{}, fmt.Errorf("codes: %w", err)
	}
	if x.Sentences, err = decodeList(sentences); err != nil {
		return gateway.Rejection{}, fmt.Errorf("sentences: %w", err)
	}
	return x, nil
}

// AddRejection implements gateway.AckTx.
func (t *tx) AddRejection(ctx context.Context, r gateway.Rejection) (gateway.Rejection, error) {
	r.ClaimID = gateway.NormalizeClaimID(r.ClaimID)
	if r.Status == "" {
		r.Status = gateway.RejectionOpen
	}
	switch {
	case r.ClaimID == "" || r.ClaimAckID == 0 || r.PayerID == "":
		return gateway.Rejection{}, fmt.Errorf("add rejection: %w: claim id, claim ack id and payer id are required", gateway.ErrInvalid)
	case !ackKindValid(r.Source):
		return gateway.Rejection{}, fmt.Errorf("add rejection: %w: source %q", gateway.ErrInvalid, r.Source)
	case r.Category == "" || r.Queue == "":
		return gateway.Rejection{}, fmt.Errorf("add rejection: %w: category and queue are required", gateway.ErrInvalid)
	case r.Status != gateway.RejectionOpen && r.Status != gateway.RejectionResolved:
		return gateway.Rejection{}, fmt.Errorf("add rejection: %w: status %q", gateway.ErrInvalid, r.Status)
	}
	out, err := scanRejection(t.q.QueryRow(ctx, `INSERT INTO rejections (claim_id, payer_id, claim_ack_id, source, codes, sentences,
 category, queue, decided_by, reason, status, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING `+rejectionCols,
		r.ClaimID, r.PayerID, r.ClaimAckID, string(r.Source), jsonList(r.Codes), jsonList(r.Sentences), r.Category, r.Queue,
		r.DecidedBy, r.Reason, r.Status, t.clock()))
	if err != nil {
		return gateway.Rejection{}, fmt.Errorf("add rejection of claim %s: %w", r.ClaimID, mapErr(t.d, err))
	}
	return out, nil
}

// ListRejections implements gateway.AckTx.
func (t *tx) ListRejections(ctx context.Context, f gateway.RejectionFilter) ([]gateway.Rejection, error) {
	var w where
	if f.ClaimID != "" {
		w.add("claim_id = ?", gateway.NormalizeClaimID(f.ClaimID))
	}
	if f.PayerID != "" {
		w.add("payer_id = ?", f.PayerID)
	}
	if f.Source != "" {
		w.add("source = ?", string(f.Source))
	}
	if f.Queue != "" {
		w.add("queue = ?", f.Queue)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.BeforeID != 0 {
		w.add("id < ?", f.BeforeID)
	}
	q := `SELECT ` + rejectionCols + ` FROM rejections` + w.sql() + ` ORDER BY id DESC LIMIT ` + w.arg(limitOf(f.Limit))
	rows, err := t.q.Query(ctx, q, w.args...)
	out, err := collectRows(rows, err, scanRejection)
	if err != nil {
		return nil, fmt.Errorf("list rejections: %w", mapErr(t.d, err))
	}
	return out, nil
}

// BatchesByGroupControl implements gateway.AckTx.
func (t *tx) BatchesByGroupControl(ctx context.Context, payerID string, gs06 int64) ([]gateway.Batch, error) {
	rows, err := t.q.Query(ctx, `SELECT `+batchCols+` FROM batches
 WHERE payer_id = $1 AND gs06 IN ($2, $3) AND file_id IS NOT NULL ORDER BY id DESC`, payerID, gs06, gs06-1)
	if err != nil {
		return nil, fmt.Errorf("batches of %s with group %d: %w", payerID, gs06, err)
	}
	defer rows.Close()
	out := []gateway.Batch{}
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, fmt.Errorf("batches of %s with group %d: %w", payerID, gs06, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("batches of %s with group %d: %w", payerID, gs06, err)
	}
	return out, nil
}

// BatchByInterchangeControl implements gateway.AckTx.
func (t *tx) BatchByInterchangeControl(ctx context.Context, payerID string, isa13 int64) (gateway.Batch, error) {
	b, err := scanBatch(t.q.QueryRow(ctx, `SELECT `+batchCols+` FROM batches WHERE payer_id = $1 AND isa13 = $2`, payerID, isa13))
	if err != nil {
		return gateway.Batch{}, fmt.Errorf("batch of %s with interchange %d: %w", payerID, isa13, mapErr(t.d, err))
	}
	return b, nil
}

// ClaimByPayerClaimNumber implements gateway.AckTx.
func (t *tx) ClaimByPayerClaimNumber(ctx context.Context, payerID, number string) (gateway.Claim, error) {
	if payerID == "" || number == "" {
		return gateway.Claim{}, fmt.Errorf("claim by payer claim number: %w: payer id and number are required", gateway.ErrInvalid)
	}
	c, err := scanClaim(t.q.QueryRow(ctx, `SELECT `+claimCols+` FROM claims WHERE payer_id = $1 AND payer_claim_number = $2
 ORDER BY created_at DESC, id DESC LIMIT 1`, payerID, number))
	if err != nil {
		return gateway.Claim{}, fmt.Errorf("claim of %s by payer claim number: %w", payerID, mapErr(t.d, err))
	}
	return c, nil
}

// SetPayerClaimNumber implements gateway.AckTx.
func (t *tx) SetPayerClaimNumber(ctx context.Context, claimID, number string) error {
	id := gateway.NormalizeClaimID(claimID)
	if number == "" {
		return fmt.Errorf("claim %s: %w: payer claim number is required", id, gateway.ErrInvalid)
	}
	n, err := t.q.Exec(ctx, `UPDATE claims SET payer_claim_number = $2, updated_at = $3 WHERE id = $1`, id, number, t.clock())
	if err != nil {
		return fmt.Errorf("claim %s: set payer claim number: %w", id, mapErr(t.d, err))
	}
	if n == 0 {
		return fmt.Errorf("claim %s: %w", id, gateway.ErrNotFound)
	}
	return nil
}

// staleWhere adds the staleness condition: submitted before one time, accepted_999 before
// another, "before" meaning the time the claim entered its status (claims_waiting.since, the
// time of its last event). The statuses are literals, so that the partial index
// claims_waiting_ack_idx serves generic plans too.
func staleWhere(w *where, submittedBefore, acceptedBefore time.Time) bool {
	var parts []string
	if !submittedBefore.IsZero() {
		parts = append(parts, "(w.status = 'submitted' AND w.since < "+w.arg(ts(submittedBefore))+")")
	}
	if !acceptedBefore.IsZero() {
		parts = append(parts, "(w.status = 'accepted_999' AND w.since < "+w.arg(ts(acceptedBefore))+")")
	}
	if len(parts) == 0 {
		return false
	}
	w.conds = append(w.conds, "("+strings.Join(parts, " OR ")+")")
	return true
}

// staleFrom reads the claims waiting for an acknowledgment (migration 0009).
const staleFrom = ` FROM claims_waiting w JOIN claims c ON c.id = w.claim_id`

func waitingFor(s gateway.ClaimStatus) string {
	if s == gateway.StatusSubmitted {
		return gateway.Waiting999
	}
	return gateway.Waiting277CA
}

func encodeStaleCursor(s gateway.StaleClaim) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(s.Since.UnixMicro(), 10) + "." + s.Claim.ID))
}

// StaleClaims implements gateway.AckTx.
func (t *tx) StaleClaims(ctx context.Context, f gateway.StaleFilter) (gateway.StalePage, error) {
	page := gateway.StalePage{Claims: []gateway.StaleClaim{}}
	var w where
	if !staleWhere(&w, f.SubmittedBefore, f.AcceptedBefore) {
		return page, nil
	}
	if f.PayerID != "" {
		w.add("w.payer_id = ?", f.PayerID)
	}
	if f.SubmitterID != 0 {
		w.add("c.submitter_id = ?", f.SubmitterID)
	}
	if f.Cursor != "" {
		at, id, err := decodeClaimCursor(f.Cursor)
		if err != nil {
			return page, fmt.Errorf("stale claims: %w", err)
		}
		w.add("(w.since > ? OR (w.since = ? AND w.claim_id > ?))", at, at, id)
	}
	limit := limitOf(f.Limit)
	q := `SELECT ` + claimColsC + `, w.since` + staleFrom + w.sql() + ` ORDER BY w.since, w.claim_id LIMIT ` + w.arg(limit+1)
	rows, err := t.q.Query(ctx, q, w.args...)
	if err != nil {
		return page, fmt.Errorf("stale claims: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s gateway.StaleClaim
		c, err := scanClaim(stalePrefix{rows, &s.Since})
		if err != nil {
			return page, fmt.Errorf("stale claims: %w", err)
		}
		s.Claim = c
		s.Since = s.Since.UTC()
		s.WaitingFor = waitingFor(c.Status)
		page.Claims = append(page.Claims, s)
	}
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("stale claims: %w", err)
	}
	if len(page.Claims) > limit {
		page.Claims = page.Claims[:limit]
		page.Next = encodeStaleCursor(page.Claims[limit-1])
	}
	return page, nil
}

// stalePrefix scans a claim row followed by one more column (the status time).
type stalePrefix struct {
	r     scanner
	since *time.Time
}

func (p stalePrefix) Scan(dest ...any) error { return p.r.Scan(append(dest, p.since)...) }

// CountStaleClaims implements gateway.AckTx.
func (t *tx) CountStaleClaims(ctx context.Context, submittedBefore, acceptedBefore time.Time) ([]gateway.StaleCount, error) {
	out := []gateway.StaleCount{}
	var w where
	if !staleWhere(&w, submittedBefore, acceptedBefore) {
		return out, nil
	}
	rows, err := t.q.Query(ctx, `SELECT w.payer_id, w.status, COUNT(*) FROM claims_waiting w`+w.sql()+
		` GROUP BY w.payer_id, w.status ORDER BY w.payer_id, w.status`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("count stale claims: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var payer string
		var status gateway.ClaimStatus
		var n int64
		if err := rows.Scan(&payer, &status, &n); err != nil {
			return nil, fmt.Errorf("count stale claims: %w", err)
		}
		out = append(out, gateway.StaleCount{PayerID: payer, WaitingFor: waitingFor(status), Count: int(n)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count stale claims: %w", err)
	}
	return out, nil
}

// The Store's acknowledgment methods each run in a transaction of their own.

// RecordAcknowledgment implements gateway.AckTx.
func (s *Store) RecordAcknowledgment(ctx context.Context, a gateway.Acknowledgment) (out gateway.Acknowledgment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.RecordAcknowledgment(ctx, a); return e })
	return out, err
}

// GetAcknowledgment implements gateway.AckTx.
func (s *Store) GetAcknowledgment(ctx context.Context, id int64) (out gateway.Acknowledgment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.GetAcknowledgment(ctx, id); return e })
	return out, err
}

// ListAcknowledgments implements gateway.AckTx.
func (s *Store) ListAcknowledgments(ctx context.Context, f gateway.AckFilter) (out []gateway.Acknowledgment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListAcknowledgments(ctx, f); return e })
	return out, err
}

// AddClaimAcknowledgment implements gateway.AckTx.
func (s *Store) AddClaimAcknowledgment(ctx context.Context, c gateway.ClaimAcknowledgment) (out gateway.ClaimAcknowledgment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.AddClaimAcknowledgment(ctx, c); return e })
	return out, err
}

// ClaimAcknowledgments implements gateway.AckTx.
func (s *Store) ClaimAcknowledgments(ctx context.Context, claimID string) (out []gateway.ClaimAcknowledgment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimAcknowledgments(ctx, claimID); return e })
	return out, err
}

// AddUnmatchedAcknowledgment implements gateway.AckTx.
func (s *Store) AddUnmatchedAcknowledgment(ctx context.Context, u gateway.UnmatchedAcknowledgment) (out gateway.UnmatchedAcknowledgment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.AddUnmatchedAcknowledgment(ctx, u); return e })
	return out, err
}

// ListUnmatchedAcknowledgments implements gateway.AckTx.
func (s *Store) ListUnmatchedAcknowledgments(ctx context.Context, f gateway.UnmatchedFilter) (out []gateway.UnmatchedAcknowledgment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListUnmatchedAcknowledgments(ctx, f); return e })
	return out, err
}

// AddRejection implements gateway.AckTx.
func (s *Store) AddRejection(ctx context.Context, r gateway.Rejection) (out gateway.Rejection, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.AddRejection(ctx, r); return e })
	return out, err
}

// ListRejections implements gateway.AckTx.
func (s *Store) ListRejections(ctx context.Context, f gateway.RejectionFilter) (out []gateway.Rejection, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListRejections(ctx, f); return e })
	return out, err
}

// BatchesByGroupControl implements gateway.AckTx.
func (s *Store) BatchesByGroupControl(ctx context.Context, payerID string, gs06 int64) (out []gateway.Batch, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.BatchesByGroupControl(ctx, payerID, gs06); return e })
	return out, err
}

// BatchByInterchangeControl implements gateway.AckTx.
func (s *Store) BatchByInterchangeControl(ctx context.Context, payerID string, isa13 int64) (out gateway.Batch, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.BatchByInterchangeControl(ctx, payerID, isa13); return e })
	return out, err
}

// ClaimByPayerClaimNumber implements gateway.AckTx.
func (s *Store) ClaimByPayerClaimNumber(ctx context.Context, payerID, number string) (out gateway.Claim, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimByPayerClaimNumber(ctx, payerID, number); return e })
	return out, err
}

// SetPayerClaimNumber implements gateway.AckTx.
func (s *Store) SetPayerClaimNumber(ctx context.Context, claimID, number string) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.SetPayerClaimNumber(ctx, claimID, number) })
}

// StaleClaims implements gateway.AckTx.
func (s *Store) StaleClaims(ctx context.Context, f gateway.StaleFilter) (out gateway.StalePage, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.StaleClaims(ctx, f); return e })
	return out, err
}

// CountStaleClaims implements gateway.AckTx.
func (s *Store) CountStaleClaims(ctx context.Context, submittedBefore, acceptedBefore time.Time) (out []gateway.StaleCount, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) {
		out, e = t.CountStaleClaims(ctx, submittedBefore, acceptedBefore)
		return e
	})
	return out, err
}
