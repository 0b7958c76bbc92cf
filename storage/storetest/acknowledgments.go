package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

// Contract tests of gateway.AckTx (acknowledgments, claim acknowledgments, unmatched
// acknowledgments, rejection work items, batch and claim lookups, staleness).

// inboundFile archives an inbound acknowledgment file.
func inboundFile(t testing.TB, s gateway.Store, payer string, kind gateway.FileKind, body string) gateway.File {
	t.Helper()
	f, _, err := s.ArchiveFile(context.Background(), gateway.File{Direction: gateway.Inbound, PayerID: payer,
		Name: "in-" + body, Kind: kind, Bytes: []byte(body)})
	ok(t, err)
	return f
}

// moveClaim walks a claim through statuses, each event at the given time.
func moveClaim(t testing.TB, s gateway.Store, id string, at time.Time, to ...gateway.ClaimStatus) {
	t.Helper()
	for _, st := range to {
		_, err := s.TransitionClaim(context.Background(), id, st, gateway.EventInput{At: at, Source: "test"})
		ok(t, err)
	}
}

func testAckRecordAndList(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	f := inboundFile(t, s, "SIMPAYER", gateway.Kind999, "999-a")
	var batchID int64
	ok(t, s.WithTx(ctx, func(tx gateway.Tx) error {
		batchID = batchWithFile(t, tx, "SIMPAYER", 7, 0).ID
		return nil
	}))
	at := time.Date(2026, 11, 20, 8, 30, 0, 123456000, time.UTC)
	a, err := s.RecordAcknowledgment(ctx, gateway.Acknowledgment{FileID: f.ID, Ordinal: 0, Kind: gateway.Kind999,
		PayerID: "SIMPAYER", BatchID: &batchID, ControlNumber: "0001", RefControlNumber: "7", Status: "P",
		ReceivedAt: at, Detail: json.RawMessage(`{"sets": 2}`)})
	ok(t, err)
	if a.ID == 0 || a.BatchID == nil || *a.BatchID != batchID || !a.ReceivedAt.Equal(at) || a.Status != "P" {
		t.Fatalf("recorded %+v", a)
	}
	var detail map[string]int
	ok(t, json.Unmarshal(a.Detail, &detail))
	if detail["sets"] != 2 {
		t.Fatalf("detail %s", a.Detail)
	}
	_, err = s.RecordAcknowledgment(ctx, gateway.Acknowledgment{FileID: f.ID, Ordinal: 0, Kind: gateway.Kind999, PayerID: "SIMPAYER"})
	wantErr(t, err, gateway.ErrConflict)
	_, err = s.RecordAcknowledgment(ctx, gateway.Acknowledgment{FileID: f.ID, Ordinal: 1, Kind: gateway.Kind835, PayerID: "SIMPAYER"})
	wantErr(t, err, gateway.ErrInvalid)
	_, err = s.RecordAcknowledgment(ctx, gateway.Acknowledgment{FileID: f.ID, Ordinal: 1, Kind: gateway.KindTA1, PayerID: "SIMPAYER",
		Detail: json.RawMessage(`{`)})
	wantErr(t, err, gateway.ErrInvalid)
	b, err := s.RecordAcknowledgment(ctx, gateway.Acknowledgment{FileID: f.ID, Ordinal: 1, Kind: gateway.KindTA1, PayerID: "SIMPAYER",
		RefControlNumber: "000000007", Status: "A"})
	ok(t, err)
	if b.BatchID != nil || b.ReceivedAt.IsZero() || b.Detail != nil {
		t.Fatalf("second ack %+v", b)
	}
	got, err := s.GetAcknowledgment(ctx, a.ID)
	ok(t, err)
	if got.ID != a.ID || got.RefControlNumber != "7" {
		t.Fatalf("get %+v", got)
	}
	_, err = s.GetAcknowledgment(ctx, 99999)
	wantErr(t, err, gateway.ErrNotFound)

	list, err := s.ListAcknowledgments(ctx, gateway.AckFilter{FileID: f.ID})
	ok(t, err)
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Fatalf("list by file: %+v", list)
	}
	list, err = s.ListAcknowledgments(ctx, gateway.AckFilter{Kind: gateway.Kind999, BatchID: batchID})
	ok(t, err)
	if len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("list by kind and batch: %+v", list)
	}
	list, err = s.ListAcknowledgments(ctx, gateway.AckFilter{PayerID: "SIMPAYER", BeforeID: b.ID})
	ok(t, err)
	if len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("list before %d: %+v", b.ID, list)
	}
	list, err = s.ListAcknowledgments(ctx, gateway.AckFilter{PayerID: "OTHER"})
	ok(t, err)
	if len(list) != 0 {
		t.Fatalf("other payer: %+v", list)
	}
}

