package gateway

import "context"

// Tx is every data operation claimgate performs. Inside Store.WithTx the methods run in one
// transaction; called on a Store directly, each runs in its own.
//
// Method groups are declared beside their types (claim.go, submitter.go, ...) and composed here,
// so a feature adds its group without editing another's.
type Tx interface {
	ClaimTx
	SubmitterTx
	FileTx
	BatchTx
	JobTx
	LockTx
	IntakeTx
	SubmissionTx
	RemitTx
	AckTx
	WebhookTx
	DenialTx
}

// Store is the persistence interface; storage/postgres and storage/sqlite implement it and both
// pass storage/storetest.
type Store interface {
	Tx
	// WithTx runs fn in one transaction: committed when fn returns nil, rolled back when it
	// returns an error (returned as is) or panics (re-panicked). fn must use only tx, never
	// the Store, and must not keep tx after returning.
	WithTx(ctx context.Context, fn func(tx Tx) error) error
	// Ping checks the database is reachable.
	Ping(ctx context.Context) error
	// Close releases the connections.
	Close() error
	// Migrate applies pending schema migrations in order; safe to run from several replicas
	// at once and to run again.
	Migrate(ctx context.Context) error
	// SchemaVersion returns the latest applied migration and the latest known to this binary.
	SchemaVersion(ctx context.Context) (current, latest int, err error)
}
