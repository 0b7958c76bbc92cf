// Package sqlite is claimgate's embedded store: gateway.Store on SQLite through the pure-Go
// modernc.org/sqlite driver, sharing its SQL with storage/postgres via storage/sqlstore. It is
// the zero-setup default (`claimgate serve` with no database configured).
//
// The database runs in WAL mode with a busy timeout and foreign keys on, through ONE
// connection: every transaction is BEGIN IMMEDIATE, so writers are serialised and work
// claiming needs no row locks. That makes it a single-replica store: run one claimgate
// process per database file. Use storage/postgres to run several replicas.
//
// Because there is one connection, a function passed to WithTx must use only its Tx: calling
// the Store from inside it waits for the connection the transaction holds, forever.
//
// Times are stored as fixed-width UTC text (2006-01-02T15:04:05.000000Z) so they compare
// correctly as text.
package sqlite
