package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

func TestMigrate(t *testing.T) {
	vars := sqliteVars(t)
	target := strings.TrimPrefix(vars["CLAIMGATE_DATABASE_URL"], "sqlite:")

	r := runCLI(t, context.Background(), vars, "migrate", "--check")
	if r.code != exitFailure || !strings.Contains(r.stdout, "schema version 0, this binary's latest ") {
		t.Errorf("check before migrating: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, context.Background(), vars, "migrate")
	if r.code != exitOK || !regexp.MustCompile(`^sqlite:.*: migrated from schema version 0 to [1-9][0-9]*\n$`).MatchString(r.stdout) {
		t.Fatalf("first migrate: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, context.Background(), vars, "migrate")
	if r.code != exitOK || !strings.HasSuffix(r.stdout, ", up to date\n") {
		t.Errorf("second migrate: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, context.Background(), vars, "migrate", "--check")
	if r.code != exitOK || !strings.Contains(r.stdout, "integrity: no problems found") {
		t.Errorf("check after migrating: exit %d stdout %q", r.code, r.stdout)
	}
	// An orphan row (written behind the store's back, foreign keys off) fails the check.
	db, err := sql.Open("sqlite", target)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO claim_events (claim_id, seq, at, from_status, to_status) VALUES ('NOSUCHCLAIM', 1, '2026-11-22T00:00:00Z', '', 'queued')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r = runCLI(t, context.Background(), vars, "migrate", "--check")
	if r.code != exitFailure || !strings.Contains(r.stdout, "integrity: 1 claim events of no claim") {
		t.Errorf("check with an orphan event: exit %d stdout %q", r.code, r.stdout)
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("database file: %v", err)
	}
}

func TestSubmittersNeedMigratedSchema(t *testing.T) {
	vars := sqliteVars(t)
	r := runCLI(t, context.Background(), vars, "submitters", "list")
	if r.code != exitFailure || !strings.Contains(r.stderr, "run `claimgate migrate` first") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestSubmittersSQLite(t *testing.T) {
	vars := sqliteVars(t)
	if r := runCLI(t, context.Background(), vars, "migrate"); r.code != exitOK {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	testSubmitterCommands(t, vars)

	// Only the token's hash is kept: the token itself is nowhere in the database files.
	dbPath := strings.TrimPrefix(vars["CLAIMGATE_DATABASE_URL"], "sqlite:")
	r := runCLI(t, context.Background(), vars, "submitters", "add", "tokencheck")
	token := strings.TrimSpace(r.stdout)
	if r.code != exitOK || token == "" {
		t.Fatalf("add: %d %q", r.code, r.stderr)
	}
	files, _ := filepath.Glob(dbPath + "*")
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the plain token", f)
		}
	}
}

// testSubmitterCommands runs add, list and revoke against the migrated store of vars.
func testSubmitterCommands(t *testing.T, vars map[string]string) {
	t.Helper()
	ctx := context.Background()
	before := time.Now().UTC().Add(-time.Second)

	r := runCLI(t, ctx, vars, "submitters", "add", "lakeside-ehr")
	if r.code != exitOK {
		t.Fatalf("add: exit %d stderr %q", r.code, r.stderr)
	}
	token := strings.TrimSuffix(r.stdout, "\n")
	if !regexp.MustCompile(`^cg_[A-Za-z0-9_-]{43}$`).MatchString(token) {
		t.Fatalf("stdout %q: want the token alone on one line", r.stdout)
	}
	if !strings.Contains(r.stderr, `Created submitter "lakeside-ehr"`) || !strings.Contains(r.stderr, "shown only this once") {
		t.Errorf("stderr %q", r.stderr)
	}

	// The stored hash authenticates the printed token.
	cfg, err := loadConfig(&globalFlags{}, mapGetenv(vars))
	if err != nil {
		t.Fatal(err)
	}
	target, _ := parseDatabaseURL(cfg.Database.URL)
	store, err := openStore(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.SubmitterByTokenHash(ctx, gateway.HashToken(token))
	store.Close()
	if err != nil || s.Name != "lakeside-ehr" {
		t.Fatalf("token does not authenticate: %+v %v", s, err)
	}

	r = runCLI(t, ctx, vars, "submitters", "add", "lakeside-ehr")
	if r.code != exitFailure || r.stderr != "claimgate: a submitter named \"lakeside-ehr\" already exists\n" || r.stdout != "" {
		t.Errorf("duplicate add: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, ctx, vars, "submitters", "add", "acme-billing"); r.code != exitOK {
		t.Fatalf("second add: %d %s", r.code, r.stderr)
	}

	r = runCLI(t, ctx, vars, "submitters", "list")
	if r.code != exitOK {
		t.Fatalf("list: %d %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "NAME CREATED REVOKED" {
		t.Fatalf("list output:\n%s", r.stdout)
	}
	rows := map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 3 {
			t.Fatalf("list row %q", l)
		}
		rows[f[0]] = f
		created, err := time.Parse(time.RFC3339, f[1])
		if err != nil || created.Before(before) || created.After(time.Now().Add(time.Minute)) {
			t.Errorf("row %q: created %v %v", l, created, err)
		}
		if f[2] != "-" {
			t.Errorf("row %q: not revoked yet", l)
		}
	}
	if rows["acme-billing"] == nil || rows["lakeside-ehr"] == nil {
		t.Fatalf("list rows %v", rows)
	}
	if strings.Contains(r.stdout, "cg_") {
		t.Error("list shows a token")
	}

	r = runCLI(t, ctx, vars, "submitters", "revoke", "lakeside-ehr")
	if r.code != exitOK || r.stdout != "Revoked submitter \"lakeside-ehr\".\n" {
		t.Errorf("revoke: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, ctx, vars, "submitters", "revoke", "nobody")
	if r.code != exitFailure || r.stderr != "claimgate: no submitter named \"nobody\"\n" {
		t.Errorf("revoke unknown: exit %d stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, ctx, vars, "submitters", "list")
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n")[1:] {
		f := strings.Fields(l)
		revoked := f[2] != "-"
		if revoked != (f[0] == "lakeside-ehr") {
			t.Errorf("after revoke, row %q", l)
		}
		if revoked {
			if _, err := time.Parse(time.RFC3339, f[2]); err != nil {
				t.Errorf("revoked time %q: %v", f[2], err)
			}
		}
	}
}
