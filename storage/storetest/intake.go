package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/claimgate/claimgate/gateway"
)

// intakeClaim is a claim as the intake API hands it to CreateIntakeClaim.
func intakeClaim(sub gateway.Submitter, ext string) gateway.Claim {
	c := claimFor(sub, ext)
	c.Encounter = json.RawMessage(`{"external_id":"` + ext + `","claim":{"service_lines":[{"charge":"150.25"}]}}`)
	return c
}

var intakeEvent = gateway.EventInput{Reason: "encounter accepted", Source: "intake"}

func testIntakeCreate(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	key := gateway.IdempotencyKey{Key: "k-1", RequestHash: "abc"}
	c, err := s.CreateIntakeClaim(ctx, intakeClaim(sub, "E1"), intakeEvent, key)
	ok(t, err)
	if !gateway.ValidClaimID(c.ID) || len(c.ID) != gateway.ClaimIDLen {
		t.Fatalf("generated claim id %q", c.ID)
	}
	if c.Status != gateway.StatusQueued || c.Frequency != gateway.FrequencyOriginal || c.CreatedAt.IsZero() ||
		c.ContentHash != gateway.SHA256Hex(c.Encounter) {
		t.Fatalf("returned claim %+v", c)
	}
	got, err := s.GetClaim(ctx, c.ID, sub.ID)
	ok(t, err)
	if got.ExternalID != "E1" || got.Status != gateway.StatusQueued || got.TotalCharge != 15025 || got.LineCount != 2 ||
		string(got.Encounter) != string(c.Encounter) || !got.CreatedAt.Equal(c.CreatedAt) || got.ContentHash != c.ContentHash {
		t.Fatalf("stored claim %+v, returned %+v", got, c)
	}
	evs, err := s.ClaimEvents(ctx, c.ID)
	ok(t, err)
	if len(evs) != 1 || evs[0].Seq != 1 || evs[0].From != gateway.StatusNone || evs[0].To != gateway.StatusQueued ||
		evs[0].Source != "intake" || evs[0].Reason != "encounter accepted" {
		t.Fatalf("events %+v", evs)
	}
	k, err := s.IntakeIdempotencyKey(ctx, sub.ID, "k-1")
	ok(t, err)
	if k.ClaimID != c.ID || k.RequestHash != "abc" || k.SubmitterID != sub.ID || k.CreatedAt.IsZero() {
		t.Fatalf("idempotency key %+v", k)
	}
	// The claim moves on like any other: the intake group writes ordinary claims.
	moved, err := s.TransitionClaim(ctx, c.ID, gateway.StatusVoided, gateway.EventInput{Source: "api"})
	ok(t, err)
	if moved.Status != gateway.StatusVoided {
		t.Fatalf("status after transition %s", moved.Status)
	}

	// A revoked submitter writes nothing, whoever authenticated it before.
	gone := newSubmitter(t, s, "gone")
	ok(t, s.RevokeSubmitter(ctx, "gone"))
	_, err = s.CreateIntakeClaim(ctx, intakeClaim(gone, "E1"), intakeEvent, gateway.IdempotencyKey{Key: "k-9", RequestHash: "h"})
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.ClaimByExternalID(ctx, gone.ID, "E1")
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.IntakeIdempotencyKey(ctx, gone.ID, "k-9")
	wantErr(t, err, gateway.ErrNotFound)
	unknown := gateway.Submitter{ID: 987654}
	_, err = s.CreateIntakeClaim(ctx, intakeClaim(unknown, "E1"), intakeEvent, gateway.IdempotencyKey{})
	wantErr(t, err, gateway.ErrNotFound)

	// Without a key, no record is written.
	c2, err := s.CreateIntakeClaim(ctx, intakeClaim(sub, "E2"), intakeEvent, gateway.IdempotencyKey{})
	ok(t, err)
	if c2.ID == c.ID {
		t.Fatal("two claims share an id")
	}
	_, err = s.IntakeIdempotencyKey(ctx, sub.ID, "")
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.IntakeIdempotencyKey(ctx, sub.ID, "k-2")
	wantErr(t, err, gateway.ErrNotFound)
	// Keys are per submitter.
	other := newSubmitter(t, s, "other")
	_, err = s.IntakeIdempotencyKey(ctx, other.ID, "k-1")
	wantErr(t, err, gateway.ErrNotFound)
	c3, err := s.CreateIntakeClaim(ctx, intakeClaim(other, "E1"), intakeEvent, gateway.IdempotencyKey{Key: "k-1", RequestHash: "zz"})
	ok(t, err)
	if c3.SubmitterID != other.ID {
		t.Fatalf("claim of the other submitter %+v", c3)
	}
}

