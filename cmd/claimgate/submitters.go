package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// submitterCommands is the dispatch table of `claimgate submitters`.
func submitterCommands() map[string]command {
	return map[string]command{
		"add":     {synopsis: "NAME [flags]", summary: "create a submitter and print its API token (shown once)", run: runSubmittersAdd},
		"list":    {synopsis: "[flags]", summary: "list submitters: name, created, revoked", run: runSubmittersList},
		"revoke":  {synopsis: "NAME [flags]", summary: "revoke a submitter: its token stops working at once", run: runSubmittersRevoke},
		"webhook": {synopsis: "NAME URL [--secret-file F] | NAME --remove", summary: "set (or remove) the submitter's webhook URL and signing secret", run: runSubmittersWebhook},
	}
}

func runSubmitters(ctx context.Context, e *env, args []string) int {
	subs := submitterCommands()
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	about := "A submitter is an API client (an EHR or billing system) with its own bearer token.\n\nCommands:\n"
	for _, n := range names {
		about += fmt.Sprintf("  %-8s %s\n", n, subs[n].summary)
	}
	fs := newFlagSet(e, "submitters", "COMMAND [arguments] [flags]", about)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.usage(e.stdout)
			return exitOK
		}
		return fs.fail(e, "%v", err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return fs.fail(e, "missing command: add, list or revoke (or webhook NAME URL)")
	}
	sub, ok := subs[rest[0]]
	if !ok {
		return fs.fail(e, "unknown command %q", rest[0])
	}
	return sub.run(ctx, e, rest[1:])
}

// submitterNameRe: names appear in logs and on the command line, so no spaces or punctuation
// beyond . _ -.
var submitterNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// withStore loads the configuration, opens the store, checks its schema is current and calls fn.
func withStore(ctx context.Context, e *env, fn func(store gateway.Store) error) int {
	cfg, err := loadConfig(e.global, e.getenv)
	if err != nil {
		reportError(e.stderr, err)
		return exitFailure
	}
	target, _ := parseDatabaseURL(cfg.Database.URL) // validated by loadConfig
	store, err := openStore(ctx, target)
	if err != nil {
		reportError(e.stderr, err)
		return exitFailure
	}
	defer store.Close()
	if err := requireSchema(ctx, store, target); err != nil {
		reportError(e.stderr, err)
		return exitFailure
	}
	if err := fn(store); err != nil {
		reportError(e.stderr, err)
		return exitFailure
	}
	return exitOK
}

func runSubmittersAdd(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "submitters add", "NAME [flags]", `
Create a submitter and print its API bearer token on stdout. The token is shown this once and
only its sha256 is stored: put it in the client's secret store now. NAME is 1-64 letters, digits,
'.', '_' or '-'.`)
	pos, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	name, code, ok := oneName(e, fs, pos)
	if !ok {
		return code
	}
	return withStore(ctx, e, func(store gateway.Store) error {
		token, hash := gateway.NewToken()
		s, err := store.CreateSubmitter(ctx, gateway.Submitter{Name: name, TokenHash: hash})
		if errors.Is(err, gateway.ErrConflict) {
			return fmt.Errorf("a submitter named %q already exists", name)
		}
		if err != nil {
			return fmt.Errorf("cannot create submitter %q: %w", name, err)
		}
		fmt.Fprintf(e.stderr, "Created submitter %q. Its API token follows; it is shown only this once:\n", s.Name)
		fmt.Fprintln(e.stdout, token)
		return nil
	})
}

func runSubmittersList(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "submitters list", "[flags]", "List every submitter with its creation and revocation times (UTC).")
	pos, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return fs.fail(e, "unexpected argument %q", pos[0])
	}
	return withStore(ctx, e, func(store gateway.Store) error {
		subs, err := store.ListSubmitters(ctx)
		if err != nil {
			return fmt.Errorf("cannot list submitters: %w", err)
		}
		return writeSubmitters(e.stdout, subs)
	})
}

func writeSubmitters(w io.Writer, subs []gateway.Submitter) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED\tREVOKED")
	for _, s := range subs {
		revoked := "-"
		if s.RevokedAt != nil {
			revoked = s.RevokedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.CreatedAt.UTC().Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}

func runSubmittersRevoke(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "submitters revoke", "NAME [flags]", "Revoke a submitter: its API token stops working at once. The submitter and its claims are kept.")
	pos, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	name, code, ok := oneName(e, fs, pos)
	if !ok {
		return code
	}
	return withStore(ctx, e, func(store gateway.Store) error {
		err := store.RevokeSubmitter(ctx, name)
		if errors.Is(err, gateway.ErrNotFound) {
			return fmt.Errorf("no submitter named %q", name)
		}
		if err != nil {
			return fmt.Errorf("cannot revoke submitter %q: %w", name, err)
		}
		fmt.Fprintf(e.stdout, "Revoked submitter %q.\n", name)
		return nil
	})
}

// oneName checks that exactly one well-formed submitter name was given.
func oneName(e *env, fs *cmdFlags, pos []string) (string, int, bool) {
	switch {
	case len(pos) == 0:
		return "", fs.fail(e, "missing submitter NAME"), false
	case len(pos) > 1:
		return "", fs.fail(e, "unexpected argument %q (NAME is one word)", pos[1]), false
	case !submitterNameRe.MatchString(pos[0]):
		return "", fs.fail(e, "%q is not a valid submitter name: 1-64 letters, digits, '.', '_' or '-'", pos[0]), false
	}
	return pos[0], exitOK, true
}
