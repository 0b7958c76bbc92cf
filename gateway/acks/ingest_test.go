package acks_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/acks"
)

// value reads a counter or gauge.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	must(t, m.Write(&d))
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}

func ctl(n int64) string { return strconv.FormatInt(n, 10) }

// A 999 answering a batch's two groups: the professional set accepted, the institutional set
// rejected with an IK3/IK4 error naming one of its two claims.
func Test999AcceptsOneSetAndRejectsTheOther(t *testing.T) {
	eachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		reg := prometheus.NewRegistry()
		in := newIngester(t, s, reg)
		b := newSentBatch(t, s, newSubmitter(t, s), 100, 2, 2)
		prof, inst := b.setOf(100), b.setOf(101)
		if prof.ControlNumber == "" || inst.ControlNumber == "" {
			t.Fatalf("layout %+v", b.layout)
		}
		bad := b.claimsOfSet(101)[0] // the institutional claim with the error
		file := write999(t, 900,
			x999.FunctionalAck{FunctionalID: "HC", GroupControlNumber: ctl(100), Version: prof.Version, Status: "A",
				Included: 1, Received: 1, Accepted: 1,
				Sets: []x999.SetResponse{{SetID: "837", ControlNumber: prof.ControlNumber, Status: "A"}}},
			x999.FunctionalAck{FunctionalID: "HC", GroupControlNumber: ctl(101), Version: inst.Version, Status: "R",
				Included: 1, Received: 1, Accepted: 0,
				Sets: []x999.SetResponse{{SetID: "837", ControlNumber: inst.ControlNumber, Status: "R", Codes: []string{"5"},
					Segments: []x999.SegmentError{{SegmentID: "CLM", Position: 22, LoopID: "2300", Code: "8",
						Contexts: []x999.Context{{Name: "CLM01", Reference: strings.ToLower(bad)}},
						Elements: []x999.ElementError{{Position: x999.Position{Element: 2}, Reference: "782", Code: "1"}}}}}}})
		f := receive(t, s, gateway.Kind999, "999_900.x12", file)
		res := ingest(t, in, f)
		if res.Status != gateway.FileProcessed || res.Acknowledgments != 2 || res.ClaimAcks != 4 || res.Moved != 4 ||
			res.Rejections != 2 || res.Unmatched != 0 {
			t.Fatalf("result %+v", res)
		}
		for _, id := range b.claimsOfSet(100) {
			if st := status(t, s, id); st != gateway.StatusAccepted999 {
				t.Errorf("professional claim %s: %s, want accepted_999", id, st)
			}
			cas := claimAcks(t, s, id)
			if len(cas) != 1 || cas[0].Outcome != gateway.AckAccepted || cas[0].Codes[0] != "IK501:A" || !cas[0].Applied() {
				t.Errorf("claim acks of %s: %+v", id, cas)
			}
		}
		for _, id := range b.claimsOfSet(101) {
			if st := status(t, s, id); st != gateway.StatusRejected999 {
				t.Errorf("institutional claim %s: %s, want rejected_999", id, st)
			}
		}
		cas := claimAcks(t, s, bad)
		if len(cas) != 1 {
			t.Fatalf("claim acks of %s: %+v", bad, cas)
		}
		joined := strings.Join(cas[0].Sentences, " | ")
		for _, want := range []string{"rejected", "CLM", "22", "2300", "CLM02", "782", "missing"} {
			if !strings.Contains(joined, want) {
				t.Errorf("sentences of the claim in error lack %q: %s", want, joined)
			}
		}
		wantCodes := []string{"IK501:R", "IK502:5", "IK304:8", "IK403:1"}
		if strings.Join(cas[0].Codes, ",") != strings.Join(wantCodes, ",") {
			t.Errorf("codes %v, want %v", cas[0].Codes, wantCodes)
		}
		innocent := b.claimsOfSet(101)[1]
		icas := claimAcks(t, s, innocent)
		if len(icas) != 1 || !strings.Contains(strings.Join(icas[0].Sentences, " "), "no error of its own") {
			t.Errorf("the other claim of the rejected set: %+v", icas)
		}
		rejs, err := s.ListRejections(ctx, gateway.RejectionFilter{Source: gateway.Kind999})
		must(t, err)
		byClaim := map[string]gateway.Rejection{}
		for _, r := range rejs {
			byClaim[r.ClaimID] = r
		}
		want := codes.Default().ClassifySyntaxError("CLM", "2300")
		if r := byClaim[bad]; r.Category != string(want.Category) || r.Queue != want.Queue || r.Status != gateway.RejectionOpen ||
			r.ClaimAckID != cas[0].ID || len(r.Sentences) == 0 {
			t.Errorf("rejection of the claim in error %+v, want category %s", r, want.Category)
		}
		if r := byClaim[innocent]; r.Category != string(codes.Other) {
			t.Errorf("rejection of the innocent claim %+v, want category other", r)
		}
		evs, err := s.ClaimEvents(ctx, bad)
		must(t, err)
		last := evs[len(evs)-1]
		if last.From != gateway.StatusSubmitted || last.To != gateway.StatusRejected999 || last.Source != "file:"+ctl(f.ID) {
			t.Errorf("last event %+v", last)
		}
		stored, err := s.GetFile(ctx, f.ID)
		must(t, err)
		if stored.Status != gateway.FileProcessed {
			t.Errorf("file status %s %q", stored.Status, stored.Reason)
		}
		list, err := s.ListAcknowledgments(ctx, gateway.AckFilter{FileID: f.ID})
		must(t, err)
		if len(list) != 2 || list[0].BatchID == nil || *list[0].BatchID != b.batch.ID || list[1].Status != "A" || list[0].Status != "R" {
			t.Errorf("acknowledgments %+v", list)
		}
		if got := value(t, in.Metrics().ClaimAcks.WithLabelValues(payer, "999", "rejected")); got != 2 {
			t.Errorf("claim_acks_total rejected = %v", got)
		}
		if got := value(t, in.Metrics().Files.WithLabelValues(payer, "999", "processed")); got != 1 {
			t.Errorf("acks_ingested_total processed = %v", got)
		}

		// The same file again, whether handed over again or archived again: nothing changes.
		again, created, err := s.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: payer, Name: "999_900.x12",
			Kind: gateway.Kind999, Bytes: file})
		must(t, err)
		if created || again.ID != f.ID {
			t.Fatalf("re-archived as a new file %+v", again)
		}
		for _, g := range []gateway.File{f, again} {
			res := ingest(t, in, g)
			if !res.Duplicate || res.ClaimAcks != 0 {
				t.Fatalf("second ingest %+v", res)
			}
		}
		if n := len(claimAcks(t, s, bad)); n != 1 {
			t.Errorf("claim acks after the duplicate: %d", n)
		}
		evs2, err := s.ClaimEvents(ctx, bad)
		must(t, err)
		if len(evs2) != len(evs) {
			t.Errorf("events after the duplicate: %d, want %d", len(evs2), len(evs))
		}
		rejs2, err := s.ListRejections(ctx, gateway.RejectionFilter{})
		must(t, err)
		if len(rejs2) != len(rejs) {
			t.Errorf("rejections after the duplicate: %d, want %d", len(rejs2), len(rejs))
		}
		if got := value(t, in.Metrics().Files.WithLabelValues(payer, "999", "duplicate")); got != 2 {
			t.Errorf("acks_ingested_total duplicate = %v", got)
		}
	})
}

