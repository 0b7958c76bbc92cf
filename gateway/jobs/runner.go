package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/gateway"
)

// Handler does the work of one job. A nil error completes the job; an error fails the attempt
// (retried later, or discarded once MaxAttempts is reached); Cancel(err) discards at once.
// ctx is cancelled when the job's lease is lost or the runner's shutdown bound passes.
type Handler func(ctx context.Context, job gateway.Job) error

// Config configures a Runner. Zero fields take the defaults shown.
type Config struct {
	Workers         int                   // concurrent handlers; default 4
	Lease           time.Duration         // lease per claim, extended every Lease/3 while running; default 30s
	PollInterval    time.Duration         // how often to look for jobs when idle; default 1s
	Owner           string                // lease owner name; default hostname-pid-random
	Logger          *slog.Logger          // default slog.Default()
	Registerer      prometheus.Registerer // metrics registry; nil: metrics are not registered
	Now             func() time.Time      // default time.Now
	RetryBase       time.Duration         // backoff after the first failure; default 1s, doubled per attempt
	RetryMax        time.Duration         // backoff cap; default 1h
	ShutdownTimeout time.Duration         // how long Run waits for running handlers at shutdown; default 30s
	StatsInterval   time.Duration         // how often claimgate_jobs_queued is refreshed; default 15s
}

// Runner claims and runs jobs. Create it with New, Register handlers, then Run.
type Runner struct {
	store    gateway.Store
	cfg      Config
	log      *slog.Logger
	metrics  *metrics
	mu       sync.Mutex
	handlers map[string]Handler
	wake     chan struct{}
}

// New returns a Runner over store.
func New(store gateway.Store, cfg Config) *Runner {
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Owner == "" {
		cfg.Owner = defaultOwner()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = time.Hour
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if cfg.StatsInterval <= 0 {
		cfg.StatsInterval = 15 * time.Second
	}
	return &Runner{
		store:    store,
		cfg:      cfg,
		log:      cfg.Logger.With("component", "jobs", "owner", cfg.Owner),
		metrics:  newMetrics(cfg.Registerer),
		handlers: map[string]Handler{},
		wake:     make(chan struct{}, 1),
	}
}

func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Owner is the name this runner's leases are held under.
func (r *Runner) Owner() string { return r.cfg.Owner }

// Wake makes an idle runner look for jobs at once instead of at its next poll, for a job this
// process just enqueued and wants run promptly (an operator's submit-now). It never blocks.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Register sets the handler for a kind. It panics on an empty kind, a nil handler or a kind
// registered twice: those are wiring mistakes.
func (r *Runner) Register(kind string, h Handler) {
	if kind == "" || h == nil {
		panic("jobs: Register needs a kind and a handler")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.handlers[kind]; dup {
		panic("jobs: kind " + kind + " registered twice")
	}
	r.handlers[kind] = h
}

func (r *Runner) handler(kind string) Handler {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handlers[kind]
}

func (r *Runner) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ks := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Run claims and runs jobs of the registered kinds until ctx is cancelled. Then it stops
// claiming, waits up to ShutdownTimeout for running handlers (cancelling their contexts after
// that), and releases the leases it still holds so another replica picks the jobs up at once.
// It returns nil after a clean shutdown.
func (r *Runner) Run(ctx context.Context) error {
	kinds := r.kinds()
	if len(kinds) == 0 {
		return errors.New("jobs: no handlers registered")
	}
	r.log.Info("job runner started", "kinds", kinds, "workers", r.cfg.Workers)
	// Handlers outlive ctx until the shutdown bound: a deploy should not cut an upload short.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	var stopping atomic.Bool
	sem := make(chan struct{}, r.cfg.Workers)
	var wg sync.WaitGroup

	poll := time.NewTicker(r.cfg.PollInterval)
	defer poll.Stop()
	stats := time.NewTicker(r.cfg.StatsInterval)
	defer stats.Stop()
	r.refreshStats(ctx, kinds)

	for ctx.Err() == nil {
		free := r.cfg.Workers - len(sem)
		full := false
		if free > 0 {
			jobs, err := r.store.ClaimJobs(ctx, r.cfg.Owner, kinds, free, r.cfg.Now(), r.cfg.Lease)
			if err != nil && ctx.Err() == nil {
				r.log.Warn("claiming jobs failed", "err", err)
			}
			for _, j := range jobs {
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer func() {
						<-sem
						wg.Done()
						select {
						case r.wake <- struct{}{}:
						default:
						}
					}()
					r.work(jobCtx, &stopping, j)
				}()
			}
			full = err == nil && len(jobs) == free
		}
		if full {
			continue // there may be more ready jobs; claim again as soon as a worker is free
		}
		select {
		case <-ctx.Done():
		case <-poll.C:
		case <-r.wake:
		case <-stats.C:
			r.refreshStats(ctx, kinds)
		}
	}

	stopping.Store(true)
	r.log.Info("job runner stopping", "running", len(sem))
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(r.cfg.ShutdownTimeout):
		r.log.Warn("handlers still running at the shutdown bound; cancelling them", "running", len(sem))
		cancelJobs()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			r.log.Error("handlers ignore cancellation; releasing their leases anyway", "running", len(sem))
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	n, err := r.store.ReleaseLeases(rctx, r.cfg.Owner)
	if err != nil {
		return fmt.Errorf("jobs: release leases at shutdown: %w", err)
	}
	r.log.Info("job runner stopped", "released", n)
	return nil
}

// work runs one claimed job and records the outcome.
func (r *Runner) work(jobCtx context.Context, stopping *atomic.Bool, job gateway.Job) {
	log := r.log.With("job_id", job.ID, "kind", job.Kind, "attempt", job.Attempt)
	h := r.handler(job.Kind)
	hctx, cancel := context.WithCancel(jobCtx)
	defer cancel()

	var lost atomic.Bool
	hbStop := make(chan struct{})
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		r.heartbeat(jobCtx, job, hbStop, func() { lost.Store(true); cancel() }, log)
	}()

	start := time.Now()
	err := r.call(hctx, h, job, log)
	close(hbStop)
	<-hbDone
	r.metrics.duration.WithLabelValues(job.Kind).Observe(time.Since(start).Seconds())

	// Bookkeeping must land even when the handler's context is gone.
	bctx, bcancel := context.WithTimeout(context.WithoutCancel(jobCtx), 10*time.Second)
	defer bcancel()
	switch {
	case lost.Load():
		r.metrics.total.WithLabelValues(job.Kind, "lost").Inc()
		log.Warn("job lease lost while running; another worker owns it now")
	case err == nil:
		if cerr := r.store.CompleteJob(bctx, job.ID, r.cfg.Owner); cerr != nil {
			r.metrics.total.WithLabelValues(job.Kind, "lost").Inc()
			log.Warn("job finished but could not be marked completed", "err", cerr)
			return
		}
		r.metrics.total.WithLabelValues(job.Kind, "completed").Inc()
	case stopping.Load() && jobCtx.Err() != nil:
		// Cut short by shutdown: Run releases the lease without counting this attempt.
		log.Info("job interrupted by shutdown", "err", err)
	default:
		discard := IsCancel(err) || job.Attempt >= job.MaxAttempts
		retryAt := r.cfg.Now().Add(r.backoff(job.Attempt))
		msg := err.Error()
		if len(msg) > 4000 {
			msg = msg[:4000]
		}
		if ferr := r.store.FailJob(bctx, job.ID, r.cfg.Owner, msg, retryAt, discard); ferr != nil {
			r.metrics.total.WithLabelValues(job.Kind, "lost").Inc()
			log.Warn("job failed and the failure could not be recorded", "err", err, "record_err", ferr)
			return
		}
		if discard {
			r.metrics.total.WithLabelValues(job.Kind, "discarded").Inc()
			log.Error("job discarded", "err", err, "max_attempts", job.MaxAttempts, "cancelled", IsCancel(err))
			return
		}
		r.metrics.total.WithLabelValues(job.Kind, "failed").Inc()
		log.Warn("job failed; will retry", "err", err, "retry_at", retryAt)
	}
}

