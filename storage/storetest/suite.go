package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/gateway"
)

// Run runs the contract suite. open must return a fresh, empty store for each call (a new
// SQLite file, a new Postgres schema); it may or may not be migrated. Run closes it.
func Run(t *testing.T, open func(t *testing.T) gateway.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s gateway.Store)
	}{
		{"Migrations", testMigrations},
		{"Submitters", testSubmitters},
		{"ClaimCreateAndGet", testClaimCreateAndGet},
		{"ClaimSubmitterScoping", testClaimSubmitterScoping},
		{"ClaimTransitions", testClaimTransitions},
		{"ClaimIllegalTransitions", testClaimIllegalTransitions},
		{"ClaimConcurrentTransitions", testClaimConcurrentTransitions},
		{"ClaimPagination", testClaimPagination},
		{"IdempotencyKeys", testIdempotencyKeys},
		{"RollbackLeavesNothing", testRollback},
		{"PanicRollsBack", testPanicRollsBack},
		{"FileArchiveOnce", testFileArchiveOnce},
		{"FileArchiveConcurrent", testFileArchiveConcurrent},
		{"Batches", testBatches},
		{"ControlNumbers", testControlNumbers},
		{"ControlNumbersConcurrent", testControlNumbersConcurrent},
		{"JobEnqueueUnique", testJobEnqueueUnique},
		{"JobEnqueueUniqueConcurrent", testJobEnqueueUniqueConcurrent},
		{"JobLifecycle", testJobLifecycle},
		{"JobExpiredLeaseReclaimed", testJobExpiredLease},
		{"JobReleaseLeases", testJobReleaseLeases},
		{"JobsExactlyOnce", testJobsExactlyOnce},
		{"JobsConcurrentClaimsDisjoint", testJobsDisjoint},
		{"Leases", testLeases},
		{"IntakeCreate", testIntakeCreate},
		{"IntakeInvalid", testIntakeInvalid},
		{"IntakeConflicts", testIntakeConflicts},
		{"IntakeInTx", testIntakeInTx},
		{"IntakeConcurrent", testIntakeConcurrent},
		{"IntakeAuthenticate", testIntakeAuthenticate},
		{"SubmissionBatchFlow", testSubmissionBatchFlow},
		{"SubmissionBulk", testSubmissionBulk},
		{"SubmissionSelectDisjoint", testSubmissionSelectDisjoint},
		{"PayerRuns", testPayerRuns},
		{"AckRecordAndList", testAckRecordAndList}, {"ClaimAcksInOrder", testClaimAcksInOrder}, {"UnmatchedAcks", testUnmatchedAcks}, {"Rejections", testRejections}, {"AckLookups", testAckLookups}, {"StaleClaims", testStaleClaims},
		{"WebhookClaimEvents", testWebhookClaimEvents},
		{"WebhookBulkSubmitted", testWebhookBulkSubmitted},
		{"WebhookRollback", testWebhookRollback},
		{"WebhookEnqueue", testWebhookEnqueue},
		{"WebhookClaimingOrder", testWebhookClaimingOrder},
		{"WebhookClaimDisjoint", testWebhookClaimDisjoint},
		{"WebhookPerSubmitterCap", testWebhookPerSubmitterCap},
		{"WebhookRetry", testWebhookRetry},
		{"Denials", testDenialCreate}, {"DenialListAndScope", testDenialListAndScope}, {"DenialAssignResolve", testDenialAssignResolve}, {"DenialQueueStats", testDenialQueueStats}, {"DenialRoutingMarkers", testDenialRoutingMarkers}, {"CorrectionLinks", testCorrectionLinks},
		{"Remittances", testRemittanceRoundTrip}, {"RemittanceClaimMoves", testRemittanceClaimMoves}, {"RemittanceManualMatch", testRemittanceManualMatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				checkIntegrity(t, s)
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			if err := s.Migrate(context.Background()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			tc.fn(t, s)
		})
	}
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

func newSubmitter(t testing.TB, s gateway.Store, name string) gateway.Submitter {
	t.Helper()
	_, hash := gateway.NewToken()
	sub, err := s.CreateSubmitter(context.Background(), gateway.Submitter{Name: name, TokenHash: hash})
	ok(t, err)
	return sub
}

func claimFor(sub gateway.Submitter, ext string) gateway.Claim {
	return gateway.Claim{
		SubmitterID: sub.ID,
		ExternalID:  ext,
		Type:        gateway.Professional,
		PayerID:     "SIMPAYER",
		TotalCharge: 15025,
		LineCount:   2,
		Encounter:   json.RawMessage(`{"external_id":"` + ext + `"}`),
	}
}

