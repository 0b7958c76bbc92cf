package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/gateway"
)

func denialFor(c gateway.Claim, ref, queue string) gateway.Denial {
	return gateway.Denial{ClaimID: c.ID, SubmitterID: c.SubmitterID, PayerID: c.PayerID, Source: gateway.DenialSource835,
		SourceRef: ref, Group: "CO", CARC: "197", RARCs: []string{"N54"}, Codes: []string{"CO-197", "N54"}, Amount: 12500,
		Category: "authorization", Queue: queue, Action: "correct_and_resubmit", DecidedBy: "carc:197",
		Reason: "CO-197: authorization absent. Find the authorization and resubmit."}
}

func testDenialCreate(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	c, err := s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
	line := 2
	in := denialFor(c, "rem:1/clp:1/svc:2/cas:1", "authorization")
	in.LineNumber, in.Procedure = &line, "99214"
	d, created, err := s.CreateDenial(ctx, in)
	ok(t, err)
	if !created || d.ID == 0 || d.Status != gateway.DenialOpen || d.CreatedAt.IsZero() || !d.CreatedAt.Equal(d.UpdatedAt) {
		t.Fatalf("created %v: %+v", created, d)
	}
	if d.LineNumber == nil || *d.LineNumber != 2 || d.Procedure != "99214" || d.Amount != edi.Amount(12500) ||
		!reflect.DeepEqual(d.RARCs, []string{"N54"}) || !reflect.DeepEqual(d.Codes, []string{"CO-197", "N54"}) ||
		d.RemittanceID != nil || d.RejectionID != nil || d.ResolvedAt != nil || d.Group != "CO" || d.CARC != "197" {
		t.Fatalf("round trip: %+v", d)
	}
	// The same source row again: the first denial, nothing written.
	again := denialFor(c, "rem:1/clp:1/svc:2/cas:1", "billing")
	d2, created, err := s.CreateDenial(ctx, again)
	ok(t, err)
	if created || d2.ID != d.ID || d2.Queue != "authorization" {
		t.Fatalf("second create: created %v %+v", created, d2)
	}
	// The same ref from another source is another denial.
	other := denialFor(c, "rem:1/clp:1/svc:2/cas:1", "billing")
	other.Source = gateway.DenialSource277CA
	d3, created, err := s.CreateDenial(ctx, other)
	ok(t, err)
	if !created || d3.ID == d.ID || d3.LineNumber != nil {
		t.Fatalf("other source: created %v %+v", created, d3)
	}
	bad := denialFor(c, "x", "billing")
	bad.ClaimID = "0000000000ZZZZZZZ"
	_, _, err = s.CreateDenial(ctx, bad)
	wantErr(t, err, gateway.ErrInvalid)
	bad = denialFor(c, "x", "billing")
	bad.Source = "837"
	_, _, err = s.CreateDenial(ctx, bad)
	wantErr(t, err, gateway.ErrInvalid)
	bad = denialFor(c, "x", "")
	_, _, err = s.CreateDenial(ctx, bad)
	wantErr(t, err, gateway.ErrInvalid)
	got, err := s.GetDenial(ctx, d.ID, sub.ID)
	ok(t, err)
	if got.ID != d.ID || got.Reason != d.Reason {
		t.Fatalf("get: %+v", got)
	}
	other2 := newSubmitter(t, s, "other")
	_, err = s.GetDenial(ctx, d.ID, other2.ID)
	wantErr(t, err, gateway.ErrNotFound)
	_, err = s.GetDenial(ctx, 999999, 0)
	wantErr(t, err, gateway.ErrNotFound)
}

