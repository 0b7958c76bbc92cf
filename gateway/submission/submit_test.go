package submission_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/submission"
	"github.com/claimgate/claimgate/payers"
	"github.com/claimgate/claimgate/payers/sftpd"
)

func TestSubmitDeliversEveryClaimOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind storeKind) {
		forEachBackend(t, func(t *testing.T, b sftpd.Backend) {
			ctx := context.Background()
			store := openStore(t, kind)
			srv := newPayerServer(t, b)
			reg := prometheus.NewRegistry()
			svc := newService(t, store, srv.payer(), func(c *submission.Config) {
				c.BatchLimit = 7
				c.Registerer = reg
			})
			ids := createClaims(t, store, 30, "E")

			res, err := svc.Submit(ctx, payerID)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Batches) != 5 || res.Claims != 30 || res.Resumed != 0 || res.Held != 0 {
				t.Fatalf("result %+v, want 5 batches (7,7,7,7,2) and 30 claims", res)
			}
			assertExactlyOnce(t, store, srv.uploaded(t), ids)

			// Nothing left: a second run sends nothing.
			res, err = svc.Submit(ctx, payerID)
			if err != nil || len(res.Batches) != 0 || res.Claims != 0 || res.Uploaded != 0 {
				t.Fatalf("second run %+v, %v", res, err)
			}
			if n := len(srv.uploaded(t)); n != 5 {
				t.Fatalf("%d files on the server, want 5", n)
			}

			// The events tell the story with the batch as source.
			evs, err := store.ClaimEvents(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 3 || evs[1].To != gateway.StatusBatched || evs[2].To != gateway.StatusSubmitted ||
				!strings.HasPrefix(evs[2].Source, "batch:") || len(evs[2].Detail) == 0 {
				t.Fatalf("events %+v", evs)
			}
			if got := metricValue(t, reg, "claimgate_claims_submitted_total"); got != 30 {
				t.Errorf("claims submitted metric %v", got)
			}
			if got := metricValue(t, reg, "claimgate_batches_submitted_total"); got != 5 {
				t.Errorf("batches submitted metric %v", got)
			}
			states, err := store.PayerStates(ctx)
			if err != nil || len(states) != 1 || states[0].LastSubmitAt == nil {
				t.Fatalf("payer states %+v %v", states, err)
			}
			// The files name the payer's receiver and usage, and carry the control numbers
			// the batches record.
			batches, err := store.ListBatches(ctx, gateway.BatchFilter{PayerID: payerID})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[int64]bool{}
			for _, bt := range batches {
				if seen[bt.ISA13] {
					t.Fatalf("ISA13 %d used twice", bt.ISA13)
				}
				seen[bt.ISA13] = true
				data := srv.uploaded(t)[bt.RemoteName]
				if bt.RemoteName != submission.RemoteName(payerID, bt.ISA13) ||
					!strings.Contains(string(data[:106]), "*ZZ*SIMPAYER       *") || data[102] != 'T' {
					t.Fatalf("batch %d (%s): envelope %q", bt.ID, bt.RemoteName, data[:106])
				}
			}
		})
	})
}

// metricValue sums the series of a gathered metric family.
func metricValue(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var v float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			switch {
			case m.GetCounter() != nil:
				v += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				v += m.GetGauge().GetValue()
			}
		}
	}
	return v
}

