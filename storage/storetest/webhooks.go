package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// webhookSubmitter creates a submitter with a webhook URL and secret.
func webhookSubmitter(t testing.TB, s gateway.Store, name string) gateway.Submitter {
	t.Helper()
	sub := newSubmitter(t, s, name)
	ok(t, s.SetSubmitterWebhook(context.Background(), name, "https://"+name+".example/hooks", "secret-"+name))
	return sub
}

// outbox returns every delivery of a submitter, oldest first.
func outbox(t testing.TB, s gateway.Store, submitterID int64) []gateway.WebhookDelivery {
	t.Helper()
	var all []gateway.WebhookDelivery
	f := gateway.WebhookDeliveryFilter{SubmitterID: submitterID, Limit: 1000}
	for {
		page, err := s.ListWebhookDeliveries(context.Background(), f)
		ok(t, err)
		all = append(all, page.Deliveries...)
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	return all
}

func eventTypes(ds []gateway.WebhookDelivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Type
	}
	return out
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// testWebhookClaimEvents: every status transition that maps to an event writes one outbox row
// for a submitter with a webhook, in order, with a stable id and the claim event attached; the
// statuses that map to nothing and submitters without a webhook write none.
func testWebhookClaimEvents(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	hooked := webhookSubmitter(t, s, "hooked")
	plain := newSubmitter(t, s, "plain")

	path := []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted999,
		gateway.StatusAccepted277, gateway.StatusDenied, gateway.StatusPaid, gateway.StatusReversed, gateway.StatusPartiallyPaid}
	var want []string
	for _, st := range path {
		if e := gateway.WebhookEventForStatus(st); e != "" {
			want = append(want, e)
		}
	}
	run := func(sub gateway.Submitter, ext string) gateway.Claim {
		c, err := s.CreateClaim(ctx, claimFor(sub, ext), gateway.EventInput{Source: "intake"})
		ok(t, err)
		b, err := s.CreateBatch(ctx, gateway.Batch{PayerID: "SIMPAYER", ISA13: int64(len(ext) + int(sub.ID)*100), GS06: 1})
		ok(t, err)
		for i, st := range path {
			ev := gateway.EventInput{Source: "test", Reason: "step " + string(st)}
			if st == gateway.StatusBatched {
				ev.BatchID = &b.ID
			}
			if st == gateway.StatusDenied {
				ev.Detail = json.RawMessage(`{"codes":["CO-16","N290"]}`)
			}
			if _, err := s.TransitionClaim(ctx, c.ID, st, ev); err != nil {
				t.Fatalf("step %d %s: %v", i, st, err)
			}
		}
		return c
	}
	c := run(hooked, "ENC-H")
	run(plain, "ENC-PLAIN")

	ds := outbox(t, s, hooked.ID)
	if !sameStrings(eventTypes(ds), want) {
		t.Fatalf("outbox events = %v, want %v", eventTypes(ds), want)
	}
	evs, err := s.ClaimEvents(ctx, c.ID)
	ok(t, err)
	bySeq := map[int]gateway.ClaimEvent{}
	for _, e := range evs {
		bySeq[e.Seq] = e
	}
	for i, d := range ds {
		if d.ClaimEvent == nil {
			t.Fatalf("delivery %s has no claim event", d.ID)
		}
		e := bySeq[d.ClaimEvent.Seq]
		if d.ID != fmt.Sprintf("whd_%s_%d", c.ID, e.Seq) || d.ClaimID != c.ID || d.SubmitterID != hooked.ID ||
			d.State != gateway.WebhookPending || d.Attempts != 0 || d.NextAttemptAt != nil ||
			gateway.WebhookEventForStatus(d.ClaimEvent.To) != d.Type || d.ClaimEvent.To != e.To || d.ClaimEvent.From != e.From ||
			!d.CreatedAt.Equal(e.At) || !d.ClaimEvent.At.Equal(e.At) {
			t.Fatalf("delivery %d = %+v (event %+v), claim event %+v", i, d, *d.ClaimEvent, e)
		}
		if i > 0 && d.Seq <= ds[i-1].Seq {
			t.Fatalf("outbox order: %d after %d", d.Seq, ds[i-1].Seq)
		}
		if d.Type == gateway.EventClaimDenied {
			var detail struct{ Codes []string }
			ok(t, json.Unmarshal(d.ClaimEvent.Detail, &detail))
			if !sameStrings(detail.Codes, []string{"CO-16", "N290"}) {
				t.Fatalf("denied event detail = %s", d.ClaimEvent.Detail)
			}
		}
		got, err := s.GetWebhookDelivery(ctx, d.ID, hooked.ID)
		ok(t, err)
		if got.ID != d.ID || got.ClaimEvent == nil || got.ClaimEvent.Seq != d.ClaimEvent.Seq {
			t.Fatalf("GetWebhookDelivery = %+v", got)
		}
		_, err = s.GetWebhookDelivery(ctx, d.ID, plain.ID)
		wantErr(t, err, gateway.ErrNotFound)
	}
	if n := len(outbox(t, s, plain.ID)); n != 0 {
		t.Fatalf("submitter without webhook has %d outbox rows", n)
	}

	// Every status: the store's table agrees with gateway.WebhookEventForStatus. Each status is
	// entered by a claim of its own: created queued, then moved along a legal path.
	routes := map[gateway.ClaimStatus][]gateway.ClaimStatus{
		gateway.StatusRejected999: {gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusRejected999},
		gateway.StatusRejected277: {gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusRejected277},
		gateway.StatusPended:      {gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusPended},
		gateway.StatusForwarded:   {gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusForwarded},
		gateway.StatusVoided:      {gateway.StatusVoided},
		gateway.StatusReplaced:    {gateway.StatusReplaced},
	}
	for st, steps := range routes {
		sub := webhookSubmitter(t, s, "route-"+string(st))
		c, err := s.CreateClaim(ctx, claimFor(sub, "ENC-"+string(st)), gateway.EventInput{})
		ok(t, err)
		var wantTypes []string
		for _, to := range steps {
			ev := gateway.EventInput{}
			if to == gateway.StatusBatched {
				b, err := s.CreateBatch(ctx, gateway.Batch{PayerID: "SIMPAYER", ISA13: 5000 + sub.ID, GS06: 1})
				ok(t, err)
				ev.BatchID = &b.ID
			}
			_, err := s.TransitionClaim(ctx, c.ID, to, ev)
			ok(t, err)
			if e := gateway.WebhookEventForStatus(to); e != "" {
				wantTypes = append(wantTypes, e)
			}
		}
		if got := eventTypes(outbox(t, s, sub.ID)); !sameStrings(got, wantTypes) {
			t.Fatalf("path to %s: outbox %v, want %v", st, got, wantTypes)
		}
	}

	// Removing the webhook stops new rows.
	ok(t, s.SetSubmitterWebhook(ctx, "hooked", "", ""))
	c2, err := s.CreateClaim(ctx, claimFor(hooked, "ENC-H2"), gateway.EventInput{})
	ok(t, err)
	_, err = s.TransitionClaim(ctx, c2.ID, gateway.StatusVoided, gateway.EventInput{})
	ok(t, err)
	if n := len(outbox(t, s, hooked.ID)); n != len(want) {
		t.Fatalf("after removing the webhook: %d rows, want %d", n, len(want))
	}
}