func testMigrations(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	ok(t, s.Migrate(ctx)) // second run (Run migrated once): nothing to do, no error
	ok(t, s.Migrate(ctx))
	cur, latest, err := s.SchemaVersion(ctx)
	ok(t, err)
	if latest < 1 || cur != latest {
		t.Fatalf("SchemaVersion = %d, %d; want current == latest >= 1", cur, latest)
	}
	ok(t, s.Ping(ctx))
}

func testSubmitters(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	token, hash := gateway.NewToken()
	if !strings.HasPrefix(token, gateway.TokenPrefix) || len(token) != len(gateway.TokenPrefix)+43 || gateway.HashToken(token) != hash {
		t.Fatalf("NewToken = %q, %q", token, hash)
	}
	b, err := s.CreateSubmitter(ctx, gateway.Submitter{Name: "beta-ehr", TokenHash: hash})
	ok(t, err)
	if b.ID == 0 || b.CreatedAt.IsZero() || b.RevokedAt != nil {
		t.Fatalf("created submitter = %+v", b)
	}
	a := newSubmitter(t, s, "alpha-billing")
	_, err = s.CreateSubmitter(ctx, gateway.Submitter{Name: "beta-ehr", TokenHash: gateway.HashToken("other")})
	wantErr(t, err, gateway.ErrConflict)
	_, err = s.CreateSubmitter(ctx, gateway.Submitter{Name: "x", TokenHash: "not-a-hash"})
	wantErr(t, err, gateway.ErrInvalid)

	got, err := s.SubmitterByTokenHash(ctx, gateway.HashToken(token))
	ok(t, err)
	if got.ID != b.ID || got.Name != "beta-ehr" {
		t.Fatalf("by token = %+v, want %+v", got, b)
	}
	_, err = s.SubmitterByTokenHash(ctx, gateway.HashToken("cg_unknown"))
	wantErr(t, err, gateway.ErrNotFound)

	list, err := s.ListSubmitters(ctx)
	ok(t, err)
	if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Fatalf("ListSubmitters = %+v", list)
	}

	ok(t, s.SetSubmitterWebhook(ctx, "beta-ehr", "https://ehr.example/hooks", "s3cret"))
	got, err = s.GetSubmitter(ctx, b.ID)
	ok(t, err)
	if got.WebhookURL != "https://ehr.example/hooks" || got.WebhookSecret != "s3cret" {
		t.Fatalf("webhook = %q %q", got.WebhookURL, got.WebhookSecret)
	}
	wantErr(t, s.SetSubmitterWebhook(ctx, "beta-ehr", "ftp://x", "s"), gateway.ErrInvalid)
	wantErr(t, s.SetSubmitterWebhook(ctx, "nobody", "https://x.example", "s"), gateway.ErrNotFound)
	ok(t, s.SetSubmitterWebhook(ctx, "beta-ehr", "", ""))
	got, err = s.SubmitterByName(ctx, "beta-ehr")
	ok(t, err)
	if got.WebhookURL != "" || got.WebhookSecret != "" {
		t.Fatalf("webhook not cleared: %+v", got)
	}

	ok(t, s.RevokeSubmitter(ctx, "beta-ehr"))
	_, err = s.SubmitterByTokenHash(ctx, hash)
	wantErr(t, err, gateway.ErrNotFound)
	got, err = s.GetSubmitter(ctx, b.ID)
	ok(t, err)
	if got.RevokedAt == nil {
		t.Fatal("revoked submitter has no revoked_at")
	}
	first := *got.RevokedAt
	ok(t, s.RevokeSubmitter(ctx, "beta-ehr"))
	got, err = s.GetSubmitter(ctx, b.ID)
	ok(t, err)
	if !got.RevokedAt.Equal(first) {
		t.Fatalf("second revoke moved revoked_at from %v to %v", first, got.RevokedAt)
	}
	wantErr(t, s.RevokeSubmitter(ctx, "nobody"), gateway.ErrNotFound)
	_, err = s.GetSubmitter(ctx, 999999)
	wantErr(t, err, gateway.ErrNotFound)
}

