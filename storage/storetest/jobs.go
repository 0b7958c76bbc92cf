package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

func testJobEnqueueUnique(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	j, inserted, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "submit", UniqueKey: "submit:SIMPAYER:2026-11-22T10:05",
		Payload: []byte(`{"payer":"SIMPAYER"}`)})
	ok(t, err)
	if !inserted || j.ID == 0 || j.State != gateway.JobAvailable || j.Attempt != 0 || j.MaxAttempts != gateway.DefaultMaxAttempts ||
		string(j.Payload) == "" || j.RunAt.IsZero() {
		t.Fatalf("EnqueueJob = %+v, %v", j, inserted)
	}
	again, inserted, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "submit", UniqueKey: "submit:SIMPAYER:2026-11-22T10:05"})
	ok(t, err)
	if inserted || again.ID != j.ID {
		t.Fatalf("duplicate enqueue = %+v, %v; want job %d, not inserted", again, inserted, j.ID)
	}
	// Still deduplicated once the job has completed (a late replica's cron tick).
	claimed, err := s.ClaimJobs(ctx, "w1", []string{"submit"}, 10, time.Now(), time.Minute)
	ok(t, err)
	if len(claimed) != 1 {
		t.Fatalf("claimed %d jobs", len(claimed))
	}
	ok(t, s.CompleteJob(ctx, j.ID, "w1"))
	again, inserted, err = s.EnqueueJob(ctx, gateway.JobParams{Kind: "submit", UniqueKey: "submit:SIMPAYER:2026-11-22T10:05"})
	ok(t, err)
	if inserted || again.ID != j.ID || again.State != gateway.JobCompleted {
		t.Fatalf("enqueue after completion = %+v, %v", again, inserted)
	}
	// No unique key: every enqueue inserts.
	a, ia, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "webhook"})
	ok(t, err)
	b, ib, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "webhook"})
	ok(t, err)
	if !ia || !ib || a.ID == b.ID {
		t.Fatalf("keyless enqueues = %d %v, %d %v", a.ID, ia, b.ID, ib)
	}
	_, _, err = s.EnqueueJob(ctx, gateway.JobParams{})
	wantErr(t, err, gateway.ErrInvalid)
	_, _, err = s.EnqueueJob(ctx, gateway.JobParams{Kind: "x", Payload: []byte("{nope")})
	wantErr(t, err, gateway.ErrInvalid)
}

