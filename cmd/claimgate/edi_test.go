package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/document"
	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/internal/samples"
)

// goldenTime is the interchange time of testdata/golden (see gateway/intake's golden test).
const goldenTime = "2026-11-20T10:30:00Z"

// ediRun runs `claimgate ARGS` in-process with stdin and no environment, from a directory
// without claimgate.yaml.
func ediRun(t *testing.T, stdin []byte, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: bytes.NewReader(stdin), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	code := runEnv(context.Background(), e, args)
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// ediRepoRoot is the directory holding go.mod (see samples.RepoRoot).
func ediRepoRoot(t *testing.T) string {
	t.Helper()
	dir, ok := samples.RepoRoot()
	if !ok {
		t.Fatal("no go.mod above the package directory")
	}
	return dir
}

// ediSamples returns ../shared/x12-samples, skipping the test when it is absent.
func ediSamples(t *testing.T) string { t.Helper(); return samples.Require(t) }

func ediEncounters(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(ediRepoRoot(t), "testdata", "encounters", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata encounters: %v", err)
	}
	return files
}

// ediEncounter returns the path of testdata/encounters/NAME.json.
func ediEncounter(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(ediRepoRoot(t), "testdata", "encounters", name+".json")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// breakFirstSE lowers the segment count of the first SE segment by one.
func breakFirstSE(t *testing.T, x12 string) string {
	t.Helper()
	i := strings.Index(x12, "\nSE*")
	if i < 0 {
		t.Fatal("no SE segment")
	}
	rest := x12[i+4:]
	n, err := strconv.Atoi(rest[:strings.IndexByte(rest, '*')])
	if err != nil {
		t.Fatal(err)
	}
	return x12[:i+4] + strconv.Itoa(n-1) + rest[strings.IndexByte(rest, '*'):]
}

// inTempDir runs the test from an empty directory, so no ./claimgate.yaml is picked up.
func inTempDir(t *testing.T) {
	t.Helper()
	t.Chdir(t.TempDir())
}

func TestEdiRenderGolden(t *testing.T) {
	files := ediEncounters(t)
	inTempDir(t)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(f)), "golden", name+".837"))
			if err != nil {
				t.Fatal(err)
			}
			r := ediRun(t, nil, "edi", "render", "--time", goldenTime, f)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stdout != string(want) {
				t.Errorf("render differs from testdata/golden/%s.837:\n%s", name, r.stdout)
			}
			// The same encounter from stdin renders the same bytes: the claim id comes from
			// the external_id, not the file name.
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r2 := ediRun(t, body, "edi", "render", "--time", goldenTime, "-")
			if r2.code != exitOK || r2.stdout != string(want) {
				t.Errorf("render from stdin: exit %d, differs: %v\n%s", r2.code, r2.stdout != string(want), r2.stderr)
			}
		})
	}
}

