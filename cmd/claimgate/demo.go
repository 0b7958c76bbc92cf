package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/api"
	"github.com/claimgate/claimgate/payers"
	"github.com/claimgate/claimgate/payers/sim"
)

// `serve --demo` (what `make run` runs): the whole claim loop on one machine. serve starts the
// payer simulator in-process on loopback, configures the payer SIMPAYER pointing at it (unless
// the configuration defines payers), and creates a "demo" submitter whose token it prints.
// Nothing of this happens without --demo.

// Demo defaults.
const (
	defaultDemoDir     = "var"
	defaultDemoSimAddr = sim.DefaultAddr // 127.0.0.1:2222; a free port when it is taken
	defaultDemoDelay   = 3 * time.Second // 999 after 1x, 277CA after 2x, 835 after 3x
	defaultDemoSubmit  = "@every 5s"
	defaultDemoPoll    = "@every 3s"

	demoPayerID       = "SIMPAYER"
	demoPayerName     = "Simulated Health Plan"
	demoSFTPUser      = "claimgate"
	demoSubmitterName = "demo"
	demoTokenFile     = "demo-token"
	demoOperatorFile  = "operator-token" // the dashboard's operator token when CLAIMGATE_OPERATOR_TOKEN_FILE is unset
	demoSimDir        = "sim"
	// Submitter identity used when the configuration names none (ISA06/GS02, loop 1000A).
	demoSenderName  = "Claimgate Demo Clearinghouse"
	demoSenderID    = "CLAIMGATEDEMO"
	demoSenderEmail = "edi@claimgate.example"
)

// demoOptions is what `serve --demo` sets up; nil in the configuration means no demo.
type demoOptions struct {
	dir     string        // everything the demo keeps: DIR/sim (simulator), DIR/demo-token
	simAddr string        // where the simulator listens; a taken port falls back to a free one
	delay   time.Duration // the simulator's step: 999 after delay, 277CA after 2x, 835 after 3x
	submit  string        // SIMPAYER's submit schedule
	poll    string        // SIMPAYER's poll schedule
	out     io.Writer     // where the simulator's address and the token are printed (stdout)
}

// demoSetup is what startDemo started: the simulator to stop and what it printed.
type demoSetup struct {
	sim       *sim.Server
	simAddr   string
	token     string
	tokenFile string
	submitter string
	// operatorTokenFile is DIR/operator-token when the demo made (or reused) the operator token
	// because CLAIMGATE_OPERATOR_TOKEN_FILE was not set; "" otherwise.
	operatorTokenFile string
}

// checkDemo reports why the demo cannot run with cfg (it listens on loopback only).
func checkDemo(cfg *config) error {
	d := cfg.demo
	if err := requireLoopback(cfg.HTTP.Addr); err != nil {
		return fmt.Errorf("--demo: http.addr %w", err)
	}
	if err := requireLoopback(d.simAddr); err != nil {
		return fmt.Errorf("--demo-sim-addr %w", err)
	}
	if d.delay < 0 {
		return errors.New("--demo-delay must not be negative")
	}
	for flag, expr := range map[string]string{"--demo-submit": d.submit, "--demo-poll": d.poll} {
		if _, err := payers.ParseSchedule(expr); err != nil {
			return fmt.Errorf("%s: %q is not a cron expression: %w", flag, expr, err)
		}
	}
	return nil
}

// requireLoopback refuses an address that is not on the loopback interface: the demo prints a
// token and runs a payer that accepts a generated key, so it never listens on a network.
func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q must be host:port", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q: the demo listens on loopback only (127.0.0.1)", addr)
	}
	return nil
}