func testJobEnqueueUniqueConcurrent(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	const replicas = 8
	ids := make([]int64, replicas)
	ins := make([]bool, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < replicas; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.WithTx(ctx, func(tx gateway.Tx) error {
				j, inserted, err := tx.EnqueueJob(ctx, gateway.JobParams{Kind: "poll", UniqueKey: "poll:SIMPAYER:2026-11-22T10:06"})
				ids[i], ins[i] = j.ID, inserted
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	inserted := 0
	for i := 0; i < replicas; i++ {
		ok(t, errs[i])
		if ids[i] != ids[0] || ids[i] == 0 {
			t.Fatalf("replicas got job ids %v", ids)
		}
		if ins[i] {
			inserted++
		}
	}
	if inserted != 1 {
		t.Fatalf("%d replicas inserted, want 1", inserted)
	}
	stats, err := s.JobStats(ctx)
	ok(t, err)
	if len(stats) != 1 || stats[0].Count != 1 {
		t.Fatalf("job stats = %+v", stats)
	}
}

func testJobLifecycle(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	now := time.Now().UTC()
	later, _, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "poll", RunAt: now.Add(time.Hour)})
	ok(t, err)
	j, _, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "poll", MaxAttempts: 3})
	ok(t, err)
	other, _, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "webhook"})
	ok(t, err)

	got, err := s.ClaimJobs(ctx, "w1", []string{"poll"}, 10, now.Add(time.Second), time.Minute)
	ok(t, err)
	if len(got) != 1 || got[0].ID != j.ID || got[0].State != gateway.JobRunning || got[0].Attempt != 1 ||
		got[0].LeaseOwner != "w1" || got[0].LeaseUntil == nil || got[0].AttemptedAt == nil {
		t.Fatalf("ClaimJobs = %+v (future job %d, other kind %d must wait)", got, later.ID, other.ID)
	}
	again, err := s.ClaimJobs(ctx, "w2", []string{"poll"}, 10, now.Add(2*time.Second), time.Minute)
	ok(t, err)
	if len(again) != 0 {
		t.Fatalf("a leased job was claimed again: %+v", again)
	}
	wantErr(t, s.CompleteJob(ctx, j.ID, "w2"), gateway.ErrConflict)
	wantErr(t, s.ExtendLease(ctx, j.ID, "w2", now.Add(time.Hour)), gateway.ErrConflict)
	ok(t, s.ExtendLease(ctx, j.ID, "w1", now.Add(10*time.Minute)))
	got1, err := s.GetJob(ctx, j.ID)
	ok(t, err)
	if got1.LeaseUntil == nil || !got1.LeaseUntil.Equal(now.Add(10*time.Minute).Truncate(time.Microsecond)) {
		t.Fatalf("extended lease = %v", got1.LeaseUntil)
	}

	retryAt := now.Add(30 * time.Second)
	ok(t, s.FailJob(ctx, j.ID, "w1", "sftp: connection refused", retryAt, false))
	wantErr(t, s.FailJob(ctx, j.ID, "w1", "again", retryAt, false), gateway.ErrConflict) // not running any more
	f, err := s.GetJob(ctx, j.ID)
	ok(t, err)
	if f.State != gateway.JobFailed || f.LastError != "sftp: connection refused" || !f.RunAt.Equal(retryAt.Truncate(time.Microsecond)) || f.LeaseUntil != nil {
		t.Fatalf("failed job = %+v", f)
	}
	early, err := s.ClaimJobs(ctx, "w1", []string{"poll"}, 10, retryAt.Add(-time.Second), time.Minute)
	ok(t, err)
	if len(early) != 0 {
		t.Fatalf("retry claimed before its time: %+v", early)
	}
	second, err := s.ClaimJobs(ctx, "w2", []string{"poll"}, 10, retryAt, time.Minute)
	ok(t, err)
	if len(second) != 1 || second[0].Attempt != 2 || second[0].LeaseOwner != "w2" {
		t.Fatalf("retry claim = %+v", second)
	}
	ok(t, s.FailJob(ctx, j.ID, "w2", "payer rejected login", time.Time{}, true))
	d, err := s.GetJob(ctx, j.ID)
	ok(t, err)
	if d.State != gateway.JobDiscarded || d.FinalizedAt == nil || d.LastError != "payer rejected login" {
		t.Fatalf("discarded job = %+v", d)
	}
	none, err := s.ClaimJobs(ctx, "w3", []string{"poll"}, 10, now.Add(time.Minute), time.Minute)
	ok(t, err)
	if len(none) != 0 {
		t.Fatalf("discarded job claimed: %+v", none)
	}

	all, err := s.ClaimJobs(ctx, "w3", nil, 10, now.Add(2*time.Hour), time.Minute) // every kind
	ok(t, err)
	if len(all) != 2 || all[0].ID != later.ID && all[1].ID != later.ID {
		t.Fatalf("claim all kinds = %+v", all)
	}
	for _, x := range all {
		ok(t, s.CompleteJob(ctx, x.ID, "w3"))
	}
	c, err := s.GetJob(ctx, other.ID)
	ok(t, err)
	if c.State != gateway.JobCompleted || c.FinalizedAt == nil || c.LeaseUntil != nil {
		t.Fatalf("completed job = %+v", c)
	}
	wantErr(t, s.CompleteJob(ctx, 424242, "w3"), gateway.ErrNotFound)
	_, err = s.GetJob(ctx, 424242)
	wantErr(t, err, gateway.ErrNotFound)

	stats, err := s.JobStats(ctx)
	ok(t, err)
	counts := map[string]int64{}
	for _, st := range stats {
		counts[st.Kind+"/"+string(st.State)] = st.Count
	}
	if counts["poll/completed"] != 1 || counts["poll/discarded"] != 1 || counts["webhook/completed"] != 1 || len(counts) != 3 {
		t.Fatalf("JobStats = %+v", stats)
	}
	_, err = s.ClaimJobs(ctx, "", nil, 10, now, time.Minute)
	wantErr(t, err, gateway.ErrInvalid)
}

