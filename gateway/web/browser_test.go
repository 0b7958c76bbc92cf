package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/internal/browsertest"
)

// TestBrowser drives the dashboard in headless Chromium: sign in by typing the token, follow
// the links from the overview to the denial queue, a claim's timeline, a remittance and the
// reconciliation, and sign out. It skips (loudly) without chromium and chromedriver unless
// CLAIMGATE_REQUIRE_BROWSER=1.
func TestBrowser(t *testing.T) {
	browser, driverPath := browsertest.Require(t)
	t.Parallel()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := newEnv(t, nil)

	b := startBrowser(ctx, t, e, browser, driverPath)
	s, must, text, click, wantIn, noPHI := b.s, b.must, b.text, b.click, b.wantIn, b.noPHI
	title := func() string {
		t.Helper()
		v, err := s.Title(ctx)
		must(err)
		return v
	}
	waitPath := func(path string) string {
		t.Helper()
		u, err := s.WaitURL(ctx, func(u string) bool {
			rest, ok := strings.CutPrefix(u, e.srv.URL)
			return ok && (rest == path || strings.HasPrefix(rest, path+"?") || path == "/ui/remittances/" && strings.HasPrefix(rest, path))
		}, 20*time.Second)
		must(err)
		return u
	}

	// Not signed in: the overview sends to the login page.
	must(s.Navigate(ctx, e.srv.URL+"/ui/"))
	waitPath("/ui/login")
	wantIn("login title", title(), "Sign in")

	// A wrong token: the login page again, with the reason.
	tok, err := s.Find(ctx, "#token")
	must(err)
	must(tok.SendKeys(ctx, "not-the-token"))
	click("#signin")
	waitPath("/ui/login")
	errEl, err := s.WaitFind(ctx, "#login-error", 20*time.Second)
	must(err)
	msg, err := errEl.Text(ctx)
	must(err)
	wantIn("wrong token", msg, "not the operator token")

	// The right token: the overview.
	tok, err = s.Find(ctx, "#token")
	must(err)
	must(tok.SendKeys(ctx, operatorToken))
	click("#signin")
	waitPath("/ui/")
	wantIn("overview title", title(), "Overview")
	wantIn("overview stale", text("#stale"), "SIMPAYER")
	wantIn("overview queues", text("#queues"), "authorization")
	wantIn("overview remittances", text("#remittances"), "TRN-WEB-1", "$230.00", "$10.00")
	wantIn("overview webhooks", text("#webhook-failures"), "receiver answered 502")
	noPHI("overview")

	// The denial queue, from the menu.
	click("#nav-denials")
	waitPath("/ui/denials")
	queue := text("#denials")
	wantIn("denials", queue, e.fx.denied.ID, "CO-197", "N54", "$150.00", "open", "Authorization and referral")
	noPHI("denials")

	// The denied claim's timeline, from the queue.
	click("#denials .claim-link")
	waitPath("/ui/claims/" + e.fx.denied.ID)
	wantIn("claim", text("#claim-id"), e.fx.denied.ID)
	wantIn("claim status", text("#claim-status"), "denied")
	wantIn("claim charge", text("#claim-charge"), "$150.00")
	wantIn("timeline", text("#timeline"), "queued", "batched → submitted", "submitted → denied")
	noPHI("claim")

	// The remittance, from the overview.
	click("#nav-overview")
	waitPath("/ui/")
	click("#remittances .rem-link")
	u := waitPath("/ui/remittances/")
	wantIn("remittance url", u, "/ui/remittances/")
	wantIn("remittance amount", text("#rem-amount"), "$230.00")
	wantIn("remittance trace", text("#trace"), "TRN-WEB-1")
	wantIn("remittance balanced", text("#balanced"), "yes")
	wantIn("unmatched payment", text("article.unmatched"), "unmatched", "PCN-OTHER-1", "$120.00")
	wantIn("plb", text("#plbs"), "WO", "overpayment recovery", "$10.00")
	noPHI("remittance")

	// Reconciliation: filter by payer with the form.
	click("#nav-reconciliation")
	waitPath("/ui/reconciliation")
	payer, err := s.Find(ctx, "#payer")
	must(err)
	must(payer.SendKeys(ctx, "SIMPAYER"))
	click("#reconcile")
	_, err = s.WaitURL(ctx, func(u string) bool {
		return strings.Contains(u, "/ui/reconciliation?") && strings.Contains(u, "payer=SIMPAYER")
	},
		20*time.Second)
	must(err)
	wantIn("billed", text(".recon-billed"), "$450.00")
	wantIn("paid", text(".recon-paid"), "$240.00")
	wantIn("payments", text(".recon-payments"), "$230.00")
	wantIn("denied", text(".recon-denied"), "$150.00")
	wantIn("balanced", text(".recon-balanced"), "yes")
	csvLink, err := s.Find(ctx, "#csv")
	must(err)
	href, err := csvLink.Attribute(ctx, "href")
	must(err)
	wantIn("csv link", href, "/ui/reconciliation.csv", "payer=SIMPAYER")
	noPHI("reconciliation")

	// Sign out: back at the login page, and the overview is closed again.
	click("#logout")
	waitPath("/ui/login")
	wantIn("after logout", title(), "Sign in")
	must(s.Navigate(ctx, e.srv.URL+"/ui/"))
	waitPath("/ui/login")

	t.Logf("browser test took %s", time.Since(start).Round(time.Millisecond))
}

