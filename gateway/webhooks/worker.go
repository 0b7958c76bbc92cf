package webhooks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/gateway"
)

// Defaults of Config.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultPollInterval = time.Second
	DefaultConcurrency  = 8
	DefaultPerSubmitter = 6
	DefaultRetryFor     = 24 * time.Hour
	DefaultBackoffBase  = 30 * time.Second
	DefaultBackoffMax   = time.Hour
	DefaultRetention    = 30 * 24 * time.Hour
	// purgeInterval is how often Run deletes finished deliveries older than the retention.
	purgeInterval = time.Hour
	// purgeBatch is how many rows one purge statement deletes.
	purgeBatch = 1000
	// leaseMargin is added to Timeout for the lease on a claimed delivery, so a lease never
	// ends while its attempt can still be running.
	leaseMargin = 30 * time.Second
	// statsInterval is how often the outbox depth gauge is refreshed.
	statsInterval = 10 * time.Second
	// maxResponseBytes is how much of a response body is read (and discarded) to reuse the
	// connection.
	maxResponseBytes = 64 << 10
)

// Config configures a Worker. Only Store is required.
type Config struct {
	Store gateway.Store
	// Client sends the requests; nil means NewClient(Timeout). A custom client should keep
	// CheckRedirect.
	Client *http.Client
	// Timeout bounds one attempt, redirects included (default DefaultTimeout).
	Timeout time.Duration
	// Concurrency is how many deliveries are in flight at once (default DefaultConcurrency);
	// each worker round claims that many.
	Concurrency int
	// PerSubmitter caps the deliveries of one submitter in flight at once, across every
	// replica (default DefaultPerSubmitter; negative: no cap). One submitter's backlog (an
	// 835 paying thousands of its claims) or slow receiver then leaves slots for the others.
	PerSubmitter int
	// PollInterval is the wait between rounds that found nothing due (default 1s).
	PollInterval time.Duration
	// RetryFor is how long a failing delivery is retried, from its first attempt, before it is
	// marked failed (default 24 hours).
	RetryFor time.Duration
	// Backoff returns the wait after the attempt-th failed attempt (1, 2, ...). nil means
	// ExponentialBackoff(DefaultBackoffBase, DefaultBackoffMax).
	Backoff func(attempt int) time.Duration
	// Retention is how long delivered and failed deliveries stay visible in the outbox (and
	// GET /v1/webhooks/deliveries) after their last attempt; Run deletes older ones every hour.
	// Zero means DefaultRetention (30 days); negative keeps them forever.
	Retention time.Duration
	// Now is the clock (default time.Now): attempt times, due times and the signature's t.
	Now func() time.Time
	// Owner names this worker's leases (default host-pid-random); unique per process.
	Owner string
	// Logger receives one line per failed attempt (ids, event types, statuses; never URLs,
	// bodies or secrets). nil: slog.Default().
	Logger *slog.Logger
	// Registerer receives the metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// UserAgent is sent with each request (default "claimgate-webhooks/1").
	UserAgent string
}

// Worker delivers the outbox. It holds no state that must survive a restart: the outbox is in
// the store, and a new worker continues where an old one stopped.
type Worker struct {
	store        gateway.Store
	client       *http.Client
	timeout      time.Duration
	concurrency  int
	perSubmitter int
	poll         time.Duration
	retryFor     time.Duration
	retention    time.Duration
	backoff      func(int) time.Duration
	now          func() time.Time
	owner        string
	log          *slog.Logger
	userAgent    string
	metrics      *metrics
	lastStats    time.Time
	lastPurge    time.Time
}

// New checks cfg, applies the defaults and registers the metrics.
func New(cfg Config) (*Worker, error) {
	if cfg.Store == nil {
		return nil, errors.New("webhooks: Config.Store is required")
	}
	w := &Worker{
		store: cfg.Store, client: cfg.Client, timeout: cfg.Timeout, concurrency: cfg.Concurrency, perSubmitter: cfg.PerSubmitter,
		poll: cfg.PollInterval, retryFor: cfg.RetryFor, retention: cfg.Retention, backoff: cfg.Backoff, now: cfg.Now,
		owner: cfg.Owner, log: cfg.Logger, userAgent: cfg.UserAgent,
	}
	if w.timeout <= 0 {
		w.timeout = DefaultTimeout
	}
	if w.client == nil {
		w.client = NewClient(w.timeout)
	}
	if w.concurrency <= 0 {
		w.concurrency = DefaultConcurrency
	}
	switch {
	case w.perSubmitter == 0:
		w.perSubmitter = DefaultPerSubmitter
	case w.perSubmitter < 0:
		w.perSubmitter = 0 // the store's "no cap"
	}
	if w.poll <= 0 {
		w.poll = DefaultPollInterval
	}
	if w.retryFor <= 0 {
		w.retryFor = DefaultRetryFor
	}
	if w.retention == 0 {
		w.retention = DefaultRetention
	}
	if w.backoff == nil {
		w.backoff = ExponentialBackoff(DefaultBackoffBase, DefaultBackoffMax)
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.owner == "" {
		w.owner = defaultOwner()
	}
	if w.log == nil {
		w.log = slog.Default()
	}
	if w.userAgent == "" {
		w.userAgent = "claimgate-webhooks/1"
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	w.metrics = m
	return w, nil
}

func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "webhooks-" + host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:])
}