// 277CAs: accepted with REF*1K, rejected A7, pended, a claim answered twice (clearinghouse then
// payer), a claim matched only by REF*1K, and an unknown claim.
func Test277CADrivesClaims(t *testing.T) {
	eachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		in := newIngester(t, s, prometheus.NewRegistry())
		b := newSentBatch(t, s, newSubmitter(t, s), 200, 4, 0)
		ids := b.claimsOfSet(200)
		acc, rej, pend, twice := ids[0], ids[1], ids[2], ids[3]
		// The 999 first: all accepted.
		set := b.setOf(200)
		ingest(t, in, receive(t, s, gateway.Kind999, "999_1", write999(t, 901, x999.FunctionalAck{FunctionalID: "HC",
			GroupControlNumber: ctl(200), Status: "A", Included: 1, Received: 1, Accepted: 1,
			Sets: []x999.SetResponse{{SetID: "837", ControlNumber: set.ControlNumber, Status: "A"}}})))

		clearinghouse := batch277(ctl(200),
			x277.ClaimAck{Patient: patient, PatientControlNumber: twice, Statuses: []x277.Status{{Category: "A1", Code: "19", Element: 1}}})
		payerAck := batch277(ctl(200),
			x277.AcceptedClaim(patient, strings.ToLower(acc), "PAYER-0001", 10000, "2026-11-02"),
			x277.RejectedClaim(patient, rej, 10000, "2026-11-02",
				x277.Status{Category: "A7", Code: "562", Entity: "85"}, x277.Status{Category: "A7", Code: "21"}),
			x277.ClaimAck{Patient: patient, PatientControlNumber: pend, PayerClaimNumber: "PAYER-0003",
				Statuses: []x277.Status{{Category: "P1", Code: "20", Element: 1}}},
			x277.AcceptedClaim(patient, twice, "PAYER-0004", 10000, "2026-11-02"),
			x277.AcceptedClaim(patient, "UNKNOWNCLAIM01", "PAYER-9999", 5000, "2026-11-02"))
		r1 := ingest(t, in, receive(t, s, gateway.Kind277CA, "277_1", write277(t, 902, clearinghouse)))
		if r1.ClaimAcks != 1 || r1.Moved != 1 {
			t.Fatalf("clearinghouse 277CA: %+v", r1)
		}
		r2 := ingest(t, in, receive(t, s, gateway.Kind277CA, "277_2", write277(t, 903, payerAck)))
		if r2.ClaimAcks != 4 || r2.Unmatched != 1 || r2.Rejections != 1 || r2.Moved != 3 {
			t.Fatalf("payer 277CA: %+v", r2)
		}
		want := map[string]gateway.ClaimStatus{acc: gateway.StatusAccepted277, rej: gateway.StatusRejected277,
			pend: gateway.StatusPended, twice: gateway.StatusAccepted277}
		for id, st := range want {
			if got := status(t, s, id); got != st {
				t.Errorf("claim %s: %s, want %s", id, got, st)
			}
		}
		c, err := s.GetClaim(ctx, acc, 0)
		must(t, err)
		if c.PayerClaimNumber != "PAYER-0001" {
			t.Errorf("payer claim number %q", c.PayerClaimNumber)
		}
		c, err = s.GetClaim(ctx, twice, 0)
		must(t, err)
		if c.PayerClaimNumber != "PAYER-0004" {
			t.Errorf("payer claim number kept from the second 277CA: %q", c.PayerClaimNumber)
		}
		cas := claimAcks(t, s, twice)
		if len(cas) != 3 || cas[0].Kind != gateway.Kind999 || cas[1].Kind != gateway.Kind277CA || cas[2].Kind != gateway.Kind277CA ||
			cas[1].Codes[0] != "A1:19" || cas[2].Codes[0] != "A2:20" || !cas[1].Applied() || cas[2].Applied() ||
			cas[2].PayerClaimNumber != "PAYER-0004" || cas[2].Seq != 3 {
			t.Fatalf("acks of the claim answered twice: %+v", cas)
		}
		rc := claimAcks(t, s, rej)
		last := rc[len(rc)-1]
		if strings.Join(last.Codes, ",") != "A7:562:85,A7:21" || len(last.Sentences) != 2 ||
			!strings.Contains(last.Sentences[0], "562") || !strings.Contains(last.Sentences[0], "entity 85") {
			t.Errorf("rejected claim ack %+v", last)
		}
		rejs, err := s.ListRejections(ctx, gateway.RejectionFilter{ClaimID: rej})
		must(t, err)
		wantD := codes.Default().ClassifyClaimStatus("A7", "562", "85")
		if len(rejs) != 1 || rejs[0].Source != gateway.Kind277CA || rejs[0].Category != string(wantD.Category) || rejs[0].Queue != wantD.Queue {
			t.Errorf("277CA rejection %+v, want %s/%s", rejs, wantD.Category, wantD.Queue)
		}
		pc, err := s.GetClaim(ctx, pend, 0)
		must(t, err)
		if pc.PayerClaimNumber != "PAYER-0003" {
			t.Errorf("pended claim's payer claim number %q", pc.PayerClaimNumber)
		}
		un, err := s.ListUnmatchedAcknowledgments(ctx, gateway.UnmatchedFilter{PayerID: payer, Kind: gateway.Kind277CA})
		must(t, err)
		if len(un) != 1 || un[0].Reason != gateway.UnmatchedUnknownClaim || un[0].Identifiers["patient_control_number"] != "UNKNOWNCLAIM01" ||
			un[0].Identifiers["payer_claim_number"] != "PAYER-9999" {
			t.Errorf("unmatched %+v", un)
		}

		// A later 277CA whose TRN02 is unknown but whose REF*1K is the accepted claim's: matched by
		// the payer claim number; the payer now rejects it (A3).
		late := batch277(ctl(200), x277.ClaimAck{Patient: patient, PatientControlNumber: "TRUNCATED", PayerClaimNumber: "PAYER-0001",
			Statuses: []x277.Status{{Category: "A3", Code: "21", Entity: "IL", Element: 1}}})
		r3 := ingest(t, in, receive(t, s, gateway.Kind277CA, "277_3", write277(t, 904, late)))
		if r3.ClaimAcks != 1 || r3.Unmatched != 0 {
			t.Fatalf("late 277CA %+v", r3)
		}
		if got := status(t, s, acc); got != gateway.StatusRejected277 {
			t.Errorf("claim matched by REF*1K: %s, want rejected_277", got)
		}
	})
}

