package denials_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/denials"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/payers"
)

// render837 maps an encounter with intake and renders it as an 837; it returns the segments.
func render837(t testing.TB, e *intake.Encounter, claimID string) []string {
	t.Helper()
	x, err := e.ToClaim(claimID)
	ok(t, err)
	var buf bytes.Buffer
	ok(t, x837.Render(&buf, &x837.Interchange{
		Sender: x837.Sender{ISAQualifier: "ZZ", ISAID: "CLAIMGATE01", GSID: "CLAIMGATE01", Name: "CLAIMGATE",
			Contact: x837.Contact{Name: "CLAIMGATE EDI", Email: "edi@claimgate.invalid"}},
		Receiver:       x837.Receiver{ISAQualifier: "ZZ", ISAID: "SIMPAYER", GSID: "SIMPAYER", Name: "SIMULATED HEALTH PLAN"},
		Usage:          "T",
		ControlNumbers: x837.ControlNumbers{ISA: 1, GS: 1, ST: 1},
		Time:           time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC),
		Claims:         []x837.Claim{x},
	}))
	var segs []string
	for _, s := range strings.Split(buf.String(), "~") {
		if s = strings.TrimSpace(s); s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

func segment(segs []string, prefix string) string {
	for _, s := range segs {
		if strings.HasPrefix(s, prefix) {
			return s
		}
	}
	return ""
}

func TestCheckCorrectable(t *testing.T) {
	c := gateway.Claim{ID: "C1", Status: gateway.StatusSubmitted}
	if err := denials.CheckCorrectable(c); !errors.Is(err, denials.ErrNoPayerClaimNumber) || !errors.Is(err, gateway.ErrConflict) {
		t.Fatalf("no payer claim number: %v", err)
	}
	c.PayerClaimNumber, c.Status = "SIM123", gateway.StatusDenied
	if err := denials.CheckCorrectable(c); err != nil {
		t.Fatalf("denied with a payer claim number: %v", err)
	}
	for _, st := range []gateway.ClaimStatus{gateway.StatusReplaced, gateway.StatusVoided} {
		c.Status = st
		if err := denials.CheckCorrectable(c); !errors.Is(err, denials.ErrFinal) || !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("%s: %v", st, err)
		}
	}
}

func TestPrepareReplacementAndVoidRender(t *testing.T) {
	for _, name := range []string{"prof_one_line", "inst_outpatient_0131"} {
		t.Run(name, func(t *testing.T) {
			orig := encounter(t, name)
			canonical, err := orig.MarshalCanonical()
			ok(t, err)
			claim := gateway.Claim{ID: "01JD0000000000ORG", ExternalID: orig.ExternalID, Type: gateway.ClaimType(orig.ClaimType),
				PayerID: "SIMPAYER", Status: gateway.StatusDenied, PayerClaimNumber: "SIM20261120000042", Encounter: canonical}

			corrected := encounter(t, name)
			corrected.ExternalID = orig.ExternalID + "-R1"
			corrected.Claim.ServiceLines[0].Modifiers = []string{"25"}
			if probs := denials.PrepareReplacement(claim, corrected); len(probs) != 0 {
				t.Fatalf("replacement problems: %+v", probs)
			}
			if p := intake.Scrub(corrected, intake.ScrubOptions{Now: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
				Payer: func(string) (payers.Payer, bool) { return payers.Payer{ID: "SIMPAYER"}, true }}); len(p) != 0 {
				t.Fatalf("scrub: %+v", p)
			}
			segs := render837(t, corrected, "01JD0000000000RPL")
			clm := strings.Split(segment(segs, "CLM*"), "*")
			if len(clm) < 6 || !strings.HasSuffix(clm[5], ":7") {
				t.Fatalf("replacement CLM05: %v", clm)
			}
			if got := segment(segs, "REF*F8*"); got != "REF*F8*SIM20261120000042" {
				t.Fatalf("replacement REF*F8: %q", got)
			}

			void, err := denials.PrepareVoid(claim)
			ok(t, err)
			if void.ExternalID != orig.ExternalID+denials.VoidSuffix || void.Claim.Frequency != intake.FrequencyVoid {
				t.Fatalf("void: %q %q", void.ExternalID, void.Claim.Frequency)
			}
			segs = render837(t, void, "01JD0000000000VOI")
			clm = strings.Split(segment(segs, "CLM*"), "*")
			if len(clm) < 6 || !strings.HasSuffix(clm[5], ":8") {
				t.Fatalf("void CLM05: %v", clm)
			}
			if got := segment(segs, "REF*F8*"); got != "REF*F8*SIM20261120000042" {
				t.Fatalf("void REF*F8: %q", got)
			}
		})
	}
}

