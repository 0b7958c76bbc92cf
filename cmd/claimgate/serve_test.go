package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// sqliteVars is an environment for a fresh embedded database in a temporary directory, with an
// empty configuration file so that no ./claimgate.yaml is read.
func sqliteVars(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	return map[string]string{
		"CLAIMGATE_CONFIG":       writeFile(t, dir, "claimgate.yaml", "# defaults\n"),
		"CLAIMGATE_DATABASE_URL": "sqlite:" + filepath.Join(dir, "db", "claimgate.db"),
	}
}

// listenAddrFrom returns the address of the "listening" record in JSON logs, or "".
func listenAddrFrom(logs string) string {
	for _, line := range strings.Split(logs, "\n") {
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
			return rec.Addr
		}
	}
	return ""
}

// servingProcess is serve running in-process.
type servingProcess struct {
	addr   string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan struct{} // closed when serve returned
	code   int           // serve's exit code, once done is closed
}

func startServe(t *testing.T, vars map[string]string) *servingProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &servingProcess{logs: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: p.logs, getenv: mapGetenv(vars)}
	go func() {
		defer close(p.done)
		p.code = runEnv(ctx, e, []string{"serve", "--addr", "127.0.0.1:0", "--log-level", "debug"})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if p.addr = listenAddrFrom(p.logs.String()); p.addr != "" {
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("serve exited with %d before listening:\n%s", p.code, p.logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not log its address within 30s:\n%s", p.logs.String())
	return nil
}

// stop cancels serve (as SIGINT does) and returns its exit code.
func (p *servingProcess) stop(t *testing.T) int {
	t.Helper()
	p.cancel()
	select {
	case <-p.done:
		return p.code
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop within 30s of cancellation:\n%s", p.logs.String())
		return -1
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// checkServing hits the operational endpoints of a running serve.
func checkServing(t *testing.T, p *servingProcess) {
	t.Helper()
	base := "http://" + p.addr
	if code, body := httpGet(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := httpGet(t, base+"/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	code, body := httpGet(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		"claimgate_build_info{",
		`claimgate_http_requests_total{code="200",route="GET /healthz"} 1`,
		`claimgate_http_requests_total{code="200",route="GET /readyz"} 1`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// checkDashboardMounted checks that GET / leads to the dashboard and that the dashboard is
// served (without an operator token it says it needs one).
func checkDashboardMounted(t *testing.T, p *servingProcess) {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get("http://" + p.addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" {
		t.Errorf("GET /: %d Location %q, want 303 /ui/", resp.StatusCode, resp.Header.Get("Location"))
	}
	if os.Getenv("CLAIMGATE_OPERATOR_TOKEN_FILE") != "" {
		return // the dashboard is configured in this environment
	}
	code, body := httpGet(t, "http://"+p.addr+"/ui/")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "CLAIMGATE_OPERATOR_TOKEN_FILE") {
		t.Errorf("GET /ui/ without an operator token: %d %s", code, body)
	}
}

func TestServeInProcessSQLite(t *testing.T) {
	vars := sqliteVars(t)
	p := startServe(t, vars)
	checkServing(t, p)
	checkDashboardMounted(t, p)
	if code := p.stop(t); code != exitOK {
		t.Fatalf("exit %d after cancellation:\n%s", code, p.logs.String())
	}
	logs := p.logs.String()
	var msgs []string
	for _, r := range logRecords(t, logs) {
		msgs = append(msgs, fmt.Sprint(r["msg"]))
	}
	joined := strings.Join(msgs, ",")
	for _, want := range []string{"starting", "database ready", "listening", "shutting down", "stopped"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %q log record; records: %s", want, joined)
		}
	}
	dbPath := strings.TrimPrefix(vars["CLAIMGATE_DATABASE_URL"], "sqlite:")
	if _, err := os.Stat(dbPath); err != nil {
		t.Errorf("the embedded database was not created: %v", err)
	}
	// Started again on the same database: the migrations are already applied.
	p = startServe(t, vars)
	if code, _ := httpGet(t, "http://"+p.addr+"/readyz"); code != 200 {
		t.Errorf("/readyz on the second start: %d", code)
	}
	if code := p.stop(t); code != exitOK {
		t.Fatalf("second run: exit %d:\n%s", code, p.logs.String())
	}
}

func TestServeStartupFailures(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyAddr := busy.Addr().String()

	tests := []struct {
		name string
		vars map[string]string
		args []string
		want string // the last stderr line
	}{
		{
			name: "unreachable postgres",
			vars: map[string]string{"CLAIMGATE_DATABASE_URL": "postgres://postgres:hunter2@127.0.0.1:1/test?sslmode=disable"},
			want: "claimgate: database postgres://postgres:xxxxx@127.0.0.1:1/test?sslmode=disable: postgres: cannot reach 127.0.0.1:1: connection refused",
		},
		{
			name: "bad database url",
			vars: map[string]string{"CLAIMGATE_DATABASE_URL": "postgres//nowhere"},
			want: "claimgate: database.url: not a database URL: want postgres://user@host:5432/db, postgresql://... or sqlite:PATH",
		},
		{
			name: "address in use",
			args: []string{"--addr", busyAddr},
			want: "claimgate: http.addr " + busyAddr + ": cannot listen: listen tcp " + busyAddr + ": bind: address already in use",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vars := sqliteVars(t)
			for k, v := range tc.vars {
				vars[k] = v
			}
			r := runCLI(t, context.Background(), vars, append([]string{"serve"}, tc.args...)...)
			if r.code != exitFailure {
				t.Fatalf("exit %d, want %d\n%s", r.code, exitFailure, r.stderr)
			}
			var plain []string
			for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
				if !strings.HasPrefix(line, "{") { // JSON log records are not the error report
					plain = append(plain, line)
				}
			}
			if len(plain) != 1 || plain[0] != tc.want {
				t.Errorf("stderr error lines %q, want exactly %q\nfull stderr:\n%s", plain, tc.want, r.stderr)
			}
			if strings.Contains(r.stderr, "hunter2") {
				t.Error("the database password was printed")
			}
		})
	}
}

// postgresVars creates a database of its own on the test server (dropped at cleanup) so that
// the daemon's migrations do not meet other tests' tables. It skips when Postgres is not
// reachable, unless CLAIMGATE_REQUIRE_POSTGRES=1.
func postgresVars(t *testing.T) map[string]string {
	t.Helper()
	admin := os.Getenv("CLAIMGATE_TEST_DATABASE_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if os.Getenv("CLAIMGATE_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("Postgres required (CLAIMGATE_REQUIRE_POSTGRES=1) but unreachable: %v", err)
		}
		t.Skipf("SKIPPING: Postgres unreachable at CLAIMGATE_TEST_DATABASE_URL (%v); set CLAIMGATE_REQUIRE_POSTGRES=1 to make this a failure", err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "claimgate_cmd_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := neturl.Parse(admin)
	if err != nil {
		t.Fatalf("CLAIMGATE_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	url := u.String()
	vars := sqliteVars(t)
	vars["CLAIMGATE_DATABASE_URL"] = url
	return vars
}

func TestServeInProcessPostgres(t *testing.T) {
	vars := postgresVars(t)
	p := startServe(t, vars)
	checkServing(t, p)
	if code := p.stop(t); code != exitOK {
		t.Fatalf("exit %d after cancellation:\n%s", code, p.logs.String())
	}
	// The store was left migrated: migrate has nothing to do, and submitters work.
	r := runCLI(t, context.Background(), vars, "migrate", "--check")
	if r.code != exitOK {
		t.Errorf("migrate --check after serve: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	testSubmitterCommands(t, vars)
}
