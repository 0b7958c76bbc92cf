package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/claimgate/claimgate/storage/sqlstore"
)

// Store is gateway.Store on PostgreSQL.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool
}

// Option configures Open.
type Option func(*options)

type options struct {
	maxConns int32
	clock    func() time.Time
}

// defaultMaxConns is the pool size unless WithMaxConns or the URL's pool_max_conns says
// otherwise: job workers, heartbeats and HTTP requests each hold a connection briefly.
const defaultMaxConns = 10

// WithMaxConns sets the pool size (default 10, or the URL's pool_max_conns).
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = int32(n) } }

// WithClock sets the store's clock (default time.Now), for tests.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// Dialect is the Postgres dialect for sqlstore.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:      "postgres",
		ClaimLock: " FOR UPDATE SKIP LOCKED",
		// One lock per schema: replicas of one deployment serialise, test schemas do not.
		MigrationLock:     `SELECT pg_advisory_xact_lock(hashtext('claimgate.migrate.' || current_schema()))`,
		TableExists:       `SELECT to_regclass($1::text) IS NOT NULL`,
		ConcurrentWriters: true,
		IsNoRows:          func(err error) bool { return errors.Is(err, pgx.ErrNoRows) },
		IsUniqueViolation: func(err error) bool {
			var pe *pgconn.PgError
			return errors.As(err, &pe) && pe.Code == "23505"
		},
	}
}

// Open connects to the database at url and checks it answers. It does not migrate.
// Errors are one line without the password, e.g.
// "postgres: cannot reach 127.0.0.1:5499: connection refused".
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: invalid database url: %s", oneLine(parseErrText(err)))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	switch {
	case o.maxConns > 0:
		cfg.MaxConns = o.maxConns
	case !strings.Contains(url, "pool_max_conns"):
		cfg.MaxConns = defaultMaxConns
	}
	if _, set := cfg.ConnConfig.RuntimeParams["application_name"]; !set {
		cfg.ConnConfig.RuntimeParams["application_name"] = "claimgate"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s", oneLine(err.Error()))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, connectError(cfg.ConnConfig, err)
	}
	var sopts []sqlstore.Option
	if o.clock != nil {
		sopts = append(sopts, sqlstore.WithClock(o.clock))
	}
	return &Store{Store: sqlstore.New(&db{pool: pool}, Dialect(), sopts...), pool: pool}, nil
}

// Pool returns the underlying pool, for Postgres-only features (COPY, LISTEN).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseErrText is pgx's parse error without the connection string it quotes.
func parseErrText(err error) string {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		if inner := errors.Unwrap(pe); inner != nil {
			return inner.Error()
		}
		// The message follows the quoted (redacted) connection string.
		msg := pe.Error()
		if i := strings.LastIndex(msg, "`: "); i >= 0 {
			return msg[i+3:]
		}
		return msg
	}
	return err.Error()
}

// connectError turns a failed first connection into one line naming the address and cause.
func connectError(cfg *pgx.ConnConfig, err error) error {
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if strings.HasPrefix(cfg.Host, "/") {
		addr = cfg.Host
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fmt.Errorf("postgres: cannot connect to %s as user %s, database %s: %s (SQLSTATE %s)", addr, cfg.User, cfg.Database,
			oneLine(pe.Message), pe.Code)
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return fmt.Errorf("postgres: cannot reach %s: %s", addr, errno.Error())
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("postgres: cannot resolve %s: %s", dnsErr.Name, dnsErr.Err)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("postgres: cannot reach %s: timed out", addr)
	}
	// Other failures (TLS, protocol): pgx's innermost message.
	inner := err
	for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
		inner = u
	}
	return fmt.Errorf("postgres: cannot connect to %s: %s", addr, oneLine(inner.Error()))
}
