package api

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/gateway/intake"
)

// Encounter results, the values of claimgate_encounters_total's result label.
const (
	resultAccepted  = "accepted"  // 201: a new claim
	resultRejected  = "rejected"  // 422: scrubbing found problems
	resultDuplicate = "duplicate" // a retry answered from the first request (Idempotency-Key or external_id)
	resultInvalid   = "invalid"   // 400, 409, 413, 415: not an encounter, too large, or a conflicting reuse
)

// codeUnmappable is the problem code of an encounter that passed scrubbing but cannot be
// mapped onto an 837 claim (a gap between the two that the operator must report).
const codeUnmappable = "unmappable"

// metrics are the API's own instruments. Request latency is the server's
// claimgate_http_request_duration_seconds{route}, labelled by this package's route patterns.
type metrics struct {
	encounters    *prometheus.CounterVec
	scrubProblems *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		encounters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_encounters_total",
			Help: "Encounters received on POST /v1/encounters, by result: accepted, rejected (scrubbing), duplicate (answered from the first request), invalid (malformed, too large or conflicting).",
		}, []string{"result"}),
		scrubProblems: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_scrub_problems_total",
			Help: "Problems found by intake scrubbing, by problem code.",
		}, []string{"code"}),
	}
	for _, r := range []string{resultAccepted, resultRejected, resultDuplicate, resultInvalid} {
		m.encounters.WithLabelValues(r)
	}
	for _, c := range intake.ProblemCodes() {
		m.scrubProblems.WithLabelValues(c.Code)
	}
	m.scrubProblems.WithLabelValues(codeUnmappable)
	for _, c := range []prometheus.Collector{m.encounters, m.scrubProblems} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("api: registering metrics: %w", err)
		}
	}
	return m, nil
}
