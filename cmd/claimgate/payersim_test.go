package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/payers"
	"github.com/claimgate/claimgate/payers/sim"
)

func TestPayerSimUsage(t *testing.T) {
	t.Chdir(t.TempDir())
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"help", []string{"payer-sim", "--help"}, exitOK, "Usage: claimgate payer-sim --dir DIR", ""},
		{"listed", []string{"help"}, exitOK, "payer-sim", ""},
		{"no dir", []string{"payer-sim"}, exitUsage, "", "--dir is required"},
		{"bad listen", []string{"payer-sim", "--dir", "d", "--listen", "2222"}, exitUsage, "", `--listen: "2222" must be host:port`},
		{"negative delay", []string{"payer-sim", "--dir", "d", "--delay-835", "-1s"}, exitUsage, "", "delays must not be negative"},
		{"argument", []string{"payer-sim", "--dir", "d", "now"}, exitUsage, "", `unexpected argument "now"`},
		{"missing password file", []string{"payer-sim", "--dir", "d", "--password-file", "nope"}, exitFailure, "", "--password-file"},
		{"bad scenario", []string{"payer-sim", "--dir", "d", "--listen", "127.0.0.1:0", "--scenarios", "nope.yaml"}, exitFailure, "", "scenario"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, context.Background(), nil, tt.args...)
			if res.code != tt.wantCode || !strings.Contains(res.stdout, tt.wantStdout) || !strings.Contains(res.stderr, tt.wantStderr) {
				t.Errorf("code %d, stdout %q, stderr %q; want %d, %q, %q", res.code, res.stdout, res.stderr, tt.wantCode, tt.wantStdout, tt.wantStderr)
			}
		})
	}
}

// TestPayerSimRuns starts `claimgate payer-sim` in-process with no credentials (so it makes a
// client key), reaches it with the payers transport using the printed known_hosts file and the
// generated key, uploads a golden 837 and gets its 999; then stops it like SIGINT does.
func TestPayerSimRuns(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: mapGetenv(nil)}
	done := make(chan int, 1)
	go func() {
		done <- runEnv(ctx, e, []string{"payer-sim", "--listen", "127.0.0.1:0", "--dir", dir, "--poll", "20ms"})
	}()
	addrRE := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
	var addr string
	deadline := time.Now().Add(10 * time.Second)
	for addr == "" || !strings.Contains(stdout.String(), "scenario: built-in") {
		select {
		case code := <-done:
			t.Fatalf("payer-sim exited with %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("payer-sim did not start: stdout %q stderr %q", stdout.String(), stderr.String())
		}
		if m := addrRE.FindStringSubmatch(stdout.String()); m != nil {
			addr = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	out := stdout.String()
	for _, want := range []string{"host key fingerprint: SHA256:", "known_hosts line: [127.0.0.1]:", "user: claimgate (private key "} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	cfg := payers.SFTP{Addr: addr, User: "claimgate", KeyFile: filepath.Join(dir, payerSimClientKey), KnownHosts: filepath.Join(dir, "known_hosts"), Timeout: 5 * time.Second}
	client, err := payers.Dial(ctx, cfg, payers.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "golden", "prof_one_line.837"))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Upload(ctx, "/"+sim.InboundDir, "prof_one_line.837", data); err != nil {
		t.Fatal(err)
	}
	var ack []byte
	for ack == nil {
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatal("no 999 in /outbound")
		}
		files, err := client.List(ctx, "/"+sim.OutboundDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasPrefix(f.Name, "999_") {
				if ack, err = client.Download(ctx, "/"+sim.OutboundDir, f.Name); err != nil {
					t.Fatal(err)
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	f, err := x999.Read(bytes.NewReader(ack))
	if err != nil || len(f.Acks) != 1 || f.Acks[0].Status != "A" {
		t.Errorf("999: %+v, %v", f, err)
	}
	client.Close()
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit code %d: %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("payer-sim did not stop")
	}
	if strings.Contains(stderr.String(), "Ruiz") || strings.Contains(stderr.String(), "XYZ123456789") {
		t.Error("the simulator's log holds patient data")
	}
}
