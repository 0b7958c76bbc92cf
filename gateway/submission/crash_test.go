package submission_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/claimgate/claimgate/internal/samples"
	"github.com/claimgate/claimgate/payers/sftpd"
	"github.com/claimgate/claimgate/storage/sqlite"
)

// buildClaimgate builds cmd/claimgate once into dir.
func buildClaimgate(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "claimgate")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/claimgate")
	cmd.Dir = samples.MustRepoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/claimgate: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// fileWatch remembers each uploaded file's identity (inode and modification time) when it
// first appears, to prove no finished file is ever written twice.
type fileWatch struct {
	mu    sync.Mutex
	dir   string
	first map[string]string
	bad   []string
}

func identity(fi os.FileInfo) string {
	st, _ := fi.Sys().(*syscall.Stat_t)
	ino := uint64(0)
	if st != nil {
		ino = st.Ino
	}
	return fmt.Sprintf("%d/%d/%d", ino, fi.ModTime().UnixNano(), fi.Size())
}

func (w *fileWatch) scan() {
	ents, err := os.ReadDir(w.dir)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		id := identity(fi)
		if prev, ok := w.first[e.Name()]; !ok {
			w.first[e.Name()] = id
		} else if prev != id {
			w.bad = append(w.bad, fmt.Sprintf("%s rewritten (%s -> %s)", e.Name(), prev, id))
			w.first[e.Name()] = id
		}
	}
}

// TestCrashKillRestart runs `claimgate serve` as a subprocess against a SQLite file and a
// real SFTP server, and kills it 20 times at random points of submission (SIGKILL after a
// random delay, or the test crash hook exiting at a named point of the critical section),
// restarting it each time; finally it lets it finish. Every claim must be in exactly one file
// on the server, none missing, and no file may be written twice.
func TestCrashKillRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and restarts the daemon 20 times")
	}
	tmp := t.TempDir()
	bin := buildClaimgate(t, tmp)
	srv := newPayerServer(t, sftpd.BackendInProcess)
	p := srv.payer()
	dbPath := filepath.Join(tmp, "claimgate.db")

	// Claims go in directly through the store, before the daemon first starts.
	ctx := context.Background()
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ids := createClaims(t, store, 400, "X")
	store.Close()

	cfgPath := filepath.Join(tmp, "claimgate.yaml")
	cfg := fmt.Sprintf(`submitter: {name: Lakeside Billing, id: CLAIMGATE01, isa_qualifier: ZZ, contact_phone: "6125550100"}
database: {url: "sqlite:%s"}
log: {format: text, level: info}
jobs: {workers: 2, lease: 2s, poll_interval: 100ms, shutdown_timeout: 2s}
payers:
  - id: %s
    name: Simulated Health Plan
    receiver: {isa_qualifier: ZZ, isa_id: SIMPAYER, gs_id: SIMPAYER}
    usage: T
    sftp: {addr: "%s", user: %s, password_file: "%s", known_hosts: "%s", upload_dir: "%s", download_dir: "%s",
           after_download: keep, timeout: 5s, retries: 2, retry_interval: 100ms}
    submit: "@every 1s"
    poll: "@every 30s"
`, dbPath, payerID, p.SFTP.Addr, p.SFTP.User, p.SFTP.PasswordFile, p.SFTP.KnownHosts, p.SFTP.UploadDir, p.SFTP.DownloadDir)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(tmp, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()

	watch := &fileWatch{dir: filepath.Join(srv.root, "inbound"), first: map[string]string{}}
	stopWatch := make(chan struct{})
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		for {
			watch.scan()
			select {
			case <-stopWatch:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()

	start := func(crashPoint string) *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--config", cfgPath, "--addr", freeAddr(t))
		cmd.Env = append(os.Environ(), "CLAIMGATE_SUBMIT_BATCH_LIMIT=25", "CLAIMGATE_TEST_CRASHPOINT="+crashPoint)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		fmt.Fprintf(logFile, "\n==== start (crash point %q)\n", crashPoint)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	points := []string{"", "", "after-archive", "after-upload", "after-submit"}
	exits := map[string]int{}
	for i := 0; i < 20; i++ {
		if i > 0 {
			// More claims arrive while the daemon is down, so that later kills still land in
			// the middle of submission work.
			store, err := sqlite.Open(ctx, dbPath)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, createClaims(t, store, 20, fmt.Sprintf("X%02d", i))...)
			store.Close()
		}
		point := points[rng.IntN(len(points))]
		cmd := start(point)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		delay := time.Duration(500+rng.IntN(3500)) * time.Millisecond
		select {
		case err := <-done:
			exits[fmt.Sprintf("exited at %s (%v)", point, err)]++
		case <-time.After(delay):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			exits["SIGKILL"]++
		}
		t.Logf("run %d (crash point %q): %d files on the server", i, point, len(srv.uploaded(t)))
	}
	t.Logf("20 kills: %v", exits)

	// Let it finish: all claims on the server, then stop it gracefully and check the store.
	deadline := time.Now().Add(3 * time.Minute)
	for round := 0; ; round++ {
		cmd := start("")
		for {
			if len(parseDelivery(t, srv.uploaded(t)).claims) == len(ids) {
				break
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("claims on the server after 3 minutes: %d of %d (log: %s)",
					len(parseDelivery(t, srv.uploaded(t)).claims), len(ids), logFile.Name())
			}
			time.Sleep(200 * time.Millisecond)
		}
		time.Sleep(1500 * time.Millisecond) // the last batch's commit
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Logf("serve exit: %v", err)
		}
		store, err := sqlite.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		counts := statusCounts(t, store, ids)
		if counts["submitted"] == len(ids) || round == 2 {
			close(stopWatch)
			<-watchDone
			watch.scan()
			assertExactlyOnce(t, store, srv.uploaded(t), ids)
			assertIntegrity(t, store)
			store.Close()
			break
		}
		store.Close()
	}
	if len(watch.bad) > 0 {
		t.Errorf("files written twice: %v", watch.bad)
	}
	t.Logf("%d files on the server for %d claims", len(watch.first), len(ids))
}
