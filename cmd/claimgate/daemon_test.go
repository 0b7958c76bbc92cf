package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// daemonUnderTest runs runDaemon with handler on a fresh loopback listener.
type daemonUnderTest struct {
	addr   string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func startDaemon(t *testing.T, handler http.Handler, drain time.Duration, runJobs func(context.Context) error, jobsBound time.Duration) *daemonUnderTest {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemonUnderTest{addr: ln.Addr().String(), logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	logger := newLogger(d.logs, "json", "debug")
	go func() {
		d.done <- runDaemon(ctx, logger, &http.Server{Handler: handler}, ln, drain, runJobs, jobsBound)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-d.done:
		case <-time.After(10 * time.Second):
		}
	})
	return d
}

func (d *daemonUnderTest) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-d.done:
		d.done <- err // keep it for Cleanup
		return err
	case <-time.After(within):
		t.Fatalf("runDaemon did not return within %v:\n%s", within, d.logs.String())
		return nil
	}
}

func TestRunDaemonDrainsInFlightRequests(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		if err := r.Context().Err(); err != nil {
			http.Error(w, "request context cancelled during drain: "+err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "finished")
	})
	d := startDaemon(t, handler, 10*time.Second, nil, 0)

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + d.addr + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{body: string(b), err: err}
	}()
	<-entered
	d.cancel() // SIGINT

	// The listener closes at once: new connections are refused while the request drains.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", d.addr, 200*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-d.done:
		t.Fatalf("runDaemon returned (%v) before the in-flight request finished", err)
	default:
	}
	close(release)
	r := <-got
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: body %q err %v", r.body, r.err)
	}
	if err := d.wait(t, 5*time.Second); err != nil {
		t.Fatalf("runDaemon: %v", err)
	}
}

func TestRunDaemonBoundsTheDrain(t *testing.T) {
	entered := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		select {
		case <-r.Context().Done(): // the connection was closed by the bounded shutdown
		case <-time.After(20 * time.Second):
		}
	})
	d := startDaemon(t, handler, 200*time.Millisecond, nil, 0)
	clientErr := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + d.addr + "/stuck")
		if err == nil {
			resp.Body.Close()
		}
		clientErr <- err
	}()
	<-entered
	start := time.Now()
	d.cancel()
	if err := d.wait(t, 5*time.Second); err != nil {
		t.Fatalf("runDaemon: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("shutdown took %v with a 200ms drain bound", took)
	}
	if err := <-clientErr; err == nil {
		t.Error("the stuck request got a response; want its connection closed")
	}
	if !strings.Contains(d.logs.String(), "in-flight requests did not finish in time") {
		t.Errorf("no warning about the cut requests:\n%s", d.logs.String())
	}
}

func TestRunDaemonJobRunner(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	t.Run("stopped with the daemon", func(t *testing.T) {
		stopped := make(chan struct{})
		d := startDaemon(t, ok, time.Second, func(ctx context.Context) error {
			<-ctx.Done()
			close(stopped)
			return nil
		}, 5*time.Second)
		d.cancel()
		if err := d.wait(t, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		select {
		case <-stopped:
		default:
			t.Error("runDaemon returned before the job runner stopped")
		}
	})
	t.Run("a failing runner stops the daemon", func(t *testing.T) {
		d := startDaemon(t, ok, time.Second, func(ctx context.Context) error {
			return errors.New("store gone")
		}, 5*time.Second)
		err := d.wait(t, 5*time.Second)
		if err == nil || err.Error() != "job runner stopped: store gone" {
			t.Fatalf("err = %v", err)
		}
		if _, derr := net.DialTimeout("tcp", d.addr, time.Second); derr == nil {
			t.Error("the HTTP server still accepts connections after the runner failed")
		}
	})
	t.Run("a stuck runner is abandoned after its bound", func(t *testing.T) {
		d := startDaemon(t, ok, time.Second, func(ctx context.Context) error {
			time.Sleep(10 * time.Second)
			return nil
		}, 100*time.Millisecond)
		d.cancel()
		if err := d.wait(t, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(d.logs.String(), "job runner did not stop in time") {
			t.Errorf("no warning:\n%s", d.logs.String())
		}
	})
}

func TestRunDaemonServeFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // Serve fails at once
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runDaemon(context.Background(), newLogger(logs, "json", "info"), &http.Server{}, ln, time.Second, nil, 0)
	}()
	select {
	case err := <-done:
		if err == nil || !strings.HasPrefix(err.Error(), "http server stopped: ") {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("runDaemon did not notice the server failed")
	}
}
