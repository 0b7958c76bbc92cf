package denials

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	total *prometheus.CounterVec
	open  *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_denials_total",
			Help: "Denials and rejections routed to a work queue (created by this process), by category, queue and payer.",
		}, []string{"category", "queue", "payer"}),
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "claimgate_denials_open",
			Help: "Unresolved (open or assigned) denials per work queue, as of the last routing sweep.",
		}, []string{"queue"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.total, m.open} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("denials: registering metrics: %w", err)
		}
	}
	return m, nil
}
