package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// validPayerYAML is one payer that passes payers.Payer.Validate.
const validPayerYAML = `
  - id: SIMPAYER
    name: Simulated Health Plan
    receiver: {isa_qualifier: ZZ, isa_id: SIMPAYER, gs_id: SIMPAYER}
    usage: T
    sftp: {addr: "127.0.0.1:2222", user: claimgate, key_file: /etc/claimgate/id_ed25519,
           known_hosts: /etc/claimgate/known_hosts, upload_dir: /inbound, download_dir: /outbound}
    submit: "*/5 * * * *"
    poll: "*/2 * * * *"
`

const validSubmitterYAML = `
submitter: {name: Lakeside Billing, id: CLAIMGATE01, isa_qualifier: ZZ, contact_email: edi@example.org}
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mapGetenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name  string
		yaml  *string           // nil: no --config flag
		env   map[string]string // CLAIMGATE_*
		flags globalFlags       // configPath is filled in from yaml
		// want is the full list of problems, "FILE" standing for the config file path; nil
		// means the configuration must load.
		want   []string
		prefix bool // want holds prefixes of the problems
		check  func(t *testing.T, c *config)
	}{
		{
			name: "no file: defaults",
			check: func(t *testing.T, c *config) {
				d := defaultConfig()
				if c.HTTP != d.HTTP || c.Log != d.Log || c.Jobs != d.Jobs || c.Database.URL != "" || len(c.Payers) != 0 {
					t.Errorf("got %+v, want the defaults %+v", c, d)
				}
				if c.HTTP.Addr != "127.0.0.1:8080" || c.Log.Format != "json" {
					t.Errorf("defaults changed: addr %q format %q", c.HTTP.Addr, c.Log.Format)
				}
				if c.source != "" {
					t.Errorf("source = %q, want none", c.source)
				}
			},
		},
		{
			name: "empty file: defaults",
			yaml: ptr(""),
			check: func(t *testing.T, c *config) {
				if c.HTTP.Addr != "127.0.0.1:8080" || c.Jobs.Workers != 4 {
					t.Errorf("got %+v", c)
				}
			},
		},
		{
			name: "full file",
			yaml: ptr(validSubmitterYAML + `
database: {url: "postgres://claimgate:secret@db.internal:5432/claimgate?sslmode=require"}
http:
  addr: 0.0.0.0:9000
  read_timeout: 45s
  shutdown_timeout: 5s
  max_body_bytes: 1048576
