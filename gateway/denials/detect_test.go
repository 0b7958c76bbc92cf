package denials_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/denials"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/gateway/remit"
)

func adj(group, reason string, cents int64) gateway.RemitAdjustment {
	return gateway.RemitAdjustment{Group: group, Reason: reason, Amount: edi.Amount(cents)}
}

// want is one expected denial of a claim payment.
type want struct {
	ref      string
	codes    []string
	category codes.Category
	queue    string
	action   codes.Action
	amount   edi.Amount
	line     int // 0: claim level
}

func TestDetectPayment(t *testing.T) {
	tbl := codes.Default()
	paidLine := func(seq, line int, proc string, adjs ...gateway.RemitAdjustment) gateway.LinePayment {
		return gateway.LinePayment{Seq: seq, LineNumber: line, Procedure: proc, Charge: 15000, Adjustments: adjs}
	}
	base := gateway.ClaimPayment{RemittanceID: 7, Seq: 3, ClaimID: "01JD0000000000001", SubmitterID: 1, StatusCode: "1",
		Charge: 30000, Paid: 10000}
	tests := []struct {
		name string
		cp   func(cp gateway.ClaimPayment) gateway.ClaimPayment
		want []want
	}{
		{"CLP02 4 with a claim-level CO-27 is an eligibility denial", func(cp gateway.ClaimPayment) gateway.ClaimPayment {
			cp.StatusCode, cp.Paid = "4", 0
			cp.Adjustments = []gateway.RemitAdjustment{adj("CO", "27", 30000)}
			cp.Remarks = []gateway.RemitRemark{{Source: "MOA", Code: "N30"}}
			return cp
		}, []want{{ref: "rem:7/clp:3/cas:1", codes: []string{"CO-27", "N30"}, category: codes.EligibilityRegistration,
			queue: "front_desk", action: codes.CorrectAndResubmit, amount: 30000}}},
		{"CLP02 4 without a denial reason is one claim-level denial", func(cp gateway.ClaimPayment) gateway.ClaimPayment {
			cp.StatusCode, cp.Paid = "4", 0
			cp.Adjustments = []gateway.RemitAdjustment{adj("CO", "45", 30000)}
			return cp
		}, []want{{ref: "rem:7/clp:3/clp02", codes: []string{"CLP02:4"}, category: codes.Other, queue: "billing",
			action: codes.Appeal, amount: 30000}}},
		{"a line-level CO-197 inside a paid claim", func(cp gateway.ClaimPayment) gateway.ClaimPayment {
			cp.Lines = []gateway.LinePayment{
				paidLine(1, 1, "99214", adj("CO", "45", 4200), adj("PR", "2", 2160)),
				paidLine(2, 2, "97530", adj("CO", "197", 15000)),
			}
			cp.Lines[1].Remarks = []gateway.RemitRemark{{Source: "LQ*HE", Code: "N54"}}
			return cp
		}, []want{{ref: "rem:7/clp:3/svc:2/cas:1", codes: []string{"CO-197", "N54"}, category: codes.Authorization,
			queue: "authorization", action: codes.CorrectAndResubmit, amount: 15000, line: 2}}},
		{"CO-45 alone is contractual: no denial", func(cp gateway.ClaimPayment) gateway.ClaimPayment {
			cp.Lines = []gateway.LinePayment{paidLine(1, 1, "99214", adj("CO", "45", 4200))}
			return cp
		}, nil},
		{"PR-1, PR-2 and PR-3 are the patient's: no denial", func(cp gateway.ClaimPayment) gateway.ClaimPayment {
			cp.Adjustments = []gateway.RemitAdjustment{adj("PR", "1", 5000)}
			cp.Lines = []gateway.LinePayment{paidLine(1, 1, "99214", adj("PR", "2", 2160), adj("PR", "3", 2500))}
			return cp
		}, nil},
		{"CO-16 takes its category from the remark: M76 is coding", func(cp gateway.ClaimPayment) gateway.ClaimPayment {
			cp.Remarks = []gateway.RemitRemark{{Source: "MOA", Code: "M76"}}
			cp.Lines = []gateway.LinePayment{paidLine(1, 0, "99214", adj("CO", "16", 15000))}
			return cp
		}, []want{{ref: "rem:7/clp:3/svc:1/cas:1", codes: []string{"CO-16", "M76"}, category: codes.Coding, queue: "coding",
			action: codes.CorrectAndResubmit, amount: 15000}}},
		{"OA-18 is a duplicate", func(cp gateway.ClaimPayment) gateway.ClaimPayment {
			cp.Adjustments = []gateway.RemitAdjustment{adj("OA", "18", 30000)}
			return cp
		}, []want{{ref: "rem:7/clp:3/cas:1", codes: []string{"OA-18"}, category: codes.Duplicate, queue: "billing",
			action: codes.WriteOff, amount: 30000}}},
		{"a reversal yields nothing", func(cp gateway.ClaimPayment) gateway.ClaimPayment {
			cp.StatusCode, cp.Reversal = "22", true
			cp.Adjustments = []gateway.RemitAdjustment{adj("CO", "197", -30000)}
			return cp
		}, nil},
		{"a negative adjustment (take-back) is not a denial", func(cp gateway.ClaimPayment) gateway.ClaimPayment {
			cp.Adjustments = []gateway.RemitAdjustment{adj("CO", "197", -500)}
			return cp
		}, nil},
		{"an unmatched payment yields nothing", func(cp gateway.ClaimPayment) gateway.ClaimPayment {
			cp.ClaimID = ""
			cp.StatusCode = "4"
			return cp
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := denials.DetectPayment(tbl, "SIMPAYER", tc.cp(base))
			if len(got) != len(tc.want) {
				t.Fatalf("%d denials, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				d := got[i]
				if d.SourceRef != w.ref || !reflect.DeepEqual(d.Codes, w.codes) || d.Category != string(w.category) ||
					d.Queue != w.queue || d.Action != string(w.action) || d.Amount != w.amount || d.Source != gateway.DenialSource835 ||
					d.ClaimID != base.ClaimID || d.SubmitterID != 1 || d.PayerID != "SIMPAYER" || d.RemittanceID == nil || *d.RemittanceID != 7 {
					t.Fatalf("denial %d:\n got %+v\nwant %+v", i, d, w)
				}
				if (w.line == 0) != (d.LineNumber == nil) || (w.line != 0 && *d.LineNumber != w.line) {
					t.Fatalf("line: %v, want %d", d.LineNumber, w.line)
				}
				if d.Reason == "" || d.DecidedBy == "" {
					t.Fatalf("no reason or decided_by: %+v", d)
				}
			}
		})
	}
}

// TestFromRemittanceOverSimulated835 posts a real 835 (written by the payer simulator's
// adjudication from real 837 claims, posted by gateway/remit) and routes it.
func TestFromRemittanceOverSimulated835(t *testing.T) {
	forEachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		sub := newSubmitter(t, s, "lakeside")

		paid := encounter(t, "prof_one_line") // CO-45 and PR-2 only
		paid.ExternalID = "ENC-PAID"

		auth := encounter(t, "prof_one_line") // line 2 97530: CO-197 N54
		auth.ExternalID = "ENC-AUTH"
		l2 := auth.Claim.ServiceLines[0]
		l2.ProcedureCode = "97530"
		auth.Claim.ServiceLines = append(auth.Claim.ServiceLines, l2)

		nocov := encounter(t, "prof_one_line") // CLP02 4, CO-27 N30
		nocov.ExternalID = "ENC-NOCOV"
		nocov.Subscriber.MemberID = "NOCOV0001"

		ncci := encounter(t, "prof_one_line") // modifier 59: CO-97 M15
		ncci.ExternalID = "ENC-NCCI"
		ncci.Claim.ServiceLines[0].Modifiers = []string{"59"}

		coding := encounter(t, "prof_one_line") // 99499: CO-4 M51
		coding.ExternalID = "ENC-CODING"
		coding.Claim.ServiceLines[0].ProcedureCode = "99499"

		var claims []gateway.Claim
		var xs []x837.Claim
		var pcns []string
		for i, e := range []*intake.Encounter{paid, auth, nocov, ncci, coding} {
			pcn := "SIM" + string(rune('A'+i)) + "0001"
			c, x := storeClaim(t, s, sub, e, pcn)
			claims = append(claims, c)
			xs = append(xs, x)
			pcns = append(pcns, pcn)
		}
		file := remittance835(t, "SIMEFT000000001", xs, pcns)
		p, err := remit.New(remit.Config{Store: s, Logger: quiet})
		ok(t, err)
		res, err := p.Upload(ctx, "SIMPAYER", "sim.835", file)
		ok(t, err)
		if res.Status != gateway.FileProcessed || len(res.Remittances) != 1 || res.Remittances[0].MatchedCount != 5 {
			t.Fatalf("posting: %+v", res)
		}

		reg := prometheus.NewRegistry()
		r, err := denials.New(denials.Config{Store: s, Logger: quiet, Registerer: reg})
		ok(t, err)
		sw, err := r.Sweep(ctx)
		ok(t, err)
		if sw.Payments != 5 || sw.Created != 4 {
			t.Fatalf("sweep: %+v", sw)
		}
		page, err := s.ListDenials(ctx, gateway.DenialFilter{SubmitterID: sub.ID})
		ok(t, err)
		byClaim := map[string]gateway.Denial{}
		for _, d := range page.Denials {
			if _, dup := byClaim[d.ClaimID]; dup {
				t.Fatalf("two denials for claim %s", d.ClaimID)
			}
			byClaim[d.ClaimID] = d
		}
		if _, ok := byClaim[claims[0].ID]; ok {
			t.Fatalf("the paid claim (CO-45, PR-2) got a denial: %+v", byClaim[claims[0].ID])
		}
		checks := []struct {
			claim    gateway.Claim
			codes    []string
			category codes.Category
			queue    string
			line     int
			words    string
		}{
			{claims[1], []string{"CO-197", "N54"}, codes.Authorization, "authorization", 2, "uthorization"},
			{claims[2], []string{"CO-27", "N30"}, codes.EligibilityRegistration, "front_desk", 0, "coverage"},
			{claims[3], []string{"CO-97", "M15"}, codes.BundlingContractual, "coding", 1, "bundled"},
			{claims[4], []string{"CO-4", "M51"}, codes.Coding, "coding", 1, "odifier"},
		}
		for _, c := range checks {
			d, found := byClaim[c.claim.ID]
			if !found {
				t.Fatalf("claim %s (%s) has no denial", c.claim.ID, c.claim.ExternalID)
			}
			if !reflect.DeepEqual(d.Codes, c.codes) || d.Category != string(c.category) || d.Queue != c.queue ||
				d.Status != gateway.DenialOpen || d.Amount <= 0 || !strings.Contains(d.Reason, c.words) {
				t.Fatalf("claim %s: %+v", c.claim.ExternalID, d)
			}
			if (c.line == 0) != (d.LineNumber == nil) || (c.line != 0 && *d.LineNumber != c.line) {
				t.Fatalf("claim %s: line %v, want %d", c.claim.ExternalID, d.LineNumber, c.line)
			}
		}
		// One denial.created event per denial, in the outbox with the claim, without PHI.
		evs := deliveries(t, s, sub.ID, gateway.EventDenialCreated)
		if len(evs) != 4 {
			t.Fatalf("%d denial.created events, want 4", len(evs))
		}
		for _, ev := range evs {
			if ev["denial_id"] == nil || ev["claim_id"] == nil || ev["queue"] == nil || ev["reason"] == nil {
				t.Fatalf("event %v", ev)
			}
		}
		if got := metricValue(t, reg, "claimgate_denials_total", map[string]string{"category": "coding", "queue": "coding", "payer": "SIMPAYER"}); got != 1 {
			t.Fatalf("claimgate_denials_total{coding,coding,SIMPAYER} = %v", got)
		}
		if got := metricValue(t, reg, "claimgate_denials_open", map[string]string{"queue": "coding"}); got != 2 {
			t.Fatalf("claimgate_denials_open{coding} = %v", got)
		}
		if got := metricValue(t, reg, "claimgate_denials_open", map[string]string{"queue": "credentialing"}); got != 0 {
			t.Fatalf("claimgate_denials_open{credentialing} = %v", got)
		}

		// Idempotent: a second sweep and a second posting of the file change nothing.
		sw, err = r.Sweep(ctx)
		ok(t, err)
		if sw.Payments != 0 || sw.Created != 0 {
			t.Fatalf("second sweep: %+v", sw)
		}
		rem, err := s.GetRemittance(ctx, res.Remittances[0].ID)
		ok(t, err)
		cps, err := s.ClaimPayments(ctx, rem.ID, 0)
		ok(t, err)
		err = s.WithTx(ctx, func(tx gateway.Tx) error {
			created, err := denials.FromRemittance(ctx, tx, codes.Default(), rem, cps)
			if len(created) != 0 {
				t.Errorf("FromRemittance again created %d", len(created))
			}
			return err
		})
		ok(t, err)
		if evs := deliveries(t, s, sub.ID, gateway.EventDenialCreated); len(evs) != 4 {
			t.Fatalf("%d denial.created events after re-routing, want 4", len(evs))
		}
	})
}

