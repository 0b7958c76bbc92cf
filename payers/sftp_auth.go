package payers

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// authMethods loads the credentials named by cfg: the private key (decrypted with its
// passphrase when one is configured) and the password, from files or the environment, never
// from the configuration itself. The key is offered first.
func authMethods(cfg SFTP, lookupEnv func(string) (string, bool)) ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if cfg.KeyFile != "" {
		signer, err := loadKey(cfg, lookupEnv)
		if err != nil {
			return nil, err
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	switch {
	case cfg.PasswordFile != "" && cfg.PasswordEnv != "":
		return nil, fmt.Errorf("%w: set only one of password_file and password_env", ErrConfig)
	case cfg.PasswordFile != "":
		pw, err := secretFromFile(cfg.PasswordFile, "password_file")
		if err != nil {
			return nil, err
		}
		methods = append(methods, ssh.Password(pw))
	case cfg.PasswordEnv != "":
		pw, err := secretFromEnv(cfg.PasswordEnv, "password_env", lookupEnv)
		if err != nil {
			return nil, err
		}
		methods = append(methods, ssh.Password(pw))
	}
	if len(methods) == 0 {
		return nil, fmt.Errorf("%w: no credentials: set key_file, password_file or password_env", ErrConfig)
	}
	return methods, nil
}

func loadKey(cfg SFTP, lookupEnv func(string) (string, bool)) (ssh.Signer, error) {
	pemBytes, err := os.ReadFile(cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("%w: key_file: %w", ErrConfig, err)
	}
	var passphrase string
	switch {
	case cfg.KeyPassphraseFile != "" && cfg.KeyPassphraseEnv != "":
		return nil, fmt.Errorf("%w: set only one of key_passphrase_file and key_passphrase_env", ErrConfig)
	case cfg.KeyPassphraseFile != "":
		if passphrase, err = secretFromFile(cfg.KeyPassphraseFile, "key_passphrase_file"); err != nil {
			return nil, err
		}
	case cfg.KeyPassphraseEnv != "":
		if passphrase, err = secretFromEnv(cfg.KeyPassphraseEnv, "key_passphrase_env", lookupEnv); err != nil {
			return nil, err
		}
	}
	var signer ssh.Signer
	if passphrase != "" {
		signer, err = ssh.ParsePrivateKeyWithPassphrase(pemBytes, []byte(passphrase))
	} else {
		signer, err = ssh.ParsePrivateKey(pemBytes)
	}
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, fmt.Errorf("%w: key_file %s is encrypted: set key_passphrase_file or key_passphrase_env", ErrConfig, cfg.KeyFile)
	case err != nil:
		// Never include the key or passphrase; the parser's message has neither.
		return nil, fmt.Errorf("%w: key_file %s: %w", ErrConfig, cfg.KeyFile, err)
	}
	return signer, nil
}

// secretFromFile reads a secret, dropping one trailing line break (files written by editors and
// `echo` end with one).
func secretFromFile(name, key string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrConfig, key, err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return "", fmt.Errorf("%w: %s %s is empty", ErrConfig, key, name)
	}
	return s, nil
}

func secretFromEnv(name, key string, lookupEnv func(string) (string, bool)) (string, error) {
	s, ok := lookupEnv(name)
	if !ok || s == "" {
		return "", fmt.Errorf("%w: %s: environment variable %s is unset or empty", ErrConfig, key, name)
	}
	return s, nil
}
