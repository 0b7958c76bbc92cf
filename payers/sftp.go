package payers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// Defaults of the SFTP transport settings.
const (
	DefaultSFTPTimeout       = 30 * time.Second
	DefaultSFTPRetries       = 3
	DefaultSFTPRetryInterval = time.Second
	// DefaultMaxDownloadSize caps one downloaded file. Large 835s run to tens of megabytes.
	DefaultMaxDownloadSize int64 = 256 << 20
	// maxRetryInterval caps the doubling backoff.
	maxRetryInterval = 30 * time.Second
)

// DialOptions are the caller's hooks; the zero value is usable.
type DialOptions struct {
	// Observer, when set, is called once per operation (and once per connection attempt,
	// with op "dial") with the operation name, a Result* constant and the time it took
	// including retries. The gateway feeds claimgate_sftp_operations_total{payer,op,result}
	// from it. It must be safe for concurrent use and must not block.
	Observer func(op, result string, d time.Duration)
	// Logger receives retry and reconnect events (operation, address, attempt, error; never
	// file content or credentials). Nil discards them.
	Logger *slog.Logger
	// MaxDownloadSize caps Download; 0 means DefaultMaxDownloadSize.
	MaxDownloadSize int64
	// LookupEnv resolves password_env and key_passphrase_env; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)

	// disablePosixRename makes Upload and Move use plain SFTP rename even when the server
	// offers posix-rename@openssh.com (tests exercise that path against real servers).
	disablePosixRename bool
}

// RemoteFile is a regular file on the server.
type RemoteFile struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// Client is one payer's SFTP endpoint: an SSH connection, opened by [Dial], that operations
// reuse and that is re-opened when it breaks.
//
// Why a long-lived Client rather than a connection per operation: a poll run lists a folder
// and then downloads and removes or moves each file, and a connection per operation would pay
// an SSH handshake and authentication for each of them; payers' servers rate-limit and alert on
// logins. Jobs therefore Dial at the start of a run, do their operations and Close. Each
// operation still stands alone: it waits for its turn, (re)connects if the connection is gone,
// runs under its own timeout, and is retried with exponential backoff on transient failures
// (a failed attempt drops the connection so the next attempt starts clean). Authentication and
// host key failures are never retried. Every operation is safe to repeat: Upload writes a
// temporary name then renames, and recognises its own finished upload; Remove and Move treat
// "already done" as done.
//
// Operations on one Client run one at a time (the connection is closed when an operation's
// context ends, which must not break another caller's operation); use one Client per job.
type Client struct {
	cfg    SFTP
	opts   DialOptions
	auth   []ssh.AuthMethod
	log    *slog.Logger
	turn   chan struct{} // holds a token while an operation runs
	maxDL  int64
	jitter func(time.Duration) time.Duration

	mu     sync.Mutex
	conn   *sftpConn
	closed bool
}

// sftpConn is one live SSH connection and its SFTP session.
type sftpConn struct {
	ssh         *ssh.Client
	sftp        *sftp.Client
	posixRename bool
	closeOnce   sync.Once
}

func (c *sftpConn) close() {
	c.closeOnce.Do(func() {
		// The SSH connection first: sftp.Client.Close waits for the server to answer, which
		// a stalled server never does.
		c.ssh.Close()
		c.sftp.Close()
	})
}

// Dial checks cfg, loads its credentials and known_hosts, and connects (retrying transient
// failures as every operation does). The settings' zero values mean: Timeout 30s, Retries 3
// attempts, RetryInterval 1s doubled after each failure. The returned Client must be closed.
func Dial(ctx context.Context, cfg SFTP, opts DialOptions) (*Client, error) {
	c, err := newClient(cfg, opts)
	if err != nil {
		c.observe("dial", err, 0)
		return nil, &TransportError{Op: "dial", Addr: cfg.Addr, Attempts: 0, Err: err}
	}
	if err := c.do(ctx, "connect", "", func(context.Context, *sftpConn) error { return nil }); err != nil {
		return nil, err
	}
	return c, nil
}