// startDemo starts the payer simulator, adds SIMPAYER (and a submitter identity) to cfg when it
// defines no payers, ensures the demo submitter and prints where everything is. Call it after
// the store is migrated and before the payers are used; close the returned simulator on exit.
func startDemo(ctx context.Context, cfg *config, store gateway.Store, logger *slog.Logger) (*demoSetup, error) {
	d := cfg.demo
	if err := checkDemo(cfg); err != nil {
		return nil, err
	}
	simDir, err := filepath.Abs(filepath.Join(d.dir, demoSimDir))
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	keyFile := filepath.Join(simDir, payerSimClientKey)
	pub, err := sim.EnsureClientKey(keyFile)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	srv, err := startDemoSim(ctx, d, simDir, pub, logger)
	if err != nil {
		return nil, err
	}
	setup := &demoSetup{sim: srv, simAddr: srv.Addr()}
	fail := func(err error) (*demoSetup, error) {
		_ = srv.Close()
		return nil, err
	}
	knownHosts := filepath.Join(simDir, "known_hosts")
	if err := srv.WriteKnownHosts(knownHosts); err != nil {
		return fail(fmt.Errorf("demo: %w", err))
	}

	ownPayer := len(cfg.Payers) == 0
	if ownPayer {
		p := payers.Payer{
			ID: demoPayerID, Name: demoPayerName, Usage: "T",
			Receiver: payers.Receiver{ISAQualifier: "ZZ", ISAID: demoPayerID, GSID: demoPayerID},
			SFTP:     srv.ClientSettings(demoSFTPUser, keyFile, "", knownHosts),
			Submit:   d.submit, Poll: d.poll,
		}
		if errs := p.Validate("demo payer"); len(errs) > 0 {
			return fail(fmt.Errorf("demo: %w", errors.Join(errs...)))
		}
		cfg.Payers = []payers.Payer{p}
		if cfg.Submitter.ID == "" {
			cfg.Submitter.ID, cfg.Submitter.Name = demoSenderID, firstSet(cfg.Submitter.Name, demoSenderName)
		}
		if cfg.Submitter.ContactEmail == "" && cfg.Submitter.ContactPhone == "" {
			cfg.Submitter.ContactEmail = demoSenderEmail // 1000A PER needs a phone or an email
		}
	}

	tokenFile := filepath.Join(d.dir, demoTokenFile)
	token, name, created, err := ensureDemoSubmitter(ctx, store, tokenFile)
	if err != nil {
		return fail(err)
	}
	setup.token, setup.tokenFile, setup.submitter = token, tokenFile, name

	w := d.out
	fmt.Fprintf(w, "claimgate demo: payer simulator on %s (files under %s)\n", setup.simAddr, shortPath(srv.LocalDir("")))
	if ownPayer {
		fmt.Fprintf(w, "claimgate demo: payer %s (%s) submits %q, polls %q; answers after %s, %s and %s\n",
			demoPayerID, demoPayerName, d.submit, d.poll, d.delay, 2*d.delay, 3*d.delay)
	} else {
		fmt.Fprintf(w, "claimgate demo: the configuration defines payers; point one at the simulator: "+
			"sftp addr %s, user %s, key_file %s, known_hosts %s\n", setup.simAddr, demoSFTPUser, keyFile, knownHosts)
	}
	if created {
		fmt.Fprintf(w, "claimgate demo: created submitter %q; its API token (saved in %s, mode 0600):\n%s\n", name, tokenFile, token)
	} else {
		fmt.Fprintf(w, "claimgate demo: submitter %q; its API token (from %s):\n%s\n", name, tokenFile, token)
	}
	if os.Getenv("CLAIMGATE_OPERATOR_TOKEN_FILE") == "" {
		opFile := filepath.Join(d.dir, demoOperatorFile)
		opToken, created, err := ensureDemoOperatorToken(opFile)
		if err != nil {
			return fail(err)
		}
		setup.operatorTokenFile = opFile
		verb := "from"
		if created {
			verb = "saved in"
		}
		fmt.Fprintf(w, "claimgate demo: dashboard on http://%s/ui/; sign in with the operator token (%s %s, mode 0600):\n%s\n",
			cfg.HTTP.Addr, verb, opFile, opToken)
	}
	logger.Info("demo mode", "sim_addr", setup.simAddr, "payer_id", demoPayerID, "own_payer", ownPayer,
		"submitter", name, "submitter_created", created)
	return setup, nil
}

