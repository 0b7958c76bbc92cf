package remit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/gateway"
)

func TestReversalThenRepayment(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000})
		first := clp(c.ID, "1", 15000, 10000, 0, "PCN-1", cas("CO", "45", 5000))
		r1 := e.post(e.x12(remittance("TRN-A", []*x835.ClaimPayment{first})))
		if r1.Status != gateway.FileProcessed || len(r1.Remittances) != 1 || !r1.Remittances[0].Balanced {
			t.Fatalf("first file: %+v", r1)
		}
		if got := e.status(c.ID); got != gateway.StatusPaid {
			t.Fatalf("after payment: %s", got)
		}
		// The payer takes the payment back and pays again with a corrected amount.
		rev := clp(c.ID, "22", -15000, -10000, 0, "PCN-1", cas("CO", "45", -5000))
		again := clp(c.ID, "1", 15000, 12000, 0, "PCN-2", cas("CO", "45", 3000))
		r2 := e.post(e.x12(remittance("TRN-B", []*x835.ClaimPayment{rev, again})))
		rem := r2.Remittances[0]
		if !rem.Balanced || rem.Amount != 2000 || rem.ReversalCount != 1 || rem.MatchedCount != 2 {
			t.Fatalf("second remittance: %+v", rem)
		}
		want := []gateway.ClaimStatus{gateway.StatusQueued, gateway.StatusBatched, gateway.StatusSubmitted,
			gateway.StatusPaid, gateway.StatusReversed, gateway.StatusPaid}
		if got := e.events(c.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("events = %v, want %v", got, want)
		}
		cl, err := e.store.GetClaim(e.ctx, c.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if cl.PayerClaimNumber != "PCN-2" {
			t.Fatalf("payer claim number = %q, want the corrected one", cl.PayerClaimNumber)
		}
		var net edi.Amount
		ps := e.payments(c.ID)
		for _, p := range ps {
			net += p.Paid
		}
		if len(ps) != 3 || net != 12000 || !ps[1].Reversal || ps[1].Result != gateway.StatusReversed {
			t.Fatalf("payments %+v, net %s", ps, net)
		}
		if got := counterValue(t, e.poster.metrics.payments.WithLabelValues(payer, resultReversal)); got != 1 {
			t.Fatalf("reversal metric = %v", got)
		}
	})
}

func TestSplitClaim(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000}, svcLine{"97530", "2026-11-02", 10000})
		a := clp(c.ID, "1", 15000, 12000, 0, "PCN-S1")
		a.Lines = []x835.ServiceLine{svc("99214", c.ID+"-1", "2026-11-02", 15000, 12000, cas("CO", "45", 3000))}
		b := clp(strings.ToLower(c.ID), "1", 10000, 8000, 0, "PCN-S2", cas("CO", "45", 2000))
		b.Lines = []x835.ServiceLine{svc("97530", c.ID+"-2", "2026-11-02", 10000, 8000)}
		b.Adjustments = nil
		b.Lines[0].Adjustments = []x835.Adjustment{cas("CO", "45", 2000)}
		res := e.post(e.x12(remittance("TRN-SPLIT", []*x835.ClaimPayment{a, b})))
		rem := res.Remittances[0]
		if rem.MatchedCount != 2 || rem.UnmatchedCount != 0 || !rem.Balanced {
			t.Fatalf("remittance %+v", rem)
		}
		ps := e.payments(c.ID)
		if len(ps) != 2 || ps[0].Lines[0].LineNumber != 1 || ps[1].Lines[0].LineNumber != 2 ||
			ps[1].Lines[0].MatchedBy != gateway.LineMatchControlNumber || ps[1].MatchedBy != gateway.MatchPCN {
			t.Fatalf("payments %+v", ps)
		}
		if ps[1].Note == "" || ps[1].Result != gateway.StatusPaid {
			t.Fatalf("second part should be paid and note the claim was paid already: %+v", ps[1])
		}
		if got := e.status(c.ID); got != gateway.StatusPaid {
			t.Fatalf("status %s", got)
		}
		if evs := e.events(c.ID); len(evs) != 4 {
			t.Fatalf("events %v: the second part must not add an event", evs)
		}
	})
}

