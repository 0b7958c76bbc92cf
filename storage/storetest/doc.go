// Package storetest is the contract every gateway.Store must meet: one suite, Run, that
// storage/postgres and storage/sqlite both call from their tests, plus helpers to give each
// test a fresh database (PostgresURL, a private schema per test).
//
// Postgres tests use CLAIMGATE_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). When it cannot be reached they are
// skipped with a loud message, unless CLAIMGATE_REQUIRE_POSTGRES=1, which makes them fail.
package storetest
