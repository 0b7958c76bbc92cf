package jobs

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	queued   *prometheus.GaugeVec
	panics   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_jobs_total",
			Help: "Job attempts by kind and result (completed, failed = will retry, discarded, lost).",
		}, []string{"kind", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "claimgate_job_duration_seconds",
			Help:    "Time spent in job handlers.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"kind"}),
		queued: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "claimgate_jobs_queued",
			Help: "Jobs waiting to run (available or awaiting retry), by kind.",
		}, []string{"kind"}),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_job_panics_total",
			Help: "Job handler panics recovered, by kind.",
		}, []string{"kind"}),
	}
	if reg != nil {
		m.total = register(reg, m.total)
		m.duration = register(reg, m.duration)
		m.queued = register(reg, m.queued)
		m.panics = register(reg, m.panics)
	}
	return m
}

// register registers c, or returns the collector already registered under its name (a second
// Runner in the same process shares the metrics).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic("jobs: registering metrics: " + err.Error())
	}
	return c
}
