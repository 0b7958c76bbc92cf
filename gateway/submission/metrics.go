package submission

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	sftpOps         *prometheus.CounterVec
	batches         *prometheus.CounterVec
	claimsSubmitted *prometheus.CounterVec
	filesReceived   *prometheus.CounterVec
	lastPoll        *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		sftpOps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_sftp_operations_total",
			Help: "SFTP operations with payers' servers, by payer, operation and result.",
		}, []string{"payer", "op", "result"}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_batches_submitted_total",
			Help: "837 batches uploaded to a payer's server.",
		}, []string{"payer"}),
		claimsSubmitted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_claims_submitted_total",
			Help: "Claims moved to submitted (their batch is on the payer's server).",
		}, []string{"payer"}),
		filesReceived: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimgate_files_received_total",
			Help: "New response files fetched from a payer, by recognised kind.",
		}, []string{"payer", "kind"}),
		lastPoll: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "claimgate_last_poll_success_timestamp_seconds",
			Help: "Unix time of the last poll of a payer that finished without error.",
		}, []string{"payer"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.sftpOps, m.batches, m.claimsSubmitted, m.filesReceived, m.lastPoll} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("submission: register metrics: %w", err)
			}
		}
	}
	return m, nil
}
