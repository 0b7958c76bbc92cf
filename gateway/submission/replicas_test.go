package submission_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/jobs"
	"github.com/claimgate/claimgate/gateway/submission"
	"github.com/claimgate/claimgate/payers"
	"github.com/claimgate/claimgate/payers/sftpd"
)

// interval is one SFTP operation of a replica, as its observer saw it.
type interval struct {
	replica    string
	start, end time.Time
}

// TestTwoReplicasOnePostgres runs two gateways (each its own Service, job runner, owner and
// schedules) on one Postgres with a 2,000-claim backlog, both triggered by their schedules
// and by operator submit-now calls: every claim ends up in exactly one uploaded file, and the
// replicas never talk to the payer at the same time.
func TestTwoReplicasOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 claims")
	}
	ctx := context.Background()
	store := openStore(t, postgresStore)
	srv := newPayerServer(t, sftpd.BackendInProcess)
	ids := createClaims(t, store, 2000, "R")

	var mu sync.Mutex
	var ops []interval
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	var services []*submission.Service
	for _, name := range []string{"replica-a", "replica-b"} {
		svc := newService(t, store, srv.payer(), func(c *submission.Config) {
			c.Owner = name
			c.BatchLimit = 150
			c.MaxBatchesPerRun = 2 // runs alternate between the replicas
			c.DialOptions = payers.DialOptions{Observer: func(op, result string, d time.Duration) {
				if op != "upload" && op != "stat" {
					return
				}
				end := time.Now()
				mu.Lock()
				ops = append(ops, interval{replica: name, start: end.Add(-d), end: end})
				mu.Unlock()
			}}
		})
		services = append(services, svc)
		runner := jobs.New(store, jobs.Config{Workers: 2, Lease: 10 * time.Second, PollInterval: 20 * time.Millisecond,
			Owner: name, Logger: quietLogger(), RetryBase: 50 * time.Millisecond, RetryMax: time.Second})
		svc.Register(runner)
		sched, err := svc.Scheduler()
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(2)
		go func() { defer wg.Done(); _ = runner.Run(runCtx) }()
		go func() { defer wg.Done(); _ = sched.Run(runCtx) }()
	}
	for i := 0; i < 6; i++ {
		if _, err := services[i%2].SubmitNow(ctx, payerID); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		bs, err := store.ListBatches(ctx, gateway.BatchFilter{PayerID: payerID, Status: gateway.BatchUploaded, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, b := range bs {
			n += b.ClaimCount
		}
		if n == len(ids) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 2 minutes %d of %d claims are uploaded", n, len(ids))
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	wg.Wait()
	assertExactlyOnce(t, store, srv.uploaded(t), ids)

	sort.Slice(ops, func(i, j int) bool { return ops[i].start.Before(ops[j].start) })
	byReplica := map[string]int{}
	for i, a := range ops {
		byReplica[a.replica]++
		for _, b := range ops[i+1:] {
			if !b.start.Before(a.end) {
				break
			}
			if a.replica != b.replica {
				t.Errorf("%s and %s uploaded to the payer at the same time (%s-%s, %s-%s)", a.replica, b.replica,
					a.start.Format("15:04:05.000"), a.end.Format("15:04:05.000"), b.start.Format("15:04:05.000"), b.end.Format("15:04:05.000"))
			}
		}
	}
	assertIntegrity(t, store)
	t.Logf("uploads per replica: %v", byReplica)
	if len(byReplica) != 2 {
		// Not a failure: which runner claims each job is a race both may win every time.
		t.Logf("only one replica happened to upload: %v", byReplica)
	}
}
