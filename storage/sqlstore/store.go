package sqlstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

//go:embed migrations
var migrationFS embed.FS

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock used for the times the store writes (created_at, updated_at, ...).
// The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Store) {
		if now != nil {
			s.now = now
		}
	}
}

// Store implements gateway.Store over a DB and a Dialect.
type Store struct {
	db  DB
	d   Dialect
	now func() time.Time
}

var _ gateway.Store = (*Store)(nil)

// New returns a Store. The caller owns db until Close, which closes it.
func New(db DB, d Dialect, opts ...Option) *Store {
	s := &Store{db: db, d: d, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect { return s.d }

// ConcurrentWriters reports whether two write transactions can be open at once; the contract
// suite runs its lock-skipping checks only then.
func (s *Store) ConcurrentWriters() bool { return s.d.ConcurrentWriters }

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// WithTx runs fn in one transaction.
func (s *Store) WithTx(ctx context.Context, fn func(gateway.Tx) error) (err error) {
	dtx, err := s.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", s.d.Name, err)
	}
	done := false
	defer func() {
		if !done {
			// fn panicked: roll back, then let the panic continue.
			_ = dtx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	t := &tx{q: dtx, d: &s.d, now: s.now}
	ferr := fn(t)
	done = true
	if ferr != nil {
		// After a cancelled context the driver has already dropped the connection (and with it
		// the transaction), so a rollback error then says nothing new.
		if rerr := dtx.Rollback(context.WithoutCancel(ctx)); rerr != nil && ctx.Err() == nil {
			return errors.Join(ferr, fmt.Errorf("%s: rollback: %w", s.d.Name, rerr))
		}
		return ferr
	}
	if err := dtx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: commit: %w", s.d.Name, mapErr(&s.d, err))
	}
	return nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func (s *Store) migrations() ([]migration, error) {
	dir := path.Join("migrations", s.d.Name)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: no migrations for dialect %q: %w", s.d.Name, err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: migration %s: name must be NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("sqlstore: migrations %s and %s share a number", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)`

// Migrate applies the pending migrations in order, all in one transaction that first takes
// the dialect's migration lock, so replicas starting together wait for each other and the
// later ones find nothing to do.
func (s *Store) Migrate(ctx context.Context) error { return s.MigrateTo(ctx, 0) }

// MigrateTo is Migrate stopping after migration version (0: the latest). Upgrade tests use it
// to write data under an older schema before migrating it.
func (s *Store) MigrateTo(ctx context.Context, version int) error {
	ms, err := s.migrations()
	if err != nil {
		return err
	}
	if version > 0 {
		n := 0
		for n < len(ms) && ms[n].version <= version {
			n++
		}
		ms = ms[:n]
	}
	dtx, err := s.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%s: migrate: begin: %w", s.d.Name, err)
	}
	defer func() { _ = dtx.Rollback(context.WithoutCancel(ctx)) }()
	if s.d.MigrationLock != "" {
		if _, err := dtx.Exec(ctx, s.d.MigrationLock); err != nil {
			return fmt.Errorf("%s: migrate: lock: %w", s.d.Name, err)
		}
	}
	if _, err := dtx.Exec(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("%s: migrate: %w", s.d.Name, err)
	}
	applied, err := appliedVersions(ctx, dtx)
	if err != nil {
		return fmt.Errorf("%s: migrate: %w", s.d.Name, err)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if _, err := dtx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("%s: migration %s: %w", s.d.Name, m.name, err)
		}
		at := s.now().UTC().Format(time.RFC3339Nano)
		if _, err := dtx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, at); err != nil {
			return fmt.Errorf("%s: migration %s: record: %w", s.d.Name, m.name, err)
		}
	}
	if err := dtx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: migrate: commit: %w", s.d.Name, err)
	}
	return nil
}

func appliedVersions(ctx context.Context, q Querier) (map[int]bool, error) {
	rows, err := q.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[int(v)] = true
	}
	return out, rows.Err()
}

// SchemaVersion returns the highest applied migration (0 before the first Migrate) and the
// highest embedded one.
func (s *Store) SchemaVersion(ctx context.Context) (current, latest int, err error) {
	ms, err := s.migrations()
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	err = s.WithTx(ctx, func(gtx gateway.Tx) error {
		t := gtx.(*tx)
		var exists bool
		if err := t.q.QueryRow(ctx, s.d.TableExists, "schema_migrations").Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return nil
		}
		applied, err := appliedVersions(ctx, t.q)
		if err != nil {
			return err
		}
		for v := range applied {
			current = max(current, v)
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("%s: schema version: %w", s.d.Name, err)
	}
	return current, latest, nil
}
