package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// Contract tests of gateway.SubmissionTx (batching, upload bookkeeping, holds, payer runs).

// batchWithFile archives an outbound file and creates a ready batch for it, as batching does.
func batchWithFile(t testing.TB, tx gateway.Tx, payer string, isa int64, count int) gateway.Batch {
	t.Helper()
	ctx := context.Background()
	f, _, err := tx.ArchiveFile(ctx, gateway.File{Direction: gateway.Outbound, PayerID: payer,
		Name: fmt.Sprintf("CG%09d.837", isa), Kind: gateway.Kind837, Status: gateway.FilePending,
		Bytes: []byte(fmt.Sprintf("ISA*%09d~", isa))})
	ok(t, err)
	b, err := tx.CreateBatch(ctx, gateway.Batch{PayerID: payer, ISA13: isa, GS06: isa, FileID: &f.ID,
		Status: gateway.BatchReady, RemoteName: f.Name, ClaimCount: count})
	ok(t, err)
	return b
}

func claimIDs(cs []gateway.Claim) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func testSubmissionBatchFlow(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	var created []gateway.Claim
	for i := 0; i < 5; i++ {
		c, err := s.CreateClaim(ctx, claimFor(sub, fmt.Sprintf("E%d", i)), gateway.EventInput{Source: "intake"})
		ok(t, err)
		created = append(created, c)
		time.Sleep(2 * time.Millisecond) // distinct created_at: the selection is oldest first
	}
	other := claimFor(sub, "OTHER")
	other.PayerID = "OTHERPAYER"
	_, err := s.CreateClaim(ctx, other, gateway.EventInput{})
	ok(t, err)

	ok(t, s.HoldClaim(ctx, gateway.ClaimHold{ClaimID: created[1].ID, PayerID: "SIMPAYER", Reason: "subscriber.member_id: missing"}))
	wantErr(t, s.HoldClaim(ctx, gateway.ClaimHold{ClaimID: created[1].ID, PayerID: "SIMPAYER"}), gateway.ErrInvalid)
	holds, err := s.ListClaimHolds(ctx, "SIMPAYER")
	ok(t, err)
	if len(holds) != 1 || holds[0].ClaimID != created[1].ID || holds[0].Reason != "subscriber.member_id: missing" || holds[0].CreatedAt.IsZero() {
		t.Fatalf("holds %+v", holds)
	}

	got, err := s.QueuedClaimsForBatch(ctx, "SIMPAYER", 2)
	ok(t, err)
	if len(got) != 2 || got[0].ID != created[0].ID || got[1].ID != created[2].ID || len(got[0].Encounter) == 0 {
		t.Fatalf("first two queued claims: %v, want %s %s (held %s skipped)", claimIDs(got), created[0].ID, created[2].ID, created[1].ID)
	}
	wantErr(t, func() error { _, err := s.QueuedClaimsForBatch(ctx, "", 5); return err }(), gateway.ErrInvalid)

	var batch gateway.Batch
	err = s.WithTx(ctx, func(tx gateway.Tx) error {
		qs, err := tx.QueuedClaimsForBatch(ctx, "SIMPAYER", 100)
		if err != nil {
			return err
		}
		if len(qs) != 4 {
			return fmt.Errorf("queued claims %v, want 4", claimIDs(qs))
		}
		batch = batchWithFile(t, tx, "SIMPAYER", 1, len(qs))
		n, err := tx.MarkClaimsBatched(ctx, batch.ID, claimIDs(qs), gateway.EventInput{Reason: "in batch", Source: "batch:1",
			Detail: json.RawMessage(`{"isa13":1}`)})
		if err != nil {
			return err
		}
		if n != 4 {
			return fmt.Errorf("marked %d batched, want 4", n)
		}
		// Again: nothing is queued any more.
		if n, err := tx.MarkClaimsBatched(ctx, batch.ID, claimIDs(qs), gateway.EventInput{}); err != nil || n != 0 {
			return fmt.Errorf("second mark: %d, %v", n, err)
		}
		return nil
	})
	ok(t, err)
	wantErr(t, func() error {
		_, err := s.MarkClaimsBatched(ctx, 999999, []string{created[0].ID}, gateway.EventInput{})
		return err
	}(),
		gateway.ErrInvalid)

	c0, err := s.GetClaim(ctx, created[0].ID, 0)
	ok(t, err)
	if c0.Status != gateway.StatusBatched || c0.BatchID == nil || *c0.BatchID != batch.ID {
		t.Fatalf("claim after batching: status %s batch %v", c0.Status, c0.BatchID)
	}
	evs, err := s.ClaimEvents(ctx, created[0].ID)
	ok(t, err)
	if len(evs) != 2 || evs[1].Seq != 2 || evs[1].From != gateway.StatusQueued || evs[1].To != gateway.StatusBatched ||
		evs[1].Source != "batch:1" || evs[1].Reason != "in batch" || !json.Valid(evs[1].Detail) {
		t.Fatalf("events after batching %+v", evs)
	}
	held, err := s.GetClaim(ctx, created[1].ID, 0)
	ok(t, err)
	if held.Status != gateway.StatusQueued {
		t.Fatalf("held claim moved to %s", held.Status)
	}

	at := time.Now().UTC().Truncate(time.Millisecond)
	n, already, err := s.FinishBatchUpload(ctx, batch.ID, at, gateway.EventInput{Reason: "uploaded", Source: "batch:1"})
	ok(t, err)
	if n != 4 || already {
		t.Fatalf("finish upload: %d claims, already %v", n, already)
	}
	b, err := s.GetBatch(ctx, batch.ID)
	ok(t, err)
	if b.Status != gateway.BatchUploaded || b.UploadedAt == nil || !b.UploadedAt.Equal(at) {
		t.Fatalf("batch after upload %+v", b)
	}
	f, err := s.GetFile(ctx, *b.FileID)
	ok(t, err)
	if f.Status != gateway.FileProcessed {
		t.Fatalf("file status %s after upload", f.Status)
	}
	evs, err = s.ClaimEvents(ctx, created[4].ID)
	ok(t, err)
	if len(evs) != 3 || evs[2].Seq != 3 || evs[2].From != gateway.StatusBatched || evs[2].To != gateway.StatusSubmitted || evs[2].Source != "batch:1" {
		t.Fatalf("events after upload %+v", evs)
	}
	c4, err := s.GetClaim(ctx, created[4].ID, 0)
	ok(t, err)
	if c4.Status != gateway.StatusSubmitted || c4.BatchID == nil || *c4.BatchID != batch.ID {
		t.Fatalf("claim after upload: %s %v", c4.Status, c4.BatchID)
	}
	n, already, err = s.FinishBatchUpload(ctx, batch.ID, at, gateway.EventInput{})
	ok(t, err)
	if n != 0 || !already {
		t.Fatalf("second finish: %d claims, already %v", n, already)
	}
	_, _, err = s.FinishBatchUpload(ctx, 999999, at, gateway.EventInput{})
	wantErr(t, err, gateway.ErrNotFound)

	// Releasing the hold makes the claim selectable again.
	ok(t, s.DeleteClaimHold(ctx, created[1].ID))
	ok(t, s.DeleteClaimHold(ctx, created[1].ID))
	got, err = s.QueuedClaimsForBatch(ctx, "SIMPAYER", 10)
	ok(t, err)
	if len(got) != 1 || got[0].ID != created[1].ID {
		t.Fatalf("after release: %v", claimIDs(got))
	}
	all, err := s.ListClaimHolds(ctx, "")
	ok(t, err)
	if len(all) != 0 {
		t.Fatalf("holds after release %+v", all)
	}
}

