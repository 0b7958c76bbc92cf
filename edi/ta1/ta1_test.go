package ta1

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/internal/samples"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const isa = "ISA*00*          *00*          *ZZ*SIMPAYER       *ZZ*CLAIMGATE01    *261122*1830*^*00501*000000042*0*T*:~"

func TestRead(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		acks  []Ack
		codes []string
	}{
		{
			name: "accepted, alone in its interchange",
			in:   isa + "TA1*000000007*261122*1200*A*000~IEA*0*000000042~",
			acks: []Ack{{"TA1", "000000007", "261122", "1200", "A", "000"}},
		},
		{
			name: "rejected, before the group of a 999",
			in: isa + "TA1*000000008*261121*0905*R*021~GS*FA*SIMPAYER*CLAIMGATE01*20261122*1830*42*X*005010X231A1~" +
				"ST*999*0001*005010X231A1~AK1*HC*8~AK9*R*0*0*0~SE*4*0001~GE*1*42~IEA*1*000000042~",
			acks: []Ack{{"TA1", "000000008", "261121", "0905", "R", "021"}},
		},
		{
			name:  "two TA1s, one with bad values",
			in:    isa + "TA1*000000009*261122*1200*E*001~TA1*12*261340*2561*Q*099*X~IEA*0*000000042~",
			acks:  []Ack{{"TA1", "000000009", "261122", "1200", "E", "001"}, {"TA1", "12", "261340", "2561", "Q", "099"}},
			codes: []string{"ta101_invalid", "ta102_invalid", "ta103_invalid", "ta104_invalid", "ta105_invalid", "too_many_elements"},
		},
		{
			name:  "inconsistent note",
			in:    isa + "TA1*000000010*261122*1200*R*000~TA1*000000011*261122*1200*A*006~IEA*0*000000042~",
			acks:  []Ack{{"TA1", "000000010", "261122", "1200", "R", "000"}, {"TA1", "000000011", "261122", "1200", "A", "006"}},
			codes: []string{"ta105_inconsistent", "ta105_inconsistent"},
		},
		{
			name:  "inside a group",
			in:    isa + "GS*FA*SIMPAYER*CLAIMGATE01*20261122*1830*42*X*005010X231A1~TA1*000000007*261122*1200*A*000~GE*0*42~IEA*1*000000042~",
			acks:  []Ack{{"TA1", "000000007", "261122", "1200", "A", "000"}},
			codes: []string{"ta1_inside_group"},
		},
		{
			name:  "cut short",
			in:    isa + "TA1*000000007*261122*1200*A*000~",
			acks:  []Ack{{"TA1", "000000007", "261122", "1200", "A", "000"}},
			codes: []string{"missing_iea"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.Acks, tt.acks) {
				t.Errorf("acks = %+v, want %+v", f.Acks, tt.acks)
			}
			var codes []string
			for _, e := range f.Errors {
				codes = append(codes, e.Code)
				if e.SegmentIndex == 0 {
					t.Errorf("problem without position: %v", e)
				}
			}
			if !reflect.DeepEqual(codes, tt.codes) {
				t.Errorf("problems = %v, want %v\n%v", codes, tt.codes, f.Errors)
			}
		})
	}
}

// TestReadSamples reads every sample file: none may fail, and every TA1 segment a file holds
// must be found (the public samples hold none today; the test keeps that checked).
func TestReadSamples(t *testing.T) {
	dir := samplesDir(t)
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".tsv") || strings.HasSuffix(path, ".md") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		f, err := Read(bytes.NewReader(b))
		if f == nil {
			t.Fatalf("%s: no File", path)
		}
		if err != nil && !errors.Is(err, edi.ErrSyntax) {
			t.Errorf("%s: %v", path, err)
		}
		if want := countTA1(b); len(f.Acks) != want {
			t.Errorf("%s: %d TA1 read, the file holds %d", path, len(f.Acks), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Errorf("read only %d sample files", n)
	}
}