func testDenialListAndScope(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	a := newSubmitter(t, s, "a")
	b := newSubmitter(t, s, "b")
	ca, err := s.CreateClaim(ctx, claimFor(a, "A1"), gateway.EventInput{})
	ok(t, err)
	cb, err := s.CreateClaim(ctx, claimFor(b, "B1"), gateway.EventInput{})
	ok(t, err)
	queues := []string{"coding", "front_desk", "coding", "billing", "coding"}
	var aIDs []int64
	for i, q := range queues {
		d, _, err := s.CreateDenial(ctx, denialFor(ca, fmt.Sprintf("rem:1/clp:%d", i), q))
		ok(t, err)
		aIDs = append(aIDs, d.ID)
	}
	_, _, err = s.CreateDenial(ctx, denialFor(cb, "rem:2/clp:1", "coding"))
	ok(t, err)

	all, err := s.ListDenials(ctx, gateway.DenialFilter{})
	ok(t, err)
	if len(all.Denials) != 6 || all.Next != "" {
		t.Fatalf("all: %d next %q", len(all.Denials), all.Next)
	}
	for i := 1; i < len(all.Denials); i++ {
		if all.Denials[i-1].ID <= all.Denials[i].ID {
			t.Fatalf("not newest first")
		}
	}
	mine, err := s.ListDenials(ctx, gateway.DenialFilter{SubmitterID: a.ID, Queue: "coding"})
	ok(t, err)
	if len(mine.Denials) != 3 {
		t.Fatalf("a's coding denials: %d", len(mine.Denials))
	}
	for _, d := range mine.Denials {
		if d.SubmitterID != a.ID || d.Queue != "coding" {
			t.Fatalf("filter leak: %+v", d)
		}
	}
	// Paging, two at a time, sees every denial of a once.
	var seen []int64
	f := gateway.DenialFilter{SubmitterID: a.ID, Limit: 2}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		p, err := s.ListDenials(ctx, f)
		ok(t, err)
		for _, d := range p.Denials {
			seen = append(seen, d.ID)
		}
		if p.Next == "" {
			break
		}
		f.Cursor = p.Next
	}
	if len(seen) != len(aIDs) {
		t.Fatalf("paged %v, want %d denials", seen, len(aIDs))
	}
	for _, f := range []gateway.DenialFilter{{Status: gateway.DenialResolved}, {Category: "coding"}, {PayerID: "NOPE"},
		{ClaimID: cb.ID, SubmitterID: a.ID}} {
		p, err := s.ListDenials(ctx, f)
		ok(t, err)
		if len(p.Denials) != 0 {
			t.Fatalf("filter %+v matched %d", f, len(p.Denials))
		}
	}
	p, err := s.ListDenials(ctx, gateway.DenialFilter{ClaimID: cb.ID, Category: "authorization", Status: gateway.DenialOpen, PayerID: "SIMPAYER"})
	ok(t, err)
	if len(p.Denials) != 1 || p.Denials[0].ClaimID != cb.ID {
		t.Fatalf("b's denial: %+v", p.Denials)
	}
	for _, cur := range []string{"x", "d", "d-4", "12"} {
		_, err = s.ListDenials(ctx, gateway.DenialFilter{Cursor: cur})
		wantErr(t, err, gateway.ErrInvalid)
	}
}

