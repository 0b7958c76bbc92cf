package submission_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/jobs"
	"github.com/claimgate/claimgate/gateway/submission"
	"github.com/claimgate/claimgate/payers"
	"github.com/claimgate/claimgate/payers/sftpd"
)

// fault breaks the way to the payer and heals it again.
type fault struct {
	name  string
	brk   func(t *testing.T, srv *payerServer, p *payers.Payer)
	heal  func(t *testing.T, srv *payerServer, p *payers.Payer)
	check func(t *testing.T, srv *payerServer, err error)
	// permanent failures cancel the job (the next tick retries); transient ones retry it.
	permanent bool
}

var faults = []fault{
	{
		name: "server down",
		brk:  func(t *testing.T, srv *payerServer, p *payers.Payer) { srv.stop() },
		heal: func(t *testing.T, srv *payerServer, p *payers.Payer) { srv.start() },
		check: func(t *testing.T, srv *payerServer, err error) {
			if !payers.IsRetryable(err) {
				t.Errorf("server down: %v is not retryable", err)
			}
		},
	},
	{
		name: "wrong password",
		brk: func(t *testing.T, srv *payerServer, p *payers.Payer) {
			p.SFTP.PasswordFile = srv.writeSecret("wrong_password", []byte("not the password\n"))
		},
		heal: func(t *testing.T, srv *payerServer, p *payers.Payer) { p.SFTP.PasswordFile = srv.passwordFile },
		check: func(t *testing.T, srv *payerServer, err error) {
			if !errors.Is(err, payers.ErrAuth) {
				t.Errorf("wrong password: %v is not ErrAuth", err)
			}
		},
		permanent: true,
	},
	{
		name: "host key mismatch",
		brk: func(t *testing.T, srv *payerServer, p *payers.Payer) {
			p.SFTP.KnownHosts = otherHostKeyFile(t, srv.secrets, srv.addr)
		},
		heal: func(t *testing.T, srv *payerServer, p *payers.Payer) { p.SFTP.KnownHosts = srv.knownHosts },
		check: func(t *testing.T, srv *payerServer, err error) {
			fp := ssh.FingerprintSHA256(srv.server().HostKey())
			if !errors.Is(err, payers.ErrHostKeyMismatch) || !strings.Contains(err.Error(), fp) {
				t.Errorf("host key mismatch: %v (want ErrHostKeyMismatch showing %s)", err, fp)
			}
		},
		permanent: true,
	},
	{
		name: "connection cut mid-upload",
		brk: func(t *testing.T, srv *payerServer, p *payers.Payer) {
			srv.setFaults(sftpd.Faults{DropAfterBytes: 2500})
		},
		heal: func(t *testing.T, srv *payerServer, p *payers.Payer) { srv.setFaults(sftpd.Faults{}) },
		check: func(t *testing.T, srv *payerServer, err error) {
			if !payers.IsRetryable(err) {
				t.Errorf("cut connection: %v is not retryable", err)
			}
		},
	},
	{
		name: "server refusing writes",
		brk: func(t *testing.T, srv *payerServer, p *payers.Payer) {
			srv.setFaults(sftpd.Faults{ReadOnly: true})
		},
		heal: func(t *testing.T, srv *payerServer, p *payers.Payer) { srv.setFaults(sftpd.Faults{}) },
		check: func(t *testing.T, srv *payerServer, err error) {
			if !errors.Is(err, fs.ErrPermission) {
				t.Errorf("read-only server: %v is not a permission error", err)
			}
		},
		permanent: true,
	},
}

// TestFaultsThenExactlyOnce: while the way to the payer is broken, claims stay queued or
// batched (one batch, never a second file for the same claims), runs fail and are retried;
// once it heals, every claim is delivered exactly once.
func TestFaultsThenExactlyOnce(t *testing.T) {
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, kind storeKind) {
				forEachBackend(t, func(t *testing.T, b sftpd.Backend) {
					runFault(t, kind, b, f)
				})
			})
		})
	}
}

func runFault(t *testing.T, kind storeKind, b sftpd.Backend, f fault) {
	ctx := context.Background()
	store := openStore(t, kind)
	srv := newPayerServer(t, b)
	p := srv.payer()
	ids := createClaims(t, store, 12, "F")
	f.brk(t, srv, &p)
	broken := newService(t, store, p, func(c *submission.Config) { c.BatchLimit = 5 })

	for attempt := 1; attempt <= 3; attempt++ {
		// Run as the job runner does, to see how the failure is classified.
		job, _, err := broken.Enqueue(ctx, submission.JobSubmit, payerID, fmt.Sprintf("fault-%d", attempt), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		err = broken.HandleSubmit(ctx, job)
		if err == nil {
			t.Fatalf("attempt %d: submit succeeded against a broken server", attempt)
		}
		f.check(t, srv, err)
		if jobs.IsCancel(err) != f.permanent {
			t.Errorf("attempt %d: cancel=%v, want %v (%v)", attempt, jobs.IsCancel(err), f.permanent, err)
		}
		if attempt == 2 {
			ids = append(ids, createClaims(t, store, 4, "G")...) // more claims arrive meanwhile
		}
	}
	if files := srv.uploaded(t); len(files) != 0 {
		t.Fatalf("files on the broken server: %v", sortedKeys(files))
	}
	counts := statusCounts(t, store, ids)
	if counts[gateway.StatusSubmitted] != 0 || counts[gateway.StatusBatched]+counts[gateway.StatusQueued] != len(ids) {
		t.Fatalf("claims while broken: %v", counts)
	}
	batches, err := store.ListBatches(ctx, gateway.BatchFilter{PayerID: payerID})
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) > 1 {
		t.Fatalf("%d batches while broken: a failed batch must be resumed, not replaced", len(batches))
	}

	f.heal(t, srv, &p)
	healed := newService(t, store, p, func(c *submission.Config) { c.BatchLimit = 5 })
	res, err := healed.Submit(ctx, payerID)
	if err != nil {
		t.Fatalf("after healing: %v", err)
	}
	if res.Resumed != len(batches) {
		t.Errorf("resumed %d batches, want %d", res.Resumed, len(batches))
	}
	assertExactlyOnce(t, store, srv.uploaded(t), ids)
}