// testSubmissionBulk moves more claims than one statement binds, through every chunk boundary.
func testSubmissionBulk(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "bulk")
	const n = 1234
	ok(t, s.WithTx(ctx, func(tx gateway.Tx) error {
		for i := 0; i < n; i++ {
			if _, err := tx.CreateClaim(ctx, claimFor(sub, fmt.Sprintf("B%05d", i)), gateway.EventInput{}); err != nil {
				return err
			}
		}
		return nil
	}))
	var batch gateway.Batch
	ok(t, s.WithTx(ctx, func(tx gateway.Tx) error {
		qs, err := tx.QueuedClaimsForBatch(ctx, "SIMPAYER", 5000)
		if err != nil {
			return err
		}
		if len(qs) != n {
			return fmt.Errorf("selected %d, want %d", len(qs), n)
		}
		batch = batchWithFile(t, tx, "SIMPAYER", 7, n)
		moved, err := tx.MarkClaimsBatched(ctx, batch.ID, claimIDs(qs), gateway.EventInput{Source: "batch"})
		if err == nil && moved != n {
			err = fmt.Errorf("moved %d, want %d", moved, n)
		}
		return err
	}))
	moved, _, err := s.FinishBatchUpload(ctx, batch.ID, time.Now(), gateway.EventInput{Source: "batch"})
	ok(t, err)
	if moved != n {
		t.Fatalf("submitted %d, want %d", moved, n)
	}
	page, err := s.ListClaims(ctx, gateway.ClaimFilter{BatchID: batch.ID, Status: gateway.StatusSubmitted, Limit: 1000})
	ok(t, err)
	if len(page.Claims) != 1000 || page.Next == "" {
		t.Fatalf("first page of submitted claims: %d", len(page.Claims))
	}
	evs, err := s.ClaimEvents(ctx, page.Claims[0].ID)
	ok(t, err)
	if len(evs) != 3 || evs[2].To != gateway.StatusSubmitted {
		t.Fatalf("events %+v", evs)
	}
}

