package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkEncounterToPayerFile measures, on the demo wiring (SQLite, the payer simulator over
// SFTP on loopback), the time from POST /v1/encounters through POST
// /v1/payers/SIMPAYER/submit-now until the claim is submitted: its 837 is on the payer's SFTP
// server. The schedules are an hour apart so only submit-now sends. CLAIMGATE_BENCH_JOBS_POLL
// sets jobs.poll_interval (default: the configuration's default, 1s).
func BenchmarkEncounterToPayerFile(b *testing.B) {
	dir := b.TempDir()
	opFile := filepath.Join(dir, "operator.token")
	const opToken = "bench-operator-token-0123456789abcdef0123456789"
	if err := os.WriteFile(opFile, []byte(opToken+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Setenv("CLAIMGATE_OPERATOR_TOKEN_FILE", opFile) // serve reads it from the process environment
	cfg := "# defaults\n"
	if v := os.Getenv("CLAIMGATE_BENCH_JOBS_POLL"); v != "" {
		cfg = "jobs: {poll_interval: " + v + "}\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "claimgate.yaml"), []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	vars := map[string]string{
		"CLAIMGATE_CONFIG":       filepath.Join(dir, "claimgate.yaml"),
		"CLAIMGATE_DATABASE_URL": "sqlite:" + filepath.Join(dir, "claimgate.db"),
	}
	d := startDemoServe(b, vars, filepath.Join(dir, "demo"), "--demo-submit", "@every 1h", "--demo-poll", "@every 1h")
	token := d.token(b)
	base := "http://" + d.addr

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var created claimJSON
		if code, raw := apiCall(b, http.MethodPost, base+"/v1/encounters", token,
			demoEncounter(b, fmt.Sprintf("BENCH-%d-%d", b.N, i), "", ""), &created); code != http.StatusCreated {
			b.Fatalf("POST encounter: %d %s", code, raw)
		}
		if code, raw := apiCall(b, http.MethodPost, base+"/v1/payers/SIMPAYER/submit-now", opToken, nil, nil); code != http.StatusAccepted {
			b.Fatalf("submit-now: %d %s", code, raw)
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(2 * time.Millisecond) {
			var cl claimJSON
			apiCall(b, http.MethodGet, base+"/v1/claims/"+created.ID, token, nil, &cl)
			if cl.Status == "submitted" || len(cl.Events) > 3 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("claim %s not submitted within 30s: %s", created.ID, cl.history())
			}
		}
	}
	b.StopTimer()
	d.shutdown(b)
}