func testDenialAssignResolve(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	a := newSubmitter(t, s, "a")
	b := newSubmitter(t, s, "b")
	c, err := s.CreateClaim(ctx, claimFor(a, "A1"), gateway.EventInput{})
	ok(t, err)
	fix, err := s.CreateClaim(ctx, claimFor(a, "A1-R1"), gateway.EventInput{})
	ok(t, err)
	cb, err := s.CreateClaim(ctx, claimFor(b, "B1"), gateway.EventInput{})
	ok(t, err)
	d, _, err := s.CreateDenial(ctx, denialFor(c, "rem:1/clp:1", "authorization"))
	ok(t, err)
	at := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

	_, err = s.AssignDenial(ctx, gateway.DenialAssign{ID: d.ID, SubmitterID: b.ID, Assignee: "mallory", At: at})
	wantErr(t, err, gateway.ErrNotFound)
	got, err := s.AssignDenial(ctx, gateway.DenialAssign{ID: d.ID, SubmitterID: a.ID, Assignee: "alice", Actor: "submitter:a", At: at})
	ok(t, err)
	if got.Status != gateway.DenialAssigned || got.Assignee != "alice" || !got.UpdatedAt.Equal(at) {
		t.Fatalf("assigned: %+v", got)
	}
	got, err = s.AssignDenial(ctx, gateway.DenialAssign{ID: d.ID, SubmitterID: 0, Assignee: "", Actor: "operator", At: at})
	ok(t, err)
	if got.Status != gateway.DenialOpen || got.Assignee != "" {
		t.Fatalf("unassigned: %+v", got)
	}
	_, err = s.ResolveDenial(ctx, gateway.DenialResolve{ID: d.ID, Resolution: "fixed"})
	wantErr(t, err, gateway.ErrInvalid)
	_, err = s.ResolveDenial(ctx, gateway.DenialResolve{ID: d.ID, Resolution: gateway.ResolutionCorrected, ClaimID: cb.ID})
	wantErr(t, err, gateway.ErrInvalid) // another submitter's claim
	_, err = s.ResolveDenial(ctx, gateway.DenialResolve{ID: d.ID, SubmitterID: b.ID, Resolution: gateway.ResolutionAppealed})
	wantErr(t, err, gateway.ErrNotFound)
	got, err = s.ResolveDenial(ctx, gateway.DenialResolve{ID: d.ID, SubmitterID: a.ID, Resolution: gateway.ResolutionCorrected,
		Note: "added the authorization number", ClaimID: fix.ID, Actor: "submitter:a", At: at.Add(time.Hour)})
	ok(t, err)
	if got.Status != gateway.DenialResolved || got.Resolution != gateway.ResolutionCorrected || got.ResolvedByClaimID != fix.ID ||
		got.ResolutionNote != "added the authorization number" || got.ResolvedAt == nil || !got.ResolvedAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("resolved: %+v", got)
	}
	_, err = s.ResolveDenial(ctx, gateway.DenialResolve{ID: d.ID, Resolution: gateway.ResolutionWrittenOff})
	wantErr(t, err, gateway.ErrConflict)
	_, err = s.AssignDenial(ctx, gateway.DenialAssign{ID: d.ID, SubmitterID: 0, Assignee: "bob", At: at})
	wantErr(t, err, gateway.ErrConflict)

	// The history: every change, in order, with who made it; refused changes left none.
	history, err := s.DenialHistory(ctx, d.ID, a.ID)
	ok(t, err)
	want := []gateway.DenialEvent{
		{DenialID: d.ID, Seq: 1, At: at, Action: gateway.DenialEventAssigned, Actor: "submitter:a", Assignee: "alice"},
		{DenialID: d.ID, Seq: 2, At: at, Action: gateway.DenialEventUnassigned, Actor: "operator"},
		{DenialID: d.ID, Seq: 3, At: at.Add(time.Hour), Action: gateway.DenialEventResolved, Actor: "submitter:a",
			Resolution: gateway.ResolutionCorrected, Note: "added the authorization number", ClaimID: fix.ID},
	}
	if fmt.Sprintf("%+v", history) != fmt.Sprintf("%+v", want) {
		t.Fatalf("history:\n got %+v\nwant %+v", history, want)
	}
	_, err = s.DenialHistory(ctx, d.ID, b.ID)
	wantErr(t, err, gateway.ErrNotFound)

	// A denial made from a rejection work item resolves the work item too.
	f := inboundFile(t, s, "SIMPAYER", gateway.Kind277CA, "277-rej")
	ack, err := s.RecordAcknowledgment(ctx, gateway.Acknowledgment{FileID: f.ID, Kind: gateway.Kind277CA, PayerID: "SIMPAYER"})
	ok(t, err)
	cack, err := s.AddClaimAcknowledgment(ctx, gateway.ClaimAcknowledgment{ClaimID: c.ID, AckID: ack.ID, Kind: gateway.Kind277CA,
		Outcome: gateway.AckRejected, From: gateway.StatusQueued, To: gateway.StatusQueued})
	ok(t, err)
	rej, err := s.AddRejection(ctx, gateway.Rejection{ClaimID: c.ID, PayerID: "SIMPAYER", ClaimAckID: cack.ID, Source: gateway.Kind277CA,
		Codes: []string{"A7:562:85"}, Category: "provider_enrollment_credentialing", Queue: "credentialing"})
	ok(t, err)
	rd := denialFor(c, fmt.Sprintf("rej:%d", rej.ID), "credentialing")
	rd.Source, rd.RejectionID = gateway.DenialSource277CA, &rej.ID
	rden, _, err := s.CreateDenial(ctx, rd)
	ok(t, err)
	if rden.RejectionID == nil || *rden.RejectionID != rej.ID {
		t.Fatalf("rejection link: %+v", rden)
	}
	_, err = s.ResolveDenial(ctx, gateway.DenialResolve{ID: rden.ID, Resolution: gateway.ResolutionCorrected})
	ok(t, err)
	rs, err := s.ListRejections(ctx, gateway.RejectionFilter{ClaimID: c.ID})
	ok(t, err)
	if len(rs) != 1 || rs[0].Status != gateway.RejectionResolved {
		t.Fatalf("rejection after its denial was resolved: %+v", rs)
	}
}