func newClient(cfg SFTP, opts DialOptions) (*Client, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultSFTPTimeout
	}
	if cfg.Retries == 0 {
		cfg.Retries = DefaultSFTPRetries
	}
	if cfg.RetryInterval == 0 {
		cfg.RetryInterval = DefaultSFTPRetryInterval
	}
	c := &Client{cfg: cfg, opts: opts, log: opts.Logger, turn: make(chan struct{}, 1), maxDL: opts.MaxDownloadSize}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.maxDL <= 0 {
		c.maxDL = DefaultMaxDownloadSize
	}
	c.jitter = func(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }
	switch {
	case cfg.Timeout < 0 || cfg.Retries < 0 || cfg.RetryInterval < 0:
		return c, fmt.Errorf("%w: timeout, retries and retry_interval must not be negative", ErrConfig)
	case cfg.User == "":
		return c, fmt.Errorf("%w: user is missing", ErrConfig)
	case cfg.KnownHosts == "":
		return c, fmt.Errorf("%w: known_hosts is missing (the server's host key must be pinned)", ErrConfig)
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return c, fmt.Errorf("%w: addr %q must be host:port", ErrConfig, cfg.Addr)
	}
	lookup := opts.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	auth, err := authMethods(cfg, lookup)
	if err != nil {
		return c, err
	}
	c.auth = auth
	// Fail now, not at the first connection, when known_hosts is unreadable.
	if _, err := loadHostKeys(cfg.KnownHosts, cfg.Addr); err != nil {
		return c, err
	}
	return c, nil
}

// Close closes the connection. Operations after Close fail with ErrClientClosed.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.conn != nil {
		c.conn.close()
		c.conn = nil
	}
	return nil
}

func (c *Client) observe(op string, err error, d time.Duration) {
	if c.opts.Observer != nil {
		c.opts.Observer(op, resultOf(err), d)
	}
}

// do runs one operation: waits for its turn, then tries fn up to cfg.Retries times with
// exponential backoff while the failures are retryable.
func (c *Client) do(ctx context.Context, op, target string, fn func(context.Context, *sftpConn) error) error {
	start := time.Now()
	attempts := 0
	err := func() error {
		select {
		case c.turn <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-c.turn }()
		wait := c.cfg.RetryInterval
		staleRetried := false
		for {
			attempts++
			reused, err := c.attempt(ctx, fn)
			if err != nil && reused && !staleRetried && connectionError(err) && ctx.Err() == nil {
				// The kept connection had died while idle (server idle timeout, restart):
				// that is not a failed attempt. Reconnect once at once.
				staleRetried = true
				attempts--
				c.log.Info("sftp: reconnecting after a stale connection", "op", op, "addr", c.cfg.Addr, "err", err)
				continue
			}
			if err == nil || !retryable(err) || attempts >= c.cfg.Retries || ctx.Err() != nil {
				return err
			}
			d := c.jitter(wait)
			c.log.Warn("sftp: retrying", "op", op, "addr", c.cfg.Addr, "attempt", attempts, "backoff", d, "err", err)
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("%w (after: %w)", ctx.Err(), err)
			}
			wait = min(2*wait, maxRetryInterval)
		}
	}()
	if op != "connect" {
		c.observe(op, err, time.Since(start))
	}
	if err != nil {
		if op == "connect" {
			op = "dial"
		}
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		// A caller's cancellation is not a failure to retry; everything else is classified.
		return &TransportError{Op: op, Addr: c.cfg.Addr, Path: target, Attempts: attempts,
			Retryable: retryable(err) && !errors.Is(ctx.Err(), context.Canceled), Err: err}
	}
	return nil
}

// attempt runs fn once on a live connection, connecting first if needed, and reports whether
// the connection was one kept from an earlier operation. fn runs under the per-operation
// timeout; when that or ctx ends, the connection is closed so that fn returns.
func (c *Client) attempt(ctx context.Context, fn func(context.Context, *sftpConn) error) (reused bool, err error) {
	cn, reused, err := c.connection(ctx)
	if err != nil {
		return false, err
	}
	return reused, c.run(ctx, cn, fn)
}

func (c *Client) run(ctx context.Context, cn *sftpConn, fn func(context.Context, *sftpConn) error) error {
	opCtx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	stop := context.AfterFunc(opCtx, cn.close)
	err := fn(opCtx, cn)
	if !stop() {
		// The connection was closed under fn.
		c.dropConn(cn)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("%w (interrupted: %w)", ctx.Err(), err)
		default:
			return fmt.Errorf("%w after %s (%w)", ErrTimeout, c.cfg.Timeout, err)
		}
	}
	if err != nil && connectionError(err) {
		c.dropConn(cn)
	}
	return err
}

