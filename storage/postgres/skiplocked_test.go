package postgres

import (
	"context"
	"testing"

	"github.com/claimgate/claimgate/storage/sqlstore"
	"github.com/claimgate/claimgate/storage/storetest"
)

// openWithClaimLock opens a store whose job-claiming query uses lock instead of
// FOR UPDATE SKIP LOCKED.
func openWithClaimLock(t *testing.T, lock string) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	d := Dialect()
	d.ClaimLock = lock
	broken := sqlstore.New(&db{pool: s.pool}, d)
	if err := broken.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return broken
}

// TestContractCatchesMissingSkipLocked proves the contract checks would fail if the claim
// query lost SKIP LOCKED: they must pass with it and report an error without it.
func TestContractCatchesMissingSkipLocked(t *testing.T) {
	ctx := context.Background()
	t.Run("with SKIP LOCKED", func(t *testing.T) {
		s := openWithClaimLock(t, Dialect().ClaimLock)
		if err := storetest.CheckDisjointClaims(ctx, s); err != nil {
			t.Fatal(err)
		}
	})
	for _, lock := range []string{" FOR UPDATE", ""} {
		t.Run("disjoint claims with lock "+quote(lock), func(t *testing.T) {
			s := openWithClaimLock(t, lock)
			err := storetest.CheckDisjointClaims(ctx, s)
			if err == nil {
				t.Fatal("CheckDisjointClaims passed without SKIP LOCKED")
			}
			t.Logf("caught as expected: %v", err)
		})
	}
	t.Run("exactly once with no lock", func(t *testing.T) {
		s := openWithClaimLock(t, "")
		err := storetest.CheckExactlyOnce(ctx, s, 8, 500)
		if err == nil {
			t.Fatal("CheckExactlyOnce passed without a row lock on the claim")
		}
		t.Logf("caught as expected: %v", err)
	})
}

func quote(s string) string {
	if s == "" {
		return "none"
	}
	return s[1:]
}