func testClaimCreateAndGet(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	in := claimFor(sub, "ENC-1")
	c, err := s.CreateClaim(ctx, in, gateway.EventInput{Reason: "accepted at intake", Source: "intake",
		Detail: json.RawMessage(`{"lines":2}`)})
	ok(t, err)
	if len(c.ID) != gateway.ClaimIDLen || !gateway.ValidClaimID(c.ID) {
		t.Fatalf("claim id %q", c.ID)
	}
	if c.Status != gateway.StatusQueued || c.Frequency != gateway.FrequencyOriginal || c.ContentHash == "" {
		t.Fatalf("defaults not applied: %+v", c)
	}
	got, err := s.GetClaim(ctx, strings.ToLower(c.ID), 0) // ids are case-insensitive
	ok(t, err)
	if got.ID != c.ID || got.SubmitterID != sub.ID || got.ExternalID != "ENC-1" || got.Type != gateway.Professional ||
		got.PayerID != "SIMPAYER" || got.TotalCharge != edi.Amount(15025) || got.LineCount != 2 ||
		!bytes.Equal(got.Encounter, in.Encounter) || got.ContentHash != c.ContentHash || got.BatchID != nil ||
		!got.CreatedAt.Equal(c.CreatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("GetClaim = %+v\nwant %+v", got, c)
	}
	byExt, err := s.ClaimByExternalID(ctx, sub.ID, "ENC-1")
	ok(t, err)
	if byExt.ID != c.ID {
		t.Fatalf("ClaimByExternalID = %s, want %s", byExt.ID, c.ID)
	}
	evs, err := s.ClaimEvents(ctx, c.ID)
	ok(t, err)
	if len(evs) != 1 || evs[0].Seq != 1 || evs[0].From != gateway.StatusNone || evs[0].To != gateway.StatusQueued ||
		evs[0].Source != "intake" || evs[0].Reason != "accepted at intake" {
		t.Fatalf("events = %+v", evs)
	}
	var detail map[string]int
	if err := json.Unmarshal(evs[0].Detail, &detail); err != nil || detail["lines"] != 2 {
		t.Fatalf("event detail = %s (%v)", evs[0].Detail, err)
	}

	_, err = s.CreateClaim(ctx, claimFor(sub, "ENC-1"), gateway.EventInput{})
	wantErr(t, err, gateway.ErrConflict) // external id unique per submitter

	other := newSubmitter(t, s, "other")
	_, err = s.CreateClaim(ctx, claimFor(other, "ENC-1"), gateway.EventInput{})
	ok(t, err) // ...but not across submitters

	bad := []gateway.Claim{
		func() gateway.Claim { c := claimFor(sub, "X1"); c.Type = "dental"; return c }(),
		func() gateway.Claim { c := claimFor(sub, "X2"); c.ExternalID = ""; return c }(),
		func() gateway.Claim { c := claimFor(sub, "X3"); c.PayerID = ""; return c }(),
		func() gateway.Claim { c := claimFor(sub, "X4"); c.Status = gateway.StatusPaid; return c }(),
		func() gateway.Claim { c := claimFor(sub, "X5"); c.Encounter = json.RawMessage(`{`); return c }(),
		func() gateway.Claim { c := claimFor(sub, "X6"); c.SubmitterID = 987654; return c }(),
		func() gateway.Claim { c := claimFor(sub, "X7"); c.ReplacesClaimID = "NOSUCHCLAIM"; return c }(),
		func() gateway.Claim { c := claimFor(sub, "X8"); c.Frequency = "sometimes"; return c }(),
	}
	for i, b := range bad {
		_, err := s.CreateClaim(ctx, b, gateway.EventInput{})
		if !errors.Is(err, gateway.ErrInvalid) {
			t.Errorf("bad claim %d: error = %v, want ErrInvalid", i, err)
		}
	}

	repl := claimFor(sub, "ENC-1-R")
	repl.Frequency = gateway.FrequencyReplacement
	repl.ReplacesClaimID = strings.ToLower(c.ID)
	r, err := s.CreateClaim(ctx, repl, gateway.EventInput{})
	ok(t, err)
	if r.ReplacesClaimID != c.ID {
		t.Fatalf("replaces = %q, want %q", r.ReplacesClaimID, c.ID)
	}
	_, err = s.GetClaim(ctx, "0000000000ZZZZZZZ", 0)
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.ClaimEvents(ctx, "0000000000ZZZZZZZ")
	wantErr(t, err, gateway.ErrNotFound)
}

