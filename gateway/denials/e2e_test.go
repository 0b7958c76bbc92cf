package denials_test

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/acks"
	"github.com/claimgate/claimgate/gateway/denials"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/gateway/remit"
	"github.com/claimgate/claimgate/gateway/submission"
	"github.com/claimgate/claimgate/payers"
	"github.com/claimgate/claimgate/payers/sim"
)

// pipeline is claimgate's submit/poll pipeline against the payer simulator over real SFTP:
// submission uploads 837s, the simulator answers 999, 277CA and 835, polling hands them to
// gateway/acks and gateway/remit, and the router routes what they recorded.
type pipeline struct {
	t      *testing.T
	store  gateway.Store
	sub    gateway.Submitter
	svc    *submission.Service
	router *denials.Router
}

func newPipeline(t *testing.T, s gateway.Store) *pipeline {
	t.Helper()
	ctx := context.Background()
	keys := t.TempDir()
	keyFile := filepath.Join(keys, "id_ed25519")
	pub, err := sim.EnsureClientKey(keyFile)
	ok(t, err)
	srv, err := sim.New(sim.Config{Addr: "127.0.0.1:0", Dir: t.TempDir(), Scenario: sim.DefaultScenario(),
		Users: []sim.User{{Name: "claimgate", AuthorizedKeys: []ssh.PublicKey{pub}}}, PollInterval: 10 * time.Millisecond})
	ok(t, err)
	simCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(func() { cancel(); _ = srv.Close() })
	ok(t, srv.Start(simCtx))
	knownHosts := filepath.Join(keys, "known_hosts")
	ok(t, srv.WriteKnownHosts(knownHosts))
	settings := srv.ClientSettings("claimgate", keyFile, "", knownHosts)
	settings.Timeout = 5 * time.Second
	payer := payers.Payer{ID: "SIMPAYER", Name: "Simulated Health Plan",
		Receiver: payers.Receiver{ISAQualifier: "ZZ", ISAID: "SIMPAYER", GSID: "SIMPAYER"}, Usage: "T",
		SFTP: settings, Submit: "@every 1h", Poll: "@every 1h"}
	reg, err := payers.NewRegistry([]payers.Payer{payer})
	ok(t, err)

	tbl := codes.Default()
	in, err := acks.New(s, acks.Config{Codes: tbl, Logger: quiet})
	ok(t, err)
	poster, err := remit.New(remit.Config{Store: s, Codes: tbl, Logger: quiet})
	ok(t, err)
	ingesters := map[gateway.FileKind]submission.Ingester{gateway.Kind835: poster}
	for _, k := range []gateway.FileKind{gateway.Kind999, gateway.Kind277CA, gateway.KindTA1} {
		ki, found := in.For(k)
		if !found {
			t.Fatalf("acks has no ingester for %s", k)
		}
		ingesters[k] = ki
	}
	svc, err := submission.New(submission.Config{Store: s, Payers: reg, Logger: quiet, LeaseTTL: 10 * time.Second,
		Sender: x837.Sender{ISAQualifier: "ZZ", ISAID: "CLAIMGATE01", GSID: "CLAIMGATE01", Name: "Lakeside Billing",
			Contact: x837.Contact{Name: "Billing Office", Phone: "6125550100"}},
		Ingesters: ingesters})
	ok(t, err)
	router, err := denials.New(denials.Config{Store: s, Codes: tbl, Logger: quiet})
	ok(t, err)
	return &pipeline{t: t, store: s, sub: newSubmitter(t, s, "lakeside"), svc: svc, router: router}
}

// claim stores an encounter as a queued claim, the way intake does.
func (p *pipeline) claim(e *intake.Encounter, freq gateway.Frequency, replaces string) gateway.Claim {
	p.t.Helper()
	canonical, err := e.MarshalCanonical()
	ok(p.t, err)
	id := gateway.NewClaimID(time.Now())
	x, err := e.ToClaim(id)
	ok(p.t, err)
	c, err := p.store.CreateClaim(context.Background(), gateway.Claim{ID: id, SubmitterID: p.sub.ID, ExternalID: e.ExternalID,
		Type: gateway.ClaimType(e.ClaimType), PayerID: "SIMPAYER", Frequency: freq, TotalCharge: x.TotalCharge,
		LineCount: len(x.Lines), Encounter: canonical, ReplacesClaimID: replaces}, gateway.EventInput{Source: "intake"})
	ok(p.t, err)
	return c
}