func testClaimAcksInOrder(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	c, err := s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
	f := inboundFile(t, s, "SIMPAYER", gateway.Kind277CA, "277-a")
	ack, err := s.RecordAcknowledgment(ctx, gateway.Acknowledgment{FileID: f.ID, Kind: gateway.Kind277CA, PayerID: "SIMPAYER"})
	ok(t, err)
	inputs := []gateway.ClaimAcknowledgment{
		{Outcome: gateway.AckAccepted, Codes: []string{"A1:20"}, Sentences: []string{"received"},
			From: gateway.StatusSubmitted, To: gateway.StatusAccepted277},
		{Outcome: gateway.AckRejected, Codes: []string{"A7:562:85", "A7:21"}, Sentences: []string{"bad npi", "missing"},
			PayerClaimNumber: "PCN1", From: gateway.StatusAccepted277, To: gateway.StatusRejected277},
		{Outcome: gateway.AckOther, From: gateway.StatusRejected277, Note: "status kept"},
	}
	for i, in := range inputs {
		in.ClaimID, in.AckID, in.Kind = c.ID, ack.ID, gateway.Kind277CA
		got, err := s.AddClaimAcknowledgment(ctx, in)
		ok(t, err)
		if got.Seq != i+1 || got.ID == 0 || got.At.IsZero() {
			t.Fatalf("claim ack %d: %+v", i, got)
		}
	}
	list, err := s.ClaimAcknowledgments(ctx, c.ID)
	ok(t, err)
	if len(list) != 3 {
		t.Fatalf("claim acks: %+v", list)
	}
	for i, got := range list {
		want := inputs[i]
		if want.Codes == nil {
			want.Codes = []string{}
		}
		if want.Sentences == nil {
			want.Sentences = []string{}
		}
		if want.To == "" {
			want.To = want.From
		}
		if got.Seq != i+1 || !reflect.DeepEqual(got.Codes, want.Codes) || !reflect.DeepEqual(got.Sentences, want.Sentences) ||
			got.From != want.From || got.To != want.To || got.PayerClaimNumber != want.PayerClaimNumber || got.Note != want.Note ||
			got.Outcome != want.Outcome || got.Kind != gateway.Kind277CA {
			t.Fatalf("claim ack %d = %+v, want %+v", i, got, want)
		}
	}
	if !list[0].Applied() || list[2].Applied() {
		t.Fatalf("Applied: %v %v", list[0].Applied(), list[2].Applied())
	}
	// Lower-case ids are the same claim.
	more, err := s.AddClaimAcknowledgment(ctx, gateway.ClaimAcknowledgment{ClaimID: strings.ToLower(c.ID), AckID: ack.ID, Kind: gateway.Kind277CA,
		Outcome: gateway.AckPended, From: gateway.StatusRejected277})
	ok(t, err)
	if more.Seq != 4 {
		t.Fatalf("fourth seq %d", more.Seq)
	}
	_, err = s.AddClaimAcknowledgment(ctx, gateway.ClaimAcknowledgment{ClaimID: c.ID, AckID: ack.ID, Kind: gateway.Kind277CA,
		Outcome: "maybe", From: gateway.StatusSubmitted})
	wantErr(t, err, gateway.ErrInvalid)
	_, err = s.AddClaimAcknowledgment(ctx, gateway.ClaimAcknowledgment{ClaimID: c.ID, AckID: ack.ID, Kind: gateway.Kind277CA,
		Outcome: gateway.AckOther})
	wantErr(t, err, gateway.ErrInvalid)
	none, err := s.ClaimAcknowledgments(ctx, "0000000000000000Z")
	ok(t, err)
	if len(none) != 0 {
		t.Fatalf("unknown claim has acks %+v", none)
	}
}