func testClaimSubmitterScoping(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	a := newSubmitter(t, s, "a")
	b := newSubmitter(t, s, "b")
	ca, err := s.CreateClaim(ctx, claimFor(a, "E1"), gateway.EventInput{})
	ok(t, err)
	if _, err := s.GetClaim(ctx, ca.ID, a.ID); err != nil {
		t.Fatalf("own claim: %v", err)
	}
	_, err = s.GetClaim(ctx, ca.ID, b.ID)
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.ClaimByExternalID(ctx, b.ID, "E1")
	wantErr(t, err, gateway.ErrNotFound)
	page, err := s.ListClaims(ctx, gateway.ClaimFilter{SubmitterID: b.ID})
	ok(t, err)
	if len(page.Claims) != 0 {
		t.Fatalf("submitter b sees %d claims of a", len(page.Claims))
	}
}

func testClaimTransitions(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	c, err := s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
	batch, err := s.CreateBatch(ctx, gateway.Batch{PayerID: "SIMPAYER", ISA13: 1, GS06: 1})
	ok(t, err)
	steps := []struct {
		to gateway.ClaimStatus
		ev gateway.EventInput
	}{
		{gateway.StatusBatched, gateway.EventInput{Source: fmt.Sprintf("batch:%d", batch.ID), BatchID: &batch.ID}},
		{gateway.StatusSubmitted, gateway.EventInput{Source: "upload"}},
		{gateway.StatusAccepted999, gateway.EventInput{Source: "file:1", Detail: json.RawMessage(`{"ak5":"A"}`)}},
		{gateway.StatusAccepted277, gateway.EventInput{Source: "file:2", PayerClaimNumber: "PCN-778"}},
		{gateway.StatusPaid, gateway.EventInput{Source: "file:3", Reason: "paid in full"}},
	}
	for _, st := range steps {
		c, err = s.TransitionClaim(ctx, c.ID, st.to, st.ev)
		ok(t, err)
		if c.Status != st.to {
			t.Fatalf("status = %s, want %s", c.Status, st.to)
		}
	}
	if c.BatchID == nil || *c.BatchID != batch.ID || c.PayerClaimNumber != "PCN-778" {
		t.Fatalf("row fields not set by transitions: %+v", c)
	}
	got, err := s.GetClaim(ctx, c.ID, sub.ID)
	ok(t, err)
	if got.Status != gateway.StatusPaid || !got.UpdatedAt.Equal(c.UpdatedAt) {
		t.Fatalf("stored claim = %+v", got)
	}
	page, err := s.ListClaims(ctx, gateway.ClaimFilter{BatchID: batch.ID})
	ok(t, err)
	if len(page.Claims) != 1 || page.Claims[0].ID != c.ID {
		t.Fatalf("claims of batch = %+v", page.Claims)
	}
	evs, err := s.ClaimEvents(ctx, c.ID)
	ok(t, err)
	if len(evs) != len(steps)+1 {
		t.Fatalf("%d events, want %d", len(evs), len(steps)+1)
	}
	prev := gateway.StatusNone
	for i, e := range evs {
		if e.Seq != i+1 || e.From != prev {
			t.Fatalf("event %d = %+v (previous status %s)", i, e, prev)
		}
		prev = e.To
	}
	if prev != gateway.StatusPaid {
		t.Fatalf("last event to %s", prev)
	}

	// batched -> queued clears the batch.
	c2, err := s.CreateClaim(ctx, claimFor(sub, "E2"), gateway.EventInput{})
	ok(t, err)
	_, err = s.TransitionClaim(ctx, c2.ID, gateway.StatusBatched, gateway.EventInput{BatchID: &batch.ID})
	ok(t, err)
	c2, err = s.TransitionClaim(ctx, c2.ID, gateway.StatusQueued, gateway.EventInput{ClearBatch: true, Reason: "upload failed"})
	ok(t, err)
	if c2.BatchID != nil {
		t.Fatalf("batch not cleared: %v", *c2.BatchID)
	}
	missing := int64(424242)
	_, err = s.TransitionClaim(ctx, c2.ID, gateway.StatusBatched, gateway.EventInput{BatchID: &missing})
	wantErr(t, err, gateway.ErrInvalid)
}