// A 277CA that arrives before the 999: the claim takes the later stage and keeps it when the
// 999 comes.
func TestOutOfOrder277Before999(t *testing.T) {
	eachStore(t, func(t *testing.T, s gateway.Store) {
		in := newIngester(t, s, nil)
		b := newSentBatch(t, s, newSubmitter(t, s), 300, 1, 0)
		id := b.claims[0].ID
		ingest(t, in, receive(t, s, gateway.Kind277CA, "277", write277(t, 905,
			batch277(ctl(300), x277.AcceptedClaim(patient, id, "PCN-300", 10000, "2026-11-02")))))
		if st := status(t, s, id); st != gateway.StatusAccepted277 {
			t.Fatalf("after the 277CA: %s", st)
		}
		res := ingest(t, in, receive(t, s, gateway.Kind999, "999", write999(t, 906, x999.FunctionalAck{FunctionalID: "HC",
			GroupControlNumber: ctl(300), Status: "A", Sets: []x999.SetResponse{{SetID: "837", ControlNumber: b.setOf(300).ControlNumber, Status: "A"}}})))
		if res.ClaimAcks != 1 || res.Moved != 0 {
			t.Fatalf("late 999: %+v", res)
		}
		if st := status(t, s, id); st != gateway.StatusAccepted277 {
			t.Fatalf("after the late 999: %s", st)
		}
		cas := claimAcks(t, s, id)
		if len(cas) != 2 || cas[1].Kind != gateway.Kind999 || cas[1].Applied() || !strings.Contains(cas[1].Note, "status kept") {
			t.Fatalf("claim acks %+v", cas)
		}
	})
}