func TestLineDenialInsidePaidClaim(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000}, svcLine{"97530", "2026-11-03", 10000})
		p := clp(c.ID, "1", 25000, 10800, 0, "PCN-L")
		// Line 1 by REF*6R; line 2 without REF*6R, matched by procedure and date, denied.
		p.Lines = []x835.ServiceLine{
			svc("99214", c.ID+"-1", "2026-11-02", 15000, 10800, cas("CO", "45", 4200)),
			svc("97530", "", "2026-11-03", 10000, 0, cas("CO", "197", 10000)),
		}
		p.Lines[1].Remarks = []x835.Remark{{Qualifier: "HE", Code: "N54"}}
		res := e.post(e.x12(remittance("TRN-LINE", []*x835.ClaimPayment{p})))
		if !res.Remittances[0].Balanced {
			t.Fatalf("remittance %+v", res.Remittances[0])
		}
		if got := e.status(c.ID); got != gateway.StatusPartiallyPaid {
			t.Fatalf("status %s, want partially_paid", got)
		}
		ps := e.payments(c.ID)
		l := ps[0].Lines
		if l[0].LineNumber != 1 || l[0].MatchedBy != gateway.LineMatchControlNumber ||
			l[1].LineNumber != 2 || l[1].MatchedBy != gateway.LineMatchProcedureDate {
			t.Fatalf("line matches %+v", l)
		}
		if len(l[1].Adjustments) != 1 || l[1].Adjustments[0].Reason != "197" || len(l[1].Remarks) != 1 || l[1].Remarks[0].Code != "N54" {
			t.Fatalf("denied line %+v", l[1])
		}
	})
}

func TestPLBRecoupmentAndInterest(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 20000})
		p := clp(c.ID, "1", 20000, 16000, 0, "PCN-P", cas("CO", "45", 4000))
		rem := remittance("TRN-PLB", []*x835.ClaimPayment{p},
			x835.ProviderAdjustmentItem{Reason: "WO", Reference: "OLDCLAIM1", Amount: 3500},
			x835.ProviderAdjustmentItem{Reason: "L6", Amount: -500})
		res := e.post(e.x12(rem))
		r := res.Remittances[0]
		if r.Amount != 13000 || r.ProviderTotal != 3000 || !r.Balanced {
			t.Fatalf("remittance %+v", r)
		}
		pas, err := e.store.ProviderAdjustments(e.ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(pas) != 2 || pas[0].Reason != "WO" || pas[0].Reference != "OLDCLAIM1" || pas[0].Amount != 3500 ||
			pas[1].Reason != "L6" || pas[1].Amount != -500 || pas[0].FiscalPeriodDate != "2026-12-31" {
			t.Fatalf("provider adjustments %+v", pas)
		}
		rec, err := e.poster.Reconcile(e.ctx, gateway.ReconciliationFilter{From: "2026-11-01", To: "2026-11-30"}, e.now)
		if err != nil {
			t.Fatal(err)
		}
		pr := rec.Payers[0]
		if *pr.Payments != 13000 || *pr.ProviderTotal != 3000 || !*pr.Balanced ||
			!slices.Equal(pr.ProviderAdjustments, []ReasonAmount{{"L6", "interest owed", -500}, {"WO", "overpayment recovery", 3500}}) {
			t.Fatalf("reconciliation %+v", pr)
		}
	})
}

func TestDebitPayment(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000})
		e.post(e.x12(remittance("TRN-D1", []*x835.ClaimPayment{clp(c.ID, "1", 15000, 9000, 0, "PCN-D", cas("CO", "45", 6000))})))
		// A remittance that only takes money back: BPR03 = D.
		rev := clp(c.ID, "22", -15000, -9000, 0, "PCN-D", cas("CO", "45", -6000))
		rem := remittance("TRN-D2", []*x835.ClaimPayment{rev})
		if rem.Payment.CreditDebit != "D" || rem.Payment.Amount != 9000 {
			t.Fatalf("test remittance payment %+v", rem.Payment)
		}
		res := e.post(e.x12(rem))
		r := res.Remittances[0]
		if r.Amount != -9000 || r.CreditDebit != "D" || !r.Balanced {
			t.Fatalf("debit remittance %+v", r)
		}
		if got := e.status(c.ID); got != gateway.StatusReversed {
			t.Fatalf("status %s", got)
		}
		rec, err := e.poster.Reconcile(e.ctx, gateway.ReconciliationFilter{}, e.now)
		if err != nil {
			t.Fatal(err)
		}
		pr := rec.Payers[0]
		if *pr.Payments != 0 || pr.Paid != 0 || pr.Billed != 0 || pr.Aging.TotalBalance != 15000 {
			t.Fatalf("after the debit the claim is owed in full again: %+v", pr)
		}
	})
}