func testClaimIllegalTransitions(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	c, err := s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
	for _, to := range []gateway.ClaimStatus{gateway.StatusPaid, gateway.StatusSubmitted, gateway.StatusAccepted277, gateway.StatusQueued} {
		_, err := s.TransitionClaim(ctx, c.ID, to, gateway.EventInput{})
		if !errors.Is(err, gateway.ErrConflict) {
			t.Errorf("queued -> %s: error = %v, want ErrConflict", to, err)
		}
	}
	_, err = s.TransitionClaim(ctx, c.ID, "lost", gateway.EventInput{})
	wantErr(t, err, gateway.ErrInvalid)
	_, err = s.TransitionClaim(ctx, "0000000000ZZZZZZZ", gateway.StatusBatched, gateway.EventInput{})
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.TransitionClaim(ctx, c.ID, gateway.StatusVoided, gateway.EventInput{})
	ok(t, err)
	_, err = s.TransitionClaim(ctx, c.ID, gateway.StatusQueued, gateway.EventInput{})
	wantErr(t, err, gateway.ErrConflict) // voided is final
	evs, err := s.ClaimEvents(ctx, c.ID)
	ok(t, err)
	if len(evs) != 2 {
		t.Fatalf("refused transitions left events: %+v", evs)
	}
	got, err := s.GetClaim(ctx, c.ID, 0)
	ok(t, err)
	if got.Status != gateway.StatusVoided {
		t.Fatalf("status = %s", got.Status)
	}
}

func testClaimConcurrentTransitions(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	c, err := s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
	// Two payer runs racing to batch the same claim: exactly one wins, the rest see ErrConflict.
	const racers = 6
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := 0; i < racers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.WithTx(ctx, func(tx gateway.Tx) error {
				_, err := tx.TransitionClaim(ctx, c.ID, gateway.StatusBatched, gateway.EventInput{Source: fmt.Sprintf("racer:%d", i)})
				return err
			})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, gateway.ErrConflict):
			t.Fatalf("racer error = %v, want nil or ErrConflict", err)
		}
	}
	evs, err := s.ClaimEvents(ctx, c.ID)
	ok(t, err)
	if wins != 1 || len(evs) != 2 {
		t.Fatalf("%d racers won, %d events; want 1 and 2", wins, len(evs))
	}
}

func testClaimPagination(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	other := newSubmitter(t, s, "other")
	const n = 23
	want := map[string]bool{}
	for i := 0; i < n; i++ {
		c := claimFor(sub, fmt.Sprintf("E%02d", i))
		if i%3 == 0 {
			c.PayerID = "OTHERPAYER"
		}
		created, err := s.CreateClaim(ctx, c, gateway.EventInput{})
		ok(t, err)
		want[created.ID] = true
	}
	_, err := s.CreateClaim(ctx, claimFor(other, "O1"), gateway.EventInput{})
	ok(t, err)

	full, err := s.ListClaims(ctx, gateway.ClaimFilter{SubmitterID: sub.ID, Limit: 100})
	ok(t, err)
	if len(full.Claims) != n || full.Next != "" {
		t.Fatalf("full list: %d claims, next %q", len(full.Claims), full.Next)
	}
	for i := 1; i < len(full.Claims); i++ {
		a, b := full.Claims[i-1], full.Claims[i]
		if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID) {
			t.Fatalf("not newest first at %d: %v %s then %v %s", i, a.CreatedAt, a.ID, b.CreatedAt, b.ID)
		}
	}

	var seen []string
	late := 0
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > n {
			t.Fatal("pagination does not end")
		}
		page, err := s.ListClaims(ctx, gateway.ClaimFilter{SubmitterID: sub.ID, Cursor: cursor, Limit: 5})
		ok(t, err)
		for _, c := range page.Claims {
			seen = append(seen, c.ID)
		}
		// Claims created while paging are newer than the cursor: they must not shift pages.
		_, err = s.CreateClaim(ctx, claimFor(sub, fmt.Sprintf("LATE%02d", pages)), gateway.EventInput{})
		ok(t, err)
		late++
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if len(seen) != n {
		t.Fatalf("paged %d claims, want %d: %v", len(seen), n, seen)
	}
	for i, id := range seen {
		if id != full.Claims[i].ID {
			t.Fatalf("page order differs at %d: %s vs %s", i, id, full.Claims[i].ID)
		}
	}

	page, err := s.ListClaims(ctx, gateway.ClaimFilter{SubmitterID: sub.ID, PayerID: "OTHERPAYER", Limit: 100})
	ok(t, err)
	if len(page.Claims) != 8 {
		t.Fatalf("payer filter: %d claims, want 8", len(page.Claims))
	}
	page, err = s.ListClaims(ctx, gateway.ClaimFilter{Status: gateway.StatusQueued, Limit: 1000})
	ok(t, err)
	if len(page.Claims) != n+late+1 {
		t.Fatalf("status filter: %d claims, want %d", len(page.Claims), n+late+1)
	}
	page, err = s.ListClaims(ctx, gateway.ClaimFilter{Status: gateway.StatusPaid})
	ok(t, err)
	if len(page.Claims) != 0 {
		t.Fatalf("status paid: %d claims", len(page.Claims))
	}
	page, err = s.ListClaims(ctx, gateway.ClaimFilter{Since: time.Now().Add(time.Hour)})
	ok(t, err)
	if len(page.Claims) != 0 {
		t.Fatalf("since the future: %d claims", len(page.Claims))
	}
	_, err = s.ListClaims(ctx, gateway.ClaimFilter{Cursor: "%%%"})
	wantErr(t, err, gateway.ErrInvalid)
	_, err = s.ListClaims(ctx, gateway.ClaimFilter{Status: "lost"})
	wantErr(t, err, gateway.ErrInvalid)
}