// A rejected TA1 rejects the whole batch.
func TestTA1RejectionMarksTheBatch(t *testing.T) {
	eachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		in := newIngester(t, s, nil)
		b := newSentBatch(t, s, newSubmitter(t, s), 400, 2, 1)
		other := newSentBatch(t, s, newSubmitter(t, s), 500, 1, 0)
		file := writeTA1(t, 907,
			ta1.Ack{ControlNumber: "000000400", Date: "261120", Time: "0900", Code: "R", Note: "006"},
			ta1.Ack{ControlNumber: "000000777", Date: "261120", Time: "0900", Code: "R", Note: "006"},
			ta1.Ack{ControlNumber: "000000500", Date: "261120", Time: "0900", Code: "A", Note: "000"})
		res := ingest(t, in, receive(t, s, gateway.KindTA1, "ta1", file))
		if res.Acknowledgments != 3 || res.ClaimAcks != 3 || res.Rejections != 3 || res.Unmatched != 1 {
			t.Fatalf("TA1 result %+v", res)
		}
		for _, c := range b.claims {
			if st := status(t, s, c.ID); st != gateway.StatusRejected999 {
				t.Errorf("claim %s: %s, want rejected_999", c.ID, st)
			}
			cas := claimAcks(t, s, c.ID)
			if len(cas) != 1 || cas[0].Kind != gateway.KindTA1 || !strings.Contains(cas[0].Sentences[0], "rejected") ||
				strings.Join(cas[0].Codes, ",") != "TA104:R,TA105:006" {
				t.Errorf("claim acks %+v", cas)
			}
		}
		if st := status(t, s, other.claims[0].ID); st != gateway.StatusSubmitted {
			t.Errorf("claim of the accepted interchange: %s", st)
		}
		rejs, err := s.ListRejections(ctx, gateway.RejectionFilter{Source: gateway.KindTA1})
		must(t, err)
		if len(rejs) != 3 || rejs[0].Category != string(codes.Other) {
			t.Errorf("TA1 rejections %+v", rejs)
		}
		un, err := s.ListUnmatchedAcknowledgments(ctx, gateway.UnmatchedFilter{Kind: gateway.KindTA1})
		must(t, err)
		if len(un) != 1 || un[0].Identifiers["interchange_control_number"] != "000000777" {
			t.Errorf("unmatched TA1 %+v", un)
		}
	})
}