// startDemoSim starts the simulator on d.simAddr, or on a free port of the same host when that
// port is taken.
func startDemoSim(ctx context.Context, d *demoOptions, dir string, pub ssh.PublicKey, logger *slog.Logger) (*sim.Server, error) {
	start := func(addr string) (*sim.Server, error) {
		srv, err := sim.New(sim.Config{
			Addr: addr, Dir: dir,
			Users:  []sim.User{{Name: demoSFTPUser, AuthorizedKeys: []ssh.PublicKey{pub}}},
			Delays: sim.Delays{Ack999: d.delay, Ack277: 2 * d.delay, Remit835: 3 * d.delay},
			Logger: logger.With("component", "payer-sim"),
		})
		if err != nil {
			return nil, fmt.Errorf("demo: payer simulator: %w", err)
		}
		if err := srv.Start(ctx); err != nil {
			_ = srv.Close()
			return nil, fmt.Errorf("demo: payer simulator: %w", err)
		}
		return srv, nil
	}
	srv, err := start(d.simAddr)
	if err == nil || !errors.Is(err, syscall.EADDRINUSE) {
		return srv, err
	}
	host, _, _ := net.SplitHostPort(d.simAddr)
	logger.Warn("demo: the payer simulator's port is taken; using a free port", "addr", d.simAddr)
	fmt.Fprintf(d.out, "claimgate demo: %s is taken; the payer simulator uses a free port\n", d.simAddr)
	return start(net.JoinHostPort(host, "0"))
}

// ensureDemoSubmitter returns the demo submitter's token: the one saved in tokenFile while it
// still authenticates, else a new submitter ("demo", or "demo-N" when that name is taken by a
// submitter whose token is lost) whose token is saved in tokenFile (mode 0600) first.
func ensureDemoSubmitter(ctx context.Context, store gateway.Store, tokenFile string) (token, name string, created bool, err error) {
	data, err := os.ReadFile(tokenFile)
	switch {
	case err == nil:
		token = strings.TrimSpace(string(data))
		s, err := store.SubmitterByTokenHash(ctx, gateway.HashToken(token))
		if err == nil {
			return token, s.Name, false, nil
		}
		if !errors.Is(err, gateway.ErrNotFound) {
			return "", "", false, fmt.Errorf("demo submitter: %w", err)
		}
		// A reset database, or a revoked submitter: make a new one.
	case !errors.Is(err, fs.ErrNotExist):
		return "", "", false, fmt.Errorf("demo token: %w", err)
	}

	token, hash := gateway.NewToken()
	if err := writeSecretFile(tokenFile, token+"\n"); err != nil {
		return "", "", false, fmt.Errorf("demo token: %w", err)
	}
	for i := 1; i <= 100; i++ {
		name = demoSubmitterName
		if i > 1 {
			name = fmt.Sprintf("%s-%d", demoSubmitterName, i)
		}
		_, err = store.CreateSubmitter(ctx, gateway.Submitter{Name: name, TokenHash: hash})
		if !errors.Is(err, gateway.ErrConflict) {
			break
		}
	}
	if err != nil {
		_ = os.Remove(tokenFile)
		return "", "", false, fmt.Errorf("demo submitter: %w", err)
	}
	return token, name, true, nil
}

// ensureDemoOperatorToken returns the operator token saved in path, creating it (mode 0600)
// when the file does not exist yet.
func ensureDemoOperatorToken(path string) (token string, created bool, err error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		token = strings.TrimSpace(string(data))
		if len(token) < api.MinOperatorTokenLen {
			return "", false, fmt.Errorf("demo operator token %s: shorter than %d characters; remove the file to get a new one", path, api.MinOperatorTokenLen)
		}
		return token, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, fmt.Errorf("demo operator token: %w", err)
	}
	token, _ = gateway.NewToken()
	if err := writeSecretFile(path, token+"\n"); err != nil {
		return "", false, fmt.Errorf("demo operator token: %w", err)
	}
	return token, true, nil
}

// shortPath is path relative to the working directory when it is below it, else path.
func shortPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return rel
	}
	return path
}

// writeSecretFile writes data to path with mode 0600 (its folder 0700 when created), through a
// temporary file renamed into place.
func writeSecretFile(path, data string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
