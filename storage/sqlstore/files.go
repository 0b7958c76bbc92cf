package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/claimgate/claimgate/gateway"
)

const fileMetaCols = `id, direction, payer_id, name, kind, sha256, size, status, reason, created_at`

func scanFile(r scanner, withBytes bool) (gateway.File, error) {
	var f gateway.File
	dest := []any{&f.ID, &f.Direction, &f.PayerID, &f.Name, &f.Kind, &f.SHA256, &f.Size, &f.Status, &f.Reason, &f.CreatedAt}
	if withBytes {
		dest = append(dest, &f.Bytes)
	}
	if err := r.Scan(dest...); err != nil {
		return gateway.File{}, err
	}
	if withBytes && f.Bytes == nil {
		f.Bytes = []byte{}
	}
	f.CreatedAt = f.CreatedAt.UTC()
	return f, nil
}

// ArchiveFile stores a file once per (direction, sha256).
func (t *tx) ArchiveFile(ctx context.Context, f gateway.File) (gateway.File, bool, error) {
	if !f.Direction.Valid() {
		return gateway.File{}, false, fmt.Errorf("archive file: %w: direction %q", gateway.ErrInvalid, f.Direction)
	}
	if f.Kind == "" {
		f.Kind = gateway.KindUnknown
	}
	if !f.Kind.Valid() {
		return gateway.File{}, false, fmt.Errorf("archive file: %w: kind %q", gateway.ErrInvalid, f.Kind)
	}
	if f.Status == "" {
		f.Status = gateway.FileReceived
	}
	if !f.Status.Valid() {
		return gateway.File{}, false, fmt.Errorf("archive file: %w: status %q", gateway.ErrInvalid, f.Status)
	}
	if f.Bytes == nil {
		f.Bytes = []byte{}
	}
	sum := gateway.SHA256Hex(f.Bytes)
	if f.SHA256 != "" && !strings.EqualFold(f.SHA256, sum) {
		return gateway.File{}, false, fmt.Errorf("archive file: %w: sha256 does not match the bytes", gateway.ErrInvalid)
	}
	f.SHA256 = sum
	f.Size = int64(len(f.Bytes))
	f.CreatedAt = t.clock()
	var id int64
	err := t.q.QueryRow(ctx, `INSERT INTO files (direction, payer_id, name, kind, sha256, bytes, size, status, reason, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (direction, sha256) DO NOTHING RETURNING id`,
		string(f.Direction), f.PayerID, f.Name, string(f.Kind), f.SHA256, f.Bytes, f.Size, string(f.Status), f.Reason, f.CreatedAt).Scan(&id)
	if err == nil {
		f.ID = id
		return f, true, nil
	}
	if !t.isNoRows(err) {
		return gateway.File{}, false, fmt.Errorf("archive file: %w", mapErr(t.d, err))
	}
	// Already archived (possibly by a concurrent transaction that has just committed).
	first, err := scanFile(t.q.QueryRow(ctx, `SELECT `+fileMetaCols+`, bytes FROM files WHERE direction = $1 AND sha256 = $2`,
		string(f.Direction), f.SHA256), true)
	if err != nil {
		return gateway.File{}, false, fmt.Errorf("archive file: existing: %w", mapErr(t.d, err))
	}
	return first, false, nil
}

// GetFile returns a file with its bytes.
func (t *tx) GetFile(ctx context.Context, id int64) (gateway.File, error) {
	f, err := scanFile(t.q.QueryRow(ctx, `SELECT `+fileMetaCols+`, bytes FROM files WHERE id = $1`, id), true)
	if err != nil {
		return gateway.File{}, fmt.Errorf("file %d: %w", id, mapErr(t.d, err))
	}
	return f, nil
}

// SetFileStatus records a file's processing outcome.
func (t *tx) SetFileStatus(ctx context.Context, id int64, status gateway.FileStatus, reason string) error {
	if !status.Valid() {
		return fmt.Errorf("file %d: %w: status %q", id, gateway.ErrInvalid, status)
	}
	n, err := t.q.Exec(ctx, `UPDATE files SET status = $2, reason = $3 WHERE id = $1`, id, string(status), reason)
	if err != nil {
		return fmt.Errorf("file %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("file %d: %w", id, gateway.ErrNotFound)
	}
	return nil
}

// ListFiles returns files newest first without bytes.
func (t *tx) ListFiles(ctx context.Context, f gateway.FileFilter) ([]gateway.File, error) {
	var w where
	if f.Direction != "" {
		w.add("direction = ?", string(f.Direction))
	}
	if f.PayerID != "" {
		w.add("payer_id = ?", f.PayerID)
	}
	if f.Kind != "" {
		w.add("kind = ?", string(f.Kind))
	}
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	if f.BeforeID != 0 {
		w.add("id < ?", f.BeforeID)
	}
	q := `SELECT ` + fileMetaCols + ` FROM files` + w.sql() + ` ORDER BY id DESC LIMIT ` + w.arg(limitOf(f.Limit))
	rows, err := t.q.Query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	defer rows.Close()
	out := []gateway.File{}
	for rows.Next() {
		file, err := scanFile(rows, false)
		if err != nil {
			return nil, fmt.Errorf("list files: %w", err)
		}
		out = append(out, file)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	return out, nil
}