// Control numbers that match nothing are kept as unmatched acknowledgments.
func TestUnknownControlNumbersAreKept(t *testing.T) {
	eachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		in := newIngester(t, s, prometheus.NewRegistry())
		b := newSentBatch(t, s, newSubmitter(t, s), 600, 1, 0)
		file := write999(t, 908,
			x999.FunctionalAck{FunctionalID: "HC", GroupControlNumber: "424242", Status: "A",
				Sets: []x999.SetResponse{{SetID: "837", ControlNumber: "0001", Status: "A"}}},
			x999.FunctionalAck{FunctionalID: "HC", GroupControlNumber: ctl(600), Status: "R",
				Sets: []x999.SetResponse{{SetID: "837", ControlNumber: "9999", Status: "R"}}},
			x999.FunctionalAck{FunctionalID: "BE", GroupControlNumber: ctl(600), Status: "A"})
		res := ingest(t, in, receive(t, s, gateway.Kind999, "999", file))
		if res.Acknowledgments != 3 || res.Unmatched != 3 || res.ClaimAcks != 0 || res.Status != gateway.FileProcessed {
			t.Fatalf("result %+v", res)
		}
		un, err := s.ListUnmatchedAcknowledgments(ctx, gateway.UnmatchedFilter{PayerID: payer})
		must(t, err)
		reasons := map[string]bool{}
		for _, u := range un {
			reasons[u.Reason] = true
		}
		for _, r := range []string{gateway.UnmatchedUnknownBatch, gateway.UnmatchedUnknownSet, gateway.UnmatchedNotAClaimAck} {
			if !reasons[r] {
				t.Errorf("no unmatched acknowledgment with reason %s: %+v", r, un)
			}
		}
		if st := status(t, s, b.claims[0].ID); st != gateway.StatusSubmitted {
			t.Errorf("claim moved by an unknown set: %s", st)
		}
		if got := value(t, in.Metrics().Unmatched.WithLabelValues(payer, "999")); got != 3 {
			t.Errorf("unmatched_acks_total = %v", got)
		}
		// The same 999 for another payer matches nothing at all.
		f, _, err := s.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: "OTHERPAYER", Name: "x", Kind: gateway.Kind999,
			Bytes: write999(t, 909, x999.FunctionalAck{FunctionalID: "HC", GroupControlNumber: ctl(600), Status: "A",
				Sets: []x999.SetResponse{{SetID: "837", ControlNumber: b.setOf(600).ControlNumber, Status: "A"}}})})
		must(t, err)
		res = ingest(t, in, f)
		if res.Unmatched != 1 || res.ClaimAcks != 0 {
			t.Fatalf("other payer's 999: %+v", res)
		}
	})
}

// Malformed files are quarantined with a positioned reason; nothing panics.
func TestMalformedFilesAreQuarantined(t *testing.T) {
	eachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		in := newIngester(t, s, nil)
		valid277 := write277(t, 910, batch277("1", x277.AcceptedClaim(patient, "ABC", "P", 100, "2026-11-02")))
		tests := []struct {
			name string
			kind gateway.FileKind
			body []byte
			want []string // in the reason
		}{
			{"not X12", gateway.Kind999, []byte("hello, this is not an interchange"), []string{"unreadable X12"}},
			{"segment without terminator", gateway.Kind999, []byte("ISA*00*          *00*          *ZZ*SIMPAYER       *ZZ*CLAIMGATE01    *261120*1000*^*00501*000000001*0*T*:~GS*FA*SIMPAYER*CLAIMGATE01*20261120*1000*1*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1"),
				[]string{"segment"}},
			{"277CA handed over as a 999", gateway.Kind999, valid277, []string{"no 999 acknowledgment found"}},
			{"empty", gateway.KindTA1, []byte{}, []string{"no TA1 segment found", "no X12 data"}},
			{"277CA truncated", gateway.Kind277CA, valid277[:len(valid277)/2], []string{"segment"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				f := receive(t, s, tc.kind, tc.name, tc.body)
				res := ingest(t, in, f)
				stored, err := s.GetFile(ctx, f.ID)
				must(t, err)
				if res.Status == gateway.FileProcessed && tc.name == "277CA truncated" {
					// A cut 277CA may still hold whole claims: then it is processed with its problems noted.
					if !strings.Contains(stored.Reason, "problem") {
						t.Fatalf("truncated 277CA processed without its problems: %q", stored.Reason)
					}
					return
				}
				if stored.Status != gateway.FileQuarantined || res.Status != gateway.FileQuarantined {
					t.Fatalf("status %s (%s), want quarantined", stored.Status, stored.Reason)
				}
				for _, w := range tc.want {
					if !strings.Contains(stored.Reason, w) {
						t.Errorf("reason %q lacks %q", stored.Reason, w)
					}
				}
				acks, err := s.ListAcknowledgments(ctx, gateway.AckFilter{FileID: f.ID})
				must(t, err)
				if len(acks) != 0 {
					t.Errorf("quarantined file left acknowledgments %+v", acks)
				}
				if again := ingest(t, in, f); !again.Duplicate {
					t.Errorf("second ingest of a quarantined file %+v", again)
				}
			})
		}
	})
}