func testIntakeInvalid(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	batch := int64(1)
	for name, mutate := range map[string]func(c *gateway.Claim){
		"no submitter":   func(c *gateway.Claim) { c.SubmitterID = 0 },
		"no external id": func(c *gateway.Claim) { c.ExternalID = "" },
		"bad type":       func(c *gateway.Claim) { c.Type = "dental" },
		"no payer":       func(c *gateway.Claim) { c.PayerID = "" },
		"no encounter":   func(c *gateway.Claim) { c.Encounter = nil },
		"bad JSON":       func(c *gateway.Claim) { c.Encounter = json.RawMessage(`{"a":`) },
		"starts batched": func(c *gateway.Claim) { c.Status = gateway.StatusBatched },
		"in a batch":     func(c *gateway.Claim) { c.BatchID = &batch },
		"bad claim id":   func(c *gateway.Claim) { c.ID = "no-such-id!" },
	} {
		c := intakeClaim(sub, "E-"+name)
		mutate(&c)
		if _, err := s.CreateIntakeClaim(ctx, c, intakeEvent, gateway.IdempotencyKey{Key: name}); !errors.Is(err, gateway.ErrInvalid) {
			t.Errorf("%s: error = %v, want ErrInvalid", name, err)
		}
	}
	page, err := s.ListClaims(ctx, gateway.ClaimFilter{})
	ok(t, err)
	if len(page.Claims) != 0 {
		t.Fatalf("%d claims written by invalid calls", len(page.Claims))
	}
}

// testIntakeConflicts: a conflict on any of the three records writes nothing at all.
func testIntakeConflicts(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	first, err := s.CreateIntakeClaim(ctx, intakeClaim(sub, "E1"), intakeEvent, gateway.IdempotencyKey{Key: "k-1", RequestHash: "h1"})
	ok(t, err)

	// Same external id, new key: conflict, and the new key is not kept.
	_, err = s.CreateIntakeClaim(ctx, intakeClaim(sub, "E1"), intakeEvent, gateway.IdempotencyKey{Key: "k-2", RequestHash: "h2"})
	wantErr(t, err, gateway.ErrConflict)
	_, err = s.IntakeIdempotencyKey(ctx, sub.ID, "k-2")
	wantErr(t, err, gateway.ErrNotFound)

	// Same key, new external id: conflict, and the new claim is not kept.
	_, err = s.CreateIntakeClaim(ctx, intakeClaim(sub, "E2"), intakeEvent, gateway.IdempotencyKey{Key: "k-1", RequestHash: "h3"})
	wantErr(t, err, gateway.ErrConflict)
	_, err = s.ClaimByExternalID(ctx, sub.ID, "E2")
	wantErr(t, err, gateway.ErrNotFound)

	// An explicit claim id that exists: conflict.
	dup := intakeClaim(sub, "E3")
	dup.ID = first.ID
	_, err = s.CreateIntakeClaim(ctx, dup, intakeEvent, gateway.IdempotencyKey{})
	wantErr(t, err, gateway.ErrConflict)
	_, err = s.ClaimByExternalID(ctx, sub.ID, "E3")
	wantErr(t, err, gateway.ErrNotFound)

	k, err := s.IntakeIdempotencyKey(ctx, sub.ID, "k-1")
	ok(t, err)
	if k.ClaimID != first.ID || k.RequestHash != "h1" {
		t.Fatalf("key changed: %+v", k)
	}
	evs, err := s.ClaimEvents(ctx, first.ID)
	ok(t, err)
	if len(evs) != 1 {
		t.Fatalf("%d events on the first claim", len(evs))
	}
	page, err := s.ListClaims(ctx, gateway.ClaimFilter{SubmitterID: sub.ID})
	ok(t, err)
	if len(page.Claims) != 1 {
		t.Fatalf("%d claims, want 1", len(page.Claims))
	}
}