// heartbeat extends the job's lease every Lease/3 until stop is closed; onLost is called if the
// lease turns out to belong to someone else.
func (r *Runner) heartbeat(ctx context.Context, job gateway.Job, stop <-chan struct{}, onLost func(), log *slog.Logger) {
	t := time.NewTicker(max(r.cfg.Lease/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			err := r.store.ExtendLease(ctx, job.ID, r.cfg.Owner, r.cfg.Now().Add(r.cfg.Lease))
			switch {
			case err == nil:
			case errors.Is(err, gateway.ErrConflict), errors.Is(err, gateway.ErrNotFound):
				onLost()
				return
			default:
				log.Warn("extending job lease failed; will retry", "err", err)
			}
		}
	}
}

// call runs the handler, turning a panic into an error so one bad job never stops the daemon.
func (r *Runner) call(ctx context.Context, h Handler, job gateway.Job, log *slog.Logger) (err error) {
	defer func() {
		if p := recover(); p != nil {
			stack := debug.Stack()
			log.Error("job handler panicked", "panic", fmt.Sprint(p), "stack", string(stack))
			r.metrics.panics.WithLabelValues(job.Kind).Inc()
			err = fmt.Errorf("jobs: handler panicked: %v", p)
		}
	}()
	if h == nil { // claimed a kind we no longer handle (cannot happen: we only claim registered kinds)
		return Cancel(fmt.Errorf("jobs: no handler for kind %q", job.Kind))
	}
	return h(ctx, job)
}

// backoff is the delay before retrying after the given attempt failed: RetryBase doubled per
// attempt, capped at RetryMax, with jitter in [d/2, d] so failed jobs do not retry in lockstep.
func (r *Runner) backoff(attempt int) time.Duration {
	d := r.cfg.RetryMax
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 40 {
		if e := r.cfg.RetryBase << (attempt - 1); e > 0 && e < d {
			d = e
		}
	}
	half := d / 2
	return half + time.Duration(mrand.Int64N(int64(half)+1))
}

func (r *Runner) refreshStats(ctx context.Context, kinds []string) {
	stats, err := r.store.JobStats(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("reading job stats failed", "err", err)
		}
		return
	}
	queued := map[string]float64{}
	for _, k := range kinds {
		queued[k] = 0
	}
	for _, s := range stats {
		if s.State == gateway.JobAvailable || s.State == gateway.JobFailed {
			queued[s.Kind] += float64(s.Count)
		}
	}
	for k, v := range queued {
		r.metrics.queued.WithLabelValues(k).Set(v)
	}
}

// cancelError marks an error as final: the job is discarded without retries.
type cancelError struct{ err error }

func (e *cancelError) Error() string {
	if e.err == nil {
		return "job cancelled"
	}
	return "job cancelled: " + e.err.Error()
}

func (e *cancelError) Unwrap() error { return e.err }

// Cancel wraps err so that the job is discarded at once instead of retried (for errors no
// retry can fix: a malformed payload, a claim that no longer exists).
func Cancel(err error) error { return &cancelError{err: err} }

// IsCancel reports whether err was made by Cancel.
func IsCancel(err error) bool {
	var c *cancelError
	return errors.As(err, &c)
}
