package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/web"
)

// pages are every authenticated GET page of the dashboard, with texts each must show.
func pages(fx *fixture) []struct {
	name, path string
	want       []string
} {
	rem := strconv.FormatInt(fx.remID, 10)
	return []struct {
		name, path string
		want       []string
	}{
		{"overview", "/ui/", []string{"Overview", "SIMPAYER", "TRN-WEB-1", "$230.00", "authorization", "receiver answered 502",
			"Waiting for a 999"}},
		{"claims", "/ui/claims", []string{fx.paid.ID, fx.denied.ID, fx.waiting.ID, "ENC-WAIT-1", "$150.00"}},
		{"claims by status", "/ui/claims?status=denied", []string{fx.denied.ID}},
		{"claim paid", "/ui/claims/" + fx.paid.ID, []string{"paid", "lakeside-ehr", "PCN-PAID-1", "$120.00", "CO-45", "N54",
			"encounter accepted at intake", "submitted → paid"}},
		{"claim denied", "/ui/claims/" + fx.denied.ID, []string{"denied", "CO-197", "N54", "$150.00", "Denial " + strconv.FormatInt(fx.denialID, 10)}},
		{"claim lower case", "/ui/claims/" + strings.ToLower(fx.waiting.ID), []string{fx.waiting.ID, "submitted", "not yet known"}},
		{"denials", "/ui/denials", []string{fx.denied.ID, "CO-197", "N54", "$150.00", "open", "Authorization and referral"}},
		{"denials filtered", "/ui/denials?category=authorization&status=open&queue=authorization", []string{fx.denied.ID}},
		{"denials none", "/ui/denials?category=coding", []string{"No denial matches."}},
		{"remittances", "/ui/remittances", []string{"TRN-WEB-1", "$230.00", "$10.00", "ACH", "2026-11-20"}},
		{"remittance", "/ui/remittances/" + rem, []string{"TRN-WEB-1", "$230.00", "unmatched", "PCN-OTHER-1", "WO", "overpayment recovery",
			"CO-45", "CO-197", "N54", fx.paid.ID, fx.denied.ID, "$10.00", "yes"}},
		{"reconciliation", "/ui/reconciliation?from=2026-11-01&to=2026-11-30", []string{"SIMPAYER", "$450.00", "$240.00", "$230.00",
			"$60.00", "Download CSV", "A/R aging"}},
		{"reconciliation all", "/ui/reconciliation", []string{"SIMPAYER"}},
	}
}

func TestPagesRender(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.session()
	for _, p := range pages(e.fx) {
		t.Run(p.name, func(t *testing.T) {
			r := e.get(c, p.path)
			wantStatus(t, p.path, r, http.StatusOK)
			if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			wantText(t, p.path, r, p.want...)
			wantNoPHI(t, p.path, r.body)
			if strings.Contains(r.body, "<script") || strings.Contains(r.body, " style=") {
				t.Errorf("%s has a script or an inline style", p.path)
			}
		})
	}
}

func TestOverviewCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	r := e.get(e.session(), "/ui/")
	wantStatus(t, "overview", r, http.StatusOK)
	// One claim of SIMPAYER waits for its 999; none for a 277CA.
	if !strings.Contains(r.body, `<td>SIMPAYER</td><td class="num">1</td><td class="num">0</td>`) {
		t.Errorf("stale row missing:\n%s", r.body)
	}
	// The authorization queue has the open denial, linked to the filtered queue.
	if !strings.Contains(r.body, `<a href="/ui/denials?queue=authorization">authorization</a></td><td class="num">1</td>`) {
		t.Errorf("queue row missing:\n%s", r.body)
	}
	// Right now (no clock moved) no claim is late.
	e2 := newEnv(t, e.fx, func(c *web.Config) { c.Now = time.Now })
	r = e2.get(e2.session(), "/ui/")
	wantText(t, "overview now", r, "No claim is waiting too long.")
}

func TestAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	fx := e.fx

	t.Run("no session redirects to login", func(t *testing.T) {
		t.Parallel()
		paths := []string{"/ui/reconciliation.csv", "/ui/no-such-page", "/ui/claims?id=bad"}
		for _, p := range pages(fx) {
			paths = append(paths, p.path)
		}
		for _, p := range paths {
			r := e.get(e.client(), p)
			wantStatus(t, p, r, http.StatusSeeOther)
			if loc := r.header.Get("Location"); loc != "/ui/login" {
				t.Errorf("%s: Location %q", p, loc)
			}
			wantNoPHI(t, p, r.body)
		}
	})

	t.Run("login page", func(t *testing.T) {
		t.Parallel()
		r := e.get(e.client(), "/ui/login")
		wantStatus(t, "login page", r, http.StatusOK)
		wantText(t, "login page", r, `type="password"`, `name="token"`, `action="/ui/login"`)
	})

	t.Run("wrong token", func(t *testing.T) {
		t.Parallel()
		for _, tok := range []string{"", "nope", operatorToken + "x", strings.Repeat("a", 600)} {
			c := e.client()
			r := e.login(c, tok)
			wantStatus(t, "wrong token", r, http.StatusUnauthorized)
			wantText(t, "wrong token", r, "That is not the operator token", `name="token"`)
			if len(r.header.Values("Set-Cookie")) != 0 {
				t.Errorf("a refused login set a cookie: %v", r.header.Values("Set-Cookie"))
			}
			if strings.Contains(e.logs.String(), tok) && tok != "" {
				t.Errorf("the log holds the typed token")
			}
		}
	})

	t.Run("login sets a strict cookie", func(t *testing.T) {
		t.Parallel()
		c := e.client()
		r := e.login(c, "  "+operatorToken+"\n")
		wantStatus(t, "login", r, http.StatusSeeOther)
		if loc := r.header.Get("Location"); loc != "/ui/" {
			t.Errorf("Location %q", loc)
		}
		cookies := (&http.Response{Header: r.header}).Cookies()
		if len(cookies) != 1 {
			t.Fatalf("cookies %v", cookies)
		}
		ck := cookies[0]
		if ck.Name != web.SessionCookie || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/ui" ||
			ck.Secure || ck.MaxAge != int(web.SessionLifetime/time.Second) {
			t.Errorf("cookie %+v", ck)
		}
		if strings.Contains(ck.Value, operatorToken) || strings.Contains(ck.Value, gateway.HashToken(operatorToken)) {
			t.Errorf("the cookie carries the token or its hash")
		}
		wantStatus(t, "overview", e.get(c, "/ui/"), http.StatusOK)
		// Signed in, the login page sends to the overview.
		wantStatus(t, "login page signed in", e.get(c, "/ui/login"), http.StatusSeeOther)
	})

	t.Run("cookie is Secure behind a TLS proxy", func(t *testing.T) {
		t.Parallel()
		for _, proto := range []string{"https", "HTTPS"} {
			r := e.do(e.client(), http.MethodPost, "/ui/login", url.Values{"token": {operatorToken}}, "X-Forwarded-Proto", proto)
			wantStatus(t, "login behind a proxy", r, http.StatusSeeOther)
			cookies := (&http.Response{Header: r.header}).Cookies()
			if len(cookies) != 1 || !cookies[0].Secure {
				t.Errorf("X-Forwarded-Proto %s: cookies %v, want one Secure cookie", proto, cookies)
			}
		}
		r := e.do(e.client(), http.MethodPost, "/ui/logout", nil, "X-Forwarded-Proto", "https")
		if cookies := (&http.Response{Header: r.header}).Cookies(); len(cookies) != 1 || !cookies[0].Secure {
			t.Errorf("logout behind a proxy: cookies %v", cookies)
		}
	})

	t.Run("refused cookies", func(t *testing.T) {
		t.Parallel()
		good := sessionValue(t, e, operatorToken)
		parts := strings.Split(good, ".")
		exp, _ := strconv.ParseInt(parts[1], 10, 64)
		other := newEnv(t, fx, func(c *web.Config) { c.OperatorTokenHash = gateway.HashToken(operatorToken + "-rotated") })
		otherValue := sessionValue(t, other, operatorToken+"-rotated")
		flip := []byte(parts[2])
		if flip[0] == 'A' {
			flip[0] = 'B'
		} else {
			flip[0] = 'A'
		}
		cases := []struct{ name, value string }{
			{"tampered signature", parts[0] + "." + parts[1] + "." + string(flip)},
			{"extended expiry", parts[0] + "." + strconv.FormatInt(exp+3600, 10) + "." + parts[2]},
			{"other key", otherValue},
			{"no signature", parts[0] + "." + parts[1]},
			{"garbage", "not-a-session"},
			{"empty", ""},
		}
		for _, tc := range cases {
			r := getWithCookie(t, e, "/ui/", tc.value)
			wantStatus(t, tc.name, r, http.StatusSeeOther)
		}
		wantStatus(t, "good", getWithCookie(t, e, "/ui/", good), http.StatusOK)
	})

	t.Run("expired session", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, fx) // its own clock
		c := e.session()
		wantStatus(t, "fresh", e.get(c, "/ui/"), http.StatusOK)
		e.clock.Add(web.SessionLifetime + time.Second)
		r := e.get(c, "/ui/")
		wantStatus(t, "expired", r, http.StatusSeeOther)
	})

	t.Run("rotated token ends sessions", func(t *testing.T) {
		t.Parallel()
		value := sessionValue(t, e, operatorToken)
		rotated := newEnv(t, fx, func(c *web.Config) { c.OperatorTokenHash = gateway.HashToken(operatorToken + "-rotated") })
		wantStatus(t, "rotated", getWithCookie(t, rotated, "/ui/", value), http.StatusSeeOther)
		// Another replica with the same token accepts it.
		replica := newEnv(t, fx)
		wantStatus(t, "replica", getWithCookie(t, replica, "/ui/", value), http.StatusOK)
	})

	t.Run("cross-site posts refused", func(t *testing.T) {
		t.Parallel()
		for _, h := range [][]string{
			{"Sec-Fetch-Site", "cross-site"},
			{"Sec-Fetch-Site", "same-site"},
			{"Origin", "https://evil.example"},
		} {
			for _, path := range []string{"/ui/login", "/ui/logout"} {
				c := e.client()
				r := e.do(c, http.MethodPost, path, url.Values{"token": {operatorToken}}, h...)
				wantStatus(t, path+" "+strings.Join(h, ": "), r, http.StatusForbidden)
				wantText(t, path, r, "another web site")
				if len(r.header.Values("Set-Cookie")) != 0 {
					t.Errorf("a cross-site login set a cookie")
				}
			}
		}
		// The browser's own same-origin form is accepted.
		r := e.do(e.client(), http.MethodPost, "/ui/login", url.Values{"token": {operatorToken}},
			"Sec-Fetch-Site", "same-origin", "Origin", e.srv.URL)
		wantStatus(t, "same origin", r, http.StatusSeeOther)
	})

	t.Run("logout", func(t *testing.T) {
		t.Parallel()
		c := e.session()
		r := e.do(c, http.MethodPost, "/ui/logout", url.Values{})
		wantStatus(t, "logout", r, http.StatusSeeOther)
		if loc := r.header.Get("Location"); loc != "/ui/login" {
			t.Errorf("Location %q", loc)
		}
		cookies := (&http.Response{Header: r.header}).Cookies()
		if len(cookies) != 1 || cookies[0].Name != web.SessionCookie || cookies[0].MaxAge >= 0 || cookies[0].Value != "" {
			t.Errorf("logout cookies %v", cookies)
		}
		wantStatus(t, "after logout", e.get(c, "/ui/"), http.StatusSeeOther)
	})

	t.Run("methods", func(t *testing.T) {
		t.Parallel()
		c := e.session()
		r := e.do(c, http.MethodPost, "/ui/claims", url.Values{})
		if r.status != http.StatusMethodNotAllowed && r.status != http.StatusNotFound {
			t.Errorf("POST /ui/claims: %d", r.status)
		}
		wantStatus(t, "GET logout", e.get(c, "/ui/logout"), http.StatusNotFound)
	})
}

