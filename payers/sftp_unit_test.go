package payers

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/claimgate/claimgate/payers/sftpd"
	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestRetryableClassification(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		retry  bool
		result string
	}{
		{"nil", nil, false, ResultOK},
		{"auth", fmt.Errorf("%w: x", ErrAuth), false, ResultAuth},
		{"host key mismatch", fmt.Errorf("%w: x", ErrHostKeyMismatch), false, ResultHostKey},
		{"unknown host", &HostKeyError{}, false, ResultHostKey},
		{"config", fmt.Errorf("%w: x", ErrConfig), false, ResultError},
		{"exists", ErrRemoteExists, false, ResultError},
		{"too large", ErrTooLarge, false, ResultError},
		{"not exist", fmt.Errorf("open: %w", fs.ErrNotExist), false, ResultNotFound},
		{"permission", fs.ErrPermission, false, ResultError},
		{"sftp failure", &sftp.StatusError{Code: 4}, false, ResultError},
		{"sftp connection lost status", &sftp.StatusError{Code: 7}, true, ResultTransient},
		{"sftp connection lost", sftp.ErrSSHFxConnectionLost, true, ResultTransient},
		{"eof", io.EOF, true, ResultTransient},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true, ResultTransient},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true, ResultTransient},
		{"attempt timeout", fmt.Errorf("%w after 1s", ErrTimeout), true, ResultTransient},
		{"caller canceled", context.Canceled, false, ResultCanceled},
		{"closed client", ErrClientClosed, false, ResultError},
		{"unclassified", errors.New("something else"), false, ResultError},
		{"transport error retryable", &TransportError{Retryable: true, Err: io.EOF}, true, ResultTransient},
		{"transport error permanent", &TransportError{Retryable: false, Err: io.EOF}, false, ResultError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err != nil {
				if got := IsRetryable(tc.err); got != tc.retry {
					t.Errorf("IsRetryable = %v, want %v", got, tc.retry)
				}
			}
			if tc.name != "transport error permanent" {
				if got := resultOf(tc.err); got != tc.result {
					t.Errorf("resultOf = %q, want %q", got, tc.result)
				}
			}
		})
	}
}

func TestTransportErrorMessage(t *testing.T) {
	err := &TransportError{Op: "upload", Addr: "h:22", Path: "/in/a.837", Attempts: 3, Retryable: true, Err: io.EOF}
	if got, want := err.Error(), "sftp upload h:22 /in/a.837 (3 attempts): EOF"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, io.EOF) {
		t.Error("does not unwrap")
	}
}

func TestSFTPValidate(t *testing.T) {
	base := Payer{ID: "P1", Name: "P", Receiver: Receiver{ISAQualifier: "ZZ", ISAID: "P1", GSID: "P1"},
		Submit: "*/5 * * * *", Poll: "*/5 * * * *",
		SFTP: SFTP{Addr: "h:22", User: "u", KeyFile: "k", KnownHosts: "kh"}}
	tests := []struct {
		name   string
		mutate func(*SFTP)
		want   string // "" = valid
	}{
		{"valid key", func(*SFTP) {}, ""},
		{"valid passphrase env", func(s *SFTP) { s.KeyPassphraseEnv = "E" }, ""},
		{"both passwords", func(s *SFTP) { s.KeyFile = ""; s.PasswordFile = "f"; s.PasswordEnv = "E" }, "only one of password_file"},
		{"both passphrases", func(s *SFTP) { s.KeyPassphraseFile = "f"; s.KeyPassphraseEnv = "E" }, "only one of key_passphrase"},
		{"passphrase without key", func(s *SFTP) { s.KeyFile = ""; s.PasswordEnv = "E"; s.KeyPassphraseFile = "f" }, "sftp.key_file"},
		{"negative interval", func(s *SFTP) { s.RetryInterval = -1 }, "sftp.retry_interval"},
		{"no known_hosts", func(s *SFTP) { s.KnownHosts = "" }, "sftp.known_hosts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			tc.mutate(&p.SFTP)
			errs := p.Validate("payers[0]")
			if tc.want == "" {
				if len(errs) != 0 {
					t.Fatalf("errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
				t.Fatalf("errors %v, want one containing %q", errs, tc.want)
			}
		})
	}
}

func TestDialConfigErrors(t *testing.T) {
	dir := t.TempDir()
	key := writeTestKey(t, dir)
	good := SFTP{Addr: "127.0.0.1:1", User: "u", KeyFile: key, KnownHosts: dir + "/known_hosts"}
	tests := []struct {
		name   string
		mutate func(*SFTP)
		want   string
	}{
		{"no user", func(s *SFTP) { s.User = "" }, "user"},
		{"no port", func(s *SFTP) { s.Addr = "127.0.0.1" }, "host:port"},
		{"no known_hosts", func(s *SFTP) { s.KnownHosts = "" }, "known_hosts"},
		{"missing known_hosts", func(*SFTP) {}, "known_hosts"},
		{"no credentials", func(s *SFTP) { s.KeyFile = "" }, "no credentials"},
		{"missing key", func(s *SFTP) { s.KeyFile = dir + "/nope" }, "key_file"},
		{"not a key", func(s *SFTP) { s.KeyFile = dir + "/known_hosts" }, "key_file"},
		{"empty password file", func(s *SFTP) { s.KeyFile = ""; s.PasswordFile = dir + "/empty" }, "empty"},
		{"negative retries", func(s *SFTP) { s.Retries = -1 }, "negative"},
	}
	writeTestFile(t, dir+"/empty", "")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			if tc.name != "missing known_hosts" {
				writeTestFile(t, dir+"/known_hosts", "")
			}
			tc.mutate(&cfg)
			if tc.name == "missing known_hosts" {
				cfg.KnownHosts = dir + "/absent_known_hosts"
			}
			var obs observations
			c, err := Dial(t.Context(), cfg, DialOptions{Observer: obs.observe})
			if c != nil || !errors.Is(err, ErrConfig) || IsRetryable(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Dial: %v, want permanent ErrConfig mentioning %q", err, tc.want)
			}
			if obs.count("dial", ResultError) != 1 {
				t.Errorf("observations %v", obs.calls)
			}
		})
	}
}

