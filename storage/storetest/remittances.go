package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/claimgate/claimgate/gateway"
)

// remitFile archives an inbound 835 file for remittance rows to point at.
func remitFile(t *testing.T, s gateway.Store, body string) gateway.File {
	t.Helper()
	f, _, err := s.ArchiveFile(context.Background(), gateway.File{Direction: gateway.Inbound, PayerID: "SIMPAYER",
		Name: "era.835", Kind: gateway.Kind835, Bytes: []byte(body)})
	ok(t, err)
	return f
}

// submittedClaim stores a claim and moves it to submitted with ApplyClaimMoves.
func submittedClaim(t *testing.T, s gateway.Store, sub gateway.Submitter, ext string) gateway.Claim {
	t.Helper()
	ctx := context.Background()
	c, err := s.CreateClaim(ctx, claimFor(sub, ext), gateway.EventInput{Source: "test"})
	ok(t, err)
	ok(t, s.ApplyClaimMoves(ctx, []gateway.ClaimMove{{ClaimID: c.ID, From: gateway.StatusQueued, To: gateway.StatusBatched}}))
	ok(t, s.ApplyClaimMoves(ctx, []gateway.ClaimMove{{ClaimID: c.ID, From: gateway.StatusBatched, To: gateway.StatusSubmitted}}))
	c, err = s.GetClaim(ctx, c.ID, 0)
	ok(t, err)
	return c
}