func (c *Client) dropConn(cn *sftpConn) {
	cn.close()
	c.mu.Lock()
	if c.conn == cn {
		c.conn = nil
	}
	c.mu.Unlock()
}

// connection returns the kept connection (reused true) or opens one.
func (c *Client) connection(ctx context.Context) (cn *sftpConn, reused bool, err error) {
	c.mu.Lock()
	closed, cn := c.closed, c.conn
	c.mu.Unlock()
	if closed {
		return nil, false, ErrClientClosed
	}
	if cn != nil {
		return cn, true, nil
	}
	start := time.Now()
	cn, err = c.connect(ctx, true)
	c.observe("dial", err, time.Since(start))
	if err != nil {
		c.log.Info("sftp: connect failed", "addr", c.cfg.Addr, "err", err)
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		cn.close()
		return nil, false, ErrClientClosed
	}
	c.conn = cn
	return cn, false, nil
}

// connect dials, verifies the host key, authenticates and starts the SFTP session, all within
// the per-operation timeout. With pinnedTypes, the server is asked for a host key of the types
// pinned in known_hosts.
func (c *Client) connect(ctx context.Context, pinnedTypes bool) (*sftpConn, error) {
	hk, err := loadHostKeys(c.cfg.KnownHosts, c.cfg.Addr)
	if err != nil {
		return nil, err
	}
	if !pinnedTypes {
		hk.algorithms = nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	var hostKeyErr error
	hostKeyOK := false
	config := &ssh.ClientConfig{
		User: c.cfg.User,
		Auth: c.auth,
		HostKeyCallback: func(_ string, remote net.Addr, key ssh.PublicKey) error {
			hostKeyErr = hk.check(remote, key)
			hostKeyOK = hostKeyErr == nil
			return hostKeyErr
		},
		HostKeyAlgorithms: hk.algorithms,
		ClientVersion:     "SSH-2.0-claimgate",
		Timeout:           c.cfg.Timeout,
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", c.cfg.Addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, c.ctxErr(ctx, err)
		}
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	sc, chans, reqs, err := ssh.NewClientConn(nc, c.cfg.Addr, config)
	if err != nil {
		stop()
		nc.Close()
		var negotiation *ssh.AlgorithmNegotiationError
		switch {
		case hostKeyErr != nil:
			return nil, hostKeyErr
		case ctx.Err() != nil:
			return nil, c.ctxErr(ctx, err)
		case errors.Is(err, os.ErrDeadlineExceeded):
			// The connection deadline (the attempt's timeout) fired just before ctx's timer.
			return nil, fmt.Errorf("%w after %s (%w)", ErrTimeout, c.cfg.Timeout, err)
		case hostKeyOK && strings.Contains(err.Error(), "unable to authenticate"):
			return nil, fmt.Errorf("%w: %s refused user %q (%s)", ErrAuth, c.cfg.Addr, c.cfg.User, err)
		case errors.As(err, &negotiation) && negotiation.What == "host key" && len(hk.algorithms) > 0:
			// The server has no key of a pinned type: it changed its key (or is not who it
			// claims). Connect again accepting any type, to refuse its key with a proper
			// mismatch error that shows the fingerprint.
			return c.connect(ctx, false)
		case errors.As(err, &negotiation):
			return nil, fmt.Errorf("%w: %s: %w", ErrConfig, c.cfg.Addr, err)
		}
		return nil, err
	}
	client := ssh.NewClient(sc, chans, reqs)
	sc2, err := sftp.NewClient(client, sftp.UseConcurrentWrites(true))
	if !stop() {
		client.Close() // first: sftp's Close waits for an answer
		if err == nil {
			sc2.Close()
		}
		return nil, c.ctxErr(ctx, err)
	}
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("start sftp subsystem: %w", err)
	}
	nc.SetDeadline(time.Time{})
	_, posix := sc2.HasExtension("posix-rename@openssh.com")
	return &sftpConn{ssh: client, sftp: sc2, posixRename: posix && !c.opts.disablePosixRename}, nil
}

