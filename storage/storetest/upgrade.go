package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// Migrator is a store opened without migrating, for upgrade tests.
type Migrator interface {
	gateway.Store
	IntegrityChecker
	MigrateTo(ctx context.Context, version int) error
}

// RunUpgrade checks that migrating a store holding claims written under an older schema
// keeps every claim findable: open returns a store that is not migrated yet.
func RunUpgrade(t *testing.T, open func(t *testing.T) Migrator) {
	t.Run("ClaimsWaiting", func(t *testing.T) { testUpgradeClaimsWaiting(t, open(t)) })
}

// testUpgradeClaimsWaiting writes claims in every status under schema 8, then migrates to the
// latest: migration 0009 must list the queued claims for batching and the claims waiting for
// a 999 or 277CA for the stale monitor, since the time they entered their status.
func testUpgradeClaimsWaiting(t *testing.T, s Migrator) {
	ctx := context.Background()
	ok(t, s.MigrateTo(ctx, 8))
	sub := newSubmitter(t, s, "ehr")
	paths := map[string][]gateway.ClaimStatus{
		"Q": nil,
		"S": {gateway.StatusBatched, gateway.StatusSubmitted},
		"A": {gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted999},
		"C": {gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted999, gateway.StatusAccepted277},
		"P": {gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted999, gateway.StatusAccepted277, gateway.StatusPaid},
		"R": {gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusRejected999, gateway.StatusQueued},
	}
	ids := map[string]string{}
	for _, name := range []string{"Q", "S", "A", "C", "P", "R"} {
		c, err := s.CreateClaim(ctx, claimFor(sub, name), gateway.EventInput{Source: "intake"})
		ok(t, err)
		ids[name] = c.ID
		for _, to := range paths[name] {
			_, err := s.TransitionClaim(ctx, c.ID, to, gateway.EventInput{Source: "upgrade test"})
			ok(t, err)
		}
		time.Sleep(2 * time.Millisecond) // distinct created_at: batches take the oldest first
	}

	ok(t, s.MigrateTo(ctx, 0))
	checkIntegrity(t, s)

	queued, err := s.QueuedClaimsForBatch(ctx, "SIMPAYER", 10)
	ok(t, err)
	if got := claimIDs(queued); fmt.Sprint(got) != fmt.Sprint([]string{ids["Q"], ids["R"]}) {
		t.Errorf("queued claims after the upgrade: %v, want Q %s and R %s", got, ids["Q"], ids["R"])
	}
	future := time.Now().Add(time.Hour)
	counts, err := s.CountStaleClaims(ctx, future, future)
	ok(t, err)
	want := []gateway.StaleCount{{PayerID: "SIMPAYER", WaitingFor: gateway.Waiting277CA, Count: 1},
		{PayerID: "SIMPAYER", WaitingFor: gateway.Waiting999, Count: 1}}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("stale counts after the upgrade: %+v, want %+v", counts, want)
	}
	page, err := s.StaleClaims(ctx, gateway.StaleFilter{SubmittedBefore: future, AcceptedBefore: future})
	ok(t, err)
	if len(page.Claims) != 2 || page.Claims[0].Claim.ID != ids["S"] || page.Claims[1].Claim.ID != ids["A"] ||
		page.Claims[0].Since.IsZero() {
		t.Errorf("stale claims after the upgrade: %+v, want S %s then A %s", page.Claims, ids["S"], ids["A"])
	}
}
