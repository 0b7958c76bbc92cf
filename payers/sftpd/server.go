package sftpd

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ErrServerClosed is returned by [Server.Serve] after [Server.Close] or [Server.Shutdown].
var ErrServerClosed = errors.New("sftpd: server closed")

// Backend selects the SFTP implementation behind the SSH server.
type Backend int

const (
	// BackendInProcess serves SFTP with github.com/pkg/sftp, jailed in Config.Root.
	BackendInProcess Backend = iota
	// BackendOpenSSH runs OpenSSH's sftp-server binary per session, started in Config.Root.
	BackendOpenSSH
)

func (b Backend) String() string {
	switch b {
	case BackendInProcess:
		return "in-process"
	case BackendOpenSSH:
		return "openssh"
	default:
		return fmt.Sprintf("Backend(%d)", int(b))
	}
}

// User is an account that may log in.
type User struct {
	Name string
	// Password, when not empty, lets the user log in with it.
	Password string
	// AuthorizedKeys lets the user log in with any of these public keys.
	AuthorizedKeys []ssh.PublicKey
}

// Config configures a [Server].
type Config struct {
	// Root is the directory served. It must exist.
	Root string
	// StateDir holds the host key (see [HostKeyFile]); created if missing.
	StateDir string
	// Users who may log in. At least one is required.
	Users []User
	// Backend is the SFTP implementation; the zero value is BackendInProcess.
	Backend Backend
	// SFTPServerPath is OpenSSH's sftp-server binary for BackendOpenSSH; empty means
	// [FindSFTPServer].
	SFTPServerPath string
	// ReadOnly refuses every change (write, create, remove, rename, mkdir, setstat).
	ReadOnly bool
	// HandshakeTimeout bounds the SSH handshake and authentication; default 30s.
	HandshakeTimeout time.Duration
	// Logger receives connection events (user names, addresses, errors; never file content).
	// Nil discards them.
	Logger *slog.Logger
}

// SFTPServerPaths returns the places OpenSSH's sftp-server binary is looked for (Debian,
// then Red Hat layouts).
func SFTPServerPaths() []string {
	return []string{
		"/usr/lib/openssh/sftp-server",
		"/usr/lib/sftp-server",
		"/usr/libexec/openssh/sftp-server",
		"/usr/libexec/sftp-server",
	}
}

