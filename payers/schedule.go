package payers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule kinds: what a payer's tick asks for.
const (
	KindSubmit = "submit" // batch the payer's queued claims and upload them (Payer.Submit)
	KindPoll   = "poll"   // fetch the payer's response files (Payer.Poll)
)

// TickFunc is called for every tick of a payer's submit or poll schedule, with the tick's
// scheduled time (not the time it fired). Every replica computes the same tick times, so
// TickKey(kind, payerID, at) names the tick the same everywhere; the gateway enqueues one job
// under that unique key and the replicas' ticks collapse into it.
type TickFunc func(ctx context.Context, kind, payerID string, at time.Time) error

// TickKey is the job unique key of a tick: "submit:SIMPAYER:2026-11-22T10:05:00Z".
func TickKey(kind, payerID string, at time.Time) string {
	return kind + ":" + payerID + ":" + at.UTC().Format(time.RFC3339)
}

// alignedEvery is "@every D" anchored to the Unix epoch rather than to the moment the
// schedule was parsed (robfig/cron's ConstantDelaySchedule counts from its start), so that
// replicas started at different times tick at the same instants.
type alignedEvery struct{ d time.Duration }

func (a alignedEvery) Next(t time.Time) time.Time {
	n := t.Truncate(a.d).Add(a.d)
	if !n.After(t) {
		n = n.Add(a.d)
	}
	return n
}

// ParseAlignedSchedule parses expr as ParseSchedule does and anchors "@every" schedules to
// the Unix epoch (whole multiples of the interval), so every replica computes the same ticks.
// Cron fields are evaluated in UTC.
func ParseAlignedSchedule(expr string) (cron.Schedule, error) {
	s, err := ParseSchedule(expr)
	if err != nil {
		return nil, err
	}
	switch c := s.(type) {
	case cron.ConstantDelaySchedule:
		return alignedEvery{d: c.Delay}, nil
	case *cron.SpecSchedule:
		c.Location = time.UTC
		return c, nil
	}
	return s, nil
}

// Scheduler runs every payer's submit and poll schedules and calls a TickFunc on each tick.
// It only triggers: the work happens in the jobs the TickFunc enqueues. It runs in every
// replica; ticks are deduplicated by their key (TickKey), not by electing a leader.
//
// Parsing uses github.com/robfig/cron/v3 (five fields, an optional seconds field, or
// descriptors such as @hourly and @every 30s). The firing loop is the Scheduler's own rather
// than cron.Cron's, because the tick key needs each tick's scheduled time, which cron.Cron does
// not hand to its jobs.
type Scheduler struct {
	entries []entry
	fn      TickFunc
	log     *slog.Logger
	now     func() time.Time
}

type entry struct {
	kind, payerID, expr string
	sched               cron.Schedule
}

// SchedulerOptions are the Scheduler's optional settings.
type SchedulerOptions struct {
	Logger *slog.Logger     // nil: slog.Default()
	Now    func() time.Time // nil: time.Now
}

// NewScheduler parses every payer's submit and poll expressions (all problems at once).
func NewScheduler(reg *Registry, fn TickFunc, opts SchedulerOptions) (*Scheduler, error) {
	if fn == nil {
		return nil, fmt.Errorf("payers: scheduler: %w: a TickFunc is required", ErrConfig)
	}
	s := &Scheduler{fn: fn, log: opts.Logger, now: opts.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	var problems []error
	for _, p := range reg.Payers() {
		for _, k := range []struct{ kind, expr string }{{KindSubmit, p.Submit}, {KindPoll, p.Poll}} {
			sched, err := ParseAlignedSchedule(k.expr)
			if err != nil {
				problems = append(problems, fmt.Errorf("payer %s: %s %q: %w", p.ID, k.kind, k.expr, err))
				continue
			}
			s.entries = append(s.entries, entry{kind: k.kind, payerID: p.ID, expr: k.expr, sched: sched})
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("payers: scheduler: %w", errors.Join(problems...))
	}
	return s, nil
}

// NextTick returns the first tick of a payer's kind of schedule after t.
func (s *Scheduler) NextTick(kind, payerID string, t time.Time) (time.Time, bool) {
	for _, e := range s.entries {
		if e.kind == kind && e.payerID == payerID {
			return e.sched.Next(t), true
		}
	}
	return time.Time{}, false
}

// Run fires the schedules until ctx ends, then returns nil. A tick whose TickFunc fails is
// logged and not retried (the next tick comes); ticks missed while the process was busy or
// suspended are skipped, not replayed.
func (s *Scheduler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, e := range s.entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.loop(ctx, e)
		}()
	}
	s.log.Info("payer schedules started", "schedules", len(s.entries))
	wg.Wait()
	return nil
}

func (s *Scheduler) loop(ctx context.Context, e entry) {
	next := e.sched.Next(s.now())
	for {
		if next.IsZero() {
			s.log.Warn("payer schedule never fires", "payer_id", e.payerID, "kind", e.kind, "schedule", e.expr)
			return
		}
		timer := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		if err := s.fn(ctx, e.kind, e.payerID, next); err != nil && ctx.Err() == nil {
			s.log.Warn("payer schedule tick failed", "payer_id", e.payerID, "kind", e.kind,
				"tick", next.UTC().Format(time.RFC3339), "err", err)
		}
		// The next tick after now: a slow TickFunc or a suspended process skips ticks rather
		// than firing a burst of stale ones.
		next = e.sched.Next(maxTime(next, s.now()))
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
