package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/acks"
	"github.com/claimgate/claimgate/gateway/remit"
	"github.com/claimgate/claimgate/gateway/submission"
	"github.com/claimgate/claimgate/payers"
)

// crashPointEnv names, FOR TESTS ONLY, a point of the submit run (after-archive, after-upload,
// after-submit; several separated by commas) at which serve exits at once with status 137, as
// if killed there. The crash test of gateway/submission sets it; it is never set in
// production and has no effect when unset.
const crashPointEnv = "CLAIMGATE_TEST_CRASHPOINT"

// batchLimitEnv caps the claims of one 837 file (default submission.DefaultBatchLimit, 5,000).
// Payers that want smaller files, and the crash test (many small batches), set it.
const batchLimitEnv = "CLAIMGATE_SUBMIT_BATCH_LIMIT"

// newSubmission builds the payer registry and the submission service of serve; ingesters
// process the response files its poll job fetches (see responseIngesters).
func newSubmission(cfg *config, store gateway.Store, logger *slog.Logger, reg prometheus.Registerer,
	getenv func(string) string, ingesters map[gateway.FileKind]submission.Ingester) (*submission.Service, error) {
	payerReg, err := payers.NewRegistry(cfg.Payers)
	if err != nil {
		return nil, fmt.Errorf("payers: %w", err)
	}
	batchLimit := 0
	if v := getenv(batchLimitEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > submission.DefaultBatchLimit {
			return nil, fmt.Errorf("%s: %q must be a number from 1 to %d", batchLimitEnv, v, submission.DefaultBatchLimit)
		}
		batchLimit = n
	}
	s := cfg.Submitter
	return submission.New(submission.Config{
		Store:  store,
		Payers: payerReg,
		Sender: x837.Sender{
			ISAQualifier: s.ISAQualifier, ISAID: s.ID, GSID: s.ID, Name: s.Name,
			Contact: x837.Contact{Name: firstSet(s.ContactName, s.Name), Phone: s.ContactPhone, Email: s.ContactEmail},
		},
		Logger:     logger,
		Registerer: reg,
		LeaseTTL:   cfg.Jobs.Lease,
		BatchLimit: batchLimit,
		CrashHook:  crashHook(getenv(crashPointEnv), logger),
		Ingesters:  ingesters,
	})
}

// responseIngesters maps each response file kind to its ingester: TA1, 999 and 277CA to the
// acknowledgment ingester, 835 to the remittance poster.
func responseIngesters(ack *acks.Ingester, poster *remit.Poster) map[gateway.FileKind]submission.Ingester {
	out := map[gateway.FileKind]submission.Ingester{gateway.Kind835: poster}
	for _, k := range acks.Kinds() {
		if ki, ok := ack.For(k); ok {
			out[k] = ki
		}
	}
	return out
}

// withStaleMonitor refreshes the stale-claims gauge (claimgate_claims_stale) every minute
// beside run, until run's context ends.
func withStaleMonitor(run func(context.Context) error, ack *acks.Ingester) func(context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			ack.RunStaleMonitor(ctx, time.Minute)
		}()
		var err error
		if run != nil {
			err = run(ctx)
		} else {
			<-ctx.Done()
		}
		cancel()
		<-done
		return err
	}
}

// crashHook returns the test-only hook for CLAIMGATE_TEST_CRASHPOINT, or nil when it is unset.
func crashHook(points string, logger *slog.Logger) func(string) {
	if points == "" {
		return nil
	}
	set := map[string]bool{}
	for _, p := range strings.Split(points, ",") {
		set[strings.TrimSpace(p)] = true
	}
	logger.Warn("TEST CRASH HOOK ACTIVE: the process exits at the named submit points", "points", points)
	return func(point string) {
		if set[point] {
			logger.Warn("test crash point reached: exiting 137", "point", point)
			os.Exit(137)
		}
	}
}

func firstSet(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
