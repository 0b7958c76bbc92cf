package sim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/claimgate/claimgate/payers"
	"github.com/claimgate/claimgate/payers/sftpd"
)

// Defaults.
const (
	DefaultAddr         = "127.0.0.1:2222"
	DefaultPollInterval = 250 * time.Millisecond
	// MaxInboundSize caps one inbound file; a bigger one is set aside unread.
	MaxInboundSize = 64 << 20
)

// Folders, relative to the served root (what SFTP clients see) and under Config.Dir.
const (
	// InboundDir is where submitters upload 837 files ("/inbound" over SFTP).
	InboundDir = "inbound"
	// OutboundDir is where the simulator puts its answers ("/outbound" over SFTP).
	OutboundDir = "outbound"
	// sftpRoot is the served directory under Config.Dir.
	sftpRoot = "sftp"
	// processedDir (under Config.Dir) keeps every inbound file processed, named by its hash.
	processedDir = "processed"
	// rejectedDir (under Config.Dir) keeps inbound files that are not readable X12.
	rejectedDir = "rejected"
	// pendingDir (under Config.Dir) holds answers waiting for their delay.
	pendingDir = "pending"
)

// Delays are how long after an 837 is picked up each answer appears in the outbound folder.
type Delays struct {
	Ack999   time.Duration // the 999 (and any TA1)
	Ack277   time.Duration // the 277CA
	Remit835 time.Duration // the 835
}

// User is an account of the simulator's SFTP server: a password, authorized keys, or both.
type User struct {
	Name     string
	Password string
	// AuthorizedKeysFile is an OpenSSH authorized_keys file read at New.
	AuthorizedKeysFile string
	// AuthorizedKeys are public keys given directly.
	AuthorizedKeys []ssh.PublicKey
}

// Config configures a Server.
type Config struct {
	// Addr is the TCP address to listen on; DefaultAddr (127.0.0.1:2222) when empty. Use
	// 127.0.0.1:0 for a free port (tests).
	Addr string
	// Dir holds everything the simulator keeps: the host key (DIR/ssh_host_ed25519_key,
	// generated once), the served folders (DIR/sftp/inbound, DIR/sftp/outbound), processed
	// and rejected inbound files, pending answers and DIR/state.json. Required.
	Dir string
	// Users who may log in; at least one.
	Users []User
	// Scenario is the payer's behaviour; when nil, ScenarioFile is loaded, and without one
	// DefaultScenario is used.
	Scenario     *Scenario
	ScenarioFile string
	// Delays before each answer appears; zero answers at once.
	Delays Delays
	// PollInterval is how often the inbound folder is scanned; DefaultPollInterval when zero.
	PollInterval time.Duration
	// Now is the clock (dates and control dates of the answers, delays); time.Now when nil.
	Now func() time.Time
	// Backend is the SFTP implementation (in-process pkg/sftp by default).
	Backend sftpd.Backend
	// Logger receives what the simulator does: file names, control numbers, counts; never
	// claim content. Nil discards.
	Logger *slog.Logger
}

// Server is the payer simulator: an SFTP server whose inbound folder it watches, answering
// each 837 with a 999, 277CAs and 835s in the outbound folder.
type Server struct {
	cfg  Config
	scen *Scenario
	log  *slog.Logger
	sftp *sftpd.Server

	mu     sync.Mutex
	ln     net.Listener
	cancel context.CancelFunc
	done   chan struct{}
	kick   chan struct{}
	closed bool

	// loop state, owned by the watcher goroutine (and by New before it starts)
	st   *state
	seen map[string]fileSig // inbound files seen at the last scan, for the stability check
	errs map[string]string  // last error per inbound file, so it is logged once
}

type fileSig struct {
	size int64
	mod  time.Time
}

