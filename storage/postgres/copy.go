package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/claimgate/claimgate/storage/sqlstore"
)

// The Postgres transaction bulk-inserts with COPY (sqlstore.CopyFromer).
var _ sqlstore.CopyFromer = (*tx)(nil)

// CopyFrom implements sqlstore.CopyFromer with pgx's binary COPY FROM STDIN.
func (t *tx) CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error) {
	return t.t.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
}

// The Postgres transaction binds slices as arrays (sqlstore.ArrayBinder).
var _ sqlstore.ArrayBinder = (*tx)(nil)

// BindsArrays implements sqlstore.ArrayBinder.
func (t *tx) BindsArrays() bool { return true }
