package denials

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
)

// JobRouteDenials is the job kind of the routing sweep.
const JobRouteDenials = "route_denials"

// DefaultInterval is how often Schedule enqueues a sweep when Config.Interval is zero.
const DefaultInterval = 30 * time.Second

// DefaultBatch is how many claim payments, rejections or corrections a sweep reads per round.
const DefaultBatch = 500

// CorrectionAccepted are the statuses of a replacement or void claim that show the payer took
// it: the 277CA accepted it, or the payer pended or adjudicated it. The original is marked
// replaced or voided only then, so a correction the payer rejects leaves the original as it
// was (a replaced or voided claim can never move again).
var CorrectionAccepted = []gateway.ClaimStatus{
	gateway.StatusAccepted277, gateway.StatusPended, gateway.StatusPaid, gateway.StatusPartiallyPaid,
	gateway.StatusDenied, gateway.StatusForwarded, gateway.StatusReversed,
}

// Config is what a Router needs.
type Config struct {
	Store gateway.Store // required
	// Codes classifies adjustments and routes categories to queues; nil: codes.Default().
	Codes *codes.Table
	// Registerer receives claimgate_denials_total and claimgate_denials_open; nil: none.
	Registerer prometheus.Registerer
	Logger     *slog.Logger     // nil: slog.Default()
	Now        func() time.Time // nil: time.Now
	Interval   time.Duration    // sweep period of Schedule; 0: DefaultInterval
	Batch      int              // rows per round; 0: DefaultBatch
}

// Router routes denials: it turns posted remittances and rejection work items into denials,
// and links accepted corrections to their originals. It is safe for concurrent use, and
// several replicas may sweep at once: every step is idempotent.
type Router struct {
	store    gateway.Store
	codes    *codes.Table
	log      *slog.Logger
	now      func() time.Time
	interval time.Duration
	batch    int
	metrics  *metrics
}