// testWebhookBulkSubmitted: the bulk batch moves (FinishBatchUpload) write claim.submitted for
// every claim of a submitter with a webhook, in the same transaction.
func testWebhookBulkSubmitted(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	hooked := webhookSubmitter(t, s, "hooked")
	plain := newSubmitter(t, s, "plain")
	var ids []string
	for i := range 6 {
		sub := hooked
		if i%3 == 2 {
			sub = plain
		}
		c, err := s.CreateClaim(ctx, claimFor(sub, fmt.Sprintf("ENC-%d", i)), gateway.EventInput{})
		ok(t, err)
		ids = append(ids, c.ID)
	}
	b, err := s.CreateBatch(ctx, gateway.Batch{PayerID: "SIMPAYER", ISA13: 77, GS06: 77})
	ok(t, err)
	n, err := s.MarkClaimsBatched(ctx, b.ID, ids, gateway.EventInput{Source: "batch"})
	ok(t, err)
	if n != len(ids) {
		t.Fatalf("batched %d", n)
	}
	// A failed transaction around the upload leaves no row.
	boom := errors.New("boom")
	err = s.WithTx(ctx, func(tx gateway.Tx) error {
		if _, _, err := tx.FinishBatchUpload(ctx, b.ID, time.Time{}, gateway.EventInput{Source: "upload"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx = %v", err)
	}
	if n := len(outbox(t, s, hooked.ID)); n != 0 {
		t.Fatalf("rolled back upload left %d outbox rows", n)
	}
	moved, _, err := s.FinishBatchUpload(ctx, b.ID, time.Time{}, gateway.EventInput{Source: "upload"})
	ok(t, err)
	if moved != len(ids) {
		t.Fatalf("submitted %d", moved)
	}
	ds := outbox(t, s, hooked.ID)
	if len(ds) != 4 {
		t.Fatalf("outbox rows = %d, want 4: %v", len(ds), eventTypes(ds))
	}
	for _, d := range ds {
		if d.Type != gateway.EventClaimSubmitted || d.ClaimEvent == nil || d.ClaimEvent.To != gateway.StatusSubmitted {
			t.Fatalf("bulk delivery = %+v", d)
		}
	}
	if n := len(outbox(t, s, plain.ID)); n != 0 {
		t.Fatalf("submitter without webhook has %d rows", n)
	}

	// The remittance bulk path (ApplyClaimMoves: COPY on Postgres) writes claim.paid and
	// claim.denied the same way, with the detail's codes.
	var moves []gateway.ClaimMove
	for i, id := range ids {
		to := gateway.StatusPaid
		if i%2 == 1 {
			to = gateway.StatusDenied
		}
		moves = append(moves, gateway.ClaimMove{ClaimID: id, From: gateway.StatusSubmitted, To: to,
			Event: gateway.EventInput{Source: "remittance:1", Detail: json.RawMessage(`{"codes":["CO-50"]}`)}})
	}
	ok(t, s.WithTx(ctx, func(tx gateway.Tx) error { return tx.ApplyClaimMoves(ctx, moves) }))
	ds = outbox(t, s, hooked.ID)
	want := []string{}
	for i := range ids {
		if i%3 == 2 {
			continue // the plain submitter's claims
		}
		if i%2 == 1 {
			want = append(want, gateway.EventClaimDenied)
		} else {
			want = append(want, gateway.EventClaimPaid)
		}
	}
	var got []string
	for _, d := range ds[4:] {
		got = append(got, d.Type)
		if d.ClaimEvent == nil || string(d.ClaimEvent.Detail) == "" {
			t.Fatalf("bulk remittance delivery without its event: %+v", d)
		}
	}
	// Deliveries of one batch of moves come out in claim order within the statement; compare
	// as multisets.
	count := func(xs []string) map[string]int {
		m := map[string]int{}
		for _, x := range xs {
			m[x]++
		}
		return m
	}
	if fmt.Sprint(count(got)) != fmt.Sprint(count(want)) {
		t.Fatalf("remittance moves wrote %v, want %v", got, want)
	}
	if n := len(outbox(t, s, plain.ID)); n != 0 {
		t.Fatalf("submitter without webhook has %d rows", n)
	}
}

// testWebhookRollback: a rolled back transition or enqueue leaves no outbox row.
func testWebhookRollback(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := webhookSubmitter(t, s, "hooked")
	c, err := s.CreateClaim(ctx, claimFor(sub, "ENC-1"), gateway.EventInput{})
	ok(t, err)
	b, err := s.CreateBatch(ctx, gateway.Batch{PayerID: "SIMPAYER", ISA13: 1, GS06: 1})
	ok(t, err)
	_, err = s.TransitionClaim(ctx, c.ID, gateway.StatusBatched, gateway.EventInput{BatchID: &b.ID})
	ok(t, err)
	boom := errors.New("boom")
	err = s.WithTx(ctx, func(tx gateway.Tx) error {
		if _, err := tx.TransitionClaim(ctx, c.ID, gateway.StatusSubmitted, gateway.EventInput{}); err != nil {
			return err
		}
		if _, created, err := tx.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID, ClaimID: c.ID,
			Type: gateway.EventRemittanceReceived, Payload: json.RawMessage(`{"remittance_id":1}`)}); err != nil || !created {
			return fmt.Errorf("enqueue: %v %v", created, err)
		}
		page, err := tx.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{SubmitterID: sub.ID})
		if err != nil {
			return err
		}
		if len(page.Deliveries) != 2 {
			return fmt.Errorf("inside the transaction: %d rows, want 2", len(page.Deliveries))
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx = %v", err)
	}
	if ds := outbox(t, s, sub.ID); len(ds) != 0 {
		t.Fatalf("rollback left %v", eventTypes(ds))
	}
	got, err := s.GetClaim(ctx, c.ID, 0)
	ok(t, err)
	if got.Status != gateway.StatusBatched {
		t.Fatalf("status after rollback = %s", got.Status)
	}
}

// testWebhookEnqueue: the validation of EnqueueWebhook and the rows it writes.
func testWebhookEnqueue(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := webhookSubmitter(t, s, "hooked")
	other := webhookSubmitter(t, s, "other")
	plain := newSubmitter(t, s, "plain")
	c, err := s.CreateClaim(ctx, claimFor(sub, "ENC-1"), gateway.EventInput{})
	ok(t, err)
	payload := json.RawMessage(`{"denial_id":7,"category":"coding"}`)
	at := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)

	bad := []struct {
		name string
		e    gateway.WebhookEvent
	}{
		{"unknown type", gateway.WebhookEvent{SubmitterID: sub.ID, Type: "claim.exploded", Payload: payload}},
		{"array payload", gateway.WebhookEvent{SubmitterID: sub.ID, Type: gateway.EventDenialCreated, Payload: json.RawMessage(`[1]`)}},
		{"broken payload", gateway.WebhookEvent{SubmitterID: sub.ID, Type: gateway.EventDenialCreated, Payload: json.RawMessage(`{"a":`)}},
		{"no payload", gateway.WebhookEvent{SubmitterID: sub.ID, Type: gateway.EventDenialCreated}},
		{"unknown submitter", gateway.WebhookEvent{SubmitterID: 999999, Type: gateway.EventDenialCreated, Payload: payload}},
		{"unknown claim", gateway.WebhookEvent{SubmitterID: sub.ID, ClaimID: "0000000000ZZZZZZZ", Type: gateway.EventDenialCreated, Payload: payload}},
		{"another submitter's claim", gateway.WebhookEvent{SubmitterID: other.ID, ClaimID: c.ID, Type: gateway.EventDenialCreated, Payload: payload}},
	}
	for _, tc := range bad {
		_, _, err := s.EnqueueWebhook(ctx, tc.e)
		if !errors.Is(err, gateway.ErrInvalid) {
			t.Errorf("%s: error = %v, want ErrInvalid", tc.name, err)
		}
	}
	d, created, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: plain.ID, Type: gateway.EventRemittanceReceived, Payload: payload})
	ok(t, err)
	if created || d.ID != "" {
		t.Fatalf("submitter without webhook: created=%v %+v", created, d)
	}
	d, created, err = s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID, ClaimID: c.ID, Type: gateway.EventDenialCreated, Payload: payload, At: at})
	ok(t, err)
	if !created || len(d.ID) != len(gateway.WebhookDeliveryPrefix)+26 || d.State != gateway.WebhookPending || !d.CreatedAt.Equal(at) {
		t.Fatalf("enqueued = %+v", d)
	}
	got, err := s.GetWebhookDelivery(ctx, d.ID, sub.ID)
	ok(t, err)
	if got.Type != gateway.EventDenialCreated || got.ClaimID != c.ID || got.ClaimEvent != nil || !got.CreatedAt.Equal(at) {
		t.Fatalf("stored = %+v", got)
	}
	var p map[string]any
	ok(t, json.Unmarshal(got.Payload, &p))
	if p["category"] != "coding" || p["denial_id"] != float64(7) {
		t.Fatalf("payload = %s", got.Payload)
	}
	d2, _, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID, Type: gateway.EventRemittanceReceived, Payload: json.RawMessage(`{"remittance_id":3}`)})
	ok(t, err)
	if d2.ClaimID != "" || d2.ID == d.ID {
		t.Fatalf("second = %+v", d2)
	}
	depth, err := s.WebhookOutboxDepth(ctx)
	ok(t, err)
	if depth != 2 {
		t.Fatalf("outbox depth = %d, want 2", depth)
	}
}

