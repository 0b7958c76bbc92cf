package submission

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/jobs"
	"github.com/claimgate/claimgate/payers"
)

// Job kinds the Service handles.
const (
	JobSubmit = payers.KindSubmit // "submit"
	JobPoll   = payers.KindPoll   // "poll"
)

// Defaults of Config.
const (
	DefaultBatchLimit  = 5000
	DefaultLeaseTTL    = 2 * time.Minute
	DefaultMaxAttempts = 5
	DefaultBusyWait    = 10 * time.Second
)

// Ingester processes one archived inbound file of the kind it is registered for (999, 277CA,
// 835, TA1): it applies the file's effects and sets the file's status. It is called again for
// a file still in status received (an earlier call failed), so it must be idempotent.
type Ingester interface {
	Ingest(ctx context.Context, file gateway.File) error
}

// Config is what a Service needs.
type Config struct {
	Store  gateway.Store    // required
	Payers *payers.Registry // required
	// Sender is the submitter identity written in every 837 (ISA05/06, GS02, loop 1000A).
	Sender x837.Sender
	// Owner names this replica in leases; a random suffix is added per run. Default: host-pid.
	Owner      string
	Logger     *slog.Logger          // nil: slog.Default()
	Registerer prometheus.Registerer // nil: metrics are kept but not registered
	Now        func() time.Time      // nil: time.Now
	// BatchLimit caps the claims of one 837 file (default 5,000).
	BatchLimit int
	// MaxBatchesPerRun ends a submit run after that many new batches (0: no limit, the run
	// drains the queue); the rest waits for the next tick. It bounds how long one replica
	// holds a payer.
	MaxBatchesPerRun int
	// BusyWait is how long an operator's submit-now/poll-now job waits for a payer that
	// another run holds (default 10s); scheduled ticks give up at once.
	BusyWait time.Duration
	// LeaseTTL is the per-payer lease, renewed every third of it while a run lasts.
	LeaseTTL time.Duration
	// MaxAttempts of the jobs the Service enqueues (default 5); the next tick runs anyway.
	MaxAttempts int
	// Ingesters by inbound file kind. A kind without one is archived with status pending.
	Ingesters map[gateway.FileKind]Ingester
	// DialOptions is the base of the SFTP dial options; the Service sets Observer (metrics)
	// and Logger.
	DialOptions payers.DialOptions
	// CrashHook, FOR TESTS ONLY, is called at named points of a submit run (see the package
	// documentation). nil in production.
	CrashHook func(point string)
}

// Service runs submission and polling for the configured payers. It implements
// gateway.PayerOps.
type Service struct {
	cfg     Config
	store   gateway.Store
	reg     *payers.Registry
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics
	// wake asks the job runner this service registered with to look for jobs now (set by
	// Register before the runner and the API start).
	wake func()
}

var _ gateway.PayerOps = (*Service)(nil)

