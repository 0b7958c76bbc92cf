package payers

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io/fs"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimgate/claimgate/payers/sftpd"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// TestSFTPClient runs the whole client suite against each real server backend on loopback.
func TestSFTPClient(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, ts *testServer)
	}{
		{"RoundTrip", testRoundTrip},
		{"ListFiltersAndSorts", testListFiltersAndSorts},
		{"PasswordAuth", testPasswordAuth},
		{"UploadIsAtomicForReaders", testUploadAtomicForReaders},
		{"CutMidUploadLeavesTempThenRetryCompletes", testCutMidUpload},
		{"CutMidUploadRetriedWithinOneCall", testCutMidUploadRetried},
		{"IdempotentReupload", testIdempotentReupload},
		{"PlainRenameFallback", testPlainRename},
		{"WrongPasswordNotRetried", testWrongPassword},
		{"RejectedAuthNotRetried", testRejectAuth},
		{"HostKeyMismatchRefused", testHostKeyMismatch},
		{"UnknownHostRefused", testUnknownHost},
		{"PortSpecificKnownHostsEntry", testPortSpecificEntry},
		{"ServerDownThenUp", testServerDownThenUp},
		{"ServerRefusesWrites", testReadOnly},
		{"ServerCloseKillsSession", testServerCloseKillsSession},
		{"StaleConnectionReconnects", testStaleConnection},
		{"CancelAbortsStalledUpload", testCancelStalledUpload},
		{"DownloadSizeCap", testDownloadCap},
		{"BadNames", testBadNames},
	}
	forEachBackend(t, func(t *testing.T, b sftpd.Backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.run(t, newTestServer(t, b))
			})
		}
	})
}

func testRoundTrip(t *testing.T, ts *testServer) {
	var obs observations
	cfg := ts.sftpConfig()
	c := ts.dial(cfg, DialOptions{Observer: obs.observe})
	ctx := t.Context()
	data := testData(300_000, 1)

	if err := c.Upload(ctx, cfg.UploadDir, "claims-0001.837", data); err != nil {
		t.Fatalf("upload: %v", err)
	}
	got, err := os.ReadFile(ts.local("inbound", "claims-0001.837"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("server file: %d bytes, err %v; want %d bytes", len(got), err, len(data))
	}
	if _, err := os.Stat(ts.local("inbound", TempName("claims-0001.837"))); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary file left behind: %v", err)
	}

	files, err := c.List(ctx, cfg.UploadDir)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(files) != 1 || files[0].Name != "claims-0001.837" || files[0].Size != int64(len(data)) || files[0].ModTime.IsZero() {
		t.Fatalf("list = %+v", files)
	}

	size, ok, err := c.Stat(ctx, cfg.UploadDir, "claims-0001.837")
	if err != nil || !ok || size != int64(len(data)) {
		t.Errorf("stat = %d, %v, %v", size, ok, err)
	}
	if size, ok, err := c.Stat(ctx, cfg.UploadDir, "missing.837"); err != nil || ok || size != 0 {
		t.Errorf("stat missing = %d, %v, %v", size, ok, err)
	}
	if _, _, err := c.Stat(ctx, ts.dir(""), "inbound"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("stat of a directory: %v, want ErrNotRegular", err)
	}

	down, err := c.Download(ctx, cfg.UploadDir, "claims-0001.837")
	if err != nil || !bytes.Equal(down, data) {
		t.Fatalf("download: %d bytes, %v", len(down), err)
	}

	if err := c.Move(ctx, cfg.UploadDir, "claims-0001.837", cfg.MoveDir); err != nil {
		t.Fatalf("move: %v", err)
	}
	if files, err := c.List(ctx, cfg.UploadDir); err != nil || len(files) != 0 {
		t.Errorf("inbound after move = %+v, %v", files, err)
	}
	if files, err := c.List(ctx, cfg.MoveDir); err != nil || len(files) != 1 || files[0].Name != "claims-0001.837" {
		t.Errorf("archive after move = %+v, %v", files, err)
	}
	// A repeated move (first answer lost) is done already.
	if err := c.Move(ctx, cfg.UploadDir, "claims-0001.837", cfg.MoveDir); err != nil {
		t.Errorf("repeated move: %v", err)
	}
	if err := c.Move(ctx, cfg.UploadDir, "never-there.837", cfg.MoveDir); !errors.Is(err, fs.ErrNotExist) || IsRetryable(err) {
		t.Errorf("move of a missing file: %v, want not-exist, permanent", err)
	}

	if err := c.Remove(ctx, cfg.MoveDir, "claims-0001.837"); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := os.Stat(ts.local("archive", "claims-0001.837")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file still there after remove: %v", err)
	}
	if err := c.Remove(ctx, cfg.MoveDir, "claims-0001.837"); err != nil {
		t.Errorf("remove of a missing file: %v, want nil", err)
	}
	if err := c.Remove(ctx, ts.dir(""), "archive"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("remove of a directory: %v, want ErrNotRegular", err)
	}

	_, err = c.Download(ctx, cfg.UploadDir, "claims-0001.837")
	var te *TransportError
	if !errors.Is(err, fs.ErrNotExist) || IsRetryable(err) || !errors.As(err, &te) || te.Op != "download" {
		t.Errorf("download of a missing file: %v, want permanent not-exist TransportError", err)
	}

	if n := obs.count("dial", ResultOK); n != 1 {
		t.Errorf("dials observed = %d, want 1 (operations reuse the connection)", n)
	}
	for _, want := range []observation{{"upload", ResultOK}, {"list", ResultOK}, {"download", ResultOK},
		{"download", ResultNotFound}, {"move", ResultOK}, {"remove", ResultOK}, {"stat", ResultOK}} {
		if obs.count(want.op, want.result) == 0 {
			t.Errorf("no observation %v in %v", want, obs.calls)
		}
	}
}