func TestCrossover(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000})
		p := clp(c.ID, "19", 15000, 9000, 2000, "PCN-X", cas("CO", "45", 4000), cas("PR", "2", 2000))
		p.CrossoverCarrier = &x835.Name{EntityCode: "TT", EntityType: "2", LastName: "MEDIGAP PLAN", IDQualifier: "PI", ID: "MG001"}
		res := e.post(e.x12(remittance("TRN-X", []*x835.ClaimPayment{p})))
		if !res.Remittances[0].Balanced {
			t.Fatalf("%+v", res.Remittances[0])
		}
		if got := e.status(c.ID); got != gateway.StatusForwarded {
			t.Fatalf("status %s", got)
		}
		ps := e.payments(c.ID)
		if ps[0].CrossoverPayer != "MEDIGAP PLAN MG001" || ps[0].Result != gateway.StatusForwarded {
			t.Fatalf("payment %+v", ps[0])
		}
	})
}

func TestSameFileTwice(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000})
		b := e.x12(remittance("TRN-TWICE", []*x835.ClaimPayment{clp(c.ID, "1", 15000, 15000, 0, "PCN-T")}))
		first := e.post(b)
		second := e.post(b)
		if first.AlreadyPosted || !second.AlreadyPosted || second.FileID != first.FileID ||
			len(second.Remittances) != 1 || second.Remittances[0].ID != first.Remittances[0].ID {
			t.Fatalf("first %+v second %+v", first, second)
		}
		up, err := e.poster.Upload(e.ctx, payer, "again.835", b)
		if err != nil || !up.AlreadyPosted {
			t.Fatalf("upload of the same bytes: %+v %v", up, err)
		}
		if n := len(e.payments(c.ID)); n != 1 {
			t.Fatalf("%d payments, want 1", n)
		}
		if n := len(e.events(c.ID)); n != 4 {
			t.Fatalf("%d events, want 4", n)
		}
	})
}

func TestSamePaymentInTwoFiles(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000})
		rem := remittance("TRN-DUP", []*x835.ClaimPayment{clp(c.ID, "1", 15000, 15000, 0, "PCN-DUP")})
		first := e.post(e.x12(rem))
		second := e.post(e.x12(rem)) // another ISA13: other bytes, same payment
		if second.FileID == first.FileID || second.AlreadyPosted {
			t.Fatalf("the second file must be a new file: %+v", second)
		}
		d := second.Remittances[0]
		if d.DuplicateOf == nil || *d.DuplicateOf != first.Remittances[0].ID || d.ClaimCount != 1 {
			t.Fatalf("duplicate %+v", d)
		}
		cps, err := e.store.ClaimPayments(e.ctx, d.ID, 0)
		if err != nil || len(cps) != 0 {
			t.Fatalf("duplicate stored claim payments: %v %v", cps, err)
		}
		if n := len(e.payments(c.ID)); n != 1 {
			t.Fatalf("%d payments", n)
		}
		rec, err := e.poster.Reconcile(e.ctx, gateway.ReconciliationFilter{}, e.now)
		if err != nil {
			t.Fatal(err)
		}
		if pr := rec.Payers[0]; *pr.Remittances != 1 || pr.Paid != 15000 || *pr.Payments != 15000 {
			t.Fatalf("duplicate counted: %+v", pr)
		}
		if got := counterValue(t, e.poster.metrics.payments.WithLabelValues(payer, resultDuplicate)); got != 1 {
			t.Fatalf("duplicate metric %v", got)
		}
	})
}