func testRemittanceRoundTrip(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "remit-sub")
	c := submittedClaim(t, s, sub, "R1")
	f := remitFile(t, s, "ISA*835*one")
	var r gateway.Remittance
	var cps []gateway.ClaimPayment
	ok(t, s.WithTx(ctx, func(tx gateway.Tx) error {
		var err error
		r, err = tx.CreateRemittance(ctx, gateway.Remittance{FileID: f.ID, PayerID: "SIMPAYER", PayerName: "SIM PLAN",
			TraceNumber: "T-1", ControlNumber: "0001", HandlingCode: "I", Amount: -1250, CreditDebit: "D", Method: "ACH",
			EffectiveDate: "2026-11-20", Balanced: true})
		if err != nil {
			return err
		}
		cps = []gateway.ClaimPayment{
			{RemittanceID: r.ID, Seq: 1, ClaimID: c.ID, SubmitterID: sub.ID, MatchedBy: gateway.MatchPCN, PatientControlNumber: c.ID,
				StatusCode: "1", Charge: 15025, Paid: 10000, PatientResponsibility: 2000, PayerClaimNumber: "P1",
				Result: gateway.StatusPaid, ServiceDate: "2026-11-02",
				Adjustments: []gateway.RemitAdjustment{{Group: "CO", Reason: "45", Amount: 3025}},
				Remarks:     []gateway.RemitRemark{{Source: "MOA", Code: "MA01"}},
				Lines: []gateway.LinePayment{{Seq: 1, LineNumber: 1, MatchedBy: gateway.LineMatchControlNumber, ControlNumber: c.ID + "-1",
					ProcedureQualifier: "HC", Procedure: "99214", Modifiers: []string{"25", "59"}, Charge: 15025, Paid: 10000, Allowed: 12000,
					Units: "1", ServiceDate: "2026-11-02",
					Adjustments: []gateway.RemitAdjustment{{Group: "PR", Reason: "2", Amount: 2000, Quantity: "1"}},
					Remarks:     []gateway.RemitRemark{{Source: "LQ*HE", Code: "N54"}}}}},
			{RemittanceID: r.ID, Seq: 2, PatientControlNumber: "UNKNOWN", StatusCode: "22", Reversal: true, Charge: -500, Paid: -500,
				PatientName: "DOE JOHN", MemberID: "M1", Note: "no match",
				Adjustments: []gateway.RemitAdjustment{}, Remarks: []gateway.RemitRemark{}, Lines: []gateway.LinePayment{}},
		}
		if err := tx.AddClaimPayments(ctx, r.ID, cps); err != nil {
			return err
		}
		if err := tx.AddProviderAdjustments(ctx, r.ID, []gateway.ProviderAdjustment{
			{Seq: 1, ProviderID: "1234567893", FiscalPeriodDate: "2026-12-31", Reason: "WO", Reference: "X1", Amount: 1000},
			{Seq: 2, ProviderID: "1234567893", Reason: "L6", Amount: -250}}); err != nil {
			return err
		}
		r.ClaimCount, r.MatchedCount, r.UnmatchedCount, r.ReversalCount = 2, 1, 1, 1
		r.Charged, r.Paid, r.ProviderTotal, r.Balanced, r.Problems = 14525, 9500, 750, false, []string{"a problem"}
		return tx.FinishRemittance(ctx, r)
	}))
	got, err := s.GetRemittance(ctx, r.ID)
	ok(t, err)
	want := r
	want.CreatedAt = got.CreatedAt
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetRemittance =\n%+v\nwant\n%+v", got, want)
	}
	back, err := s.ClaimPayments(ctx, r.ID, 0)
	ok(t, err)
	if !reflect.DeepEqual(back, cps) {
		t.Fatalf("ClaimPayments =\n%+v\nwant\n%+v", back, cps)
	}
	mine, err := s.ClaimPayments(ctx, r.ID, sub.ID)
	ok(t, err)
	if len(mine) != 1 || mine[0].ClaimID != c.ID {
		t.Fatalf("submitter's claim payments %+v", mine)
	}
	forClaim, err := s.ClaimPaymentsForClaim(ctx, c.ID)
	ok(t, err)
	if len(forClaim) != 1 || !reflect.DeepEqual(forClaim[0], cps[0]) {
		t.Fatalf("ClaimPaymentsForClaim %+v", forClaim)
	}
	pas, err := s.ProviderAdjustments(ctx, r.ID)
	ok(t, err)
	if len(pas) != 2 || pas[0].Amount != 1000 || pas[1].Reason != "L6" || pas[1].Amount != -250 {
		t.Fatalf("provider adjustments %+v", pas)
	}
	// The same payer and trace again is a conflict unless flagged as a duplicate.
	_, err = s.CreateRemittance(ctx, gateway.Remittance{FileID: f.ID, PayerID: "SIMPAYER", TraceNumber: "T-1"})
	wantErr(t, err, gateway.ErrConflict)
	dup, err := s.CreateRemittance(ctx, gateway.Remittance{FileID: f.ID, PayerID: "SIMPAYER", TraceNumber: "T-1", DuplicateOf: &r.ID, EffectiveDate: "2026-11-21"})
	ok(t, err)
	byTrace, err := s.RemittanceByTrace(ctx, "SIMPAYER", "T-1")
	ok(t, err)
	if byTrace.ID != r.ID {
		t.Fatalf("RemittanceByTrace = %d, want the original %d", byTrace.ID, r.ID)
	}
	_, err = s.RemittanceByTrace(ctx, "SIMPAYER", "T-404")
	wantErr(t, err, gateway.ErrNotFound)
	byFile, err := s.RemittancesByFile(ctx, f.ID)
	ok(t, err)
	if len(byFile) != 2 || byFile[0].ID != r.ID || byFile[1].ID != dup.ID {
		t.Fatalf("RemittancesByFile %+v", byFile)
	}
	list, err := s.ListRemittances(ctx, gateway.RemittanceFilter{From: "2026-11-21"})
	ok(t, err)
	if len(list) != 1 || list[0].ID != dup.ID {
		t.Fatalf("ListRemittances from 2026-11-21: %+v", list)
	}
	list, err = s.ListRemittances(ctx, gateway.RemittanceFilter{SubmitterID: sub.ID})
	ok(t, err)
	if len(list) != 1 || list[0].ID != r.ID {
		t.Fatalf("ListRemittances of the submitter: %+v", list)
	}
	// Reconciliation data: duplicates never count.
	data, err := s.ReconciliationData(ctx, gateway.ReconciliationFilter{})
	ok(t, err)
	if len(data.Claims) != 1 || data.Claims[0].Claims != 2 || data.Claims[0].Paid != 9500 || data.Claims[0].Charged != 14525 ||
		len(data.Payments) != 1 || data.Payments[0].Amount != -1250 || data.Payments[0].Remittances != 1 || len(data.Provider) != 2 {
		t.Fatalf("reconciliation data %+v", data)
	}
	var adj int64
	for _, a := range data.Adjustments {
		adj += int64(a.Amount)
	}
	if adj != 5025 {
		t.Fatalf("adjustments %+v", data.Adjustments)
	}
	sdata, err := s.ReconciliationData(ctx, gateway.ReconciliationFilter{SubmitterID: sub.ID})
	ok(t, err)
	if len(sdata.Claims) != 1 || sdata.Claims[0].Claims != 1 || sdata.Payments != nil || sdata.Provider != nil {
		t.Fatalf("submitter reconciliation data %+v", sdata)
	}
	if len(sdata.Open) != 1 || sdata.Open[0].ClaimID != c.ID || sdata.Open[0].Paid != 10000 || sdata.Open[0].SubmittedAt.IsZero() {
		t.Fatalf("open claims %+v", sdata.Open)
	}
}

