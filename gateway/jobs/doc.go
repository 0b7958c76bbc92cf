// Package jobs runs claimgate's background work: a Runner claims jobs from the store
// (gateway.JobTx, the shape of riverqueue/river), runs the registered Handler for each job's
// kind on a bounded pool of workers, keeps the job's lease alive while the handler runs,
// retries failures with exponential backoff and jitter up to the job's MaxAttempts, and on
// shutdown stops claiming, waits (up to a bound) for running handlers and hands their leases
// back.
//
// Jobs are at-least-once: a replica that dies mid-job loses its lease and another replica
// runs the job again once the lease expires. Handlers must therefore be idempotent, and must
// not put PHI in the errors they return (errors are logged and stored on the job).
//
// Metrics: claimgate_jobs_total{kind,result} (result: completed, failed = will retry,
// discarded, lost = the lease was taken over), claimgate_job_duration_seconds{kind} and
// claimgate_jobs_queued{kind} (available or awaiting retry, refreshed every StatsInterval).
package jobs