// TestConcurrentSweeps: several routers (replicas) sweeping the same postings at once create
// each denial, and its webhook event, exactly once.
func TestConcurrentSweeps(t *testing.T) {
	forEachStore(t, func(t *testing.T, s gateway.Store) {
		ctx := context.Background()
		sub := newSubmitter(t, s, "lakeside")
		var xs []x837.Claim
		var pcns []string
		for i := 0; i < 20; i++ {
			e := encounter(t, "prof_one_line")
			e.ExternalID = "ENC-C-" + strconv.Itoa(i)
			l2 := e.Claim.ServiceLines[0]
			l2.ProcedureCode = "97530" // CO-197 on line 2
			e.Claim.ServiceLines = append(e.Claim.ServiceLines, l2)
			pcn := "SIMC" + strconv.Itoa(1000+i)
			_, x := storeClaim(t, s, sub, e, pcn)
			xs = append(xs, x)
			pcns = append(pcns, pcn)
		}
		p, err := remit.New(remit.Config{Store: s, Logger: quiet})
		ok(t, err)
		_, err = p.Upload(ctx, "SIMPAYER", "c.835", remittance835(t, "SIMEFT000000077", xs, pcns))
		ok(t, err)
		var wg sync.WaitGroup
		created := make([]int, 3)
		errs := make([]error, 3)
		for i := range created {
			r, err := denials.New(denials.Config{Store: s, Logger: quiet, Batch: 3})
			ok(t, err)
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := r.Sweep(ctx)
				created[i], errs[i] = res.Created, err
			}()
		}
		wg.Wait()
		total := 0
		for i := range created {
			ok(t, errs[i])
			total += created[i]
		}
		page, err := s.ListDenials(ctx, gateway.DenialFilter{Limit: 1000})
		ok(t, err)
		if total != 20 || len(page.Denials) != 20 {
			t.Fatalf("created %v (total %d), stored %d; want 20", created, total, len(page.Denials))
		}
		if evs := deliveries(t, s, sub.ID, gateway.EventDenialCreated); len(evs) != 20 {
			t.Fatalf("%d denial.created events, want 20", len(evs))
		}
	})
}