// testWebhookClaimingOrder: per claim one delivery at a time, in order; leases; attempts;
// failed deliveries do not block; another owner cannot record.
func testWebhookClaimingOrder(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := webhookSubmitter(t, s, "hooked")
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var claims []gateway.Claim
	for i := range 2 {
		c, err := s.CreateClaim(ctx, claimFor(sub, fmt.Sprintf("ENC-%d", i)), gateway.EventInput{})
		ok(t, err)
		claims = append(claims, c)
		for j := range 3 {
			_, _, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID, ClaimID: c.ID,
				Type: gateway.EventDenialCreated, Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, j)), At: now})
			ok(t, err)
		}
	}
	_, _, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID, Type: gateway.EventRemittanceReceived,
		Payload: json.RawMessage(`{"remittance_id":1}`), At: now})
	ok(t, err)
	all := outbox(t, s, sub.ID)
	first := map[string]string{} // claim -> id of its first delivery
	for _, d := range all {
		if _, seen := first[d.ClaimID]; !seen {
			first[d.ClaimID] = d.ID
		}
	}

	_, err = s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "", Now: now, Limit: 10, Lease: time.Minute})
	wantErr(t, err, gateway.ErrInvalid)
	got, err := s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "w1", Now: now, Limit: 10, Lease: time.Minute})
	ok(t, err)
	// One per claim (the first) plus the claimless one.
	if len(got) != 3 {
		t.Fatalf("claimed %d: %v", len(got), got)
	}
	for _, d := range got {
		if d.ID != first[d.ClaimID] || d.URL != "https://hooked.example/hooks" || d.Secret != "secret-hooked" {
			t.Fatalf("claimed %+v, want the first of claim %q", d, d.ClaimID)
		}
	}
	leased, err := s.GetWebhookDelivery(ctx, got[0].ID, 0)
	ok(t, err)
	if leased.LeaseOwner != "w1" || leased.LeaseUntil == nil || !leased.LeaseUntil.Equal(now.Add(time.Minute)) {
		t.Fatalf("lease = %q until %v", leased.LeaseOwner, leased.LeaseUntil)
	}
	// Leased: nothing more for anyone until the lease ends.
	more, err := s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "w2", Now: now.Add(30 * time.Second), Limit: 10, Lease: time.Minute})
	ok(t, err)
	if len(more) != 0 {
		t.Fatalf("leased rows claimed again: %v", more)
	}
	// Another owner cannot record an attempt.
	_, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: got[0].ID, Owner: "w2", At: now, State: gateway.WebhookDelivered, Status: 200})
	wantErr(t, err, gateway.ErrConflict)
	_, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: got[0].ID, Owner: "w1", At: now, State: gateway.WebhookPending})
	wantErr(t, err, gateway.ErrInvalid) // a retry needs its time

	byClaim := map[string]gateway.WebhookDelivery{}
	for _, d := range got {
		byClaim[d.ClaimID] = d
	}
	a, b, none := byClaim[claims[0].ID], byClaim[claims[1].ID], byClaim[""]
	// Claim A: delivered. Claim B: retry in 5 minutes. Claimless: failed for good.
	d, err := s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: a.ID, Owner: "w1", At: now, Status: 204, State: gateway.WebhookDelivered})
	ok(t, err)
	if d.State != gateway.WebhookDelivered || d.Attempts != 1 || d.LastStatus != 204 || d.DeliveredAt == nil || !d.DeliveredAt.Equal(now) ||
		d.FirstAttemptAt == nil || !d.FirstAttemptAt.Equal(now) {
		t.Fatalf("delivered = %+v", d)
	}
	_, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: a.ID, Owner: "w1", At: now, Status: 204, State: gateway.WebhookDelivered})
	wantErr(t, err, gateway.ErrConflict) // already finished
	retryAt := now.Add(5 * time.Minute)
	d, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: b.ID, Owner: "w1", At: now, Status: 503,
		Error: "HTTP 503", State: gateway.WebhookPending, NextAttemptAt: retryAt})
	ok(t, err)
	if d.State != gateway.WebhookPending || d.Attempts != 1 || d.LastStatus != 503 || d.LastError != "HTTP 503" ||
		d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(retryAt) {
		t.Fatalf("retry = %+v", d)
	}
	d, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: none.ID, Owner: "w1", At: now, Error: "connection refused", State: gateway.WebhookFailed})
	ok(t, err)
	if d.State != gateway.WebhookFailed || d.NextAttemptAt != nil {
		t.Fatalf("failed = %+v", d)
	}

	// Now: claim A's second event is due; claim B waits for its retry and blocks its later events.
	got, err = s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "w1", Now: now.Add(time.Second), Limit: 10, Lease: time.Minute})
	ok(t, err)
	if len(got) != 1 || got[0].ClaimID != claims[0].ID || got[0].Seq <= a.Seq {
		t.Fatalf("after one delivery: %+v", got)
	}
	a2 := got[0]
	// Releasing the lease makes it claimable at once by another owner.
	n, err := s.ReleaseWebhookLeases(ctx, "w1")
	ok(t, err)
	if n != 1 {
		t.Fatalf("released %d", n)
	}
	got, err = s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "w2", Now: now.Add(2 * time.Second), Limit: 10, Lease: time.Minute})
	ok(t, err)
	if len(got) != 1 || got[0].ID != a2.ID {
		t.Fatalf("after release: %+v", got)
	}
	// An expired lease is taken over too.
	got, err = s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "w3", Now: now.Add(2 * time.Minute), Limit: 10, Lease: time.Minute})
	ok(t, err)
	if len(got) != 1 || got[0].ID != a2.ID {
		t.Fatalf("after lease expiry: %+v", got)
	}
	_, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: a2.ID, Owner: "w2", At: now, State: gateway.WebhookDelivered})
	wantErr(t, err, gateway.ErrConflict) // w2 lost its lease to w3
	_, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: a2.ID, Owner: "w3", At: now, Status: 200, State: gateway.WebhookDelivered})
	ok(t, err)
	// Claim B's first event fails for good: its next event is no longer blocked.
	got, err = s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "w4", Now: retryAt, Limit: 10, Lease: time.Minute})
	ok(t, err)
	if len(got) != 2 || got[0].ClaimID != claims[0].ID || got[0].Seq <= a2.Seq || got[1].ID != b.ID || got[1].Attempts != 1 {
		t.Fatalf("at the retry time: %+v", got)
	}
	_, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: b.ID, Owner: "w4", At: retryAt, Status: 500, State: gateway.WebhookFailed})
	ok(t, err)
	_, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: got[0].ID, Owner: "w4", At: retryAt, Status: 200, State: gateway.WebhookDelivered})
	ok(t, err)
	got, err = s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "w4", Now: retryAt, Limit: 10, Lease: time.Minute})
	ok(t, err)
	if len(got) != 1 || got[0].ClaimID != claims[1].ID || got[0].Seq <= b.Seq {
		t.Fatalf("after a failed delivery: %+v", got)
	}

	// Filters and pagination.
	page, err := s.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{SubmitterID: sub.ID, State: gateway.WebhookFailed})
	ok(t, err)
	if len(page.Deliveries) != 2 {
		t.Fatalf("failed = %d", len(page.Deliveries))
	}
	page, err = s.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{ClaimID: claims[0].ID, Limit: 2})
	ok(t, err)
	if len(page.Deliveries) != 2 || page.Next == "" || page.Deliveries[0].Seq < page.Deliveries[1].Seq {
		t.Fatalf("page 1 = %+v", page)
	}
	page2, err := s.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{ClaimID: claims[0].ID, Limit: 2, Cursor: page.Next})
	ok(t, err)
	if len(page2.Deliveries) != 1 || page2.Next != "" || page2.Deliveries[0].Seq >= page.Deliveries[1].Seq {
		t.Fatalf("page 2 = %+v", page2)
	}
	_, err = s.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{Cursor: "!!"})
	wantErr(t, err, gateway.ErrInvalid)
	_, err = s.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{State: "lost"})
	wantErr(t, err, gateway.ErrInvalid)
	page, err = s.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{Type: gateway.EventRemittanceReceived})
	ok(t, err)
	if len(page.Deliveries) != 1 || page.Deliveries[0].ID != none.ID {
		t.Fatalf("by type = %+v", page.Deliveries)
	}

	// Retention: finished rows whose last attempt is older than the cut-off go, oldest first;
	// pending rows stay whatever their age.
	before := outbox(t, s, sub.ID)
	finished := map[string]time.Time{}
	pending := 0
	for _, d := range before {
		if d.State == gateway.WebhookPending {
			pending++
		} else {
			finished[d.ID] = *d.LastAttemptAt
		}
	}
	_, err = s.PurgeWebhookDeliveries(ctx, now, 0)
	wantErr(t, err, gateway.ErrInvalid)
	n, err = s.PurgeWebhookDeliveries(ctx, now, 100) // nothing finished before now
	ok(t, err)
	if n != 0 {
		t.Fatalf("purged %d before the first attempt time", n)
	}
	n, err = s.PurgeWebhookDeliveries(ctx, retryAt.Add(time.Second), 2)
	ok(t, err)
	if n != 2 {
		t.Fatalf("purged %d, want the limit 2", n)
	}
	n, err = s.PurgeWebhookDeliveries(ctx, retryAt.Add(time.Second), 100)
	ok(t, err)
	if n != len(finished)-2 {
		t.Fatalf("purged %d, want %d", n, len(finished)-2)
	}
	after := outbox(t, s, sub.ID)
	if len(after) != pending {
		t.Fatalf("after purging: %d rows, want the %d pending", len(after), pending)
	}
	for _, d := range after {
		if d.State != gateway.WebhookPending {
			t.Fatalf("kept %+v", d)
		}
	}
}

