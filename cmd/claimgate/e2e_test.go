package main

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles this command into a temporary directory, as `make build` does.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "claimgate")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin,
		"-ldflags", "-X main.version=v0.0.0-e2e -X main.commit=e2e1234", ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cleanEnviron is the test's environment without CLAIMGATE_* settings, plus vars.
func cleanEnviron(vars map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CLAIMGATE_") {
			out = append(out, kv)
		}
	}
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

func TestBinaryServeAndSIGINT(t *testing.T) {
	bin := buildBinary(t)

	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "claimgate v0.0.0-e2e\ncommit e2e1234\ngo") {
		t.Errorf("version: %q %v", out, err)
	}

	vars := sqliteVars(t)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = cleanEnviron(vars)
	cmd.Dir = t.TempDir()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	var (
		mu    sync.Mutex
		lines []string
	)
	addrCh := make(chan string, 1)
	scanDone := make(chan struct{})
	go func() {
		defer close(scanDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
			if a := listenAddrFrom(sc.Text()); a != "" {
				addrCh <- a
			}
		}
	}()
	go func() {
		<-scanDone // read all output before Wait closes the pipe
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	logs := func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(lines, "\n")
	}

	var addr string
	select {
	case addr = <-addrCh:
	case err := <-exited:
		t.Fatalf("serve exited before listening: %v\n%s", err, logs())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not listen within 60s:\n%s", logs())
	}

	// Wait for readiness the way an orchestrator does.
	client := &http.Client{Timeout: 2 * time.Second}
	ready := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ready = true
				break
			}
		}
	}
	if !ready {
		t.Fatalf("/readyz never answered 200:\n%s", logs())
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("exit code %d after SIGINT:\n%s", ee.ExitCode(), logs())
		} else if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not exit within 20s of SIGINT:\n%s", logs())
	}
	all := logs()
	if !strings.Contains(all, `"msg":"stopped"`) {
		t.Errorf("no clean stop in the logs:\n%s", all)
	}
	if strings.Contains(all, "goroutine ") || strings.Contains(all, "panic") {
		t.Errorf("stack trace in the output:\n%s", all)
	}
}
