package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

const jobCols = `id, kind, COALESCE(unique_key, ''), payload, state, attempt, max_attempts, run_at,
 COALESCE(lease_owner, ''), lease_until, last_error, created_at, updated_at, attempted_at, finalized_at`

func scanJob(r scanner) (gateway.Job, error) {
	var j gateway.Job
	var attempt, maxAttempts int64
	var payload []byte
	if err := r.Scan(&j.ID, &j.Kind, &j.UniqueKey, &payload, &j.State, &attempt, &maxAttempts, &j.RunAt,
		&j.LeaseOwner, &j.LeaseUntil, &j.LastError, &j.CreatedAt, &j.UpdatedAt, &j.AttemptedAt, &j.FinalizedAt); err != nil {
		return gateway.Job{}, err
	}
	if len(payload) > 0 {
		j.Payload = payload
	}
	j.Attempt, j.MaxAttempts = int(attempt), int(maxAttempts)
	j.RunAt, j.CreatedAt, j.UpdatedAt = j.RunAt.UTC(), j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	j.LeaseUntil, j.AttemptedAt, j.FinalizedAt = utcPtr(j.LeaseUntil), utcPtr(j.AttemptedAt), utcPtr(j.FinalizedAt)
	return j, nil
}

func (t *tx) queryJobs(ctx context.Context, q string, args ...any) ([]gateway.Job, error) {
	rows, err := t.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gateway.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// EnqueueJob inserts a job, or returns the existing one with the same unique key.
func (t *tx) EnqueueJob(ctx context.Context, p gateway.JobParams) (gateway.Job, bool, error) {
	if p.Kind == "" {
		return gateway.Job{}, false, fmt.Errorf("enqueue job: %w: kind is required", gateway.ErrInvalid)
	}
	if p.MaxAttempts < 0 {
		return gateway.Job{}, false, fmt.Errorf("enqueue job %s: %w: negative max attempts", p.Kind, gateway.ErrInvalid)
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = gateway.DefaultMaxAttempts
	}
	if err := checkJSON("job payload", p.Payload); err != nil {
		return gateway.Job{}, false, fmt.Errorf("enqueue job %s: %w", p.Kind, err)
	}
	now := t.clock()
	runAt := now
	if !p.RunAt.IsZero() {
		runAt = ts(p.RunAt)
	}
	jobs, err := t.queryJobs(ctx, `INSERT INTO jobs (kind, unique_key, payload, state, attempt, max_attempts, run_at, last_error, created_at, updated_at)
VALUES ($1, $2, $3, 'available', 0, $4, $5, '', $6, $6) ON CONFLICT (unique_key) DO NOTHING RETURNING `+jobCols,
		p.Kind, nullString(p.UniqueKey), nullJSON(p.Payload), p.MaxAttempts, runAt, now)
	if err != nil {
		return gateway.Job{}, false, fmt.Errorf("enqueue job %s: %w", p.Kind, mapErr(t.d, err))
	}
	if len(jobs) == 1 {
		return jobs[0], true, nil
	}
	// The unique key exists (a concurrent enqueuer that has committed, or an older job).
	j, err := scanJob(t.q.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE unique_key = $1`, p.UniqueKey))
	if err != nil {
		return gateway.Job{}, false, fmt.Errorf("enqueue job %s: existing: %w", p.Kind, mapErr(t.d, err))
	}
	return j, false, nil
}

// GetJob returns a job by id.
func (t *tx) GetJob(ctx context.Context, id int64) (gateway.Job, error) {
	j, err := scanJob(t.q.QueryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = $1`, id))
	if err != nil {
		return gateway.Job{}, fmt.Errorf("job %d: %w", id, mapErr(t.d, err))
	}
	return j, nil
}

