package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/api"
)

func TestRequireLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080": true, "127.0.0.2:0": true, "[::1]:2222": true, "localhost:8080": true,
		"0.0.0.0:8080": false, "[::]:8080": false, "10.1.2.3:2222": false, "example.org:22": false, "nowhere": false,
	} {
		if err := requireLoopback(addr); (err == nil) != ok {
			t.Errorf("requireLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

// The demo submitter: made once with its token saved (0600); the saved token reused while it
// authenticates; a new submitter ("demo-2") when "demo" exists but its token is lost or revoked.
func TestEnsureDemoSubmitter(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	target := databaseTarget{driver: "sqlite", path: filepath.Join(dir, "claimgate.db")}
	store, err := openStore(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := migrateStore(ctx, store, target); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "var", demoTokenFile)

	token, name, created, err := ensureDemoSubmitter(ctx, store, tokenFile)
	if err != nil || name != "demo" || !created || !strings.HasPrefix(token, gateway.TokenPrefix) {
		t.Fatalf("first: %q %q %v %v", token, name, created, err)
	}
	if st, err := os.Stat(tokenFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st, err)
	}
	if s, err := store.SubmitterByTokenHash(ctx, gateway.HashToken(token)); err != nil || s.Name != "demo" {
		t.Fatalf("the saved token does not authenticate: %v", err)
	}

	again, name, created, err := ensureDemoSubmitter(ctx, store, tokenFile)
	if err != nil || again != token || name != "demo" || created {
		t.Fatalf("second: %q %q %v %v", again, name, created, err)
	}

	// The token file lost: "demo" is taken, so the demo client becomes demo-2.
	if err := os.Remove(tokenFile); err != nil {
		t.Fatal(err)
	}
	lost, name, created, err := ensureDemoSubmitter(ctx, store, tokenFile)
	if err != nil || lost == token || name != "demo-2" || !created {
		t.Fatalf("after losing the token: %q %v %v", name, created, err)
	}

	// Revoked: a new one again.
	if err := store.RevokeSubmitter(ctx, "demo-2"); err != nil {
		t.Fatal(err)
	}
	_, name, created, err = ensureDemoSubmitter(ctx, store, tokenFile)
	if err != nil || name != "demo-3" || !created {
		t.Fatalf("after revocation: %q %v %v", name, created, err)
	}
	saved, _ := os.ReadFile(tokenFile)
	if s, err := store.SubmitterByTokenHash(ctx, gateway.HashToken(strings.TrimSpace(string(saved)))); err != nil || s.Name != "demo-3" {
		t.Fatalf("the saved token is not demo-3's: %v", err)
	}
}

// The demo's operator token (the dashboard's sign-in when CLAIMGATE_OPERATOR_TOKEN_FILE is not
// set): made once (0600), reused, refused when the file holds a token too short to be one.
func TestEnsureDemoOperatorToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "var", demoOperatorFile)
	token, created, err := ensureDemoOperatorToken(path)
	if err != nil || !created || len(token) < api.MinOperatorTokenLen {
		t.Fatalf("first: %d chars, created %v, %v", len(token), created, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", st, err)
	}
	if hash, err := api.LoadOperatorToken(path); err != nil || hash != gateway.HashToken(token) {
		t.Fatalf("LoadOperatorToken of the demo file: %q %v", hash, err)
	}
	again, created, err := ensureDemoOperatorToken(path)
	if err != nil || created || again != token {
		t.Fatalf("second: created %v, same %v, %v", created, again == token, err)
	}
	if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ensureDemoOperatorToken(path); err == nil {
		t.Fatal("a short token was accepted")
	}
}