func testDenialQueueStats(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	a := newSubmitter(t, s, "a")
	b := newSubmitter(t, s, "b")
	ca, err := s.CreateClaim(ctx, claimFor(a, "A1"), gateway.EventInput{})
	ok(t, err)
	cb, err := s.CreateClaim(ctx, claimFor(b, "B1"), gateway.EventInput{})
	ok(t, err)
	stats, err := s.DenialQueueStats(ctx, 0)
	ok(t, err)
	if len(stats) != 0 {
		t.Fatalf("empty store: %+v", stats)
	}
	var coding []gateway.Denial
	for i := 0; i < 4; i++ {
		d, _, err := s.CreateDenial(ctx, denialFor(ca, fmt.Sprintf("c%d", i), "coding"))
		ok(t, err)
		coding = append(coding, d)
		time.Sleep(2 * time.Millisecond) // distinct creation times
	}
	_, err = s.AssignDenial(ctx, gateway.DenialAssign{ID: coding[3].ID, SubmitterID: 0, Assignee: "carol", At: time.Time{}})
	ok(t, err)
	resolved, _, err := s.CreateDenial(ctx, denialFor(ca, "c-resolved", "coding"))
	ok(t, err)
	_, err = s.ResolveDenial(ctx, gateway.DenialResolve{ID: resolved.ID, Resolution: gateway.ResolutionWrittenOff})
	ok(t, err)
	fd, _, err := s.CreateDenial(ctx, denialFor(cb, "f1", "front_desk"))
	ok(t, err)

	stats, err = s.DenialQueueStats(ctx, 0)
	ok(t, err)
	if len(stats) != 2 || stats[0].Queue != "coding" || stats[1].Queue != "front_desk" {
		t.Fatalf("stats: %+v", stats)
	}
	st := stats[0]
	// 4 unresolved coding denials: the median is the lower middle, the second oldest.
	if st.Open != 3 || st.Assigned != 1 || st.OldestAt == nil || !st.OldestAt.Equal(coding[0].CreatedAt) ||
		st.MedianAt == nil || !st.MedianAt.Equal(coding[1].CreatedAt) {
		t.Fatalf("coding: %+v (created %v %v)", st, coding[0].CreatedAt, coding[1].CreatedAt)
	}
	if fdq := stats[1]; fdq.Open != 1 || !fdq.OldestAt.Equal(fd.CreatedAt) || !fdq.MedianAt.Equal(fd.CreatedAt) {
		t.Fatalf("front_desk: %+v", fdq)
	}
	onlyB, err := s.DenialQueueStats(ctx, b.ID)
	ok(t, err)
	if len(onlyB) != 1 || onlyB[0].Queue != "front_desk" {
		t.Fatalf("b's stats: %+v", onlyB)
	}
}