// countTA1 counts segments starting with TA1 followed by an element separator, for any
// terminator the samples use.
func countTA1(b []byte) int {
	n := 0
	for i := 0; i+4 <= len(b); i++ {
		if string(b[i:i+3]) == "TA1" && (i == 0 || !isAlnum(b[i-1])) && !isAlnum(b[i+3]) {
			n++
		}
	}
	return n
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func testEnvelope() Envelope {
	return Envelope{Interchange: edi.ISAHeader{SenderID: "SIMPAYER", ReceiverID: "CLAIMGATE01",
		Time: time.Date(2026, 11, 22, 18, 30, 0, 0, time.UTC), ControlNumber: 42, Usage: "T"}}
}

func TestWriteGoldenAndRoundTrip(t *testing.T) {
	acks := []Ack{{"TA1", "000000007", "261122", "1200", "A", "000"}, {"TA1", "000000008", "261121", "0905", "R", "001"}}
	var b bytes.Buffer
	if err := Write(&b, testEnvelope(), acks...); err != nil {
		t.Fatal(err)
	}
	golden(t, "ta1.golden.x12", b.Bytes())
	f, err := Read(&b)
	if err != nil || len(f.Errors) > 0 {
		t.Fatalf("reading our TA1: %v %v", err, f.Errors)
	}
	if !reflect.DeepEqual(f.Acks, acks) {
		t.Errorf("read back %+v, want %+v", f.Acks, acks)
	}
}

func TestWriteRefusesInvalid(t *testing.T) {
	for _, a := range []Ack{
		{ControlNumber: "7", Date: "261122", Time: "1200", Code: "A", Note: "000"},
		{ControlNumber: "000000007", Date: "261122", Time: "1200", Code: "R", Note: "000"},
		{ControlNumber: "000000007", Date: "26*122", Time: "1200", Code: "A", Note: "000"},
		{ControlNumber: "000000007", Date: "261122", Time: "1200", Code: "A"},
	} {
		if err := Write(io.Discard, testEnvelope(), a); !errors.Is(err, edi.ErrWrite) {
			t.Errorf("Write(%+v) = %v, want an edi.ErrWrite error", a, err)
		}
	}
}

func TestAcknowledge(t *testing.T) {
	tests := []struct {
		name, in   string
		code, note string
	}{
		{"clean", isa + "GS*HC*A*B*20261122*1830*1*X*005010X222A1~ST*837*0001~SE*2*0001~GE*1*1~IEA*1*000000042~", "A", "000"},
		{"IEA control differs", isa + "IEA*0*000000043~", "R", "001"},
		{"IEA count wrong", isa + "IEA*2*000000042~", "R", "021"},
		{"cut short", isa + "GS*HC*A*B*20261122*1830*1*X*005010X222A1~", "R", "023"},
		{"set problems are for the 999", isa + "GS*HC*A*B*20261122*1830*1*X*005010X222A1~ST*837*0001~SE*5*0001~GE*1*1~IEA*1*000000042~", "A", "000"},
		{"bad usage", strings.Replace(isa, "*T*:~", "*Q*:~", 1) + "IEA*0*000000042~", "R", "020"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := edi.NewReader(strings.NewReader(tt.in))
			var ic edi.Interchange
			for {
				seg, err := r.Next()
				if err != nil {
					break
				}
				if seg.ID == "ISA" {
					ic = *r.Interchange()
				}
			}
			a := Acknowledge(ic, r.Errors())
			want := Ack{"TA1", "000000042", "261122", "1830", tt.code, tt.note}
			if a != want {
				t.Errorf("Acknowledge = %+v, want %+v (problems: %v)", a, want, r.Errors())
			}
			if err := a.Validate(); err != nil {
				t.Errorf("generated TA1 is not valid: %v", err)
			}
		})
	}
}

func TestSentence(t *testing.T) {
	if got, want := (Ack{ControlNumber: "000000042", Code: "R", Note: "001"}).Sentence(), "Interchange 000000042 rejected: the ISA13 and IEA02 control numbers differ (note 001)"; got != want {
		t.Errorf("Sentence = %q, want %q", got, want)
	}
	if got, want := (Ack{ControlNumber: "000000042", Code: "A", Note: "000"}).Sentence(), "Interchange 000000042 accepted"; got != want {
		t.Errorf("Sentence = %q, want %q", got, want)
	}
	for i := 0; i <= 31; i++ {
		code := string([]byte{'0', byte('0' + i/10), byte('0' + i%10)})
		if _, ok := notes[code]; !ok {
			t.Errorf("note code %s has no label", code)
		}
	}
}

// FuzzReadTA1 feeds arbitrary bytes to Read: it must never panic, and every TA1 it reads that is
// valid must write and read back unchanged.
func FuzzReadTA1(f *testing.F) {
	f.Add([]byte(isa + "TA1*000000007*261122*1200*A*000~IEA*0*000000042~"))
	f.Add([]byte(isa + "TA1*000000008*261121*0905*R*021~GS*FA*SIMPAYER*CLAIMGATE01*20261122*1830*42*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*8~AK9*R*0*0*0~SE*4*0001~GE*1*42~IEA*1*000000042~"))
	if dir, ok := fuzzSamples(); ok {
		for _, sub := range []string{"999", "277CA"} {
			entries, _ := os.ReadDir(filepath.Join(dir, sub))
			for _, e := range entries {
				if b, err := os.ReadFile(filepath.Join(dir, sub, e.Name())); err == nil {
					f.Add(b)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		file, _ := Read(bytes.NewReader(in))
		if file == nil {
			t.Fatal("no File")
		}
		for _, a := range file.Acks {
			_ = a.Sentence()
			if a.Validate() != nil {
				continue
			}
			var b bytes.Buffer
			if err := Write(&b, testEnvelope(), a); err != nil {
				t.Fatalf("valid TA1 %+v not written: %v", a, err)
			}
			g, err := Read(&b)
			if err != nil || len(g.Errors) > 0 || len(g.Acks) != 1 || g.Acks[0] != a {
				t.Fatalf("round trip of %+v: %v %v %+v", a, err, g.Errors, g.Acks)
			}
		}
	})
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func fuzzSamples() (string, bool) { d := samples.Dir(); return d, d != "" }

func samplesDir(t *testing.T) string { t.Helper(); return samples.Require(t) }

func TestAcknowledgeAll(t *testing.T) {
	second := strings.Replace(isa, "000000042", "000000043", 1)
	third := strings.Replace(isa, "000000042", "000000044", 1)
	// The first interchange is fine, the second has no IEA, the third a wrong IEA01.
	in := isa + "IEA*0*000000042~" + second + third + "IEA*3*000000044~"
	r := edi.NewReader(strings.NewReader(in))
	var ics []edi.Interchange
	for {
		seg, err := r.Next()
		if err != nil {
			break
		}
		if seg.ID == "ISA" {
			ics = append(ics, *r.Interchange())
		}
	}
	got := AcknowledgeAll(ics, r.Errors())
	var summary []string
	for _, a := range got {
		summary = append(summary, a.ControlNumber+" "+a.Code+" "+a.Note)
	}
	want := []string{"000000042 A 000", "000000043 R 023", "000000044 R 021"}
	if !reflect.DeepEqual(summary, want) {
		t.Errorf("AcknowledgeAll = %v, want %v (problems %v)", summary, want, r.Errors())
	}
}
