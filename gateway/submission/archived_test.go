package submission_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/submission"
	"github.com/claimgate/claimgate/payers/sftpd"
)

// Response files archived while no ingester for their kind was registered (status pending) are
// ingested, oldest first, by the first poll run that has one; a failed ingest is retried on the
// next run; an ingested file is never handed over again; a file just archived as received is
// left to the run that archived it until the lease has passed.
func TestPollIngestsArchivedFiles(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind storeKind) {
		ctx := context.Background()
		store := openStore(t, kind)
		srv := newPayerServer(t, sftpd.BackendInProcess)

		// A release without acknowledgment ingest: the files are archived and left pending.
		before := newService(t, store, srv.payer(), nil)
		putResponse(t, srv, "999_000000001.x12", interchange("FA", "005010X231A1", "999/005010X231A1"))
		putResponse(t, srv, "277CA_000000002.x12", interchange("HN", "005010X214", "277/005010X214"))
		putResponse(t, srv, "TA1_3.x12", ta1())
		res, err := before.Poll(ctx, payerID)
		if err != nil || res.Pending != 3 || res.Ingested != 0 {
			t.Fatalf("first poll %+v %v", res, err)
		}

		// The next release has ingesters; the first run's ingest fails: nothing changes and
		// the run reports it.
		ing := &recordingIngester{store: store, fail: errors.New("database busy")}
		after := newService(t, store, srv.payer(), func(c *submission.Config) {
			c.Ingesters = map[gateway.FileKind]submission.Ingester{gateway.Kind999: ing, gateway.Kind277CA: ing, gateway.KindTA1: ing}
		})
		if res, err := after.Poll(ctx, payerID); err == nil || res.Archived != 0 {
			t.Fatalf("failing ingest: %+v %v", res, err)
		}
		if n := countFiles(t, store, gateway.FilePending); n != 3 {
			t.Fatalf("%d files pending after a failed ingest, want 3", n)
		}

		// A file archived just now as received (another run is ingesting it) is left alone.
		fresh, _, err := store.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: payerID, Name: "999_000000009.x12",
			Kind: gateway.Kind999, Status: gateway.FileReceived, Bytes: interchange("FA", "005010X231A1", "999/005010X231A1", "999/005010X231A1")})
		if err != nil {
			t.Fatal(err)
		}

		ing.fail = nil
		res, err = after.Poll(ctx, payerID)
		if err != nil || res.Archived != 3 || res.Ingested != 3 || res.Listed != 0 {
			t.Fatalf("poll with ingesters %+v %v", res, err)
		}
		if len(ing.files) != 3 {
			t.Fatalf("ingested %d files, want 3", len(ing.files))
		}
		if got := kindsOf(ing.files); got != "TA1,999,277CA" {
			t.Errorf("archived files ingested as %s, want TA1,999,277CA (life-cycle order)", got)
		}
		for i, f := range ing.files {
			if len(f.Bytes) == 0 || f.PayerID != payerID || f.ID == fresh.ID {
				t.Errorf("file %d handed over: %+v (want it with its bytes, not the fresh one)", i, f)
			}
		}
		if n := countFiles(t, store, gateway.FilePending); n != 0 {
			t.Errorf("%d files still pending", n)
		}

		// Idempotent: nothing is handed over twice.
		if res, err := after.Poll(ctx, payerID); err != nil || res.Archived != 0 || len(ing.files) != 3 {
			t.Fatalf("second poll %+v %v, %d files ingested", res, err, len(ing.files))
		}

		// Once the lease has passed, a file still received is an ingest that failed: retried.
		later := newService(t, store, srv.payer(), func(c *submission.Config) {
			c.Ingesters = map[gateway.FileKind]submission.Ingester{gateway.Kind999: ing}
			c.Now = func() time.Time { return time.Now().Add(time.Hour) }
		})
		if res, err := later.Poll(ctx, payerID); err != nil || res.Archived != 1 || len(ing.files) != 4 || ing.files[3].ID != fresh.ID {
			t.Fatalf("stale received file: %+v %v, %d files ingested", res, err, len(ing.files))
		}
	})
}

// A payer that answers fast offers a batch's TA1, 999, 277CA and 835 in one listing, where
// names sort "277CA_" and "835_" before "999_": they are applied in life-cycle order.
func TestPollAppliesResponsesInLifeCycleOrder(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind storeKind) {
		ctx := context.Background()
		store := openStore(t, kind)
		srv := newPayerServer(t, sftpd.BackendInProcess)
		ing := &recordingIngester{store: store}
		svc := newService(t, store, srv.payer(), func(c *submission.Config) {
			c.Ingesters = map[gateway.FileKind]submission.Ingester{
				gateway.KindTA1: ing, gateway.Kind999: ing, gateway.Kind277CA: ing, gateway.Kind835: ing}
		})
		putResponse(t, srv, "277CA_000000002.x12", interchange("HN", "005010X214", "277/005010X214"))
		putResponse(t, srv, "835_TRACE1.x12", interchange("HP", "005010X221A1", "835"))
		putResponse(t, srv, "999_000000001.x12", interchange("FA", "005010X231A1", "999/005010X231A1"))
		putResponse(t, srv, "TA1_3.x12", ta1())
		putResponse(t, srv, "0_notes.txt", []byte("not X12"))
		res, err := svc.Poll(ctx, payerID)
		if err != nil || res.Ingested != 4 || res.Quarantined != 1 || res.Removed != 5 {
			t.Fatalf("poll %+v %v", res, err)
		}
		if got := kindsOf(ing.files); got != "TA1,999,277CA,835" {
			t.Errorf("ingested as %s, want TA1,999,277CA,835", got)
		}
	})
}

func kindsOf(files []gateway.File) string {
	var ks []string
	for _, f := range files {
		ks = append(ks, string(f.Kind))
	}
	return strings.Join(ks, ",")
}

func countFiles(t *testing.T, s gateway.Store, status gateway.FileStatus) int {
	t.Helper()
	files, err := s.ListFiles(context.Background(), gateway.FileFilter{Direction: gateway.Inbound, PayerID: payerID, Status: status})
	if err != nil {
		t.Fatal(err)
	}
	return len(files)
}