// sessionValue signs in to e and returns the session cookie's value.
func sessionValue(t *testing.T, e *env, token string) string {
	t.Helper()
	r := e.login(e.client(), token)
	wantStatus(t, "login", r, http.StatusSeeOther)
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if ck.Name == web.SessionCookie {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func getWithCookie(t *testing.T, e *env, path, value string) response {
	t.Helper()
	return e.do(e.client(), http.MethodGet, path, nil, "Cookie", web.SessionCookie+"="+value)
}

func TestNoOperatorToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, func(c *web.Config) { c.OperatorTokenHash = "" })
	c := e.client()
	for _, req := range []struct{ method, path string }{
		{"GET", "/ui/"}, {"GET", "/ui/login"}, {"POST", "/ui/login"}, {"POST", "/ui/logout"}, {"GET", "/ui/denials"},
		{"GET", "/ui/claims/" + e.fx.paid.ID}, {"GET", "/ui/reconciliation.csv"}, {"GET", "/ui/nothing"},
	} {
		var form url.Values
		if req.method == "POST" {
			form = url.Values{"token": {""}}
		}
		r := e.do(c, req.method, req.path, form)
		wantStatus(t, req.method+" "+req.path, r, http.StatusServiceUnavailable)
		wantText(t, req.path, r, "CLAIMGATE_OPERATOR_TOKEN_FILE")
		if len(r.header.Values("Set-Cookie")) != 0 {
			t.Errorf("%s %s set a cookie", req.method, req.path)
		}
	}
	// Even a cookie signed for an empty hash is no key.
	wantStatus(t, "forged", getWithCookie(t, e, "/ui/", "v1.9999999999.AAAA"), http.StatusServiceUnavailable)
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.session()
	anon := e.client()
	check := func(what string, r response) {
		t.Helper()
		want := map[string]string{
			"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Cache-Control":           "no-store",
		}
		for k, v := range want {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", what, k, got, v)
			}
		}
	}
	for _, p := range pages(e.fx) {
		check(p.path, e.get(c, p.path))
	}
	check("login", e.get(anon, "/ui/login"))
	check("redirect", e.get(anon, "/ui/"))
	check("wrong token", e.login(e.client(), "wrong"))
	check("404", e.get(c, "/ui/claims/ZZZZZZZZ"))
	check("400", e.get(c, "/ui/denials?status=closed"))
	check("csv", e.get(c, "/ui/reconciliation.csv"))
	css := e.get(anon, "/ui/static/style.css")
	wantStatus(t, "css", css, http.StatusOK)
	check("css", css)
	if ct := css.header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
		t.Errorf("css Content-Type %q", ct)
	}
	off := newEnv(t, e.fx, func(c *web.Config) { c.OperatorTokenHash = "" })
	check("not configured", off.get(off.client(), "/ui/"))
}

func TestErrorPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.session()
	cases := []struct {
		path   string
		status int
		want   string
	}{
		{"/ui/claims/ZZZZZZZZZZZZZZZZZ", http.StatusNotFound, "No claim has the id"},
		{"/ui/claims/not-a-claim!", http.StatusNotFound, "No claim has this id"},
		{"/ui/remittances/999999", http.StatusNotFound, "No remittance has the id 999999"},
		{"/ui/remittances/abc", http.StatusNotFound, "No remittance has this id"},
		{"/ui/nowhere", http.StatusNotFound, "There is no dashboard page"},
		{"/ui/claims?id=not+a+claim!", http.StatusBadRequest, "A claim id is up to 17 letters and digits"},
		{"/ui/claims?status=lost", http.StatusBadRequest, "not one claimgate uses"},
		{"/ui/claims?cursor=%3Cscript%3E", http.StatusBadRequest, "out of date"},
		{"/ui/denials?status=closed", http.StatusBadRequest, "open, assigned or resolved"},
		{"/ui/denials?category=nope", http.StatusBadRequest, "not one claimgate uses"},
		{"/ui/denials?queue=Bad%20Queue", http.StatusBadRequest, "not a queue name"},
		{"/ui/denials?cursor=zz", http.StatusBadRequest, "out of date"},
		{"/ui/denials?cursor=%2B%2B", http.StatusBadRequest, "out of date"},
		{"/ui/remittances?before=x", http.StatusBadRequest, "out of date"},
		{"/ui/reconciliation?from=11/01/2026", http.StatusBadRequest, "year-month-day"},
		{"/ui/reconciliation?from=2026-12-01&to=2026-11-01", http.StatusBadRequest, "after the to date"},
		{"/ui/reconciliation?payer=%3Cb%3E", http.StatusBadRequest, "not a payer id"},
		{"/ui/reconciliation.csv?to=yesterday", http.StatusBadRequest, "year-month-day"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := e.get(c, tc.path)
			wantStatus(t, tc.path, r, tc.status)
			wantText(t, tc.path, r, tc.want)
			if strings.Contains(r.body, "<script>") || strings.Contains(r.body, "<b>") {
				t.Errorf("%s echoes markup", tc.path)
			}
		})
	}
	// A claim lookup by id redirects to the claim, normalised.
	r := e.get(c, "/ui/claims?id="+strings.ToLower(e.fx.paid.ID))
	wantStatus(t, "lookup", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/ui/claims/"+e.fx.paid.ID {
		t.Errorf("lookup Location %q", loc)
	}
}

func TestStoreFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.session()
	if err := e.fx.store.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/ui/", "/ui/claims/" + e.fx.paid.ID, "/ui/denials", "/ui/remittances", "/ui/remittances/1", "/ui/claims"} {
		r := e.do(c, http.MethodGet, path, nil, "X-Request-Id", "req-"+strconv.Itoa(len(path)))
		wantStatus(t, path, r, http.StatusInternalServerError)
		wantText(t, path, r, "req-"+strconv.Itoa(len(path)), "Something went wrong")
	}
	logs := e.logs.String()
	if !strings.Contains(logs, e.fx.paid.ID) {
		t.Errorf("the claim's failure log lacks its claim id:\n%s", logs)
	}
	wantNoPHI(t, "log", logs)
}

func TestReconciliationCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.session()
	const q = "?from=2026-11-01&to=2026-11-30&payer=SIMPAYER"
	page := e.get(c, "/ui/reconciliation"+q)
	wantStatus(t, "page", page, http.StatusOK)
	wantText(t, "page", page, `href="/ui/reconciliation.csv?from=2026-11-01&amp;payer=SIMPAYER&amp;to=2026-11-30"`)
	r := e.get(c, "/ui/reconciliation.csv"+q)
	wantStatus(t, "csv", r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, r.body)
	}
	if strings.Join(rows[0], ",") != "payer_id,figure,code,value" {
		t.Fatalf("header %v", rows[0])
	}
	// The JSON reconciliation (what GET /v1/reconciliation answers) of the same period.
	rec, err := e.fx.poster.Reconcile(context.Background(), gateway.ReconciliationFilter{From: "2026-11-01", To: "2026-11-30", PayerID: "SIMPAYER"}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Payers []map[string]any `json:"payers"`
	}
	if err := json.Unmarshal(b, &j); err != nil || len(j.Payers) != 1 {
		t.Fatalf("json %s %v", b, err)
	}
	p := j.Payers[0]
	if p["billed"] != "450.00" || p["paid"] != "240.00" || p["payments"] != "230.00" || p["denied"] != "150.00" || p["balanced"] != true {
		t.Fatalf("json reconciliation %v", p)
	}
	compared := 0
	for _, row := range rows[1:] {
		if row[0] != "SIMPAYER" || row[2] != "" {
			continue
		}
		switch v := p[row[1]].(type) {
		case string:
			if v != row[3] {
				t.Errorf("csv %s = %s, json %s", row[1], row[3], v)
			}
			compared++
		case float64:
			if strconv.FormatFloat(v, 'f', -1, 64) != row[3] {
				t.Errorf("csv %s = %s, json %v", row[1], row[3], v)
			}
			compared++
		case bool:
			if strconv.FormatBool(v) != row[3] {
				t.Errorf("csv %s = %s, json %v", row[1], row[3], v)
			}
			compared++
		}
	}
	if compared < 12 {
		t.Errorf("only %d figures compared:\n%s", compared, r.body)
	}
	wantNoPHI(t, "csv", r.body)
	if !bytes.Contains([]byte(r.body), []byte("SIMPAYER,billed,,450.00")) {
		t.Errorf("csv lacks the billed total:\n%s", r.body)
	}
}

func TestReconciliationUnavailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, func(c *web.Config) { c.Reconciler = nil })
	r := e.get(e.session(), "/ui/reconciliation")
	wantStatus(t, "reconciliation", r, http.StatusServiceUnavailable)
	wantText(t, "reconciliation", r, "not configured")
}

func TestNewRequiresStore(t *testing.T) {
	t.Parallel()
	if _, err := web.New(web.Config{}); err == nil {
		t.Fatal("New without a store succeeded")
	}
}

// ---- actions ----

