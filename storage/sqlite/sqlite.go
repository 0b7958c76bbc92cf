package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/claimgate/claimgate/storage/sqlstore"
)

// Store is gateway.Store on SQLite.
type Store struct {
	*sqlstore.Store
}

// Option configures Open.
type Option func(*options)

type options struct {
	clock       func() time.Time
	busyTimeout time.Duration
}

// WithClock sets the store's clock (default time.Now), for tests.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithBusyTimeout sets how long a statement waits for a lock held by another process on the
// same file before failing (default 10s).
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// Dialect is the SQLite dialect for sqlstore.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:              "sqlite",
		ClaimLock:         "", // BEGIN IMMEDIATE on the one connection already serialises claimers
		MigrationLock:     "", // likewise
		TableExists:       `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = $1`,
		ConcurrentWriters: false,
		IsNoRows:          func(err error) bool { return errors.Is(err, sql.ErrNoRows) },
		IsUniqueViolation: func(err error) bool {
			var se *sqlitedrv.Error
			if !errors.As(err, &se) {
				return false
			}
			code := se.Code()
			return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
		},
	}
}

// Open opens (creating it and its directory if needed) the database file at path. It does not
// migrate.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{busyTimeout: 10 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create directory for %s: %w", path, err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + escapePath(path) + "?" + q.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// One connection: SQLite allows one writer anyway, and one connection makes every
	// transaction wait its turn in Go instead of failing with SQLITE_BUSY.
	sdb.SetMaxOpenConns(1)
	sdb.SetMaxIdleConns(1)
	sdb.SetConnMaxLifetime(0)
	sdb.SetConnMaxIdleTime(0)
	if err := sdb.PingContext(ctx); err != nil {
		_ = sdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	var sopts []sqlstore.Option
	if o.clock != nil {
		sopts = append(sopts, sqlstore.WithClock(o.clock))
	}
	return &Store{Store: sqlstore.New(&db{db: sdb}, Dialect(), sopts...)}, nil
}

// escapePath percent-encodes the characters that would end the path part of a file: URI.
func escapePath(p string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")
	return r.Replace(p)
}