// testSubmissionSelectDisjoint: two open transactions selecting one payer's queued claims get
// disjoint sets (FOR UPDATE SKIP LOCKED), so two replicas never batch the same claim.
func testSubmissionSelectDisjoint(t *testing.T, s gateway.Store) {
	cw, okCW := s.(interface{ ConcurrentWriters() bool })
	if !okCW || !cw.ConcurrentWriters() {
		t.Skip("the engine serialises write transactions (SQLite): two selections cannot overlap")
	}
	ctx := context.Background()
	sub := newSubmitter(t, s, "disjoint")
	for i := 0; i < 20; i++ {
		_, err := s.CreateClaim(ctx, claimFor(sub, fmt.Sprintf("D%d", i)), gateway.EventInput{})
		ok(t, err)
	}
	aGot := make(chan []gateway.Claim, 1)
	bDone := make(chan struct{})
	aErr := make(chan error, 1)
	go func() {
		aErr <- s.WithTx(ctx, func(tx gateway.Tx) error {
			cs, err := tx.QueuedClaimsForBatch(ctx, "SIMPAYER", 10)
			aGot <- cs
			if err != nil {
				return err
			}
			select {
			case <-bDone:
			case <-time.After(30 * time.Second):
			}
			return nil
		})
	}()
	a := <-aGot
	var b []gateway.Claim
	err := s.WithTx(ctx, func(tx gateway.Tx) (e error) { b, e = tx.QueuedClaimsForBatch(ctx, "SIMPAYER", 20); return e })
	close(bDone)
	ok(t, err)
	ok(t, <-aErr)
	if len(a) != 10 || len(b) != 10 {
		t.Fatalf("A selected %d, B %d; want 10 and the other 10", len(a), len(b))
	}
	seen := map[string]bool{}
	for _, c := range append(a, b...) {
		if seen[c.ID] {
			t.Fatalf("claim %s selected by both transactions", c.ID)
		}
		seen[c.ID] = true
	}
}

func testPayerRuns(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	t1 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	ok(t, s.RecordPayerRun(ctx, "SIMPAYER", "poll", t1))
	ok(t, s.RecordPayerRun(ctx, "SIMPAYER", "submit", t1.Add(time.Minute)))
	ok(t, s.RecordPayerRun(ctx, "SIMPAYER", "poll", t1.Add(2*time.Minute)))
	ok(t, s.RecordPayerRun(ctx, "B", "submit", t1))
	wantErr(t, s.RecordPayerRun(ctx, "SIMPAYER", "render", t1), gateway.ErrInvalid)
	wantErr(t, s.RecordPayerRun(ctx, "", "poll", t1), gateway.ErrInvalid)
	st, err := s.PayerStates(ctx)
	ok(t, err)
	if len(st) != 2 || st[0].PayerID != "B" || st[0].LastPollAt != nil || st[0].LastSubmitAt == nil ||
		st[1].PayerID != "SIMPAYER" || !st[1].LastPollAt.Equal(t1.Add(2*time.Minute)) || !st[1].LastSubmitAt.Equal(t1.Add(time.Minute)) {
		t.Fatalf("payer states %+v", st)
	}
	if err := s.WithTx(ctx, func(tx gateway.Tx) error {
		if err := tx.RecordPayerRun(ctx, "C", "poll", t1); err != nil {
			return err
		}
		return errors.New("roll back")
	}); err == nil {
		t.Fatal("rolled back transaction returned nil")
	}
	st, err = s.PayerStates(ctx)
	ok(t, err)
	if len(st) != 2 {
		t.Fatalf("rolled back run recorded: %+v", st)
	}
}