// New checks cfg, loads the scenario and the state, creates the folders and the host key. It
// does not listen: call Start.
func New(cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		return nil, errors.New("sim: Dir is required")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("sim: dir: %w", err)
	}
	cfg.Dir = dir
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Delays.Ack999 < 0 || cfg.Delays.Ack277 < 0 || cfg.Delays.Remit835 < 0 {
		return nil, errors.New("sim: delays must not be negative")
	}
	scen := cfg.Scenario
	if scen == nil && cfg.ScenarioFile != "" {
		if scen, err = LoadScenario(cfg.ScenarioFile); err != nil {
			return nil, err
		}
	}
	if scen == nil {
		scen = DefaultScenario()
	} else if err := scen.normalize(); err != nil {
		return nil, fmt.Errorf("sim: scenario: %w", err)
	}
	users := make([]sftpd.User, 0, len(cfg.Users))
	for _, u := range cfg.Users {
		su := sftpd.User{Name: u.Name, Password: u.Password, AuthorizedKeys: append([]ssh.PublicKey(nil), u.AuthorizedKeys...)}
		if u.AuthorizedKeysFile != "" {
			data, err := os.ReadFile(u.AuthorizedKeysFile)
			if err != nil {
				return nil, fmt.Errorf("sim: user %q: %w", u.Name, err)
			}
			keys, err := sftpd.ParseAuthorizedKeys(data)
			if err != nil {
				return nil, fmt.Errorf("sim: user %q: %w", u.Name, err)
			}
			su.AuthorizedKeys = append(su.AuthorizedKeys, keys...)
		}
		users = append(users, su)
	}
	for _, d := range []string{
		cfg.Dir, filepath.Join(cfg.Dir, sftpRoot, InboundDir), filepath.Join(cfg.Dir, sftpRoot, OutboundDir),
		filepath.Join(cfg.Dir, processedDir), filepath.Join(cfg.Dir, rejectedDir), filepath.Join(cfg.Dir, pendingDir),
	} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv, err := sftpd.New(sftpd.Config{Root: filepath.Join(cfg.Dir, sftpRoot), StateDir: cfg.Dir, Users: users, Backend: cfg.Backend, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	st, err := loadState(cfg.Dir)
	if err != nil {
		srv.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, scen: scen, log: log, sftp: srv, st: st, seen: map[string]fileSig{}, errs: map[string]string{},
		kick: make(chan struct{}, 1)}
	if err := s.recoverPending(); err != nil {
		srv.Close()
		return nil, err
	}
	return s, nil
}

// Start listens on Config.Addr, serves SFTP and starts watching the inbound folder, until ctx
// is done or Close is called.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("sim: server closed")
	}
	if s.ln != nil {
		return errors.New("sim: already started")
	}
	ln, err := sftpd.Listen(s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("sim: listen: %w", err)
	}
	s.ln = ln
	go func() {
		if err := s.sftp.Serve(ln); err != nil && !errors.Is(err, sftpd.ErrServerClosed) {
			s.log.Error("sim: sftp server stopped", "err", err)
		}
	}()
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go s.watch(ctx)
	s.log.Info("payer simulator listening", "addr", ln.Addr().String(), "host_key", s.HostKeyFingerprint())
	return nil
}

// Close stops watching and serving. Answers still waiting for their delay stay in DIR/pending
// and are delivered after the next Start.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	cancel, done := s.cancel, s.done
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return s.sftp.Close()
}

// Addr returns the address the server listens on (host:port), or Config.Addr before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return s.ln.Addr().String()
	}
	return s.cfg.Addr
}

// HostKey returns the server's public host key.
func (s *Server) HostKey() ssh.PublicKey { return s.sftp.HostKey() }

// HostKeyFingerprint returns the host key's SHA256 fingerprint as OpenSSH prints it.
func (s *Server) HostKeyFingerprint() string { return ssh.FingerprintSHA256(s.sftp.HostKey()) }

// KnownHostsLine returns the known_hosts line that pins the host key for Addr, and for
// Config.Addr too when it names the host differently (e.g. localhost:2222).
func (s *Server) KnownHostsLine() string {
	addrs := []string{s.Addr()}
	if host, port, err := net.SplitHostPort(s.cfg.Addr); err == nil && host != "" && port != "0" && s.cfg.Addr != addrs[0] {
		addrs = append(addrs, s.cfg.Addr)
	}
	return knownhosts.Line(addrs, s.sftp.HostKey())
}

// WriteKnownHosts writes a known_hosts file holding KnownHostsLine (call it after Start, when
// the port is known).
func (s *Server) WriteKnownHosts(path string) error {
	return writeAtomic(path, []byte(s.KnownHostsLine()+"\n"), 0o644)
}

// RemoteDir returns the path an SFTP client uses for a folder of the server (InboundDir or
// OutboundDir).
func (s *Server) RemoteDir(name string) string { return s.sftp.RemotePath(name) }

// LocalDir returns the local path of a served folder (InboundDir or OutboundDir).
func (s *Server) LocalDir(name string) string { return filepath.Join(s.cfg.Dir, sftpRoot, name) }