// FindSFTPServer returns the first of [SFTPServerPaths] that is an executable file, or "" when
// OpenSSH's sftp-server is not installed.
func FindSFTPServer() string {
	for _, p := range SFTPServerPaths() {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Faults are failures injected for tests. The zero value injects nothing. Byte counts are of the
// SFTP stream the client sends on one session (file data plus protocol framing).
type Faults struct {
	// ReadOnly refuses every change with "permission denied" (in-process: from the next
	// request; OpenSSH: sessions opened after the change).
	ReadOnly bool
	// RejectAuth refuses every authentication attempt.
	RejectAuth bool
	// DropAfterBytes, when > 0, cuts the whole SSH connection once a session has received
	// that many bytes from the client.
	DropAfterBytes int64
	// DropOnce clears DropAfterBytes after it has cut one connection.
	DropOnce bool
	// StallAfterBytes, when > 0, stops reading a session's input after that many bytes; the
	// session hangs until the client or the server closes the connection.
	StallAfterBytes int64
}

// Server is an SSH server offering only the sftp subsystem. It is safe for concurrent use.
type Server struct {
	cfg    Config
	signer ssh.Signer
	root   *os.Root // BackendInProcess
	binary string   // BackendOpenSSH
	log    *slog.Logger
	faults atomic.Pointer[Faults]

	mu        sync.Mutex
	closed    bool
	draining  bool // Shutdown in progress: no new connections
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	sessions  int // open session channels
	wg        sync.WaitGroup
	idle      chan struct{} // closed and replaced when sessions drops to 0; for Shutdown
}

// New validates cfg, loads or creates the host key and prepares the backend. It does not
// listen: call [Server.Serve].
func New(cfg Config) (*Server, error) {
	if cfg.Root == "" {
		return nil, errors.New("sftpd: Root is required")
	}
	abs, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("sftpd: root: %w", err)
	}
	cfg.Root = abs
	if fi, err := os.Stat(cfg.Root); err != nil {
		return nil, fmt.Errorf("sftpd: root: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("sftpd: root %s is not a directory", cfg.Root)
	}
	if len(cfg.Users) == 0 {
		return nil, errors.New("sftpd: at least one user is required")
	}
	seen := map[string]bool{}
	for i, u := range cfg.Users {
		if u.Name == "" {
			return nil, fmt.Errorf("sftpd: users[%d]: name is required", i)
		}
		if seen[u.Name] {
			return nil, fmt.Errorf("sftpd: users[%d]: duplicate name %q", i, u.Name)
		}
		seen[u.Name] = true
		if u.Password == "" && len(u.AuthorizedKeys) == 0 {
			return nil, fmt.Errorf("sftpd: user %q has neither a password nor an authorized key", u.Name)
		}
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = 30 * time.Second
	}
	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger,
		listeners: map[net.Listener]struct{}{},
		conns:     map[net.Conn]struct{}{},
		idle:      make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.faults.Store(&Faults{})
	switch cfg.Backend {
	case BackendInProcess:
		root, err := os.OpenRoot(cfg.Root)
		if err != nil {
			return nil, fmt.Errorf("sftpd: open root: %w", err)
		}
		s.root = root
	case BackendOpenSSH:
		s.binary = cfg.SFTPServerPath
		if s.binary == "" {
			s.binary = FindSFTPServer()
		}
		if s.binary == "" {
			return nil, fmt.Errorf("sftpd: OpenSSH sftp-server not found (looked in %s; install openssh-sftp-server)",
				strings.Join(SFTPServerPaths(), ", "))
		}
	default:
		return nil, fmt.Errorf("sftpd: unknown backend %v", cfg.Backend)
	}
	signer, err := loadOrCreateHostKey(cfg.StateDir)
	if err != nil {
		if s.root != nil {
			s.root.Close()
		}
		return nil, err
	}
	s.signer = signer
	return s, nil
}

// HostKey returns the server's public host key.
func (s *Server) HostKey() ssh.PublicKey { return s.signer.PublicKey() }

// KnownHostsLine returns the known_hosts line that pins this server's host key for addr
// (host:port; a port other than 22 gives a "[host]:port" entry).
func (s *Server) KnownHostsLine(addr string) string {
	return knownhosts.Line([]string{addr}, s.signer.PublicKey())
}

// Backend returns the SFTP implementation in use.
func (s *Server) Backend() Backend { return s.cfg.Backend }

// Root returns the absolute directory served.
func (s *Server) Root() string { return s.cfg.Root }

// RemotePath returns the path a client uses for rel (a slash-separated path relative to the
// served directory): "/"+rel for the in-process backend, whose "/" is Root, and the absolute
// local path under Root for OpenSSH's sftp-server, which does not chroot.
func (s *Server) RemotePath(rel string) string {
	rel = strings.TrimPrefix(filepath.ToSlash(rel), "/")
	if s.cfg.Backend == BackendOpenSSH {
		return filepath.ToSlash(filepath.Join(s.cfg.Root, filepath.FromSlash(rel)))
	}
	return "/" + rel
}

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f Faults) { s.faults.Store(&f) }

// Faults returns the injected faults in force.
func (s *Server) Faults() Faults { return *s.faults.Load() }

// Listen listens on TCP addr, defaulting to loopback: "" is 127.0.0.1 on a free port and an
// address without a host (":2222") is 127.0.0.1 on that port.
func Listen(addr string) (net.Listener, error) {
	switch {
	case addr == "":
		addr = "127.0.0.1:0"
	case strings.HasPrefix(addr, ":"):
		addr = "127.0.0.1" + addr
	}
	return net.Listen("tcp", addr)
}

// ListenAndServe listens on addr as [Listen] does and serves until the server is closed.
func (s *Server) ListenAndServe(addr string) error {
	l, err := Listen(addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l until the server is closed, then returns ErrServerClosed. It
// closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed || s.draining {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()

	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("sftpd: accept: %w", err)
		}
		backoff = 0
		if !s.track(nc) {
			nc.Close()
			return ErrServerClosed
		}
		go s.handleConn(nc)
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed || s.draining
}

// track registers a connection and its goroutine; false once the server is closed.
func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.draining {
		return false
	}
	s.conns[nc] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(nc net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, nc)
}

func (s *Server) sessionDone() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions--
	if s.sessions == 0 {
		close(s.idle)
		s.idle = make(chan struct{})
	}
}

// goTracked runs f in a goroutine counted by the server's wait group, unless it is closed.
func (s *Server) goTracked(f func()) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// Close stops accepting, cuts every connection (killing OpenSSH sftp-server processes) and
// waits for the server's goroutines to finish.
func (s *Server) Close() error {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	for nc := range s.conns {
		nc.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	if !already && s.root != nil {
		return s.root.Close()
	}
	return nil
}

// Shutdown stops accepting new connections and waits until every open session has ended, then
// closes the server (cutting connections that have no session left). When ctx is done first,
// the remaining connections are cut and ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.draining = true
	for l := range s.listeners {
		l.Close()
	}
	s.listeners = map[net.Listener]struct{}{}
	s.mu.Unlock()
	for {
		s.mu.Lock()
		n, idle := s.sessions, s.idle
		s.mu.Unlock()
		if n == 0 {
			return s.Close()
		}
		select {
		case <-idle:
		case <-ctx.Done():
			s.Close()
			return ctx.Err()
		}
	}
}

