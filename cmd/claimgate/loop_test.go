package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The whole loop on one machine, as `make run` runs it: serve --demo with the payer simulator
// in-process over real SFTP on loopback, real HTTP, fast schedules and no simulator delays.
// Three encounters: one the simulator pays, one it denies (procedure 97530: CO-197) and one it
// rejects in its 277CA (member id BAD...: A7:33:IL). Each must reach its final status within 60s.

// loopTimeout bounds the time from posting to every claim's final status.
const loopTimeout = 60 * time.Second

// demoServe is serve --demo running in-process.
type demoServe struct {
	*servingProcess
	stdout *syncBuffer
	dir    string // --demo-dir
}

// startDemoServe runs `serve --demo` in-process with its demo folder in dir, on free ports.
func startDemoServe(t testing.TB, vars map[string]string, dir string, extra ...string) *demoServe {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &servingProcess{logs: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	d := &demoServe{servingProcess: p, stdout: &syncBuffer{}, dir: dir}
	e := &env{stdin: strings.NewReader(""), stdout: d.stdout, stderr: p.logs, getenv: mapGetenv(vars)}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--demo", "--demo-dir", dir, "--demo-sim-addr", "127.0.0.1:0"}, extra...)
	go func() {
		defer close(p.done)
		p.code = runEnv(ctx, e, args)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if p.addr = listenAddrFrom(p.logs.String()); p.addr != "" {
			return d
		}
		select {
		case <-p.done:
			t.Fatalf("serve --demo exited with %d before listening:\n%s\n%s", p.code, d.stdout.String(), p.logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve --demo did not listen within 30s:\n%s", p.logs.String())
	return nil
}

// shutdown cancels serve (as SIGINT does) and returns its exit code.
func (d *demoServe) shutdown(t testing.TB) int {
	t.Helper()
	d.cancel()
	select {
	case <-d.done:
		return d.code
	case <-time.After(30 * time.Second):
		t.Fatalf("serve --demo did not stop within 30s of cancellation:\n%s", d.logs.String())
		return -1
	}
}

// token reads the demo submitter's token from DIR/demo-token.
func (d *demoServe) token(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(d.dir, demoTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// apiCall sends one request with the bearer token and decodes a JSON answer into out (when not
// nil); it returns the status and the raw body.
func apiCall(t testing.TB, method, url, token string, body []byte, out any) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, raw)
		}
	}
	return resp.StatusCode, raw
}

// demoEncounter is testdata/encounters/prof_one_line.json with its external id and, when set,
// the member id or the procedure code replaced.
func demoEncounter(t testing.TB, externalID, memberID, procedure string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "encounters", "prof_one_line.json"))
	if err != nil {
		t.Fatal(err)
	}
	var enc map[string]any
	if err := json.Unmarshal(raw, &enc); err != nil {
		t.Fatal(err)
	}
	enc["external_id"] = externalID
	if memberID != "" {
		enc["subscriber"].(map[string]any)["member_id"] = memberID
	}
	if procedure != "" {
		enc["claim"].(map[string]any)["service_lines"].([]any)[0].(map[string]any)["procedure_code"] = procedure
	}
	out, err := json.Marshal(enc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// claimJSON is the part of GET /v1/claims/{id} the loop test reads.
type claimJSON struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	PayerClaimNumber string `json:"payer_claim_number"`
	Events           []struct {
		Seq    int             `json:"seq"`
		At     time.Time       `json:"at"`
		From   string          `json:"from"`
		To     string          `json:"to"`
		Source string          `json:"source"`
		Detail json.RawMessage `json:"detail"`
	} `json:"events"`
	Acknowledgments []struct {
		Kind  string   `json:"kind"`
		Codes []string `json:"codes"`
	} `json:"acknowledgments"`
}

func (c claimJSON) history() string {
	var b strings.Builder
	fmt.Fprintf(&b, "claim %s status %s:", c.ID, c.Status)
	for _, e := range c.Events {
		fmt.Fprintf(&b, "\n  %d %s %s -> %s (%s) %s", e.Seq, e.At.Format(time.RFC3339Nano), e.From, e.To, e.Source, e.Detail)
	}
	return b.String()
}

func TestDemoLoopSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole claim loop; skipped with -short")
	}
	runDemoLoop(t, sqliteVars(t))
}

func TestDemoLoopPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole claim loop; skipped with -short")
	}
	runDemoLoop(t, postgresVars(t))
}