// ctxErr reports why ctx ended: the caller's cancellation, or the attempt's timeout (which is
// retryable).
func (c *Client) ctxErr(ctx context.Context, cause error) error {
	if cause == nil {
		cause = ctx.Err()
	}
	if errors.Is(context.Cause(ctx), context.DeadlineExceeded) && ctx.Err() != nil {
		// Our own timeout or the caller's deadline; the retry loop tells them apart by
		// checking the caller's context.
		return fmt.Errorf("%w after %s (%w)", ErrTimeout, c.cfg.Timeout, cause)
	}
	return fmt.Errorf("%w (%w)", ctx.Err(), cause)
}

// remotePath joins dir and a plain file name, refusing names that are not one path element.
func remotePath(dir, name string) (string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return "", fmt.Errorf("%w: %q is not a plain file name", ErrConfig, name)
	}
	if dir == "" {
		return name, nil
	}
	return path.Join(dir, name), nil
}

// TempName is the name Upload writes before renaming to name. It starts with a dot so that
// List (ours and most payers' pickers) skips it.
func TempName(name string) string { return "." + name + ".part" }

// Upload stores data as dir/name atomically: it writes dir/.name.part, checks its size, then
// renames it to name (posix-rename@openssh.com when the server offers it, plain rename
// otherwise), so the payer never sees a partial file under the final name. If name already
// exists with exactly data, Upload succeeds without writing (an earlier attempt finished but
// its answer was lost); if it exists with other content, Upload fails with ErrRemoteExists.
// A payer that removes files as soon as they appear can not be told apart from a lost upload:
// an interrupted Upload retried after the payer took the file sends it again, which the ISA
// control number makes detectable on their side.
func (c *Client) Upload(ctx context.Context, dir, name string, data []byte) error {
	final, err := remotePath(dir, name)
	if err != nil {
		return &TransportError{Op: "upload", Addr: c.cfg.Addr, Path: name, Err: err}
	}
	tmp, _ := remotePath(dir, TempName(name))
	return c.do(ctx, "upload", final, func(ctx context.Context, cn *sftpConn) error {
		same, err := sameContent(cn, final, data)
		if err != nil {
			return err
		}
		if same {
			removeIfExists(cn, tmp)
			return nil
		}
		if err := writeFile(cn, tmp, data); err != nil {
			return err
		}
		if cn.posixRename {
			err = cn.sftp.PosixRename(tmp, final)
		} else {
			err = cn.sftp.Rename(tmp, final)
		}
		if err != nil && !connectionError(err) {
			// Plain rename refuses an existing target: maybe a concurrent upload of the same
			// bytes got there first.
			if same, serr := sameContent(cn, final, data); serr == nil && same {
				removeIfExists(cn, tmp)
				return nil
			}
		}
		return err
	})
}

// sameContent reports whether p exists with exactly data. It fails with ErrRemoteExists when
// p exists with other content.
func sameContent(cn *sftpConn, p string, data []byte) (bool, error) {
	fi, err := cn.sftp.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case !fi.Mode().IsRegular():
		return false, fmt.Errorf("%w: %s", ErrNotRegular, p)
	case fi.Size() != int64(len(data)):
		return false, fmt.Errorf("%w: %s has %d bytes, the upload %d", ErrRemoteExists, p, fi.Size(), len(data))
	}
	got, err := readFile(cn, p, int64(len(data)))
	if err != nil {
		return false, err
	}
	if !bytes.Equal(got, data) {
		return false, fmt.Errorf("%w: %s has the same size as the upload but other bytes", ErrRemoteExists, p)
	}
	return true, nil
}

func writeFile(cn *sftpConn, p string, data []byte) error {
	f, err := cn.sftp.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return err
	}
	n, err := f.ReadFrom(bytes.NewReader(data))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n != int64(len(data)) {
		return fmt.Errorf("wrote %d of %d bytes to %s", n, len(data), p)
	}
	fi, err := cn.sftp.Stat(p)
	if err != nil {
		return err
	}
	if fi.Size() != int64(len(data)) {
		return fmt.Errorf("%s has %d bytes after writing %d", p, fi.Size(), len(data))
	}
	return nil
}

func readFile(cn *sftpConn, p string, limit int64) ([]byte, error) {
	f, err := cn.sftp.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s", ErrNotRegular, p)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%w: %s has %d bytes, the cap is %d", ErrTooLarge, p, fi.Size(), limit)
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()))
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("%w: %s grew past the cap of %d bytes while reading", ErrTooLarge, p, limit)
	}
	return buf.Bytes(), nil
}