// TestBrowserActions works a denial and an unmatched payment through the dashboard's forms in
// headless Chromium: assign the denial from the queue, resolve it from its claim's page, and
// match the remittance's unmatched payment to a claim, checking each confirmation and the
// changed page.
func TestBrowserActions(t *testing.T) {
	browser, driverPath := browsertest.Require(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := newEnv(t, nil)
	fx := e.fx
	den := strconv.FormatInt(fx.denialID, 10)
	rem := strconv.FormatInt(fx.remID, 10)
	seq := strconv.Itoa(unmatchedSeq(t, fx))

	b := startBrowser(ctx, t, e, browser, driverPath)
	s, must, text, click, wantIn, noPHI, typeIn, waitFor := b.s, b.must, b.text, b.click, b.wantIn, b.noPHI, b.typeIn, b.waitFor

	must(s.Navigate(ctx, e.srv.URL+"/ui/login"))
	typeIn("#token", operatorToken)
	click("#signin")
	waitFor(e.srv.URL + "/ui/")

	// Assign the denial from the queue.
	click("#nav-denials")
	waitFor("/ui/denials")
	typeIn("#assignee-"+den, "Billing team A")
	click("#assign-" + den)
	waitFor("/ui/denials?", "done=assigned", "denial="+den)
	wantIn("assigned notice", text("#notice"), "Denial "+den+" is assigned.")
	wantIn("assigned row", text("#denials .denial-row"), "assigned", "Billing team A")
	noPHI("denial-assigned")

	// Resolve it from its claim's page: appealed, with a note.
	click("#denials .claim-link")
	waitFor("/ui/claims/" + fx.denied.ID)
	click("#resolution-" + den + ` option[value="appealed"]`)
	typeIn("#note-"+den, "Appeal sent with the referral.")
	click("#resolve-" + den)
	waitFor("/ui/claims/"+fx.denied.ID+"?", "done=resolved")
	wantIn("resolved notice", text("#notice"), "Denial "+den+" is resolved.")
	wantIn("resolved row", text("#denials .denial-row"), "resolved", "appealed", "Billing team A")
	if forms, err := s.FindAll(ctx, "#resolve-form-"+den); err != nil || len(forms) != 0 {
		t.Errorf("the resolved denial still has its resolve form (%d, %v)", len(forms), err)
	}
	noPHI("denial-resolved")
	if d := getDenial(t, fx, fx.denialID); d.Status != "resolved" || d.Resolution != "appealed" || d.ResolutionNote != "Appeal sent with the referral." {
		t.Errorf("stored denial %+v", d)
	}

	// Match the remittance's unmatched payment to the claim still waiting for its 999.
	must(s.Navigate(ctx, e.srv.URL+"/ui/remittances/"+rem))
	waitFor("/ui/remittances/" + rem)
	wantIn("before match", text("#remittance-summary"), "1 unmatched")
	typeIn("#match-claim-"+seq, strings.ToLower(fx.waiting.ID))
	click("#match-" + seq)
	waitFor("/ui/remittances/"+rem+"?", "done=matched")
	wantIn("matched notice", text("#notice"), "Claim payment "+seq+" is matched to claim "+fx.waiting.ID+".")
	wantIn("after match", text("#remittance-summary"), "none unmatched")
	wantIn("matched payment", text("#payment-"+seq), fx.waiting.ID, "manual", "paid")
	if left, err := s.FindAll(ctx, "article.unmatched"); err != nil || len(left) != 0 {
		t.Errorf("unmatched payments left: %d (%v)", len(left), err)
	}
	noPHI("payment-matched")

	// The claim moved as posting moves it.
	click("#payment-" + seq + " .claim-link")
	waitFor("/ui/claims/" + fx.waiting.ID)
	wantIn("matched claim", text("#claim-status"), "paid")
	wantIn("matched claim timeline", text("#timeline"), "submitted → paid", "matched by hand")
}

// browserRun is one chromedriver and browser session driving the dashboard of e, with the
// checks both browser tests use. startBrowser stops them when the test ends.
type browserRun struct {
	t     *testing.T
	ctx   context.Context
	e     *env
	s     *browsertest.Session
	shots string // CLAIMGATE_SCREENSHOTS: a PNG of every page noPHI checks, for a person to look at
}

func startBrowser(ctx context.Context, t *testing.T, e *env, browser, driverPath string) *browserRun {
	t.Helper()
	drv, err := browsertest.StartDriver(ctx, driverPath, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drv.Stop)
	s, err := drv.NewSession(ctx, browser)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Delete(context.Background()); err != nil {
			t.Errorf("deleting the session: %v", err)
		}
	})
	return &browserRun{t: t, ctx: ctx, e: e, s: s, shots: os.Getenv("CLAIMGATE_SCREENSHOTS")}
}