func TestClosedClient(t *testing.T) {
	ts := newTestServer(t, sftpd.BackendInProcess)
	cfg := ts.sftpConfig()
	c := ts.dial(cfg, DialOptions{})
	c.Close()
	_, err := c.List(t.Context(), cfg.UploadDir)
	if !errors.Is(err, ErrClientClosed) || IsRetryable(err) {
		t.Fatalf("list on a closed client: %v", err)
	}
}

func writeTestFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkUploadDownload(b *testing.B) {
	for _, backend := range []sftpd.Backend{sftpd.BackendInProcess, sftpd.BackendOpenSSH} {
		b.Run(backend.String(), func(b *testing.B) {
			if backend == sftpd.BackendOpenSSH && sftpd.FindSFTPServer() == "" {
				b.Skip("OpenSSH sftp-server not installed")
			}
			ts := newTestServer(b, backend)
			cfg := ts.sftpConfig()
			c, err := Dial(b.Context(), cfg, DialOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			data := testData(1<<20, 1)
			b.SetBytes(int64(2 * len(data)))
			for i := 0; b.Loop(); i++ {
				name := fmt.Sprintf("bench-%d.837", i)
				if err := c.Upload(b.Context(), cfg.UploadDir, name, data); err != nil {
					b.Fatal(err)
				}
				if _, err := c.Download(b.Context(), cfg.UploadDir, name); err != nil {
					b.Fatal(err)
				}
				if err := c.Remove(b.Context(), cfg.UploadDir, name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestKnownHostsForms: hashed entries pin like plain ones; a key marked @revoked is refused
// as a mismatch even when it is also listed.
func TestKnownHostsForms(t *testing.T) {
	ts := newTestServer(t, sftpd.BackendInProcess)
	cfg := ts.sftpConfig()
	key := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ts.server().HostKey())))
	hashed := knownhosts.HashHostname(knownhosts.Normalize(ts.addr))
	cfg.KnownHosts = ts.writeSecret("known_hosts_hashed", []byte(hashed+" "+key+"\n"))
	ts.dial(cfg, DialOptions{})

	cfg.KnownHosts = ts.writeSecret("known_hosts_revoked",
		[]byte(ts.server().KnownHostsLine(ts.addr)+"\n@revoked * "+key+"\n"))
	_, err := Dial(t.Context(), cfg, DialOptions{})
	var hke *HostKeyError
	if !errors.Is(err, ErrHostKeyMismatch) || !errors.As(err, &hke) || !hke.Revoked || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("revoked key: %v", err)
	}
}

// TestPinnedKeyTypes: the server is asked for the pinned key's type; a server that has no key of
// that type is refused as a mismatch that still shows the key it does have.
func TestPinnedKeyTypes(t *testing.T) {
	ts := newTestServer(t, sftpd.BackendInProcess)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, err := ssh.NewPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rsaLine := knownhosts.Line([]string{ts.addr}, rsaPub)

	onlyRSA := ts.writeSecret("known_hosts_rsa", []byte(rsaLine+"\n"))
	hk, err := loadHostKeys(onlyRSA, ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}; !slices.Equal(hk.algorithms, want) {
		t.Errorf("algorithms = %v, want %v", hk.algorithms, want)
	}
	cfg := ts.sftpConfig()
	cfg.KnownHosts = onlyRSA
	_, err = Dial(t.Context(), cfg, DialOptions{})
	fp := ssh.FingerprintSHA256(ts.server().HostKey())
	if !errors.Is(err, ErrHostKeyMismatch) || !strings.Contains(err.Error(), fp) || IsRetryable(err) {
		t.Fatalf("server without a key of the pinned type: %v, want mismatch showing %s", err, fp)
	}

	// Both pinned: the ed25519 key the server has is used.
	cfg.KnownHosts = ts.writeSecret("known_hosts_both", []byte(rsaLine+"\n"+ts.server().KnownHostsLine(ts.addr)+"\n"))
	ts.dial(cfg, DialOptions{})

	empty := ts.writeSecret("known_hosts_empty", nil)
	if hk, err := loadHostKeys(empty, ts.addr); err != nil || len(hk.algorithms) != 0 {
		t.Errorf("empty known_hosts: %v, %v", hk, err)
	}
}