// ClientSettings returns the payers.SFTP settings with which claimgate reaches this server as
// user: its address, the upload and download folders, and the given key or password file and
// known_hosts file (see EnsureClientKey and WriteKnownHosts). Call it after Start, when the
// address is known.
func (s *Server) ClientSettings(user, keyFile, passwordFile, knownHosts string) payers.SFTP {
	return payers.SFTP{Addr: s.Addr(), User: user, KeyFile: keyFile, PasswordFile: passwordFile, KnownHosts: knownHosts,
		UploadDir: s.RemoteDir(InboundDir), DownloadDir: s.RemoteDir(OutboundDir), AfterDownload: "delete"}
}

// EnsureClientKey returns the public half of the ed25519 client key kept in path (OpenSSH
// private key, mode 0600), generating it (and path.pub, an authorized_keys line) on first use.
// Give the key to a User's AuthorizedKeys and path to payers.SFTP.KeyFile.
func EnsureClientKey(path string) (ssh.PublicKey, error) {
	if data, err := os.ReadFile(path); err == nil {
		signer, err := ssh.ParsePrivateKey(data)
		if err != nil {
			return nil, fmt.Errorf("sim: client key %s: %w", path, err)
		}
		return signer.PublicKey(), nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("sim: client key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sim: client key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "claimgate payer-sim client")
	if err != nil {
		return nil, fmt.Errorf("sim: client key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sim: client key: %w", err)
	}
	if err := writeAtomic(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("sim: client key: %w", err)
	}
	if err := writeAtomic(path+".pub", ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o644); err != nil {
		return nil, err
	}
	return signer.PublicKey(), nil
}

// Poke asks the watcher to scan the inbound folder now instead of at its next tick.
func (s *Server) Poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *Server) watch(ctx context.Context) {
	defer close(s.done)
	// The SFTP server stops with the watcher, whether Close or the caller's context ends it.
	defer s.sftp.Close()
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		s.tick()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// tick delivers the answers that are due, then processes the inbound files that are complete.
func (s *Server) tick() {
	if err := s.deliver(); err != nil {
		s.log.Error("sim: delivering answers", "err", err)
	}
	inbound := s.LocalDir(InboundDir)
	entries, err := os.ReadDir(inbound)
	if err != nil {
		s.log.Error("sim: scanning inbound folder", "err", err)
		return
	}
	seen := map[string]fileSig{}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || skipName(name) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		sig := fileSig{size: fi.Size(), mod: fi.ModTime()}
		seen[name] = sig
		// A file is complete once it has not changed between two scans.
		if prev, ok := s.seen[name]; !ok || prev != sig {
			continue
		}
		if err := s.processFile(name); err != nil {
			if s.errs[name] != err.Error() {
				s.log.Error("sim: processing inbound file", "file", name, "err", err)
				s.errs[name] = err.Error()
			}
			continue
		}
		delete(s.errs, name)
		delete(seen, name)
	}
	s.seen = seen
	if err := s.deliver(); err != nil {
		s.log.Error("sim: delivering answers", "err", err)
	}
}

// skipName tells the names that are not finished uploads: dotfiles (payers.Client's
// temporary names), and the partial-file suffixes common SFTP clients use.
func skipName(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return true
	}
	lower := strings.ToLower(name)
	for _, suf := range []string{".part", ".partial", ".filepart", ".tmp", ".temp", ".upload", ".crdownload"} {
		if strings.HasSuffix(lower, suf) {
			return true
		}
	}
	return false
}

