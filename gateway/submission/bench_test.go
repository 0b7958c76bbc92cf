package submission_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/jobs"
	"github.com/claimgate/claimgate/gateway/submission"
	"github.com/claimgate/claimgate/payers/sftpd"
)

// BenchmarkEncounterToFile measures, end to end and in process, the time from a new claim row
// (an accepted encounter) to its 837 file on the payer's server after an operator's
// submit-now: enqueue, the job runner claiming the job (its poll interval is the main wait),
// the per-payer lease, selection, rendering, archive, batch, SFTP upload (temporary name and
// rename, over a real SSH server on loopback) and the submitted bookkeeping. One op is one
// claim submitted alone; ns/op is the latency, and p50/p99 are reported as well.
func BenchmarkEncounterToFile(b *testing.B) {
	for _, kind := range []storeKind{sqliteStore, postgresStore} {
		for _, poll := range []time.Duration{10 * time.Millisecond, time.Second} {
			b.Run(fmt.Sprintf("%s/runner-poll=%s", kind, poll), func(b *testing.B) {
				benchEncounterToFile(b, kind, poll)
			})
		}
	}
}

func benchEncounterToFile(b *testing.B, kind storeKind, poll time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := openStore(b, kind)
	srv := newPayerServer(b, sftpd.BackendInProcess)
	svc := newService(b, store, srv.payer(), nil)
	runner := jobs.New(store, jobs.Config{Workers: 2, PollInterval: poll, Logger: quietLogger(), Lease: 30 * time.Second})
	svc.Register(runner)
	done := make(chan struct{})
	go func() { defer close(done); _ = runner.Run(ctx) }()
	defer func() { cancel(); <-done }()

	encs := encounters(b)
	createClaims(b, store, 1, "warm") // the submitter
	sub, err := store.SubmitterByName(ctx, "ehr")
	if err != nil {
		b.Fatal(err)
	}
	inbound := filepath.Join(srv.root, "inbound")
	isa := int64(0)
	// Warm up: the first batch (ISA13 1) carries the warm-up claim.
	if _, err := svc.SubmitNow(ctx, payerID); err != nil {
		b.Fatal(err)
	}
	isa++
	waitFile(b, filepath.Join(inbound, submission.RemoteName(payerID, isa)), 30*time.Second)

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := store.CreateIntakeClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: fmt.Sprintf("bench-%d", i),
			Type: gateway.Professional, PayerID: payerID, TotalCharge: 15000, LineCount: 1, Encounter: encs[0]},
			gateway.EventInput{Source: "intake"}, gateway.IdempotencyKey{}); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.SubmitNow(ctx, payerID); err != nil {
			b.Fatal(err)
		}
		isa++
		waitFile(b, filepath.Join(inbound, submission.RemoteName(payerID, isa)), 30*time.Second)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
}

func waitFile(b *testing.B, path string, limit time.Duration) {
	b.Helper()
	deadline := time.Now().Add(limit)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s did not appear within %s", filepath.Base(path), limit)
		}
		time.Sleep(500 * time.Microsecond)
	}
}
