package sqlstore

import (
	"context"
	"errors"
)

// Querier runs statements. Both a DB and a DBTx are Queriers.
type Querier interface {
	// Exec runs a statement and returns the number of rows it affected.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) Row
}

// Rows is a result set. Close must be safe to call more than once.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is a single-row result. Scan returns an error for which Dialect.IsNoRows is true when
// there was no row.
type Row interface {
	Scan(dest ...any) error
}

// DB is a connection pool.
type DB interface {
	Querier
	Begin(ctx context.Context) (DBTx, error)
	Ping(ctx context.Context) error
	Close() error
}

// DBTx is an open transaction.
type DBTx interface {
	Querier
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Dialect is what differs between engines.
type Dialect struct {
	// Name selects the migrations directory: "postgres" or "sqlite".
	Name string
	// ClaimLock is appended to the job-claiming subquery: " FOR UPDATE SKIP LOCKED" on
	// Postgres, so concurrent claimers skip each other's rows instead of waiting for them or
	// taking them twice; "" on SQLite, where the single writer serialises claimers.
	ClaimLock string
	// MigrationLock runs first in the migration transaction ("" for none).
	MigrationLock string
	// TableExists is a query with one parameter, a table name, returning one boolean row:
	// whether the table exists in the current schema.
	TableExists string
	// ConcurrentWriters is true when two write transactions can be open at once (Postgres).
	ConcurrentWriters bool
	// IsNoRows reports a Row.Scan error meaning "no row".
	IsNoRows func(error) bool
	// IsUniqueViolation reports a unique or primary key violation.
	IsUniqueViolation func(error) bool
}

// ErrNoRows may be returned (wrapped) by drivers for an empty Row; IsNoRows is checked as well.
var ErrNoRows = errors.New("sqlstore: no rows")
