package remit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
	"github.com/claimgate/claimgate/storage/storetest"
)

const payer = "SIMPAYER"

// eachStore runs fn against a fresh, migrated SQLite store and a fresh Postgres schema (skipped
// loudly when Postgres is unreachable, unless CLAIMGATE_REQUIRE_POSTGRES=1).
func eachStore(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "claimgate.db"))
		if err != nil {
			t.Fatal(err)
		}
		fn(t, newEnv(t, s))
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		s, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		fn(t, newEnv(t, s))
	})
}

// env is a store with a submitter, a poster and helpers to create claims and post 835s.
type env struct {
	t      testing.TB
	ctx    context.Context
	store  gateway.Store
	poster *Poster
	reg    *prometheus.Registry
	sub    gateway.Submitter
	isa    atomic.Int64
	now    time.Time
}

func newEnv(t testing.TB, s gateway.Store) *env {
	t.Helper()
	ctx := context.Background()
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	t.Cleanup(func() {
		if c, ok := s.(storetest.IntegrityChecker); ok {
			problems, err := c.CheckIntegrity(ctx)
			if err != nil {
				t.Errorf("integrity check: %v", err)
			}
			for _, p := range problems {
				t.Errorf("integrity: %s", p)
			}
		}
	})
	reg := prometheus.NewRegistry()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	p, err := New(Config{Store: s, Registerer: reg, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }, Chunk: 3})
	if err != nil {
		t.Fatal(err)
	}
	_, hash := gateway.NewToken()
	sub, err := s.CreateSubmitter(ctx, gateway.Submitter{Name: "lakeside-" + strconv.FormatInt(time.Now().UnixNano(), 36), TokenHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, store: s, poster: p, reg: reg, sub: sub, now: now}
}

// svcLine is one service line of a test claim.
type svcLine struct {
	proc   string
	date   string // YYYY-MM-DD
	charge edi.Amount
}

// claim stores a submitted claim of the test submitter with the given lines.
func (e *env) claim(lines ...svcLine) gateway.Claim {
	e.t.Helper()
	return e.claimAt(e.now.Add(-24*time.Hour), lines...)
}

// claimAt is claim, submitted at the given time.
func (e *env) claimAt(created time.Time, lines ...svcLine) gateway.Claim {
	e.t.Helper()
	type line struct {
		Proc   string `json:"procedure_code"`
		Date   string `json:"service_date"`
		Charge string `json:"charge"`
	}
	var ls []line
	var total edi.Amount
	for _, l := range lines {
		ls = append(ls, line{l.proc, l.date, l.charge.String()})
		total += l.charge
	}
	enc, _ := json.Marshal(map[string]any{"claim": map[string]any{"service_lines": ls}})
	c, err := e.store.CreateClaim(e.ctx, gateway.Claim{SubmitterID: e.sub.ID, ExternalID: "ENC-" + gateway.NewClaimID(time.Now()),
		Type: gateway.Professional, PayerID: payer, Frequency: gateway.FrequencyOriginal, TotalCharge: total,
		LineCount: len(lines), Encounter: enc}, gateway.EventInput{Source: "test"})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, to := range []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted} {
		if c, err = e.store.TransitionClaim(e.ctx, c.ID, to, gateway.EventInput{At: created, Source: "test"}); err != nil {
			e.t.Fatal(err)
		}
	}
	return c
}

