package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/claimgate/claimgate/payers/sim"
)

// payerSimClientKey is the client key payer-sim generates in --dir when no credentials are
// given, so that claimgate can log in at once.
const payerSimClientKey = "client_ed25519"

func runPayerSim(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "payer-sim", "--dir DIR [flags]", `
Run a simulated payer: an SFTP server on loopback that picks up the 837 files uploaded to
/inbound and answers each in /outbound with a 999, 277CAs and 835s, adjudicated by a scenario
file (see payers/sim's documentation and testdata/sim/scenarios.yaml; a built-in scenario when
none is given). Everything it keeps is in DIR: the host key (generated once), the served
folders, processed files and its counters, so a restart keeps the host key pinned by clients
and answers nothing twice.

Without --password-file or --authorized-keys, a client key is generated in DIR/`+payerSimClientKey+`
and authorized for the user. The address, the host key fingerprint and the known_hosts line
to pin it (also written to DIR/known_hosts) are printed at start. Runs until SIGINT or SIGTERM.`)
	listen := fs.String("listen", sim.DefaultAddr, "`address` to listen on (host:port; loopback unless a host is given)")
	dir := fs.String("dir", "", "`directory` holding the simulator's host key, folders and state (required)")
	scenarios := fs.String("scenarios", "", "scenario `file` (YAML); default: the built-in scenario")
	user := fs.String("user", "claimgate", "SFTP user `name`")
	passwordFile := fs.String("password-file", "", "`file` holding the user's password")
	authorizedKeys := fs.String("authorized-keys", "", "authorized_keys `file` with the user's public keys")
	delay999 := fs.Duration("delay-999", 0, "`delay` before the 999 (and TA1) appears")
	delay277 := fs.Duration("delay-277", 0, "`delay` before the 277CA appears")
	delay835 := fs.Duration("delay-835", 0, "`delay` before the 835 appears")
	poll := fs.Duration("poll", sim.DefaultPollInterval, "`interval` between scans of the inbound folder")
	pos, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return fs.fail(e, "unexpected argument %q", pos[0])
	}
	switch {
	case *dir == "":
		return fs.fail(e, "--dir is required")
	case *user == "":
		return fs.fail(e, "--user must not be empty")
	case *delay999 < 0 || *delay277 < 0 || *delay835 < 0:
		return fs.fail(e, "delays must not be negative")
	case *poll <= 0:
		return fs.fail(e, "--poll must be positive")
	}
	if _, _, err := net.SplitHostPort(*listen); err != nil {
		return fs.fail(e, "--listen: %q must be host:port", *listen)
	}

	u := sim.User{Name: *user, AuthorizedKeysFile: *authorizedKeys}
	credentials := ""
	if *passwordFile != "" {
		data, err := os.ReadFile(*passwordFile)
		if err != nil {
			reportError(e.stderr, fmt.Errorf("--password-file: %w", err))
			return exitFailure
		}
		u.Password = strings.TrimRight(string(data), "\r\n")
		if u.Password == "" {
			reportError(e.stderr, fmt.Errorf("--password-file %s is empty", *passwordFile))
			return exitFailure
		}
		credentials = "password from " + *passwordFile
	}
	if *authorizedKeys != "" {
		credentials = strings.TrimPrefix(credentials+", keys in "+*authorizedKeys, ", ")
	}
	if u.Password == "" && *authorizedKeys == "" {
		keyFile := filepath.Join(*dir, payerSimClientKey)
		pub, err := sim.EnsureClientKey(keyFile)
		if err != nil {
			reportError(e.stderr, err)
			return exitFailure
		}
		u.AuthorizedKeys = append(u.AuthorizedKeys, pub)
		abs, _ := filepath.Abs(keyFile)
		credentials = "private key " + abs
	}

	logFormat := e.global.logFormat
	if logFormat == "" {
		logFormat = "text"
	}
	logger := newLogger(e.stderr, logFormat, e.global.logLevel)
	srv, err := sim.New(sim.Config{
		Addr: *listen, Dir: *dir, Users: []sim.User{u}, ScenarioFile: *scenarios,
		Delays:       sim.Delays{Ack999: *delay999, Ack277: *delay277, Remit835: *delay835},
		PollInterval: *poll, Logger: logger,
	})
	if err != nil {
		reportError(e.stderr, err)
		return exitFailure
	}
	if err := srv.Start(ctx); err != nil {
		srv.Close()
		reportError(e.stderr, err)
		return exitFailure
	}
	knownHosts, _ := filepath.Abs(filepath.Join(*dir, "known_hosts"))
	if err := srv.WriteKnownHosts(knownHosts); err != nil {
		srv.Close()
		reportError(e.stderr, err)
		return exitFailure
	}
	scenario := *scenarios
	if scenario == "" {
		scenario = "built-in"
	}
	fmt.Fprintf(e.stdout, "payer simulator listening on %s\n", srv.Addr())
	fmt.Fprintf(e.stdout, "host key fingerprint: %s\n", srv.HostKeyFingerprint())
	fmt.Fprintf(e.stdout, "known_hosts line: %s\n", srv.KnownHostsLine())
	fmt.Fprintf(e.stdout, "known_hosts file: %s\n", knownHosts)
	fmt.Fprintf(e.stdout, "user: %s (%s)\n", *user, credentials)
	fmt.Fprintf(e.stdout, "upload 837s to %s; answers appear in %s\n", srv.RemoteDir(sim.InboundDir), srv.RemoteDir(sim.OutboundDir))
	fmt.Fprintf(e.stdout, "scenario: %s; delays: 999 %s, 277CA %s, 835 %s\n", scenario, *delay999, *delay277, *delay835)

	<-ctx.Done()
	logger.Info("payer simulator stopping")
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		if err != nil {
			reportError(e.stderr, err)
			return exitFailure
		}
	case <-time.After(10 * time.Second):
		reportError(e.stderr, fmt.Errorf("payer simulator did not stop within 10s"))
		return exitFailure
	}
	return exitOK
}
