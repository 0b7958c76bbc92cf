package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/claimgate/claimgate/gateway/acks"
	"github.com/claimgate/claimgate/gateway/api"
	"github.com/claimgate/claimgate/gateway/denials"
	"github.com/claimgate/claimgate/gateway/jobs"
	"github.com/claimgate/claimgate/gateway/remit"
	"github.com/claimgate/claimgate/gateway/web"
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
var/claimgate.db and listens on 127.0.0.1:8080.

With --demo (what `+"`make run`"+` runs) it also starts the payer simulator in-process on loopback
(state in DIR/sim, files in DIR/sim/sftp), configures the payer SIMPAYER pointing at it unless
the configuration defines payers, and creates a "demo" submitter on first start, printing its
token on stdout (saved in DIR/demo-token, mode 0600, and printed again on later starts).`)
	addr := fs.String("addr", "", "listen `address` host:port (overrides http.addr and $CLAIMGATE_HTTP_ADDR)")
	demo := fs.Bool("demo", false, "run the whole claim loop on this machine: in-process payer simulator, payer SIMPAYER, demo submitter")
	demoDir := fs.String("demo-dir", defaultDemoDir, "with --demo: `directory` for the simulator (DIR/sim) and the token (DIR/demo-token)")
	demoSimAddr := fs.String("demo-sim-addr", defaultDemoSimAddr, "with --demo: the simulator's loopback `address` (a free port when taken)")
	demoDelay := fs.Duration("demo-delay", defaultDemoDelay, "with --demo: the simulator answers the 999 after `delay`, the 277CA after twice and the 835 after three times it")
	demoSubmit := fs.String("demo-submit", defaultDemoSubmit, "with --demo: SIMPAYER's submit `schedule`")
	demoPoll := fs.String("demo-poll", defaultDemoPoll, "with --demo: SIMPAYER's poll `schedule`")
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
	if *demo {
		cfg.demo = &demoOptions{dir: *demoDir, simAddr: *demoSimAddr, delay: *demoDelay,
			submit: *demoSubmit, poll: *demoPoll, out: e.stdout}
		if err := checkDemo(cfg); err != nil {
			return fs.fail(e, "%v", err)
		}
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

	// serve --demo: the payer simulator in-process, SIMPAYER and the demo submitter (demo.go).
	operatorTokenFile := os.Getenv("CLAIMGATE_OPERATOR_TOKEN_FILE")
	if cfg.demo != nil {
		demo, err := startDemo(ctx, cfg, store, logger)
		if err != nil {
			return err
		}
		if demo.operatorTokenFile != "" {
			operatorTokenFile = demo.operatorTokenFile // the demo's own, for the dashboard
		}
		defer func() {
			if err := demo.sim.Close(); err != nil {
				logger.Warn("closing the payer simulator", "err", err)
			}
		}()
	}

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
	// The code table (denial categories and queues), shared by ingest, routing and the API.
	codeTable, err := cfg.Codes.table(logger)
	if err != nil {
		return err
	}
	// Response ingest: TA1/999/277CA (gateway/acks) and 835 posting (gateway/remit), handed
	// each polled file by kind.
	ackIngester, err := acks.New(store, acks.Config{Codes: codeTable, Registerer: m.registry, Logger: logger,
		Staleness: acks.Staleness{After999: cfg.Staleness.After999, After277CA: cfg.Staleness.After277CA}})
	if err != nil {
		return err
	}
	poster, err := remit.New(remit.Config{Store: store, Codes: codeTable, Registerer: m.registry, Logger: logger})
	if err != nil {
		return err
	}
	// Payers: submit and poll jobs, and the schedules that enqueue them (gateway/submission).
	// payerSvc also serves GET /v1/payers and the submit-now/poll-now routes (api PayerOps).
	payerSvc, err := newSubmission(cfg, store, logger, m.registry, os.Getenv, responseIngesters(ackIngester, poster))
	if err != nil {
		return err
	}
	payerSchedules, err := payerSvc.Scheduler()
	if err != nil {
		return err
	}
	// Denial routing (gateway/denials): the route_denials job that turns posted 835s and
	// rejections into work-queue items.
	denialRouter, err := newDenialRouter(store, codeTable, logger, m.registry)
	if err != nil {
		return err
	}
	jobHandlers[denials.JobRouteDenials] = denialRouter.Handle
	for kind, h := range jobHandlers {
		runner.Register(kind, h)
	}
	// submit and poll; Register also lets submit-now/poll-now wake the runner at once.
	payerSvc.Register(runner)

	// The /v1 JSON API. The operator token (payer submit-now/poll-now, the dashboard) is read
	// from the file named by $CLAIMGATE_OPERATOR_TOKEN_FILE (with --demo and no such file,
	// DIR/operator-token); without it no operator token is accepted.
	operatorHash, err := api.LoadOperatorToken(operatorTokenFile)
	if err != nil {
		return fmt.Errorf("CLAIMGATE_OPERATOR_TOKEN_FILE: %w", err)
	}
	v1, err := api.New(api.Config{
		Store:             store,
		Payers:            cfg.Payers,
		OperatorTokenHash: operatorHash,
		Registerer:        m.registry,
		Logger:            logger,
		MaxBodyBytes:      cfg.HTTP.MaxBodyBytes,
		PayerOps:          payerSvc,
		Codes:             codeTable,
		Remittances:       poster,
	})
	if err != nil {
		return err
	}

	// The operator dashboard (gateway/web) under /ui/; without an operator token its pages
	// say so and show nothing.
	dashboard, err := web.New(web.Config{
		Store:             store,
		OperatorTokenHash: operatorHash,
		Reconciler:        poster,
		Matcher:           poster,
		Codes:             codeTable,
		Staleness:         acks.Staleness{After999: cfg.Staleness.After999, After277CA: cfg.Staleness.After277CA},
		Logger:            logger,
	})
	if err != nil {
		return err
	}

	handler := newHTTPHandler(httpDeps{
		logger:       logger,
		metrics:      m,
		ready:        store,
		maxBodyBytes: cfg.HTTP.MaxBodyBytes,
		// mountAPI registers the application routes: the /v1 API (gateway/api) and the
		// dashboard (gateway/web), which GET / leads to; /fhir is added here too.
		mountAPI: func(mux *http.ServeMux) {
			v1.Register(mux)
			dashboard.Register(mux)
			mux.Handle("GET /{$}", http.RedirectHandler("/ui/", http.StatusSeeOther))
		},
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
		runJobs = func(ctx context.Context) error {
			go func() { _ = payerSchedules.Run(ctx) }()
			return runner.Run(ctx)
		}
	} else {
		logger.Info("no background job kinds registered; the job runner is idle")
	}
	// Webhook delivery (gateway/webhooks): its own loop over the store's outbox, stopped with
	// the job runner.
	hooks, err := newWebhookWorker(store, cfg.Webhooks, logger, m.registry)
	if err != nil {
		return err
	}
	runJobs = withWebhooks(runJobs, hooks)
	runJobs = withDenialRouting(runJobs, denialRouter)
	runJobs = withStaleMonitor(runJobs, ackIngester)
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