// unmatchedSeq returns the position of the fixture remittance's unmatched claim payment.
func unmatchedSeq(t *testing.T, fx *fixture) int {
	t.Helper()
	cps, err := fx.store.ClaimPayments(context.Background(), fx.remID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, cp := range cps {
		if cp.ClaimID == "" {
			return cp.Seq
		}
	}
	t.Fatal("the fixture remittance has no unmatched claim payment")
	return 0
}

func getDenial(t *testing.T, fx *fixture, id int64) gateway.Denial {
	t.Helper()
	d, err := fx.store.GetDenial(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// newDenialAction is the setup of a denial action case: a dashboard over a fresh fixture, a
// signed-in client, the fixture denial's id, and the replacer of {claim}, {denial}, {waiting}
// and {waiting-lower} in form values and addresses.
func newDenialAction(t *testing.T) (*env, *http.Client, string, func(string) string) {
	t.Helper()
	e := newEnv(t, nil)
	den := strconv.FormatInt(e.fx.denialID, 10)
	fill := strings.NewReplacer("{claim}", e.fx.denied.ID, "{denial}", den, "{waiting}", e.fx.waiting.ID,
		"{waiting-lower}", strings.ToLower(e.fx.waiting.ID)).Replace
	return e, e.session(), den, fill
}

// denialForm is a case's form with its placeholders filled.
func denialForm(f url.Values, fill func(string) string) url.Values {
	form := url.Values{}
	for k, v := range f {
		form[k] = []string{fill(v[0])}
	}
	return form
}

// denialPath is a case's address, by default the action's on the fixture denial.
func denialPath(path, den, action string) string {
	if path == "" {
		return "/ui/denials/" + den + "/" + action
	}
	return path
}

func TestAssignDenial(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		path     string // "" is the fixture denial's assign address
		form     url.Values
		status   int
		want     string // text of the answer (of the page a 303 leads to for a success)
		location string // a 303's Location, with {claim} and {denial}; "" is not checked
		state    func(t *testing.T, d gateway.Denial)
	}{
		{name: "assign from the queue", form: url.Values{"assignee": {"  Billing team A "}, "back": {"/ui/denials?queue=authorization"}},
			status: http.StatusSeeOther, want: "Billing team A", location: "/ui/denials?denial={denial}&done=assigned&queue=authorization",
			state: func(t *testing.T, d gateway.Denial) {
				if d.Status != gateway.DenialAssigned || d.Assignee != "Billing team A" {
					t.Errorf("denial %+v", d)
				}
			}},
		{name: "assign from the claim page", form: url.Values{"assignee": {"Ann"}, "back": {"/ui/claims/{claim}"}},
			status: http.StatusSeeOther, want: "is assigned.", location: "/ui/claims/{claim}?denial={denial}&done=assigned"},
		{name: "foreign back goes to the claim", form: url.Values{"assignee": {"Ann"}, "back": {"https://evil.example/ui/denials"}},
			status: http.StatusSeeOther, location: "/ui/claims/{claim}?denial={denial}&done=assigned"},
		{name: "scheme-relative back goes to the claim", form: url.Values{"assignee": {"Ann"}, "back": {"//evil.example/ui/denials"}},
			status: http.StatusSeeOther, location: "/ui/claims/{claim}?denial={denial}&done=assigned"},
		{name: "other page back goes to the claim", form: url.Values{"assignee": {"Ann"}, "back": {"/ui/login"}},
			status: http.StatusSeeOther, location: "/ui/claims/{claim}?denial={denial}&done=assigned"},
		{name: "markup is shown as text", form: url.Values{"assignee": {"<b>Team</b>"}, "back": {"/ui/denials"}},
			status: http.StatusSeeOther, want: "&lt;b&gt;Team&lt;/b&gt;",
			state: func(t *testing.T, d gateway.Denial) {
				if d.Assignee != "<b>Team</b>" {
					t.Errorf("assignee %q", d.Assignee)
				}
			}},
		{name: "empty unassigns", form: url.Values{"assignee": {""}, "back": {"/ui/denials"}},
			status: http.StatusSeeOther, want: "is unassigned: it is back in the open queue.",
			location: "/ui/denials?denial={denial}&done=unassigned",
			state: func(t *testing.T, d gateway.Denial) {
				if d.Status != gateway.DenialOpen || d.Assignee != "" {
					t.Errorf("denial %+v", d)
				}
			}},
		{name: "too long", form: url.Values{"assignee": {strings.Repeat("a", gateway.MaxAssigneeLen+1)}},
			status: http.StatusBadRequest, want: "at most 100 characters on one line"},
		{name: "two lines", form: url.Values{"assignee": {"Ann\nBob"}}, status: http.StatusBadRequest, want: "at most 100 characters on one line"},
		{name: "control character", form: url.Values{"assignee": {"Ann\x07"}}, status: http.StatusBadRequest, want: "at most 100 characters"},
		{name: "no assignee field", form: url.Values{"back": {"/ui/denials"}}, status: http.StatusBadRequest,
			want: "Type the person or team who works this denial"},
		{name: "unknown denial", path: "/ui/denials/999999/assign", form: url.Values{"assignee": {"Ann"}},
			status: http.StatusNotFound, want: "No denial has the id 999999."},
		{name: "not a denial id", path: "/ui/denials/abc/assign", form: url.Values{"assignee": {"Ann"}},
			status: http.StatusNotFound, want: "No denial has this id."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, c, den, fill := newDenialAction(t)
			form, path := denialForm(tc.form, fill), denialPath(tc.path, den, "assign")
			before := getDenial(t, e.fx, e.fx.denialID)
			r := e.do(c, http.MethodPost, path, form)
			wantStatus(t, tc.name, r, tc.status)
			logs := e.logs.String()
			if tc.status == http.StatusSeeOther {
				loc := r.header.Get("Location")
				if tc.location != "" && loc != fill(tc.location) {
					t.Errorf("Location %q, want %q", loc, fill(tc.location))
				}
				if !strings.HasPrefix(loc, "/ui/") || strings.HasPrefix(loc, "//") {
					t.Fatalf("Location %q leaves the dashboard", loc)
				}
				pg := e.get(c, loc)
				wantStatus(t, "after "+tc.name, pg, http.StatusOK)
				wantText(t, "after "+tc.name, pg, `id="notice"`, "Denial "+den+" is ")
				if tc.want != "" {
					wantText(t, "after "+tc.name, pg, tc.want)
				}
				if strings.Contains(pg.body, "<b>Team") {
					t.Error("the assignee's markup is rendered")
				}
				wantText(t, "log", response{body: logs}, `"denial_id":`+den, `"actor":"operator"`)
				if strings.Contains(logs, "Billing team") || strings.Contains(logs, "Ann") || strings.Contains(logs, "Team") {
					t.Errorf("the log holds the assignee:\n%s", logs)
				}
			} else {
				wantText(t, tc.name, r, tc.want)
				wantText(t, tc.name, r, `id="back"`)
				if after := getDenial(t, e.fx, e.fx.denialID); after.Status != before.Status || after.Assignee != before.Assignee {
					t.Errorf("a refused assign changed the denial: %+v", after)
				}
			}
			if tc.state != nil {
				tc.state(t, getDenial(t, e.fx, e.fx.denialID))
			}
			wantNoPHI(t, "log", logs)
		})
	}
}

func TestResolveDenial(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		path   string // "" is the fixture denial's resolve address
		form   url.Values
		status int
		want   string
		state  func(t *testing.T, fx *fixture, d gateway.Denial)
	}{
		{name: "appealed with a note", form: url.Values{"resolution": {"appealed"}, "note": {"Called the payer.\r\nRef 8812\tok"},
			"back": {"/ui/denials"}}, status: http.StatusSeeOther, want: "is resolved.",
			state: func(t *testing.T, fx *fixture, d gateway.Denial) {
				if d.Status != gateway.DenialResolved || d.Resolution != gateway.ResolutionAppealed ||
					d.ResolutionNote != "Called the payer.\nRef 8812\tok" || d.ResolvedAt == nil {
					t.Errorf("denial %+v", d)
				}
			}},
		{name: "corrected with the corrected claim", form: url.Values{"resolution": {"corrected"}, "claim_id": {" {waiting-lower} "},
			"back": {"/ui/claims/{claim}"}}, status: http.StatusSeeOther, want: "corrected",
			state: func(t *testing.T, fx *fixture, d gateway.Denial) {
				if d.Resolution != gateway.ResolutionCorrected || d.ResolvedByClaimID != fx.waiting.ID {
					t.Errorf("denial %+v", d)
				}
			}},
		{name: "written off, no note", form: url.Values{"resolution": {"written_off"}}, status: http.StatusSeeOther, want: "written_off"},
		{name: "billed to the patient", form: url.Values{"resolution": {"billed_patient"}, "note": {""}}, status: http.StatusSeeOther},
		{name: "no resolution", form: url.Values{"resolution": {""}}, status: http.StatusBadRequest, want: "Choose how the denial was resolved"},
		{name: "unknown resolution", form: url.Values{"resolution": {"fixed"}}, status: http.StatusBadRequest, want: "Choose how the denial was resolved"},
		{name: "note too long", form: url.Values{"resolution": {"appealed"}, "note": {strings.Repeat("n", gateway.MaxResolutionNoteLen+1)}},
			status: http.StatusBadRequest, want: "at most 2000 characters"},
		{name: "note with a control character", form: url.Values{"resolution": {"appealed"}, "note": {"bell\x07"}},
			status: http.StatusBadRequest, want: "at most 2000 characters"},
		{name: "claim id with another resolution", form: url.Values{"resolution": {"appealed"}, "claim_id": {"{waiting}"}},
			status: http.StatusBadRequest, want: "goes only with the resolution “corrected”"},
		{name: "not a claim id", form: url.Values{"resolution": {"corrected"}, "claim_id": {"<not a claim>"}},
			status: http.StatusBadRequest, want: "up to 17 letters and digits"},
		{name: "unknown corrected claim", form: url.Values{"resolution": {"corrected"}, "claim_id": {"ZZZZZZZZZZZZZ"}},
			status: http.StatusBadRequest, want: "must be an existing claim of the same submitter"},
		{name: "unknown denial", path: "/ui/denials/999999/resolve", form: url.Values{"resolution": {"appealed"}},
			status: http.StatusNotFound, want: "No denial has the id 999999."},
		{name: "not a denial id", path: "/ui/denials/-1/resolve", form: url.Values{"resolution": {"appealed"}},
			status: http.StatusNotFound, want: "No denial has this id."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, c, den, fill := newDenialAction(t)
			form, path := denialForm(tc.form, fill), denialPath(tc.path, den, "resolve")
			r := e.do(c, http.MethodPost, path, form)
			wantStatus(t, tc.name, r, tc.status)
			logs := e.logs.String()
			if tc.status == http.StatusSeeOther {
				loc := r.header.Get("Location")
				if !strings.HasPrefix(loc, "/ui/") || !strings.Contains(loc, "done=resolved") {
					t.Fatalf("Location %q", loc)
				}
				pg := e.get(c, loc)
				wantStatus(t, "after "+tc.name, pg, http.StatusOK)
				wantText(t, "after "+tc.name, pg, `id="notice"`, "Denial "+den+" is resolved.", "status-resolved")
				if tc.want != "" {
					wantText(t, "after "+tc.name, pg, tc.want)
				}
				if strings.Contains(pg.body, `action="/ui/denials/`+den+`/resolve"`) {
					t.Error("a resolved denial still offers its resolve form")
				}
				wantText(t, "log", response{body: logs}, `"denial_id":`+den, `"actor":"operator"`, `"msg":"dashboard: denial resolved"`)
				if strings.Contains(logs, "Ref 8812") {
					t.Errorf("the log holds the note:\n%s", logs)
				}
				// Resolved once: a second resolve and an assign are conflicts.
				again := e.do(c, http.MethodPost, path, url.Values{"resolution": {"appealed"}})
				wantStatus(t, "resolve twice", again, http.StatusConflict)
				wantText(t, "resolve twice", again, "Denial "+den+" is resolved already")
				assign := e.do(c, http.MethodPost, "/ui/denials/"+den+"/assign", url.Values{"assignee": {"Ann"}})
				wantStatus(t, "assign resolved", assign, http.StatusConflict)
				wantText(t, "assign resolved", assign, "cannot be assigned or resolved again")
			} else {
				wantText(t, tc.name, r, tc.want)
				if strings.Contains(r.body, "<not a claim>") {
					t.Error("the error page echoes markup")
				}
				if d := getDenial(t, e.fx, e.fx.denialID); d.Status == gateway.DenialResolved {
					t.Errorf("a refused resolve resolved the denial: %+v", d)
				}
			}
			if tc.state != nil {
				tc.state(t, e.fx, getDenial(t, e.fx, e.fx.denialID))
				// The history names the operator as who resolved it.
				h, err := e.fx.store.DenialHistory(context.Background(), e.fx.denialID, 0)
				if err != nil || len(h) == 0 || h[len(h)-1].Action != gateway.DenialEventResolved || h[len(h)-1].Actor != "operator" {
					t.Errorf("history %+v, %v: want the last step resolved by the operator", h, err)
				}
			}
			wantNoPHI(t, "log", logs)
		})
	}
}

