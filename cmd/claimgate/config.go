package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/claimgate/claimgate/gateway/webhooks"
	"github.com/claimgate/claimgate/payers"
)

// defaultConfigFile is read when no --config flag or CLAIMGATE_CONFIG is given and it exists.
const defaultConfigFile = "claimgate.yaml"

// defaultSQLitePath is the embedded database used when no database URL is configured.
const defaultSQLitePath = "var/claimgate.db"

// config is the whole claimgate.yaml. Every field has a default (see defaultConfig) except the
// submitter identity and the payers, which only the operator can know.
type config struct {
	Submitter submitterConfig `yaml:"submitter"`
	Database  databaseConfig  `yaml:"database"`
	HTTP      httpConfig      `yaml:"http"`
	Log       logConfig       `yaml:"log"`
	Jobs      jobsConfig      `yaml:"jobs"`
	Payers    []payers.Payer  `yaml:"payers"`
	Codes     codesConfig     `yaml:"codes"` // code lists and denial category/queue overrides (denials.go)
	Staleness stalenessConfig `yaml:"staleness"`
	Webhooks  webhooksConfig  `yaml:"webhooks"`

	// source is the file the configuration was read from; "" when only defaults and the
	// environment were used.
	source string
	// demo is set by `serve --demo` (demo.go): the in-process payer simulator and the demo
	// submitter. nil otherwise.
	demo *demoOptions
}

// submitterConfig identifies this clearinghouse installation (the submitter of every 837) in
// the ISA/GS envelopes and in loop 1000A.
type submitterConfig struct {
	Name         string `yaml:"name"`          // 1000A NM103
	ID           string `yaml:"id"`            // ISA06, GS02 and 1000A NM109
	ISAQualifier string `yaml:"isa_qualifier"` // ISA05, default ZZ
	ContactName  string `yaml:"contact_name"`  // 1000A PER02; default: the submitter name
	ContactEmail string `yaml:"contact_email"` // 1000A PER (EM)
	ContactPhone string `yaml:"contact_phone"` // 1000A PER (TE), digits only
}

// stalenessConfig is how long a claim may wait for each acknowledgment before it is listed as
// stale (gateway/acks); zero takes the defaults (24h for the 999, 5 days for the 277CA).
type stalenessConfig struct {
	After999   time.Duration `yaml:"after_999"`   // submitted without a 999
	After277CA time.Duration `yaml:"after_277ca"` // accepted by a 999 without a 277CA
}

// webhooksConfig tunes the webhook delivery worker (gateway/webhooks).
type webhooksConfig struct {
	Concurrency  int           `yaml:"concurrency"`   // deliveries in flight at once, per replica
	PerSubmitter int           `yaml:"per_submitter"` // deliveries of one submitter in flight at once, all replicas together
	Timeout      time.Duration `yaml:"timeout"`       // one attempt, redirects included
	RetryFor     time.Duration `yaml:"retry_for"`     // a failing delivery is retried this long from its first attempt
	Retention    time.Duration `yaml:"retention"`     // finished deliveries stay listed this long; negative: forever
}

type databaseConfig struct {
	// URL is postgres://..., postgresql://... or sqlite:PATH. Empty: SQLite at var/claimgate.db.
	URL string `yaml:"url"`
}

type httpConfig struct {
	Addr              string        `yaml:"addr"`                // host:port to listen on
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"` // time to read request headers
	ReadTimeout       time.Duration `yaml:"read_timeout"`        // time to read a whole request
	WriteTimeout      time.Duration `yaml:"write_timeout"`       // time to write a response
	IdleTimeout       time.Duration `yaml:"idle_timeout"`        // keep-alive idle time
	ShutdownTimeout   time.Duration `yaml:"shutdown_timeout"`    // drain time for in-flight requests on shutdown
	MaxBodyBytes      int64         `yaml:"max_body_bytes"`      // larger request bodies are refused
}

