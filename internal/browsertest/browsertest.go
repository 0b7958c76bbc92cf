package browsertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireEnv names the variable that turns a missing browser into a test failure.
const RequireEnv = "CLAIMGATE_REQUIRE_BROWSER"

// Candidate paths of the browser and the driver (Debian's chromium and chromium-driver first).
var (
	browserPaths = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}
	driverPaths  = []string{"/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"}
)

// Lookup returns the paths of Chromium and chromedriver, or an error naming what is missing.
func Lookup() (browser, driver string, err error) {
	find := func(paths []string, name string) string {
		for _, p := range paths {
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p
			}
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		return ""
	}
	browser, driver = find(browserPaths, "chromium"), find(driverPaths, "chromedriver")
	var missing []string
	if browser == "" {
		missing = append(missing, "chromium")
	}
	if driver == "" {
		missing = append(missing, "chromedriver")
	}
	if len(missing) > 0 {
		return "", "", fmt.Errorf("%s not found (install with: apt-get install -y --no-install-recommends chromium chromium-driver)",
			strings.Join(missing, " and "))
	}
	return browser, driver, nil
}

// Require returns the browser and driver paths. When they are missing it skips the test with a
// loud message, or fails it when CLAIMGATE_REQUIRE_BROWSER=1.
func Require(t testing.TB) (browser, driver string) {
	t.Helper()
	browser, driver, err := Lookup()
	if err == nil {
		return browser, driver
	}
	msg := "BROWSER TEST NOT RUN: " + err.Error()
	if os.Getenv(RequireEnv) == "1" {
		t.Fatal(msg + " and " + RequireEnv + "=1 requires it")
	}
	fmt.Fprintln(os.Stderr, "\n*** "+msg+" ***")
	t.Skip(msg + "; set " + RequireEnv + "=1 to make this a failure")
	return "", ""
}

// Driver is a running chromedriver.
type Driver struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:PORT
	client *http.Client
	logs   *syncBuffer
	done   chan struct{}
}

// syncBuffer collects the driver's output for error messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 64<<10 {
		return len(p), nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freePort returns a port that was free on 127.0.0.1 a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// StartDriver starts chromedriver on a free 127.0.0.1 port and waits until it answers, at most
// timeout.
func StartDriver(ctx context.Context, driverPath string, timeout time.Duration) (*Driver, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("browsertest: no free port: %w", err)
	}
	logs := &syncBuffer{}
	cmd := exec.Command(driverPath, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1", "--log-level=WARNING")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("browsertest: starting %s: %w", driverPath, err)
	}
	d := &Driver{cmd: cmd, base: "http://127.0.0.1:" + strconv.Itoa(port), client: &http.Client{Timeout: 2 * time.Minute},
		logs: logs, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(d.done) }()
	deadline := time.Now().Add(timeout)
	for {
		var status struct {
			Value struct {
				Ready bool `json:"ready"`
			} `json:"value"`
		}
		if err := d.call(ctx, http.MethodGet, "/status", nil, &status); err == nil && status.Value.Ready {
			return d, nil
		}
		select {
		case <-d.done:
			return nil, fmt.Errorf("browsertest: chromedriver exited at start: %s", logs.String())
		case <-ctx.Done():
			d.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			d.Stop()
			return nil, fmt.Errorf("browsertest: chromedriver did not answer on %s within %s: %s", d.base, timeout, logs.String())
		}
	}
}

// Stop ends the driver process (this process's child, by its pid) and waits for it.
func (d *Driver) Stop() {
	if d.cmd.Process != nil {
		_ = d.cmd.Process.Kill()
	}
	<-d.done
}

// Logs returns what chromedriver printed.
func (d *Driver) Logs() string { return d.logs.String() }

// Error is a WebDriver error answer.
type Error struct {
	Status  int
	Code    string // "no such element", ...
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("webdriver: %s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// call sends one WebDriver command and decodes the answer into out (the whole body).
func (d *Driver) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	res, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Value struct {
				Error   string `json:"error"`
				Message string `json:"message"`
			} `json:"value"`
		}
		_ = json.Unmarshal(b, &e)
		return &Error{Status: res.StatusCode, Code: e.Value.Error, Message: e.Value.Message}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("webdriver: %s %s: %w", method, path, err)
		}
	}
	return nil
}

// Session is one browser session.
type Session struct {
	d  *Driver
	id string
}

// HeadlessArgs are the Chromium flags of a headless test session (root, containers, no GPU).
var HeadlessArgs = []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
	"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--window-size=1280,1024"}

// NewSession opens a headless Chromium (browserPath) session.
func (d *Driver) NewSession(ctx context.Context, browserPath string) (*Session, error) {
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName":         "chrome",
		"acceptInsecureCerts": false,
		"pageLoadStrategy":    "normal",
		"goog:chromeOptions":  map[string]any{"binary": browserPath, "args": HeadlessArgs},
	}}}
	var out struct {
		Value struct {
			SessionID string `json:"sessionId"`
		} `json:"value"`
	}
	if err := d.call(ctx, http.MethodPost, "/session", caps, &out); err != nil {
		return nil, fmt.Errorf("browsertest: new session: %w; chromedriver said: %s", err, d.Logs())
	}
	return &Session{d: d, id: out.Value.SessionID}, nil
}