func TestUnrenderableClaimIsHeldAndDoesNotBlockTheBatch(t *testing.T) {
	ctx := context.Background()
	store := openStore(t, sqliteStore)
	srv := newPayerServer(t, sftpd.BackendInProcess)
	good := createClaims(t, store, 4, "G")
	// A claim whose stored encounter has a service date that is not YYYY-MM-DD and no member id.
	enc := strings.Replace(string(encounters(t)[0]), `"service_date": "2026-11-02"`, `"service_date": "11/02/2026"`, 1)
	enc = strings.Replace(enc, `"member_id": "XYZ123456789"`, `"member_id": ""`, 1)
	bad := createClaim(t, store, "BAD", gateway.Professional, []byte(enc))
	// And an institutional claim for a payer that only takes professional claims.
	inst := createClaim(t, store, "INST", gateway.Institutional, encounters(t)[4])
	p := srv.payer()
	p.ClaimTypes = []string{"professional"}
	svc := newService(t, store, p, nil)

	res, err := svc.Submit(ctx, payerID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Held != 2 || len(res.Batches) != 1 {
		t.Fatalf("result %+v, want 2 held and 1 batch", res)
	}
	assertExactlyOnce(t, store, srv.uploaded(t), good)
	holds, err := store.ListClaimHolds(ctx, payerID)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, h := range holds {
		reasons[h.ClaimID] = h.Reason
	}
	if !strings.Contains(reasons[bad], "/claim/service_lines/0/service_date") || strings.Contains(reasons[bad], "11/02/2026") {
		t.Fatalf("hold reason of the bad claim: %q", reasons[bad])
	}
	if !strings.Contains(reasons[inst], "institutional") {
		t.Fatalf("hold reason of the institutional claim: %q", reasons[inst])
	}
	for _, id := range []string{bad, inst} {
		c, err := store.GetClaim(ctx, id, 0)
		if err != nil || c.Status != gateway.StatusQueued {
			t.Fatalf("held claim %s: %s %v", id, c.Status, err)
		}
	}
	// Later runs skip the held claims instead of failing on them again.
	res, err = svc.Submit(ctx, payerID)
	if err != nil || res.Held != 0 || len(res.Batches) != 0 {
		t.Fatalf("second run %+v %v", res, err)
	}
	// Releasing a hold sends the claim once it renders: here the payer now takes institutional
	// claims.
	if err := store.DeleteClaimHold(ctx, inst); err != nil {
		t.Fatal(err)
	}
	svc = newService(t, store, srv.payer(), nil)
	if _, err := svc.Submit(ctx, payerID); err != nil {
		t.Fatal(err)
	}
	assertExactlyOnce(t, store, srv.uploaded(t), append(good, inst))
}

// createClaim stores one queued claim with the given encounter.
func createClaim(t testing.TB, s gateway.Store, ext string, typ gateway.ClaimType, enc []byte) string {
	t.Helper()
	ctx := context.Background()
	sub, err := s.SubmitterByName(ctx, "ehr")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: ext, Type: typ, PayerID: payerID,
		TotalCharge: 15000, LineCount: 1, Encounter: enc}, gateway.EventInput{})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func TestPayerOps(t *testing.T) {
	ctx := context.Background()
	store := openStore(t, sqliteStore)
	srv := newPayerServer(t, sftpd.BackendInProcess)
	svc := newService(t, store, srv.payer(), nil)
	var ops gateway.PayerOps = svc
	if ps := ops.Payers(); len(ps) != 1 || ps[0].ID != payerID {
		t.Fatalf("payers %+v", ps)
	}
	a, err := ops.SubmitNow(ctx, "simpayer")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ops.SubmitNow(ctx, payerID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ops.PollNow(ctx, payerID)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a == c || b == c {
		t.Fatalf("job ids %d %d %d: each request enqueues its own job", a, b, c)
	}
	for id, kind := range map[int64]string{a: submission.JobSubmit, b: submission.JobSubmit, c: submission.JobPoll} {
		j, err := store.GetJob(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Kind != kind || string(j.Payload) != `{"payer_id":"SIMPAYER","now":true}` {
			t.Fatalf("job %d: %s %s", id, j.Kind, j.Payload)
		}
	}
	if _, err := ops.SubmitNow(ctx, "NOPE"); !errors.Is(err, gateway.ErrNotFound) {
		t.Fatalf("unknown payer: %v", err)
	}
	if _, err := ops.PollNow(ctx, "NOPE"); !errors.Is(err, gateway.ErrNotFound) {
		t.Fatalf("unknown payer: %v", err)
	}
	// Scheduler ticks: the same tick enqueued twice (two replicas) is one job.
	at := mustTime(t, "2026-11-22T10:05:00Z")
	key := payers.TickKey(submission.JobSubmit, payerID, at)
	j1, ins1, err := svc.Enqueue(ctx, submission.JobSubmit, payerID, key, at)
	if err != nil {
		t.Fatal(err)
	}
	j2, ins2, err := svc.Enqueue(ctx, submission.JobSubmit, payerID, key, at)
	if err != nil || !ins1 || ins2 || j1.ID != j2.ID || j1.UniqueKey != "submit:SIMPAYER:2026-11-22T10:05:00Z" {
		t.Fatalf("tick enqueues: %d/%v %d/%v key %q err %v", j1.ID, ins1, j2.ID, ins2, j1.UniqueKey, err)
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestBusyPayer: a scheduled run gives up at once while another run holds the payer; an
// operator's submit-now waits for it (the holder may have selected its claims before the
// operator's claim arrived) and then sends the claim.
func TestBusyPayer(t *testing.T) {
	ctx := context.Background()
	store := openStore(t, sqliteStore)
	srv := newPayerServer(t, sftpd.BackendInProcess)
	svc := newService(t, store, srv.payer(), func(c *submission.Config) { c.BusyWait = 5 * time.Second })
	ids := createClaims(t, store, 3, "B")
	if ok, err := store.AcquireLease(ctx, "submit:"+payerID, "other-replica", time.Now().Add(time.Minute)); err != nil || !ok {
		t.Fatalf("take the lease: %v %v", ok, err)
	}
	tick, _, err := svc.Enqueue(ctx, submission.JobSubmit, payerID, "tick-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := svc.HandleSubmit(ctx, tick); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second || len(srv.uploaded(t)) != 0 {
		t.Fatalf("scheduled run while busy: took %s, %d files", d, len(srv.uploaded(t)))
	}
	id, err := svc.SubmitNow(ctx, payerID)
	if err != nil {
		t.Fatal(err)
	}
	job, err := store.GetJob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = store.ReleaseLease(ctx, "submit:"+payerID, "other-replica")
	}()
	if err := svc.HandleSubmit(ctx, job); err != nil {
		t.Fatal(err)
	}
	assertExactlyOnce(t, store, srv.uploaded(t), ids)
}