func (s *Server) sshConfig() *ssh.ServerConfig {
	cfg := &ssh.ServerConfig{
		ServerVersion: "SSH-2.0-claimgate-sftpd",
		MaxAuthTries:  6,
		PasswordCallback: func(meta ssh.ConnMetadata, password []byte) (*ssh.Permissions, error) {
			if s.faults.Load().RejectAuth {
				return nil, errors.New("authentication disabled")
			}
			for _, u := range s.cfg.Users {
				if u.Password != "" && u.Name == meta.User() &&
					subtle.ConstantTimeCompare([]byte(u.Password), password) == 1 {
					return nil, nil
				}
			}
			return nil, errors.New("wrong user or password")
		},
		PublicKeyCallback: func(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if s.faults.Load().RejectAuth {
				return nil, errors.New("authentication disabled")
			}
			blob := key.Marshal()
			for _, u := range s.cfg.Users {
				if u.Name != meta.User() {
					continue
				}
				for _, k := range u.AuthorizedKeys {
					if bytes.Equal(k.Marshal(), blob) {
						return nil, nil
					}
				}
			}
			return nil, errors.New("key not authorized")
		},
	}
	cfg.AddHostKey(s.signer)
	return cfg
}

func (s *Server) handleConn(nc net.Conn) {
	defer s.wg.Done()
	defer s.untrack(nc)
	defer nc.Close()

	nc.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	sconn, chans, reqs, err := ssh.NewServerConn(nc, s.sshConfig())
	if err != nil {
		s.log.Info("sftpd: handshake failed", "remote", nc.RemoteAddr().String(), "err", err)
		return
	}
	nc.SetDeadline(time.Time{})
	s.log.Debug("sftpd: login", "remote", nc.RemoteAddr().String(), "user", sconn.User())

	done := make(chan struct{}) // closed when the connection has ended
	defer close(done)
	go ssh.DiscardRequests(reqs)
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.UnknownChannelType, "only session channels are served")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			s.log.Info("sftpd: accept channel", "err", err)
			continue
		}
		sess := &session{srv: s, conn: sconn, ch: ch, done: done}
		s.mu.Lock()
		s.sessions++
		s.mu.Unlock()
		if !s.goTracked(func() { defer s.sessionDone(); sess.run(creqs) }) {
			s.sessionDone()
			ch.Close()
		}
	}
	s.log.Debug("sftpd: disconnect", "remote", nc.RemoteAddr().String(), "user", sconn.User())
}

type session struct {
	srv  *Server
	conn *ssh.ServerConn
	ch   ssh.Channel
	done <-chan struct{}
}

// run answers the session's requests: only "subsystem sftp" is accepted, once.
func (ss *session) run(reqs <-chan *ssh.Request) {
	started := false
	for req := range reqs {
		ok := false
		if req.Type == "subsystem" && !started {
			var p struct{ Name string }
			if err := ssh.Unmarshal(req.Payload, &p); err == nil && p.Name == "sftp" {
				ok = true
			}
		}
		if req.WantReply {
			req.Reply(ok, nil)
		}
		if ok {
			started = true
			if !ss.srv.goTracked(ss.serveSFTP) {
				ss.ch.Close()
			}
		}
	}
}

func (ss *session) serveSFTP() {
	in := &faultReader{r: ss.ch, srv: ss.srv, conn: ss.conn, done: ss.done}
	var err error
	switch ss.srv.cfg.Backend {
	case BackendOpenSSH:
		err = ss.srv.runOpenSSH(in, ss.ch, ss.done)
	default:
		err = ss.srv.runInProcess(in, ss.ch)
	}
	status := uint32(0)
	if err != nil && !errors.Is(err, io.EOF) {
		ss.srv.log.Info("sftpd: sftp session ended", "user", ss.conn.User(), "err", err)
		status = 1
	}
	ss.ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
	ss.ch.Close()
}

// faultReader is the session's input with the injected faults applied.
type faultReader struct {
	r    io.Reader
	srv  *Server
	conn ssh.Conn
	done <-chan struct{}
	n    int64
}

func (f *faultReader) Read(p []byte) (int, error) {
	ft := f.srv.faults.Load()
	if ft.StallAfterBytes > 0 {
		if f.n >= ft.StallAfterBytes {
			<-f.done
			return 0, io.EOF
		}
		p = p[:min(int64(len(p)), ft.StallAfterBytes-f.n)]
	}
	if ft.DropAfterBytes > 0 {
		if f.n >= ft.DropAfterBytes {
			if ft.DropOnce {
				cleared := *ft
				cleared.DropAfterBytes = 0
				f.srv.faults.CompareAndSwap(ft, &cleared)
			}
			f.srv.log.Info("sftpd: fault: dropping connection", "user", f.conn.User(), "after_bytes", f.n)
			f.conn.Close()
			return 0, io.ErrUnexpectedEOF
		}
		p = p[:min(int64(len(p)), ft.DropAfterBytes-f.n)]
	}
	n, err := f.r.Read(p)
	f.n += int64(n)
	return n, err
}

func (s *Server) readOnly() bool {
	return s.cfg.ReadOnly || s.faults.Load().ReadOnly
}

// ParseAuthorizedKeys parses an authorized_keys file (one OpenSSH public key per line; blank
// lines and # comments are skipped; options are ignored).
func ParseAuthorizedKeys(data []byte) ([]ssh.PublicKey, error) {
	var keys []ssh.PublicKey
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, _, _, _, err := ssh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("sftpd: authorized keys line %d: %w", i+1, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}