// TestEdiRenderParseRoundTrip renders every encounter into one interchange (837P and 837I
// sets) and parses it back: no problems, the claims in their sets, the ids derived from the
// external ids.
func TestEdiRenderParseRoundTrip(t *testing.T) {
	files := ediEncounters(t)
	inTempDir(t)
	args := append([]string{"edi", "render", "--time", goldenTime, "--control", "42"}, files...)
	r := ediRun(t, nil, args...)
	if r.code != exitOK {
		t.Fatalf("render: exit %d: %s", r.code, r.stderr)
	}
	again := ediRun(t, nil, args...)
	if again.stdout != r.stdout {
		t.Error("rendering the same files twice gave different bytes")
	}
	p := ediRun(t, []byte(r.stdout), "edi", "parse", "-")
	if p.code != exitOK {
		t.Fatalf("parse: exit %d: %s", p.code, p.stderr)
	}
	var out struct {
		Interchanges []struct {
			Sender, Receiver, Usage string
			ControlNumber           string `json:"control_number"`
			Groups                  []struct {
				FunctionalID  string `json:"functional_id"`
				ControlNumber string `json:"control_number"`
				Version       string
				Transactions  []struct {
					Type          string
					ControlNumber string `json:"control_number"`
					Claims        []struct {
						PatientControlNumber string `json:"patient_control_number"`
						TotalCharge          string `json:"total_charge"`
						Lines                []struct {
							ControlNumber string `json:"line_control_number"`
						} `json:"service_lines"`
					}
				}
			}
		}
		Errors []document.Error
	}
	if err := json.Unmarshal([]byte(p.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 0 {
		t.Errorf("parse found problems in a rendered file: %+v", out.Errors)
	}
	if len(out.Interchanges) != 1 {
		t.Fatalf("%d interchanges, want 1", len(out.Interchanges))
	}
	ic := out.Interchanges[0]
	if ic.Sender != defaultSenderID || ic.Receiver != "SIMPAYER" || ic.Usage != "T" || ic.ControlNumber != "000000042" {
		t.Errorf("envelope %s -> %s usage %s control %s", ic.Sender, ic.Receiver, ic.Usage, ic.ControlNumber)
	}
	var types []string
	claims := 0
	for _, g := range ic.Groups {
		for _, tx := range g.Transactions {
			types = append(types, tx.Type+"/"+g.Version)
			for _, c := range tx.Claims {
				claims++
				if !strings.HasPrefix(c.PatientControlNumber, "ENC-2026-") {
					t.Errorf("claim %q: not the external id", c.PatientControlNumber)
				}
				for i, l := range c.Lines {
					if !strings.HasSuffix(l.ControlNumber, "-"+strconv.Itoa(i+1)) {
						t.Errorf("claim %s line %d control number %q", c.PatientControlNumber, i+1, l.ControlNumber)
					}
				}
			}
		}
	}
	if want := []string{"837P/005010X222A1", "837I/005010X223A2"}; !reflect.DeepEqual(types, want) {
		t.Errorf("transactions %v, want %v", types, want)
	}
	if claims != len(files) {
		t.Errorf("%d claims parsed back from %d encounters", claims, len(files))
	}
	v := ediRun(t, []byte(r.stdout), "edi", "validate", "-")
	if v.code != exitOK || !strings.Contains(v.stderr, "stdin: valid (1 interchange, 2 groups, 2 transaction sets)") {
		t.Errorf("validate of a rendered file: exit %d\n%s", v.code, v.stderr)
	}
}

func TestEdiRenderConfig(t *testing.T) {
	one := ediEncounter(t, "prof_one_line")
	dir := t.TempDir()
	t.Chdir(dir)
	cfg := writeFile(t, dir, "claimgate.yaml", `
submitter: {name: Lakeside Billing, id: LAKESIDE01, isa_qualifier: "30", contact_email: edi@lakeside.example}
payers:
  - id: SIMPAYER
    name: Simulated Health Plan
    receiver: {isa_qualifier: "01", isa_id: "030240928", gs_id: SIMGS, payer_id: "87726"}
    usage: P
    sftp: {addr: "127.0.0.1:2222", user: claimgate, key_file: /etc/claimgate/id_ed25519,
           known_hosts: /etc/claimgate/known_hosts, upload_dir: /inbound, download_dir: /outbound}
    submit: "*/5 * * * *"
    poll: "*/2 * * * *"
`)
	r := ediRun(t, nil, "--config", cfg, "edi", "render", "--time", goldenTime, one)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"ISA*00*          *00*          *30*LAKESIDE01     *01*030240928      *261120*1030*^*00501*000000001*0*P*:~",
		"GS*HC*LAKESIDE01*SIMGS*",
		"NM1*41*2*Lakeside Billing*****46*LAKESIDE01~",
		"PER*IC*Lakeside Billing*EM*edi@lakeside.example~",
		"NM1*PR*2*Simulated Health Plan*****PI*87726~",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	// A payer the configuration does not know is refused.
	other := writeFile(t, dir, "other.json", strings.Replace(mustRead(t, one), `"SIMPAYER"`, `"OTHERPAYER"`, 1))
	r = ediRun(t, nil, "--config", cfg, "edi", "render", "--time", goldenTime, other)
	if r.code != exitFailure || !strings.Contains(r.stderr, "other.json: /payer/id: ") || !strings.Contains(r.stderr, "[payer_unknown]") {
		t.Errorf("unknown payer: exit %d: %s", r.code, r.stderr)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEdiRenderErrors(t *testing.T) {
	first := ediEncounter(t, "prof_one_line")
	dir := t.TempDir()
	t.Chdir(dir)
	one := mustRead(t, first)
	bad := writeFile(t, dir, "bad.json", strings.Replace(strings.Replace(one, `"relationship_to_patient": "self"`, `"relationship_to_patient": "cousin"`, 1),
		`"place_of_service": "11"`, `"place_of_service": ""`, 1))
	otherPayer := writeFile(t, dir, "other.json", strings.Replace(strings.Replace(one, `"SIMPAYER"`, `"OTHERPAYER"`, 1),
		`"ENC-2026-000101"`, `"ENC-2026-900101"`, 1))
	unknownField := writeFile(t, dir, "unknown.json", strings.Replace(one, `"external_id"`, `"externalid"`, 1))
	noID := writeFile(t, dir, "no-id.json", strings.Replace(one, `"external_id": "ENC-2026-000101"`, `"external_id": "a very long external identifier"`, 1))
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr []string
	}{
		{"no file", "", []string{"edi", "render"}, exitUsage, []string{"missing encounter file"}},
		{"bad control", "", []string{"edi", "render", "--control", "0", first}, exitUsage, []string{"--control 0"}},
		{"bad time", "", []string{"edi", "render", "--time", "yesterday", first}, exitUsage, []string{"--time"}},
		{"bad usage", "", []string{"edi", "render", "--usage", "X", first}, exitUsage, []string{"--usage"}},
		{"stdin and files", "", []string{"edi", "render", "-", first}, exitUsage, []string{"cannot be combined"}},
		{"missing file", "", []string{"edi", "render", filepath.Join(dir, "nope.json")}, exitFailure, []string{"nope.json: no such file"}},
		{"scrubbing problems", "", []string{"edi", "render", "--time", goldenTime, bad}, exitFailure, []string{
			"bad.json: /subscriber/relationship_to_patient: ", "[invalid_choice]", "bad.json: /claim/place_of_service: ", "[required]"}},
		{"future service date", "", []string{"edi", "render", "--time", "2026-10-01T00:00:00Z", first}, exitFailure, []string{
			"/claim/service_lines/0/service_date: "}},
		{"unknown field", "", []string{"edi", "render", unknownField}, exitFailure, []string{`unknown field "externalid"`}},
		{"two payers", "", []string{"edi", "render", "--time", goldenTime, first, otherPayer}, exitFailure, []string{"payer OTHERPAYER differs from SIMPAYER"}},
		{"same encounter twice", "", []string{"edi", "render", "--time", goldenTime, first, first}, exitFailure, []string{"claim id ENC-2026-000101 is already"}},
		{"empty stdin", "", []string{"edi", "render", "-"}, exitFailure, []string{"stdin: malformed encounter JSON"}},
		{"unknown edi command", "", []string{"edi", "frobnicate"}, exitUsage, []string{`unknown command "frobnicate"`}},
		{"no edi command", "", []string{"edi"}, exitUsage, []string{"missing command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ediRun(t, []byte(tt.stdin), tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if tt.code != exitOK && r.stdout != "" {
				t.Errorf("a failed render wrote to stdout:\n%s", r.stdout)
			}
		})
	}
	// An external id that cannot be a claim id gives a hashed one, the same every time.
	a := ediRun(t, nil, "edi", "render", "--time", goldenTime, noID)
	b := ediRun(t, nil, "edi", "render", "--time", goldenTime, noID)
	if a.code != exitOK || a.stdout != b.stdout {
		t.Fatalf("exit %d: %s", a.code, a.stderr)
	}
	id := renderClaimID("a very long external identifier", "no-id.json")
	if len(id) != 17 || !strings.HasPrefix(id, "CG") || !strings.Contains(a.stdout, "CLM*"+id+"*") {
		t.Errorf("claim id %q not in the output", id)
	}
}

func TestEdiRenderClaimID(t *testing.T) {
	tests := []struct {
		ext, file, want string
	}{
		{"ENC-2026-000101", "x.json", "ENC-2026-000101"},
		{" enc-7 ", "x.json", "ENC-7"},
		{"ABCDEFGHIJKLMNOPQ", "x.json", "ABCDEFGHIJKLMNOPQ"},
	}
	for _, tt := range tests {
		if got := renderClaimID(tt.ext, tt.file); got != tt.want {
			t.Errorf("renderClaimID(%q, %q) = %q, want %q", tt.ext, tt.file, got, tt.want)
		}
	}
	// Ids that cannot be used as they are are hashed: 17 characters, stable, distinct.
	seen := map[string]string{}
	for _, in := range [][2]string{{"ABCDEFGHIJKLMNOPQR", "x"}, {"enc/1", "x"}, {"", "a.json"}, {"", "b.json"}, {"  ", "a.json"}} {
		got := renderClaimID(in[0], in[1])
		if len(got) != 17 || !strings.HasPrefix(got, "CG") || got != renderClaimID(in[0], in[1]) {
			t.Errorf("renderClaimID(%q, %q) = %q", in[0], in[1], got)
		}
		key := in[0]
		if strings.TrimSpace(key) == "" {
			key = in[1]
		}
		if prev, ok := seen[got]; ok && prev != key {
			t.Errorf("%q and %q share claim id %s", prev, key, got)
		}
		seen[got] = key
	}
}

// parseShape decodes `edi parse` output generically and checks it has exactly the keys of the
// DESIGN.md contract.
func parseShape(t *testing.T, name, stdout string) map[string]any {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: output is not one JSON object: %v", name, err)
	}
	if dec.More() {
		t.Fatalf("%s: more than one JSON value", name)
	}
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	want := func(what string, m map[string]any, w ...string) {
		sort.Strings(w)
		if got := keys(m); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: %s keys %v, want %v", name, what, got, w)
		}
	}
	want("top-level", doc, "interchanges", "errors")
	for _, ic := range doc["interchanges"].([]any) {
		icm := ic.(map[string]any)
		want("interchange", icm, "sender", "receiver", "control_number", "usage", "groups")
		for _, g := range icm["groups"].([]any) {
			gm := g.(map[string]any)
			want("group", gm, "functional_id", "control_number", "version", "transactions")
			for _, tx := range gm["transactions"].([]any) {
				txm, ok := tx.(map[string]any)
				if !ok {
					t.Fatalf("%s: a transaction is %T, not an object", name, tx)
				}
				typ, _ := txm["type"].(string)
				if typ == "" {
					t.Errorf("%s: transaction without a type: %v", name, keys(txm))
				}
				if _, ok := txm["control_number"].(string); !ok {
					t.Errorf("%s: %s transaction without a control_number", name, typ)
				}
				switch typ {
				case "835":
					tot, ok := txm["totals"].(map[string]any)
					if !ok {
						t.Errorf("%s: 835 without totals", name)
						continue
					}
					want("835 totals", tot, "claim_count", "reversal_count", "charged", "paid", "payment_amount",
						"provider_adjustment_count", "provider_adjustments", "balanced")
					for _, k := range []string{"charged", "paid", "payment_amount", "provider_adjustments"} {
						if s, ok := tot[k].(string); !ok || !strings.Contains(s, ".") || len(s)-strings.Index(s, ".") != 3 {
							t.Errorf("%s: totals.%s = %v, want a decimal string with two decimals", name, k, tot[k])
						}
					}
				case "837P", "837I":
					if _, ok := txm["claims"].([]any); !ok {
						t.Errorf("%s: %s without claims", name, typ)
					}
				case "999":
					if _, ok := txm["sets"].([]any); !ok {
						t.Errorf("%s: 999 without its sets", name)
					}
				case "277CA":
					if _, ok := txm["sources"].([]any); !ok {
						t.Errorf("%s: 277CA without its sources", name)
					}
				case "TA1":
					if _, ok := txm["ack_code"].(string); !ok {
						t.Errorf("%s: TA1 without its ack_code", name)
					}
				default:
					if _, err := strconv.Atoi(typ); err != nil {
						t.Errorf("%s: unexpected transaction type %q", name, typ)
					}
					if n, ok := txm["segment_count"].(json.Number); !ok || n.String() == "0" {
						t.Errorf("%s: %s transaction without its segment_count", name, typ)
					}
				}
			}
		}
	}
	for _, e := range doc["errors"].([]any) {
		want("error", e.(map[string]any), "offset", "segment_index", "segment", "element", "code", "message")
	}
	return doc
}

