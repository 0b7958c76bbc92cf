package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// AcquireLease takes or renews a named lease. The upsert's WHERE lets it through only when
// the caller already holds the lease or the holder's lease has expired; on Postgres the
// conflicting row is locked while the condition is checked, so two replicas cannot both win.
func (t *tx) AcquireLease(ctx context.Context, key, owner string, until time.Time) (bool, error) {
	if key == "" || owner == "" {
		return false, fmt.Errorf("acquire lease: %w: key and owner are required", gateway.ErrInvalid)
	}
	rows, err := t.q.Query(ctx, `INSERT INTO locks (lock_key, owner, lease_until) VALUES ($1, $2, $3)
ON CONFLICT (lock_key) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
WHERE locks.owner = excluded.owner OR locks.lease_until <= $4
RETURNING owner`, key, owner, ts(until), t.clock())
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", key, err)
	}
	defer rows.Close()
	got := rows.Next()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", key, err)
	}
	return got, nil
}

// ReleaseLease drops owner's lease on key.
func (t *tx) ReleaseLease(ctx context.Context, key, owner string) error {
	if _, err := t.q.Exec(ctx, `DELETE FROM locks WHERE lock_key = $1 AND owner = $2`, key, owner); err != nil {
		return fmt.Errorf("release lease %s: %w", key, err)
	}
	return nil
}