// submitAndPoll sends the queued claims and polls until done reports the answers are in.
func (p *pipeline) submitAndPoll(done func() bool) {
	p.t.Helper()
	ctx := context.Background()
	res, err := p.svc.Submit(ctx, "SIMPAYER")
	ok(p.t, err)
	if res.Claims == 0 {
		p.t.Fatalf("submit: %+v", res)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			p.t.Fatal("the payer's answers did not arrive in time")
		}
		_, err := p.svc.Poll(ctx, "SIMPAYER")
		ok(p.t, err)
		time.Sleep(30 * time.Millisecond)
	}
}

func (p *pipeline) status(id string) gateway.ClaimStatus {
	p.t.Helper()
	c, err := p.store.GetClaim(context.Background(), id, 0)
	ok(p.t, err)
	return c.Status
}

func (p *pipeline) allMoved(ids ...string) func() bool {
	return func() bool {
		for _, id := range ids {
			switch p.status(id) {
			case gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted999, gateway.StatusAccepted277, gateway.StatusQueued:
				return false
			}
		}
		return true
	}
}

// lastBatch837 returns the newest archived outbound 837.
func (p *pipeline) lastBatch837() string {
	p.t.Helper()
	ctx := context.Background()
	files, err := p.store.ListFiles(ctx, gateway.FileFilter{Direction: gateway.Outbound, PayerID: "SIMPAYER"})
	ok(p.t, err)
	var newest gateway.File
	for _, f := range files {
		if f.Kind == gateway.Kind837 && f.ID > newest.ID {
			newest = f
		}
	}
	if newest.ID == 0 {
		p.t.Fatal("no 837 was archived")
	}
	f, err := p.store.GetFile(ctx, newest.ID)
	ok(p.t, err)
	return string(f.Bytes)
}