// testWebhookClaimDisjoint: concurrent claimers never get the same delivery, nor two
// deliveries of one claim.
func testWebhookClaimDisjoint(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := webhookSubmitter(t, s, "hooked")
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const claims, perClaim = 20, 3
	for i := range claims {
		c, err := s.CreateClaim(ctx, claimFor(sub, fmt.Sprintf("ENC-%d", i)), gateway.EventInput{})
		ok(t, err)
		for j := range perClaim {
			_, _, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID, ClaimID: c.ID,
				Type: gateway.EventDenialCreated, Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, j)), At: now})
			ok(t, err)
		}
	}
	var mu sync.Mutex
	seen := map[string]string{}    // delivery -> owner
	claimed := map[string]string{} // claim -> owner
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("w%d", w)
			got, err := s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: owner, Now: now, Limit: 5, Lease: time.Minute})
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, d := range got {
				if o, dup := seen[d.ID]; dup {
					errs <- fmt.Errorf("delivery %s claimed by %s and %s", d.ID, o, owner)
				}
				if o, dup := claimed[d.ClaimID]; dup {
					errs <- fmt.Errorf("claim %s has deliveries leased to %s and %s", d.ClaimID, o, owner)
				}
				seen[d.ID], claimed[d.ClaimID] = owner, owner
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != claims {
		t.Fatalf("claimed %d deliveries, want one per claim (%d)", len(seen), claims)
	}
}