func TestMatchPayment(t *testing.T) {
	t.Parallel()
	// otherPayerClaim is a submitted claim of another payer.
	otherPayerClaim := func(t *testing.T, fx *fixture) string {
		t.Helper()
		ctx := context.Background()
		src, err := fx.store.GetClaim(ctx, fx.waiting.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		c, err := fx.store.CreateClaim(ctx, gateway.Claim{SubmitterID: src.SubmitterID, ExternalID: "ENC-OTHER-1", Type: gateway.Professional,
			PayerID: "OTHERPAY", Frequency: gateway.FrequencyOriginal, TotalCharge: 15000, LineCount: 1, Encounter: src.Encounter},
			gateway.EventInput{Source: "intake", Reason: "encounter accepted at intake"})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	cases := []struct {
		name    string
		seq     string // "" is the unmatched payment's
		rem     string // "" is the fixture remittance
		claim   string // {waiting}, {paid}, {other} are replaced
		status  int
		want    string
		noMatch bool // a nil Matcher
	}{
		{name: "match", claim: " {waiting-lower} ", status: http.StatusSeeOther},
		{name: "empty claim id", claim: "", status: http.StatusBadRequest, want: "Type the id of the claim this payment is for"},
		{name: "not a claim id", claim: "<b>x</b>", status: http.StatusBadRequest, want: "Type the id of the claim this payment is for"},
		{name: "unknown claim", claim: "ZZZZZZZZZZZZZ", status: http.StatusNotFound, want: "No claim has the id ZZZZZZZZZZZZZ."},
		{name: "claim of another payer", claim: "{other}", status: http.StatusBadRequest, want: "was sent to another payer"},
		{name: "matched payment", seq: "1", claim: "{waiting}", status: http.StatusConflict, want: "is matched to a claim already"},
		{name: "unknown payment", seq: "99", claim: "{waiting}", status: http.StatusNotFound, want: "has no claim payment 99"},
		{name: "not a position", seq: "x", claim: "{waiting}", status: http.StatusNotFound, want: "no claim payment at this position"},
		{name: "unknown remittance", rem: "999999", claim: "{waiting}", status: http.StatusNotFound, want: "No remittance has the id 999999."},
		{name: "not a remittance id", rem: "abc", claim: "{waiting}", status: http.StatusNotFound, want: "No remittance has this id."},
		{name: "no matcher", claim: "{waiting}", status: http.StatusServiceUnavailable, want: "payments cannot be matched here", noMatch: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []envOption
			if tc.noMatch {
				opts = append(opts, func(c *web.Config) { c.Matcher = nil })
			}
			e := newEnv(t, nil, opts...)
			c := e.session()
			fx := e.fx
			seq := strconv.Itoa(unmatchedSeq(t, fx))
			rem := strconv.FormatInt(fx.remID, 10)
			claim := strings.NewReplacer("{waiting}", fx.waiting.ID, "{waiting-lower}", strings.ToLower(fx.waiting.ID),
				"{paid}", fx.paid.ID).Replace(tc.claim)
			if strings.Contains(claim, "{other}") {
				claim = otherPayerClaim(t, fx)
			}
			path := "/ui/remittances/" + cmp(tc.rem, rem) + "/claims/" + cmp(tc.seq, seq) + "/match"
			r := e.do(c, http.MethodPost, path, url.Values{"claim_id": {claim}})
			wantStatus(t, tc.name, r, tc.status)
			ctx := context.Background()
			waiting, err := fx.store.GetClaim(ctx, fx.waiting.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if tc.status != http.StatusSeeOther {
				wantText(t, tc.name, r, tc.want)
				if strings.Contains(r.body, "<b>x") {
					t.Error("the error page echoes markup")
				}
				if tc.seq == "" && tc.rem == "" {
					if got := unmatchedSeq(t, fx); strconv.Itoa(got) != seq {
						t.Errorf("a refused match matched the payment")
					}
				}
				if waiting.Status != gateway.StatusSubmitted {
					t.Errorf("a refused match moved the claim to %s", waiting.Status)
				}
				return
			}
			loc := r.header.Get("Location")
			if want := "/ui/remittances/" + rem + "?claim=" + fx.waiting.ID + "&done=matched&payment=" + seq; loc != want {
				t.Errorf("Location %q, want %q", loc, want)
			}
			// Posted as the poster posts it: the claim (paid 120.00 by CLP02 1) moved to paid.
			if waiting.Status != gateway.StatusPaid {
				t.Errorf("claim status %s, want paid", waiting.Status)
			}
			cps, err := fx.store.ClaimPaymentsForClaim(ctx, fx.waiting.ID)
			if err != nil || len(cps) != 1 || strconv.Itoa(cps[0].Seq) != seq || cps[0].MatchedBy != gateway.MatchManual {
				t.Fatalf("payments of the matched claim: %+v %v", cps, err)
			}
			pg := e.get(c, loc)
			wantStatus(t, "remittance after match", pg, http.StatusOK)
			wantText(t, "remittance after match", pg, `id="notice"`, "Claim payment "+seq+" is matched to claim "+fx.waiting.ID+".",
				"none unmatched", "manual")
			if strings.Contains(pg.body, `id="match-form-`) || strings.Contains(pg.body, "unmatched</strong>") {
				t.Error("the remittance still shows an unmatched payment")
			}
			claimPage := e.get(c, "/ui/claims/"+fx.waiting.ID)
			wantText(t, "claim after match", claimPage, "matched by hand", "PCN-OTHER-1")
			logs := e.logs.String()
			wantText(t, "log", response{body: logs}, `"remittance_id":`+rem, `"claim_payment":`+seq, `"claim_id":"`+fx.waiting.ID+`"`,
				`"actor":"operator"`)
			wantNoPHI(t, "log", logs)
			wantNoPHI(t, "remittance after match", pg.body)
			// Matching again is a conflict.
			again := e.do(c, http.MethodPost, path, url.Values{"claim_id": {fx.paid.ID}})
			wantStatus(t, "match twice", again, http.StatusConflict)
			wantText(t, "match twice", again, "is matched to a claim already")
		})
	}
}

func cmp(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// TestActionsGuarded: every action needs a session and a same-origin form, and a store
// failure is the 500 page with the request id.
func TestActionsGuarded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	fx := e.fx
	den := strconv.FormatInt(fx.denialID, 10)
	seq := strconv.Itoa(unmatchedSeq(t, fx))
	actions := []struct {
		path string
		form url.Values
	}{
		{"/ui/denials/" + den + "/assign", url.Values{"assignee": {"Ann"}}},
		{"/ui/denials/" + den + "/resolve", url.Values{"resolution": {"appealed"}}},
		{"/ui/remittances/" + strconv.FormatInt(fx.remID, 10) + "/claims/" + seq + "/match", url.Values{"claim_id": {fx.waiting.ID}}},
	}
	unchanged := func(what string) {
		t.Helper()
		if d := getDenial(t, fx, fx.denialID); d.Status != gateway.DenialOpen || d.Assignee != "" {
			t.Errorf("%s: the denial changed: %+v", what, d)
		}
		if got := strconv.Itoa(unmatchedSeq(t, fx)); got != seq {
			t.Errorf("%s: the payment was matched", what)
		}
	}
	for _, a := range actions {
		// No session: to the login page.
		r := e.do(e.client(), http.MethodPost, a.path, a.form)
		wantStatus(t, "no session "+a.path, r, http.StatusSeeOther)
		if loc := r.header.Get("Location"); loc != "/ui/login" {
			t.Errorf("no session %s: Location %q", a.path, loc)
		}
		// An expired or forged session: the same.
		r = e.do(e.client(), http.MethodPost, a.path, a.form, "Cookie", web.SessionCookie+"=v1.9999999999.AAAA")
		wantStatus(t, "forged session "+a.path, r, http.StatusSeeOther)
		// Signed in, but the form comes from another site.
		c := e.session()
		for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Site", "same-site"}, {"Origin", "https://evil.example"}} {
			r := e.do(c, http.MethodPost, a.path, a.form, h...)
			wantStatus(t, a.path+" "+strings.Join(h, ": "), r, http.StatusForbidden)
			wantText(t, a.path, r, "another web site")
		}
		// GET is not an action.
		if r := e.get(c, a.path); r.status != http.StatusMethodNotAllowed && r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d", a.path, r.status)
		}
		unchanged(a.path)
	}
	// A same-origin form from the browser is accepted.
	r := e.do(e.session(), http.MethodPost, actions[0].path, url.Values{"assignee": {"Ann"}}, "Sec-Fetch-Site", "same-origin", "Origin", e.srv.URL)
	wantStatus(t, "same origin", r, http.StatusSeeOther)

	// The store fails: 500 with the request id, the ids in the log.
	f := newEnv(t, nil)
	c := f.session()
	den = strconv.FormatInt(f.fx.denialID, 10)
	seq = strconv.Itoa(unmatchedSeq(t, f.fx))
	if err := f.fx.store.Close(); err != nil {
		t.Fatal(err)
	}
	for i, a := range []struct {
		path string
		form url.Values
	}{
		{"/ui/denials/" + den + "/assign", url.Values{"assignee": {"Ann"}}},
		{"/ui/denials/" + den + "/resolve", url.Values{"resolution": {"appealed"}, "note": {"Ref 8812"}}},
		{"/ui/remittances/" + strconv.FormatInt(f.fx.remID, 10) + "/claims/" + seq + "/match", url.Values{"claim_id": {f.fx.waiting.ID}}},
	} {
		id := "req-action-" + strconv.Itoa(i)
		r := f.do(c, http.MethodPost, a.path, a.form, "X-Request-Id", id)
		wantStatus(t, "store down "+a.path, r, http.StatusInternalServerError)
		wantText(t, "store down "+a.path, r, id, "Something went wrong")
	}
	logs := f.logs.String()
	wantText(t, "failure log", response{body: logs}, `"denial_id":`+den, `"remittance_id":`+strconv.FormatInt(f.fx.remID, 10))
	if strings.Contains(logs, "Ref 8812") || strings.Contains(logs, "Ann") {
		t.Errorf("the failure log holds typed text:\n%s", logs)
	}
	wantNoPHI(t, "failure log", logs)
}

