// Package sqlstore is the one SQL implementation of gateway.Store, shared by storage/postgres
// and storage/sqlite. It is written against a tiny driver interface (DB, Querier, Rows, Row)
// and a Dialect describing where the engines differ; it imports no database driver.
//
// SQL rules (see docs/ARCHITECTURE.md): $n placeholders; times passed from Go in UTC and
// truncated to microseconds (never now() in SQL); money as BIGINT cents; ids generated in Go
// where they are public (claim ids), identity columns elsewhere.
//
// Migrations live in migrations/{postgres,sqlite}/NNNN_name.sql and are embedded; Migrate
// applies the pending ones in order inside one transaction that first runs the dialect's
// migration lock (pg_advisory_xact_lock on Postgres; BEGIN IMMEDIATE already serialises SQLite).
package sqlstore