// Owner is the name of the worker's leases.
func (w *Worker) Owner() string { return w.owner }

// ExponentialBackoff returns a backoff of base * 2^(attempt-1), capped at maxWait, with jitter: a
// random wait between half and all of it, so receivers coming back are not hit by every
// sender at once.
func ExponentialBackoff(base, maxWait time.Duration) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < maxWait; i++ {
			d *= 2
		}
		d = min(d, maxWait)
		half := d / 2
		if half <= 0 {
			return d
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(half)+1))
		if err != nil {
			return d
		}
		return half + time.Duration(n.Int64())
	}
}

// Run delivers until ctx is cancelled, then lets the attempts in flight end (their requests
// are cancelled and not recorded), gives back its leases and returns nil. Up to Concurrency
// attempts run at once; a slot that frees up is refilled at once, so one slow receiver holds
// one slot, not a whole round. Store errors are logged and retried after PollInterval.
func (w *Worker) Run(ctx context.Context) error {
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if n, err := w.store.ReleaseWebhookLeases(rctx, w.owner); err != nil {
			w.log.Warn("webhooks: releasing leases", "owner", w.owner, "err", err)
		} else if n > 0 {
			w.log.Info("webhooks: released leases", "owner", w.owner, "count", n)
		}
	}()
	finished := make(chan error, w.concurrency)
	inflight := 0
	stop := ctx.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	due := true // try to claim now
	for {
		if due && stop != nil && inflight < w.concurrency {
			due = false
			ds, err := w.claim(ctx, w.concurrency-inflight)
			if err != nil {
				w.log.Error("webhooks: claiming deliveries", "err", err)
			}
			for _, d := range ds {
				inflight++
				go func() { finished <- w.deliver(ctx, d) }()
			}
			idle := len(ds) == 0 || err != nil
			if idle {
				timer.Reset(w.poll) // nothing more is due now: look again later
			} else if inflight < w.concurrency {
				due = true // free slots and work found: look again at once
				timer.Reset(0)
			}
			// The depth gauge: at most once a poll interval when idle, every statsInterval
			// when busy.
			if since := time.Since(w.lastStats); ctx.Err() == nil && (since >= statsInterval || idle && since >= w.poll) {
				w.refreshDepth(ctx)
			}
			if w.retention > 0 && ctx.Err() == nil && time.Since(w.lastPurge) >= purgeInterval {
				w.lastPurge = time.Now()
				if n, err := w.Purge(ctx); err != nil && ctx.Err() == nil {
					w.log.Warn("webhooks: purging finished deliveries", "err", err)
				} else if n > 0 {
					w.log.Info("webhooks: purged finished deliveries", "count", n, "retention", w.retention.String())
				}
			}
		}
		if stop == nil && inflight == 0 {
			return nil
		}
		select {
		case err := <-finished:
			inflight--
			if err != nil && ctx.Err() == nil {
				w.log.Error("webhooks: delivery", "err", err)
			}
			due = true // a slot is free, and the claim's next event may be due
		case <-timer.C:
			due = true
		case <-stop:
			stop = nil // drain the attempts in flight, then return
		}
	}
}

// Purge deletes the delivered and failed deliveries whose last attempt is older than the
// retention, in batches, and returns how many it deleted. It does nothing when the retention
// is negative.
func (w *Worker) Purge(ctx context.Context) (int, error) {
	if w.retention < 0 {
		return 0, nil
	}
	before := w.now().Add(-w.retention)
	total := 0
	for {
		n, err := w.store.PurgeWebhookDeliveries(ctx, before, purgeBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("webhooks: purge: %w", err)
		}
		if n < purgeBatch {
			return total, nil
		}
	}
}

// refreshDepth updates the outbox depth gauge.
func (w *Worker) refreshDepth(ctx context.Context) {
	n, err := w.store.WebhookOutboxDepth(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("webhooks: outbox depth", "err", err)
		}
		return
	}
	w.metrics.depth.Set(float64(n))
	w.lastStats = time.Now()
}

