package denials_test

import (
	"bytes"
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/acks"
	"github.com/claimgate/claimgate/gateway/denials"
)

func TestDetectRejection(t *testing.T) {
	tbl := codes.Default()
	d999 := tbl.ClassifySyntaxError("NM1", "2010BA")
	tests := []struct {
		name     string
		rej      gateway.Rejection
		category codes.Category
		queue    string
		source   string
		words    string
	}{
		{"999: a subscriber segment error goes to the front desk",
			gateway.Rejection{ID: 4, ClaimID: "C1", PayerID: "SIMPAYER", Source: gateway.Kind999, Codes: []string{"IK501:R", "IK304:8"},
				Sentences: []string{"Segment NM1 in loop 2010BA has an invalid element."}, Category: string(d999.Category),
				Queue: d999.Queue, DecidedBy: d999.DecidedBy, Reason: d999.Reason},
			codes.EligibilityRegistration, "front_desk", "999", "2010BA"},
		{"277CA: as acks decided",
			gateway.Rejection{ID: 5, ClaimID: "C1", PayerID: "SIMPAYER", Source: gateway.Kind277CA, Codes: []string{"A7:562:85"},
				Sentences: []string{"Rejected: the billing provider's NPI is not known to the payer."},
				Category:  "provider_enrollment_credentialing", Queue: "old_queue_name", Reason: "Check enrollment."},
			codes.ProviderEnrollmentCredentialing, "credentialing", "277CA", "Check enrollment"},
		{"277CA without a category: classified again from the first rejecting STC",
			gateway.Rejection{ID: 6, ClaimID: "C1", PayerID: "SIMPAYER", Source: gateway.Kind277CA, Codes: []string{"A1:19:PR", "A7:33:IL"}},
			tbl.ClassifyClaimStatus("A7", "33", "IL").Category, tbl.ClassifyClaimStatus("A7", "33", "IL").Queue, "277CA", "A7:33:IL"},
		{"TA1: other, in billing",
			gateway.Rejection{ID: 7, ClaimID: "C1", PayerID: "SIMPAYER", Source: gateway.KindTA1, Codes: []string{"TA104:R", "TA105:022"},
				Sentences: []string{"The interchange was rejected: invalid control structure."}, Category: "other", Queue: "billing",
				Reason: "Send the claim again."},
			codes.Other, "billing", "TA1", "Send the claim again"},
		{"999 without a reason: the codes",
			gateway.Rejection{ID: 8, ClaimID: "C1", PayerID: "SIMPAYER", Source: gateway.Kind999, Codes: []string{"IK501:R", "IK304:8"},
				Sentences: []string{"Segment NM1 element NM109 is invalid 'XYZ123456789'."}, Category: "other", Queue: "billing"},
			codes.Other, "billing", "999", "IK501:R, IK304:8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := denials.DetectRejection(tbl, tc.rej, 42)
			if d.Category != string(tc.category) || d.Queue != tc.queue || d.Source != tc.source || d.SubmitterID != 42 ||
				d.SourceRef != "rej:"+itoa(tc.rej.ID) || d.RejectionID == nil || *d.RejectionID != tc.rej.ID ||
				!reflect.DeepEqual(d.Codes, tc.rej.Codes) || d.Action != string(codes.CorrectAndResubmit) || d.Amount != 0 ||
				!strings.Contains(d.Reason, tc.words) {
				t.Fatalf("%+v", d)
			}
			for _, sentence := range tc.rej.Sentences {
				if strings.Contains(d.Reason, sentence) || strings.Contains(d.Reason, "XYZ123456789") {
					t.Fatalf("the reason copies the acknowledgment's sentence (it may quote patient data): %q", d.Reason)
				}
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestFromRejectionOver277CA ingests a real 277CA with gateway/acks (two rejected claims, one
// accepted) and routes the rejection work items it wrote.
func TestFromRejectionOver277CA(t *testing.T) {
	forEachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		sub := newSubmitter(t, s, "lakeside")
		var claims []gateway.Claim
		for _, ext := range []string{"ENC-R1", "ENC-R2", "ENC-A1"} {
			e := encounter(t, "prof_one_line")
			e.ExternalID = ext
			canonical, err := e.MarshalCanonical()
			ok(t, err)
			c, err := s.CreateClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: ext, Type: gateway.Professional, PayerID: "SIMPAYER",
				TotalCharge: 15000, LineCount: 1, Encounter: canonical}, gateway.EventInput{})
			ok(t, err)
			for _, st := range []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted} {
				c, err = s.TransitionClaim(ctx, c.ID, st, gateway.EventInput{})
				ok(t, err)
			}
			claims = append(claims, c)
		}
		patient := x277.Entity{Code: "QC", Type: "1", Name: "RUIZ", FirstName: "ANA"}
		provider := x277.Entity{Code: "85", Type: "2", Name: "LAKESIDE FAMILY MEDICINE", IDQualifier: "XX", ID: "1234567893"}
		now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
		tr := x277.Build(x277.Batch{Reference: "999999", Created: now,
			Source:   x277.Entity{Code: "PR", Type: "2", Name: "SIMULATED HEALTH PLAN", IDQualifier: "PI", ID: "SIMPAYER"},
			Receiver: x277.Entity{Code: "41", Type: "2", Name: "CLAIMGATE", IDQualifier: "46", ID: "CLAIMGATE01"}, Trace: "999999",
			Claims: []x277.BatchClaim{
				{Provider: provider, Claim: x277.RejectedClaim(patient, claims[0].ID, 15000, "2026-11-02", x277.Status{Category: "A7", Code: "33", Entity: "IL"})},
				{Provider: provider, Claim: x277.RejectedClaim(patient, claims[1].ID, 15000, "2026-11-02", x277.Status{Category: "A7", Code: "562", Entity: "85"})},
				{Provider: provider, Claim: x277.AcceptedClaim(patient, claims[2].ID, "SIMX0001", 15000, "2026-11-02")},
			}})
		var buf bytes.Buffer
		ok(t, x277.Write(&buf, x277.Envelope{
			Interchange: edi.ISAHeader{SenderQualifier: "ZZ", SenderID: "SIMPAYER", ReceiverQualifier: "ZZ", ReceiverID: "CLAIMGATE01",
				Time: now, ControlNumber: 7, Usage: "T"},
			Group: edi.GSHeader{Sender: "SIMPAYER", Receiver: "CLAIMGATE01", Time: now, ControlNumber: 7},
		}, tr))
		f, _, err := s.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: "SIMPAYER", Name: "a.277", Kind: gateway.Kind277CA,
			Bytes: buf.Bytes(), Status: gateway.FileReceived})
		ok(t, err)
		f.Bytes = buf.Bytes()
		in, err := acks.New(s, acks.Config{Logger: quiet})
		ok(t, err)
		ok(t, in.Ingest(ctx, f))
		rejs, err := s.ListRejections(ctx, gateway.RejectionFilter{})
		ok(t, err)
		if len(rejs) != 2 {
			t.Fatalf("acks wrote %d rejections, want 2", len(rejs))
		}

		r, err := denials.New(denials.Config{Store: s, Logger: quiet})
		ok(t, err)
		sw, err := r.Sweep(ctx)
		ok(t, err)
		if sw.Rejections != 2 || sw.Created != 2 {
			t.Fatalf("sweep: %+v", sw)
		}
		tbl := codes.Default()
		wants := map[string]codes.Decision{
			claims[0].ID: tbl.ClassifyClaimStatus("A7", "33", "IL"),
			claims[1].ID: tbl.ClassifyClaimStatus("A7", "562", "85"),
		}
		page, err := s.ListDenials(ctx, gateway.DenialFilter{SubmitterID: sub.ID})
		ok(t, err)
		if len(page.Denials) != 2 {
			t.Fatalf("%d denials", len(page.Denials))
		}
		for _, d := range page.Denials {
			w, found := wants[d.ClaimID]
			if !found || d.Source != gateway.DenialSource277CA || d.Category != string(w.Category) || d.Queue != w.Queue ||
				d.RejectionID == nil || len(d.Codes) == 0 || !strings.HasPrefix(d.Codes[0], "A7:") || d.Reason == "" {
				t.Fatalf("denial %+v, want %+v", d, w)
			}
		}
		if wants[claims[0].ID].Category != codes.EligibilityRegistration || wants[claims[1].ID].Queue != "credentialing" {
			t.Fatalf("code table: A7:33:IL -> %s, A7:562:85 -> %s", wants[claims[0].ID].Category, wants[claims[1].ID].Queue)
		}
		if evs := deliveries(t, s, sub.ID, gateway.EventDenialCreated); len(evs) != 2 {
			t.Fatalf("%d denial.created events", len(evs))
		}
		// Routed once: a second sweep changes nothing.
		sw, err = r.Sweep(ctx)
		ok(t, err)
		if sw.Rejections != 0 || sw.Created != 0 {
			t.Fatalf("second sweep: %+v", sw)
		}
	})
}