func testDenialRoutingMarkers(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	c, err := s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
	f := inboundFile(t, s, "SIMPAYER", gateway.Kind835, "835-a")
	rem, err := s.CreateRemittance(ctx, gateway.Remittance{FileID: f.ID, PayerID: "SIMPAYER", TraceNumber: "T1", Amount: 100})
	ok(t, err)
	ok(t, s.AddClaimPayments(ctx, rem.ID, []gateway.ClaimPayment{
		{Seq: 1, ClaimID: c.ID, SubmitterID: sub.ID, MatchedBy: gateway.MatchPCN, PatientControlNumber: c.ID, StatusCode: "1", Charge: 200, Paid: 100},
		{Seq: 2, PatientControlNumber: "UNKNOWN", StatusCode: "1", Charge: 50, Paid: 50},
	}))
	refs, err := s.UnroutedClaimPayments(ctx, 10)
	ok(t, err)
	if !reflect.DeepEqual(refs, []gateway.PaymentRef{{RemittanceID: rem.ID, Seq: 1}}) {
		t.Fatalf("unrouted payments: %+v", refs)
	}
	ok(t, s.MarkPaymentsRouted(ctx, refs))
	ok(t, s.MarkPaymentsRouted(ctx, refs)) // again: no-op
	refs, err = s.UnroutedClaimPayments(ctx, 10)
	ok(t, err)
	if len(refs) != 0 {
		t.Fatalf("after marking: %+v", refs)
	}
	// A payment matched by hand later is routed then.
	ok(t, s.MatchClaimPayment(ctx, gateway.ManualMatch{RemittanceID: rem.ID, Seq: 2, ClaimID: c.ID, SubmitterID: sub.ID}))
	refs, err = s.UnroutedClaimPayments(ctx, 10)
	ok(t, err)
	if !reflect.DeepEqual(refs, []gateway.PaymentRef{{RemittanceID: rem.ID, Seq: 2}}) {
		t.Fatalf("after a manual match: %+v", refs)
	}

	ok(t, s.MarkPaymentsRouted(ctx, refs))

	// A large remittance is routed page by page: its matched payments (written in two chunks,
	// with an unmatched one between) come in seq order, each page once, and a payment of it
	// matched by hand meanwhile comes in its place.
	rem2, err := s.CreateRemittance(ctx, gateway.Remittance{FileID: f.ID, PayerID: "SIMPAYER", TraceNumber: "T2", Amount: 100})
	ok(t, err)
	page := func(seqs ...int) []gateway.ClaimPayment {
		var out []gateway.ClaimPayment
		for _, n := range seqs {
			cp := gateway.ClaimPayment{Seq: n, PatientControlNumber: c.ID, StatusCode: "1", Charge: 10, Paid: 10}
			if n != 4 {
				cp.ClaimID, cp.SubmitterID, cp.MatchedBy = c.ID, sub.ID, gateway.MatchPCN
			}
			out = append(out, cp)
		}
		return out
	}
	ok(t, s.AddClaimPayments(ctx, rem2.ID, page(1, 2, 3)))
	ok(t, s.AddClaimPayments(ctx, rem2.ID, page(4, 5, 6)))
	inRange, err := s.ClaimPaymentsInRange(ctx, rem2.ID, 2, 4)
	ok(t, err)
	if len(inRange) != 3 || inRange[0].Seq != 2 || inRange[2].Seq != 4 || inRange[2].ClaimID != "" {
		t.Fatalf("claim payments 2-4: %+v", inRange)
	}
	unmatched, err := s.UnmatchedClaimPayments(ctx, rem2.ID)
	ok(t, err)
	if len(unmatched) != 1 || unmatched[0].Seq != 4 || unmatched[0].ClaimID != "" || unmatched[0].Paid != 10 {
		t.Fatalf("unmatched claim payments: %+v", unmatched)
	}
	var got []int
	for round := 0; round < 10; round++ {
		refs, err := s.UnroutedClaimPayments(ctx, 2)
		ok(t, err)
		if len(refs) == 0 {
			break
		}
		for _, r := range refs {
			if r.RemittanceID != rem2.ID {
				t.Fatalf("page %d: %+v", round, refs)
			}
			got = append(got, r.Seq)
		}
		if round == 1 {
			ok(t, s.MatchClaimPayment(ctx, gateway.ManualMatch{RemittanceID: rem2.ID, Seq: 4, ClaimID: c.ID, SubmitterID: sub.ID}))
		}
		ok(t, s.MarkPaymentsRouted(ctx, refs))
	}
	// 4 was matched while the page [3 5] was being routed, so it comes after 5.
	if !reflect.DeepEqual(got, []int{1, 2, 3, 5, 4, 6}) {
		t.Fatalf("routed pages: %v, want 1 2 3 5 4 6 (each once)", got)
	}

	f2 := inboundFile(t, s, "SIMPAYER", gateway.Kind999, "999-r")
	ack, err := s.RecordAcknowledgment(ctx, gateway.Acknowledgment{FileID: f2.ID, Kind: gateway.Kind999, PayerID: "SIMPAYER"})
	ok(t, err)
	var ids []int64
	for i := 0; i < 2; i++ {
		ca, err := s.AddClaimAcknowledgment(ctx, gateway.ClaimAcknowledgment{ClaimID: c.ID, AckID: ack.ID, Kind: gateway.Kind999,
			Outcome: gateway.AckRejected, From: gateway.StatusQueued, To: gateway.StatusQueued})
		ok(t, err)
		r, err := s.AddRejection(ctx, gateway.Rejection{ClaimID: c.ID, PayerID: "SIMPAYER", ClaimAckID: ca.ID, Source: gateway.Kind999,
			Codes: []string{"IK501:R"}, Category: "other", Queue: "billing"})
		ok(t, err)
		ids = append(ids, r.ID)
	}
	rejs, err := s.UnroutedRejections(ctx, 1)
	ok(t, err)
	if len(rejs) != 1 || rejs[0].ID != ids[0] || !reflect.DeepEqual(rejs[0].Codes, []string{"IK501:R"}) {
		t.Fatalf("unrouted rejections: %+v", rejs)
	}
	ok(t, s.MarkRejectionsRouted(ctx, []int64{ids[0]}))
	rejs, err = s.UnroutedRejections(ctx, 10)
	ok(t, err)
	if len(rejs) != 1 || rejs[0].ID != ids[1] {
		t.Fatalf("after marking: %+v", rejs)
	}
}