// testWebhookPerSubmitterCap: submitters take turns, so a backlog does not go first just because
// it is older; with a per-submitter cap, a submitter gets at most the cap in flight (leases of
// every owner counted); finished or expired leases make room again.
func testWebhookPerSubmitterCap(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	busy := webhookSubmitter(t, s, "busy")
	quiet := webhookSubmitter(t, s, "quiet")
	enqueue := func(sub gateway.Submitter, n int, at time.Time) {
		for i := range n {
			_, _, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID, Type: gateway.EventRemittanceReceived,
				Payload: json.RawMessage(fmt.Sprintf(`{"remittance_id":%d}`, i+1)), At: at})
			ok(t, err)
		}
	}
	enqueue(busy, 10, now.Add(-time.Minute)) // the backlog, older
	enqueue(quiet, 2, now)
	busyAll, quietAll := outbox(t, s, busy.ID), outbox(t, s, quiet.ID)
	claim := func(owner string, at time.Time, limit, per int) []gateway.WebhookDelivery {
		t.Helper()
		got, err := s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: owner, Now: at, Limit: limit, Lease: time.Minute, PerSubmitter: per})
		ok(t, err)
		return got
	}
	ids := func(ds []gateway.WebhookDelivery) []string {
		out := make([]string, len(ds))
		for i, d := range ds {
			out[i] = d.ID
		}
		sort.Strings(out)
		return out
	}
	want := func(what string, got []gateway.WebhookDelivery, wantDs ...gateway.WebhookDelivery) {
		t.Helper()
		if g, w := ids(got), ids(wantDs); fmt.Sprint(g) != fmt.Sprint(w) {
			t.Fatalf("%s: claimed %v, want %v", what, g, w)
		}
	}

	_, err := s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "w", Now: now, Limit: 1, Lease: time.Minute, PerSubmitter: -1})
	wantErr(t, err, gateway.ErrInvalid)

	// Turns: the first of each submitter, though the backlog is older.
	first := claim("w1", now, 2, 3)
	want("limit 2, cap 3", first, busyAll[0], quietAll[0])
	// One in flight each: the backlog offers two more (turns 2 and 3), the quiet submitter its
	// last one (turn 2).
	second := claim("w2", now, 10, 3)
	want("cap 3 with 1 in flight", second, busyAll[1], busyAll[2], quietAll[1])
	// At the cap, across owners: nothing more.
	want("at the cap", claim("w3", now, 10, 3))
	// Without a cap the backlog is taken, in its order.
	uncapped := claim("w3", now, 4, 0)
	want("no cap", uncapped, busyAll[3], busyAll[4], busyAll[5], busyAll[6])
	// A finished delivery makes room for one; so does a lease that ran out.
	_, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: first[0].ID, Owner: "w1", At: now, Status: 204,
		State: gateway.WebhookDelivered})
	ok(t, err)
	want("after one delivered", claim("w4", now, 10, 7), busyAll[7])
	later := now.Add(90 * time.Second) // every lease above has ended
	want("after the leases ended", claim("w5", later, 10, 2), busyAll[1], busyAll[2], quietAll[0], quietAll[1])
	checkIntegrity(t, s)
}

