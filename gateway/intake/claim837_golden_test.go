package intake

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/payers"
)

// updateGolden is -update: rewrite testdata/golden from the current renderer. The flag is
// looked up first so that another test file of the package may register it too.
var updateGolden = goldenUpdateFlag()

func goldenUpdateFlag() func() bool {
	if f := flag.Lookup("update"); f != nil {
		return func() bool { return f.Value.String() == "true" }
	}
	b := flag.Bool("update", false, "rewrite the golden files under testdata/golden")
	return func() bool { return *b }
}

// claimRepoRoot walks up from the package directory to the directory holding go.mod.
func claimRepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// goldenInterchange is the envelope of every golden file: the same values `claimgate edi render`
// uses without a configuration, with fixed control numbers and time, so that
// `claimgate edi render --time 2026-11-20T10:30:00Z testdata/encounters/X.json` prints
// testdata/golden/X.837 byte for byte.
func goldenInterchange(claims ...x837.Claim) *x837.Interchange {
	payer := claims[0].Payer
	name := payer.Name
	if name == "" {
		name = payer.ID
	}
	return &x837.Interchange{
		Sender: x837.Sender{ISAQualifier: "ZZ", ISAID: "CLAIMGATE01", GSID: "CLAIMGATE01", Name: "CLAIMGATE",
			Contact: x837.Contact{Name: "CLAIMGATE EDI", Email: "edi@claimgate.invalid"}},
		Receiver:       x837.Receiver{ISAQualifier: "ZZ", ISAID: payer.ID, GSID: payer.ID, Name: name},
		Usage:          "T",
		ControlNumbers: x837.ControlNumbers{ISA: 1, GS: 1, ST: 1},
		Time:           time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC),
		Claims:         claims,
	}
}

// encounterFixture is one testdata/encounters file, decoded and mapped.
type encounterFixture struct {
	name  string // file name without .json
	enc   *Encounter
	claim x837.Claim
}

func loadEncounterFixtures(t *testing.T) []encounterFixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(claimRepoRoot(t), "testdata", "encounters", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 12 {
		t.Fatalf("testdata/encounters holds %d encounters, want at least 12", len(files))
	}
	var out []encounterFixture
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		enc, err := DecodeEncounter(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c, err := enc.ToClaim(enc.ExternalID)
		if err != nil {
			t.Fatalf("%s: ToClaim: %v", name, err)
		}
		out = append(out, encounterFixture{name: name, enc: enc, claim: c})
	}
	return out
}

func renderGolden(t *testing.T, ic *x837.Interchange) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := edi.NewWriter(&buf, edi.DefaultDelimiters)
	w.LineBreaks = true
	if err := x837.WriteInterchange(w, ic); err != nil {
		t.Fatalf("render: %v", err)
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("render: %v", err)
	}
	return buf.Bytes()
}

// TestGoldenClaims renders every testdata encounter and compares it with its golden 837.
func TestGoldenClaims(t *testing.T) {
	dir := filepath.Join(claimRepoRoot(t), "testdata", "golden")
	for _, fx := range loadEncounterFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			got := renderGolden(t, goldenInterchange(fx.claim))
			path := filepath.Join(dir, fx.name+".837")
			if updateGolden() {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./gateway/intake -run Golden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rendered 837 differs from %s (run with -update if the change is intended):\n%s", path, firstDiff(got, want))
			}
		})
	}
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g := strings.Split(string(got), "\n")
	w := strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got " + gl + "\nwant " + wl
		}
	}
	return "(no line differs)"
}