func (b *browserRun) must(err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
}

// text is the visible text of the element css selects.
func (b *browserRun) text(css string) string {
	b.t.Helper()
	v, err := b.s.Text(b.ctx, css)
	b.must(err)
	return v
}

func (b *browserRun) click(css string) {
	b.t.Helper()
	el, err := b.s.Find(b.ctx, css)
	b.must(err)
	b.must(el.Click(b.ctx))
}

func (b *browserRun) typeIn(css, keys string) {
	b.t.Helper()
	el, err := b.s.Find(b.ctx, css)
	b.must(err)
	b.must(el.SendKeys(b.ctx, keys))
}

// waitFor waits for an address holding every part.
func (b *browserRun) waitFor(parts ...string) {
	b.t.Helper()
	_, err := b.s.WaitURL(b.ctx, func(u string) bool {
		for _, p := range parts {
			if !strings.Contains(u, p) {
				return false
			}
		}
		return true
	}, 20*time.Second)
	b.must(err)
}

func (b *browserRun) wantIn(where, got string, wants ...string) {
	b.t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			b.t.Errorf("%s: %q lacks %q", where, got, w)
		}
	}
}

// noPHI checks that the page shows no patient data, and saves a screenshot of it when asked.
func (b *browserRun) noPHI(where string) {
	b.t.Helper()
	src, err := b.s.PageSource(b.ctx)
	b.must(err)
	wantNoPHI(b.t, where, src)
	if b.shots != "" {
		png, err := b.s.Screenshot(b.ctx)
		b.must(err)
		b.must(os.WriteFile(filepath.Join(b.shots, where+".png"), png, 0o644))
	}
}
