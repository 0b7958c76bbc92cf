package sqlstore

import (
	"context"
	"fmt"

	"github.com/claimgate/claimgate/gateway"
)

const batchCols = `id, payer_id, isa13, gs06, file_id, status, remote_name, claim_count, created_at, uploaded_at`

func scanBatch(r scanner) (gateway.Batch, error) {
	var b gateway.Batch
	var count int64
	if err := r.Scan(&b.ID, &b.PayerID, &b.ISA13, &b.GS06, &b.FileID, &b.Status, &b.RemoteName, &count,
		&b.CreatedAt, &b.UploadedAt); err != nil {
		return gateway.Batch{}, err
	}
	b.ClaimCount = int(count)
	b.CreatedAt = b.CreatedAt.UTC()
	b.UploadedAt = utcPtr(b.UploadedAt)
	return b, nil
}

// CreateBatch stores a new batch.
func (t *tx) CreateBatch(ctx context.Context, b gateway.Batch) (gateway.Batch, error) {
	if b.PayerID == "" {
		return gateway.Batch{}, fmt.Errorf("create batch: %w: payer id is required", gateway.ErrInvalid)
	}
	if b.Status == "" {
		b.Status = gateway.BatchBuilding
	}
	if !b.Status.Valid() {
		return gateway.Batch{}, fmt.Errorf("create batch: %w: status %q", gateway.ErrInvalid, b.Status)
	}
	if b.ClaimCount < 0 {
		return gateway.Batch{}, fmt.Errorf("create batch: %w: negative claim count", gateway.ErrInvalid)
	}
	b.CreatedAt = t.clock()
	if b.UploadedAt != nil {
		u := ts(*b.UploadedAt)
		b.UploadedAt = &u
	}
	err := t.q.QueryRow(ctx, `INSERT INTO batches (payer_id, isa13, gs06, file_id, status, remote_name, claim_count, created_at, uploaded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		b.PayerID, b.ISA13, b.GS06, nullInt(b.FileID), string(b.Status), b.RemoteName, b.ClaimCount, b.CreatedAt,
		nullTime(b.UploadedAt)).Scan(&b.ID)
	if err != nil {
		return gateway.Batch{}, fmt.Errorf("create batch for %s: %w", b.PayerID, mapErr(t.d, err))
	}
	return b, nil
}

// GetBatch returns a batch by id.
func (t *tx) GetBatch(ctx context.Context, id int64) (gateway.Batch, error) {
	b, err := scanBatch(t.q.QueryRow(ctx, `SELECT `+batchCols+` FROM batches WHERE id = $1`, id))
	if err != nil {
		return gateway.Batch{}, fmt.Errorf("batch %d: %w", id, mapErr(t.d, err))
	}
	return b, nil
}

// UpdateBatch writes a batch's mutable fields.
func (t *tx) UpdateBatch(ctx context.Context, b gateway.Batch) (gateway.Batch, error) {
	if !b.Status.Valid() {
		return gateway.Batch{}, fmt.Errorf("batch %d: %w: status %q", b.ID, gateway.ErrInvalid, b.Status)
	}
	if b.ClaimCount < 0 {
		return gateway.Batch{}, fmt.Errorf("batch %d: %w: negative claim count", b.ID, gateway.ErrInvalid)
	}
	out, err := scanBatch(t.q.QueryRow(ctx, `UPDATE batches SET status = $2, file_id = $3, remote_name = $4, claim_count = $5,
 uploaded_at = $6 WHERE id = $1 RETURNING `+batchCols,
		b.ID, string(b.Status), nullInt(b.FileID), b.RemoteName, b.ClaimCount, nullTime(b.UploadedAt)))
	if err != nil {
		return gateway.Batch{}, fmt.Errorf("batch %d: %w", b.ID, mapErr(t.d, err))
	}
	return out, nil
}

// ListBatches returns batches newest first.
func (t *tx) ListBatches(ctx context.Context, f gateway.BatchFilter) ([]gateway.Batch, error) {
	var w where
	if f.PayerID != "" {
		w.add("payer_id = ?", f.PayerID)
	}
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	q := `SELECT ` + batchCols + ` FROM batches` + w.sql() + ` ORDER BY id DESC LIMIT ` + w.arg(limitOf(f.Limit))
	rows, err := t.q.Query(ctx, q, w.args...)
	out, err := collectRows(rows, err, scanBatch)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", mapErr(t.d, err))
	}
	return out, nil
}

// NextControlNumbers reserves n numbers with one atomic upsert: the row lock it takes holds
// off any other allocation for the same payer and kind until this transaction ends.
func (t *tx) NextControlNumbers(ctx context.Context, payerID, kind string, n int) (int64, error) {
	if payerID == "" || kind == "" || n < 1 {
		return 0, fmt.Errorf("control numbers: %w: payer, kind and n >= 1 are required", gateway.ErrInvalid)
	}
	var last int64
	err := t.q.QueryRow(ctx, `INSERT INTO control_numbers (payer_id, kind, last_value) VALUES ($1, $2, $3)
ON CONFLICT (payer_id, kind) DO UPDATE SET last_value = control_numbers.last_value + excluded.last_value
RETURNING last_value`, payerID, kind, int64(n)).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("control numbers %s/%s: %w", payerID, kind, mapErr(t.d, err))
	}
	return last - int64(n) + 1, nil
}
