package main

import (
	"context"
	"fmt"
)

func runMigrate(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "migrate", "[flags]", `
Apply the pending database migrations and exit. Safe to run again, and from several replicas at
once. The database is database.url in the configuration, or $CLAIMGATE_DATABASE_URL
(postgres://... or sqlite:PATH); without either, the embedded SQLite database var/claimgate.db.`)
	check := fs.Bool("check", false, "only report the schema version and check the data's integrity (references the schema does\nnot enforce); exit 1 when migrations are pending or rows are orphaned")
	pos, code, ok := fs.parse(e, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return fs.fail(e, "unexpected argument %q", pos[0])
	}
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

	if *check {
		current, latest, err := store.SchemaVersion(ctx)
		if err != nil {
			reportError(e.stderr, fmt.Errorf("database %s: cannot read the schema version: %w", target, err))
			return exitFailure
		}
		fmt.Fprintf(e.stdout, "%s: schema version %d, this binary's latest %d\n", target, current, latest)
		if current != latest {
			return exitFailure
		}
		if c, ok := store.(interface {
			CheckIntegrity(context.Context) ([]string, error)
		}); ok {
			problems, err := c.CheckIntegrity(ctx)
			if err != nil {
				reportError(e.stderr, fmt.Errorf("database %s: %w", target, err))
				return exitFailure
			}
			for _, p := range problems {
				fmt.Fprintf(e.stdout, "%s: integrity: %s\n", target, p)
			}
			if len(problems) > 0 {
				return exitFailure
			}
			fmt.Fprintf(e.stdout, "%s: integrity: no problems found\n", target)
		}
		return exitOK
	}

	before, _, err := store.SchemaVersion(ctx)
	if err != nil {
		reportError(e.stderr, fmt.Errorf("database %s: cannot read the schema version: %w", target, err))
		return exitFailure
	}
	after, err := migrateStore(ctx, store, target)
	if err != nil {
		reportError(e.stderr, err)
		return exitFailure
	}
	if before == after {
		fmt.Fprintf(e.stdout, "%s: schema version %d, up to date\n", target, after)
	} else {
		fmt.Fprintf(e.stdout, "%s: migrated from schema version %d to %d\n", target, before, after)
	}
	return exitOK
}