func testIdempotencyKeys(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	c, err := s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
	k := gateway.IdempotencyKey{SubmitterID: sub.ID, Key: "req-1", RequestHash: "h1", ClaimID: c.ID}
	got, created, err := s.PutIdempotencyKey(ctx, k)
	ok(t, err)
	if !created || got.ClaimID != c.ID {
		t.Fatalf("first put = %+v, %v", got, created)
	}
	k.RequestHash, k.ClaimID = "h2", "OTHER"
	got, created, err = s.PutIdempotencyKey(ctx, k)
	ok(t, err)
	if created || got.RequestHash != "h1" || got.ClaimID != c.ID {
		t.Fatalf("second put = %+v, %v; want the first record", got, created)
	}
}

var errRollback = errors.New("storetest: roll back")

func testRollback(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	var claimID string
	var jobID, fileID int64
	err := s.WithTx(ctx, func(tx gateway.Tx) error {
		c, err := tx.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{Source: "intake"})
		if err != nil {
			return err
		}
		claimID = c.ID
		if _, err := tx.TransitionClaim(ctx, c.ID, gateway.StatusBatched, gateway.EventInput{}); err != nil {
			return err
		}
		j, _, err := tx.EnqueueJob(ctx, gateway.JobParams{Kind: "render", UniqueKey: "render:" + c.ID})
		if err != nil {
			return err
		}
		jobID = j.ID
		f, _, err := tx.ArchiveFile(ctx, gateway.File{Direction: gateway.Outbound, PayerID: "SIMPAYER", Bytes: []byte("ISA*00~")})
		if err != nil {
			return err
		}
		fileID = f.ID
		if _, err := tx.NextControlNumbers(ctx, "SIMPAYER", gateway.CounterISA, 3); err != nil {
			return err
		}
		// Visible inside the transaction...
		if _, err := tx.GetClaim(ctx, c.ID, 0); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("WithTx = %v, want the function's error", err)
	}
	// ...and gone after the rollback.
	_, err = s.GetClaim(ctx, claimID, 0)
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.ClaimEvents(ctx, claimID)
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.GetJob(ctx, jobID)
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.GetFile(ctx, fileID)
	wantErr(t, err, gateway.ErrNotFound)
	stats, err := s.JobStats(ctx)
	ok(t, err)
	if len(stats) != 0 {
		t.Fatalf("job stats after rollback: %+v", stats)
	}
	first, err := s.NextControlNumbers(ctx, "SIMPAYER", gateway.CounterISA, 1)
	ok(t, err)
	if first != 1 {
		t.Fatalf("control number after rollback = %d, want 1", first)
	}
	// The same unique key and external id are free again.
	_, inserted, err := s.EnqueueJob(ctx, gateway.JobParams{Kind: "render", UniqueKey: "render:" + claimID})
	ok(t, err)
	if !inserted {
		t.Fatal("unique key of a rolled back job still taken")
	}
	_, err = s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
}

func testPanicRollsBack(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("WithTx swallowed the panic")
			}
		}()
		_ = s.WithTx(ctx, func(tx gateway.Tx) error {
			if _, err := tx.CreateClaim(ctx, claimFor(sub, "P1"), gateway.EventInput{}); err != nil {
				return err
			}
			panic("handler bug")
		})
	}()
	_, err := s.ClaimByExternalID(ctx, sub.ID, "P1")
	wantErr(t, err, gateway.ErrNotFound)
	ok(t, s.Ping(ctx)) // the connection is usable again
}

