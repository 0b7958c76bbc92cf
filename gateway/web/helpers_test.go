package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/denials"
	"github.com/claimgate/claimgate/gateway/remit"
	"github.com/claimgate/claimgate/gateway/web"
	"github.com/claimgate/claimgate/internal/samples"
	"github.com/claimgate/claimgate/storage/sqlite"
)

// operatorToken is the operator token of the test dashboards.
const operatorToken = "dashboard-operator-token-0123456789abcdef0123"

// phi are the patient data of the test encounter and the 835: none may appear in a page.
var phi = []string{"Ruiz", "RUIZ", "XYZ123456789", "1979-03-14", "Bryant", "Minneapolis", "55409", "GRP-88001",
	"MEMBERXYZ777", "DOE, JANE", "JANE"}

// clock is a settable clock; the tests move it to expire sessions and make claims stale.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lockedBuffer is a log sink safe for concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// fixture is a store with a realistic day of data: a paid claim, a denied claim with its
// routed denial, a claim waiting too long for its 999, a posted 835 with an unmatched payment
// and a PLB, and a failed webhook delivery.
type fixture struct {
	store    gateway.Store
	poster   *remit.Poster
	paid     gateway.Claim // paid by the 835 (CO-45 contractual)
	denied   gateway.Claim // denied by the 835 (CO-197 + N54)
	waiting  gateway.Claim // submitted, no 999: stale once the clock moves
	remID    int64
	denialID int64
}