// ClaimJobs leases ready jobs to owner. The inner SELECT picks the rows; on Postgres the
// dialect's ClaimLock (FOR UPDATE SKIP LOCKED) locks them and makes concurrent claimers skip
// rows another transaction has picked instead of waiting on them and then taking them again.
func (t *tx) ClaimJobs(ctx context.Context, owner string, kinds []string, limit int, now time.Time, lease time.Duration) ([]gateway.Job, error) {
	if owner == "" || limit < 1 || lease <= 0 {
		return nil, fmt.Errorf("claim jobs: %w: owner, limit >= 1 and lease > 0 are required", gateway.ErrInvalid)
	}
	now = ts(now)
	var w where
	pOwner, pUntil, pNow := w.arg(owner), w.arg(now.Add(lease)), w.arg(now)
	inner := `SELECT id FROM jobs WHERE ((state IN ('available', 'failed') AND run_at <= ` + pNow +
		`) OR (state = 'running' AND lease_until <= ` + pNow + `))`
	if len(kinds) > 0 {
		ph := make([]string, len(kinds))
		for i, k := range kinds {
			ph[i] = w.arg(k)
		}
		inner += ` AND kind IN (` + strings.Join(ph, ", ") + `)`
	}
	inner += ` ORDER BY run_at, id LIMIT ` + w.arg(limit) + t.d.ClaimLock
	q := `UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = ` + pOwner +
		`, lease_until = ` + pUntil + `, attempted_at = ` + pNow + `, updated_at = ` + pNow +
		` WHERE id IN (` + inner + `) RETURNING ` + jobCols
	jobs, err := t.queryJobs(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	sort.Slice(jobs, func(i, j int) bool {
		if !jobs[i].RunAt.Equal(jobs[j].RunAt) {
			return jobs[i].RunAt.Before(jobs[j].RunAt)
		}
		return jobs[i].ID < jobs[j].ID
	})
	return jobs, nil
}

// heldConflict explains why owner's update of job id matched nothing.
func (t *tx) heldConflict(ctx context.Context, op string, id int64, owner string) error {
	var state gateway.JobState
	var holder string
	err := t.q.QueryRow(ctx, `SELECT state, COALESCE(lease_owner, '') FROM jobs WHERE id = $1`, id).Scan(&state, &holder)
	if err != nil {
		return fmt.Errorf("%s job %d: %w", op, id, mapErr(t.d, err))
	}
	if state == gateway.JobRunning && holder != owner {
		return fmt.Errorf("%s job %d: %w: lease lost to another worker", op, id, gateway.ErrConflict)
	}
	return fmt.Errorf("%s job %d: %w: job is %s, not running for this worker", op, id, gateway.ErrConflict, state)
}

// CompleteJob marks owner's job completed.
func (t *tx) CompleteJob(ctx context.Context, id int64, owner string) error {
	now := t.clock()
	n, err := t.q.Exec(ctx, `UPDATE jobs SET state = 'completed', lease_until = NULL, finalized_at = $3, updated_at = $3
WHERE id = $1 AND state = 'running' AND lease_owner = $2`, id, owner, now)
	if err != nil {
		return fmt.Errorf("complete job %d: %w", id, err)
	}
	if n == 0 {
		return t.heldConflict(ctx, "complete", id, owner)
	}
	return nil
}

// FailJob records a failed attempt of owner's job.
func (t *tx) FailJob(ctx context.Context, id int64, owner, errMsg string, retryAt time.Time, discard bool) error {
	now := t.clock()
	var n int64
	var err error
	if discard {
		n, err = t.q.Exec(ctx, `UPDATE jobs SET state = 'discarded', lease_until = NULL, last_error = $3, finalized_at = $4,
 updated_at = $4 WHERE id = $1 AND state = 'running' AND lease_owner = $2`, id, owner, errMsg, now)
	} else {
		if retryAt.IsZero() {
			retryAt = now
		}
		n, err = t.q.Exec(ctx, `UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = $3, run_at = $4,
 updated_at = $5 WHERE id = $1 AND state = 'running' AND lease_owner = $2`, id, owner, errMsg, ts(retryAt), now)
	}
	if err != nil {
		return fmt.Errorf("fail job %d: %w", id, err)
	}
	if n == 0 {
		return t.heldConflict(ctx, "fail", id, owner)
	}
	return nil
}

// ExtendLease moves owner's lease on a running job.
func (t *tx) ExtendLease(ctx context.Context, id int64, owner string, until time.Time) error {
	n, err := t.q.Exec(ctx, `UPDATE jobs SET lease_until = $3, updated_at = $4 WHERE id = $1 AND state = 'running' AND lease_owner = $2`,
		id, owner, ts(until), t.clock())
	if err != nil {
		return fmt.Errorf("extend lease of job %d: %w", id, err)
	}
	if n == 0 {
		return t.heldConflict(ctx, "extend lease of", id, owner)
	}
	return nil
}

// ReleaseLeases makes owner's running jobs available again, uncounting the interrupted attempt.
func (t *tx) ReleaseLeases(ctx context.Context, owner string) (int, error) {
	n, err := t.q.Exec(ctx, `UPDATE jobs SET state = 'available', lease_owner = NULL, lease_until = NULL,
 attempt = CASE WHEN attempt > 0 THEN attempt - 1 ELSE 0 END, updated_at = $2
WHERE state = 'running' AND lease_owner = $1`, owner, t.clock())
	if err != nil {
		return 0, fmt.Errorf("release leases of %s: %w", owner, err)
	}
	return int(n), nil
}

// JobStats counts jobs per kind and state.
func (t *tx) JobStats(ctx context.Context) ([]gateway.JobStat, error) {
	rows, err := t.q.Query(ctx, `SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, fmt.Errorf("job stats: %w", err)
	}
	defer rows.Close()
	out := []gateway.JobStat{}
	for rows.Next() {
		var s gateway.JobStat
		if err := rows.Scan(&s.Kind, &s.State, &s.Count); err != nil {
			return nil, fmt.Errorf("job stats: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("job stats: %w", err)
	}
	return out, nil
}
