package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/claimgate/claimgate/storage/sqlstore"
)

// db adapts a pgxpool.Pool to sqlstore.DB.
type db struct{ pool *pgxpool.Pool }

func (d *db) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := d.pool.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (d *db) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	r, err := d.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

func (d *db) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return d.pool.QueryRow(ctx, sql, args...)
}

func (d *db) Begin(ctx context.Context) (sqlstore.DBTx, error) {
	t, err := d.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &tx{t}, nil
}

func (d *db) Ping(ctx context.Context) error { return d.pool.Ping(ctx) }

func (d *db) Close() error {
	d.pool.Close()
	return nil
}

// tx adapts pgx.Tx to sqlstore.DBTx.
type tx struct{ t pgx.Tx }

func (t *tx) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := t.t.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (t *tx) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	r, err := t.t.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

func (t *tx) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return t.t.QueryRow(ctx, sql, args...)
}

func (t *tx) Commit(ctx context.Context) error   { return t.t.Commit(ctx) }
func (t *tx) Rollback(ctx context.Context) error { return t.t.Rollback(ctx) }

// rows adapts pgx.Rows.
type rows struct{ r pgx.Rows }

func (r rows) Next() bool             { return r.r.Next() }
func (r rows) Scan(dest ...any) error { return r.r.Scan(dest...) }
func (r rows) Err() error             { return r.r.Err() }
func (r rows) Close()                 { r.r.Close() }