// removeIfExists removes a left-over temporary file, best effort.
func removeIfExists(cn *sftpConn, p string) {
	_ = cn.sftp.Remove(p)
}

// Stat reports whether dir/name exists as a regular file and its size.
func (c *Client) Stat(ctx context.Context, dir, name string) (size int64, ok bool, err error) {
	p, err := remotePath(dir, name)
	if err != nil {
		return 0, false, &TransportError{Op: "stat", Addr: c.cfg.Addr, Path: name, Err: err}
	}
	err = c.do(ctx, "stat", p, func(ctx context.Context, cn *sftpConn) error {
		fi, err := cn.sftp.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			size, ok = 0, false
			return nil
		case err != nil:
			return err
		case !fi.Mode().IsRegular():
			return fmt.Errorf("%w: %s", ErrNotRegular, p)
		}
		size, ok = fi.Size(), true
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return size, ok, nil
}

// List returns the regular files in dir sorted by name, without dotfiles (which include
// Upload's temporary names).
func (c *Client) List(ctx context.Context, dir string) ([]RemoteFile, error) {
	var files []RemoteFile
	err := c.do(ctx, "list", dir, func(ctx context.Context, cn *sftpConn) error {
		infos, err := cn.sftp.ReadDirContext(ctx, dir)
		if err != nil {
			return err
		}
		files = files[:0]
		for _, fi := range infos {
			if !fi.Mode().IsRegular() || strings.HasPrefix(fi.Name(), ".") {
				continue
			}
			files = append(files, RemoteFile{Name: fi.Name(), Size: fi.Size(), ModTime: fi.ModTime().UTC()})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// Download returns the content of dir/name. A missing file fails with an error matching
// fs.ErrNotExist; a file bigger than the cap (DialOptions.MaxDownloadSize) with ErrTooLarge.
func (c *Client) Download(ctx context.Context, dir, name string) ([]byte, error) {
	p, err := remotePath(dir, name)
	if err != nil {
		return nil, &TransportError{Op: "download", Addr: c.cfg.Addr, Path: name, Err: err}
	}
	var data []byte
	err = c.do(ctx, "download", p, func(ctx context.Context, cn *sftpConn) error {
		b, rerr := readFile(cn, p, c.maxDL)
		data = b
		return rerr
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// Remove deletes the regular file dir/name. A file that is already gone is not an error (a
// retried Remove whose first answer was lost finds nothing).
func (c *Client) Remove(ctx context.Context, dir, name string) error {
	p, err := remotePath(dir, name)
	if err != nil {
		return &TransportError{Op: "remove", Addr: c.cfg.Addr, Path: name, Err: err}
	}
	return c.do(ctx, "remove", p, func(ctx context.Context, cn *sftpConn) error {
		fi, err := cn.sftp.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return err
		case fi.IsDir():
			return fmt.Errorf("%w: %s is a directory", ErrNotRegular, p)
		}
		if err := cn.sftp.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
}

// Move renames dir/name to toDir/name (e.g. to an archive folder after download). When the
// server offers posix-rename an existing toDir/name is replaced; with plain rename it fails. A
// source that is gone while the target exists counts as moved (a retried Move).
func (c *Client) Move(ctx context.Context, dir, name, toDir string) error {
	from, err := remotePath(dir, name)
	if err != nil {
		return &TransportError{Op: "move", Addr: c.cfg.Addr, Path: name, Err: err}
	}
	to, _ := remotePath(toDir, name)
	return c.do(ctx, "move", from, func(ctx context.Context, cn *sftpConn) error {
		var err error
		if cn.posixRename {
			err = cn.sftp.PosixRename(from, to)
		} else {
			err = cn.sftp.Rename(from, to)
		}
		if err == nil || connectionError(err) {
			return err
		}
		if _, serr := cn.sftp.Lstat(from); errors.Is(serr, fs.ErrNotExist) {
			if _, terr := cn.sftp.Stat(to); terr == nil {
				return nil
			}
		} else if !cn.posixRename {
			if _, terr := cn.sftp.Lstat(to); terr == nil {
				return fmt.Errorf("%w: %s (the server has no posix-rename to replace it): %w", ErrRemoteExists, to, err)
			}
		}
		return fmt.Errorf("move to %s: %w", to, err)
	})
}