func testUnmatchedAcks(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	f := inboundFile(t, s, "SIMPAYER", gateway.Kind999, "999-u")
	ack, err := s.RecordAcknowledgment(ctx, gateway.Acknowledgment{FileID: f.ID, Kind: gateway.Kind999, PayerID: "SIMPAYER"})
	ok(t, err)
	ids := map[string]string{"group_control_number": "42", "set_control_number": "0001"}
	u, err := s.AddUnmatchedAcknowledgment(ctx, gateway.UnmatchedAcknowledgment{AckID: ack.ID, FileID: f.ID, PayerID: "SIMPAYER",
		Kind: gateway.Kind999, Reason: gateway.UnmatchedUnknownBatch, Message: "no batch", Identifiers: ids})
	ok(t, err)
	if u.ID == 0 || u.CreatedAt.IsZero() {
		t.Fatalf("unmatched %+v", u)
	}
	_, err = s.AddUnmatchedAcknowledgment(ctx, gateway.UnmatchedAcknowledgment{AckID: ack.ID, FileID: f.ID, PayerID: "SIMPAYER",
		Kind: gateway.Kind277CA, Reason: gateway.UnmatchedUnknownClaim})
	ok(t, err)
	_, err = s.AddUnmatchedAcknowledgment(ctx, gateway.UnmatchedAcknowledgment{AckID: ack.ID, FileID: f.ID, PayerID: "SIMPAYER",
		Kind: gateway.Kind999})
	wantErr(t, err, gateway.ErrInvalid)
	list, err := s.ListUnmatchedAcknowledgments(ctx, gateway.UnmatchedFilter{PayerID: "SIMPAYER"})
	ok(t, err)
	if len(list) != 2 || list[1].ID != u.ID || !reflect.DeepEqual(list[1].Identifiers, ids) || list[1].Reason != gateway.UnmatchedUnknownBatch ||
		list[1].Message != "no batch" || len(list[0].Identifiers) != 0 || list[0].Identifiers == nil {
		t.Fatalf("unmatched list %+v", list)
	}
	list, err = s.ListUnmatchedAcknowledgments(ctx, gateway.UnmatchedFilter{Kind: gateway.Kind999, FileID: f.ID})
	ok(t, err)
	if len(list) != 1 || list[0].ID != u.ID {
		t.Fatalf("unmatched by kind %+v", list)
	}
}