// TestConnectionCutOnceRetriedInRun: a single cut is retried by the transport within the run.
func TestConnectionCutOnceRetriedInRun(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sftpd.Backend) {
		store := openStore(t, sqliteStore)
		srv := newPayerServer(t, b)
		ids := createClaims(t, store, 10, "C")
		srv.setFaults(sftpd.Faults{DropAfterBytes: 3000, DropOnce: true})
		svc := newService(t, store, srv.payer(), nil)
		if _, err := svc.Submit(context.Background(), payerID); err != nil {
			t.Fatal(err)
		}
		assertExactlyOnce(t, store, srv.uploaded(t), ids)
	})
}

// errCrash is what the in-process crash hook panics with.
type errCrash struct{ point string }

// TestResumeAfterCrashPoints kills a run at each named point (a panic unwinding the run, with
// its lease left to expire) and checks that the next run resumes the same batch: same bytes,
// same remote name, the file written once.
func TestResumeAfterCrashPoints(t *testing.T) {
	for _, point := range []string{"after-archive", "after-upload", "after-submit"} {
		t.Run(point, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, kind storeKind) {
				ctx := context.Background()
				store := openStore(t, kind)
				srv := newPayerServer(t, sftpd.BackendInProcess)
				ids := createClaims(t, store, 9, "K")
				const ttl = 300 * time.Millisecond
				crashing := newService(t, store, srv.payer(), func(c *submission.Config) {
					c.BatchLimit = 4
					c.LeaseTTL = ttl
					c.CrashHook = func(p string) {
						if p == point {
							panic(errCrash{p})
						}
					}
				})
				func() {
					defer func() {
						r := recover()
						if _, ok := r.(errCrash); !ok {
							t.Fatalf("run did not crash at %s: %v", point, r)
						}
					}()
					_, _ = crashing.Submit(ctx, payerID)
				}()
				before := srv.uploaded(t)
				var mtimes = map[string]time.Time{}
				for name := range before {
					fi, err := os.Stat(filepath.Join(srv.root, "inbound", name))
					if err != nil {
						t.Fatal(err)
					}
					mtimes[name] = fi.ModTime()
				}
				batches, err := store.ListBatches(ctx, gateway.BatchFilter{PayerID: payerID})
				if err != nil || len(batches) != 1 {
					t.Fatalf("batches after the crash: %d %v", len(batches), err)
				}
				crashed := batches[0]
				wantFile := 0
				if point != "after-archive" {
					wantFile = 1
				}
				if len(before) != wantFile {
					t.Fatalf("files on the server after crashing %s: %v", point, sortedKeys(before))
				}

				// The dead run's lease blocks the payer until it expires.
				next := newService(t, store, srv.payer(), func(c *submission.Config) { c.BatchLimit = 4 })
				res, err := next.Submit(ctx, payerID)
				if err != nil || !res.Skipped {
					t.Fatalf("run while the dead lease holds: %+v %v", res, err)
				}
				time.Sleep(ttl + 100*time.Millisecond)
				res, err = next.Submit(ctx, payerID)
				if err != nil {
					t.Fatal(err)
				}
				if point == "after-submit" && res.Resumed != 0 || point != "after-submit" && res.Resumed != 1 {
					t.Fatalf("resumed %d batches after crashing %s", res.Resumed, point)
				}
				after := srv.uploaded(t)
				assertExactlyOnce(t, store, after, ids)
				got, err := store.GetBatch(ctx, crashed.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.RemoteName != crashed.RemoteName || *got.FileID != *crashed.FileID || got.ISA13 != crashed.ISA13 {
					t.Fatalf("resumed batch changed: %+v, was %+v", got, crashed)
				}
				for name, mt := range mtimes {
					fi, err := os.Stat(filepath.Join(srv.root, "inbound", name))
					if err != nil {
						t.Fatal(err)
					}
					if !fi.ModTime().Equal(mt) {
						t.Errorf("%s was written again by the resumed run", name)
					}
				}
			})
		})
	}
}