func testRemittanceClaimMoves(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "moves-sub")
	a := submittedClaim(t, s, sub, "M1")
	b := submittedClaim(t, s, sub, "M2")
	ok(t, s.ApplyClaimMoves(ctx, []gateway.ClaimMove{
		{ClaimID: a.ID, From: gateway.StatusSubmitted, To: gateway.StatusPaid, PayerClaimNumber: "PA",
			Event: gateway.EventInput{Reason: "835", Source: "file:1", Detail: []byte(`{"remittance_id":1}`)}},
		{ClaimID: b.ID, From: gateway.StatusSubmitted, To: gateway.StatusDenied},
	}))
	ga, err := s.GetClaim(ctx, a.ID, 0)
	ok(t, err)
	gb, err := s.GetClaim(ctx, b.ID, 0)
	ok(t, err)
	if ga.Status != gateway.StatusPaid || ga.PayerClaimNumber != "PA" || gb.Status != gateway.StatusDenied || gb.PayerClaimNumber != "" {
		t.Fatalf("after moves: %+v %+v", ga, gb)
	}
	evs, err := s.ClaimEvents(ctx, a.ID)
	ok(t, err)
	last := evs[len(evs)-1]
	if len(evs) != 4 || last.Seq != 4 || last.From != gateway.StatusSubmitted || last.To != gateway.StatusPaid ||
		last.Source != "file:1" || string(last.Detail) == "" {
		t.Fatalf("events %+v", evs)
	}
	// A move from a status the claim is not in: conflict, nothing moved.
	err = s.ApplyClaimMoves(ctx, []gateway.ClaimMove{{ClaimID: b.ID, From: gateway.StatusDenied, To: gateway.StatusPaid},
		{ClaimID: a.ID, From: gateway.StatusSubmitted, To: gateway.StatusDenied}})
	wantErr(t, err, gateway.ErrConflict)
	gb, err = s.GetClaim(ctx, b.ID, 0)
	ok(t, err)
	if gb.Status != gateway.StatusDenied {
		t.Fatalf("a failed bulk move changed a claim: %s", gb.Status)
	}
	// Refused transitions and a claim twice.
	wantErr(t, s.ApplyClaimMoves(ctx, []gateway.ClaimMove{{ClaimID: a.ID, From: gateway.StatusPaid, To: gateway.StatusQueued}}), gateway.ErrConflict)
	wantErr(t, s.ApplyClaimMoves(ctx, []gateway.ClaimMove{{ClaimID: a.ID, From: gateway.StatusPaid, To: gateway.StatusReversed},
		{ClaimID: a.ID, From: gateway.StatusReversed, To: gateway.StatusPaid}}), gateway.ErrInvalid)
	// Lookups for matching.
	found, err := s.ClaimsByIDs(ctx, []string{a.ID, "0000000000000000Z", b.ID})
	ok(t, err)
	if len(found) != 2 || found[0].Encounter != nil || found[0].TotalCharge == 0 {
		t.Fatalf("ClaimsByIDs (lean: no encounter) %+v", found)
	}
	encs, err := s.ClaimEncounters(ctx, []string{a.ID, "0000000000000000Z"})
	ok(t, err)
	if len(encs) != 1 || len(encs[a.ID]) == 0 || !json.Valid(encs[a.ID]) {
		t.Fatalf("ClaimEncounters %q", encs)
	}
	byNum, err := s.ClaimsByPayerClaimNumber(ctx, "SIMPAYER", []string{"PA", "PB"})
	ok(t, err)
	if len(byNum) != 1 || byNum[0].ID != a.ID {
		t.Fatalf("ClaimsByPayerClaimNumber %+v", byNum)
	}
	other, err := s.ClaimsByPayerClaimNumber(ctx, "OTHER", []string{"PA"})
	ok(t, err)
	if len(other) != 0 {
		t.Fatalf("another payer's lookup %+v", other)
	}
}

func testRemittanceManualMatch(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	sub := newSubmitter(t, s, "match-sub")
	c := submittedClaim(t, s, sub, "MM1")
	f := remitFile(t, s, "ISA*835*match")
	r, err := s.CreateRemittance(ctx, gateway.Remittance{FileID: f.ID, PayerID: "SIMPAYER", TraceNumber: "T-M", EffectiveDate: "2026-11-20"})
	ok(t, err)
	ok(t, s.AddClaimPayments(ctx, r.ID, []gateway.ClaimPayment{{Seq: 1, PatientControlNumber: "X", StatusCode: "1", Charge: 100, Paid: 100,
		Lines: []gateway.LinePayment{{Seq: 1, Procedure: "99214", Charge: 100, Paid: 100}}}}))
	r.ClaimCount, r.UnmatchedCount = 1, 1
	ok(t, s.FinishRemittance(ctx, r))
	m := gateway.ManualMatch{RemittanceID: r.ID, Seq: 1, ClaimID: c.ID, SubmitterID: sub.ID, Result: gateway.StatusPaid,
		Lines: []gateway.LineMatch{{Seq: 1, LineNumber: 1, MatchedBy: gateway.LineMatchProcedureDate}}}
	ok(t, s.MatchClaimPayment(ctx, m))
	cps, err := s.ClaimPayments(ctx, r.ID, sub.ID)
	ok(t, err)
	if len(cps) != 1 || cps[0].ClaimID != c.ID || cps[0].MatchedBy != gateway.MatchManual || cps[0].Lines[0].LineNumber != 1 {
		t.Fatalf("matched %+v", cps)
	}
	got, err := s.GetRemittance(ctx, r.ID)
	ok(t, err)
	if got.MatchedCount != 1 || got.UnmatchedCount != 0 {
		t.Fatalf("counts %+v", got)
	}
	wantErr(t, s.MatchClaimPayment(ctx, m), gateway.ErrConflict)
	m.Seq = 7
	wantErr(t, s.MatchClaimPayment(ctx, m), gateway.ErrNotFound)
	if err := s.FinishRemittance(ctx, gateway.Remittance{ID: 99999}); !errors.Is(err, gateway.ErrNotFound) {
		t.Fatalf("FinishRemittance of nothing: %v", err)
	}
}
