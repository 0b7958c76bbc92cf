package payers

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError is why a server's host key was refused. It unwraps to [ErrUnknownHost] when
// known_hosts pins no key for the address and to [ErrHostKeyMismatch] when it pins other keys
// (or lists the offered key as revoked). Its message carries the offered key's SHA256
// fingerprint and the known_hosts line that would pin it, for the operator to check with the
// payer out of band; claimgate never trusts a key on first use and has no insecure mode.
type HostKeyError struct {
	Addr       string                // host:port dialled
	KnownHosts string                // the known_hosts file consulted
	Offered    ssh.PublicKey         // the key the server presented
	Pinned     []knownhosts.KnownKey // keys pinned for Addr (empty: unknown host)
	Revoked    bool                  // the offered key is marked @revoked
}

// Fingerprint is the offered key's SHA256 fingerprint, as ssh-keygen -l prints it.
func (e *HostKeyError) Fingerprint() string { return ssh.FingerprintSHA256(e.Offered) }

// PinLine is the known_hosts line that pins the offered key for Addr.
func (e *HostKeyError) PinLine() string {
	return knownhosts.Line([]string{e.Addr}, e.Offered)
}

func (e *HostKeyError) Unwrap() error {
	if len(e.Pinned) == 0 && !e.Revoked {
		return ErrUnknownHost
	}
	return ErrHostKeyMismatch
}

func (e *HostKeyError) Error() string {
	offered := e.Offered.Type() + " " + e.Fingerprint()
	switch {
	case e.Revoked:
		return fmt.Sprintf("sftp: refusing %s: its host key %s is marked @revoked in %s",
			e.Addr, offered, e.KnownHosts)
	case len(e.Pinned) == 0:
		return fmt.Sprintf("sftp: refusing %s: its host key is not pinned in %s (unknown host). "+
			"The server offered %s. Confirm this fingerprint with the payer out of band, "+
			"then pin it by adding this line to %s: %s",
			e.Addr, e.KnownHosts, offered, e.KnownHosts, e.PinLine())
	default:
		pinned := make([]string, 0, len(e.Pinned))
		for _, k := range e.Pinned {
			pinned = append(pinned, fmt.Sprintf("%s %s (%s:%d)", k.Key.Type(), ssh.FingerprintSHA256(k.Key), k.Filename, k.Line))
		}
		return fmt.Sprintf("sftp: refusing %s: HOST KEY MISMATCH, possibly a man-in-the-middle attack. "+
			"The server offered %s but %s pins %s. If the payer confirms (out of band) that it "+
			"changed its key to this fingerprint, replace the pinned line with: %s",
			e.Addr, offered, e.KnownHosts, strings.Join(pinned, ", "), e.PinLine())
	}
}

// hostKeys checks server host keys against one known_hosts file.
type hostKeys struct {
	file     string
	addr     string
	callback ssh.HostKeyCallback
	// algorithms are the host key algorithms of the keys pinned for addr, so the server is
	// asked for the kind of key that is pinned rather than its preferred one. Empty when none
	// is pinned.
	algorithms []string
}

// loadHostKeys reads the known_hosts file for a connection to addr (host:port). Entries for a
// port other than 22 are written "[host]:port", as OpenSSH writes them; hashed entries work.
func loadHostKeys(file, addr string) (*hostKeys, error) {
	if file == "" {
		return nil, fmt.Errorf("%w: known_hosts is required (the server's host key must be pinned)", ErrConfig)
	}
	cb, err := knownhosts.New(file)
	if err != nil {
		return nil, fmt.Errorf("%w: known_hosts %s: %w", ErrConfig, file, err)
	}
	hk := &hostKeys{file: file, addr: addr, callback: cb}

	// Ask the database which keys it pins for addr by presenting a throw-away key: the
	// mismatch lists them.
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sftp: probe key: %w", err)
	}
	probe, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("sftp: probe key: %w", err)
	}
	var ke *knownhosts.KeyError
	if errors.As(cb(addr, probeAddr{}, probe), &ke) {
		seen := map[string]bool{}
		for _, k := range ke.Want {
			for _, algo := range algorithmsFor(k.Key.Type()) {
				if !seen[algo] {
					seen[algo] = true
					hk.algorithms = append(hk.algorithms, algo)
				}
			}
		}
	}
	return hk, nil
}

// algorithmsFor maps a key type to the host key signature algorithms that use it.
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// check verifies key for the dialled address; remote is the TCP peer.
func (h *hostKeys) check(remote net.Addr, key ssh.PublicKey) error {
	err := h.callback(h.addr, remote, key)
	if err == nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if errors.As(err, &ke) {
		return &HostKeyError{Addr: h.addr, KnownHosts: h.file, Offered: key, Pinned: ke.Want}
	}
	var re *knownhosts.RevokedError
	if errors.As(err, &re) {
		return &HostKeyError{Addr: h.addr, KnownHosts: h.file, Offered: key, Revoked: true}
	}
	return fmt.Errorf("%w: checking host key of %s against %s: %w", ErrHostKeyMismatch, h.addr, h.file, err)
}

// probeAddr is a placeholder peer address for the probe lookup (the dialled address is what
// is matched).
type probeAddr struct{}

func (probeAddr) Network() string { return "tcp" }
func (probeAddr) String() string  { return "0.0.0.0:0" }
