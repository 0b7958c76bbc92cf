package gateway

import (
	"context"
	"time"
)

// JobState is where a job is in the queue (the shape of riverqueue/river).
type JobState string

// Job states.
const (
	JobAvailable JobState = "available" // waiting for RunAt
	JobRunning   JobState = "running"   // claimed by LeaseOwner until LeaseUntil
	JobCompleted JobState = "completed" // done
	JobFailed    JobState = "failed"    // last attempt failed; runs again at RunAt
	JobDiscarded JobState = "discarded" // gave up (attempts exhausted or cancelled); LastError says why
)

// Job is one unit of background work.
type Job struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	UniqueKey   string     `json:"unique_key,omitempty"`
	Payload     []byte     `json:"payload,omitempty"` // JSON
	State       JobState   `json:"state"`
	Attempt     int        `json:"attempt"` // attempts started, including a running one
	MaxAttempts int        `json:"max_attempts"`
	RunAt       time.Time  `json:"run_at"`
	LeaseOwner  string     `json:"lease_owner,omitempty"`
	LeaseUntil  *time.Time `json:"lease_until,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	AttemptedAt *time.Time `json:"attempted_at,omitempty"`
	FinalizedAt *time.Time `json:"finalized_at,omitempty"`
}

// DefaultMaxAttempts is used when JobParams.MaxAttempts is zero.
const DefaultMaxAttempts = 25

// JobParams describes a job to enqueue.
type JobParams struct {
	Kind string // required
	// UniqueKey, when set, makes the enqueue idempotent: if any job (in any state) already has
	// this key, nothing is inserted and that job is returned. Use it for cron ticks
	// ("submit:SIMPAYER:2026-11-22T10:05") so N replicas enqueue one job.
	UniqueKey   string
	Payload     []byte    // JSON; nil for none
	RunAt       time.Time // default: now
	MaxAttempts int       // default DefaultMaxAttempts
}

// JobStat is one row of JobStats.
type JobStat struct {
	Kind  string   `json:"kind"`
	State JobState `json:"state"`
	Count int64    `json:"count"`
}

// JobTx is the job queue method group of Tx.
type JobTx interface {
	// EnqueueJob inserts a job. See JobParams.UniqueKey for deduplication: inserted is false
	// when an existing job was returned instead.
	EnqueueJob(ctx context.Context, p JobParams) (job Job, inserted bool, err error)
	// GetJob returns a job by id.
	GetJob(ctx context.Context, id int64) (Job, error)
	// ClaimJobs leases up to limit jobs of the given kinds (all kinds when empty) to owner
	// until now+lease: available or failed jobs whose RunAt <= now, and running jobs whose
	// lease expired before now (their owner died). Each claimed job's Attempt is incremented.
	// Concurrent callers (other transactions, other replicas) never get the same job.
	ClaimJobs(ctx context.Context, owner string, kinds []string, limit int, now time.Time, lease time.Duration) ([]Job, error)
	// CompleteJob marks a job completed. ErrConflict unless owner still holds it.
	CompleteJob(ctx context.Context, id int64, owner string) error
	// FailJob records a failed attempt: the job runs again at retryAt, or with discard it is
	// discarded. ErrConflict unless owner still holds it.
	FailJob(ctx context.Context, id int64, owner, errMsg string, retryAt time.Time, discard bool) error
	// ExtendLease moves a running job's lease to until. ErrConflict unless owner holds it.
	ExtendLease(ctx context.Context, id int64, owner string, until time.Time) error
	// ReleaseLeases makes owner's running jobs available again at once, without counting the
	// interrupted attempt (used at shutdown). It returns how many were released.
	ReleaseLeases(ctx context.Context, owner string) (int, error)
	// JobStats counts jobs per kind and state.
	JobStats(ctx context.Context) ([]JobStat, error)
}

// LockTx is a generic named lease (an advisory lock that survives no longer than its expiry),
// stored in the database so it works across replicas on both engines. Payer submit and poll
// runs take "submit:PAYERID" / "poll:PAYERID" so one replica at a time talks to a payer.
type LockTx interface {
	// AcquireLease takes or renews key for owner until the given time. It returns false, with
	// no error, while another owner holds an unexpired lease.
	AcquireLease(ctx context.Context, key, owner string, until time.Time) (bool, error)
	// ReleaseLease drops owner's lease on key; releasing a lease not held is a no-op.
	ReleaseLease(ctx context.Context, key, owner string) error
}
