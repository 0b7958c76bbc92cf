package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/webhooks"
)

// runSubmittersWebhook is `claimgate submitters webhook NAME URL [--secret-file F]` and
// `claimgate submitters webhook NAME --remove`.
func runSubmittersWebhook(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "submitters webhook", "NAME URL [--secret-file F] | NAME --remove", `
Set the submitter's webhook: claimgate POSTs its events (claim.submitted, claim.accepted,
claim.rejected, claim.paid, claim.denied, claim.reversed, remittance.received, denial.created)
to URL, signed with the secret in the X-Claimgate-Signature header (see README "Webhooks").
Without --secret-file a new secret is generated and printed on stdout this once: give it to the
receiver now. Setting the webhook again replaces the URL and the secret (pending deliveries are
signed with the new one). --remove stops the webhook: no new events are kept for the submitter,
and deliveries still pending are marked failed instead of sent.`)
	secretFile := fs.String("secret-file", "", "read the signing secret from `file` (one word, at least 24 characters) instead of generating one")
	remove := fs.Bool("remove", false, "remove the webhook")
	pos, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	name, code, ok := oneName(e, fs, pos[:min(len(pos), 1)])
	if !ok {
		return code
	}
	var target, secret string
	switch {
	case *remove:
		if len(pos) > 1 {
			return fs.fail(e, "--remove takes only NAME")
		}
		if *secretFile != "" {
			return fs.fail(e, "--remove and --secret-file do not go together")
		}
	case len(pos) < 2:
		return fs.fail(e, "missing URL: claimgate submitters webhook NAME URL")
	case len(pos) > 2:
		return fs.fail(e, "unexpected argument %q", pos[2])
	default:
		target = pos[1]
		if err := checkWebhookURL(target); err != nil {
			return fs.fail(e, "%v", err)
		}
	}
	generated := false
	if !*remove {
		if *secretFile != "" {
			s, err := readSecretFile(*secretFile)
			if err != nil {
				return fs.fail(e, "--secret-file: %v", err)
			}
			secret = s
		} else {
			secret, generated = webhooks.NewSecret(), true
		}
	}
	return withStore(ctx, e, func(store gateway.Store) error {
		err := store.SetSubmitterWebhook(ctx, name, target, secret)
		if errors.Is(err, gateway.ErrNotFound) {
			return fmt.Errorf("no submitter named %q", name)
		}
		if err != nil {
			return fmt.Errorf("cannot set the webhook of submitter %q: %w", name, err)
		}
		switch {
		case *remove:
			fmt.Fprintf(e.stdout, "Removed the webhook of submitter %q.\n", name)
		case generated:
			fmt.Fprintf(e.stderr, "Webhook of submitter %q set. Its signing secret follows; it is shown only this once:\n", name)
			fmt.Fprintln(e.stdout, secret)
		default:
			fmt.Fprintf(e.stdout, "Webhook of submitter %q set, signed with the secret from %s.\n", name, *secretFile)
		}
		return nil
	})
}

// checkWebhookURL accepts absolute http and https URLs with a host and no user info.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	case u.User != nil:
		return errors.New("the webhook URL must not carry a user or password; the signature authenticates claimgate")
	case u.Fragment != "":
		return errors.New("the webhook URL must not have a #fragment")
	}
	return nil
}

// readSecretFile reads a signing secret: the file's one word, surrounding space trimmed.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(b))
	if len(s) < webhooks.MinSecretLen || strings.ContainsAny(s, " \t\r\n") {
		return "", fmt.Errorf("%s: the secret must be one word of at least %d characters (e.g. the output of `openssl rand -hex 32`)", path, webhooks.MinSecretLen)
	}
	return s, nil
}

// newWebhookWorker builds the webhook delivery worker of serve.
func newWebhookWorker(store gateway.Store, cfg webhooksConfig, logger *slog.Logger, reg prometheus.Registerer) (*webhooks.Worker, error) {
	return webhooks.New(webhooks.Config{Store: store, Logger: logger, Registerer: reg, Concurrency: cfg.Concurrency,
		PerSubmitter: cfg.PerSubmitter, Timeout: cfg.Timeout, RetryFor: cfg.RetryFor, Retention: cfg.Retention})
}

// withWebhooks returns a runJobs for runDaemon that runs the webhook worker beside run (the
// job runner; nil when it is idle) and returns when both have stopped: the worker stops when
// ctx is cancelled or run returns, and gives back its leases before the database is closed.
func withWebhooks(run func(context.Context) error, w *webhooks.Worker) func(context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		var err error
		if run != nil {
			err = run(ctx)
		} else {
			<-ctx.Done()
		}
		cancel()
		return errors.Join(err, <-done)
	}
}