// testWebhookRetry: a failed delivery goes back in the outbox by hand, due at once with a fresh
// retry window; only failed deliveries, only the submitter's own.
func testWebhookRetry(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	sub := webhookSubmitter(t, s, "retried")
	other := webhookSubmitter(t, s, "other")
	d, _, err := s.EnqueueWebhook(ctx, gateway.WebhookEvent{SubmitterID: sub.ID, Type: gateway.EventRemittanceReceived,
		Payload: json.RawMessage(`{"remittance_id":1}`), At: now})
	ok(t, err)
	_, err = s.RetryWebhookDelivery(ctx, d.ID, sub.ID)
	wantErr(t, err, gateway.ErrConflict) // pending: nothing to retry
	got, err := s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "w1", Now: now, Limit: 1, Lease: time.Minute})
	ok(t, err)
	if len(got) != 1 {
		t.Fatalf("claimed %+v", got)
	}
	_, err = s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: d.ID, Owner: "w1", At: now, Status: 503,
		Error: "receiver answered 503", State: gateway.WebhookFailed})
	ok(t, err)

	_, err = s.RetryWebhookDelivery(ctx, d.ID, other.ID)
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.RetryWebhookDelivery(ctx, "whd_unknown", 0)
	wantErr(t, err, gateway.ErrNotFound)
	r, err := s.RetryWebhookDelivery(ctx, d.ID, sub.ID)
	ok(t, err)
	if r.State != gateway.WebhookPending || r.Attempts != 0 || r.NextAttemptAt != nil || r.FirstAttemptAt != nil ||
		r.LeaseOwner != "" || r.LastStatus != 503 || r.LastError != "receiver answered 503" {
		t.Fatalf("retried: %+v", r)
	}
	_, err = s.RetryWebhookDelivery(ctx, d.ID, 0)
	wantErr(t, err, gateway.ErrConflict) // pending again
	got, err = s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "w2", Now: now.Add(time.Hour), Limit: 5, Lease: time.Minute})
	ok(t, err)
	if len(got) != 1 || got[0].ID != d.ID {
		t.Fatalf("after the retry: %+v", got)
	}
	checkIntegrity(t, s)
}