type logConfig struct {
	Format string `yaml:"format"` // json | text
	Level  string `yaml:"level"`  // debug | info | warn | error
}

type jobsConfig struct {
	Workers         int           `yaml:"workers"`          // jobs run at the same time
	Lease           time.Duration `yaml:"lease"`            // lease per claimed job, renewed while it runs; a dead replica's jobs are retried after it
	PollInterval    time.Duration `yaml:"poll_interval"`    // how often idle workers look for due jobs
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"` // on shutdown, running jobs get this long before they are cancelled
}

func defaultConfig() config {
	return config{
		Submitter: submitterConfig{ISAQualifier: "ZZ"},
		HTTP: httpConfig{
			Addr:              "127.0.0.1:8080",
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			ShutdownTimeout:   15 * time.Second,
			MaxBodyBytes:      1 << 20,
		},
		Log:  logConfig{Format: "json", Level: "info"},
		Jobs: jobsConfig{Workers: 4, Lease: 30 * time.Second, PollInterval: time.Second, ShutdownTimeout: 15 * time.Second},
		Webhooks: webhooksConfig{Concurrency: webhooks.DefaultConcurrency, PerSubmitter: webhooks.DefaultPerSubmitter, Timeout: webhooks.DefaultTimeout,
			RetryFor: webhooks.DefaultRetryFor, Retention: webhooks.DefaultRetention},
	}
}

// configError lists every problem found in the configuration, each one line that names where
// the problem is: "claimgate.yaml:12: ..." for a YAML error, a key path ("payers[1].sftp.addr:
// missing") for a validation error, or the environment variable.
type configError struct {
	problems []string
}

func (e *configError) Error() string {
	if len(e.problems) == 1 {
		return "invalid configuration: " + e.problems[0]
	}
	return fmt.Sprintf("invalid configuration (%d problems):\n%s", len(e.problems), strings.Join(e.problems, "\n"))
}

// reportError writes err for the operator: a configuration error as one line per problem,
// anything else as one line. Newlines inside a message are flattened so that each problem
// stays one line in a log collector.
func reportError(w io.Writer, err error) {
	var ce *configError
	if errors.As(err, &ce) {
		for _, p := range ce.problems {
			fmt.Fprintf(w, "claimgate: %s\n", oneLine(p))
		}
		return
	}
	fmt.Fprintf(w, "claimgate: %s\n", oneLine(err.Error()))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// loadConfig builds the configuration: defaults, then the file (--config, $CLAIMGATE_CONFIG or
// ./claimgate.yaml when present), then CLAIMGATE_* environment variables, then the global flags.
// It validates the result and returns a *configError listing every problem.
func loadConfig(g *globalFlags, getenv func(string) string) (*config, error) {
	cfg := defaultConfig()
	path, explicit := g.configPath, g.configPath != ""
	if path == "" {
		path = getenv("CLAIMGATE_CONFIG")
		explicit = path != ""
	}
	if path == "" {
		path = defaultConfigFile
	}
	var problems []string
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		cfg.source = path
		var complete bool
		problems, complete = decodeConfig(path, data, &cfg)
		if !complete {
			return nil, &configError{problems: problems}
		}
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		// No file: defaults and environment only.
	case errors.Is(err, fs.ErrNotExist):
		return nil, &configError{problems: []string{fmt.Sprintf("%s: configuration file not found", path)}}
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &configError{problems: []string{fmt.Sprintf("%s: cannot read configuration file: %v", path, err)}}
	}

	problems = append(problems, applyEnv(&cfg, getenv)...)
	if g.logFormat != "" {
		cfg.Log.Format = g.logFormat
	}
	if g.logLevel != "" {
		cfg.Log.Level = g.logLevel
	}
	problems = append(problems, cfg.validate()...)
	if len(problems) > 0 {
		return nil, &configError{problems: problems}
	}
	return &cfg, nil
}

