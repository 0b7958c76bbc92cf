package sqlstore

import (
	"context"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// The Store's data methods each run the Tx method in a transaction of its own.

// CreateClaim implements gateway.ClaimTx.
func (s *Store) CreateClaim(ctx context.Context, c gateway.Claim, ev gateway.EventInput) (out gateway.Claim, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.CreateClaim(ctx, c, ev); return e })
	return out, err
}

// GetClaim implements gateway.ClaimTx.
func (s *Store) GetClaim(ctx context.Context, id string, submitterID int64) (out gateway.Claim, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.GetClaim(ctx, id, submitterID); return e })
	return out, err
}

// ClaimByExternalID implements gateway.ClaimTx.
func (s *Store) ClaimByExternalID(ctx context.Context, submitterID int64, externalID string) (out gateway.Claim, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimByExternalID(ctx, submitterID, externalID); return e })
	return out, err
}

// ListClaims implements gateway.ClaimTx.
func (s *Store) ListClaims(ctx context.Context, f gateway.ClaimFilter) (out gateway.ClaimPage, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListClaims(ctx, f); return e })
	return out, err
}

// TransitionClaim implements gateway.ClaimTx.
func (s *Store) TransitionClaim(ctx context.Context, claimID string, to gateway.ClaimStatus, ev gateway.EventInput) (out gateway.Claim, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.TransitionClaim(ctx, claimID, to, ev); return e })
	return out, err
}

// ClaimEvents implements gateway.ClaimTx.
func (s *Store) ClaimEvents(ctx context.Context, claimID string) (out []gateway.ClaimEvent, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimEvents(ctx, claimID); return e })
	return out, err
}

// PutIdempotencyKey implements gateway.ClaimTx.
func (s *Store) PutIdempotencyKey(ctx context.Context, k gateway.IdempotencyKey) (out gateway.IdempotencyKey, created bool, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, created, e = t.PutIdempotencyKey(ctx, k); return e })
	return out, created, err
}

// CreateSubmitter implements gateway.SubmitterTx.
func (s *Store) CreateSubmitter(ctx context.Context, sub gateway.Submitter) (out gateway.Submitter, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.CreateSubmitter(ctx, sub); return e })
	return out, err
}

// GetSubmitter implements gateway.SubmitterTx.
func (s *Store) GetSubmitter(ctx context.Context, id int64) (out gateway.Submitter, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.GetSubmitter(ctx, id); return e })
	return out, err
}

// SubmitterByName implements gateway.SubmitterTx.
func (s *Store) SubmitterByName(ctx context.Context, name string) (out gateway.Submitter, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.SubmitterByName(ctx, name); return e })
	return out, err
}

// ListSubmitters implements gateway.SubmitterTx.
func (s *Store) ListSubmitters(ctx context.Context) (out []gateway.Submitter, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListSubmitters(ctx); return e })
	return out, err
}

// RevokeSubmitter implements gateway.SubmitterTx.
func (s *Store) RevokeSubmitter(ctx context.Context, name string) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.RevokeSubmitter(ctx, name) })
}

// SetSubmitterWebhook implements gateway.SubmitterTx.
func (s *Store) SetSubmitterWebhook(ctx context.Context, name, url, secret string) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.SetSubmitterWebhook(ctx, name, url, secret) })
}

// SubmitterByTokenHash implements gateway.SubmitterTx.
func (s *Store) SubmitterByTokenHash(ctx context.Context, hash string) (out gateway.Submitter, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.SubmitterByTokenHash(ctx, hash); return e })
	return out, err
}

// ArchiveFile implements gateway.FileTx.
func (s *Store) ArchiveFile(ctx context.Context, f gateway.File) (out gateway.File, created bool, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, created, e = t.ArchiveFile(ctx, f); return e })
	return out, created, err
}