func testJobExpiredLease(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	j, _, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "submit"})
	ok(t, err)
	now := time.Now().UTC()
	a, err := s.ClaimJobs(ctx, "worker-a", nil, 1, now, 30*time.Second)
	ok(t, err)
	if len(a) != 1 {
		t.Fatalf("worker a claimed %d", len(a))
	}
	// Before the lease ends nobody else gets it...
	b, err := s.ClaimJobs(ctx, "worker-b", nil, 1, now.Add(29*time.Second), 30*time.Second)
	ok(t, err)
	if len(b) != 0 {
		t.Fatalf("live lease taken: %+v", b)
	}
	// ...after it ends (worker a hung or died) worker b does.
	b, err = s.ClaimJobs(ctx, "worker-b", nil, 1, now.Add(31*time.Second), 30*time.Second)
	ok(t, err)
	if len(b) != 1 || b[0].ID != j.ID || b[0].LeaseOwner != "worker-b" || b[0].Attempt != 2 {
		t.Fatalf("expired lease claim = %+v", b)
	}
	wantErr(t, s.CompleteJob(ctx, j.ID, "worker-a"), gateway.ErrConflict)
	wantErr(t, s.FailJob(ctx, j.ID, "worker-a", "late", now, false), gateway.ErrConflict)
	wantErr(t, s.ExtendLease(ctx, j.ID, "worker-a", now.Add(time.Hour)), gateway.ErrConflict)
	ok(t, s.CompleteJob(ctx, j.ID, "worker-b"))
}

func testJobReleaseLeases(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_, _, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "render"})
		ok(t, err)
	}
	now := time.Now().UTC()
	mine, err := s.ClaimJobs(ctx, "leaving", nil, 2, now, time.Hour)
	ok(t, err)
	theirs, err := s.ClaimJobs(ctx, "staying", nil, 1, now, time.Hour)
	ok(t, err)
	if len(mine) != 2 || len(theirs) != 1 {
		t.Fatalf("claimed %d and %d", len(mine), len(theirs))
	}
	n, err := s.ReleaseLeases(ctx, "leaving")
	ok(t, err)
	if n != 2 {
		t.Fatalf("released %d, want 2", n)
	}
	for _, j := range mine {
		got, err := s.GetJob(ctx, j.ID)
		ok(t, err)
		if got.State != gateway.JobAvailable || got.LeaseUntil != nil || got.LeaseOwner != "" || got.Attempt != 0 {
			t.Fatalf("released job = %+v", got)
		}
	}
	got, err := s.GetJob(ctx, theirs[0].ID)
	ok(t, err)
	if got.State != gateway.JobRunning || got.LeaseOwner != "staying" {
		t.Fatalf("another owner's job was released: %+v", got)
	}
	again, err := s.ClaimJobs(ctx, "next", nil, 10, now, time.Hour) // at once, not after the hour
	ok(t, err)
	if len(again) != 2 {
		t.Fatalf("released jobs claimable: %d, want 2", len(again))
	}
}

func testJobsExactlyOnce(t *testing.T, s gateway.Store) {
	if err := CheckExactlyOnce(context.Background(), s, 8, 500); err != nil {
		t.Fatal(err)
	}
}

