package acks

import (
	"context"
	"fmt"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// Staleness is how long a claim may wait for each acknowledgment before it is listed as stale.
type Staleness struct {
	// After999: a claim submitted longer than this without a 999 is stale (default 24 h).
	After999 time.Duration
	// After277CA: a claim accepted by a 999 longer than this without a 277CA is stale
	// (default 5 days).
	After277CA time.Duration
}

func (s Staleness) withDefaults() Staleness {
	if s.After999 <= 0 {
		s.After999 = DefaultStaleAfter999
	}
	if s.After277CA <= 0 {
		s.After277CA = DefaultStaleAfter277CA
	}
	return s
}

// Filter returns the store filter selecting the claims stale at now (zero durations take the
// defaults).
func (s Staleness) Filter(now time.Time) gateway.StaleFilter {
	s = s.withDefaults()
	return gateway.StaleFilter{SubmittedBefore: now.Add(-s.After999), AcceptedBefore: now.Add(-s.After277CA)}
}

// StaleClaims lists the claims stale at now under s, longest waiting first; f's PayerID,
// SubmitterID, Cursor and Limit narrow and page the list (its times are replaced).
func StaleClaims(ctx context.Context, tx gateway.AckTx, s Staleness, now time.Time, f gateway.StaleFilter) (gateway.StalePage, error) {
	cut := s.Filter(now)
	f.SubmittedBefore, f.AcceptedBefore = cut.SubmittedBefore, cut.AcceptedBefore
	page, err := tx.StaleClaims(ctx, f)
	if err != nil {
		return gateway.StalePage{}, fmt.Errorf("acks: stale claims: %w", err)
	}
	return page, nil
}

// Staleness returns the thresholds the Ingester uses.
func (in *Ingester) Staleness() Staleness { return in.stale }

// StaleClaims lists the claims stale now under the Ingester's thresholds.
func (in *Ingester) StaleClaims(ctx context.Context, f gateway.StaleFilter) (gateway.StalePage, error) {
	return StaleClaims(ctx, in.store, in.stale, in.now(), f)
}

// RefreshStale counts the stale claims and sets the claimgate_claims_stale gauge: one series
// per payer and waiting_for, payers without stale claims reset to zero.
func (in *Ingester) RefreshStale(ctx context.Context) ([]gateway.StaleCount, error) {
	f := in.stale.Filter(in.now())
	counts, err := in.store.CountStaleClaims(ctx, f.SubmittedBefore, f.AcceptedBefore)
	if err != nil {
		return nil, fmt.Errorf("acks: count stale claims: %w", err)
	}
	in.metrics.stale.Reset()
	for _, c := range counts {
		in.metrics.stale.WithLabelValues(c.PayerID, c.WaitingFor).Set(float64(c.Count))
	}
	return counts, nil
}

// RunStaleMonitor refreshes the stale gauge every interval (default one minute) until ctx is
// done. A failed count is logged and tried again at the next tick.
func (in *Ingester) RunStaleMonitor(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := in.RefreshStale(ctx); err != nil && ctx.Err() == nil {
			in.log.Warn("stale claim count failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