func runDemoLoop(t *testing.T, vars map[string]string) {
	dir := t.TempDir()
	d := startDemoServe(t, vars, dir, "--demo-delay", "0", "--demo-submit", "@every 1s", "--demo-poll", "@every 1s")
	token := d.token(t)
	if !strings.Contains(d.stdout.String(), token) {
		t.Errorf("the token is not printed:\n%s", d.stdout.String())
	}
	base := "http://" + d.addr

	cases := []struct {
		name, member, procedure string
		final                   string
		path                    []string
		payerNumber             bool
	}{
		{"paid", "", "", "paid",
			[]string{"queued", "batched", "submitted", "accepted_999", "accepted_277", "paid"}, true},
		{"denied", "", "97530", "denied",
			[]string{"queued", "batched", "submitted", "accepted_999", "accepted_277", "denied"}, true},
		{"rejected", "BAD123456789", "", "rejected_277",
			[]string{"queued", "batched", "submitted", "accepted_999", "rejected_277"}, false},
	}
	ids := make([]string, len(cases))
	start := time.Now()
	for i, c := range cases {
		var created claimJSON
		code, raw := apiCall(t, http.MethodPost, base+"/v1/encounters", token, demoEncounter(t, "LOOP-"+c.name, c.member, c.procedure), &created)
		if code != http.StatusCreated || created.Status != "queued" {
			t.Fatalf("POST %s encounter: %d %s", c.name, code, raw)
		}
		ids[i] = created.ID
	}

	final := make([]claimJSON, len(cases))
	deadline := start.Add(loopTimeout)
	for i, c := range cases {
		for {
			var cl claimJSON
			if code, raw := apiCall(t, http.MethodGet, base+"/v1/claims/"+ids[i], token, nil, &cl); code != http.StatusOK {
				t.Fatalf("GET claim %s: %d %s", ids[i], code, raw)
			}
			if cl.Status == c.final {
				final[i] = cl
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s claim not %s within %s; %s\n-- serve logs --\n%s", c.name, c.final, loopTimeout, cl.history(), d.logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("3 claims from POST to final status in %s", time.Since(start).Round(time.Millisecond))

	for i, c := range cases {
		cl := final[i]
		var got []string
		for j, e := range cl.Events {
			got = append(got, e.To)
			if j > 0 && (e.From != cl.Events[j-1].To || e.At.Before(cl.Events[j-1].At) || e.Seq != cl.Events[j-1].Seq+1) {
				t.Errorf("%s: event %d does not follow event %d; %s", c.name, e.Seq, cl.Events[j-1].Seq, cl.history())
			}
		}
		if strings.Join(got, ",") != strings.Join(c.path, ",") {
			t.Errorf("%s: life cycle %v, want %v; %s", c.name, got, c.path, cl.history())
		}
		if (cl.PayerClaimNumber != "") != c.payerNumber {
			t.Errorf("%s: payer claim number %q", c.name, cl.PayerClaimNumber)
		}
		var kinds []string
		for _, a := range cl.Acknowledgments {
			kinds = append(kinds, a.Kind+":"+strings.Join(a.Codes, "/"))
		}
		wantAcks := "999:IK501:A,277CA:A2:20"
		if c.final == "rejected_277" {
			wantAcks = "999:IK501:A,277CA:A7:33:IL"
		}
		if strings.Join(kinds, ",") != wantAcks {
			t.Errorf("%s: acknowledgments %v, want %s", c.name, kinds, wantAcks)
		}
	}

	// The denial carries the payer's codes: CO-197 on the 97530 line of the 835.
	var paidDetail struct {
		RemittanceID int64 `json:"remittance_id"`
	}
	last := final[1].Events[len(final[1].Events)-1]
	if err := json.Unmarshal(last.Detail, &paidDetail); err != nil || paidDetail.RemittanceID == 0 {
		t.Fatalf("denied event detail %s: %v", last.Detail, err)
	}
	var rem struct {
		Claims []json.RawMessage `json:"claims"`
	}
	if code, raw := apiCall(t, http.MethodGet, fmt.Sprintf("%s/v1/remittances/%d", base, paidDetail.RemittanceID), token, nil, &rem); code != http.StatusOK {
		t.Fatalf("GET remittance: %d %s", code, raw)
	}
	var denied string
	for _, cp := range rem.Claims {
		if strings.Contains(string(cp), `"claim_id":"`+ids[1]+`"`) {
			denied = string(cp)
		}
	}
	if !strings.Contains(denied, `"group":"CO","reason":"197"`) {
		t.Errorf("denied claim payment lacks CO-197: %s", denied)
	}

	// The 837s are on the payer's side, processed by the simulator.
	processed, err := filepath.Glob(filepath.Join(dir, demoSimDir, "processed", "*.837"))
	if err != nil || len(processed) == 0 {
		t.Errorf("no 837 processed by the simulator: %v %v", processed, err)
	}
	if code := d.shutdown(t); code != exitOK {
		t.Errorf("exit %d after cancellation:\n%s", code, d.logs.String())
	}
}

// The demo token is created once, kept in DIR/demo-token (0600) and printed again at every
// start; a new database gets a new demo submitter.
func TestDemoTokenKeptAcrossRestarts(t *testing.T) {
	vars := sqliteVars(t)
	dir := t.TempDir()
	slow := []string{"--demo-submit", "@every 1h", "--demo-poll", "@every 1h"}

	first := startDemoServe(t, vars, dir, slow...)
	token := first.token(t)
	if !strings.Contains(first.stdout.String(), "created submitter \"demo\"") || !strings.Contains(first.stdout.String(), token) {
		t.Errorf("first start output:\n%s", first.stdout.String())
	}
	if st, err := os.Stat(filepath.Join(dir, demoTokenFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("token file: %v %v", st, err)
	}
	if os.Getenv("CLAIMGATE_OPERATOR_TOKEN_FILE") == "" {
		// The demo made the dashboard's operator token, printed it and signs in with it.
		checkDemoDashboard(t, first.addr, filepath.Join(dir, demoOperatorFile), first.stdout.String())
	}
	for _, f := range []string{"client_ed25519", "known_hosts", "ssh_host_ed25519_key"} {
		if _, err := os.Stat(filepath.Join(dir, demoSimDir, f)); err != nil {
			t.Errorf("demo file %s: %v", f, err)
		}
	}
	hostKey, _ := os.ReadFile(filepath.Join(dir, demoSimDir, "ssh_host_ed25519_key"))
	var payersOut struct {
		Payers []struct {
			ID        string `json:"id"`
			Schedules struct {
				Submit string `json:"submit"`
			} `json:"schedules"`
		} `json:"payers"`
	}
	if code, raw := apiCall(t, http.MethodGet, "http://"+first.addr+"/v1/payers", token, nil, &payersOut); code != http.StatusOK ||
		len(payersOut.Payers) != 1 || payersOut.Payers[0].ID != demoPayerID || payersOut.Payers[0].Schedules.Submit != "@every 1h" {
		t.Errorf("GET /v1/payers: %d %s", code, raw)
	}
	if code := first.shutdown(t); code != exitOK {
		t.Fatalf("exit %d", code)
	}

	second := startDemoServe(t, vars, dir, slow...)
	if got := second.token(t); got != token {
		t.Errorf("token changed across restarts")
	}
	if out := second.stdout.String(); strings.Contains(out, "created") || !strings.Contains(out, token) {
		t.Errorf("second start output:\n%s", out)
	}
	if code, _ := apiCall(t, http.MethodGet, "http://"+second.addr+"/v1/claims", token, nil, nil); code != http.StatusOK {
		t.Errorf("the kept token does not authenticate: %d", code)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, demoSimDir, "ssh_host_ed25519_key")); !bytes.Equal(again, hostKey) {
		t.Errorf("the simulator's host key changed across restarts")
	}
	second.shutdown(t)

	// A fresh database: the saved token no longer authenticates, so a new one is made.
	fresh := sqliteVars(t)
	third := startDemoServe(t, fresh, dir, slow...)
	if got := third.token(t); got == token || !strings.Contains(third.stdout.String(), got) {
		t.Errorf("a new database kept the old token")
	}
	third.shutdown(t)
}

func TestDemoFlags(t *testing.T) {
	vars := sqliteVars(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--demo", "--addr", "0.0.0.0:8080"}, "loopback only"},
		{[]string{"serve", "--demo", "--demo-sim-addr", "10.0.0.1:2222"}, "loopback only"},
		{[]string{"serve", "--demo", "--demo-submit", "every so often"}, "--demo-submit"},
		{[]string{"serve", "--demo", "--demo-delay", "-1s"}, "--demo-delay"},
	} {
		r := runCLI(t, context.Background(), vars, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
}

// The simulator's port taken: the demo falls back to a free port and says which.
func TestDemoSimPortTaken(t *testing.T) {
	held, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	d := startDemoServe(t, sqliteVars(t), t.TempDir(), "--demo-sim-addr", held.Addr().String(), "--demo-submit", "@every 1h", "--demo-poll", "@every 1h")
	out := d.stdout.String()
	if !strings.Contains(out, held.Addr().String()+" is taken") || !strings.Contains(out, "payer simulator on 127.0.0.1:") {
		t.Errorf("output:\n%s", out)
	}
	d.shutdown(t)
}

// checkDemoDashboard checks the demo's operator token file (0600, printed with the dashboard's
// address) and that it signs in to the dashboard.
func checkDemoDashboard(t *testing.T, addr, opFile, stdout string) {
	t.Helper()
	st, err := os.Stat(opFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("operator token file: %v %v", st, err)
	}
	b, err := os.ReadFile(opFile)
	if err != nil {
		t.Fatal(err)
	}
	opToken := strings.TrimSpace(string(b))
	if !strings.Contains(stdout, "/ui/") || !strings.Contains(stdout, opToken) || !strings.Contains(stdout, opFile) {
		t.Errorf("the demo output does not tell how to sign in to the dashboard:\n%s", stdout)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm("http://"+addr+"/ui/login", url.Values{"token": {opToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" || len(resp.Cookies()) != 1 {
		t.Errorf("signing in with the demo operator token: %d %q %v", resp.StatusCode, resp.Header.Get("Location"), resp.Cookies())
	}
}
