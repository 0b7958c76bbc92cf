// Package gateway is claimgate's application core: the claim life cycle and its append-only
// events, submitters and their API tokens, the archive of every inbound and outbound X12 file,
// 837 batches and their control numbers, the durable job queue, and the Store interface that
// the storage packages (storage/postgres, storage/sqlite) implement.
//
// Every change that must be atomic with another (a status change and its event, a claim and
// the job that processes it, a file archive and its effects) is made inside one
// Store.WithTx. Methods called on the Store directly each run in their own transaction.
//
// Errors returned by Store methods wrap one of the sentinel errors ErrNotFound, ErrConflict
// or ErrInvalid when the cause is one of those, so callers test with errors.Is.
package gateway