// TestLargeRemittancePages: a remittance of more claim payments than a page lists every
// unmatched payment first, then the matched ones a page at a time, with links between pages.
func TestLargeRemittancePages(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	ctx := context.Background()
	const n = 250
	unmatched := map[int]bool{7: true, 180: true}
	f, _, err := fx.store.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: "SIMPAYER", Name: "big.835",
		Kind: gateway.Kind835, Bytes: []byte("ISA*big~")})
	if err != nil {
		t.Fatal(err)
	}
	rem, err := fx.store.CreateRemittance(ctx, gateway.Remittance{FileID: f.ID, PayerID: "SIMPAYER", TraceNumber: "TRN-BIG",
		Amount: n * 100, ClaimCount: n, MatchedCount: n - len(unmatched), UnmatchedCount: len(unmatched), Balanced: true})
	if err != nil {
		t.Fatal(err)
	}
	cps := make([]gateway.ClaimPayment, n)
	for i := range cps {
		seq := i + 1
		cps[i] = gateway.ClaimPayment{Seq: seq, PatientControlNumber: fmt.Sprintf("PCN-BIG-%03d", seq), StatusCode: "1",
			Charge: 150, Paid: 100, PayerClaimNumber: fmt.Sprintf("PAYER-BIG-%03d", seq)}
		if !unmatched[seq] {
			cps[i].ClaimID, cps[i].SubmitterID, cps[i].MatchedBy = fx.paid.ID, fx.paid.SubmitterID, gateway.MatchPCN
		}
	}
	if err := fx.store.AddClaimPayments(ctx, rem.ID, cps); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, fx)
	c := e.session()
	path := "/ui/remittances/" + strconv.FormatInt(rem.ID, 10)

	first := e.get(c, path)
	wantStatus(t, "first page", first, http.StatusOK)
	if got := strings.Count(first.body, `<article class="payment`); got != 100+len(unmatched)-1 {
		t.Errorf("first page shows %d claim payments, want the 2 unmatched and the 99 matched of 1 to 100", got)
	}
	for _, want := range []string{"Unmatched claim payments", "PAYER-BIG-007", "PAYER-BIG-180", "Claim payments 1 to 100 of 250",
		"PAYER-BIG-100", `href="` + path + `?from=101"`} {
		if !strings.Contains(first.body, want) {
			t.Errorf("first page lacks %q", want)
		}
	}
	if strings.Contains(first.body, "PAYER-BIG-101") || strings.Contains(first.body, `id="prev"`) {
		t.Error("the first page shows the second page's payments or a link back")
	}
	last := e.get(c, path+"?from=201")
	wantStatus(t, "last page", last, http.StatusOK)
	for _, want := range []string{"Claim payments 201 to 250 of 250", "PAYER-BIG-250", "PAYER-BIG-007", `href="` + path + `?from=101"`} {
		if !strings.Contains(last.body, want) {
			t.Errorf("last page lacks %q", want)
		}
	}
	if strings.Contains(last.body, `id="next"`) {
		t.Error("the last page links to a next page")
	}
	for _, bad := range []string{"0", "-3", "x"} {
		wantStatus(t, "from="+bad, e.get(c, path+"?from="+bad), http.StatusBadRequest)
	}
}