func (s *Session) path(p string) string { return "/session/" + s.id + p }

// value runs a command whose answer is {"value": X} and decodes X into out.
func (s *Session) value(ctx context.Context, method, p string, in, out any) error {
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := s.d.call(ctx, method, s.path(p), in, &env); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Value, out)
}

// Delete ends the session (the browser quits).
func (s *Session) Delete(ctx context.Context) error {
	return s.d.call(ctx, http.MethodDelete, s.path(""), nil, nil)
}

// Navigate opens url and waits for the page to load.
func (s *Session) Navigate(ctx context.Context, url string) error {
	return s.value(ctx, http.MethodPost, "/url", map[string]string{"url": url}, nil)
}

// CurrentURL is the address of the page shown.
func (s *Session) CurrentURL(ctx context.Context) (string, error) {
	var u string
	err := s.value(ctx, http.MethodGet, "/url", nil, &u)
	return u, err
}

// Title is the page's title.
func (s *Session) Title(ctx context.Context) (string, error) {
	var t string
	err := s.value(ctx, http.MethodGet, "/title", nil, &t)
	return t, err
}

// PageSource is the page's current DOM as HTML.
func (s *Session) PageSource(ctx context.Context) (string, error) {
	var src string
	err := s.value(ctx, http.MethodGet, "/source", nil, &src)
	return src, err
}

// Screenshot is a PNG of the page's viewport.
func (s *Session) Screenshot(ctx context.Context) ([]byte, error) {
	var b64 string
	if err := s.value(ctx, http.MethodGet, "/screenshot", nil, &b64); err != nil {
		return nil, err
	}
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("webdriver screenshot: %w", err)
	}
	return png, nil
}

// elementKey is the W3C web element identifier key.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// Element is an element of the page.
type Element struct {
	s  *Session
	id string
}

// Find returns the first element matching a CSS selector.
func (s *Session) Find(ctx context.Context, css string) (Element, error) {
	var ref map[string]string
	if err := s.value(ctx, http.MethodPost, "/element", map[string]string{"using": "css selector", "value": css}, &ref); err != nil {
		return Element{}, fmt.Errorf("find %q: %w", css, err)
	}
	if ref[elementKey] == "" {
		return Element{}, fmt.Errorf("find %q: the answer names no element: %v", css, ref)
	}
	return Element{s: s, id: ref[elementKey]}, nil
}

// WaitFind is Find retried until the element is on the page (a navigation may still be under
// way), at most timeout.
func (s *Session) WaitFind(ctx context.Context, css string, timeout time.Duration) (Element, error) {
	deadline := time.Now().Add(timeout)
	for {
		el, err := s.Find(ctx, css)
		if err == nil || time.Now().After(deadline) {
			return el, err
		}
		select {
		case <-ctx.Done():
			return Element{}, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// FindAll returns every element matching a CSS selector (none is not an error).
func (s *Session) FindAll(ctx context.Context, css string) ([]Element, error) {
	var refs []map[string]string
	if err := s.value(ctx, http.MethodPost, "/elements", map[string]string{"using": "css selector", "value": css}, &refs); err != nil {
		return nil, fmt.Errorf("find all %q: %w", css, err)
	}
	out := make([]Element, len(refs))
	for i, r := range refs {
		out[i] = Element{s: s, id: r[elementKey]}
	}
	return out, nil
}

// Text returns the element's rendered text.
func (s *Session) Text(ctx context.Context, css string) (string, error) {
	el, err := s.Find(ctx, css)
	if err != nil {
		return "", err
	}
	return el.Text(ctx)
}

// Click clicks the element.
func (e Element) Click(ctx context.Context) error {
	return e.s.value(ctx, http.MethodPost, "/element/"+e.id+"/click", map[string]any{}, nil)
}

// SendKeys types text into the element.
func (e Element) SendKeys(ctx context.Context, text string) error {
	return e.s.value(ctx, http.MethodPost, "/element/"+e.id+"/value", map[string]string{"text": text}, nil)
}

// Text is the element's rendered text.
func (e Element) Text(ctx context.Context) (string, error) {
	var t string
	err := e.s.value(ctx, http.MethodGet, "/element/"+e.id+"/text", nil, &t)
	return t, err
}

// Attribute returns an attribute of the element ("" when absent).
func (e Element) Attribute(ctx context.Context, name string) (string, error) {
	var v *string
	if err := e.s.value(ctx, http.MethodGet, "/element/"+e.id+"/attribute/"+name, nil, &v); err != nil {
		return "", err
	}
	if v == nil {
		return "", nil
	}
	return *v, nil
}

// WaitURL waits until the current URL satisfies ok (a click's navigation may still be under
// way when the click answers), at most timeout; it returns the last URL seen.
func (s *Session) WaitURL(ctx context.Context, ok func(string) bool, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		u, err := s.CurrentURL(ctx)
		if err != nil {
			return u, err
		}
		if ok(u) {
			return u, nil
		}
		if time.Now().After(deadline) {
			return u, errors.New("browsertest: the page did not reach the expected address; it is at " + u)
		}
		select {
		case <-ctx.Done():
			return u, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}