func TestEdiParseSamples(t *testing.T) {
	dir := ediSamples(t)
	inTempDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		r := ediRun(t, nil, "edi", "parse", "--json", f)
		switch r.code {
		case exitOK:
		case exitUnreadable:
			if !strings.Contains(r.stderr, rel) {
				t.Errorf("%s: exit 2 without naming the file: %s", rel, r.stderr)
			}
		default:
			t.Errorf("%s: exit %d: %s", rel, r.code, r.stderr)
			continue
		}
		doc := parseShape(t, rel, r.stdout)
		here := map[string]bool{}
		for _, ic := range doc["interchanges"].([]any) {
			for _, g := range ic.(map[string]any)["groups"].([]any) {
				for _, tx := range g.(map[string]any)["transactions"].([]any) {
					typ := tx.(map[string]any)["type"].(string)
					seen[typ], here[typ] = true, true
				}
			}
		}
		// The folder names the type the samples hold (835, 837P, 277CA, ...); one 270 sample
		// is in fact a 271.
		folder := filepath.Base(filepath.Dir(f))
		if r.code == exitOK && !here[folder] && folder != "270" {
			t.Errorf("%s: no %s transaction found", rel, folder)
		}
	}
	for _, typ := range []string{"835", "999", "837P", "837I", "277CA", "270", "271", "276", "277"} {
		if !seen[typ] {
			t.Errorf("no sample parsed as %s", typ)
		}
	}
}