// testIntakeInTx: inside WithTx the group joins the transaction; a rollback leaves nothing.
func testIntakeInTx(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	boom := errors.New("boom")
	var id string
	err := s.WithTx(ctx, func(tx gateway.Tx) error {
		c, err := tx.CreateIntakeClaim(ctx, intakeClaim(sub, "E1"), intakeEvent, gateway.IdempotencyKey{Key: "k", RequestHash: "h"})
		if err != nil {
			return err
		}
		id = c.ID
		if _, err := tx.IntakeIdempotencyKey(ctx, sub.ID, "k"); err != nil {
			return err
		}
		return boom
	})
	wantErr(t, err, boom)
	_, err = s.GetClaim(ctx, id, 0)
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.IntakeIdempotencyKey(ctx, sub.ID, "k")
	wantErr(t, err, gateway.ErrNotFound)

	err = s.WithTx(ctx, func(tx gateway.Tx) error {
		_, err := tx.CreateIntakeClaim(ctx, intakeClaim(sub, "E1"), intakeEvent, gateway.IdempotencyKey{Key: "k", RequestHash: "h"})
		return err
	})
	ok(t, err)
	_, err = s.ClaimByExternalID(ctx, sub.ID, "E1")
	ok(t, err)
}

// testIntakeConcurrent: racing creations of one external id (with and without one key) store
// exactly one claim; every other caller gets ErrConflict.
func testIntakeConcurrent(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	for _, withKey := range []bool{false, true} {
		ext := fmt.Sprintf("RACE-%v", withKey)
		const n = 10
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := gateway.IdempotencyKey{}
				if withKey {
					key = gateway.IdempotencyKey{Key: "race", RequestHash: "h"}
				}
				_, errs[i] = s.CreateIntakeClaim(ctx, intakeClaim(sub, ext), intakeEvent, key)
			}()
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case !errors.Is(err, gateway.ErrConflict):
				t.Fatalf("racing create: %v", err)
			}
		}
		if created != 1 {
			t.Fatalf("with key %v: %d creations succeeded, want 1", withKey, created)
		}
	}
	page, err := s.ListClaims(ctx, gateway.ClaimFilter{SubmitterID: sub.ID})
	ok(t, err)
	if len(page.Claims) != 2 {
		t.Fatalf("%d claims, want 2", len(page.Claims))
	}
}

func testIntakeAuthenticate(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	token, hash := gateway.NewToken()
	sub, err := s.CreateSubmitter(ctx, gateway.Submitter{Name: "ehr", TokenHash: hash})
	ok(t, err)
	got, k, err := s.AuthenticateSubmitter(ctx, gateway.HashToken(token), "")
	ok(t, err)
	if got.ID != sub.ID || got.Name != "ehr" || got.RevokedAt != nil || k != nil {
		t.Fatalf("authenticated %+v %v, want %+v", got, k, sub)
	}
	_, k, err = s.AuthenticateSubmitter(ctx, hash, "k-1")
	ok(t, err)
	if k != nil {
		t.Fatalf("unused key returned %+v", k)
	}
	c, err := s.CreateIntakeClaim(ctx, intakeClaim(sub, "E1"), intakeEvent, gateway.IdempotencyKey{Key: "k-1", RequestHash: "h1"})
	ok(t, err)
	_, k, err = s.AuthenticateSubmitter(ctx, hash, "k-1")
	ok(t, err)
	if k == nil || k.ClaimID != c.ID || k.RequestHash != "h1" || k.SubmitterID != sub.ID || k.Key != "k-1" || k.CreatedAt.IsZero() {
		t.Fatalf("key record %+v, claim %s", k, c.ID)
	}
	// Another submitter's key of the same name is not this one's.
	otherToken, otherHash := gateway.NewToken()
	_, err = s.CreateSubmitter(ctx, gateway.Submitter{Name: "other", TokenHash: otherHash})
	ok(t, err)
	_, k, err = s.AuthenticateSubmitter(ctx, gateway.HashToken(otherToken), "k-1")
	ok(t, err)
	if k != nil {
		t.Fatalf("another submitter's key returned %+v", k)
	}

	_, _, err = s.AuthenticateSubmitter(ctx, gateway.HashToken(token+"x"), "")
	wantErr(t, err, gateway.ErrNotFound)
	ok(t, s.RevokeSubmitter(ctx, "ehr"))
	_, _, err = s.AuthenticateSubmitter(ctx, hash, "k-1")
	wantErr(t, err, gateway.ErrNotFound)
	err = s.WithTx(ctx, func(tx gateway.Tx) error {
		_, _, err := tx.AuthenticateSubmitter(ctx, hash, "")
		return err
	})
	wantErr(t, err, gateway.ErrNotFound)
}