func testListFiltersAndSorts(t *testing.T, ts *testServer) {
	cfg := ts.sftpConfig()
	c := ts.dial(cfg, DialOptions{})
	ctx := t.Context()
	for i, name := range []string{"c.835", "a.999", "b.277"} {
		if err := os.WriteFile(ts.local("outbound", name), testData(10+i, 0), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{".hidden", TempName("d.835")} {
		if err := os.WriteFile(ts.local("outbound", name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(ts.local("outbound", "subdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(ts.local("outbound", "a.999"), ts.local("outbound", "link.999")); err != nil {
		t.Fatal(err)
	}
	files, err := c.List(ctx, cfg.DownloadDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	// Symbolic links are listed with their own (link) mode by SFTP readdir, so only the
	// three regular files remain.
	if want := []string{"a.999", "b.277", "c.835"}; !slices.Equal(names, want) {
		t.Errorf("list = %v, want %v", names, want)
	}
	if _, err := c.List(ctx, ts.dir("no-such-dir")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("list of a missing dir: %v", err)
	}
}

func testPasswordAuth(t *testing.T, ts *testServer) {
	ctx := t.Context()
	cfg := ts.sftpConfig()
	cfg.KeyFile = ""
	cfg.PasswordFile = ts.pwFile
	c := ts.dial(cfg, DialOptions{})
	if err := c.Upload(ctx, cfg.UploadDir, "pw-file.837", []byte("ISA*")); err != nil {
		t.Fatal(err)
	}

	cfg.PasswordFile = ""
	cfg.PasswordEnv = "CLAIMGATE_TEST_SFTP_PASSWORD"
	env := func(name string) (string, bool) {
		if name == "CLAIMGATE_TEST_SFTP_PASSWORD" {
			return testPassword, true
		}
		return "", false
	}
	c2 := ts.dial(cfg, DialOptions{LookupEnv: env})
	if _, ok, err := c2.Stat(ctx, cfg.UploadDir, "pw-file.837"); err != nil || !ok {
		t.Fatalf("stat over password_env login: %v %v", ok, err)
	}

	// An unset variable is a configuration error found before any connection.
	_, err := Dial(ctx, cfg, DialOptions{LookupEnv: func(string) (string, bool) { return "", false }})
	if !errors.Is(err, ErrConfig) || IsRetryable(err) || !strings.Contains(err.Error(), "CLAIMGATE_TEST_SFTP_PASSWORD") {
		t.Errorf("unset password env: %v", err)
	}
}

// TestEncryptedKey runs once, not per backend: decrypting the key is client-side work and the
// bcrypt KDF of OpenSSH key encryption is slow under the race detector.
func TestEncryptedKey(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, sftpd.BackendInProcess)
	ctx := t.Context()
	block, err := ssh.MarshalPrivateKeyWithPassphrase(ts.clientKey, "enc", []byte("key passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := ts.sftpConfig()
	cfg.KeyFile = ts.writeSecret("id_encrypted", pem.EncodeToMemory(block))
	cfg.KeyPassphraseFile = ts.writeSecret("passphrase", []byte("key passphrase\n"))
	c := ts.dial(cfg, DialOptions{})
	if _, err := c.List(ctx, cfg.UploadDir); err != nil {
		t.Fatal(err)
	}

	cfg.KeyPassphraseFile = ""
	_, err = Dial(ctx, cfg, DialOptions{})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "encrypted") {
		t.Errorf("encrypted key without passphrase: %v", err)
	}
	cfg.KeyPassphraseEnv = "KEY_PASS"
	_, err = Dial(ctx, cfg, DialOptions{LookupEnv: func(string) (string, bool) { return "wrong", true }})
	if !errors.Is(err, ErrConfig) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong passphrase: %v (must be a config error and not echo the passphrase)", err)
	}
}

// testUploadAtomicForReaders lists the folder from a second connection while files are being
// uploaded: every name it ever sees must already have its full size.
func testUploadAtomicForReaders(t *testing.T, ts *testServer) {
	ctx := t.Context()
	cfg := ts.sftpConfig()
	up := ts.dial(cfg, DialOptions{})
	watcher := ts.dial(cfg, DialOptions{})
	data := testData(1<<20, 7)
	names := []string{"f1.837", "f2.837", "f3.837", "f4.837"}

	done := make(chan error, 1)
	go func() {
		for _, n := range names {
			if err := up.Upload(ctx, cfg.UploadDir, n, data); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	listings := 0
	for finished := false; !finished; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("upload: %v", err)
			}
			finished = true
		default:
		}
		files, err := watcher.List(ctx, cfg.UploadDir)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		listings++
		for _, f := range files {
			if f.Size != int64(len(data)) || !slices.Contains(names, f.Name) {
				t.Fatalf("listing %d shows %s with %d bytes (want only complete files of %d bytes)",
					listings, f.Name, f.Size, len(data))
			}
		}
	}
	files, err := watcher.List(ctx, cfg.UploadDir)
	if err != nil || len(files) != len(names) {
		t.Fatalf("final listing %+v, %v", files, err)
	}
	t.Logf("%d listings during the uploads", listings)
}

func testCutMidUpload(t *testing.T, ts *testServer) {
	ctx := t.Context()
	cfg := ts.sftpConfig()
	cfg.Retries = 1
	c := ts.dial(cfg, DialOptions{})
	data := testData(1<<20, 3)
	// Every connection is cut (the reconnect after a cut kept connection included), so the
	// single attempt fails.
	ts.server().SetFaults(sftpd.Faults{DropAfterBytes: 256 << 10})

	err := c.Upload(ctx, cfg.UploadDir, "cut.837", data)
	if err == nil {
		t.Fatal("upload through a cut connection succeeded")
	}
	if !IsRetryable(err) {
		t.Errorf("connection cut must be retryable: %v", err)
	}
	if _, err := os.Stat(ts.local("inbound", "cut.837")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("final name exists after a cut upload: %v", err)
	}
	fi, err := os.Stat(ts.local("inbound", TempName("cut.837")))
	if err != nil {
		t.Fatalf("temporary file missing after a cut upload: %v", err)
	}
	if fi.Size() >= int64(len(data)) {
		t.Errorf("temporary file has %d bytes, want a partial file", fi.Size())
	}
	ts.server().SetFaults(sftpd.Faults{})
	if files, err := c.List(ctx, cfg.UploadDir); err != nil || len(files) != 0 {
		t.Errorf("listing after a cut upload = %+v, %v; want nothing", files, err)
	}

	if err := c.Upload(ctx, cfg.UploadDir, "cut.837", data); err != nil {
		t.Fatalf("retried upload: %v", err)
	}
	got, err := os.ReadFile(ts.local("inbound", "cut.837"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after retry: %d bytes, %v; want the %d uploaded bytes", len(got), err, len(data))
	}
	if _, err := os.Stat(ts.local("inbound", TempName("cut.837"))); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary file left after the retry: %v", err)
	}
}

func testCutMidUploadRetried(t *testing.T, ts *testServer) {
	var obs observations
	cfg := ts.sftpConfig()
	c := ts.dial(cfg, DialOptions{Observer: obs.observe})
	data := testData(1<<20, 5)
	ts.server().SetFaults(sftpd.Faults{DropAfterBytes: 128 << 10, DropOnce: true})
	if err := c.Upload(t.Context(), cfg.UploadDir, "retried.837", data); err != nil {
		t.Fatalf("upload with retries: %v", err)
	}
	got, err := os.ReadFile(ts.local("inbound", "retried.837"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("server file: %d bytes, %v", len(got), err)
	}
	if n := obs.count("dial", ResultOK); n != 2 {
		t.Errorf("dials = %d, want 2 (initial + reconnect after the cut)", n)
	}
	if n := obs.count("upload", ResultOK); n != 1 {
		t.Errorf("upload observations = %d, want 1 per operation", n)
	}
}

func testIdempotentReupload(t *testing.T, ts *testServer) {
	ctx := t.Context()
	cfg := ts.sftpConfig()
	c := ts.dial(cfg, DialOptions{})
	data := testData(50_000, 9)
	for i := range 2 {
		if err := c.Upload(ctx, cfg.UploadDir, "same.837", data); err != nil {
			t.Fatalf("upload %d: %v", i+1, err)
		}
	}
	// A crash after the rename but before the answer: final file complete, stale temp left.
	if err := os.WriteFile(ts.local("inbound", TempName("same.837")), data[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Upload(ctx, cfg.UploadDir, "same.837", data); err != nil {
		t.Fatalf("upload over a finished file: %v", err)
	}
	if _, err := os.Stat(ts.local("inbound", TempName("same.837"))); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temporary file not cleaned: %v", err)
	}
	got, _ := os.ReadFile(ts.local("inbound", "same.837"))
	if !bytes.Equal(got, data) {
		t.Fatal("content changed")
	}

	for _, other := range [][]byte{testData(50_000, 10), testData(49_999, 9)} {
		err := c.Upload(ctx, cfg.UploadDir, "same.837", other)
		if !errors.Is(err, ErrRemoteExists) || IsRetryable(err) {
			t.Errorf("upload of other bytes under an existing name: %v, want permanent ErrRemoteExists", err)
		}
	}
	got, _ = os.ReadFile(ts.local("inbound", "same.837"))
	if !bytes.Equal(got, data) {
		t.Fatal("existing file overwritten")
	}
}

func testPlainRename(t *testing.T, ts *testServer) {
	ctx := t.Context()
	cfg := ts.sftpConfig()
	c := ts.dial(cfg, DialOptions{disablePosixRename: true})
	data := testData(70_000, 2)
	if err := c.Upload(ctx, cfg.UploadDir, "plain.837", data); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if err := c.Upload(ctx, cfg.UploadDir, "plain.837", data); err != nil {
		t.Fatalf("re-upload: %v", err)
	}
	got, _ := os.ReadFile(ts.local("inbound", "plain.837"))
	if !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
	if err := os.WriteFile(ts.local("archive", "plain.837"), []byte("older"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := c.Move(ctx, cfg.UploadDir, "plain.837", cfg.MoveDir)
	if !errors.Is(err, ErrRemoteExists) || IsRetryable(err) {
		t.Errorf("plain-rename move onto an existing file: %v, want permanent ErrRemoteExists", err)
	}
	if err := os.Remove(ts.local("archive", "plain.837")); err != nil {
		t.Fatal(err)
	}
	if err := c.Move(ctx, cfg.UploadDir, "plain.837", cfg.MoveDir); err != nil {
		t.Errorf("move: %v", err)
	}
}

func testWrongPassword(t *testing.T, ts *testServer) {
	var obs observations
	cfg := ts.sftpConfig()
	cfg.KeyFile = ""
	cfg.PasswordFile = ts.writeSecret("wrong", []byte("not the password"))
	cfg.Retries = 5
	_, err := Dial(t.Context(), cfg, DialOptions{Observer: obs.observe})
	var te *TransportError
	if !errors.Is(err, ErrAuth) || IsRetryable(err) || !errors.As(err, &te) || te.Attempts != 1 {
		t.Fatalf("wrong password: %v, want permanent ErrAuth after 1 attempt", err)
	}
	if strings.Contains(err.Error(), "not the password") {
		t.Errorf("error leaks the password: %v", err)
	}
	if n := obs.count("dial", ""); n != 1 || obs.count("dial", ResultAuth) != 1 {
		t.Errorf("dial observations %v, want one auth_failed", obs.calls)
	}
}

func testRejectAuth(t *testing.T, ts *testServer) {
	ts.server().SetFaults(sftpd.Faults{RejectAuth: true})
	_, err := Dial(t.Context(), ts.sftpConfig(), DialOptions{})
	var te *TransportError
	if !errors.Is(err, ErrAuth) || IsRetryable(err) || !errors.As(err, &te) || te.Attempts != 1 {
		t.Fatalf("rejected key: %v, want permanent ErrAuth after 1 attempt", err)
	}
}

func otherHostKey(t *testing.T) ssh.PublicKey {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testHostKeyMismatch(t *testing.T, ts *testServer) {
	var obs observations
	cfg := ts.sftpConfig()
	cfg.KnownHosts = ts.writeSecret("known_hosts_other", []byte(knownhosts.Line([]string{ts.addr}, otherHostKey(t))+"\n"))
	_, err := Dial(t.Context(), cfg, DialOptions{Observer: obs.observe})
	var te *TransportError
	if !errors.Is(err, ErrHostKeyMismatch) || errors.Is(err, ErrUnknownHost) || IsRetryable(err) ||
		!errors.As(err, &te) || te.Attempts != 1 {
		t.Fatalf("mismatch: %v, want permanent ErrHostKeyMismatch after 1 attempt", err)
	}
	fp := ssh.FingerprintSHA256(ts.server().HostKey())
	if !strings.Contains(err.Error(), fp) || !strings.Contains(err.Error(), ts.server().KnownHostsLine(ts.addr)) {
		t.Errorf("message lacks the offered fingerprint %s or the pin line: %v", fp, err)
	}
	var hke *HostKeyError
	if !errors.As(err, &hke) || hke.Fingerprint() != fp || len(hke.Pinned) != 1 {
		t.Errorf("HostKeyError = %+v", hke)
	}
	if obs.count("dial", ResultHostKey) != 1 {
		t.Errorf("observations %v", obs.calls)
	}
}

func testUnknownHost(t *testing.T, ts *testServer) {
	cfg := ts.sftpConfig()
	cfg.KnownHosts = ts.writeSecret("known_hosts_elsewhere",
		[]byte("# pins for other servers only\n"+knownhosts.Line([]string{"sftp.example.com:22"}, otherHostKey(t))+"\n"))
	_, err := Dial(t.Context(), cfg, DialOptions{})
	if !errors.Is(err, ErrUnknownHost) || errors.Is(err, ErrHostKeyMismatch) || IsRetryable(err) {
		t.Fatalf("unknown host: %v, want permanent ErrUnknownHost", err)
	}
	fp := ssh.FingerprintSHA256(ts.server().HostKey())
	if !strings.Contains(err.Error(), fp) || !strings.Contains(err.Error(), ts.server().KnownHostsLine(ts.addr)) {
		t.Errorf("message lacks fingerprint %s or pin line: %v", fp, err)
	}

	// Following the message's advice makes the connection work.
	var hke *HostKeyError
	if !errors.As(err, &hke) {
		t.Fatal("not a HostKeyError")
	}
	f, err := os.OpenFile(cfg.KnownHosts, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(hke.PinLine() + "\n")
	f.Close()
	ts.dial(cfg, DialOptions{})

	cfg.KnownHosts = ts.secrets + "/does-not-exist"
	if _, err := Dial(t.Context(), cfg, DialOptions{}); !errors.Is(err, ErrConfig) || IsRetryable(err) {
		t.Errorf("missing known_hosts file: %v, want ErrConfig", err)
	}
}

// testPortSpecificEntry: a "host" entry (port 22) does not pin "[host]:port", the way OpenSSH
// reads known_hosts.
func testPortSpecificEntry(t *testing.T, ts *testServer) {
	host, _, _ := net.SplitHostPort(ts.addr)
	cfg := ts.sftpConfig()
	cfg.KnownHosts = ts.writeSecret("known_hosts_port22",
		[]byte(host+" "+string(ssh.MarshalAuthorizedKey(ts.server().HostKey()))))
	if _, err := Dial(t.Context(), cfg, DialOptions{}); !errors.Is(err, ErrUnknownHost) {
		t.Fatalf("port-22 entry used for %s: %v", ts.addr, err)
	}
	if !strings.HasPrefix(ts.server().KnownHostsLine(ts.addr), "["+host+"]:") {
		t.Fatalf("pin line %q is not [host]:port", ts.server().KnownHostsLine(ts.addr))
	}
}

func testServerDownThenUp(t *testing.T, ts *testServer) {
	var obs observations
	cfg := ts.sftpConfig()
	cfg.Retries = 6
	var once sync.Once
	obs.hook = func(op, result string) {
		// The first refused reconnection brings the server back (same address, root and
		// host key directory), as an operator restarting it would.
		if op == "dial" && result == ResultTransient {
			once.Do(ts.restart)
		}
	}
	c := ts.dial(cfg, DialOptions{Observer: obs.observe})
	ts.stop()
	data := testData(10_000, 4)
	if err := c.Upload(t.Context(), cfg.UploadDir, "after-restart.837", data); err != nil {
		t.Fatalf("upload across a server restart: %v", err)
	}
	got, _ := os.ReadFile(ts.local("inbound", "after-restart.837"))
	if !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
	if obs.count("dial", ResultTransient) < 1 || obs.count("dial", ResultOK) != 2 {
		t.Errorf("dial observations %v: want a failed reconnect then a successful one", obs.calls)
	}

	// With the server down for good, the error is retryable and says how often it tried.
	ts.stop()
	cfg.Retries = 2
	c2, err := Dial(t.Context(), cfg, DialOptions{})
	var te *TransportError
	if c2 != nil || !IsRetryable(err) || !errors.As(err, &te) || te.Attempts != 2 {
		t.Errorf("dial to a stopped server: %v, want retryable after 2 attempts", err)
	}
}

func testReadOnly(t *testing.T, ts *testServer) {
	ctx := t.Context()
	if err := os.WriteFile(ts.local("outbound", "ack.999"), []byte("ISA*999"), 0o644); err != nil {
		t.Fatal(err)
	}
	ts.server().SetFaults(sftpd.Faults{ReadOnly: true})
	var obs observations
	cfg := ts.sftpConfig()
	c := ts.dial(cfg, DialOptions{Observer: obs.observe})
	err := c.Upload(ctx, cfg.UploadDir, "refused.837", []byte("ISA*"))
	var te *TransportError
	if !errors.Is(err, fs.ErrPermission) || IsRetryable(err) || !errors.As(err, &te) || te.Attempts != 1 {
		t.Fatalf("upload to a read-only server: %v, want permanent permission error after 1 attempt", err)
	}
	if obs.count("upload", ResultError) != 1 {
		t.Errorf("observations %v", obs.calls)
	}
	if err := c.Remove(ctx, cfg.DownloadDir, "ack.999"); !errors.Is(err, fs.ErrPermission) || IsRetryable(err) {
		t.Errorf("remove on a read-only server: %v", err)
	}
	if got, err := c.Download(ctx, cfg.DownloadDir, "ack.999"); err != nil || string(got) != "ISA*999" {
		t.Errorf("download from a read-only server: %q, %v", got, err)
	}
	entries, _ := os.ReadDir(ts.local("inbound"))
	if len(entries) != 0 {
		t.Errorf("read-only server has files in inbound: %v", entries)
	}
}

func testServerCloseKillsSession(t *testing.T, ts *testServer) {
	cfg := ts.sftpConfig()
	cfg.Retries = 1
	c := ts.dial(cfg, DialOptions{})
	ts.stop()
	_, err := c.List(t.Context(), cfg.UploadDir)
	if err == nil || !IsRetryable(err) {
		t.Fatalf("list after server close: %v, want a retryable error", err)
	}
}

func testCancelStalledUpload(t *testing.T, ts *testServer) {
	cfg := ts.sftpConfig()
	cfg.Timeout = 10 * time.Minute // only the cancellation can end the stalled upload
	c := ts.dial(cfg, DialOptions{})
	ts.server().SetFaults(sftpd.Faults{StallAfterBytes: 64 << 10})
	ctx, cancel := context.WithCancel(t.Context())
	stalled := time.AfterFunc(300*time.Millisecond, cancel)
	defer stalled.Stop()
	start := time.Now()
	err := c.Upload(ctx, cfg.UploadDir, "stalled.837", testData(1<<20, 6))
	if !errors.Is(err, context.Canceled) || IsRetryable(err) {
		t.Fatalf("cancelled upload: %v, want context.Canceled, not retryable", err)
	}
	if d := time.Since(start); d > time.Minute {
		t.Fatalf("cancelled upload returned after %s", d)
	}
	// The client is still usable: the next operation reconnects.
	ts.server().SetFaults(sftpd.Faults{})
	if err := c.Upload(t.Context(), cfg.UploadDir, "stalled.837", []byte("ISA*")); err != nil {
		t.Fatalf("upload after cancel: %v", err)
	}
}

func testDownloadCap(t *testing.T, ts *testServer) {
	cfg := ts.sftpConfig()
	c := ts.dial(cfg, DialOptions{MaxDownloadSize: 1000})
	if err := os.WriteFile(ts.local("outbound", "big.835"), testData(1001, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ts.local("outbound", "ok.835"), testData(1000, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Download(t.Context(), cfg.DownloadDir, "big.835"); !errors.Is(err, ErrTooLarge) || IsRetryable(err) {
		t.Errorf("oversized download: %v, want permanent ErrTooLarge", err)
	}
	if got, err := c.Download(t.Context(), cfg.DownloadDir, "ok.835"); err != nil || len(got) != 1000 {
		t.Errorf("download at the cap: %d bytes, %v", len(got), err)
	}
}

func testBadNames(t *testing.T, ts *testServer) {
	cfg := ts.sftpConfig()
	c := ts.dial(cfg, DialOptions{})
	for _, name := range []string{"", ".", "..", "../escape.837", "a/b.837", "nul\x00.837"} {
		if err := c.Upload(t.Context(), cfg.UploadDir, name, []byte("x")); !errors.Is(err, ErrConfig) || IsRetryable(err) {
			t.Errorf("upload %q: %v, want ErrConfig", name, err)
		}
	}
}

// TestDialCancelDuringHandshake: a server that accepts TCP but never speaks SSH must not hold
// Dial past the caller's cancellation, and its per-attempt timeout is a retryable failure.
func TestDialCancelDuringHandshake(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	}()
	dir := t.TempDir()
	key := writeTestKey(t, dir)
	kh := dir + "/known_hosts"
	if err := os.WriteFile(kh, []byte(knownhosts.Line([]string{l.Addr().String()}, otherHostKey(t))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := SFTP{Addr: l.Addr().String(), User: "u", KeyFile: key, KnownHosts: kh,
		Timeout: 10 * time.Minute, Retries: 3, RetryInterval: 10 * time.Millisecond}

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err = Dial(ctx, cfg, DialOptions{})
	if !errors.Is(err, context.Canceled) || IsRetryable(err) {
		t.Fatalf("cancelled dial: %v", err)
	}
	if d := time.Since(start); d > time.Minute {
		t.Fatalf("cancelled dial returned after %s", d)
	}

	cfg.Timeout = 100 * time.Millisecond
	cfg.Retries = 2
	_, err = Dial(t.Context(), cfg, DialOptions{})
	var te *TransportError
	if !errors.Is(err, ErrTimeout) || !IsRetryable(err) || !errors.As(err, &te) || te.Attempts != 2 {
		t.Fatalf("handshake timeout: %v, want retryable ErrTimeout after 2 attempts", err)
	}
}

func writeTestKey(t *testing.T, dir string) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	p := dir + "/id_ed25519"
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testStaleConnection: a kept connection that died while idle (server restarted between two
// operations) is replaced without using up an attempt.
func testStaleConnection(t *testing.T, ts *testServer) {
	var obs observations
	cfg := ts.sftpConfig()
	cfg.Retries = 1
	c := ts.dial(cfg, DialOptions{Observer: obs.observe})
	ts.stop()
	ts.restart()
	if _, err := c.List(t.Context(), cfg.UploadDir); err != nil {
		t.Fatalf("list after a server restart: %v", err)
	}
	if n := obs.count("dial", ResultOK); n != 2 {
		t.Errorf("dials = %d, want 2", n)
	}
}