func testJobsDisjoint(t *testing.T, s gateway.Store) {
	cw, okCW := s.(interface{ ConcurrentWriters() bool })
	if !okCW || !cw.ConcurrentWriters() {
		t.Skip("the engine serialises write transactions (SQLite): two claim transactions cannot be open at once")
	}
	if err := CheckDisjointClaims(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

// CheckExactlyOnce enqueues n jobs and has workers goroutines, each its own owner, claim
// them in batches (each ClaimJobs in its own transaction, held open briefly so claimers
// overlap) and complete them. It fails if any job is claimed by two owners or twice, if any is
// left unfinished, or if a job's attempt count shows a second claim.
//
// Without a row-locking claim (the dialect's ClaimLock = ""), concurrent Postgres claimers read
// the same available rows from their snapshots; the second UPDATE waits for the first, then
// re-checks only the outer "id IN (...)" condition, which still holds, and takes the job
// again: the same job shows up for two owners with attempt 2, and this check fails.
func CheckExactlyOnce(ctx context.Context, s gateway.Store, workers, n int) error {
	const kind = "exactly-once"
	err := s.WithTx(ctx, func(tx gateway.Tx) error {
		for i := 0; i < n; i++ {
			if _, _, err := tx.EnqueueJob(ctx, gateway.JobParams{Kind: kind, Payload: []byte(fmt.Sprintf(`{"n":%d}`, i))}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	var mu sync.Mutex
	claimedBy := map[int64]string{}
	var problems []string
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		owner := fmt.Sprintf("worker-%d", w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var jobs []gateway.Job
				err := s.WithTx(ctx, func(tx gateway.Tx) (err error) {
					jobs, err = tx.ClaimJobs(ctx, owner, []string{kind}, 5, time.Now(), time.Minute)
					if err == nil && len(jobs) > 0 {
						time.Sleep(time.Millisecond) // keep the claim open so other claimers overlap it
					}
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("%s: claim: %w", owner, err)
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					if prev, dup := claimedBy[j.ID]; dup {
						problems = append(problems, fmt.Sprintf("job %d claimed by %s and %s", j.ID, prev, owner))
					}
					claimedBy[j.ID] = owner
					if j.Attempt != 1 {
						problems = append(problems, fmt.Sprintf("job %d claimed with attempt %d", j.ID, j.Attempt))
					}
				}
				mu.Unlock()
				for _, j := range jobs {
					if err := s.WithTx(ctx, func(tx gateway.Tx) error { return tx.CompleteJob(ctx, j.ID, owner) }); err != nil {
						mu.Lock()
						problems = append(problems, fmt.Sprintf("%s: complete job %d: %v", owner, j.ID, err))
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("... and %d more", len(problems)-5))
		}
		return fmt.Errorf("jobs not run exactly once: %v", problems)
	}
	if len(claimedBy) != n {
		return fmt.Errorf("%d of %d jobs were claimed", len(claimedBy), n)
	}
	stats, err := s.JobStats(ctx)
	if err != nil {
		return err
	}
	for _, st := range stats {
		if st.Kind == kind && st.State != gateway.JobCompleted {
			return fmt.Errorf("%d %s jobs left %s", st.Count, kind, st.State)
		}
	}
	return nil
}

// CheckDisjointClaims needs an engine with concurrent write transactions (Postgres). It
// enqueues 20 jobs; transaction A claims 10 and stays open; transaction B then claims, with a
// 5-second deadline, while A still holds its rows. B must return at once with the other 10.
//
// This is what SKIP LOCKED buys: with a plain FOR UPDATE (ClaimLock = " FOR UPDATE"), B's
// subquery blocks on the first row A locked until A ends, so B misses its deadline and the
// check fails; with no lock clause, B's UPDATE blocks on A's updated rows the same way (and,
// once A commits, takes them a second time; see CheckExactlyOnce).
func CheckDisjointClaims(ctx context.Context, s gateway.Store) error {
	const kind = "disjoint"
	for i := 0; i < 20; i++ {
		if _, _, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: kind}); err != nil {
			return err
		}
	}
	now := time.Now()
	aClaimed := make(chan []gateway.Job, 1)
	bDone := make(chan struct{})
	aErr := make(chan error, 1)
	go func() {
		aErr <- s.WithTx(ctx, func(tx gateway.Tx) error {
			jobs, err := tx.ClaimJobs(ctx, "tx-a", []string{kind}, 10, now, time.Minute)
			if err != nil {
				close(aClaimed)
				return err
			}
			aClaimed <- jobs
			select { // hold the rows until B has tried
			case <-bDone:
			case <-time.After(30 * time.Second):
			}
			return nil
		})
	}()
	aJobs, okA := <-aClaimed
	if !okA {
		return fmt.Errorf("transaction A: %w", <-aErr)
	}
	bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	var bJobs []gateway.Job
	bErr := s.WithTx(bctx, func(tx gateway.Tx) (err error) {
		bJobs, err = tx.ClaimJobs(bctx, "tx-b", []string{kind}, 10, now, time.Minute)
		return err
	})
	cancel()
	close(bDone)
	if err := <-aErr; err != nil {
		return fmt.Errorf("transaction A: %w", err)
	}
	if bErr != nil {
		if errors.Is(bErr, context.DeadlineExceeded) || bctx.Err() != nil {
			return fmt.Errorf("a second claimer blocked on the rows the first holds (missing SKIP LOCKED?): %w", bErr)
		}
		return fmt.Errorf("transaction B: %w", bErr)
	}
	if len(aJobs) != 10 || len(bJobs) != 10 {
		return fmt.Errorf("claimed %d and %d jobs, want 10 and 10", len(aJobs), len(bJobs))
	}
	seen := map[int64]bool{}
	for _, j := range aJobs {
		seen[j.ID] = true
	}
	for _, j := range bJobs {
		if seen[j.ID] {
			return fmt.Errorf("job %d claimed by both transactions", j.ID)
		}
	}
	return nil
}

func testLeases(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	now := time.Now().UTC()
	got, err := s.AcquireLease(ctx, "submit:SIMPAYER", "replica-1", now.Add(time.Minute))
	ok(t, err)
	if !got {
		t.Fatal("free lease not acquired")
	}
	got, err = s.AcquireLease(ctx, "submit:SIMPAYER", "replica-2", now.Add(time.Minute))
	ok(t, err)
	if got {
		t.Fatal("held lease acquired by another owner")
	}
	got, err = s.AcquireLease(ctx, "poll:SIMPAYER", "replica-2", now.Add(time.Minute))
	ok(t, err)
	if !got {
		t.Fatal("leases with different keys interfere")
	}
	got, err = s.AcquireLease(ctx, "submit:SIMPAYER", "replica-1", now.Add(-time.Second)) // renew, expiring it
	ok(t, err)
	if !got {
		t.Fatal("holder could not renew")
	}
	got, err = s.AcquireLease(ctx, "submit:SIMPAYER", "replica-2", now.Add(time.Minute))
	ok(t, err)
	if !got {
		t.Fatal("expired lease not taken over")
	}
	ok(t, s.ReleaseLease(ctx, "submit:SIMPAYER", "replica-1")) // not the holder: no-op
	got, err = s.AcquireLease(ctx, "submit:SIMPAYER", "replica-1", now.Add(time.Minute))
	ok(t, err)
	if got {
		t.Fatal("release by a non-holder dropped the lease")
	}
	ok(t, s.ReleaseLease(ctx, "submit:SIMPAYER", "replica-2"))
	got, err = s.AcquireLease(ctx, "submit:SIMPAYER", "replica-1", now.Add(time.Minute))
	ok(t, err)
	if !got {
		t.Fatal("released lease not acquired")
	}

	// Concurrent replicas: exactly one wins.
	const replicas = 6
	var wg sync.WaitGroup
	wins := make([]bool, replicas)
	errs := make([]error, replicas)
	for i := 0; i < replicas; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wins[i], errs[i] = s.AcquireLease(ctx, "poll:OTHER", fmt.Sprintf("replica-%d", i), now.Add(time.Minute))
		}()
	}
	wg.Wait()
	n := 0
	for i := range wins {
		ok(t, errs[i])
		if wins[i] {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d replicas hold the lease", n)
	}
	_, err = s.AcquireLease(ctx, "", "x", now)
	wantErr(t, err, gateway.ErrInvalid)
}