// TestEndToEndOverPayerSimulator: claims go out over SFTP, the simulator denies and rejects
// several of them for different reasons, and the denials land in the right queues with their
// codes and sentences; then a replacement goes out as frequency 7 with REF*F8, a void as
// frequency 8, and once the payer accepts them the originals are replaced and voided.
func TestEndToEndOverPayerSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end over SFTP")
	}
	forEachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		p := newPipeline(t, s)
		mk := func(ext string, mod func(e *intake.Encounter)) gateway.Claim {
			e := encounter(t, "prof_one_line")
			e.ExternalID = ext
			if mod != nil {
				mod(e)
			}
			return p.claim(e, gateway.FrequencyOriginal, "")
		}
		paid := mk("E2E-PAID", nil)
		rejected := mk("E2E-BADMEMBER", func(e *intake.Encounter) { e.Subscriber.MemberID = "BAD0001" })
		nocov := mk("E2E-NOCOV", func(e *intake.Encounter) { e.Subscriber.MemberID = "NOCOV0001" })
		auth := mk("E2E-AUTH", func(e *intake.Encounter) {
			l := e.Claim.ServiceLines[0]
			l.ProcedureCode = "97530"
			e.Claim.ServiceLines = append(e.Claim.ServiceLines, l)
		})
		ncci := mk("E2E-NCCI", func(e *intake.Encounter) { e.Claim.ServiceLines[0].Modifiers = []string{"59"} })
		coding := mk("E2E-CODING", func(e *intake.Encounter) { e.Claim.ServiceLines[0].ProcedureCode = "99499" })
		all := []string{paid.ID, rejected.ID, nocov.ID, auth.ID, ncci.ID, coding.ID}
		p.submitAndPoll(p.allMoved(all...))

		sw, err := p.router.Sweep(ctx)
		ok(t, err)
		if sw.Created != 5 || sw.Rejections != 1 {
			t.Fatalf("sweep: %+v", sw)
		}
		type want struct {
			source, queue string
			category      codes.Category
			codes         []string
			words         string
		}
		wants := map[string]want{
			rejected.ID: {"277CA", "front_desk", codes.EligibilityRegistration, []string{"A7:33:IL"}, "A7:33:IL"},
			nocov.ID:    {"835", "front_desk", codes.EligibilityRegistration, []string{"CO-27", "N30"}, "CO-27"},
			auth.ID:     {"835", "authorization", codes.Authorization, []string{"CO-197", "N54"}, "CO-197"},
			ncci.ID:     {"835", "coding", codes.BundlingContractual, []string{"CO-97", "M15"}, "CO-97"},
			coding.ID:   {"835", "coding", codes.Coding, []string{"CO-4", "M51"}, "CO-4"},
		}
		page, err := s.ListDenials(ctx, gateway.DenialFilter{SubmitterID: p.sub.ID})
		ok(t, err)
		if len(page.Denials) != len(wants) {
			t.Fatalf("%d denials, want %d: %+v", len(page.Denials), len(wants), page.Denials)
		}
		byClaim := map[string]gateway.Denial{}
		for _, d := range page.Denials {
			byClaim[d.ClaimID] = d
			w, found := wants[d.ClaimID]
			if !found {
				t.Fatalf("unexpected denial for claim %s: %+v", d.ClaimID, d)
			}
			if d.Source != w.source || d.Queue != w.queue || d.Category != string(w.category) || !reflect.DeepEqual(d.Codes, w.codes) ||
				!strings.Contains(d.Reason, w.words) || len(d.Reason) < 40 {
				t.Fatalf("claim %s: %+v, want %+v", d.ClaimID, d, w)
			}
		}
		// The queues: front_desk 2, coding 2, authorization 1.
		stats, err := s.DenialQueueStats(ctx, p.sub.ID)
		ok(t, err)
		got := map[string]int{}
		for _, st := range stats {
			got[st.Queue] = st.Open
		}
		if !reflect.DeepEqual(got, map[string]int{"front_desk": 2, "coding": 2, "authorization": 1}) {
			t.Fatalf("queues %v", got)
		}

		// Corrections: replace the authorization denial's claim, void the coding one.
		authClaim, err := s.GetClaim(ctx, auth.ID, 0)
		ok(t, err)
		codingClaim, err := s.GetClaim(ctx, coding.ID, 0)
		ok(t, err)
		ok(t, denials.CheckCorrectable(authClaim))
		ok(t, denials.CheckCorrectable(codingClaim))
		fixed, err := intake.DecodeEncounter(bytes.NewReader(authClaim.Encounter))
		ok(t, err)
		fixed.ExternalID = "E2E-AUTH-R1"
		fixed.Claim.PriorAuthorization = "AUTH778899"
		if probs := denials.PrepareReplacement(authClaim, fixed); len(probs) > 0 {
			t.Fatalf("replacement: %+v", probs)
		}
		repl := p.claim(fixed, gateway.FrequencyReplacement, auth.ID)
		voidEnc, err := denials.PrepareVoid(codingClaim)
		ok(t, err)
		void := p.claim(voidEnc, gateway.FrequencyVoid, coding.ID)

		accepted := func() bool {
			for _, id := range []string{repl.ID, void.ID} {
				switch p.status(id) {
				case gateway.StatusQueued, gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted999:
					return false
				}
			}
			return true
		}
		p.submitAndPoll(accepted)
		x12 := p.lastBatch837()
		for _, w := range []string{"CLM*" + repl.ID + "*", ":7*", "REF*F8*" + authClaim.PayerClaimNumber + "~", "CLM*" + void.ID + "*", ":8*",
			"REF*F8*" + codingClaim.PayerClaimNumber + "~", "REF*G1*AUTH778899~"} {
			if !strings.Contains(x12, w) {
				t.Fatalf("the corrections' 837 lacks %q", w)
			}
		}
		for _, seg := range strings.Split(x12, "~") {
			if strings.HasPrefix(seg, "CLM*"+repl.ID+"*") && !strings.Contains(seg, ":B:7*") {
				t.Fatalf("replacement CLM %q", seg)
			}
			if strings.HasPrefix(seg, "CLM*"+void.ID+"*") && !strings.Contains(seg, ":B:8*") {
				t.Fatalf("void CLM %q", seg)
			}
		}

		sw, err = p.router.Sweep(ctx)
		ok(t, err)
		if sw.Corrections != 2 || sw.Resolved != 1 {
			t.Fatalf("sweep after the corrections: %+v", sw)
		}
		if st := p.status(auth.ID); st != gateway.StatusReplaced {
			t.Fatalf("original of the replacement: %s", st)
		}
		if st := p.status(coding.ID); st != gateway.StatusVoided {
			t.Fatalf("original of the void: %s", st)
		}
		d, err := s.GetDenial(ctx, byClaim[auth.ID].ID, 0)
		ok(t, err)
		if d.Status != gateway.DenialResolved || d.Resolution != gateway.ResolutionCorrected || d.ResolvedByClaimID != repl.ID {
			t.Fatalf("the authorization denial after the accepted replacement: %+v", d)
		}
	})
}