func TestUnmatchedMatchedByHand(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000})
		p := clp("ZZ-UNKNOWN-1", "1", 15000, 11000, 0, "PCN-U", cas("CO", "45", 4000))
		p.Lines = []x835.ServiceLine{svc("99214", "", "2026-11-02", 15000, 11000, cas("CO", "45", 4000))}
		res := e.post(e.x12(remittance("TRN-U", []*x835.ClaimPayment{p})))
		r := res.Remittances[0]
		if r.UnmatchedCount != 1 || r.MatchedCount != 0 {
			t.Fatalf("remittance %+v", r)
		}
		cps, err := e.store.ClaimPayments(e.ctx, r.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		u := cps[0]
		if u.ClaimID != "" || u.PatientName != "DOE JOHN" || u.MemberID != "XYZ123456789" || u.ServiceDate != "2026-11-02" || u.Note == "" {
			t.Fatalf("unmatched payment lacks what a person needs: %+v", u)
		}
		if got := e.status(c.ID); got != gateway.StatusSubmitted {
			t.Fatalf("status %s", got)
		}
		m, err := e.poster.Match(e.ctx, r.ID, 1, strings.ToLower(c.ID))
		if err != nil {
			t.Fatal(err)
		}
		if m.ClaimID != c.ID || m.MatchedBy != gateway.MatchManual || m.Result != gateway.StatusPaid {
			t.Fatalf("matched %+v", m)
		}
		if got := e.status(c.ID); got != gateway.StatusPaid {
			t.Fatalf("status after match %s", got)
		}
		ps := e.payments(c.ID)
		if len(ps) != 1 || ps[0].Lines[0].LineNumber != 1 || ps[0].Lines[0].MatchedBy != gateway.LineMatchProcedureDate {
			t.Fatalf("payments %+v", ps)
		}
		got, err := e.store.GetRemittance(e.ctx, r.ID)
		if err != nil || got.MatchedCount != 1 || got.UnmatchedCount != 0 {
			t.Fatalf("counts after match %+v %v", got, err)
		}
		if _, err := e.poster.Match(e.ctx, r.ID, 1, c.ID); !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("second match: %v, want conflict", err)
		}
		if _, err := e.poster.Match(e.ctx, r.ID, 9, c.ID); !errors.Is(err, gateway.ErrNotFound) {
			t.Fatalf("match of a missing payment: %v", err)
		}
	})
}

func TestMatchByPayerClaimNumber(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000})
		if _, err := e.store.TransitionClaim(e.ctx, c.ID, gateway.StatusAccepted277, gateway.EventInput{PayerClaimNumber: "PAYER-777"}); err != nil {
			t.Fatal(err)
		}
		p := clp("TRUNCATED", "4", 15000, 0, 0, "PAYER-777", cas("CO", "197", 15000))
		e.post(e.x12(remittance("TRN-PCN", []*x835.ClaimPayment{p})))
		ps := e.payments(c.ID)
		if len(ps) != 1 || ps[0].MatchedBy != gateway.MatchPayerClaimNumber {
			t.Fatalf("payments %+v", ps)
		}
		if got := e.status(c.ID); got != gateway.StatusDenied {
			t.Fatalf("status %s", got)
		}
	})
}

func TestMalformedQuarantined(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000})
		good := e.x12(remittance("TRN-BAD", []*x835.ClaimPayment{clp(c.ID, "1", 15000, 15000, 0, "PCN-B")}))
		bad := bytes.Replace(good, []byte("*150*150*"), []byte("*150*15X.1*"), 1)
		if bytes.Equal(bad, good) {
			t.Fatal("test input not corrupted")
		}
		res := e.post(bad)
		if res.Status != gateway.FileQuarantined || !strings.Contains(res.Reason, "CLP") || len(res.Remittances) != 0 {
			t.Fatalf("result %+v", res)
		}
		f, err := e.store.GetFile(e.ctx, res.FileID)
		if err != nil || f.Status != gateway.FileQuarantined || f.Reason != res.Reason {
			t.Fatalf("file %+v %v", f, err)
		}
		rems, err := e.store.RemittancesByFile(e.ctx, res.FileID)
		if err != nil || len(rems) != 0 {
			t.Fatalf("remittances of a quarantined file: %v %v", rems, err)
		}
		if got := e.status(c.ID); got != gateway.StatusSubmitted {
			t.Fatalf("status %s", got)
		}
		for _, junk := range [][]byte{[]byte("not x12 at all"), good[:len(good)/2], []byte("ISA*00*")} {
			if r := e.post(junk); r.Status != gateway.FileQuarantined || r.Reason == "" {
				t.Fatalf("junk %q: %+v", junk, r)
			}
		}
	})
}