// expected835 reads expected_835_totals.tsv: per file, the per-set rows (scope ST02=...).
func expected835(t *testing.T, dir string) map[string][]map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "expected_835_totals.tsv"))
	if err != nil {
		t.Skipf("no expected totals: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var header []string
	out := map[string][]map[string]string{}
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = cols
			continue
		}
		row := map[string]string{}
		for i, c := range cols {
			if i < len(header) {
				row[header[i]] = c
			}
		}
		if strings.HasPrefix(row["scope"], "ST02=") {
			out[row["file"]] = append(out[row["file"]], row)
		}
	}
	return out
}

// TestEdiParseTotals checks the 835 totals of both paths, the full parse and the streaming
// --totals, against the samples' independently computed expected totals.
func TestEdiParseTotals(t *testing.T) {
	dir := ediSamples(t)
	inTempDir(t)
	exp := expected835(t, dir)
	if len(exp) == 0 {
		t.Skip("no expected 835 totals")
	}
	amount := func(s string) string {
		a, err := edi.ParseAmount(s)
		if err != nil {
			t.Fatalf("expected totals: %v", err)
		}
		return a.String()
	}
	checked := 0
	for file, rows := range exp {
		path := filepath.Join(dir, file)
		full := ediRun(t, nil, "edi", "parse", path)
		stream := ediRun(t, nil, "edi", "parse", "--totals", path)
		// A set without ISA/GS envelope is unreadable as an interchange (exit 2), but both paths
		// still report the totals they could read.
		noISA := full.code == exitUnreadable && strings.Contains(full.stderr, "no ISA segment")
		if (full.code != exitOK && !noISA) || stream.code != exitOK {
			t.Errorf("%s: exit %d (parse) and %d (--totals): %s %s", file, full.code, stream.code, full.stderr, stream.stderr)
			continue
		}
		var doc struct {
			Interchanges []struct {
				Groups []struct {
					Transactions []struct {
						Type          string
						ControlNumber string `json:"control_number"`
						Totals        map[string]any
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(full.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		var fullTotals []map[string]any
		var controls []string
		for _, ic := range doc.Interchanges {
			for _, g := range ic.Groups {
				for _, tx := range g.Transactions {
					if tx.Type == "835" {
						fullTotals = append(fullTotals, tx.Totals)
						controls = append(controls, tx.ControlNumber)
					}
				}
			}
		}
		var st struct {
			Transactions []struct {
				ControlNumber string `json:"control_number"`
				Totals        map[string]any
			}
			Totals map[string]any
		}
		if err := json.Unmarshal([]byte(stream.stdout), &st); err != nil {
			t.Fatalf("%s: --totals output: %v", file, err)
		}
		if len(st.Transactions) != len(fullTotals) {
			t.Errorf("%s: --totals has %d sets, parse %d", file, len(st.Transactions), len(fullTotals))
			continue
		}
		for i := range fullTotals {
			if !reflect.DeepEqual(st.Transactions[i].Totals, fullTotals[i]) {
				t.Errorf("%s set %s: --totals %v, parse %v", file, controls[i], st.Transactions[i].Totals, fullTotals[i])
			}
		}
		for _, row := range rows {
			control := strings.TrimPrefix(row["scope"], "ST02=")
			i := -1
			for j, c := range controls {
				if c == control {
					i = j
					break
				}
			}
			if i < 0 {
				t.Errorf("%s: set %s not in the parse output", file, control)
				continue
			}
			got := fullTotals[i]
			want := map[string]any{
				"claim_count":               row["CLP_count"],
				"reversal_count":            row["reversals(CLP02=22)"],
				"charged":                   amount(row["sum_CLP03_charged"]),
				"paid":                      amount(row["sum_CLP04_paid"]),
				"provider_adjustment_count": row["PLB_segments"],
				"provider_adjustments":      amount(row["sum_PLB_amounts"]),
				"balanced":                  row["balanced(BPR02==sumCLP04-sumPLB)"] == "YES",
			}
			for k, w := range want {
				g := got[k]
				if f, ok := g.(float64); ok {
					g = strconv.FormatFloat(f, 'f', -1, 64)
				}
				if g != w {
					t.Errorf("%s set %s: totals.%s = %v, want %v", file, control, k, g, w)
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Error("no 835 set was checked against the expected totals")
	}
}

func TestEdiParseTotalsStdin(t *testing.T) {
	inTempDir(t)
	r := ediRun(t, []byte("not x12 at all"), "edi", "parse", "--totals", "-")
	if r.code != exitUnreadable {
		t.Errorf("exit %d, want %d: %s", r.code, exitUnreadable, r.stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Errorf("--totals on bad input still prints one JSON object: %v\n%s", err, r.stdout)
	}
	r = ediRun(t, nil, "edi", "parse", "--totals", "/nonexistent/file.835")
	if r.code != exitUnreadable || !strings.Contains(r.stderr, "no such file") {
		t.Errorf("missing file: exit %d: %s", r.code, r.stderr)
	}
}

// TestEdiParseTA1AndUnknown parses an interchange holding a TA1 and a 270 set.
func TestEdiParseTA1AndUnknown(t *testing.T) {
	inTempDir(t)
	var buf bytes.Buffer
	w := edi.NewWriter(&buf, edi.DefaultDelimiters)
	when := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	w.BeginInterchange(edi.ISAHeader{SenderID: "SIMPAYER", ReceiverID: "CLAIMGATE01", Time: when, ControlNumber: 7, Usage: "T"})
	ta1.WriteSegment(w, ta1.Ack{ControlNumber: "000000001", Date: "261120", Time: "1030", Code: "R", Note: "001"})
	w.BeginGroup(edi.GSHeader{FunctionalID: "HS", Sender: "SIMPAYER", Receiver: "CLAIMGATE01", Time: when, ControlNumber: 9, Version: "005010X279A1"})
	w.BeginTransaction("270", "0001", "005010X279A1")
	w.Seg("BHT").E("0022").E("13").E("10001234").E("20261120").E("1030").End()
	w.EndTransaction()
	w.EndGroup()
	w.EndInterchange()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r := ediRun(t, buf.Bytes(), "edi", "parse", "-")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	doc := parseShape(t, "ta1", r.stdout)
	groups := doc["interchanges"].([]any)[0].(map[string]any)["groups"].([]any)
	if len(groups) != 2 {
		t.Fatalf("%d groups, want the TA1 and the 270 group", len(groups))
	}
	ack := groups[0].(map[string]any)["transactions"].([]any)[0].(map[string]any)
	if ack["type"] != "TA1" || ack["control_number"] != "000000001" || ack["ack_code"] != "R" {
		t.Errorf("TA1 = %v", ack)
	}
	set := groups[1].(map[string]any)["transactions"].([]any)[0].(map[string]any)
	if set["type"] != "270" || set["segment_count"] != json.Number("3") {
		t.Errorf("270 = %v", set)
	}
}

func TestEdiValidate(t *testing.T) {
	files := ediEncounters(t)
	dir := t.TempDir()
	t.Chdir(dir)
	good := ediRun(t, nil, append([]string{"edi", "render", "--time", goldenTime}, files...)...)
	if good.code != exitOK {
		t.Fatalf("render: %s", good.stderr)
	}
	goodPath := writeFile(t, dir, "good.837", good.stdout)
	// Break the first SE count and a claim's charge: one envelope and one content problem.
	broken := breakFirstSE(t, good.stdout)
	broken = strings.Replace(broken, "CLM*ENC-2026-000101*150*", "CLM*ENC-2026-000101*1X0*", 1)
	if broken == good.stdout {
		t.Fatal("the test's edits did not apply")
	}
	badPath := writeFile(t, dir, "bad.837", broken)
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr []string
	}{
		{"valid", "", []string{"edi", "validate", goodPath}, exitOK, []string{"good.837: valid (1 interchange, 2 groups, 2 transaction sets)"}},
		{"valid stdin", good.stdout, []string{"edi", "validate", "-"}, exitOK, []string{"stdin: valid"}},
		{"invalid", "", []string{"edi", "validate", badPath}, exitInvalid, []string{
			"bad.837: segment ", "[se_count_mismatch]", "bad.837: invalid: "}},
		{"missing file", "", []string{"edi", "validate", filepath.Join(dir, "nope.837")}, exitUnreadable, []string{"nope.837: no such file"}},
		{"directory", "", []string{"edi", "validate", dir}, exitUnreadable, []string{"is a directory"}},
		{"not x12", "hello, world\n", []string{"edi", "validate", "-"}, exitUnreadable, []string{"stdin: unreadable"}},
		{"empty", "", []string{"edi", "validate", "-"}, exitUnreadable, []string{"stdin: unreadable"}},
		{"no file", "", []string{"edi", "validate"}, exitUsage, []string{"want exactly one FILE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ediRun(t, []byte(tt.stdin), tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
		})
	}
	// Every problem line names the file and a position; the last line is the summary.
	r := ediRun(t, nil, "edi", "validate", badPath)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) < 3 {
		t.Fatalf("want at least two problems and a summary:\n%s", r.stderr)
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, badPath+": segment ") || !strings.Contains(l, "byte ") {
			t.Errorf("problem line without position: %q", l)
		}
	}
	if want := strconv.Itoa(len(lines)-1) + " problems"; !strings.Contains(lines[len(lines)-1], want) {
		t.Errorf("summary %q does not count %s", lines[len(lines)-1], want)
	}
}

func TestEdiValidateAck999(t *testing.T) {
	files := ediEncounters(t)
	dir := t.TempDir()
	t.Chdir(dir)
	good := ediRun(t, nil, append([]string{"edi", "render", "--time", goldenTime}, files...)...)
	if good.code != exitOK {
		t.Fatalf("render: %s", good.stderr)
	}
	broken := breakFirstSE(t, good.stdout)
	tests := []struct {
		name     string
		input    string
		code     int
		statuses []string // IK501 per set
		groups   string   // AK901 per group
	}{
		{"accepted", good.stdout, exitOK, []string{"A", "A"}, "AA"},
		{"837P set rejected", broken, exitInvalid, []string{"R", "A"}, "RA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, tt.name+".999")
			r := ediRun(t, []byte(tt.input), "edi", "validate", "--ack999", out, "--time", goldenTime, "-")
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.code, r.stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), "ISA*00*          *00*          *ZZ*SIMPAYER       *ZZ*CLAIMGATE01    *") {
				t.Errorf("999 not addressed back to the sender:\n%s", data)
			}
			f, err := x999.Read(bytes.NewReader(data))
			if err != nil || len(f.Errors) != 0 {
				t.Fatalf("reading the 999: %v %v", err, f.Errors)
			}
			// The input has two groups (837P, 837I): one 999 set for each.
			var statuses []string
			groups := ""
			for _, a := range f.Acks {
				groups += a.Status
				for _, s := range a.Sets {
					statuses = append(statuses, s.Status)
				}
			}
			if groups != tt.groups {
				t.Errorf("group statuses %q, want %q", groups, tt.groups)
			}
			if !reflect.DeepEqual(statuses, tt.statuses) {
				t.Errorf("set statuses %v, want %v", statuses, tt.statuses)
			}
		})
	}
}

// BenchmarkEdiParse parses a file of 156 835 interchanges, the full parse and the streaming
// totals.
func BenchmarkEdiParse(b *testing.B) {
	path := filepath.Join(samples.Require(b, "835"), "tastypackets__profee-multiple.edi")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("sample not available: %v", err)
	}
	b.Run("full", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			in := &ediInput{name: "bench", data: data}
			if _, err := document.Read(context.Background(), in.open, document.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("totals", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			e := &env{stdin: bytes.NewReader(data), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
			if code := parseTotals(e, "-"); code != exitOK {
				b.Fatalf("exit %d", code)
			}
		}
	})
}