func TestPrepareReplacementRefuses(t *testing.T) {
	orig := encounter(t, "prof_one_line")
	claim := gateway.Claim{ID: "01JD0000000000ORG", ExternalID: orig.ExternalID, Type: gateway.Professional, PayerID: "SIMPAYER",
		PayerClaimNumber: "SIM1"}
	bad := encounter(t, "prof_one_line")
	bad.Payer.ID = "OTHERPAYER"
	bad.Claim.Frequency = intake.FrequencyVoid
	bad.Claim.PayerClaimNumber = "SIM2"
	probs := denials.PrepareReplacement(claim, bad)
	var pointers []string
	for _, p := range probs {
		pointers = append(pointers, p.Pointer)
	}
	want := "/payer/id /external_id /claim/frequency /claim/payer_claim_number"
	if strings.Join(pointers, " ") != want {
		t.Fatalf("problems at %v, want %s", pointers, want)
	}
	if got := denials.VoidExternalID(strings.Repeat("x", 64)); len(got) != 64 || !strings.HasSuffix(got, denials.VoidSuffix) {
		t.Fatalf("void external id %q", got)
	}
}

// TestCorrectionLinking: the original is marked replaced only once the payer accepted the
// replacement, and its open denials are resolved as corrected by it.
func TestCorrectionLinking(t *testing.T) {
	forEachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		sub := newSubmitter(t, s, "lakeside")
		e := encounter(t, "prof_one_line")
		orig, _ := storeClaim(t, s, sub, e, "SIM0001")
		orig, err := s.TransitionClaim(ctx, orig.ID, gateway.StatusDenied, gateway.EventInput{})
		ok(t, err)
		d, _, err := s.CreateDenial(ctx, gateway.Denial{ClaimID: orig.ID, SubmitterID: sub.ID, PayerID: "SIMPAYER", Source: "835",
			SourceRef: "rem:1/clp:1/cas:1", Codes: []string{"CO-4"}, Category: "coding", Queue: "coding", Action: "correct_and_resubmit",
			Reason: "CO-4: modifier"})
		ok(t, err)

		e2 := encounter(t, "prof_one_line")
		e2.ExternalID += "-R1"
		if p := denials.PrepareReplacement(orig, e2); len(p) != 0 {
			t.Fatalf("%+v", p)
		}
		repl, _ := storeClaimReplacing(t, s, sub, e2, orig.ID)

		r, err := denials.New(denials.Config{Store: s, Logger: quiet})
		ok(t, err)
		sw, err := r.Sweep(ctx)
		ok(t, err)
		if sw.Corrections != 0 {
			t.Fatalf("linked before the payer accepted the replacement: %+v", sw)
		}
		_, err = s.TransitionClaim(ctx, repl.ID, gateway.StatusAccepted277, gateway.EventInput{PayerClaimNumber: "SIM0002"})
		ok(t, err)
		sw, err = r.Sweep(ctx)
		ok(t, err)
		if sw.Corrections != 1 || sw.Resolved != 1 {
			t.Fatalf("sweep: %+v", sw)
		}
		got, err := s.GetClaim(ctx, orig.ID, 0)
		ok(t, err)
		if got.Status != gateway.StatusReplaced {
			t.Fatalf("original %s", got.Status)
		}
		dd, err := s.GetDenial(ctx, d.ID, sub.ID)
		ok(t, err)
		if dd.Status != gateway.DenialResolved || dd.Resolution != gateway.ResolutionCorrected || dd.ResolvedByClaimID != repl.ID {
			t.Fatalf("denial %+v", dd)
		}
	})
}

// storeClaimReplacing stores a replacement of original and walks it to submitted.
func storeClaimReplacing(t testing.TB, s gateway.Store, sub gateway.Submitter, e *intake.Encounter, original string) (gateway.Claim, x837.Claim) {
	t.Helper()
	ctx := context.Background()
	canonical, err := e.MarshalCanonical()
	ok(t, err)
	id := gateway.NewClaimID(time.Now())
	x, err := e.ToClaim(id)
	ok(t, err)
	c, err := s.CreateClaim(ctx, gateway.Claim{ID: id, SubmitterID: sub.ID, ExternalID: e.ExternalID, Type: gateway.Professional,
		PayerID: "SIMPAYER", Frequency: gateway.FrequencyReplacement, TotalCharge: x.TotalCharge, LineCount: len(x.Lines),
		Encounter: canonical, ReplacesClaimID: original}, gateway.EventInput{})
	ok(t, err)
	for _, st := range []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted} {
		c, err = s.TransitionClaim(ctx, c.ID, st, gateway.EventInput{})
		ok(t, err)
	}
	return c, x
}
