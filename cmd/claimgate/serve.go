package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/claimgate/claimgate/gateway/jobs"
)

// jobsStopMargin is how much longer than jobs.shutdown_timeout serve waits for the job runner
// to cancel its handlers and hand back its leases.
const jobsStopMargin = 20 * time.Second

func runServe(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "serve", "[flags]", `
Run the claimgate daemon: apply pending database migrations, start the background job runner and
serve HTTP (/healthz, /readyz, /metrics and the API). SIGINT or SIGTERM stops it gracefully:
in-flight requests are drained (http.shutdown_timeout), running jobs hand back their leases, and
the database is closed.

With no configuration file and no $CLAIMGATE_DATABASE_URL it uses the embedded SQLite database
var/claimgate.db and listens on 127.0.0.1:8080.`)
	addr := fs.String("addr", "", "listen `address` host:port (overrides http.addr and $CLAIMGATE_HTTP_ADDR)")
	pos, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return fs.fail(e, "unexpected argument %q", pos[0])
	}
	if *addr != "" {
		if err := checkListenAddr(*addr); err != nil {
			return fs.fail(e, "--addr: %v", err)
		}
	}
	cfg, err := loadConfig(e.global, e.getenv)
	if err != nil {
		reportError(e.stderr, err)
		return exitFailure
	}
	if *addr != "" {
		cfg.HTTP.Addr = *addr
	}
	logger := newLogger(e.stderr, cfg.Log.Format, cfg.Log.Level)
	if err := serve(ctx, cfg, logger); err != nil {
		reportError(e.stderr, err)
		return exitFailure
	}
	return exitOK
}

// serve runs the daemon until ctx is cancelled, then shuts down gracefully. It returns nil after
// a clean shutdown, or the error that stopped it.
func serve(ctx context.Context, cfg *config, logger *slog.Logger) error {
	bi := currentBuildInfo()
	target, err := parseDatabaseURL(cfg.Database.URL)
	if err != nil {
		return fmt.Errorf("database.url: %w", err)
	}
	source := cfg.source
	if source == "" {
		source = "none (defaults and environment)"
	}
	logger.Info("starting", "version", bi.Version, "commit", bi.Commit, "go", bi.GoVersion,
		"config", source, "database", target.String(), "payers", len(cfg.Payers))

	store, err := openStore(ctx, target)
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			logger.Warn("closing the database", "err", err)
		}
	}()
	version, err := migrateStore(ctx, store, target)
	if err != nil {
		return err
	}
	logger.Info("database ready", "database", target.String(), "schema_version", version)

	m := newMetrics(bi)
	runner := jobs.New(store, jobs.Config{
		Workers:         cfg.Jobs.Workers,
		Lease:           cfg.Jobs.Lease,
		PollInterval:    cfg.Jobs.PollInterval,
		ShutdownTimeout: cfg.Jobs.ShutdownTimeout,
		Logger:          logger,
		Registerer:      m.registry,
		Now:             time.Now,
	})
	// Background job kinds: each feature adds its kind and handler here (batch submission,
	// polling, ingest, webhook delivery).
	jobHandlers := map[string]jobs.Handler{}
	for kind, h := range jobHandlers {
		runner.Register(kind, h)
	}

	handler := newHTTPHandler(httpDeps{
		logger:       logger,
		metrics:      m,
		ready:        store,
		maxBodyBytes: cfg.HTTP.MaxBodyBytes,
		// mountAPI: the /v1 API (gateway/api), /fhir and the dashboard are mounted by setting
		// this field to a func(*http.ServeMux) that registers their routes.
	})
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("http.addr %s: cannot listen: %w", cfg.HTTP.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout,
		ReadTimeout:       cfg.HTTP.ReadTimeout,
		WriteTimeout:      cfg.HTTP.WriteTimeout,
		IdleTimeout:       cfg.HTTP.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	var runJobs func(context.Context) error
	if len(jobHandlers) > 0 {
		runJobs = runner.Run
	} else {
		logger.Info("no background job kinds registered; the job runner is idle")
	}
	failure := runDaemon(ctx, logger, srv, ln, cfg.HTTP.ShutdownTimeout, runJobs, cfg.Jobs.ShutdownTimeout+jobsStopMargin)
	if failure == nil {
		logger.Info("stopped")
	}
	return failure
}

// runDaemon serves HTTP on ln and runs runJobs (when not nil) until ctx is cancelled or one of
// them fails. Then it stops both at once: the server stops accepting and drains in-flight
// requests for up to drain, then closes what is left; the job runner's context is cancelled and
// it gets up to jobsBound to return. It returns the failure that stopped the daemon, or nil.
func runDaemon(ctx context.Context, logger *slog.Logger, srv *http.Server, ln net.Listener,
	drain time.Duration, runJobs func(context.Context) error, jobsBound time.Duration) error {
	// Requests must not be cancelled the moment shutdown starts: they are drained.
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	jobsDone := make(chan error, 1)
	if runJobs != nil {
		go func() { jobsDone <- runJobs(jobsCtx) }()
	}
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String())

	var failure error
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "reason", context.Cause(ctx).Error())
	case err := <-httpDone:
		failure = fmt.Errorf("http server stopped: %w", err)
		httpDone <- nil // already stopped; the shutdown below must not wait for it
	case err := <-jobsDone: // only when runJobs was started
		if err == nil {
			err = errors.New("returned early")
		}
		failure = fmt.Errorf("job runner stopped: %w", err)
		logger.Error("job runner stopped; shutting down", "err", err)
		jobsDone <- nil
	}

	stopJobs()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("in-flight requests did not finish in time; closing their connections",
			"timeout", drain.String(), "err", err)
		_ = srv.Close()
	}
	if err := <-httpDone; err != nil && !errServerClosed(err) && failure == nil {
		failure = fmt.Errorf("http server: %w", err)
	}
	if runJobs != nil {
		select {
		case err := <-jobsDone:
			if err != nil && failure == nil {
				failure = fmt.Errorf("job runner: %w", err)
			}
		case <-time.After(jobsBound):
			logger.Warn("job runner did not stop in time; its leases expire on their own", "timeout", jobsBound.String())
		}
	}
	return failure
}