// New checks cfg and registers the metrics.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("submission: Config.Store is required")
	}
	if cfg.Payers == nil {
		return nil, errors.New("submission: Config.Payers is required")
	}
	if cfg.BatchLimit <= 0 {
		cfg.BatchLimit = DefaultBatchLimit
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.BusyWait <= 0 {
		cfg.BusyWait = DefaultBusyWait
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Owner == "" {
		host, _ := os.Hostname()
		cfg.Owner = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	s := &Service{cfg: cfg, store: cfg.Store, reg: cfg.Payers, log: cfg.Logger, now: cfg.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	return s, nil
}

// Register adds the submit and poll handlers to a job runner.
func (s *Service) Register(r *jobs.Runner) {
	r.Register(JobSubmit, s.HandleSubmit)
	r.Register(JobPoll, s.HandlePoll)
	s.wake = r.Wake
}

// Scheduler returns the payers' schedules, enqueueing a job per tick (see Enqueue).
func (s *Service) Scheduler() (*payers.Scheduler, error) {
	return payers.NewScheduler(s.reg, func(ctx context.Context, kind, payerID string, at time.Time) error {
		_, _, err := s.Enqueue(ctx, kind, payerID, payers.TickKey(kind, payerID, at), at)
		return err
	}, payers.SchedulerOptions{Logger: s.log, Now: s.now})
}

// jobPayload is the payload of submit and poll jobs.
type jobPayload struct {
	PayerID string `json:"payer_id"`
	// Now marks an operator's submit-now/poll-now: when another run holds the payer it waits
	// (up to Config.BusyWait) instead of giving up, because that run may have selected its
	// claims before the operator's encounter arrived.
	Now bool `json:"now,omitempty"`
}

// Enqueue enqueues a submit or poll job for a payer under uniqueKey (a second enqueue with the
// same key returns the first job, inserted=false).
func (s *Service) Enqueue(ctx context.Context, kind, payerID, uniqueKey string, runAt time.Time) (gateway.Job, bool, error) {
	return s.enqueue(ctx, kind, payerID, uniqueKey, runAt, false)
}

func (s *Service) enqueue(ctx context.Context, kind, payerID, uniqueKey string, runAt time.Time, now bool) (gateway.Job, bool, error) {
	p, ok := s.reg.Get(payerID)
	if !ok {
		return gateway.Job{}, false, fmt.Errorf("payer %q: %w", payerID, gateway.ErrNotFound)
	}
	if kind != JobSubmit && kind != JobPoll {
		return gateway.Job{}, false, fmt.Errorf("job kind %q: %w", kind, gateway.ErrInvalid)
	}
	payload, err := json.Marshal(jobPayload{PayerID: p.ID, Now: now})
	if err != nil {
		return gateway.Job{}, false, err
	}
	return s.store.EnqueueJob(ctx, gateway.JobParams{Kind: kind, UniqueKey: uniqueKey, Payload: payload,
		RunAt: runAt, MaxAttempts: s.cfg.MaxAttempts})
}

// Payers implements gateway.PayerOps.
func (s *Service) Payers() []payers.Payer { return s.reg.Payers() }

// SubmitNow implements gateway.PayerOps: a submit job for the payer, due now, unique to this
// request.
func (s *Service) SubmitNow(ctx context.Context, payerID string) (int64, error) {
	return s.enqueueNow(ctx, JobSubmit, payerID)
}

// PollNow implements gateway.PayerOps.
func (s *Service) PollNow(ctx context.Context, payerID string) (int64, error) {
	return s.enqueueNow(ctx, JobPoll, payerID)
}

func (s *Service) enqueueNow(ctx context.Context, kind, payerID string) (int64, error) {
	p, ok := s.reg.Get(payerID)
	if !ok {
		return 0, fmt.Errorf("payer %q: %w", payerID, gateway.ErrNotFound)
	}
	at := s.now().UTC()
	key := kind + ":" + p.ID + ":now:" + at.Format(time.RFC3339Nano) + ":" + randomSuffix()
	job, _, err := s.enqueue(ctx, kind, p.ID, key, at, true)
	if err != nil {
		return 0, err
	}
	if s.wake != nil {
		s.wake() // run it now on this replica rather than at the runner's next poll
	}
	s.log.Info("operator triggered a payer run", "payer_id", p.ID, "kind", kind, "job_id", job.ID)
	return job.ID, nil
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// payerOf decodes a job's payload and finds its payer. A job for a payer no longer configured
// is cancelled (retrying cannot help).
func (s *Service) payerOf(job gateway.Job) (payers.Payer, time.Duration, error) {
	var p jobPayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return payers.Payer{}, 0, jobs.Cancel(fmt.Errorf("job %d: payload: %w", job.ID, err))
	}
	payer, ok := s.reg.Get(p.PayerID)
	if !ok {
		return payers.Payer{}, 0, jobs.Cancel(fmt.Errorf("job %d: payer %q is not configured", job.ID, p.PayerID))
	}
	var wait time.Duration
	if p.Now {
		wait = s.cfg.BusyWait
	}
	return payer, wait, nil
}

// withLease runs fn while holding the named lease, renewing it; fn's context is cancelled if
// the lease is lost. When another owner holds it, it retries for up to wait, then returns
// (false, nil) without calling fn.
func (s *Service) withLease(ctx context.Context, key string, wait time.Duration, fn func(ctx context.Context) error) (bool, error) {
	owner := s.cfg.Owner + ":" + randomSuffix()
	ttl := s.cfg.LeaseTTL
	giveUp := time.Now().Add(wait)
	for {
		got, err := s.store.AcquireLease(ctx, key, owner, s.now().Add(ttl))
		if err != nil {
			return false, fmt.Errorf("lease %s: %w", key, err)
		}
		if got {
			break
		}
		if !time.Now().Before(giveUp) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	renewDone := make(chan struct{})
	go func() {
		defer close(renewDone)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				ok, err := s.store.AcquireLease(runCtx, key, owner, s.now().Add(ttl))
				if runCtx.Err() != nil {
					return
				}
				if err != nil || !ok {
					cancel(fmt.Errorf("lease %s lost (renewal: ok=%v err=%v)", key, ok, err))
					return
				}
			}
		}
	}()
	ferr := fn(runCtx)
	lost := runCtx.Err() != nil && ctx.Err() == nil // only the renewal cancels runCtx early
	cause := context.Cause(runCtx)
	cancel(nil)
	<-renewDone
	if err := s.store.ReleaseLease(context.WithoutCancel(ctx), key, owner); err != nil {
		s.log.Warn("releasing a payer lease", "lease", key, "err", err)
	}
	if ferr != nil && lost {
		ferr = fmt.Errorf("%w (%v)", ferr, cause)
	}
	return true, ferr
}

// dialer opens the payer's SFTP client on first use, observed by the metrics.
type dialer struct {
	s      *Service
	payer  payers.Payer
	client *payers.Client
}

func (d *dialer) get(ctx context.Context) (*payers.Client, error) {
	if d.client != nil {
		return d.client, nil
	}
	opts := d.s.cfg.DialOptions
	id := d.payer.ID
	base := opts.Observer
	opts.Observer = func(op, result string, dur time.Duration) {
		d.s.metrics.sftpOps.WithLabelValues(id, op, result).Inc()
		if base != nil {
			base(op, result, dur)
		}
	}
	if opts.Logger == nil {
		opts.Logger = d.s.log.With("payer_id", id)
	}
	c, err := payers.Dial(ctx, d.payer.SFTP, opts)
	if err != nil {
		return nil, err
	}
	d.client = c
	return c, nil
}

func (d *dialer) close() {
	if d.client != nil {
		_ = d.client.Close()
		d.client = nil
	}
}

// transportErr makes a permanent transport failure (authentication, host key, configuration)
// cancel the job instead of retrying it: the next scheduled tick tries again, and the error is
// on the job and in the log for a person to fix.
func transportErr(err error) error {
	if err == nil {
		return nil
	}
	var te *payers.TransportError
	if errors.As(err, &te) && !te.Retryable && !errors.Is(err, context.Canceled) {
		return jobs.Cancel(err)
	}
	return err
}

func (s *Service) crash(point string) {
	if s.cfg.CrashHook != nil {
		s.cfg.CrashHook(point)
	}
}

// reasonOf joins problem descriptions for a hold reason, bounded in length.
func reasonOf(parts []string) string {
	r := strings.Join(parts, "; ")
	if len(r) > 2000 {
		r = r[:2000] + "..."
	}
	return r
}