func testFileArchiveOnce(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	body := []byte("ISA*00*          *00*          *ZZ*SIMPAYER       *ZZ*CLAIMGATE01    *261122*1005*^*00501*000000101*0*T*:~")
	f1, created, err := s.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: "SIMPAYER", Name: "first.999", Kind: gateway.Kind999, Bytes: body})
	ok(t, err)
	if !created || f1.ID == 0 || f1.SHA256 != gateway.SHA256Hex(body) || f1.Size != int64(len(body)) || f1.Status != gateway.FileReceived {
		t.Fatalf("first archive = %+v, %v", f1, created)
	}
	f2, created, err := s.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: "SIMPAYER", Name: "again.999", Kind: gateway.Kind999, Bytes: body})
	ok(t, err)
	if created || f2.ID != f1.ID || f2.Name != "first.999" || !f2.CreatedAt.Equal(f1.CreatedAt) || !bytes.Equal(f2.Bytes, body) {
		t.Fatalf("second archive = %+v, %v; want the first record", f2, created)
	}
	f3, created, err := s.ArchiveFile(ctx, gateway.File{Direction: gateway.Outbound, PayerID: "SIMPAYER", Bytes: body})
	ok(t, err)
	if !created || f3.ID == f1.ID || f3.Kind != gateway.KindUnknown {
		t.Fatalf("other direction = %+v, %v", f3, created)
	}
	_, _, err = s.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, Bytes: body, SHA256: strings.Repeat("0", 64)})
	wantErr(t, err, gateway.ErrInvalid)
	_, _, err = s.ArchiveFile(ctx, gateway.File{Direction: "sideways", Bytes: body})
	wantErr(t, err, gateway.ErrInvalid)

	got, err := s.GetFile(ctx, f1.ID)
	ok(t, err)
	if !bytes.Equal(got.Bytes, body) || got.Kind != gateway.Kind999 {
		t.Fatalf("GetFile = %+v", got)
	}
	ok(t, s.SetFileStatus(ctx, f1.ID, gateway.FileQuarantined, "AK9 missing"))
	wantErr(t, s.SetFileStatus(ctx, f1.ID, "eaten", ""), gateway.ErrInvalid)
	wantErr(t, s.SetFileStatus(ctx, 999999, gateway.FileProcessed, ""), gateway.ErrNotFound)
	list, err := s.ListFiles(ctx, gateway.FileFilter{Direction: gateway.Inbound})
	ok(t, err)
	if len(list) != 1 || list[0].ID != f1.ID || list[0].Bytes != nil || list[0].Status != gateway.FileQuarantined || list[0].Reason != "AK9 missing" {
		t.Fatalf("ListFiles inbound = %+v", list)
	}
	list, err = s.ListFiles(ctx, gateway.FileFilter{})
	ok(t, err)
	if len(list) != 2 || list[0].ID != f3.ID {
		t.Fatalf("ListFiles = %+v", list)
	}
	list, err = s.ListFiles(ctx, gateway.FileFilter{BeforeID: f3.ID})
	ok(t, err)
	if len(list) != 1 || list[0].ID != f1.ID {
		t.Fatalf("ListFiles before %d = %+v", f3.ID, list)
	}
}

func testFileArchiveConcurrent(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	body := []byte("the same remittance fetched by two replicas")
	const n = 6
	var wg sync.WaitGroup
	ids := make([]int64, n)
	createdCount := make([]bool, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.WithTx(ctx, func(tx gateway.Tx) error {
				f, created, err := tx.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, Kind: gateway.Kind835, Bytes: body})
				ids[i], createdCount[i] = f.ID, created
				return err
			})
		}()
	}
	wg.Wait()
	created := 0
	for i := 0; i < n; i++ {
		ok(t, errs[i])
		if ids[i] != ids[0] {
			t.Fatalf("concurrent archives returned ids %v", ids)
		}
		if createdCount[i] {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("%d archives report created, want 1", created)
	}
}