func testCorrectionLinks(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "ehr")
	orig, err := s.CreateClaim(ctx, claimFor(sub, "E1"), gateway.EventInput{})
	ok(t, err)
	now := time.Now()
	moveClaim(t, s, orig.ID, now, gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted277, gateway.StatusDenied)
	rc := claimFor(sub, "E1-R1")
	rc.Frequency, rc.ReplacesClaimID = gateway.FrequencyReplacement, orig.ID
	repl, err := s.CreateClaim(ctx, rc, gateway.EventInput{})
	ok(t, err)
	accepted := []gateway.ClaimStatus{gateway.StatusAccepted277, gateway.StatusPaid}
	links, err := s.PendingCorrectionLinks(ctx, accepted, 10)
	ok(t, err)
	if len(links) != 0 {
		t.Fatalf("a queued replacement is not accepted yet: %+v", links)
	}
	moveClaim(t, s, repl.ID, now, gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted277)
	links, err = s.PendingCorrectionLinks(ctx, accepted, 10)
	ok(t, err)
	if len(links) != 1 || links[0].Correction.ID != repl.ID || links[0].Original.ID != orig.ID ||
		links[0].Original.Status != gateway.StatusDenied || links[0].Correction.Frequency != gateway.FrequencyReplacement {
		t.Fatalf("links: %+v", links)
	}
	corr, err := s.ClaimCorrections(ctx, orig.ID)
	ok(t, err)
	if len(corr) != 1 || corr[0].ID != repl.ID || corr[0].ReplacesClaimID != orig.ID {
		t.Fatalf("corrections: %+v", corr)
	}
	moveClaim(t, s, orig.ID, now, gateway.StatusReplaced)
	links, err = s.PendingCorrectionLinks(ctx, accepted, 10)
	ok(t, err)
	if len(links) != 0 {
		t.Fatalf("after the original was replaced: %+v", links)
	}
	none, err := s.ClaimCorrections(ctx, repl.ID)
	ok(t, err)
	if len(none) != 0 {
		t.Fatalf("corrections of the replacement: %+v", none)
	}
}
