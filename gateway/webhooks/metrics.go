package webhooks

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Delivery attempt results, the values of claimgate_webhook_deliveries_total's result label.
const (
	ResultDelivered = "delivered" // the receiver answered 2xx
	ResultRetry     = "retry"     // failed; tried again later
	ResultFailed    = "failed"    // failed; given up (retry window over, or the webhook was removed)
)

type metrics struct {
	deliveries *prometheus.CounterVec
	depth      prometheus.Gauge
	duration   prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_webhook_deliveries_total",
			Help: "Webhook delivery attempts by result: delivered (2xx), retry (failed, tried again later), failed (given up).",
		}, []string{"result"}),
		depth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "claimgate_webhook_outbox_depth",
			Help: "Webhook deliveries pending in the outbox (not yet delivered nor given up).",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "claimgate_webhook_delivery_duration_seconds",
			Help:    "Duration of webhook delivery attempts (request sent to response read, or failure).",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}),
	}
	for _, r := range []string{ResultDelivered, ResultRetry, ResultFailed} {
		m.deliveries.WithLabelValues(r)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.deliveries, m.depth, m.duration} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("webhooks: registering metrics: %w", err)
			}
		}
	}
	return m, nil
}