// RunOnce claims up to Concurrency due deliveries, attempts them in parallel and records the
// outcomes. It returns how many it attempted.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	ds, err := w.claim(ctx, w.concurrency)
	if err != nil {
		return 0, fmt.Errorf("webhooks: claiming deliveries: %w", err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ds))
	for i, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.deliver(ctx, d)
		}()
	}
	wg.Wait()
	return len(ds), errors.Join(errs...)
}

// claim leases up to n due deliveries. The claiming transaction is not cut short by ctx: a
// commit interrupted by cancellation may still land on the server after the worker has given
// its leases back at shutdown, leaving a lease nobody releases until it expires. Bounded by
// its own timeout instead. After an error no delivery is returned (whether the leases were
// committed is unknown; they expire).
func (w *Worker) claim(ctx context.Context, n int) ([]gateway.WebhookDelivery, error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.timeout)
	defer cancel()
	ds, err := w.store.ClaimWebhookDeliveries(cctx, gateway.WebhookClaim{Owner: w.owner, Now: w.now(), Limit: n, Lease: w.timeout + leaseMargin,
		PerSubmitter: w.perSubmitter})
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// deliver makes one attempt and records it. An attempt that failed because ctx was cancelled
// (shutdown) is not recorded: the lease is given back and the delivery is attempted again,
// with the same id. A delivered one is recorded even then.
func (w *Worker) deliver(ctx context.Context, d gateway.WebhookDelivery) error {
	start := w.now()
	status, attemptErr := w.send(ctx, d, start)
	if attemptErr != nil && ctx.Err() != nil {
		return nil
	}
	first := start
	if d.FirstAttemptAt != nil {
		first = *d.FirstAttemptAt
	}
	a := gateway.WebhookAttempt{DeliveryID: d.ID, Owner: w.owner, At: start, Status: status}
	result := ResultDelivered
	switch {
	case attemptErr == nil:
		a.State = gateway.WebhookDelivered
	case errors.Is(attemptErr, errPermanent) || start.Sub(first) >= w.retryFor:
		a.State, a.Error, result = gateway.WebhookFailed, attemptErr.Error(), ResultFailed
	default:
		a.State, a.Error, result = gateway.WebhookPending, attemptErr.Error(), ResultRetry
		a.NextAttemptAt = start.Add(w.backoff(d.Attempts + 1))
	}
	w.metrics.deliveries.WithLabelValues(result).Inc()
	if result != ResultDelivered {
		w.log.Warn("webhooks: delivery attempt failed", "delivery", d.ID, "event", d.Type, "claim_id", d.ClaimID,
			"attempt", d.Attempts+1, "status", status, "err", a.Error, "result", result)
	}
	if _, err := w.store.RecordWebhookAttempt(context.WithoutCancel(ctx), a); err != nil {
		return fmt.Errorf("webhooks: recording delivery %s: %w", d.ID, err)
	}
	return nil
}

// errPermanent marks failures that retrying cannot fix.
var errPermanent = errors.New("not retried")

// send POSTs the delivery and returns the HTTP status (0 when none came back) and nil for a
// 2xx answer, else the failure in a short message without the URL or the response body.
func (w *Worker) send(ctx context.Context, d gateway.WebhookDelivery, at time.Time) (int, error) {
	if d.URL == "" {
		return 0, fmt.Errorf("%w: the submitter has no webhook URL any more", errPermanent)
	}
	if d.Secret == "" {
		return 0, fmt.Errorf("%w: the webhook has no signing secret (set it again with claimgate submitters webhook)", errPermanent)
	}
	u, err := url.Parse(d.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, fmt.Errorf("%w: the webhook URL is not an absolute http(s) URL", errPermanent)
	}
	body, err := Body(d)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errPermanent, err)
	}
	actx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: building the request failed", errPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", w.userAgent)
	req.Header.Set(HeaderEvent, d.Type)
	req.Header.Set(HeaderDelivery, d.ID)
	req.Header.Set(HeaderSignature, Sign(d.Secret, at, body))
	began := time.Now()
	resp, err := w.client.Do(req)
	if err != nil {
		w.metrics.duration.Observe(time.Since(began).Seconds())
		return 0, errors.New(transportError(err, w.timeout))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
	_ = resp.Body.Close()
	w.metrics.duration.Observe(time.Since(began).Seconds())
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, nil
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return resp.StatusCode, fmt.Errorf("HTTP %d: redirect not followed (only 307/308 to the same host are)", resp.StatusCode)
	}
	return resp.StatusCode, fmt.Errorf("HTTP %d", resp.StatusCode)
}

// transportError describes a failed request without its URL (which may hold a token).
func transportError(err error, timeout time.Duration) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return "timeout after " + timeout.String()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "DNS lookup failed"
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}
