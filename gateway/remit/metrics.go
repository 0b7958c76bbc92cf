package remit

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Claim payment results, the values of claimgate_claim_payments_total's result label.
const (
	resultMatched   = "matched"   // tied to one of our claims
	resultUnmatched = "unmatched" // on the unmatched list
	resultReversal  = "reversal"  // a CLP02=22 reversal tied to one of our claims
	resultDuplicate = "duplicate" // in a payment already posted from another file: not posted
)

type metrics struct {
	posted     *prometheus.CounterVec
	payments   *prometheus.CounterVec
	unbalanced *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		posted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_remittances_posted_total",
			Help: "835 remittances (transaction sets, one per payment) posted, by payer; duplicates included.",
		}, []string{"payer"}),
		payments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_claim_payments_total",
			Help: "835 claim payments (CLP) posted, by payer and result: matched, unmatched, reversal, duplicate (not posted).",
		}, []string{"payer", "result"}),
		unbalanced: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_remittances_unbalanced_total",
			Help: "835 remittances posted that do not balance (payment, claim or line), by payer.",
		}, []string{"payer"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.posted, m.payments, m.unbalanced} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("remit: registering metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) record(payer string, c *postCounts) {
	m.posted.WithLabelValues(payer).Add(float64(c.remittances))
	m.unbalanced.WithLabelValues(payer).Add(float64(c.unbalanced))
	m.payments.WithLabelValues(payer, resultMatched).Add(float64(c.matched))
	m.payments.WithLabelValues(payer, resultUnmatched).Add(float64(c.unmatched))
	m.payments.WithLabelValues(payer, resultReversal).Add(float64(c.reversals))
	m.payments.WithLabelValues(payer, resultDuplicate).Add(float64(c.duplicates))
}
