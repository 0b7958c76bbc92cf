package payers

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/claimgate/claimgate/payers/sftpd"
	"golang.org/x/crypto/ssh"
)

const (
	testUser     = "claimgate"
	testPassword = "correct horse battery staple"
)

// backends returns the SFTP server backends the client suite runs against. OpenSSH's
// sftp-server is skipped (loudly) when it is not installed, unless
// CLAIMGATE_REQUIRE_SFTP_SERVER=1, which makes its absence a failure.
func forEachBackend(t *testing.T, f func(t *testing.T, b sftpd.Backend)) {
	for _, b := range []sftpd.Backend{sftpd.BackendInProcess, sftpd.BackendOpenSSH} {
		t.Run(b.String(), func(t *testing.T) {
			if b == sftpd.BackendOpenSSH && sftpd.FindSFTPServer() == "" {
				msg := "OpenSSH sftp-server not installed (apt-get install openssh-sftp-server): " +
					"SKIPPING the client suite against OpenSSH's implementation"
				if os.Getenv("CLAIMGATE_REQUIRE_SFTP_SERVER") == "1" {
					t.Fatal(msg + " but CLAIMGATE_REQUIRE_SFTP_SERVER=1")
				}
				t.Log("!!!!! " + msg)
				t.Skip(msg)
			}
			f(t, b)
		})
	}
}

// testServer is a real SSH/SFTP server on loopback with one user who can log in with a
// password or a key, and the client-side files (key, password, known_hosts) to reach it.
type testServer struct {
	t       testing.TB
	backend sftpd.Backend
	root    string // served directory
	state   string // host key directory
	addr    string
	secrets string // client-side files

	mu  sync.Mutex
	srv *sftpd.Server

	clientKey  ed25519.PrivateKey
	keyFile    string
	pwFile     string
	knownHosts string
}

func newTestServer(t testing.TB, b sftpd.Backend) *testServer {
	t.Helper()
	ts := &testServer{t: t, backend: b, root: t.TempDir(), state: t.TempDir(), secrets: t.TempDir()}
	for _, d := range []string{"inbound", "outbound", "archive"} {
		if err := os.Mkdir(filepath.Join(ts.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_, ts.clientKey, _ = ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(ts.clientKey, "claimgate test")
	if err != nil {
		t.Fatal(err)
	}
	ts.keyFile = ts.writeSecret("id_ed25519", pem.EncodeToMemory(block))
	ts.pwFile = ts.writeSecret("password", []byte(testPassword+"\n"))

	l, err := sftpd.Listen("")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = l.Addr().String()
	ts.start(l)
	ts.knownHosts = ts.writeSecret("known_hosts", []byte(ts.server().KnownHostsLine(ts.addr)+"\n"))
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) writeSecret(name string, data []byte) string {
	ts.t.Helper()
	p := filepath.Join(ts.secrets, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		ts.t.Fatal(err)
	}
	return p
}

func (ts *testServer) config() sftpd.Config {
	pub, err := ssh.NewPublicKey(ts.clientKey.Public())
	if err != nil {
		ts.t.Fatal(err)
	}
	return sftpd.Config{
		Root:     ts.root,
		StateDir: ts.state,
		Backend:  ts.backend,
		Users:    []sftpd.User{{Name: testUser, Password: testPassword, AuthorizedKeys: []ssh.PublicKey{pub}}},
	}
}

func (ts *testServer) start(l net.Listener) {
	srv, err := sftpd.New(ts.config())
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.mu.Lock()
	ts.srv = srv
	ts.mu.Unlock()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, sftpd.ErrServerClosed) {
			ts.t.Errorf("serve: %v", err)
		}
	}()
}

func (ts *testServer) server() *sftpd.Server {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.srv
}

func (ts *testServer) stop() {
	if err := ts.server().Close(); err != nil {
		ts.t.Errorf("close server: %v", err)
	}
}

// restart starts a new server process-equivalent on the same address, root and state dir.
func (ts *testServer) restart() {
	var l net.Listener
	var err error
	for range 50 { // the old listener's port may take a moment to be free
		if l, err = net.Listen("tcp", ts.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		ts.t.Errorf("restart: %v", err)
		return
	}
	ts.start(l)
}

// sftpConfig is the payer's SFTP settings for this server, key authentication, fast retries.
func (ts *testServer) sftpConfig() SFTP {
	return SFTP{
		Addr:          ts.addr,
		User:          testUser,
		KeyFile:       ts.keyFile,
		KnownHosts:    ts.knownHosts,
		UploadDir:     ts.dir("inbound"),
		DownloadDir:   ts.dir("outbound"),
		AfterDownload: "move",
		MoveDir:       ts.dir("archive"),
		Timeout:       20 * time.Second,
		Retries:       3,
		RetryInterval: 10 * time.Millisecond,
	}
}

// dir is the remote path of a folder under the served root.
func (ts *testServer) dir(name string) string { return ts.server().RemotePath(name) }

// local is the server-side file path of a name under the served root.
func (ts *testServer) local(elem ...string) string {
	return filepath.Join(append([]string{ts.root}, elem...)...)
}

func (ts *testServer) dial(cfg SFTP, opts DialOptions) *Client {
	ts.t.Helper()
	c, err := Dial(ts.t.Context(), cfg, opts)
	if err != nil {
		ts.t.Fatalf("dial: %v", err)
	}
	ts.t.Cleanup(func() { c.Close() })
	return c
}

// observations records the observer's calls.
type observations struct {
	mu    sync.Mutex
	calls []observation
	hook  func(op, result string)
}

type observation struct{ op, result string }

func (o *observations) observe(op, result string, _ time.Duration) {
	o.mu.Lock()
	o.calls = append(o.calls, observation{op, result})
	hook := o.hook
	o.mu.Unlock()
	if hook != nil {
		hook(op, result)
	}
}

func (o *observations) count(op, result string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, c := range o.calls {
		if c.op == op && (result == "" || c.result == result) {
			n++
		}
	}
	return n
}

func testData(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) + seed
	}
	return b
}