func TestUnbalancedIsPostedAndFlagged(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		c := e.claim(svcLine{"99214", "2026-11-02", 15000})
		rem := remittance("TRN-UNB", []*x835.ClaimPayment{clp(c.ID, "1", 15000, 10000, 0, "PCN-UNB", cas("CO", "45", 5000))})
		rem.Payment.Amount = 9999
		res := e.post(e.x12(rem))
		r := res.Remittances[0]
		if r.Balanced || len(r.Problems) == 0 || !strings.Contains(strings.Join(r.Problems, " "), "BPR") {
			t.Fatalf("remittance %+v", r)
		}
		if got := e.status(c.ID); got != gateway.StatusPaid {
			t.Fatalf("status %s", got)
		}
		if got := counterValue(t, e.poster.metrics.unbalanced.WithLabelValues(payer)); got != 1 {
			t.Fatalf("unbalanced metric %v", got)
		}
	})
}

// TestReconciliationAddsUp posts a mixed month and checks the identities finance relies on,
// per claim and per payment, and that the CSV holds exactly the JSON's figures.
func TestReconciliationAddsUp(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		old := e.claimAt(e.now.Add(-100*24*time.Hour), svcLine{"99213", "2026-08-01", 9000})
		a := e.claim(svcLine{"99214", "2026-11-02", 15000}, svcLine{"97530", "2026-11-02", 10000})
		b := e.claim(svcLine{"99214", "2026-11-03", 15000})
		d := e.claim(svcLine{"99215", "2026-11-04", 20000})
		pa := clp(a.ID, "1", 25000, 14000, 4000, "R-A")
		pa.Lines = []x835.ServiceLine{
			svc("99214", a.ID+"-1", "2026-11-02", 15000, 10800, cas("CO", "45", 4200)),
			svc("97530", a.ID+"-2", "2026-11-02", 10000, 3200, cas("CO", "45", 2800), cas("PR", "2", 3000), cas("PR", "1", 1000)),
		}
		pb := clp(b.ID, "1", 15000, 9000, 1500, "R-B", cas("CO", "45", 4500), cas("PR", "3", 1500))
		pd := clp(d.ID, "4", 20000, 0, 0, "R-D", cas("CO", "197", 20000))
		pu := clp("NOTOURS", "1", 5000, 5000, 0, "R-U")
		rem := remittance("TRN-REC", []*x835.ClaimPayment{pa, pb, pd, pu},
			x835.ProviderAdjustmentItem{Reason: "WO", Reference: "R-OLD", Amount: 2500},
			x835.ProviderAdjustmentItem{Reason: "L6", Amount: -120})
		if err := rem.Balanced(); err != nil {
			t.Fatalf("test remittance does not balance: %v", err)
		}
		e.post(e.x12(rem))
		rec, err := e.poster.Reconcile(e.ctx, gateway.ReconciliationFilter{From: "2026-11-01", To: "2026-11-30", PayerID: payer}, e.now)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Payers) != 1 {
			t.Fatalf("payers %+v", rec.Payers)
		}
		p := rec.Payers[0]
		var billed, paid edi.Amount
		for _, c := range []*x835.ClaimPayment{pa, pb, pd, pu} {
			billed += c.Charge
			paid += c.Paid
		}
		if p.Billed != billed || p.Paid != paid || p.ClaimPayments != 4 {
			t.Fatalf("billed %s paid %s, want %s %s", p.Billed, p.Paid, billed, paid)
		}
		if p.Billed != p.Paid+p.PatientResponsibility+p.Contractual+p.Denied+p.OtherAdjustments || p.Unexplained != 0 {
			t.Fatalf("billed does not equal paid + adjustments: %+v", p)
		}
		if p.PatientResponsibility != 5500 || p.Contractual != 11500 || p.Denied != 20000 || p.Allowed != p.Paid+5500 {
			t.Fatalf("adjustment kinds %+v", p)
		}
		if *p.Payments != p.Paid-*p.ProviderTotal || !*p.Balanced || *p.ProviderTotal != 2380 {
			t.Fatalf("payments %s paid %s plb %s", *p.Payments, p.Paid, *p.ProviderTotal)
		}
		// A/R: the old claim (100 days) is open in full; the denied claim is open in full; a
		// and b are paid.
		if p.Aging.Days91To120.Claims != 1 || p.Aging.Days91To120.Balance != 9000 ||
			p.Aging.Days0To30.Claims != 1 || p.Aging.Days0To30.Balance != 20000 || p.Aging.TotalClaims != 2 {
			t.Fatalf("aging %+v (old claim %s)", p.Aging, old.ID)
		}
		// Submitter view: only its claims, no payment-level figures.
		sr, err := e.poster.Reconcile(e.ctx, gateway.ReconciliationFilter{SubmitterID: e.sub.ID}, e.now)
		if err != nil {
			t.Fatal(err)
		}
		if sp := sr.Payers[0]; sp.Payments != nil || sp.ProviderTotal != nil || sp.ClaimPayments != 3 || sp.Billed != billed-5000 {
			t.Fatalf("submitter view %+v", sp)
		}
		// CSV equals JSON.
		var buf bytes.Buffer
		if err := rec.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		fromCSV := map[string]string{}
		for _, r := range rows[1:] {
			fromCSV[r[0]+"/"+r[1]+"/"+r[2]] = r[3]
		}
		js, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		var back struct {
			Payers []map[string]json.RawMessage `json:"payers"`
		}
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		fromJSON := map[string]string{}
		jp := back.Payers[0]
		id := p.PayerID
		str := func(k string) string {
			var s string
			if json.Unmarshal(jp[k], &s) == nil {
				return s
			}
			return strings.TrimSpace(string(jp[k]))
		}
		for _, k := range []string{"remittances", "payments", "claim_payments", "billed", "allowed", "paid", "patient_responsibility",
			"contractual", "denied", "other_adjustments", "unexplained", "balanced"} {
			fromJSON[id+"/"+k+"/"] = str(k)
		}
		fromJSON[id+"/provider_adjustments_total/"] = str("provider_adjustments_total")
		var plb []ReasonAmount
		if err := json.Unmarshal(jp["provider_adjustments"], &plb); err != nil {
			t.Fatal(err)
		}
		for _, x := range plb {
			fromJSON[id+"/provider_adjustment/"+x.Reason] = x.Amount.String()
		}
		var aging map[string]json.RawMessage
		if err := json.Unmarshal(jp["aging"], &aging); err != nil {
			t.Fatal(err)
		}
		for _, bk := range []string{"0_30", "31_60", "61_90", "91_120", "120_plus"} {
			var b struct {
				Claims  int    `json:"claims"`
				Balance string `json:"balance"`
			}
			if err := json.Unmarshal(aging[bk], &b); err != nil {
				t.Fatal(err)
			}
			fromJSON[id+"/aging_"+bk+"_claims/"] = strings.TrimSpace(string(mustJSON(t, b.Claims)))
			fromJSON[id+"/aging_"+bk+"_balance/"] = b.Balance
		}
		if !reflect.DeepEqual(fromCSV, fromJSON) {
			t.Fatalf("CSV and JSON differ:\ncsv  %v\njson %v", fromCSV, fromJSON)
		}
		// Per payment: BPR02 = sum CLP04 - sum PLB, from the stored rows.
		rems, err := e.store.ListRemittances(e.ctx, gateway.RemittanceFilter{PayerID: payer})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rems {
			cps, err := e.store.ClaimPayments(e.ctx, r.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			pas, err := e.store.ProviderAdjustments(e.ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			var sum edi.Amount
			for _, c := range cps {
				sum += c.Paid
				var adj edi.Amount
				for _, a := range c.Adjustments {
					adj += a.Amount
				}
				for _, l := range c.Lines {
					for _, a := range l.Adjustments {
						adj += a.Amount
					}
				}
				if c.Charge != c.Paid+adj {
					t.Fatalf("claim payment %d: charge %s != paid %s + adjustments %s", c.Seq, c.Charge, c.Paid, adj)
				}
			}
			for _, pa := range pas {
				sum -= pa.Amount
			}
			if sum != r.Amount {
				t.Fatalf("remittance %d: BPR02 %s != sum CLP04 - sum PLB %s", r.ID, r.Amount, sum)
			}
		}
		// Submitter scoping of the list and the detail.
		mine, err := e.store.ClaimPayments(e.ctx, rems[0].ID, e.sub.ID)
		if err != nil || len(mine) != 3 {
			t.Fatalf("submitter's claim payments %d %v", len(mine), err)
		}
		other, err := e.store.ListRemittances(e.ctx, gateway.RemittanceFilter{SubmitterID: e.sub.ID + 1000})
		if err != nil || len(other) != 0 {
			t.Fatalf("another submitter sees %v %v", other, err)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// counterValue reads a counter's value.
func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