func testRejections(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	c, err := s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
	f := inboundFile(t, s, "SIMPAYER", gateway.Kind999, "999-r")
	ack, err := s.RecordAcknowledgment(ctx, gateway.Acknowledgment{FileID: f.ID, Kind: gateway.Kind999, PayerID: "SIMPAYER"})
	ok(t, err)
	ca, err := s.AddClaimAcknowledgment(ctx, gateway.ClaimAcknowledgment{ClaimID: c.ID, AckID: ack.ID, Kind: gateway.Kind999,
		Outcome: gateway.AckRejected, From: gateway.StatusSubmitted, To: gateway.StatusRejected999})
	ok(t, err)
	r, err := s.AddRejection(ctx, gateway.Rejection{ClaimID: c.ID, PayerID: "SIMPAYER", ClaimAckID: ca.ID, Source: gateway.Kind999,
		Codes: []string{"IK501:R", "IK304:8"}, Sentences: []string{"Segment NM1 ..."}, Category: "eligibility_registration",
		Queue: "registration", DecidedBy: "segment:NM1", Reason: "fix the subscriber"})
	ok(t, err)
	if r.ID == 0 || r.Status != gateway.RejectionOpen || r.CreatedAt.IsZero() {
		t.Fatalf("rejection %+v", r)
	}
	_, err = s.AddRejection(ctx, gateway.Rejection{ClaimID: c.ID, PayerID: "SIMPAYER", ClaimAckID: ca.ID, Source: gateway.Kind999,
		Category: "other", Queue: "billing"})
	wantErr(t, err, gateway.ErrConflict)
	_, err = s.AddRejection(ctx, gateway.Rejection{ClaimID: c.ID, PayerID: "SIMPAYER", ClaimAckID: ca.ID, Source: gateway.Kind835,
		Category: "other", Queue: "billing"})
	wantErr(t, err, gateway.ErrInvalid)
	list, err := s.ListRejections(ctx, gateway.RejectionFilter{ClaimID: c.ID})
	ok(t, err)
	if len(list) != 1 || !reflect.DeepEqual(list[0].Codes, r.Codes) || !reflect.DeepEqual(list[0].Sentences, r.Sentences) ||
		list[0].Queue != "registration" || list[0].Source != gateway.Kind999 || list[0].ClaimAckID != ca.ID {
		t.Fatalf("rejections %+v", list)
	}
	for _, f := range []gateway.RejectionFilter{{Queue: "coding"}, {Status: gateway.RejectionResolved}, {Source: gateway.Kind277CA}, {PayerID: "X"}} {
		list, err := s.ListRejections(ctx, f)
		ok(t, err)
		if len(list) != 0 {
			t.Fatalf("filter %+v matched %+v", f, list)
		}
	}
}

func testAckLookups(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	var b1, b2, other gateway.Batch
	ok(t, s.WithTx(ctx, func(tx gateway.Tx) error {
		b1 = batchWithFile(t, tx, "SIMPAYER", 10, 0) // GS06 10 (and 11 for an institutional group)
		b2 = batchWithFile(t, tx, "SIMPAYER", 12, 0)
		other = batchWithFile(t, tx, "OTHERPAYER", 11, 0)
		return nil
	}))
	got, err := s.BatchesByGroupControl(ctx, "SIMPAYER", 11)
	ok(t, err)
	if len(got) != 1 || got[0].ID != b1.ID {
		t.Fatalf("group 11: %+v", got)
	}
	got, err = s.BatchesByGroupControl(ctx, "SIMPAYER", 12)
	ok(t, err)
	if len(got) != 1 || got[0].ID != b2.ID {
		t.Fatalf("group 12: %+v", got)
	}
	got, err = s.BatchesByGroupControl(ctx, "SIMPAYER", 40)
	ok(t, err)
	if len(got) != 0 {
		t.Fatalf("group 40: %+v", got)
	}
	b, err := s.BatchByInterchangeControl(ctx, "OTHERPAYER", 11)
	ok(t, err)
	if b.ID != other.ID {
		t.Fatalf("interchange 11: %+v", b)
	}
	_, err = s.BatchByInterchangeControl(ctx, "SIMPAYER", 11)
	wantErr(t, err, gateway.ErrNotFound)

	sub := newSubmitter(t, s, "ehr")
	c, err := s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
	_, err = s.ClaimByPayerClaimNumber(ctx, "SIMPAYER", "PCN-1")
	wantErr(t, err, gateway.ErrNotFound)
	ok(t, s.SetPayerClaimNumber(ctx, c.ID, "PCN-1"))
	got1, err := s.ClaimByPayerClaimNumber(ctx, "SIMPAYER", "PCN-1")
	ok(t, err)
	if got1.ID != c.ID || got1.PayerClaimNumber != "PCN-1" || got1.Status != gateway.StatusQueued {
		t.Fatalf("by payer claim number: %+v", got1)
	}
	_, err = s.ClaimByPayerClaimNumber(ctx, "OTHERPAYER", "PCN-1")
	wantErr(t, err, gateway.ErrNotFound)
	wantErr(t, s.SetPayerClaimNumber(ctx, "0000000000000000Z", "X"), gateway.ErrNotFound)
	wantErr(t, s.SetPayerClaimNumber(ctx, c.ID, ""), gateway.ErrInvalid)
}

