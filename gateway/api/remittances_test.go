package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/api"
	"github.com/claimgate/claimgate/gateway/remit"
)

const financeToken = "finance-operator-token-0123456789abcdef0123456789"

func withRemittances(t testing.TB) envOption {
	return func(c *api.Config) {
		p, err := remit.New(remit.Config{Store: c.Store, Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		c.Remittances = p
		c.OperatorTokenHash = gateway.HashToken(financeToken)
	}
}

// submittedClaimFor stores a submitted one-line claim of sub for SIMPAYER.
func submittedClaimFor(t testing.TB, s gateway.Store, sub gateway.Submitter, ext string) gateway.Claim {
	t.Helper()
	ctx := context.Background()
	c, err := s.CreateClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: ext, Type: gateway.Professional, PayerID: "SIMPAYER",
		Frequency: gateway.FrequencyOriginal, TotalCharge: 15000, LineCount: 1,
		Encounter: []byte(`{"claim":{"service_lines":[{"procedure_code":"99214","service_date":"2026-11-02","charge":"150.00"}]}}`)},
		gateway.EventInput{Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted} {
		if c, err = s.TransitionClaim(ctx, c.ID, to, gateway.EventInput{Source: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// era writes an 835 paying the claims (CO-45 30.00 each, the rest paid) plus one claim that is
// not ours, with a WO recoupment.
func era(t testing.TB, trace string, ids ...string) []byte {
	t.Helper()
	var claims []*x835.ClaimPayment
	var paid edi.Amount
	for _, id := range append(ids, "NOTOURS1") {
		c := &x835.ClaimPayment{HeaderNumber: "1", PatientControlNumber: id, Status: "1", Charge: 15000, Paid: 12000,
			FilingIndicator: "CI", PayerClaimNumber: "P" + id,
			Patient: &x835.Name{EntityCode: "QC", EntityType: "1", LastName: "DOE", FirstName: "JANE", IDQualifier: "MI", ID: "M1"},
			Lines: []x835.ServiceLine{{Procedure: x835.Procedure{Qualifier: "HC", Code: "99214"}, Charge: 15000, Paid: 12000, Units: "1",
				ControlNumber: id + "-1", Dates: []x835.Date{{Qualifier: "472", Date: "20261102"}},
				Adjustments: []x835.Adjustment{{Group: "CO", Reason: "45", Amount: 3000}},
				Remarks:     []x835.Remark{{Qualifier: "HE", Code: "N54"}}}}}
		claims = append(claims, c)
		paid += c.Paid
	}
	rem := &x835.Remittance{Type: "835",
		Payment: x835.Payment{HandlingCode: "I", Amount: paid - 1000, CreditDebit: "C", Method: "ACH", EffectiveDate: "20261120"},
		Trace:   &x835.Trace{TypeCode: "1", Number: trace, PayerID: "1512345678"},
		Payer:   x835.Party{EntityCode: "PR", Name: "SIMULATED HEALTH PLAN", IDQualifier: "XV", ID: "SIMPAYER"},
		Payee:   x835.Party{EntityCode: "PE", Name: "LAKESIDE", IDQualifier: "XX", ID: "1234567893"},
		Headers: []x835.Header{{Number: "1"}}, Claims: claims,
		ProviderAdjustments: []x835.ProviderAdjustment{{ProviderID: "1234567893", FiscalPeriodDate: "20261231",
			Adjustments: []x835.ProviderAdjustmentItem{{Reason: "WO", Reference: "OLD1", Amount: 1000}}}},
	}
	var b bytes.Buffer
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	if err := x835.Write(&b, x835.Envelope{Interchange: edi.ISAHeader{SenderID: "SIMPAYER", ReceiverID: "CLAIMGATE01", Time: at, ControlNumber: 5},
		Group: edi.GSHeader{Sender: "SIMPAYER", Receiver: "CLAIMGATE01", Time: at, ControlNumber: 5}}, rem); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRemittanceAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		tokA, subA := e.submitter("alpha")
		tokB, subB := e.submitter("beta")
		a := submittedClaimFor(t, e.store, subA, "A1")
		b := submittedClaimFor(t, e.store, subB, "B1")
		file := era(t, "TRN-API-1", a.ID, b.ID)

		// Upload: operator only, payer required.
		wantStatus(t, e.call(http.MethodPost, "/v1/remittances?payer=SIMPAYER", tokA, file), http.StatusForbidden)
		wantStatus(t, e.call(http.MethodPost, "/v1/remittances", financeToken, file), http.StatusBadRequest)
		wantStatus(t, e.call(http.MethodPost, "/v1/remittances?payer=NOPE", financeToken, file), http.StatusBadRequest)
		up := e.call(http.MethodPost, "/v1/remittances?payer=simpayer&name=era.835", financeToken, file)
		wantStatus(t, up, http.StatusCreated)
		rems := up.json(t)["remittances"].([]any)
		rem := rems[0].(map[string]any)
		id := strconv.Itoa(int(rem["id"].(float64)))
		if rem["amount"] != "350.00" || rem["balanced"] != true || rem["claims_unmatched"] != float64(1) || rem["provider_adjustments_total"] != "10.00" {
			t.Fatalf("uploaded remittance %v", rem)
		}
		wantStatus(t, e.call(http.MethodPost, "/v1/remittances?payer=SIMPAYER", financeToken, file), http.StatusOK)
		bad := e.call(http.MethodPost, "/v1/remittances?payer=SIMPAYER", financeToken, []byte("ISA*garbage"))
		wantStatus(t, bad, http.StatusUnprocessableEntity)

		// List: the operator sees the payment; a submitter sees the remittance without it.
		lo := e.call(http.MethodGet, "/v1/remittances?from=2026-11-01&to=2026-11-30", financeToken, nil)
		wantStatus(t, lo, http.StatusOK)
		if n := len(lo.json(t)["remittances"].([]any)); n != 1 {
			t.Fatalf("operator list %s", lo.body)
		}
		ls := e.call(http.MethodGet, "/v1/remittances", tokA, nil)
		wantStatus(t, ls, http.StatusOK)
		srem := ls.json(t)["remittances"].([]any)[0].(map[string]any)
		if _, ok := srem["amount"]; ok || srem["trace_number"] != "TRN-API-1" {
			t.Fatalf("submitter list shows payment-level figures: %v", srem)
		}
		wantStatus(t, e.call(http.MethodGet, "/v1/remittances?from=11/2026", financeToken, nil), http.StatusBadRequest)

		// CSV list equals JSON.
		lc := e.call(http.MethodGet, "/v1/remittances?format=csv", financeToken, nil)
		wantStatus(t, lc, http.StatusOK)
		rows, err := csv.NewReader(bytes.NewReader(lc.body)).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("csv %v %s", err, lc.body)
		}
		col := map[string]string{}
		for i, h := range rows[0] {
			col[h] = rows[1][i]
		}
		if col["amount"] != rem["amount"] || col["trace_number"] != "TRN-API-1" || col["unmatched"] != "1" || col["provider_adjustments"] != "10.00" {
			t.Fatalf("csv row %v, json %v", col, rem)
		}

		// Detail: labels; a submitter sees only its claim; another submitter's view differs.
		d := e.call(http.MethodGet, "/v1/remittances/"+id, financeToken, nil).json(t)
		claims := d["claims"].([]any)
		if len(claims) != 3 || len(d["provider_adjustments"].([]any)) != 1 {
			t.Fatalf("operator detail %v", d)
		}
		line := claims[0].(map[string]any)["lines"].([]any)[0].(map[string]any)
		adj := line["adjustments"].([]any)[0].(map[string]any)
		if adj["group"] != "CO" || adj["reason"] != "45" || adj["amount"] != "30.00" || adj["group_label"] == "" || adj["reason_label"] == "" || adj["kind"] != "contractual" {
			t.Fatalf("labelled adjustment %v", adj)
		}
		da := e.call(http.MethodGet, "/v1/remittances/"+id, tokA, nil).json(t)
		if cs := da["claims"].([]any); len(cs) != 1 || cs[0].(map[string]any)["claim_id"] != a.ID || da["provider_adjustments"] != nil {
			t.Fatalf("submitter detail %v", da)
		}
		db := e.call(http.MethodGet, "/v1/remittances/"+id, tokB, nil).json(t)
		if cs := db["claims"].([]any); len(cs) != 1 || cs[0].(map[string]any)["claim_id"] != b.ID {
			t.Fatalf("submitter B detail %v", db)
		}
		// The claim itself lists the payment posted to it.
		cd := e.call(http.MethodGet, "/v1/claims/"+a.ID, tokA, nil).json(t)
		if ps := cd["payments"].([]any); len(ps) != 1 || ps[0].(map[string]any)["paid"] != "120.00" || ps[0].(map[string]any)["claim_id"] != a.ID {
			t.Fatalf("claim detail payments %v", cd["payments"])
		}
		_, subC := e.submitter("gamma")
		_ = subC
		tokC, _ := e.submitter("delta")
		wantStatus(t, e.call(http.MethodGet, "/v1/remittances/"+id, tokC, nil), http.StatusNotFound)
		wantStatus(t, e.call(http.MethodGet, "/v1/remittances/999999", financeToken, nil), http.StatusNotFound)
		dc := e.call(http.MethodGet, "/v1/remittances/"+id+"?format=csv", financeToken, nil)
		wantStatus(t, dc, http.StatusOK)
		if !strings.Contains(string(dc.body), "CO-45:30.00") {
			t.Fatalf("detail csv %s", dc.body)
		}

		// Match the unmatched claim payment by hand to a third claim.
		c := submittedClaimFor(t, e.store, subA, "A2")
		path := "/v1/remittances/" + id + "/claims/3/match"
		wantStatus(t, e.call(http.MethodPost, path, tokA, []byte(`{"claim_id":"`+c.ID+`"}`)), http.StatusForbidden)
		wantStatus(t, e.call(http.MethodPost, path, financeToken, []byte(`{}`)), http.StatusBadRequest)
		m := e.call(http.MethodPost, path, financeToken, []byte(`{"claim_id":"`+strings.ToLower(c.ID)+`"}`))
		wantStatus(t, m, http.StatusOK)
		if mj := m.json(t); mj["claim_id"] != c.ID || mj["matched_by"] != "manual" || mj["result"] != "paid" {
			t.Fatalf("match %v", mj)
		}
		wantStatus(t, e.call(http.MethodPost, path, financeToken, []byte(`{"claim_id":"`+c.ID+`"}`)), http.StatusConflict)
		got, err := e.store.GetClaim(context.Background(), c.ID, 0)
		if err != nil || got.Status != gateway.StatusPaid {
			t.Fatalf("matched claim %+v %v", got, err)
		}

		// Reconciliation: JSON and CSV agree; a submitter gets only its own claims.
		rj := e.call(http.MethodGet, "/v1/reconciliation?from=2026-11-01&to=2026-11-30", financeToken, nil)
		wantStatus(t, rj, http.StatusOK)
		p := rj.json(t)["payers"].([]any)[0].(map[string]any)
		if p["billed"] != "450.00" || p["paid"] != "360.00" || p["contractual"] != "90.00" || p["payments"] != "350.00" || p["balanced"] != true {
			t.Fatalf("reconciliation %v", p)
		}
		rc := e.call(http.MethodGet, "/v1/reconciliation?from=2026-11-01&to=2026-11-30&format=csv", financeToken, nil)
		wantStatus(t, rc, http.StatusOK)
		crow, err := csv.NewReader(bytes.NewReader(rc.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range crow[1:] {
			if v, ok := p[r[1]].(string); ok && r[2] == "" && v != r[3] {
				t.Fatalf("csv %s = %s, json %s", r[1], r[3], v)
			}
		}
		rs := e.call(http.MethodGet, "/v1/reconciliation", tokA, nil).json(t)["payers"].([]any)[0].(map[string]any)
		if rs["billed"] != "300.00" || rs["payments"] != nil {
			t.Fatalf("submitter reconciliation %v", rs)
		}
		wantStatus(t, e.call(http.MethodGet, "/v1/reconciliation?from=2026-12-01&to=2026-11-01", financeToken, nil), http.StatusBadRequest)
	}, withRemittances(t))
}

func TestRemittanceAPIWithoutService(t *testing.T) {
	e := sqliteEnv(t, func(c *api.Config) { c.OperatorTokenHash = gateway.HashToken(financeToken) })
	wantStatus(t, e.call(http.MethodPost, "/v1/remittances?payer=SIMPAYER", financeToken, []byte("ISA")), http.StatusServiceUnavailable)
	wantStatus(t, e.call(http.MethodGet, "/v1/reconciliation", financeToken, nil), http.StatusServiceUnavailable)
	wantStatus(t, e.call(http.MethodGet, "/v1/remittances", financeToken, nil), http.StatusOK)
}