// newFixture opens a SQLite store in t.TempDir() and fills it.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "claimgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	enc, err := os.ReadFile(filepath.Join(samples.MustRepoRoot(t), "testdata", "encounters", "prof_one_line.json"))
	if err != nil {
		t.Fatal(err)
	}
	token, hash := gateway.NewToken()
	_ = token
	sub, err := s.CreateSubmitter(ctx, gateway.Submitter{Name: "lakeside-ehr", TokenHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSubmitterWebhook(ctx, sub.Name, "https://hooks.lakeside.example/claimgate", "secret-0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s}
	f.paid = submittedClaim(t, s, sub, "ENC-PAID-1", enc)
	f.denied = submittedClaim(t, s, sub, "ENC-DENY-1", enc)
	f.waiting = submittedClaim(t, s, sub, "ENC-WAIT-1", enc)

	f.poster, err = remit.New(remit.Config{Store: s, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.poster.Upload(ctx, "SIMPAYER", "era.835", era835(t, "TRN-WEB-1", f.paid.ID, f.denied.ID))
	if err != nil || len(res.Remittances) != 1 {
		t.Fatalf("posting the 835: %+v %v", res, err)
	}
	f.remID = res.Remittances[0].ID
	router, err := denials.New(denials.Config{Store: s, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := router.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	pg, err := s.ListDenials(ctx, gateway.DenialFilter{ClaimID: f.denied.ID})
	if err != nil || len(pg.Denials) == 0 {
		t.Fatalf("no denial routed for the denied claim: %+v %v", pg, err)
	}
	f.denialID = pg.Denials[0].ID

	// A webhook delivery that failed for good.
	now := time.Now()
	ds, err := s.ClaimWebhookDeliveries(ctx, gateway.WebhookClaim{Owner: "test-worker", Now: now.Add(time.Hour), Limit: 1, Lease: time.Minute})
	if err != nil || len(ds) != 1 {
		t.Fatalf("claiming a webhook delivery: %d %v", len(ds), err)
	}
	if _, err := s.RecordWebhookAttempt(ctx, gateway.WebhookAttempt{DeliveryID: ds[0].ID, Owner: "test-worker", At: now,
		Status: 502, Error: "receiver answered 502", State: gateway.WebhookFailed}); err != nil {
		t.Fatal(err)
	}
	return f
}

// submittedClaim stores a one-line SIMPAYER claim of sub, moved to submitted.
func submittedClaim(t testing.TB, s gateway.Store, sub gateway.Submitter, ext string, enc []byte) gateway.Claim {
	t.Helper()
	ctx := context.Background()
	c, err := s.CreateClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: ext, Type: gateway.Professional, PayerID: "SIMPAYER",
		Frequency: gateway.FrequencyOriginal, TotalCharge: 15000, LineCount: 1, Encounter: enc},
		gateway.EventInput{Source: "intake", Reason: "encounter accepted at intake"})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted} {
		if c, err = s.TransitionClaim(ctx, c.ID, to, gateway.EventInput{Source: "test", Reason: "moved by the test"}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// era835 writes an 835: paidID paid 120.00 of 150.00 (CO-45 30.00, remark N54), deniedID
// denied (CLP02 4, CO-197 150.00, remark N54), one claim that is not ours (unmatched), and a WO
// recoupment of 10.00. Payment 230.00.
func era835(t testing.TB, trace, paidID, deniedID string) []byte {
	t.Helper()
	line := func(ctl string, paid edi.Amount, adj x835.Adjustment) []x835.ServiceLine {
		return []x835.ServiceLine{{Procedure: x835.Procedure{Qualifier: "HC", Code: "99214"}, Charge: 15000, Paid: paid, Units: "1",
			ControlNumber: ctl, Dates: []x835.Date{{Qualifier: "472", Date: "20261102"}},
			Adjustments: []x835.Adjustment{adj}, Remarks: []x835.Remark{{Qualifier: "HE", Code: "N54"}}}}
	}
	patient := &x835.Name{EntityCode: "QC", EntityType: "1", LastName: "RUIZ", FirstName: "ANA", IDQualifier: "MI", ID: "XYZ123456789"}
	claims := []*x835.ClaimPayment{
		{HeaderNumber: "1", PatientControlNumber: paidID, Status: "1", Charge: 15000, Paid: 12000, FilingIndicator: "CI",
			PayerClaimNumber: "PCN-PAID-1", Patient: patient, Lines: line(paidID+"-1", 12000, x835.Adjustment{Group: "CO", Reason: "45", Amount: 3000})},
		{HeaderNumber: "1", PatientControlNumber: deniedID, Status: "4", Charge: 15000, Paid: 0, FilingIndicator: "CI",
			PayerClaimNumber: "PCN-DENY-1", Patient: patient, Lines: line(deniedID+"-1", 0, x835.Adjustment{Group: "CO", Reason: "197", Amount: 15000})},
		{HeaderNumber: "1", PatientControlNumber: "NOTOURS1", Status: "1", Charge: 15000, Paid: 12000, FilingIndicator: "CI",
			PayerClaimNumber: "PCN-OTHER-1",
			Patient:          &x835.Name{EntityCode: "QC", EntityType: "1", LastName: "DOE", FirstName: "JANE", IDQualifier: "MI", ID: "MEMBERXYZ777"},
			Lines:            line("NOTOURS1-1", 12000, x835.Adjustment{Group: "CO", Reason: "45", Amount: 3000})},
	}
	rem := &x835.Remittance{Type: "835",
		Payment: x835.Payment{HandlingCode: "I", Amount: 23000, CreditDebit: "C", Method: "ACH", EffectiveDate: "20261120"},
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

// env is a dashboard over a fixture, served on 127.0.0.1.
type env struct {
	t     testing.TB
	fx    *fixture
	clock *clock
	dash  *web.Dashboard
	srv   *httptest.Server
	logs  *lockedBuffer
}

type envOption func(*web.Config)

// newEnv serves a dashboard over fx (a new fixture when nil). The clock starts three days
// from now, so the claim left submitted is waiting too long for its 999.
func newEnv(t testing.TB, fx *fixture, opts ...envOption) *env {
	t.Helper()
	if fx == nil {
		fx = newFixture(t)
	}
	clk := &clock{t: time.Now().Add(72 * time.Hour)}
	logs := &lockedBuffer{}
	cfg := web.Config{Store: fx.store, OperatorTokenHash: gateway.HashToken(operatorToken), Reconciler: fx.poster, Matcher: fx.poster,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Now: clk.Now}
	for _, o := range opts {
		o(&cfg)
	}
	d, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, fx: fx, clock: clk, dash: d, srv: srv, logs: logs}
}

// response is one HTTP answer.
type response struct {
	status int
	header http.Header
	body   string
}

// client returns an HTTP client that does not follow redirects, with a cookie jar.
func (e *env) client() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// do sends a request; headers are name, value pairs.
func (e *env) do(c *http.Client, method, path string, form url.Values, headers ...string) response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (e *env) get(c *http.Client, path string) response {
	e.t.Helper()
	return e.do(c, http.MethodGet, path, nil)
}

// login signs c in with token and returns the answer.
func (e *env) login(c *http.Client, token string) response {
	e.t.Helper()
	return e.do(c, http.MethodPost, "/ui/login", url.Values{"token": {token}})
}

// session returns a signed-in client.
func (e *env) session() *http.Client {
	e.t.Helper()
	c := e.client()
	if r := e.login(c, operatorToken); r.status != http.StatusSeeOther {
		e.t.Fatalf("login: status %d, body %s", r.status, r.body)
	}
	return c
}

// wantStatus fails unless r has the status.
func wantStatus(t testing.TB, what string, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body:\n%s", what, r.status, status, r.body)
	}
}

// wantText fails unless the body holds every text.
func wantText(t testing.TB, what string, r response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(r.body, s) {
			t.Errorf("%s: body lacks %q:\n%s", what, s, r.body)
		}
	}
}

// wantNoPHI fails when the body holds any patient datum of the fixture.
func wantNoPHI(t testing.TB, what, body string) {
	t.Helper()
	for _, s := range phi {
		if strings.Contains(body, s) {
			t.Errorf("%s shows patient data %q", what, s)
		}
	}
}
