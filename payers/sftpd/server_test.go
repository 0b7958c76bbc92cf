package sftpd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

type fixture struct {
	srv    *Server
	addr   string
	root   string
	state  string
	signer ssh.Signer // the user's key
}

const password = "pw-for-tests"

func newFixture(t *testing.T, b Backend, mutate func(*Config)) *fixture {
	t.Helper()
	if b == BackendOpenSSH && FindSFTPServer() == "" {
		if os.Getenv("CLAIMGATE_REQUIRE_SFTP_SERVER") == "1" {
			t.Fatal("OpenSSH sftp-server not installed but CLAIMGATE_REQUIRE_SFTP_SERVER=1")
		}
		t.Skip("!!!!! OpenSSH sftp-server not installed (apt-get install openssh-sftp-server): SKIPPING")
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{root: t.TempDir(), state: t.TempDir(), signer: signer}
	cfg := Config{
		Root:     f.root,
		StateDir: f.state,
		Backend:  b,
		Users:    []User{{Name: "u", Password: password, AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()}}},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	f.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Listen("")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = l.Addr().String()
	served := make(chan error, 1)
	go func() { served <- f.srv.Serve(l) }()
	t.Cleanup(func() {
		f.srv.Close()
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return f
}

func (f *fixture) sshClient(t *testing.T, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	t.Helper()
	if len(auth) == 0 {
		auth = []ssh.AuthMethod{ssh.PublicKeys(f.signer)}
	}
	return ssh.Dial("tcp", f.addr, &ssh.ClientConfig{
		User:            "u",
		Auth:            auth,
		HostKeyCallback: ssh.FixedHostKey(f.srv.HostKey()),
		Timeout:         10 * time.Second,
	})
}

func (f *fixture) sftpClient(t *testing.T) *sftp.Client {
	t.Helper()
	sc, err := f.sshClient(t)
	if err != nil {
		t.Fatalf("ssh: %v", err)
	}
	c, err := sftp.NewClient(sc)
	if err != nil {
		sc.Close()
		t.Fatalf("sftp: %v", err)
	}
	t.Cleanup(func() { c.Close(); sc.Close() })
	return c
}

func eachBackend(t *testing.T, f func(t *testing.T, b Backend)) {
	for _, b := range []Backend{BackendInProcess, BackendOpenSSH} {
		t.Run(b.String(), func(t *testing.T) {
			t.Parallel()
			f(t, b)
		})
	}
}

func TestReadWriteRename(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		fx := newFixture(t, b, nil)
		c := fx.sftpClient(t)
		dir := fx.srv.RemotePath("in")
		if err := c.Mkdir(dir); err != nil {
			t.Fatal(err)
		}
		w, err := c.Create(dir + "/a.tmp")
		if err != nil {
			t.Fatal(err)
		}
		data := bytes.Repeat([]byte("0123456789"), 10_000)
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.PosixRename(dir+"/a.tmp", dir+"/a"); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(fx.root, "in", "a"))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("local file: %d bytes, %v", len(got), err)
		}
		// Plain rename does not replace an existing target.
		if err := os.WriteFile(filepath.Join(fx.root, "in", "b"), []byte("b"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := c.Rename(dir+"/b", dir+"/a"); err == nil {
			t.Error("plain rename replaced an existing file")
		}
		if err := c.Rename(dir+"/b", dir+"/c"); err != nil {
			t.Errorf("plain rename: %v", err)
		}
		r, err := c.Open(dir + "/a")
		if err != nil {
			t.Fatal(err)
		}
		back, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("read back: %d bytes, %v", len(back), err)
		}
		infos, err := c.ReadDir(dir)
		if err != nil || len(infos) != 2 {
			t.Fatalf("readdir: %v, %v", infos, err)
		}
		if err := c.Remove(dir + "/c"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Stat(dir + "/c"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("stat after remove: %v", err)
		}
	})
}

func TestInProcessJail(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	fx := newFixture(t, BackendInProcess, nil)
	if err := os.Symlink(outside, filepath.Join(fx.root, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fx.root, "inside"), []byte("inside"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := fx.sftpClient(t)
	rel, err := filepath.Rel(fx.root, filepath.Join(outside, "secret"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"/escape/secret",
		"../../../../../../" + strings.TrimPrefix(outside, "/") + "/secret",
		"/" + rel,
		outside + "/secret",
	} {
		if f, err := c.Open(p); err == nil {
			b, _ := io.ReadAll(f)
			f.Close()
			t.Errorf("read %q outside the root: %q", p, b)
		}
		if f, err := c.Create(p); err == nil {
			f.Close()
			t.Errorf("created %q outside the root", p)
		}
	}
	if err := c.Symlink("/inside", "/link"); err == nil {
		t.Error("symlink creation allowed")
	}
	if wd, err := c.Getwd(); err != nil || wd != "/" {
		t.Errorf("working directory = %q, %v; want /", wd, err)
	}
	if real, err := c.RealPath("../../x"); err != nil || real != "/x" {
		t.Errorf("realpath = %q, %v", real, err)
	}
	f, err := c.Open("/inside")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "inside" {
		t.Errorf("inside = %q", b)
	}
}

func TestHostKeyPersisted(t *testing.T) {
	root, state := t.TempDir(), t.TempDir()
	cfg := Config{Root: root, StateDir: state, Users: []User{{Name: "u", Password: "p"}}}
	s1, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s1.Close()
	fi, err := os.Stat(filepath.Join(state, HostKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %v, want 0600", fi.Mode().Perm())
	}
	s2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if !bytes.Equal(s1.HostKey().Marshal(), s2.HostKey().Marshal()) {
		t.Error("host key changed across restarts")
	}
	if s1.HostKey().Type() != ssh.KeyAlgoED25519 {
		t.Errorf("host key type %s", s1.HostKey().Type())
	}
	s3, err := New(Config{Root: root, StateDir: t.TempDir(), Users: cfg.Users})
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	if bytes.Equal(s1.HostKey().Marshal(), s3.HostKey().Marshal()) {
		t.Error("two state dirs share a host key")
	}
	if err := os.WriteFile(filepath.Join(state, HostKeyFile), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg); err == nil {
		t.Error("corrupt host key accepted")
	}
}

func TestConfigErrors(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	os.WriteFile(file, nil, 0o644)
	users := []User{{Name: "u", Password: "p"}}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no root", Config{StateDir: root, Users: users}, "Root is required"},
		{"root is a file", Config{Root: file, StateDir: root, Users: users}, "not a directory"},
		{"no users", Config{Root: root, StateDir: root}, "at least one user"},
		{"no credentials", Config{Root: root, StateDir: root, Users: []User{{Name: "u"}}}, "neither a password"},
		{"duplicate user", Config{Root: root, StateDir: root, Users: []User{users[0], users[0]}}, "duplicate"},
		{"no state dir", Config{Root: root, Users: users}, "StateDir is required"},
		{"bad binary", Config{Root: root, StateDir: root, Users: users, Backend: BackendOpenSSH,
			SFTPServerPath: filepath.Join(root, "missing")}, ""},
		{"unknown backend", Config{Root: root, StateDir: root, Users: users, Backend: 7}, "unknown backend"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.cfg)
			if tc.want == "" {
				// A missing binary is found when a session starts it.
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				s.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	fx := newFixture(t, BackendInProcess, nil)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ssh.NewSignerFromKey(otherKey)
	tests := []struct {
		name string
		auth ssh.AuthMethod
		ok   bool
	}{
		{"key", ssh.PublicKeys(fx.signer), true},
		{"password", ssh.Password(password), true},
		{"wrong password", ssh.Password("nope"), false},
		{"unknown key", ssh.PublicKeys(other), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := fx.sshClient(t, tc.auth)
			if c != nil {
				c.Close()
			}
			if (err == nil) != tc.ok {
				t.Fatalf("login: %v, want ok=%v", err, tc.ok)
			}
		})
	}
	fx.srv.SetFaults(Faults{RejectAuth: true})
	if c, err := fx.sshClient(t); err == nil {
		c.Close()
		t.Fatal("login accepted with RejectAuth")
	}
	fx.srv.SetFaults(Faults{})

	// No shell, no exec: only the sftp subsystem.
	c, err := fx.sshClient(t)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.Run("id"); err == nil {
		t.Error("exec accepted")
	}
	if _, _, err := c.OpenChannel("direct-tcpip", nil); err == nil {
		t.Error("port forwarding accepted")
	}
}

func TestReadOnly(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		fx := newFixture(t, b, func(c *Config) { c.ReadOnly = true })
		if err := os.WriteFile(filepath.Join(fx.root, "f"), []byte("data"), 0o644); err != nil {
			t.Fatal(err)
		}
		c := fx.sftpClient(t)
		if f, err := c.Create(fx.srv.RemotePath("new")); err == nil {
			f.Close()
			t.Error("create allowed on a read-only server")
		} else if !errors.Is(err, fs.ErrPermission) {
			t.Errorf("create: %v, want permission denied", err)
		}
		if err := c.Remove(fx.srv.RemotePath("f")); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("remove: %v, want permission denied", err)
		}
		if err := c.Mkdir(fx.srv.RemotePath("d")); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("mkdir: %v, want permission denied", err)
		}
		f, err := c.Open(fx.srv.RemotePath("f"))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if string(got) != "data" {
			t.Errorf("read = %q", got)
		}
	})
}

func TestDropAfterBytes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		fx := newFixture(t, b, nil)
		fx.srv.SetFaults(Faults{DropAfterBytes: 50_000, DropOnce: true})
		c := fx.sftpClient(t)
		f, err := c.Create(fx.srv.RemotePath("big"))
		if err != nil {
			t.Fatal(err)
		}
		_, werr := f.Write(make([]byte, 500_000))
		cerr := f.Close()
		if werr == nil && cerr == nil {
			t.Fatal("write through a dropped connection succeeded")
		}
		if fx.srv.Faults().DropAfterBytes != 0 {
			t.Error("DropOnce did not clear the fault")
		}
		// The next connection works.
		c2 := fx.sftpClient(t)
		if _, err := c2.Stat(fx.srv.RemotePath("big")); err != nil {
			t.Errorf("stat over a new connection: %v", err)
		}
	})
}

func TestCloseKillsSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		fx := newFixture(t, b, nil)
		c := fx.sftpClient(t)
		if _, err := c.Getwd(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- fx.srv.Close() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(time.Minute):
			t.Fatal("Close did not return")
		}
		if _, err := c.Getwd(); err == nil {
			t.Error("session still alive after Close")
		}
		if _, err := fx.sshClient(t); err == nil {
			t.Error("connection accepted after Close")
		}
	})
}

func TestShutdown(t *testing.T) {
	fx := newFixture(t, BackendInProcess, nil)
	c := fx.sftpClient(t)
	if _, err := c.Getwd(); err != nil {
		t.Fatal(err)
	}
	// A live session makes a short Shutdown give up and cut it.
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := fx.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a live session: %v", err)
	}
	if _, err := c.Getwd(); err == nil {
		t.Error("session alive after Shutdown gave up")
	}

	fx2 := newFixture(t, BackendInProcess, nil)
	c2 := fx2.sftpClient(t)
	if _, err := c2.Getwd(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- fx2.srv.Shutdown(t.Context()) }()
	// New connections are refused while draining; the open one is allowed to finish.
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := fx2.sshClient(t)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still open during Shutdown")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := c2.Getwd(); err != nil {
		t.Errorf("open session cut during graceful Shutdown: %v", err)
	}
	c2.Close()
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestListenDefaultsToLoopback(t *testing.T) {
	for _, addr := range []string{"", ":0"} {
		l, err := Listen(addr)
		if err != nil {
			t.Fatal(err)
		}
		ip := l.Addr().(*net.TCPAddr).IP
		l.Close()
		if !ip.IsLoopback() {
			t.Errorf("Listen(%q) on %v, want loopback", addr, ip)
		}
	}
}

