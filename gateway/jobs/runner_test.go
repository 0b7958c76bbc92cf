package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/jobs"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
	"github.com/claimgate/claimgate/storage/storetest"
)

// stores runs fn against a fresh SQLite store and a fresh Postgres schema.
func stores(t *testing.T, fn func(t *testing.T, s gateway.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "jobs.db"))
		if err != nil {
			t.Fatal(err)
		}
		migrated(t, s)
		fn(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		s, err := postgres.Open(context.Background(), storetest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		migrated(t, s)
		fn(t, s)
	})
}

func migrated(t *testing.T, s gateway.Store) {
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func config(reg prometheus.Registerer, owner string) jobs.Config {
	return jobs.Config{
		Workers:         4,
		Lease:           2 * time.Second,
		PollInterval:    10 * time.Millisecond,
		Owner:           owner,
		Logger:          quietLogger(),
		Registerer:      reg,
		RetryBase:       5 * time.Millisecond,
		RetryMax:        20 * time.Millisecond,
		ShutdownTimeout: 5 * time.Second,
		StatsInterval:   20 * time.Millisecond,
	}
}

// start runs r until the returned stop function is called; stop returns Run's error.
func start(t *testing.T, r *jobs.Runner) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				err = errors.New("Run did not return after cancellation")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// waitJob polls until the job reaches a final state or the generous deadline passes.
func waitJob(t *testing.T, s gateway.Store, id int64, want gateway.JobState) gateway.Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := s.GetJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == want {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s (attempt %d, error %q), want %s", id, j.State, j.Attempt, j.LastError, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func enqueue(t *testing.T, s gateway.Store, p gateway.JobParams) gateway.Job {
	t.Helper()
	j, _, err := s.EnqueueJob(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// metric returns the value of a counter or gauge with the given labels, 0 when absent.
func metric(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue next
				}
			}
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return 0
}

func TestRetryThenSucceed(t *testing.T) {
	stores(t, func(t *testing.T, s gateway.Store) {
		reg := prometheus.NewRegistry()
		r := jobs.New(s, config(reg, "runner-1"))
		var calls atomic.Int32
		r.Register("flaky", func(ctx context.Context, j gateway.Job) error {
			if n := calls.Add(1); n <= 2 {
				return fmt.Errorf("sftp timeout %d", n)
			}
			return nil
		})
		j := enqueue(t, s, gateway.JobParams{Kind: "flaky", MaxAttempts: 5})
		stop := start(t, r)
		done := waitJob(t, s, j.ID, gateway.JobCompleted)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 3 || done.Attempt != 3 || done.LastError != "sftp timeout 2" {
			t.Fatalf("calls = %d, job = %+v; want 3 runs", calls.Load(), done)
		}
		if f := metric(t, reg, "claimgate_jobs_total", map[string]string{"kind": "flaky", "result": "failed"}); f != 2 {
			t.Errorf("failed count = %v, want 2", f)
		}
		if c := metric(t, reg, "claimgate_jobs_total", map[string]string{"kind": "flaky", "result": "completed"}); c != 1 {
			t.Errorf("completed count = %v, want 1", c)
		}
		if d := metric(t, reg, "claimgate_job_duration_seconds", map[string]string{"kind": "flaky"}); d != 3 {
			t.Errorf("duration samples = %v, want 3", d)
		}
	})
}

func TestDiscardAfterMaxAttemptsAndCancel(t *testing.T) {
	stores(t, func(t *testing.T, s gateway.Store) {
		reg := prometheus.NewRegistry()
		r := jobs.New(s, config(reg, "runner-1"))
		var failing, cancelled atomic.Int32
		r.Register("always-fails", func(ctx context.Context, j gateway.Job) error {
			failing.Add(1)
			return errors.New("payer login rejected")
		})
		r.Register("bad-payload", func(ctx context.Context, j gateway.Job) error {
			cancelled.Add(1)
			return jobs.Cancel(errors.New("payload has no claim id"))
		})
		a := enqueue(t, s, gateway.JobParams{Kind: "always-fails", MaxAttempts: 3})
		b := enqueue(t, s, gateway.JobParams{Kind: "bad-payload", MaxAttempts: 10})
		stop := start(t, r)
		da := waitJob(t, s, a.ID, gateway.JobDiscarded)
		db := waitJob(t, s, b.ID, gateway.JobDiscarded)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if failing.Load() != 3 || da.Attempt != 3 || da.LastError != "payer login rejected" || da.FinalizedAt == nil {
			t.Fatalf("exhausted job: %d calls, %+v", failing.Load(), da)
		}
		if cancelled.Load() != 1 || db.Attempt != 1 || db.LastError != "job cancelled: payload has no claim id" {
			t.Fatalf("cancelled job: %d calls, %+v", cancelled.Load(), db)
		}
		if n := metric(t, reg, "claimgate_jobs_total", map[string]string{"kind": "always-fails", "result": "discarded"}); n != 1 {
			t.Errorf("discarded count = %v", n)
		}
	})
}

func TestPanicIsAFailure(t *testing.T) {
	stores(t, func(t *testing.T, s gateway.Store) {
		reg := prometheus.NewRegistry()
		r := jobs.New(s, config(reg, "runner-1"))
		var calls atomic.Int32
		r.Register("buggy", func(ctx context.Context, j gateway.Job) error {
			if calls.Add(1) == 1 {
				var lines []int
				_ = lines[j.Attempt] // index out of range: a runtime panic, as a real bug would raise
			}
			return nil
		})
		r.Register("healthy", func(ctx context.Context, j gateway.Job) error { return nil })
		j := enqueue(t, s, gateway.JobParams{Kind: "buggy", MaxAttempts: 3})
		stop := start(t, r)
		done := waitJob(t, s, j.ID, gateway.JobCompleted)
		// The runner survived the panic and keeps working.
		h := enqueue(t, s, gateway.JobParams{Kind: "healthy"})
		waitJob(t, s, h.ID, gateway.JobCompleted)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 2 || done.Attempt != 2 {
			t.Fatalf("calls = %d, job = %+v", calls.Load(), done)
		}
		if f := metric(t, reg, "claimgate_jobs_total", map[string]string{"kind": "buggy", "result": "failed"}); f != 1 {
			t.Errorf("panic counted as %v failures, want 1", f)
		}
		if p := metric(t, reg, "claimgate_job_panics_total", map[string]string{"kind": "buggy"}); p != 1 {
			t.Errorf("panics = %v, want 1", p)
		}
		if done.LastError == "" {
			t.Error("the panic left no error on the job")
		}
	})
}

func TestShutdownReleasesLeases(t *testing.T) {
	stores(t, func(t *testing.T, s gateway.Store) {
		cfg := config(nil, "leaving")
		cfg.ShutdownTimeout = 50 * time.Millisecond
		r := jobs.New(s, cfg)
		started := make(chan struct{})
		var once sync.Once
		r.Register("long", func(ctx context.Context, j gateway.Job) error {
			once.Do(func() { close(started) })
			<-ctx.Done() // an upload that only stops when told to
			return ctx.Err()
		})
		j := enqueue(t, s, gateway.JobParams{Kind: "long"})
		stop := start(t, r)
		select {
		case <-started:
		case <-time.After(20 * time.Second):
			t.Fatal("handler never started")
		}
		running, err := s.GetJob(context.Background(), j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if running.State != gateway.JobRunning || running.LeaseOwner != "leaving" {
			t.Fatalf("running job = %+v", running)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetJob(context.Background(), j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != gateway.JobAvailable || got.LeaseUntil != nil || got.Attempt != 0 {
			t.Fatalf("after shutdown job = %+v; want available, no lease, attempt not counted", got)
		}
		// Another replica takes it at once.
		next := jobs.New(s, config(nil, "arriving"))
		var ran atomic.Bool
		next.Register("long", func(ctx context.Context, j gateway.Job) error { ran.Store(true); return nil })
		stop2 := start(t, next)
		waitJob(t, s, j.ID, gateway.JobCompleted)
		if err := stop2(); err != nil {
			t.Fatal(err)
		}
		if !ran.Load() {
			t.Fatal("second runner did not run the released job")
		}
	})
}

func TestShutdownWaitsForRunningHandlers(t *testing.T) {
	stores(t, func(t *testing.T, s gateway.Store) {
		r := jobs.New(s, config(nil, "graceful"))
		started := make(chan struct{})
		release := make(chan struct{})
		r.Register("upload", func(ctx context.Context, j gateway.Job) error {
			close(started)
			<-release
			return ctx.Err() // nil: shutdown does not cancel handlers before the bound
		})
		j := enqueue(t, s, gateway.JobParams{Kind: "upload"})
		stop := start(t, r)
		<-started
		stopped := make(chan error, 1)
		go func() { stopped <- stop() }()
		time.Sleep(20 * time.Millisecond) // let shutdown begin while the handler is mid-flight
		close(release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		got, err := s.GetJob(context.Background(), j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != gateway.JobCompleted {
			t.Fatalf("job = %+v, want completed before Run returned", got)
		}
	})
}

func TestHeartbeatKeepsLease(t *testing.T) {
	stores(t, func(t *testing.T, s gateway.Store) {
		// The handler runs until it has seen the runner push its lease forward twice: the
		// heartbeat is observed in the store, not inferred from timing.
		cfg := config(nil, "a")
		cfg.Lease = 1500 * time.Millisecond // generous: a loaded CI machine must not lose it between heartbeats
		r := jobs.New(s, cfg)
		var calls atomic.Int32
		extensions := make(chan int, 1)
		r.Register("slow", func(ctx context.Context, j gateway.Job) error {
			calls.Add(1)
			first := *j.LeaseUntil
			last := first
			seen := 0
			for seen < 2 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(20 * time.Millisecond):
				}
				cur, err := s.GetJob(ctx, j.ID)
				if err != nil {
					return err
				}
				if cur.LeaseOwner != "a" || cur.LeaseUntil == nil {
					return jobs.Cancel(fmt.Errorf("lease lost: %+v", cur))
				}
				if cur.LeaseUntil.After(last) {
					seen++
					last = *cur.LeaseUntil
				}
			}
			extensions <- seen
			return nil
		})
		j := enqueue(t, s, gateway.JobParams{Kind: "slow"})
		stop := start(t, r)
		done := waitJob(t, s, j.ID, gateway.JobCompleted)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 1 || done.Attempt != 1 || len(extensions) != 1 {
			t.Fatalf("job ran %d times (attempt %d, last error %q)", calls.Load(), done.Attempt, done.LastError)
		}
	})
}

func TestRunWithoutHandlers(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	migrated(t, s)
	if err := jobs.New(s, jobs.Config{Logger: quietLogger()}).Run(context.Background()); err == nil {
		t.Fatal("Run with no handlers returned nil")
	}
}

func TestQueuedGauge(t *testing.T) {
	stores(t, func(t *testing.T, s gateway.Store) {
		reg := prometheus.NewRegistry()
		r := jobs.New(s, config(reg, "gauge"))
		r.Register("later", func(ctx context.Context, j gateway.Job) error { return nil })
		for i := 0; i < 3; i++ {
			enqueue(t, s, gateway.JobParams{Kind: "later", RunAt: time.Now().Add(time.Hour)})
		}
		stop := start(t, r)
		deadline := time.Now().Add(20 * time.Second)
		for metric(t, reg, "claimgate_jobs_queued", map[string]string{"kind": "later"}) != 3 {
			if time.Now().After(deadline) {
				t.Fatal("claimgate_jobs_queued{kind=later} never reached 3")
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCancelWraps(t *testing.T) {
	base := errors.New("no such claim")
	err := jobs.Cancel(base)
	if !jobs.IsCancel(err) || !errors.Is(err, base) || jobs.IsCancel(base) {
		t.Fatalf("Cancel(%v) = %v", base, err)
	}
	if !jobs.IsCancel(fmt.Errorf("render: %w", err)) {
		t.Fatal("wrapped Cancel not recognised")
	}
}
