package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// cliResult is the outcome of one in-process run.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the binary in-process with the given environment variables only.
func runCLI(t *testing.T, ctx context.Context, vars map[string]string, args ...string) cliResult {
	t.Helper()
	var stdout, stderr syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: mapGetenv(vars)}
	code := runEnv(ctx, e, args)
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func TestCommandLine(t *testing.T) {
	t.Chdir(t.TempDir()) // no ./claimgate.yaml
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // substrings
		wantStderr []string // substrings
	}{
		{name: "no command", args: nil, wantCode: exitUsage, wantStderr: []string{"claimgate: no command given", "Usage: claimgate [global flags] COMMAND"}},
		{name: "help flag", args: []string{"--help"}, wantCode: exitOK, wantStdout: []string{"Commands:", "serve", "migrate", "submitters", "version", "-config file", "-log-format"}},
		{name: "short help", args: []string{"-h"}, wantCode: exitOK, wantStdout: []string{"Commands:"}},
		{name: "help command", args: []string{"help"}, wantCode: exitOK, wantStdout: []string{"Commands:"}},
		{name: "help for a command", args: []string{"help", "serve"}, wantCode: exitOK, wantStdout: []string{"Usage: claimgate serve", "-addr address"}},
		{name: "help for an unknown command", args: []string{"help", "frobnicate"}, wantCode: exitUsage, wantStderr: []string{`unknown command "frobnicate"`}},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: exitUsage, wantStderr: []string{`claimgate: unknown command "frobnicate"`, "Commands:"}},
		{name: "unknown global flag", args: []string{"--verbose", "serve"}, wantCode: exitUsage, wantStderr: []string{"claimgate: flag provided but not defined: -verbose", "Usage:"}},
		{name: "bad log format flag", args: []string{"--log-format", "xml", "version"}, wantCode: exitUsage, wantStderr: []string{`invalid value "xml" for flag -log-format: "xml" must be json or text`}},
		{name: "bad log level after the command", args: []string{"serve", "--log-level", "loud"}, wantCode: exitUsage, wantStderr: []string{"claimgate serve: invalid value", "Usage: claimgate serve"}},
		{name: "serve help", args: []string{"serve", "--help"}, wantCode: exitOK, wantStdout: []string{"Usage: claimgate serve [flags]", "SIGINT or SIGTERM", "-config file"}},
		{name: "serve unknown flag", args: []string{"serve", "--port", "80"}, wantCode: exitUsage, wantStderr: []string{"claimgate serve: flag provided but not defined: -port", "Usage: claimgate serve"}},
		{name: "serve argument", args: []string{"serve", "now"}, wantCode: exitUsage, wantStderr: []string{`claimgate serve: unexpected argument "now"`}},
		{name: "serve bad addr", args: []string{"serve", "--addr", "8080"}, wantCode: exitUsage, wantStderr: []string{`claimgate serve: --addr: "8080" must be host:port`}},
		{name: "migrate help", args: []string{"migrate", "-h"}, wantCode: exitOK, wantStdout: []string{"Usage: claimgate migrate", "-check"}},
		{name: "version help", args: []string{"version", "--help"}, wantCode: exitOK, wantStdout: []string{"Usage: claimgate version"}},
		{name: "version", args: []string{"version"}, wantCode: exitOK, wantStdout: []string{"claimgate ", "commit ", runtime.Version()}},
		{name: "version argument", args: []string{"version", "--", "-x"}, wantCode: exitUsage, wantStderr: []string{`unexpected argument "-x"`}},
		{name: "submitters help", args: []string{"submitters", "--help"}, wantCode: exitOK, wantStdout: []string{"Usage: claimgate submitters", "add ", "list ", "revoke "}},
		{name: "submitters without command", args: []string{"submitters"}, wantCode: exitUsage, wantStderr: []string{"missing command: add, list or revoke"}},
		{name: "submitters unknown command", args: []string{"submitters", "rename", "a"}, wantCode: exitUsage, wantStderr: []string{`claimgate submitters: unknown command "rename"`}},
		{name: "submitters add help", args: []string{"submitters", "add", "--help"}, wantCode: exitOK, wantStdout: []string{"Usage: claimgate submitters add NAME", "shown this once"}},
		{name: "submitters add without name", args: []string{"submitters", "add"}, wantCode: exitUsage, wantStderr: []string{"claimgate submitters add: missing submitter NAME"}},
		{name: "submitters add bad name", args: []string{"submitters", "add", "Lakeside EHR"}, wantCode: exitUsage, wantStderr: []string{`"Lakeside EHR" is not a valid submitter name`}},
		{name: "submitters add two names", args: []string{"submitters", "add", "a", "b"}, wantCode: exitUsage, wantStderr: []string{`unexpected argument "b"`}},
		{name: "submitters revoke without name", args: []string{"submitters", "revoke"}, wantCode: exitUsage, wantStderr: []string{"missing submitter NAME"}},
		{name: "submitters list argument", args: []string{"submitters", "list", "all"}, wantCode: exitUsage, wantStderr: []string{`unexpected argument "all"`}},
		{name: "missing config file before the command", args: []string{"--config", "/nonexistent/cg.yaml", "migrate"}, wantCode: exitFailure,
			wantStderr: []string{"claimgate: /nonexistent/cg.yaml: configuration file not found\n"}},
		{name: "missing config file after the command", args: []string{"submitters", "list", "--config", "/nonexistent/cg.yaml"}, wantCode: exitFailure,
			wantStderr: []string{"claimgate: /nonexistent/cg.yaml: configuration file not found\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, context.Background(), nil, tc.args...)
			if r.code != tc.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			for _, w := range tc.wantStdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tc.wantStderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if tc.wantCode == exitOK && r.stderr != "" {
				t.Errorf("stderr should be empty on success: %q", r.stderr)
			}
			if strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stack trace on stderr:\n%s", r.stderr)
			}
		})
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for name := range commandTable() {
		r := runCLI(t, context.Background(), nil, name, "--help")
		if r.code != exitOK || !strings.HasPrefix(r.stdout, "Usage: claimgate "+name) {
			t.Errorf("%s --help: exit %d stdout %q", name, r.code, r.stdout)
		}
	}
	for name := range submitterCommands() {
		r := runCLI(t, context.Background(), nil, "submitters", name, "--help")
		if r.code != exitOK || !strings.HasPrefix(r.stdout, "Usage: claimgate submitters "+name) {
			t.Errorf("submitters %s --help: exit %d stdout %q", name, r.code, r.stdout)
		}
	}
}