func TestParseAuthorizedKeys(t *testing.T) {
	_, k1, _ := ed25519.GenerateKey(rand.Reader)
	s1, _ := ssh.NewSignerFromKey(k1)
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s1.PublicKey())))
	keys, err := ParseAuthorizedKeys([]byte("# comment\n\n" + line + " user@host\r\n  " + line + "\n"))
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0].Marshal(), s1.PublicKey().Marshal()) {
		t.Fatalf("keys %v, %v", keys, err)
	}
	if _, err := ParseAuthorizedKeys([]byte(line + "\nnot a key\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: %v", err)
	}
	if keys, err := ParseAuthorizedKeys(nil); err != nil || len(keys) != 0 {
		t.Errorf("empty: %v %v", keys, err)
	}
}

func FuzzParseAuthorizedKeys(f *testing.F) {
	_, k1, _ := ed25519.GenerateKey(rand.Reader)
	s1, _ := ssh.NewSignerFromKey(k1)
	f.Add(ssh.MarshalAuthorizedKey(s1.PublicKey()))
	f.Add([]byte("# c\n\nssh-ed25519 AAAA x\n"))
	f.Add([]byte(`command="x",no-pty ssh-rsa AAAAB3NzaC1yc2E= c`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseAuthorizedKeys(data)
		if err != nil && keys != nil {
			t.Fatal("keys returned with an error")
		}
		for _, k := range keys {
			if _, err := ssh.ParsePublicKey(k.Marshal()); err != nil {
				t.Fatalf("parsed key does not round-trip: %v", err)
			}
		}
	})
}