log: {format: text, level: debug}
jobs: {workers: 8, lease: 2m, poll_interval: 500ms}
payers:` + validPayerYAML),
			check: func(t *testing.T, c *config) {
				if c.Submitter.ID != "CLAIMGATE01" || c.Submitter.Name != "Lakeside Billing" {
					t.Errorf("submitter = %+v", c.Submitter)
				}
				if c.HTTP.Addr != "0.0.0.0:9000" || c.HTTP.ReadTimeout != 45*time.Second || c.HTTP.ShutdownTimeout != 5*time.Second || c.HTTP.MaxBodyBytes != 1<<20 {
					t.Errorf("http = %+v", c.HTTP)
				}
				if c.HTTP.WriteTimeout != defaultConfig().HTTP.WriteTimeout {
					t.Errorf("unset http.write_timeout lost its default: %v", c.HTTP.WriteTimeout)
				}
				if c.Log.Format != "text" || c.Log.Level != "debug" {
					t.Errorf("log = %+v", c.Log)
				}
				if c.Jobs.Workers != 8 || c.Jobs.Lease != 2*time.Minute || c.Jobs.PollInterval != 500*time.Millisecond {
					t.Errorf("jobs = %+v", c.Jobs)
				}
				if len(c.Payers) != 1 || c.Payers[0].ID != "SIMPAYER" || c.Payers[0].SFTP.Addr != "127.0.0.1:2222" {
					t.Errorf("payers = %+v", c.Payers)
				}
			},
		},
		{
			name:  "environment overrides the file, flags override the environment",
			yaml:  ptr("http: {addr: 127.0.0.1:9000}\nlog: {format: json, level: info}\n"),
			env:   map[string]string{"CLAIMGATE_HTTP_ADDR": "127.0.0.1:9100", "CLAIMGATE_DATABASE_URL": "sqlite:/tmp/x.db", "CLAIMGATE_LOG_FORMAT": "text", "CLAIMGATE_LOG_LEVEL": "warn", "CLAIMGATE_JOBS_WORKERS": "2", "CLAIMGATE_HTTP_MAX_BODY_BYTES": "2048"},
			flags: globalFlags{logLevel: "debug"},
			check: func(t *testing.T, c *config) {
				if c.HTTP.Addr != "127.0.0.1:9100" || c.Database.URL != "sqlite:/tmp/x.db" || c.Log.Format != "text" || c.Log.Level != "debug" || c.Jobs.Workers != 2 || c.HTTP.MaxBodyBytes != 2048 {
					t.Errorf("got http %+v database %+v log %+v jobs %+v", c.HTTP, c.Database, c.Log, c.Jobs)
				}
			},
		},
		{
			name: "CLAIMGATE_CONFIG names the file",
			env:  map[string]string{"CLAIMGATE_CONFIG": "FILE"},
			yaml: ptr("http: {addr: 127.0.0.1:9200}\n"),
			check: func(t *testing.T, c *config) {
				if c.HTTP.Addr != "127.0.0.1:9200" {
					t.Errorf("addr = %q: CLAIMGATE_CONFIG was not read", c.HTTP.Addr)
				}
			},
		},
		{
			name: "unknown keys are errors, with their line and the known keys",
			yaml: ptr("databse: {url: x}\nhttp:\n  adr: 127.0.0.1:1\n"),
			want: []string{
				`FILE:1: unknown key "databse" (known keys here: codes, database, http, jobs, log, payers, staleness, submitter, webhooks)`,
				`FILE:3: unknown key "adr" (known keys here: addr, idle_timeout, max_body_bytes, read_header_timeout, read_timeout, shutdown_timeout, write_timeout)`,
			},
		},
		{
			name: "unknown payer key, and what it leaves missing",
			yaml: ptr(validSubmitterYAML + "payers:" + strings.Replace(validPayerYAML, "addr:", "adress:", 1)),
			// payers.SFTP grows keys; the hint is checked up to its first ones.
			want:   []string{`FILE:8: unknown key "adress" (known keys here: addr, after_download, download_dir, `, "payers[0].sftp.addr: missing"},
			prefix: true,
		},
		{
			name: "type mismatches in our words",
			yaml: ptr("http:\n  read_timeout: 30\n  write_timeout: soon\n  max_body_bytes: lots\njobs: [1, 2]\n"),
			want: []string{
				"FILE:2: 30 is not a duration: write it with a unit, such as 30s, 5m or 1h",
				"FILE:3: soon is not a duration: write it with a unit, such as 30s, 5m or 1h",
				"FILE:4: lots is not a whole number",
				"FILE:5: expected a mapping of keys, found a list",
			},
		},
		{
			name: "malformed YAML is one line with its position",
			yaml: ptr("http:\n  addr: 127.0.0.1:8080\n   bad: indent\n"),
			want: []string{"FILE:3: mapping values are not allowed in this context"},
		},
		{
			name: "tabs",
			yaml: ptr("http:\n\taddr: x\n"),
			want: []string{"FILE:2: found character that cannot start any token"},
		},
		{
			name: "two documents",
			yaml: ptr("http: {addr: 127.0.0.1:1}\n---\nlog: {level: debug}\n"),
			want: []string{"FILE:2: a second YAML document; the configuration is one document"},
		},
		{
			name:  "explicit file that does not exist",
			flags: globalFlags{configPath: "/nonexistent/claimgate.yaml"},
			want:  []string{"/nonexistent/claimgate.yaml: configuration file not found"},
		},
		{
			name: "every validation problem at once",
			yaml: ptr(`
submitter: {name: "", id: WAYTOOLONGSUBMITTERID, isa_qualifier: Z, contact_email: nobody}
database: {url: "mysql://root@localhost/claims"}
http: {addr: "localhost", shutdown_timeout: 0s, max_body_bytes: -1, read_timeout: -1s}
log: {format: xml, level: loud}
jobs: {workers: 0, lease: 10ms, poll_interval: 0s, shutdown_timeout: -1s}
payers:` + validPayerYAML + `
  - id: simpayer
    name: Duplicate
    receiver: {isa_qualifier: ZZ, isa_id: SIM2, gs_id: SIM2}
    sftp: {user: u, password_env: SIM2_PASSWORD, known_hosts: /k, after_download: archive}
    submit: "@every 5m"
    poll: "not cron"
`),
			want: []string{
				"submitter.name: missing (the organisation name sent in loop 1000A)",
				`submitter.id: "WAYTOOLONGSUBMITTERID" must be 1-15 letters or digits`,
				`submitter.isa_qualifier: "Z" must be 2 characters (e.g. ZZ)`,
				`submitter.contact_email: "nobody" is not an email address`,
				`database.url: unsupported database "mysql": want postgres://..., postgresql://... or sqlite:PATH`,
				`http.addr: "localhost" must be host:port, such as 127.0.0.1:8080`,
				"http.read_timeout: must not be negative",
				"http.shutdown_timeout: must be positive, such as 15s",
				"http.max_body_bytes: must be positive",
				`log.format: "xml" must be json or text`,
				`log.level: "loud" must be debug, info, warn or error`,
				"jobs.workers: 0 must be between 1 and 256",
				"jobs.lease: must be at least 1s",
				"jobs.poll_interval: must be positive, such as 1s",
				"jobs.shutdown_timeout: must be positive, such as 15s",
				`payers[1].poll: "not cron" is not a cron expression: expected 5 to 6 fields, found 2: [not cron]`,
				"payers[1].sftp.addr: missing",
				`payers[1].sftp.after_download: "archive" must be delete, move or keep`,
				`payers[1].id: "simpayer" is already the id of payers[0]`,
			},
		},
		{
			name: "webhook worker settings",
			yaml: ptr("webhooks: {concurrency: 0, per_submitter: 0, timeout: 10m, retry_for: 30s, retention: 0s}\n"),
			want: []string{
				"webhooks.concurrency: 0 must be between 1 and 256",
				"webhooks.per_submitter: 0 must be between 1 and 256",
				"webhooks.timeout: must be between 1s and 5m, such as 10s",
				"webhooks.retry_for: must be at least 1m, such as 24h",
				"webhooks.retention: must not be zero: a duration such as 720h, or negative to keep deliveries forever",
			},
		},
		{
			name: "a payer needs the submitter identity",
			yaml: ptr("payers:" + validPayerYAML),
			want: []string{
				"submitter.name: missing (the organisation name sent in loop 1000A)",
				"submitter.id: missing (the sender id in ISA06 and GS02)",
			},
		},
		{
			name: "bad environment values are reported with the variable name",
			env:  map[string]string{"CLAIMGATE_JOBS_WORKERS": "many", "CLAIMGATE_DATABASE_URL": "sqlite:", "CLAIMGATE_LOG_FORMAT": "yaml"},
			want: []string{
				`CLAIMGATE_JOBS_WORKERS: "many" is not a whole number`,
				"database.url: sqlite URL has no file path: want sqlite:PATH, such as sqlite:var/claimgate.db",
				`log.format: "yaml" must be json or text`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir) // no ./claimgate.yaml here: the file is found only by its name
			flags := tc.flags
			path := ""
			if tc.yaml != nil {
				path = writeFile(t, dir, "named.yaml", *tc.yaml)
			}
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = strings.ReplaceAll(v, "FILE", path)
			}
			if path != "" && env["CLAIMGATE_CONFIG"] == "" {
				flags.configPath = path
			}
			cfg, err := loadConfig(&flags, mapGetenv(env))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("loadConfig: %v", err)
				}
				tc.check(t, cfg)
				return
			}
			if err == nil {
				t.Fatalf("loadConfig succeeded, want problems %q", tc.want)
			}
			ce, ok := err.(*configError)
			if !ok {
				t.Fatalf("error %T %v, want *configError", err, err)
			}
			want := make([]string, len(tc.want))
			for i, w := range tc.want {
				want[i] = strings.ReplaceAll(w, "FILE", path)
			}
			got := append([]string(nil), ce.problems...)
			// payers.Payer.Validate does not promise an order between its keys.
			sort.Strings(got)
			sort.Strings(want)
			if tc.prefix && len(got) == len(want) {
				for i := range got {
					if strings.HasPrefix(got[i], want[i]) {
						got[i] = want[i]
					}
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestDefaultConfigFileIsRead(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, defaultConfigFile, "http: {addr: 127.0.0.1:9300}\n")
	t.Chdir(dir)
	cfg, err := loadConfig(&globalFlags{}, mapGetenv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:9300" || cfg.source != defaultConfigFile {
		t.Errorf("addr %q source %q: ./claimgate.yaml was not read", cfg.HTTP.Addr, cfg.source)
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	// The documented example must load as is (its payer files need not exist).
	cfg, err := loadConfig(&globalFlags{configPath: "../../claimgate.example.yaml"}, mapGetenv(nil))
	if err != nil {
		t.Fatalf("claimgate.example.yaml: %v", err)
	}
	if len(cfg.Payers) == 0 || cfg.Submitter.ID == "" {
		t.Errorf("the example should show a submitter and a payer: %+v", cfg)
	}
	// Its webhook section shows the defaults.
	if d := defaultConfig().Webhooks; cfg.Webhooks != d {
		t.Errorf("example webhooks %+v, defaults %+v", cfg.Webhooks, d)
	}
}

func TestWebhookSettingsReachTheWorker(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cg.yaml")
	if err := os.WriteFile(path, []byte("webhooks: {concurrency: 3, per_submitter: 2, timeout: 5s, retry_for: 2h, retention: -1s}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(&globalFlags{configPath: path}, mapGetenv(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := webhooksConfig{Concurrency: 3, PerSubmitter: 2, Timeout: 5 * time.Second, RetryFor: 2 * time.Hour, Retention: -time.Second}
	if cfg.Webhooks != want {
		t.Errorf("webhooks %+v, want %+v", cfg.Webhooks, want)
	}
	if _, err := newWebhookWorker(nil, cfg.Webhooks, nil, nil); err == nil {
		t.Error("a worker without a store should be refused")
	}
}

func TestParseDatabaseURL(t *testing.T) {
	tests := []struct {
		in         string
		driver     string
		path       string
		str        string
		wantErr    string
		mustNotSay string
	}{
		{in: "", driver: "sqlite", path: "var/claimgate.db", str: "sqlite:var/claimgate.db"},
		{in: "sqlite:data/claims.db", driver: "sqlite", path: "data/claims.db", str: "sqlite:data/claims.db"},
		{in: "sqlite:///srv/claimgate/claims.db", driver: "sqlite", path: "/srv/claimgate/claims.db"},
		{in: "sqlite:/srv/claims.db", driver: "sqlite", path: "/srv/claims.db"},
		{in: "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", driver: "postgres", str: "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"},
		{in: "postgresql://cg:hunter2@db:5432/cg", driver: "postgres", str: "postgresql://cg:xxxxx@db:5432/cg", mustNotSay: "hunter2"},
		{in: "postgres:///cg?host=/var/run/postgresql", driver: "postgres"},
		{in: "postgres://cg:hunter2@db:badport/cg", wantErr: "not a valid postgres URL", mustNotSay: "hunter2"},
		{in: "postgres:cg", wantErr: "want postgres://user@host:5432/db"},
		{in: "postgres:///cg", wantErr: "postgres URL has no host"},
		{in: "sqlite:", wantErr: "sqlite URL has no file path"},
		{in: "mysql://root:hunter2@db/claims", wantErr: `unsupported database "mysql"`, mustNotSay: "hunter2"},
		{in: "/var/lib/claimgate.db", wantErr: "not a database URL"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseDatabaseURL(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				if tc.mustNotSay != "" && strings.Contains(err.Error(), tc.mustNotSay) {
					t.Errorf("error %q repeats the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.driver != tc.driver || got.path != tc.path {
				t.Errorf("got %+v, want driver %q path %q", got, tc.driver, tc.path)
			}
			if tc.str != "" && got.String() != tc.str {
				t.Errorf("String() = %q, want %q", got.String(), tc.str)
			}
			if tc.mustNotSay != "" && strings.Contains(got.String(), tc.mustNotSay) {
				t.Errorf("String() = %q shows the password", got.String())
			}
		})
	}
}

func TestReportError(t *testing.T) {
	var buf bytes.Buffer
	reportError(&buf, &configError{problems: []string{"a.b: missing", "c: bad\nvalue"}})
	want := "claimgate: a.b: missing\nclaimgate: c: bad; value\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func ptr[T any](v T) *T { return &v }
