package main

import (
	"context"
	"fmt"
	"time"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
)

// storeOpenTimeout bounds connecting to the database at start, so that an unreachable Postgres
// is one clear error instead of a hang.
const storeOpenTimeout = 15 * time.Second

// openStore opens the store named by target; both drivers check that the database answers.
// Errors name the database (without its password) in one line.
func openStore(ctx context.Context, target databaseTarget) (gateway.Store, error) {
	octx, cancel := context.WithTimeout(ctx, storeOpenTimeout)
	defer cancel()
	switch target.driver {
	case "postgres":
		pg, err := postgres.Open(octx, target.url)
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", target, err)
		}
		return pg, nil
	case "sqlite":
		sl, err := sqlite.Open(octx, target.path)
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", target, err)
		}
		return sl, nil
	default:
		return nil, fmt.Errorf("database: unsupported driver %q", target.driver)
	}
}

// migrateStore applies pending migrations and returns the resulting schema version.
func migrateStore(ctx context.Context, store gateway.Store, target databaseTarget) (int, error) {
	if err := store.Migrate(ctx); err != nil {
		return 0, fmt.Errorf("database %s: migration failed: %w", target, err)
	}
	current, latest, err := store.SchemaVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("database %s: cannot read the schema version: %w", target, err)
	}
	if current != latest {
		return current, fmt.Errorf("database %s: schema is at version %d after migrating, this binary needs %d", target, current, latest)
	}
	return current, nil
}

// requireSchema fails unless the schema is current: commands other than serve and migrate do
// not change the schema behind the operator's back.
func requireSchema(ctx context.Context, store gateway.Store, target databaseTarget) error {
	current, latest, err := store.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("database %s: cannot read the schema version: %w", target, err)
	}
	if current < latest {
		return fmt.Errorf("database %s: schema is at version %d, this binary needs %d: run `claimgate migrate` first", target, current, latest)
	}
	if current > latest {
		return fmt.Errorf("database %s: schema is at version %d, newer than this binary knows (%d): upgrade claimgate", target, current, latest)
	}
	return nil
}