// New returns a Router.
func New(cfg Config) (*Router, error) {
	if cfg.Store == nil {
		return nil, errors.New("denials: Config.Store is required")
	}
	r := &Router{store: cfg.Store, codes: cfg.Codes, log: cfg.Logger, now: cfg.Now, interval: cfg.Interval, batch: cfg.Batch}
	if r.codes == nil {
		r.codes = codes.Default()
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.interval <= 0 {
		r.interval = DefaultInterval
	}
	if r.batch <= 0 {
		r.batch = DefaultBatch
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	r.metrics = m
	return r, nil
}

// Codes returns the router's code table.
func (r *Router) Codes() *codes.Table { return r.codes }

// SweepResult counts what one sweep did.
type SweepResult struct {
	Payments    int `json:"payments"`    // claim payments looked at
	Rejections  int `json:"rejections"`  // rejection work items looked at
	Created     int `json:"created"`     // denials created
	Corrections int `json:"corrections"` // originals marked replaced or voided
	Resolved    int `json:"resolved"`    // denials resolved by an accepted replacement
}

// Sweep routes everything not routed yet: claim payments, rejection work items, then accepted
// corrections. It loops until a round finds less than a batch.
func (r *Router) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	for {
		n, err := r.sweepPayments(ctx, &res)
		if err != nil {
			return res, err
		}
		if n < r.batch {
			break
		}
	}
	for {
		n, err := r.sweepRejections(ctx, &res)
		if err != nil {
			return res, err
		}
		if n < r.batch {
			break
		}
	}
	for {
		n, err := r.linkCorrections(ctx, &res)
		if err != nil {
			return res, err
		}
		if n < r.batch {
			break
		}
	}
	if err := r.RefreshOpen(ctx); err != nil {
		return res, err
	}
	if res.Created > 0 || res.Corrections > 0 {
		r.log.Info("denials routed", "payments", res.Payments, "rejections", res.Rejections, "created", res.Created,
			"corrections", res.Corrections, "resolved", res.Resolved)
	}
	return res, nil
}

func (r *Router) sweepPayments(ctx context.Context, res *SweepResult) (int, error) {
	refs, err := r.store.UnroutedClaimPayments(ctx, r.batch)
	if err != nil {
		return 0, fmt.Errorf("route denials: %w", err)
	}
	byRem := map[int64][]gateway.PaymentRef{}
	var order []int64
	for _, p := range refs {
		if _, ok := byRem[p.RemittanceID]; !ok {
			order = append(order, p.RemittanceID)
		}
		byRem[p.RemittanceID] = append(byRem[p.RemittanceID], p)
	}
	for _, remID := range order {
		want := map[int]bool{}
		lo, hi := byRem[remID][0].Seq, byRem[remID][0].Seq
		for _, p := range byRem[remID] {
			want[p.Seq] = true
			lo, hi = min(lo, p.Seq), max(hi, p.Seq)
		}
		var created []gateway.Denial
		err := r.store.WithTx(ctx, func(tx gateway.Tx) error {
			created = nil
			rem, err := tx.GetRemittance(ctx, remID)
			if err != nil {
				return err
			}
			all, err := tx.ClaimPaymentsInRange(ctx, remID, lo, hi)
			if err != nil {
				return err
			}
			cps := make([]gateway.ClaimPayment, 0, len(want))
			for _, cp := range all {
				if want[cp.Seq] {
					cps = append(cps, cp)
				}
			}
			if created, err = FromRemittance(ctx, tx, r.codes, rem, cps); err != nil {
				return err
			}
			return tx.MarkPaymentsRouted(ctx, byRem[remID])
		})
		if err != nil {
			return 0, fmt.Errorf("route denials of remittance %d: %w", remID, err)
		}
		res.Payments += len(byRem[remID])
		r.count(created, res)
	}
	return len(refs), nil
}

func (r *Router) sweepRejections(ctx context.Context, res *SweepResult) (int, error) {
	rejs, err := r.store.UnroutedRejections(ctx, r.batch)
	if err != nil {
		return 0, fmt.Errorf("route denials: %w", err)
	}
	for _, rej := range rejs {
		var created []gateway.Denial
		err := r.store.WithTx(ctx, func(tx gateway.Tx) error {
			created = nil
			d, ok, err := FromRejection(ctx, tx, r.codes, rej)
			if err != nil {
				return err
			}
			if ok {
				created = append(created, d)
			}
			return tx.MarkRejectionsRouted(ctx, []int64{rej.ID})
		})
		if err != nil {
			return 0, fmt.Errorf("route denial of rejection %d: %w", rej.ID, err)
		}
		res.Rejections++
		r.count(created, res)
	}
	return len(rejs), nil
}

// count records created denials in the metrics (after their commit).
func (r *Router) count(created []gateway.Denial, res *SweepResult) {
	for _, d := range created {
		r.metrics.total.WithLabelValues(d.Category, d.Queue, d.PayerID).Inc()
	}
	res.Created += len(created)
}

// linkCorrections marks the originals of accepted corrections replaced or voided, and resolves
// the original's unresolved denials as corrected by an accepted replacement.
func (r *Router) linkCorrections(ctx context.Context, res *SweepResult) (int, error) {
	links, err := r.store.PendingCorrectionLinks(ctx, CorrectionAccepted, r.batch)
	if err != nil {
		return 0, fmt.Errorf("link corrections: %w", err)
	}
	moved := 0
	for _, l := range links {
		to := gateway.StatusReplaced
		why := "replaced by claim " + l.Correction.ID + ", which the payer accepted"
		if l.Correction.Frequency == gateway.FrequencyVoid {
			to = gateway.StatusVoided
			why = "voided by claim " + l.Correction.ID + ", which the payer accepted"
		}
		if !gateway.CanTransition(l.Original.Status, to) {
			// e.g. the original still waits for its own acknowledgment: linked once it moves on.
			continue
		}
		resolved := 0
		err := r.store.WithTx(ctx, func(tx gateway.Tx) error {
			resolved = 0
			if _, err := tx.TransitionClaim(ctx, l.Original.ID, to, gateway.EventInput{Reason: why,
				Source: "claim:" + l.Correction.ID}); err != nil {
				return err
			}
			if to != gateway.StatusReplaced {
				return nil
			}
			for _, st := range []string{gateway.DenialOpen, gateway.DenialAssigned} {
				page, err := tx.ListDenials(ctx, gateway.DenialFilter{ClaimID: l.Original.ID, Status: st, Limit: 1000})
				if err != nil {
					return err
				}
				for _, d := range page.Denials {
					if _, err := tx.ResolveDenial(ctx, gateway.DenialResolve{ID: d.ID, Resolution: gateway.ResolutionCorrected,
						ClaimID: l.Correction.ID, Note: "resolved automatically: " + why, Actor: "claimgate"}); err != nil {
						return err
					}
					resolved++
				}
			}
			return nil
		})
		if errors.Is(err, gateway.ErrConflict) {
			continue // the original moved meanwhile; the next sweep looks again
		}
		if err != nil {
			return 0, fmt.Errorf("link correction %s: %w", l.Correction.ID, err)
		}
		moved++
		res.Corrections++
		res.Resolved += resolved
	}
	if len(links) == r.batch && moved == 0 {
		// A full round of corrections that cannot be linked yet: stop rather than loop.
		return 0, nil
	}
	return len(links), nil
}

// RefreshOpen sets claimgate_denials_open from the store.
func (r *Router) RefreshOpen(ctx context.Context) error {
	stats, err := r.store.DenialQueueStats(ctx, 0)
	if err != nil {
		return fmt.Errorf("denial queue stats: %w", err)
	}
	open := map[string]int{}
	for _, q := range r.codes.Queues() {
		open[q] = 0
	}
	for _, s := range stats {
		open[s.Queue] = s.Open + s.Assigned
	}
	r.metrics.open.Reset() // a queue renamed by configuration disappears
	for q, n := range open {
		r.metrics.open.WithLabelValues(q).Set(float64(n))
	}
	return nil
}

// Handle is the job handler of JobRouteDenials.
func (r *Router) Handle(ctx context.Context, _ gateway.Job) error {
	_, err := r.Sweep(ctx)
	return err
}

// Schedule enqueues a JobRouteDenials job every interval until ctx ends. The job's unique key
// is the interval's start, so several replicas enqueue one job per interval.
func (r *Router) Schedule(ctx context.Context) error {
	tick := time.NewTicker(r.interval)
	defer tick.Stop()
	for {
		if err := r.enqueue(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("enqueue the denial routing job", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (r *Router) enqueue(ctx context.Context) error {
	slot := r.now().UTC().Truncate(r.interval)
	_, _, err := r.store.EnqueueJob(ctx, gateway.JobParams{Kind: JobRouteDenials,
		UniqueKey: JobRouteDenials + ":" + slot.Format(time.RFC3339), MaxAttempts: 3})
	return err
}