// GetFile implements gateway.FileTx.
func (s *Store) GetFile(ctx context.Context, id int64) (out gateway.File, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.GetFile(ctx, id); return e })
	return out, err
}

// SetFileStatus implements gateway.FileTx.
func (s *Store) SetFileStatus(ctx context.Context, id int64, status gateway.FileStatus, reason string) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.SetFileStatus(ctx, id, status, reason) })
}

// ListFiles implements gateway.FileTx.
func (s *Store) ListFiles(ctx context.Context, f gateway.FileFilter) (out []gateway.File, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListFiles(ctx, f); return e })
	return out, err
}

// CreateBatch implements gateway.BatchTx.
func (s *Store) CreateBatch(ctx context.Context, b gateway.Batch) (out gateway.Batch, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.CreateBatch(ctx, b); return e })
	return out, err
}

// GetBatch implements gateway.BatchTx.
func (s *Store) GetBatch(ctx context.Context, id int64) (out gateway.Batch, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.GetBatch(ctx, id); return e })
	return out, err
}

// UpdateBatch implements gateway.BatchTx.
func (s *Store) UpdateBatch(ctx context.Context, b gateway.Batch) (out gateway.Batch, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.UpdateBatch(ctx, b); return e })
	return out, err
}

// ListBatches implements gateway.BatchTx.
func (s *Store) ListBatches(ctx context.Context, f gateway.BatchFilter) (out []gateway.Batch, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListBatches(ctx, f); return e })
	return out, err
}

// NextControlNumbers implements gateway.BatchTx.
func (s *Store) NextControlNumbers(ctx context.Context, payerID, kind string, n int) (first int64, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { first, e = t.NextControlNumbers(ctx, payerID, kind, n); return e })
	return first, err
}

// EnqueueJob implements gateway.JobTx.
func (s *Store) EnqueueJob(ctx context.Context, p gateway.JobParams) (out gateway.Job, inserted bool, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, inserted, e = t.EnqueueJob(ctx, p); return e })
	return out, inserted, err
}

// GetJob implements gateway.JobTx.
func (s *Store) GetJob(ctx context.Context, id int64) (out gateway.Job, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.GetJob(ctx, id); return e })
	return out, err
}

// ClaimJobs implements gateway.JobTx.
func (s *Store) ClaimJobs(ctx context.Context, owner string, kinds []string, limit int, now time.Time, lease time.Duration) (out []gateway.Job, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimJobs(ctx, owner, kinds, limit, now, lease); return e })
	return out, err
}

// CompleteJob implements gateway.JobTx.
func (s *Store) CompleteJob(ctx context.Context, id int64, owner string) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.CompleteJob(ctx, id, owner) })
}

// FailJob implements gateway.JobTx.
func (s *Store) FailJob(ctx context.Context, id int64, owner, errMsg string, retryAt time.Time, discard bool) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.FailJob(ctx, id, owner, errMsg, retryAt, discard) })
}

// ExtendLease implements gateway.JobTx.
func (s *Store) ExtendLease(ctx context.Context, id int64, owner string, until time.Time) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.ExtendLease(ctx, id, owner, until) })
}

// ReleaseLeases implements gateway.JobTx.
func (s *Store) ReleaseLeases(ctx context.Context, owner string) (n int, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { n, e = t.ReleaseLeases(ctx, owner); return e })
	return n, err
}

// JobStats implements gateway.JobTx.
func (s *Store) JobStats(ctx context.Context) (out []gateway.JobStat, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.JobStats(ctx); return e })
	return out, err
}

// AcquireLease implements gateway.LockTx.
func (s *Store) AcquireLease(ctx context.Context, key, owner string, until time.Time) (ok bool, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { ok, e = t.AcquireLease(ctx, key, owner, until); return e })
	return ok, err
}

// ReleaseLease implements gateway.LockTx.
func (s *Store) ReleaseLease(ctx context.Context, key, owner string) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.ReleaseLease(ctx, key, owner) })
}