func testStaleClaims(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	now := time.Now().UTC()
	mk := func(ext, payer string, at time.Time, to ...gateway.ClaimStatus) gateway.Claim {
		c := claimFor(sub, ext)
		c.PayerID = payer
		created, err := s.CreateClaim(ctx, c, gateway.EventInput{})
		ok(t, err)
		moveClaim(t, s, created.ID, at, to...)
		return created
	}
	sent := []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted}
	accepted := append(append([]gateway.ClaimStatus(nil), sent...), gateway.StatusAccepted999)
	old1 := mk("OLD1", "SIMPAYER", now.Add(-50*time.Hour), sent...)
	old2 := mk("OLD2", "SIMPAYER", now.Add(-30*time.Hour), sent...)
	mk("NEW", "SIMPAYER", now.Add(-time.Hour), sent...)
	acc := mk("ACC", "OTHERPAYER", now.Add(-200*time.Hour), accepted...)
	mk("ACCNEW", "OTHERPAYER", now.Add(-2*time.Hour), accepted...)
	mk("DONE", "SIMPAYER", now.Add(-300*time.Hour), append(accepted, gateway.StatusAccepted277)...)
	mk("QUEUED", "SIMPAYER", now.Add(-300*time.Hour))

	f := gateway.StaleFilter{SubmittedBefore: now.Add(-24 * time.Hour), AcceptedBefore: now.Add(-120 * time.Hour)}
	page, err := s.StaleClaims(ctx, f)
	ok(t, err)
	var got []string
	for _, sc := range page.Claims {
		got = append(got, sc.Claim.ID+"/"+sc.WaitingFor)
	}
	want := []string{acc.ID + "/277CA", old1.ID + "/999", old2.ID + "/999"}
	if !reflect.DeepEqual(got, want) || page.Next != "" {
		t.Fatalf("stale claims %v (next %q), want %v", got, page.Next, want)
	}
	if d := page.Claims[0].Since.Sub(now.Add(-200 * time.Hour)); d < -time.Millisecond || d > time.Millisecond {
		t.Fatalf("since %v, want %v", page.Claims[0].Since, now.Add(-200*time.Hour))
	}
	// Paging, one at a time, in the same order.
	f.Limit = 1
	var paged []string
	for i := 0; i < 5; i++ {
		page, err := s.StaleClaims(ctx, f)
		ok(t, err)
		for _, sc := range page.Claims {
			paged = append(paged, sc.Claim.ID+"/"+sc.WaitingFor)
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	if !reflect.DeepEqual(paged, want) {
		t.Fatalf("paged %v, want %v", paged, want)
	}
	page, err = s.StaleClaims(ctx, gateway.StaleFilter{SubmittedBefore: now.Add(-24 * time.Hour), PayerID: "SIMPAYER", SubmitterID: sub.ID})
	ok(t, err)
	if len(page.Claims) != 2 {
		t.Fatalf("SIMPAYER stale: %+v", page.Claims)
	}
	page, err = s.StaleClaims(ctx, gateway.StaleFilter{})
	ok(t, err)
	if len(page.Claims) != 0 {
		t.Fatalf("no thresholds: %+v", page.Claims)
	}
	counts, err := s.CountStaleClaims(ctx, now.Add(-24*time.Hour), now.Add(-120*time.Hour))
	ok(t, err)
	wantCounts := []gateway.StaleCount{{PayerID: "OTHERPAYER", WaitingFor: "277CA", Count: 1}, {PayerID: "SIMPAYER", WaitingFor: "999", Count: 2}}
	if !reflect.DeepEqual(counts, wantCounts) {
		t.Fatalf("counts %+v, want %+v", counts, wantCounts)
	}
	_, err = s.StaleClaims(ctx, gateway.StaleFilter{SubmittedBefore: now, Cursor: "!!"})
	wantErr(t, err, gateway.ErrInvalid)
}