// TestGoldenFixturesCoverage checks that the fixtures hold the variety the golden files are
// meant to pin down, so a fixture edit cannot silently drop a case.
func TestGoldenFixturesCoverage(t *testing.T) {
	has := map[string]bool{}
	for _, fx := range loadEncounterFixtures(t) {
		c := fx.claim
		if fx.enc.Payer.ID != "SIMPAYER" {
			t.Errorf("%s: payer %q, want SIMPAYER", fx.name, fx.enc.Payer.ID)
		}
		if len(c.Lines) == 1 {
			has["one line"] = true
		}
		if len(c.Diagnoses) == 12 {
			has["12 diagnoses"] = true
		}
		if len(c.Lines) == 50 {
			has["50 lines"] = true
		}
		if c.Patient != nil && c.Patient.Relationship == x837.RelationshipChild {
			has["child patient"] = true
		}
		if c.Frequency == x837.FrequencyReplacement && c.PayerClaimNumber != "" {
			has["replacement"] = true
		}
		if c.Frequency == x837.FrequencyVoid {
			has["void"] = true
		}
		if c.PriorAuthorization != "" {
			has["prior authorization"] = true
		}
		if c.Accident != nil && c.Accident.Type == x837.AccidentAuto && c.Accident.State != "" {
			has["auto accident"] = true
		}
		if c.Type == x837.Institutional && fx.enc.Claim.TypeOfBill == "0131" {
			has["institutional outpatient 0131"] = true
		}
		if c.Type == x837.Institutional && fx.enc.Claim.TypeOfBill == "0111" && c.Admission != nil && c.AdmittingDiagnosis != "" &&
			len(c.Procedures) > 0 && len(c.OccurrenceCodes) > 0 && len(c.ValueCodes) > 0 && len(c.ConditionCodes) > 0 &&
			c.PatientStatus != "" && c.DischargeHour != "" {
			has["institutional inpatient 0111"] = true
		}
		for _, l := range c.Lines {
			if len(l.Modifiers) == 4 {
				has["four modifiers"] = true
			}
			if l.NDC != nil {
				has["NDC"] = true
			}
		}
		for _, npi := range []string{c.BillingProvider.NPI} {
			if !testLuhnNPI(npi) {
				t.Errorf("%s: billing NPI %s fails its check digit", fx.name, npi)
			}
		}
		for _, p := range []*x837.Provider{c.RenderingProvider, c.ReferringProvider, c.AttendingProvider} {
			if p != nil && p.NPI != "" && !testLuhnNPI(p.NPI) {
				t.Errorf("%s: provider NPI %s fails its check digit", fx.name, p.NPI)
			}
		}
	}
	for _, want := range []string{"one line", "12 diagnoses", "50 lines", "child patient", "replacement", "void",
		"prior authorization", "auto accident", "institutional outpatient 0131", "institutional inpatient 0111",
		"four modifiers", "NDC"} {
		if !has[want] {
			t.Errorf("no fixture covers %s", want)
		}
	}
}

// testLuhnNPI is the NPI check (Luhn over "80840" + the first nine digits), written out here
// independently of the package's own so the fixtures are checked against the rule itself.
func testLuhnNPI(npi string) bool {
	if len(npi) != 10 {
		return false
	}
	s := "80840" + npi
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[len(s)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// TestGoldenRoundTrip renders every testdata encounter and reads the 837 back with x837's
// reader: no problems, and the claim read equals the claim rendered.
func TestGoldenRoundTrip(t *testing.T) {
	for _, fx := range loadEncounterFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			ic := goldenInterchange(fx.claim)
			data := renderGolden(t, ic)
			ics, problems, err := x837.ReadAll(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("ReadAll: %v", err)
			}
			for _, p := range problems {
				t.Errorf("problem reading the rendered 837: %v", p)
			}
			if len(ics) != 1 || len(ics[0].Claims) != 1 {
				t.Fatalf("read %d interchanges, want 1 with 1 claim", len(ics))
			}
			got := ics[0].Claims[0]
			want := fx.claim
			// The reader names the payer as 2010BB does; the rendered claim had its name (or
			// the receiver's) there.
			if want.Payer.Name == "" {
				want.Payer.Name = ic.Receiver.Name
			}
			if !reflect.DeepEqual(got, want) {
				gj, _ := json.MarshalIndent(got, "", " ")
				wj, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("claim read back differs:\n%s", firstDiff(gj, wj))
			}
		})
	}
}

// BenchmarkToClaim maps the 50-line professional encounter.
func BenchmarkToClaim(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(claimRepoRoot(b), "testdata", "encounters", "prof_fifty_lines.json"))
	if err != nil {
		b.Fatal(err)
	}
	e, err := DecodeEncounter(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.ToClaim("ENC-2026-000103"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGoldenFixturesScrubClean checks that every fixture is an encounter the API accepts: the
// intake edits find nothing (at the golden files' time, with SIMPAYER configured).
func TestGoldenFixturesScrubClean(t *testing.T) {
	opts := ScrubOptions{
		Now: time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC),
		Payer: func(id string) (payers.Payer, bool) {
			return payers.Payer{ID: id, Name: "Simulated Health Plan"}, id == "SIMPAYER"
		},
	}
	for _, fx := range loadEncounterFixtures(t) {
		for _, p := range Scrub(fx.enc, opts) {
			t.Errorf("%s: %s: %s (%s)", fx.name, p.Pointer, p.Message, p.Code)
		}
	}
}