// Ingest dispatches on the file kind and refuses what is not an acknowledgment.
func TestIngestDispatch(t *testing.T) {
	s := openSQLite(t)
	in := newIngester(t, s, nil)
	for _, k := range acks.Kinds() {
		if _, ok := in.For(k); !ok {
			t.Errorf("For(%s) not handled", k)
		}
	}
	if _, ok := in.For(gateway.Kind835); ok {
		t.Error("For(835) handled")
	}
	f := receive(t, s, gateway.Kind835, "835", []byte("ISA"))
	if err := in.Ingest(context.Background(), f); !errors.Is(err, gateway.ErrInvalid) {
		t.Errorf("Ingest(835) = %v, want ErrInvalid", err)
	}
	if err := in.Ingest(context.Background(), gateway.File{Kind: gateway.Kind999}); !errors.Is(err, gateway.ErrInvalid) {
		t.Errorf("Ingest(unarchived) = %v, want ErrInvalid", err)
	}
	// A KindIngester ingests as its kind whatever the file says; the stored bytes are read
	// when the caller passes the file without them.
	ki, _ := in.For(gateway.KindTA1)
	g := receive(t, s, gateway.KindUnknown, "ta1", writeTA1(t, 1, ta1.Ack{ControlNumber: "000000001", Date: "261120", Time: "0900", Code: "A", Note: "000"}))
	g.Bytes = nil
	if err := ki.Ingest(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	stored, err := s.GetFile(context.Background(), g.ID)
	must(t, err)
	if stored.Status != gateway.FileProcessed {
		t.Errorf("TA1 via KindIngester: %s %q", stored.Status, stored.Reason)
	}
}

// Claims waiting too long for a 999 or a 277CA are listed and counted in the gauge.
func TestStaleClaims(t *testing.T) {
	eachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		b := newSentBatch(t, s, newSubmitter(t, s), 700, 2, 0)
		reg := prometheus.NewRegistry()
		now := time.Now()
		in, err := acks.New(s, acks.Config{Registerer: reg, Logger: quiet, Now: func() time.Time { return now }})
		must(t, err)
		ingest(t, in, receive(t, s, gateway.Kind999, "999", write999(t, 911, x999.FunctionalAck{FunctionalID: "HC",
			GroupControlNumber: ctl(700), Status: "A", Sets: []x999.SetResponse{{SetID: "837", ControlNumber: b.setOf(700).ControlNumber, Status: "A"}}})))
		c2 := newSentBatch(t, s, newSubmitter(t, s), 800, 1, 0)
		// Nothing is stale yet.
		counts, err := in.RefreshStale(ctx)
		must(t, err)
		if len(counts) != 0 {
			t.Fatalf("stale right away: %+v", counts)
		}
		// Two days later the submitted claim waits for its 999; six days later the accepted ones
		// wait for their 277CA too.
		now = now.Add(48 * time.Hour)
		page, err := in.StaleClaims(ctx, gateway.StaleFilter{})
		must(t, err)
		if len(page.Claims) != 1 || page.Claims[0].Claim.ID != c2.claims[0].ID || page.Claims[0].WaitingFor != gateway.Waiting999 {
			t.Fatalf("stale after 2 days: %+v", page.Claims)
		}
		now = now.Add(4 * 24 * time.Hour)
		counts, err = in.RefreshStale(ctx)
		must(t, err)
		if len(counts) != 2 {
			t.Fatalf("stale after 6 days: %+v", counts)
		}
		if got := value(t, in.Metrics().Stale.WithLabelValues(payer, "277CA")); got != 2 {
			t.Errorf("claimgate_claims_stale{277CA} = %v", got)
		}
		if got := value(t, in.Metrics().Stale.WithLabelValues(payer, "999")); got != 1 {
			t.Errorf("claimgate_claims_stale{999} = %v", got)
		}
		page, err = acks.StaleClaims(ctx, s, acks.Staleness{After999: time.Hour, After277CA: 1000 * time.Hour}, now, gateway.StaleFilter{PayerID: payer})
		must(t, err)
		if len(page.Claims) != 1 || page.Claims[0].WaitingFor != gateway.Waiting999 {
			t.Errorf("custom thresholds: %+v", page.Claims)
		}
	})
}

