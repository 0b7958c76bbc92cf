// Package postgres is claimgate's production store: gateway.Store on PostgreSQL through
// jackc/pgx/v5's pgxpool, sharing its SQL with storage/sqlite via storage/sqlstore.
//
// Postgres-specific parts: jobs are claimed with SELECT ... FOR UPDATE SKIP LOCKED so any
// number of replicas can run workers against one database; migrations run under
// pg_advisory_xact_lock so replicas starting together wait for each other; unique violations
// (SQLSTATE 23505) become gateway.ErrConflict.
//
// Open takes a URL such as postgres://user@host:5432/db?sslmode=disable; any other query
// parameter (search_path, application_name, ...) is sent as a run-time parameter.
package postgres
