package denials_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/internal/samples"
	"github.com/claimgate/claimgate/payers/sim"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
	"github.com/claimgate/claimgate/storage/storetest"
)

// quiet discards the logs of the packages under test.
var quiet = slog.New(slog.DiscardHandler)

// stores are the two Store implementations the store-backed tests run against.
var stores = []struct {
	name string
	open func(t testing.TB) gateway.Store
}{
	{"sqlite", func(t testing.TB) gateway.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "claimgate.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{"postgres", func(t testing.TB) gateway.Store {
		s, err := postgres.Open(context.Background(), storetest.PostgresURL(t), postgres.WithMaxConns(8))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// forEachStore runs fn on a fresh, migrated store of each kind.
func forEachStore(t *testing.T, fn func(t *testing.T, s gateway.Store)) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			t.Cleanup(func() { _ = s.Close() })
			if err := s.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			fn(t, s)
		})
	}
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// encounter loads testdata/encounters/NAME.json.
func encounter(t testing.TB, name string) *intake.Encounter {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samples.MustRepoRoot(t), "testdata", "encounters", name+".json"))
	ok(t, err)
	e, err := intake.DecodeEncounter(bytes.NewReader(b))
	ok(t, err)
	return e
}

// storeClaim stores an encounter as a claim of sub, the way intake does, and walks it to
// accepted_277 with a payer claim number; it returns the claim and its 837 model.
func storeClaim(t testing.TB, s gateway.Store, sub gateway.Submitter, e *intake.Encounter, pcn string) (gateway.Claim, x837.Claim) {
	t.Helper()
	ctx := context.Background()
	canonical, err := e.MarshalCanonical()
	ok(t, err)
	id := gateway.NewClaimID(time.Now())
	x, err := e.ToClaim(id)
	ok(t, err)
	c, err := s.CreateClaim(ctx, gateway.Claim{ID: id, SubmitterID: sub.ID, ExternalID: e.ExternalID, Type: gateway.ClaimType(e.ClaimType),
		PayerID: "SIMPAYER", TotalCharge: x.TotalCharge, LineCount: len(x.Lines), Encounter: canonical}, gateway.EventInput{Source: "test"})
	ok(t, err)
	for _, st := range []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted277} {
		ev := gateway.EventInput{Source: "test"}
		if st == gateway.StatusAccepted277 {
			ev.PayerClaimNumber = pcn
		}
		c, err = s.TransitionClaim(ctx, c.ID, st, ev)
		ok(t, err)
	}
	return c, x
}

// remittance835 adjudicates claims with the payer simulator's default scenario (the payer's
// rules: CO-45 above 72% of the charge, PR-2 coinsurance, line and claim denials by procedure,
// modifier and member id) and writes them as one 835 file.
func remittance835(t testing.TB, trace string, claims []x837.Claim, pcns []string) []byte {
	t.Helper()
	scen := sim.DefaultScenario()
	rem := &x835.Remittance{
		Type: "835", ProductionDate: "20261120",
		Payer:   x835.Party{EntityCode: "PR", Name: "SIMULATED HEALTH PLAN"},
		Payee:   x835.Party{EntityCode: "PE", Name: "LAKESIDE FAMILY MEDICINE", IDQualifier: "XX", ID: "1234567893"},
		Headers: []x835.Header{{Number: "1"}},
		Trace:   &x835.Trace{TypeCode: "1", Number: trace, PayerID: "1512345678"},
	}
	var paid edi.Amount
	for i := range claims {
		cp := scen.Adjudicate(&claims[i], pcns[i], "20261120")
		cp.HeaderNumber = "1"
		rem.Claims = append(rem.Claims, cp)
		paid += cp.Paid
	}
	if paid > 0 {
		rem.Payment = x835.Payment{HandlingCode: "I", Amount: paid, CreditDebit: "C", Method: "ACH", Format: "CCP",
			SenderDFIQualifier: "01", SenderDFI: "999999992", SenderAccountQualifier: "DA", SenderAccount: "123456789",
			OriginatorID: "1512345678", ReceiverDFIQualifier: "01", ReceiverDFI: "999988880",
			ReceiverAccountQualifier: "DA", ReceiverAccount: "98765", EffectiveDate: "20261120"}
	} else {
		rem.Payment = x835.Payment{HandlingCode: "H", CreditDebit: "C", Method: "NON", EffectiveDate: "20261120"}
	}
	ok(t, rem.Balanced())
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	ok(t, x835.Write(&buf, x835.Envelope{
		Interchange: edi.ISAHeader{SenderQualifier: "ZZ", SenderID: "SIMPAYER", ReceiverQualifier: "ZZ", ReceiverID: "CLAIMGATE01",
			Time: now, ControlNumber: 1, Usage: "T"},
		Group: edi.GSHeader{Sender: "SIMPAYER", Receiver: "CLAIMGATE01", Time: now, ControlNumber: 1},
	}, rem))
	return buf.Bytes()
}

// newSubmitter creates a submitter with a webhook URL, so denial.created events reach its outbox.
func newSubmitter(t testing.TB, s gateway.Store, name string) gateway.Submitter {
	t.Helper()
	ctx := context.Background()
	_, hash := gateway.NewToken()
	sub, err := s.CreateSubmitter(ctx, gateway.Submitter{Name: name, TokenHash: hash})
	ok(t, err)
	ok(t, s.SetSubmitterWebhook(ctx, name, "https://hooks.example.invalid/"+name, "whsec-"+strconv.Itoa(int(sub.ID))+"-0123456789abcdef"))
	return sub
}

// deliveries returns a submitter's outbox events of one type, oldest first, with their payloads.
func deliveries(t testing.TB, s gateway.Store, subID int64, typ string) []map[string]any {
	t.Helper()
	ctx := context.Background()
	var out []map[string]any
	f := gateway.WebhookDeliveryFilter{SubmitterID: subID, Type: typ, Limit: 1000}
	page, err := s.ListWebhookDeliveries(ctx, f)
	ok(t, err)
	for i := len(page.Deliveries) - 1; i >= 0; i-- {
		d, err := s.GetWebhookDelivery(ctx, page.Deliveries[i].ID, subID)
		ok(t, err)
		var m map[string]any
		ok(t, json.Unmarshal(d.Payload, &m))
		out = append(out, m)
	}
	return out
}

// metricValue is the value of one series of a counter or gauge in reg; -1 when it is absent.
func metricValue(t testing.TB, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	ok(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, lp := range m.GetLabel() {
				have[lp.GetName()] = lp.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue next
				}
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return -1
}