// status returns a claim's current status.
func (e *env) status(id string) gateway.ClaimStatus {
	e.t.Helper()
	c, err := e.store.GetClaim(e.ctx, id, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.Status
}

// x12 writes remittances as one 835 interchange with the x835 writer.
func (e *env) x12(rems ...*x835.Remittance) []byte {
	e.t.Helper()
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	n := e.isa.Add(1)
	var b bytes.Buffer
	err := x835.Write(&b, x835.Envelope{
		Interchange: edi.ISAHeader{SenderQualifier: "ZZ", SenderID: payer, ReceiverQualifier: "ZZ", ReceiverID: "CLAIMGATE01",
			Time: at, ControlNumber: n, Usage: "T"},
		Group:      edi.GSHeader{Sender: payer, Receiver: "CLAIMGATE01", Time: at, ControlNumber: n},
		LineBreaks: true,
	}, rems...)
	if err != nil {
		e.t.Fatalf("write 835: %v", err)
	}
	return b.Bytes()
}

// post archives the bytes as an inbound 835 of the payer and ingests them.
func (e *env) post(b []byte) Result {
	e.t.Helper()
	f, _, err := e.store.ArchiveFile(e.ctx, gateway.File{Direction: gateway.Inbound, PayerID: payer,
		Name: fmt.Sprintf("era-%d.835", e.isa.Load()), Kind: gateway.Kind835, Bytes: b})
	if err != nil {
		e.t.Fatal(err)
	}
	f.Bytes = b
	res, err := e.poster.Post(e.ctx, f)
	if err != nil {
		e.t.Fatalf("post: %v", err)
	}
	return res
}

// remittance builds a remittance paying claims, balanced: BPR02 = sum CLP04 - sum PLB.
func remittance(trace string, claims []*x835.ClaimPayment, plb ...x835.ProviderAdjustmentItem) *x835.Remittance {
	var paid, adj edi.Amount
	for _, c := range claims {
		paid += c.Paid
	}
	for _, a := range plb {
		adj += a.Amount
	}
	amt, cd := paid-adj, "C"
	if amt < 0 {
		amt, cd = -amt, "D"
	}
	method := "ACH"
	if amt == 0 {
		method = "NON"
	}
	rem := &x835.Remittance{
		Type:    "835",
		Payment: x835.Payment{HandlingCode: "I", Amount: amt, CreditDebit: cd, Method: method, EffectiveDate: "20261120"},
		Trace:   &x835.Trace{TypeCode: "1", Number: trace, PayerID: "1512345678"},
		Payer:   x835.Party{EntityCode: "PR", Name: "SIMULATED HEALTH PLAN", IDQualifier: "XV", ID: payer},
		Payee:   x835.Party{EntityCode: "PE", Name: "LAKESIDE FAMILY MEDICINE", IDQualifier: "XX", ID: "1234567893"},
		Headers: []x835.Header{{Number: "1"}},
		Claims:  claims,
	}
	for _, c := range claims {
		c.HeaderNumber = "1"
	}
	if len(plb) > 0 {
		rem.ProviderAdjustments = []x835.ProviderAdjustment{{ProviderID: "1234567893", FiscalPeriodDate: "20261231", Adjustments: plb}}
	}
	return rem
}

// clp builds a claim payment; lines are added by the caller. Amounts balance when the caller's
// adjustments do.
func clp(pcn, status string, charge, paid, pr edi.Amount, pcnPayer string, adjs ...x835.Adjustment) *x835.ClaimPayment {
	return &x835.ClaimPayment{PatientControlNumber: pcn, Status: status, Charge: charge, Paid: paid, PatientResponsibility: pr,
		FilingIndicator: "CI", PayerClaimNumber: pcnPayer, Frequency: "1",
		Patient:     &x835.Name{EntityCode: "QC", EntityType: "1", LastName: "DOE", FirstName: "JOHN", IDQualifier: "MI", ID: "XYZ123456789"},
		Adjustments: adjs}
}

func svc(proc, ctl, date string, charge, paid edi.Amount, adjs ...x835.Adjustment) x835.ServiceLine {
	return x835.ServiceLine{Procedure: x835.Procedure{Qualifier: "HC", Code: proc}, Charge: charge, Paid: paid, Units: "1",
		Dates: []x835.Date{{Qualifier: "472", Date: strings.ReplaceAll(date, "-", "")}}, ControlNumber: ctl, Adjustments: adjs}
}

func cas(group, reason string, amt edi.Amount) x835.Adjustment {
	return x835.Adjustment{Group: group, Reason: reason, Amount: amt}
}

// payments returns every payment posted to a claim.
func (e *env) payments(id string) []gateway.ClaimPayment {
	e.t.Helper()
	cps, err := e.store.ClaimPaymentsForClaim(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return cps
}

// events returns the statuses a claim went through, in order.
func (e *env) events(id string) []gateway.ClaimStatus {
	e.t.Helper()
	evs, err := e.store.ClaimEvents(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []gateway.ClaimStatus
	for _, ev := range evs {
		out = append(out, ev.To)
	}
	return out
}