// A 999 that rejects a whole group in AK9 without AK2 loops rejects every set of the group.
func TestGroupVerdictWithoutSets(t *testing.T) {
	eachStore(t, func(t *testing.T, s gateway.Store) {
		in := newIngester(t, s, nil)
		b := newSentBatch(t, s, newSubmitter(t, s), 1100, 1, 2)
		res := ingest(t, in, receive(t, s, gateway.Kind999, "999", write999(t, 912,
			x999.FunctionalAck{FunctionalID: "HC", GroupControlNumber: ctl(1101), Status: "R", Codes: []string{"2"}},
			x999.FunctionalAck{FunctionalID: "HC", GroupControlNumber: ctl(1100), Status: "A"})))
		if res.ClaimAcks != 3 || res.Moved != 3 || res.Rejections != 2 || res.Unmatched != 0 {
			t.Fatalf("result %+v", res)
		}
		if st := status(t, s, b.claimsOfSet(1100)[0]); st != gateway.StatusAccepted999 {
			t.Errorf("professional claim %s", st)
		}
		for _, id := range b.claimsOfSet(1101) {
			if st := status(t, s, id); st != gateway.StatusRejected999 {
				t.Errorf("institutional claim %s: %s", id, st)
			}
			cas := claimAcks(t, s, id)
			if len(cas) != 1 || !strings.Contains(strings.Join(cas[0].Sentences, " "), "Functional group 1101 error 2") {
				t.Errorf("claim acks %+v", cas)
			}
		}
	})
}

// Several replicas ingesting the same file at once: it is applied exactly once; a loser sees
// a conflict (and its retry finds the file processed) or the processed file.
func TestConcurrentIngestOfOneFile(t *testing.T) {
	eachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		b := newSentBatch(t, s, newSubmitter(t, s), 1200, 3, 0)
		f := receive(t, s, gateway.Kind999, "999", write999(t, 913, x999.FunctionalAck{FunctionalID: "HC",
			GroupControlNumber: ctl(1200), Status: "R", Sets: []x999.SetResponse{{SetID: "837", ControlNumber: b.setOf(1200).ControlNumber,
				Status: "R", Codes: []string{"5"}}}}))
		const replicas = 4
		errs := make(chan error, replicas)
		for i := 0; i < replicas; i++ {
			in := newIngester(t, s, nil)
			go func() {
				var err error
				for attempt := 0; attempt < 5; attempt++ {
					if err = in.Ingest(ctx, f); err == nil || !errors.Is(err, gateway.ErrConflict) {
						break
					}
				}
				errs <- err
			}()
		}
		for i := 0; i < replicas; i++ {
			must(t, <-errs)
		}
		for _, c := range b.claims {
			if n := len(claimAcks(t, s, c.ID)); n != 1 {
				t.Errorf("claim %s has %d acknowledgments, want 1", c.ID, n)
			}
		}
		rejs, err := s.ListRejections(ctx, gateway.RejectionFilter{})
		must(t, err)
		if len(rejs) != 3 {
			t.Errorf("%d rejections, want 3", len(rejs))
		}
		// Acknowledgments recorded but the file put back to received by hand: not applied twice.
		must(t, s.SetFileStatus(ctx, f.ID, gateway.FileReceived, ""))
		if res := ingest(t, newIngester(t, s, nil), f); !res.Duplicate {
			t.Errorf("re-ingest after a manual status reset: %+v", res)
		}
	})
}