func testBatches(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	b, err := s.CreateBatch(ctx, gateway.Batch{PayerID: "SIMPAYER", ISA13: 101, GS06: 7, ClaimCount: 3})
	ok(t, err)
	if b.ID == 0 || b.Status != gateway.BatchBuilding || b.CreatedAt.IsZero() {
		t.Fatalf("CreateBatch = %+v", b)
	}
	_, err = s.CreateBatch(ctx, gateway.Batch{PayerID: "SIMPAYER", ISA13: 101, GS06: 8})
	wantErr(t, err, gateway.ErrConflict) // ISA13 unique per payer
	_, err = s.CreateBatch(ctx, gateway.Batch{PayerID: ""})
	wantErr(t, err, gateway.ErrInvalid)
	f, _, err := s.ArchiveFile(ctx, gateway.File{Direction: gateway.Outbound, PayerID: "SIMPAYER", Kind: gateway.Kind837, Bytes: []byte("ISA~"), Status: gateway.FilePending})
	ok(t, err)
	up := time.Date(2026, 11, 22, 10, 5, 0, 123456789, time.UTC)
	b.Status, b.FileID, b.RemoteName, b.UploadedAt = gateway.BatchUploaded, &f.ID, "CG000000101.837", &up
	u, err := s.UpdateBatch(ctx, b)
	ok(t, err)
	got, err := s.GetBatch(ctx, b.ID)
	ok(t, err)
	if got.Status != gateway.BatchUploaded || got.FileID == nil || *got.FileID != f.ID || got.RemoteName != "CG000000101.837" ||
		got.UploadedAt == nil || !got.UploadedAt.Equal(up.Truncate(time.Microsecond)) || got.ClaimCount != 3 || got.ISA13 != 101 || got.GS06 != 7 {
		t.Fatalf("GetBatch = %+v (update returned %+v)", got, u)
	}
	wantErr(t, func() error {
		_, err := s.UpdateBatch(ctx, gateway.Batch{ID: 424242, Status: gateway.BatchFailed})
		return err
	}(), gateway.ErrNotFound)
	wantErr(t, func() error { b.Status = "lost"; _, err := s.UpdateBatch(ctx, b); return err }(), gateway.ErrInvalid)
	_, err = s.GetBatch(ctx, 424242)
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.CreateBatch(ctx, gateway.Batch{PayerID: "OTHER", ISA13: 101, GS06: 1, Status: gateway.BatchReady})
	ok(t, err)
	list, err := s.ListBatches(ctx, gateway.BatchFilter{PayerID: "SIMPAYER"})
	ok(t, err)
	if len(list) != 1 || list[0].ID != b.ID {
		t.Fatalf("ListBatches payer = %+v", list)
	}
	list, err = s.ListBatches(ctx, gateway.BatchFilter{Status: gateway.BatchReady})
	ok(t, err)
	if len(list) != 1 || list[0].PayerID != "OTHER" {
		t.Fatalf("ListBatches status = %+v", list)
	}
}

func testControlNumbers(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	steps := []struct {
		payer, kind string
		n           int
		want        int64
	}{
		{"SIMPAYER", gateway.CounterISA, 1, 1},
		{"SIMPAYER", gateway.CounterISA, 1, 2},
		{"SIMPAYER", gateway.CounterST, 5, 1}, // kinds count separately
		{"SIMPAYER", gateway.CounterST, 2, 6},
		{"OTHER", gateway.CounterISA, 1, 1}, // payers count separately
		{"SIMPAYER", gateway.CounterISA, 10, 3},
		{"SIMPAYER", gateway.CounterISA, 1, 13},
	}
	for i, st := range steps {
		got, err := s.NextControlNumbers(ctx, st.payer, st.kind, st.n)
		ok(t, err)
		if got != st.want {
			t.Fatalf("step %d: NextControlNumbers(%s, %s, %d) = %d, want %d", i, st.payer, st.kind, st.n, got, st.want)
		}
	}
	_, err := s.NextControlNumbers(ctx, "SIMPAYER", gateway.CounterISA, 0)
	wantErr(t, err, gateway.ErrInvalid)
	_, err = s.NextControlNumbers(ctx, "", gateway.CounterISA, 1)
	wantErr(t, err, gateway.ErrInvalid)
}

func testControlNumbersConcurrent(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	const workers, each = 4, 100
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				var first int64
				err := s.WithTx(ctx, func(tx gateway.Tx) (err error) {
					first, err = tx.NextControlNumbers(ctx, "SIMPAYER", gateway.CounterISA, 1)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				seen[first]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != workers*each {
		t.Fatalf("%d distinct control numbers for %d allocations", len(seen), workers*each)
	}
	for v, n := range seen {
		if n != 1 || v < 1 || v > workers*each {
			t.Fatalf("control number %d handed out %d times (range 1..%d)", v, n, workers*each)
		}
	}
}

// IntegrityChecker is implemented by stores that can report rows breaking references the
// schema leaves unenforced (storage/sqlstore.Store.CheckIntegrity).
type IntegrityChecker interface {
	CheckIntegrity(ctx context.Context) ([]string, error)
}

// checkIntegrity fails the test when the store holds orphan rows after a scenario.
func checkIntegrity(t *testing.T, s gateway.Store) {
	t.Helper()
	c, ok := s.(IntegrityChecker)
	if !ok {
		return
	}
	problems, err := c.CheckIntegrity(context.Background())
	if err != nil {
		t.Errorf("integrity check: %v", err)
		return
	}
	for _, p := range problems {
		t.Errorf("integrity: %s", p)
	}
}