// TestDenialHistoryOnClaimPage: the claim page lists the work on each denial, with who did it.
func TestDenialHistoryOnClaimPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := e.session()
	den := strconv.FormatInt(e.fx.denialID, 10)
	wantStatus(t, "assign", e.do(c, http.MethodPost, "/ui/denials/"+den+"/assign", url.Values{"assignee": {"Ann"}}), http.StatusSeeOther)
	wantStatus(t, "resolve", e.do(c, http.MethodPost, "/ui/denials/"+den+"/resolve", url.Values{"resolution": {"appealed"},
		"note": {"sent the appeal"}}), http.StatusSeeOther)
	page := e.get(c, "/ui/claims/"+e.fx.denied.ID)
	wantStatus(t, "claim page", page, http.StatusOK)
	for _, want := range []string{`id="history-` + den + `"`, "assigned to Ann by operator", "resolved as appealed by operator"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the claim page lacks %q", want)
		}
	}
	if strings.Contains(page.body, "sent the appeal") {
		t.Error("the claim page shows the free-text note (it may hold patient details)")
	}
}

// TestRetryDelivery: the overview's failed webhook deliveries can be sent again.
func TestRetryDelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	failed, err := e.fx.store.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{State: gateway.WebhookFailed, Limit: 10})
	if err != nil || len(failed.Deliveries) != 1 {
		t.Fatalf("the fixture's failed deliveries: %+v, %v", failed.Deliveries, err)
	}
	id := failed.Deliveries[0].ID
	path := "/ui/webhooks/deliveries/" + id + "/retry"
	wantStatus(t, "no session", e.do(e.client(), http.MethodPost, path, url.Values{}), http.StatusSeeOther)
	c := e.session()
	if page := e.get(c, "/ui/"); !strings.Contains(page.body, `id="retry-`+id+`"`) {
		t.Fatal("the overview has no Send again button for the failed delivery")
	}
	r := e.do(c, http.MethodPost, path, url.Values{})
	wantStatus(t, "retry", r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, "/ui/?") || !strings.Contains(loc, "done=retried") {
		t.Fatalf("Location %q", loc)
	}
	page := e.get(c, loc)
	wantText(t, "after the retry", page, "Webhook delivery "+id+" is back in the outbox")
	if strings.Contains(page.body, `id="retry-`+id+`"`) {
		t.Error("the retried delivery is still listed as failed")
	}
	if d, err := e.fx.store.GetWebhookDelivery(ctx, id, 0); err != nil || d.State != gateway.WebhookPending || d.Attempts != 0 {
		t.Fatalf("after the retry: %+v, %v", d, err)
	}
	wantStatus(t, "again", e.do(c, http.MethodPost, path, url.Values{}), http.StatusConflict)
	wantStatus(t, "unknown", e.do(c, http.MethodPost, "/ui/webhooks/deliveries/whd_nope/retry", url.Values{}), http.StatusNotFound)
	wantStatus(t, "not an id", e.do(c, http.MethodPost, "/ui/webhooks/deliveries/x%3Cb%3E/retry", url.Values{}), http.StatusNotFound)
	if page := e.get(c, "/ui/?done=retried&delivery=%3Cb%3E"); strings.Contains(page.body, "back in the outbox") {
		t.Error("a confirmation for a bad delivery id")
	}
}