// decodeConfig decodes one YAML document into cfg, refusing unknown keys. Problems are
// "file:line: message", all of them at once. complete is false when the file could not be
// decoded at all (a syntax error); after unknown keys or mistyped values the rest of the file
// was decoded, so validation can still report what else is wrong.
func decodeConfig(path string, data []byte, cfg *config) (problems []string, complete bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(cfg)
	if errors.Is(err, io.EOF) {
		return nil, true // empty file: defaults
	}
	if err != nil {
		var te *yaml.TypeError
		return yamlProblems(path, err), errors.As(err, &te)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return []string{fmt.Sprintf("%s:%d: a second YAML document; the configuration is one document", path, extra.Line)}, false
	} else if !errors.Is(err, io.EOF) {
		return yamlProblems(path, err), false
	}
	return nil, true
}

var (
	yamlLineRe    = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlUnknownRe = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
	yamlUnmarshal = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (\\S+)$")
)

// yamlProblems turns a yaml.v3 error into "file:line: message" lines in our words.
func yamlProblems(path string, err error) []string {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	knownTypes := knownKeys(reflect.TypeOf(config{}))
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		loc := path
		if sm := yamlLineRe.FindStringSubmatch(m); sm != nil {
			loc, m = path+":"+sm[1], sm[2]
		} else {
			m = strings.TrimPrefix(m, "yaml: ")
		}
		if sm := yamlUnknownRe.FindStringSubmatch(m); sm != nil {
			m = fmt.Sprintf("unknown key %q", sm[1])
			if known := knownTypes[sm[2]]; len(known) > 0 {
				m += " (known keys here: " + strings.Join(known, ", ") + ")"
			}
		} else if sm := yamlUnmarshal.FindStringSubmatch(m); sm != nil {
			m = describeTypeMismatch(sm[1], sm[2], sm[3])
		}
		out = append(out, loc+": "+m)
	}
	return out
}

func describeTypeMismatch(tag, value, goType string) string {
	switch {
	case goType == "time.Duration":
		return fmt.Sprintf("%s is not a duration: write it with a unit, such as 30s, 5m or 1h", value)
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		return fmt.Sprintf("%s is not a whole number", value)
	case goType == "bool":
		return fmt.Sprintf("%s is not true or false", value)
	case goType == "string":
		return fmt.Sprintf("expected a single value, found a %s", yamlKind(tag))
	case strings.HasPrefix(goType, "[]"):
		return fmt.Sprintf("expected a list, found a %s", yamlKind(tag))
	default:
		return fmt.Sprintf("expected a mapping of keys, found a %s", yamlKind(tag))
	}
}

func yamlKind(tag string) string {
	switch tag {
	case "!!map":
		return "mapping"
	case "!!seq":
		return "list"
	default:
		return "single value"
	}
}

// knownKeys maps each struct type reachable from t (by its reflect name, as yaml.v3 reports
// it) to its YAML keys, for "unknown key" hints.
func knownKeys(t reflect.Type) map[string][]string {
	out := map[string][]string{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || out[t.String()] != nil {
			return
		}
		var keys []string
		out[t.String()] = keys // mark visited
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			keys = append(keys, name)
			walk(f.Type)
		}
		sort.Strings(keys)
		out[t.String()] = keys
	}
	walk(t)
	return out
}

// envOverride is one CLAIMGATE_* variable and the setting it replaces.
type envOverride struct {
	name  string
	apply func(cfg *config, value string) error
}

// envOverrides lists the environment variables that override the file, in the order they are
// applied. README.md documents the same list.
func envOverrides() []envOverride {
	return []envOverride{
		{"CLAIMGATE_DATABASE_URL", func(c *config, v string) error { c.Database.URL = v; return nil }},
		{"CLAIMGATE_HTTP_ADDR", func(c *config, v string) error { c.HTTP.Addr = v; return nil }},
		{"CLAIMGATE_HTTP_MAX_BODY_BYTES", func(c *config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			c.HTTP.MaxBodyBytes = n
			return nil
		}},
		{"CLAIMGATE_LOG_FORMAT", func(c *config, v string) error { c.Log.Format = v; return nil }},
		{"CLAIMGATE_LOG_LEVEL", func(c *config, v string) error { c.Log.Level = v; return nil }},
		{"CLAIMGATE_JOBS_WORKERS", func(c *config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			c.Jobs.Workers = n
			return nil
		}},
	}
}