func TestConfigErrorsAreOneLineEach(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want []string // the stderr lines
	}{
		{
			name: "malformed yaml",
			yaml: "http:\n  addr: 127.0.0.1:8080\n   timeout: 5s\n",
			want: []string{"claimgate: FILE:3: mapping values are not allowed in this context"},
		},
		{
			name: "several problems",
			yaml: "http: {addr: nowhere}\npayers:\n  - id: P1\n    name: One\n    receiver: {isa_qualifier: ZZ, isa_id: P1, gs_id: P1}\n    sftp: {user: u, key_file: k, known_hosts: h}\n    submit: \"@hourly\"\n    poll: \"@hourly\"\n",
			env:  map[string]string{"CLAIMGATE_DATABASE_URL": "oracle://db/claims"},
			want: []string{
				"claimgate: submitter.name: missing (the organisation name sent in loop 1000A)",
				"claimgate: submitter.id: missing (the sender id in ISA06 and GS02)",
				`claimgate: database.url: unsupported database "oracle": want postgres://..., postgresql://... or sqlite:PATH`,
				`claimgate: http.addr: "nowhere" must be host:port, such as 127.0.0.1:8080`,
				"claimgate: payers[0].sftp.addr: missing",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml", tc.yaml)
			vars := map[string]string{"CLAIMGATE_CONFIG": path}
			for k, v := range tc.env {
				vars[k] = v
			}
			for _, cmd := range [][]string{{"serve"}, {"migrate"}, {"submitters", "list"}} {
				r := runCLI(t, context.Background(), vars, cmd...)
				if r.code != exitFailure {
					t.Errorf("%v: exit %d, want %d", cmd, r.code, exitFailure)
				}
				want := strings.ReplaceAll(strings.Join(tc.want, "\n"), "FILE", path) + "\n"
				if r.stderr != want {
					t.Errorf("%v: stderr\n%s\nwant\n%s", cmd, r.stderr, want)
				}
			}
		})
	}
}

func TestResolveBuildInfo(t *testing.T) {
	info := func(v string, settings ...debug.BuildSetting) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: v}, Settings: settings}, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	tests := []struct {
		name          string
		ldVersion     string
		ldCommit      string
		read          func() (*debug.BuildInfo, bool)
		wantV, wantC  string
		wantGoVersion string
	}{
		{name: "ldflags win", ldVersion: "v1.0.0", ldCommit: "abc1234", read: info("v0.9.0", debug.BuildSetting{Key: "vcs.revision", Value: "fff"}),
			wantV: "v1.0.0", wantC: "abc1234", wantGoVersion: "go1.26.8"},
		{name: "go install", read: info("v1.2.3"), wantV: "v1.2.3", wantC: "unknown", wantGoVersion: "go1.26.8"},
		{name: "checkout with changes", read: info("(devel)", debug.BuildSetting{Key: "vcs.revision", Value: "0123abcd"}, debug.BuildSetting{Key: "vcs.modified", Value: "true"}),
			wantV: "devel", wantC: "0123abcd-dirty", wantGoVersion: "go1.26.8"},
		{name: "nothing recorded", read: none, wantV: "devel", wantC: "unknown", wantGoVersion: runtime.Version()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := resolveBuildInfo(tc.ldVersion, tc.ldCommit, tc.read)
			if got.Version != tc.wantV || got.Commit != tc.wantC || got.GoVersion != tc.wantGoVersion {
				t.Errorf("got %+v, want %s %s %s", got, tc.wantV, tc.wantC, tc.wantGoVersion)
			}
		})
	}
}
