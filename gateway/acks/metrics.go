package acks

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	files     *prometheus.CounterVec
	claimAcks *prometheus.CounterVec
	unmatched *prometheus.CounterVec
	stale     *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		files: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_acks_ingested_total",
			Help: "Acknowledgment files (TA1, 999, 277CA) ingested, by payer, kind and result (processed, quarantined, duplicate, error).",
		}, []string{"payer", "kind", "result"}),
		claimAcks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_claim_acks_total",
			Help: "Acknowledgments recorded against claims, by payer, kind and outcome (accepted, rejected, pended, other).",
		}, []string{"payer", "kind", "outcome"}),
		unmatched: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_unmatched_acks_total",
			Help: "Acknowledgments (or parts: 999 sets, 277CA claims) that matched no batch or claim, by payer and kind.",
		}, []string{"payer", "kind"}),
		stale: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "claimgate_claims_stale",
			Help: "Claims waiting longer than configured for an acknowledgment, by payer and what they wait for (999, 277CA).",
		}, []string{"payer", "waiting_for"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	if m.files, err = register(reg, m.files); err != nil {
		return nil, err
	}
	if m.claimAcks, err = register(reg, m.claimAcks); err != nil {
		return nil, err
	}
	if m.unmatched, err = register(reg, m.unmatched); err != nil {
		return nil, err
	}
	if m.stale, err = register(reg, m.stale); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector already registered under the same name (two
// Ingesters sharing a registry share their metrics).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, fmt.Errorf("acks: register metrics: %w", err)
	}
	return c, nil
}

// Metrics are the Ingester's collectors, for tests and for callers that export them elsewhere.
type Metrics struct {
	Files     *prometheus.CounterVec // claimgate_acks_ingested_total{payer,kind,result}
	ClaimAcks *prometheus.CounterVec // claimgate_claim_acks_total{payer,kind,outcome}
	Unmatched *prometheus.CounterVec // claimgate_unmatched_acks_total{payer,kind}
	Stale     *prometheus.GaugeVec   // claimgate_claims_stale{payer,waiting_for}
}

// Metrics returns the Ingester's collectors.
func (in *Ingester) Metrics() Metrics {
	return Metrics{Files: in.metrics.files, ClaimAcks: in.metrics.claimAcks, Unmatched: in.metrics.unmatched, Stale: in.metrics.stale}
}