// applyEnv applies every set CLAIMGATE_* override and returns the values it could not parse.
func applyEnv(cfg *config, getenv func(string) string) []string {
	var problems []string
	for _, o := range envOverrides() {
		v := getenv(o.name)
		if v == "" {
			continue
		}
		if err := o.apply(cfg, v); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", o.name, err))
		}
	}
	return problems
}

var x12IDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._/-]*$`)

// validate returns every problem with the configuration, each prefixed with its key path.
func (c *config) validate() []string {
	var problems []string
	add := func(key, format string, args ...any) {
		problems = append(problems, key+": "+fmt.Sprintf(format, args...))
	}

	// The submitter identity goes into every 837; it is needed as soon as a payer is configured.
	s := c.Submitter
	needSubmitter := len(c.Payers) > 0 || s.Name != "" || s.ID != ""
	if needSubmitter {
		if strings.TrimSpace(s.Name) == "" {
			add("submitter.name", "missing (the organisation name sent in loop 1000A)")
		} else if len(s.Name) > 60 {
			add("submitter.name", "must be at most 60 characters")
		}
		switch {
		case s.ID == "":
			add("submitter.id", "missing (the sender id in ISA06 and GS02)")
		case len(s.ID) > 15 || !x12IDRe.MatchString(s.ID):
			add("submitter.id", "%q must be 1-15 letters or digits", s.ID)
		}
		if len(s.ISAQualifier) != 2 {
			add("submitter.isa_qualifier", "%q must be 2 characters (e.g. ZZ)", s.ISAQualifier)
		}
	}
	if s.ContactEmail != "" && !strings.Contains(s.ContactEmail, "@") {
		add("submitter.contact_email", "%q is not an email address", s.ContactEmail)
	}
	if s.ContactPhone != "" && strings.Trim(s.ContactPhone, "0123456789") != "" {
		add("submitter.contact_phone", "%q must be digits only", s.ContactPhone)
	}

	if _, err := parseDatabaseURL(c.Database.URL); err != nil {
		add("database.url", "%v", err)
	}

	if err := checkListenAddr(c.HTTP.Addr); err != nil {
		add("http.addr", "%v", err)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"http.read_header_timeout", c.HTTP.ReadHeaderTimeout},
		{"http.read_timeout", c.HTTP.ReadTimeout},
		{"http.write_timeout", c.HTTP.WriteTimeout},
		{"http.idle_timeout", c.HTTP.IdleTimeout},
	} {
		if d.v < 0 {
			add(d.key, "must not be negative")
		}
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		add("http.shutdown_timeout", "must be positive, such as 15s")
	}
	if c.HTTP.MaxBodyBytes <= 0 {
		add("http.max_body_bytes", "must be positive")
	}

	if c.Log.Format != "json" && c.Log.Format != "text" {
		add("log.format", "%q must be json or text", c.Log.Format)
	}
	if _, err := parseLogLevel(c.Log.Level); err != nil {
		add("log.level", "%v", err)
	}

	if c.Jobs.Workers < 1 || c.Jobs.Workers > 256 {
		add("jobs.workers", "%d must be between 1 and 256", c.Jobs.Workers)
	}
	if c.Jobs.Lease < time.Second {
		add("jobs.lease", "must be at least 1s")
	}
	if c.Jobs.PollInterval <= 0 {
		add("jobs.poll_interval", "must be positive, such as 1s")
	}
	if c.Jobs.ShutdownTimeout <= 0 {
		add("jobs.shutdown_timeout", "must be positive, such as 15s")
	}

	if c.Webhooks.Concurrency < 1 || c.Webhooks.Concurrency > 256 {
		add("webhooks.concurrency", "%d must be between 1 and 256", c.Webhooks.Concurrency)
	}
	if c.Webhooks.PerSubmitter < 1 || c.Webhooks.PerSubmitter > 256 {
		add("webhooks.per_submitter", "%d must be between 1 and 256", c.Webhooks.PerSubmitter)
	}
	if c.Webhooks.Timeout < time.Second || c.Webhooks.Timeout > 5*time.Minute {
		add("webhooks.timeout", "must be between 1s and 5m, such as 10s")
	}
	if c.Webhooks.RetryFor < time.Minute {
		add("webhooks.retry_for", "must be at least 1m, such as 24h")
	}
	if c.Webhooks.Retention == 0 {
		add("webhooks.retention", "must not be zero: a duration such as 720h, or negative to keep deliveries forever")
	}

	problems = append(problems, c.Codes.validate()...)
	if c.Staleness.After999 < 0 {
		add("staleness.after_999", "must not be negative")
	}
	if c.Staleness.After277CA < 0 {
		add("staleness.after_277ca", "must not be negative")
	}

	seen := map[string]int{}
	for i, p := range c.Payers {
		path := fmt.Sprintf("payers[%d]", i)
		for _, err := range p.Validate(path) {
			problems = append(problems, err.Error())
		}
		if p.ID == "" {
			continue
		}
		key := strings.ToUpper(p.ID)
		if j, dup := seen[key]; dup {
			add(path+".id", "%q is already the id of payers[%d]", p.ID, j)
		} else {
			seen[key] = i
		}
	}
	return problems
}

func checkListenAddr(addr string) error {
	if addr == "" {
		return errors.New("missing (host:port, such as 127.0.0.1:8080)")
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q must be host:port, such as 127.0.0.1:8080", addr)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return fmt.Errorf("%q: port %q must be a number from 0 to 65535", addr, port)
	}
	return nil
}

// databaseTarget is a parsed database URL.
type databaseTarget struct {
	driver string // "postgres" or "sqlite"
	url    string // postgres: the connection URL as given
	path   string // sqlite: the database file
}

// String names the database without secrets, for logs and error messages.
func (t databaseTarget) String() string {
	if t.driver == "sqlite" {
		return "sqlite:" + t.path
	}
	if u, err := url.Parse(t.url); err == nil {
		return u.Redacted()
	}
	return "postgres://(unparsable)"
}

// parseDatabaseURL accepts postgres://..., postgresql://... and sqlite:PATH (sqlite:///abs/path
// too); "" means the embedded SQLite database at var/claimgate.db. Error messages never repeat
// the URL, which may hold a password.
func parseDatabaseURL(s string) (databaseTarget, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return databaseTarget{driver: "sqlite", path: defaultSQLitePath}, nil
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return databaseTarget{}, errors.New("not a database URL: want postgres://user@host:5432/db, postgresql://... or sqlite:PATH")
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		u, err := url.Parse(s)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return databaseTarget{}, fmt.Errorf("not a valid postgres URL: %v", err)
		}
		if !strings.HasPrefix(rest, "//") {
			return databaseTarget{}, errors.New("not a valid postgres URL: want postgres://user@host:5432/db")
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return databaseTarget{}, errors.New("postgres URL has no host")
		}
		return databaseTarget{driver: "postgres", url: s}, nil
	case "sqlite", "sqlite3":
		path := strings.TrimPrefix(rest, "//")
		if path == "" {
			return databaseTarget{}, errors.New("sqlite URL has no file path: want sqlite:PATH, such as sqlite:var/claimgate.db")
		}
		return databaseTarget{driver: "sqlite", path: path}, nil
	default:
		return databaseTarget{}, fmt.Errorf("unsupported database %q: want postgres://..., postgresql://... or sqlite:PATH", scheme)
	}
}
