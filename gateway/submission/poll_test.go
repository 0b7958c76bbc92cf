package submission_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/submission"
	"github.com/claimgate/claimgate/payers/sftpd"
)

// recordingIngester records what it is handed, failing while fail is set.
type recordingIngester struct {
	mu    sync.Mutex
	files []gateway.File
	store gateway.Store
	fail  error
}

func (r *recordingIngester) Ingest(ctx context.Context, f gateway.File) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	if len(f.Bytes) == 0 {
		return errors.New("ingester handed a file without its bytes")
	}
	r.files = append(r.files, f)
	return r.store.SetFileStatus(ctx, f.ID, gateway.FileProcessed, "")
}

func putResponse(t testing.TB, srv *payerServer, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(srv.root, "outbound", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPoll(t *testing.T) {
	forEachStore(t, func(t *testing.T, kind storeKind) {
		forEachBackend(t, func(t *testing.T, b sftpd.Backend) {
			ctx := context.Background()
			store := openStore(t, kind)
			srv := newPayerServer(t, b)
			ing835 := &recordingIngester{store: store}
			reg := prometheus.NewRegistry()
			svc := newService(t, store, srv.payer(), func(c *submission.Config) {
				c.Ingesters = map[gateway.FileKind]submission.Ingester{gateway.Kind835: ing835}
				c.Registerer = reg
			})
			putResponse(t, srv, "999_000000001.x12", interchange("FA", "005010X231A1", "999/005010X231A1"))
			putResponse(t, srv, "277CA_000000002.x12", interchange("HN", "005010X214", "277/005010X214"))
			putResponse(t, srv, "835_TRACE1.x12", interchange("HP", "005010X221A1", "835"))
			putResponse(t, srv, "TA1_3.x12", ta1())
			putResponse(t, srv, "report.pdf", []byte("%PDF-1.7"))
			putResponse(t, srv, ".partial.x12.part", []byte("ISA*")) // dotfiles are in-flight uploads

			res, err := svc.Poll(ctx, payerID)
			if err != nil {
				t.Fatal(err)
			}
			if res.Listed != 5 || res.New != 5 || res.Quarantined != 1 || res.Ingested != 1 || res.Pending != 3 || res.Removed != 5 {
				t.Fatalf("poll result %+v", res)
			}
			files, err := store.ListFiles(ctx, gateway.FileFilter{Direction: gateway.Inbound, PayerID: payerID})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]gateway.File{}
			for _, f := range files {
				got[f.Name] = f
			}
			for name, want := range map[string]struct {
				kind   gateway.FileKind
				status gateway.FileStatus
			}{
				"999_000000001.x12":   {gateway.Kind999, gateway.FilePending},
				"277CA_000000002.x12": {gateway.Kind277CA, gateway.FilePending},
				"835_TRACE1.x12":      {gateway.Kind835, gateway.FileProcessed},
				"TA1_3.x12":           {gateway.KindTA1, gateway.FilePending},
				"report.pdf":          {gateway.KindUnknown, gateway.FileQuarantined},
			} {
				f, ok := got[name]
				if !ok || f.Kind != want.kind || f.Status != want.status {
					t.Errorf("%s archived as %+v, want %s/%s", name, f, want.kind, want.status)
				}
			}
			if got["report.pdf"].Reason == "" {
				t.Errorf("quarantined without a reason")
			}
			if len(ing835.files) != 1 || ing835.files[0].Name != "835_TRACE1.x12" {
				t.Fatalf("835 ingester got %+v", ing835.files)
			}
			left := readDir(t, filepath.Join(srv.root, "outbound"))
			if len(left) != 0 {
				t.Fatalf("remote files left after delete: %v", sortedKeys(left))
			}
			if v := metricValue(t, reg, "claimgate_files_received_total"); v != 5 {
				t.Errorf("files received metric %v", v)
			}
			if v := metricValue(t, reg, "claimgate_last_poll_success_timestamp_seconds"); v == 0 {
				t.Errorf("last poll metric not set")
			}
			if v := metricValue(t, reg, "claimgate_sftp_operations_total"); v < 11 { // dial + list + 5 downloads + 5 removes
				t.Errorf("sftp operations metric %v", v)
			}
			states, err := store.PayerStates(ctx)
			if err != nil || len(states) != 1 || states[0].LastPollAt == nil {
				t.Fatalf("payer states %+v %v", states, err)
			}

			// The same 835 delivered again is archived once: nothing changes, the remote copy
			// is removed again.
			putResponse(t, srv, "835_TRACE1_again.x12", interchange("HP", "005010X221A1", "835"))
			res, err = svc.Poll(ctx, payerID)
			if err != nil || res.New != 0 || res.Duplicates != 1 || res.Ingested != 0 || res.Removed != 1 {
				t.Fatalf("second poll %+v %v", res, err)
			}
			if len(ing835.files) != 1 {
				t.Fatalf("835 ingested twice")
			}
			all, _ := store.ListFiles(ctx, gateway.FileFilter{Direction: gateway.Inbound})
			if len(all) != 5 {
				t.Fatalf("%d inbound files archived, want 5", len(all))
			}
		})
	})
}

// TestPollIngestFailureKeepsRemoteFile: a file whose ingest fails is archived (received) and
// stays on the server; the next poll ingests it and only then removes it.
func TestPollIngestFailureKeepsRemoteFile(t *testing.T) {
	ctx := context.Background()
	store := openStore(t, sqliteStore)
	srv := newPayerServer(t, sftpd.BackendInProcess)
	ing := &recordingIngester{store: store, fail: errors.New("database busy")}
	svc := newService(t, store, srv.payer(), func(c *submission.Config) {
		c.Ingesters = map[gateway.FileKind]submission.Ingester{gateway.Kind999: ing}
	})
	putResponse(t, srv, "999_1.x12", interchange("FA", "005010X231A1", "999"))
	if _, err := svc.Poll(ctx, payerID); err == nil {
		t.Fatal("poll with a failing ingester returned nil")
	}
	if left := readDir(t, filepath.Join(srv.root, "outbound")); len(left) != 1 {
		t.Fatalf("remote file removed although its ingest failed: %v", sortedKeys(left))
	}
	files, _ := store.ListFiles(ctx, gateway.FileFilter{Direction: gateway.Inbound})
	if len(files) != 1 || files[0].Status != gateway.FileReceived {
		t.Fatalf("archived %+v", files)
	}
	if states, _ := store.PayerStates(ctx); len(states) != 0 {
		t.Fatalf("a failed poll recorded a successful one: %+v", states)
	}
	ing.fail = nil
	res, err := svc.Poll(ctx, payerID)
	if err != nil || res.Ingested != 1 || res.Duplicates != 1 || res.Removed != 1 {
		t.Fatalf("retry poll %+v %v", res, err)
	}
	if len(ing.files) != 1 {
		t.Fatalf("ingested %d", len(ing.files))
	}
}

func TestPollAfterDownloadMoveAndKeep(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []string{"move", "keep"} {
		t.Run(mode, func(t *testing.T) {
			store := openStore(t, sqliteStore)
			srv := newPayerServer(t, sftpd.BackendInProcess)
			p := srv.payer()
			p.SFTP.AfterDownload = mode
			svc := newService(t, store, p, nil)
			putResponse(t, srv, "835_A.x12", interchange("HP", "005010X221A1", "835"))
			for i := 0; i < 2; i++ {
				if _, err := svc.Poll(ctx, payerID); err != nil {
					t.Fatal(err)
				}
			}
			out := readDir(t, filepath.Join(srv.root, "outbound"))
			arch := readDir(t, filepath.Join(srv.root, "archive"))
			switch mode {
			case "move":
				if len(out) != 0 || len(arch) != 1 {
					t.Fatalf("move: outbound %v archive %v", sortedKeys(out), sortedKeys(arch))
				}
			case "keep":
				if len(out) != 1 || len(arch) != 0 {
					t.Fatalf("keep: outbound %v archive %v", sortedKeys(out), sortedKeys(arch))
				}
			}
			files, _ := store.ListFiles(ctx, gateway.FileFilter{Direction: gateway.Inbound})
			if len(files) != 1 {
				t.Fatalf("%d files archived after two polls, want 1", len(files))
			}
		})
	}
}