// processFile answers one inbound file, once: a file whose content was processed before
// (same bytes, whatever its name) is only moved away.
func (s *Server) processFile(name string) error {
	src := filepath.Join(s.LocalDir(InboundDir), name)
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	if fi.Size() > MaxInboundSize {
		return s.setAside(src, name, rejectedDir, "too large")
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	keep := filepath.Join(s.cfg.Dir, processedDir, hash[:16]+"_"+name)
	if prev, ok := s.st.Processed[hash]; ok {
		s.log.Info("sim: inbound file already processed; ignored", "file", name, "first_name", prev.Name, "sha256", hash)
		return moveOrRemove(src, keep)
	}
	now := s.cfg.Now().UTC()
	p := &processor{scen: s.scen, st: s.st, now: now, delays: s.cfg.Delays}
	// Work on a copy of the state: a failure leaves the counters and payments untouched.
	snapshot := cloneState(s.st)
	if err := p.run(name, data); err != nil {
		s.st = snapshot
		if errors.Is(err, ErrUnreadable) {
			s.log.Warn("sim: inbound file is not readable X12; set aside", "file", name, "err", err)
			return s.setAside(src, name, rejectedDir, "unreadable")
		}
		// The acknowledgments cannot be written for this content: answering it again would
		// fail again.
		s.log.Error("sim: inbound file cannot be acknowledged; set aside", "file", name, "problem", describe(err))
		return s.setAside(src, name, rejectedDir, "not acknowledged")
	}
	// Answers first (pending), then the state that lists them, then the inbound file moves:
	// a crash before the state is saved leaves orphan pending files, removed at the next start,
	// and the inbound file still there, processed again.
	for _, o := range p.out {
		if err := writeAtomic(filepath.Join(s.cfg.Dir, pendingDir, o.name), o.data, 0o644); err != nil {
			s.st = snapshot
			return err
		}
		s.st.Pending = append(s.st.Pending, pending{Name: o.name, Due: o.due})
	}
	s.st.Processed[hash] = processed{Name: name, At: now, Outputs: p.sum.Outputs}
	if err := s.st.save(s.cfg.Dir); err != nil {
		s.st = snapshot
		return err
	}
	if err := moveOrRemove(src, keep); err != nil {
		return err
	}
	sm := p.sum
	s.log.Info("sim: inbound file processed", "file", name, "sha256", hash, "interchanges", sm.InterchangeRefs,
		"sets_accepted", sm.SetsAccepted, "sets_rejected", sm.SetsRejected, "claims_accepted", sm.ClaimsAccepted,
		"claims_rejected", sm.ClaimsRejected, "claims_paid", sm.ClaimsPaid, "claims_denied", sm.ClaimsDenied,
		"reversals", sm.Reversals, "answers", sm.Outputs)
	for _, pr := range sm.Problems {
		// The writers' messages name segments, elements and control numbers, not claim content.
		s.log.Error("sim: answer not made", "file", name, "problem", pr)
	}
	return nil
}

// setAside moves an inbound file that cannot be answered to DIR/<folder>.
func (s *Server) setAside(src, name, folder, why string) error {
	dst := filepath.Join(s.cfg.Dir, folder, s.cfg.Now().UTC().Format("20060102T150405")+"_"+name)
	s.log.Warn("sim: inbound file set aside", "file", name, "reason", why, "folder", folder)
	return moveOrRemove(src, dst)
}

// moveOrRemove moves src to dst; when dst exists already (the same file processed before),
// src is removed.
func moveOrRemove(src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return os.Remove(src)
	}
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("sim: move inbound file: %w", err)
	}
	return nil
}

// deliver moves the answers that are due from DIR/pending to the outbound folder (a rename:
// clients never see a partial file), in due order.
func (s *Server) deliver() error {
	if len(s.st.Pending) == 0 {
		return nil
	}
	now := s.cfg.Now()
	sort.SliceStable(s.st.Pending, func(i, j int) bool { return s.st.Pending[i].Due.Before(s.st.Pending[j].Due) })
	var left []pending
	moved := 0
	for _, pd := range s.st.Pending {
		if pd.Due.After(now) {
			left = append(left, pd)
			continue
		}
		src := filepath.Join(s.cfg.Dir, pendingDir, pd.Name)
		dst := filepath.Join(s.LocalDir(OutboundDir), pd.Name)
		if err := os.Rename(src, dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sim: deliver %s: %w", pd.Name, err)
		}
		s.log.Info("sim: answer delivered", "file", pd.Name)
		moved++
	}
	if moved == 0 {
		return nil
	}
	s.st.Pending = left
	return s.st.save(s.cfg.Dir)
}

// recoverPending removes pending files the state does not list (written by a run that stopped
// before saving its state).
func (s *Server) recoverPending() error {
	listed := map[string]bool{}
	for _, pd := range s.st.Pending {
		listed[pd.Name] = true
	}
	entries, err := os.ReadDir(filepath.Join(s.cfg.Dir, pendingDir))
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			if err := os.Remove(filepath.Join(s.cfg.Dir, pendingDir, e.Name())); err != nil {
				return fmt.Errorf("sim: %w", err)
			}
		}
	}
	return nil
}
