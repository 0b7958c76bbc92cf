package sftpd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
)

// HostKeyFile is the name of the host key file inside Config.StateDir.
const HostKeyFile = "ssh_host_ed25519_key"

// loadOrCreateHostKey returns the ed25519 host key kept in dir, generating and persisting it
// when the file does not exist yet. The file is written under a temporary name and then linked
// into place, so a crash never leaves a truncated key and two servers starting at once agree on
// one key.
func loadOrCreateHostKey(dir string) (ssh.Signer, error) {
	if dir == "" {
		return nil, errors.New("sftpd: StateDir is required (the host key is kept there)")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sftpd: create state dir: %w", err)
	}
	name := filepath.Join(dir, HostKeyFile)
	signer, err := readHostKey(name)
	if err == nil {
		return signer, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}

	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sftpd: generate host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "claimgate-sftpd host key")
	if err != nil {
		return nil, fmt.Errorf("sftpd: encode host key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+HostKeyFile+".*")
	if err != nil {
		return nil, fmt.Errorf("sftpd: write host key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("sftpd: write host key: %w", err)
	}
	if _, err := tmp.Write(pem.EncodeToMemory(block)); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("sftpd: write host key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("sftpd: write host key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("sftpd: write host key: %w", err)
	}
	// Link does not replace: if another process created the key meanwhile, use theirs.
	if err := os.Link(tmp.Name(), name); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("sftpd: install host key: %w", err)
	}
	return readHostKey(name)
}

func readHostKey(name string) (ssh.Signer, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("sftpd: read host key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("sftpd: parse host key %s: %w", name, err)
	}
	if signer.PublicKey().Type() != ssh.KeyAlgoED25519 {
		return nil, fmt.Errorf("sftpd: host key %s is %s, want %s", name, signer.PublicKey().Type(), ssh.KeyAlgoED25519)
	}
	return signer, nil
}
