package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/claimgate/claimgate/storage/sqlstore"
)

// timeFormat is how times are stored: fixed width, UTC, microseconds, so text order is time
// order.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// conv rewrites arguments: times become fixed-width UTC text.
func conv(args []any) []any {
	out := args
	copied := false
	for i, a := range args {
		var s any
		switch v := a.(type) {
		case time.Time:
			s = v.UTC().Format(timeFormat)
		case *time.Time:
			if v == nil {
				s = nil
			} else {
				s = v.UTC().Format(timeFormat)
			}
		default:
			continue
		}
		if !copied {
			out = append([]any(nil), args...)
			copied = true
		}
		out[i] = s
	}
	return out
}

// timeDest scans a TEXT time column into *time.Time or **time.Time.
type timeDest struct {
	t   *time.Time
	pt  **time.Time
	raw sql.NullString
}

func (d *timeDest) finish() error {
	if !d.raw.Valid {
		if d.pt != nil {
			*d.pt = nil
			return nil
		}
		return fmt.Errorf("sqlite: NULL time scanned into a non-nullable time")
	}
	t, err := time.Parse(timeFormat, d.raw.String)
	if err != nil {
		// Tolerate any RFC 3339 text (e.g. written by hand).
		t, err = time.Parse(time.RFC3339Nano, d.raw.String)
		if err != nil {
			return fmt.Errorf("sqlite: bad time %q: %w", d.raw.String, err)
		}
	}
	t = t.UTC()
	if d.pt != nil {
		*d.pt = &t
	} else {
		*d.t = t
	}
	return nil
}

// scanWith scans through scan, routing time destinations through text.
func scanWith(scan func(...any) error, dest []any) error {
	var times []*timeDest
	d2 := dest
	for i, d := range dest {
		var td *timeDest
		switch v := d.(type) {
		case *time.Time:
			td = &timeDest{t: v}
		case **time.Time:
			td = &timeDest{pt: v}
		default:
			continue
		}
		if times == nil {
			d2 = append([]any(nil), dest...)
		}
		times = append(times, td)
		d2[i] = &td.raw
	}
	if err := scan(d2...); err != nil {
		return err
	}
	for _, td := range times {
		if err := td.finish(); err != nil {
			return err
		}
	}
	return nil
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func exec(ctx context.Context, q querier, query string, args []any) (int64, error) {
	res, err := q.ExecContext(ctx, query, conv(args)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func query(ctx context.Context, q querier, query string, args []any) (sqlstore.Rows, error) {
	r, err := q.QueryContext(ctx, query, conv(args)...)
	if err != nil {
		return nil, err
	}
	return &rows{r: r}, nil
}

// db adapts *sql.DB to sqlstore.DB.
type db struct{ db *sql.DB }

func (d *db) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return exec(ctx, d.db, q, args)
}

func (d *db) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return query(ctx, d.db, q, args)
}

func (d *db) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return row{d.db.QueryRowContext(ctx, q, conv(args)...)}
}

// Begin starts a transaction; the DSN's _txlock=immediate makes it BEGIN IMMEDIATE, taking the
// write lock up front so a read-then-write transaction never fails to upgrade.
func (d *db) Begin(ctx context.Context) (sqlstore.DBTx, error) {
	t, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &tx{t: t}, nil
}

func (d *db) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }
func (d *db) Close() error                   { return d.db.Close() }

// tx adapts *sql.Tx to sqlstore.DBTx.
type tx struct{ t *sql.Tx }

func (t *tx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return exec(ctx, t.t, q, args)
}

func (t *tx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return query(ctx, t.t, q, args)
}

func (t *tx) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return row{t.t.QueryRowContext(ctx, q, conv(args)...)}
}

func (t *tx) Commit(context.Context) error { return t.t.Commit() }

func (t *tx) Rollback(context.Context) error {
	err := t.t.Rollback()
	if err == sql.ErrTxDone {
		return nil
	}
	return err
}

type row struct{ r *sql.Row }

func (r row) Scan(dest ...any) error { return scanWith(r.r.Scan, dest) }

type rows struct{ r *sql.Rows }

func (r *rows) Next() bool             { return r.r.Next() }
func (r *rows) Scan(dest ...any) error { return scanWith(r.r.Scan, dest) }
func (r *rows) Err() error             { return r.r.Err() }
func (r *rows) Close()                 { _ = r.r.Close() }
