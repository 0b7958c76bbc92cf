package edi

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/internal/samples"
)

func addSampleSeeds(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(strings.ReplaceAll(sample, "~", "~\r\n")))
	f.Add([]byte("ST*835*1234~BPR*I*1*C~SE*3*1234~"))
	f.Add([]byte("text before ISA*00*x*00*x*ZZ*A*ZZ*B*1*1*^*00501*1*0*T*:~"))
	dir := os.Getenv("CLAIMGATE_SAMPLES")
	if dir == "" {
		dir = samples.Dir()
	}
	var files []string
	if dir != "" {
		files, _ = filepath.Glob(filepath.Join(dir, "*", "*"))
	}
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
}

// FuzzReader: any input is either read to the end or stopped with a syntax error; never a
// panic; every problem is positioned inside the input and says something.
func FuzzReader(f *testing.F) {
	addSampleSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in))
		r.Scanner().MaxSegment = 4096
		last := int64(-1)
		for {
			s, err := r.Next()
			if err != nil {
				break
			}
			if s.Offset <= last {
				t.Fatalf("segment offsets not increasing: %d after %d", s.Offset, last)
			}
			last = s.Offset
			for i := 0; i <= s.Len()+1; i++ {
				_ = s.Element(i)
				_ = s.Component(i, 2)
				_ = s.Repetitions(i)
			}
		}
		for _, e := range r.Errors() {
			if e.Code == "" || e.Msg == "" {
				t.Fatalf("error without code or message: %+v", e)
			}
			if e.Offset < 0 {
				t.Fatalf("negative offset: %+v", e)
			}
		}
	})
}

// FuzzEnvelope mutates the counts and control numbers of a valid interchange: the reader must
// flag exactly the envelope elements that no longer agree.
func FuzzEnvelope(f *testing.F) {
	f.Add("4", "0001", "1", "1", "1", "000000001")
	f.Add("5", "0002", "2", "7", "3", "000000002")
	f.Add("", "", "", "", "", "")
	f.Add("x", "0001~", "1*", "1", "-1", "1")
	f.Fuzz(func(t *testing.T, se01, se02, ge01, ge02, iea01, iea02 string) {
		in := strings.NewReplacer(
			"SE*4*0001", "SE*"+se01+"*"+se02,
			"GE*1*1", "GE*"+ge01+"*"+ge02,
			"IEA*1*000000001", "IEA*"+iea01+"*"+iea02,
		).Replace(sample)
		r := NewReader(strings.NewReader(in))
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
		clean := func(s string) bool { return !strings.ContainsAny(s, "*~:^\r\n\t \x00\x1a") }
		if !clean(se01 + se02 + ge01 + ge02 + iea01 + iea02) {
			return // the mutation changed the segment structure itself
		}
		has := func(code string) bool {
			for _, e := range r.Errors() {
				if e.Code == code {
					return true
				}
			}
			return false
		}
		if se02 != "0001" && !has("se_control_mismatch") {
			t.Errorf("SE02 %q not flagged: %v", se02, r.Errors())
		}
		if ge01 != "1" && !has("ge_count_mismatch") && !has("ge_count") {
			t.Errorf("GE01 %q not flagged: %v", ge01, r.Errors())
		}
		if iea02 != "000000001" && !has("iea_control_mismatch") {
			t.Errorf("IEA02 %q not flagged: %v", iea02, r.Errors())
		}
		if se01 == "4" && se02 == "0001" && ge01 == "1" && ge02 == "1" && iea01 == "1" && iea02 == "000000001" && len(r.Errors()) != 0 {
			t.Errorf("valid envelope flagged: %v", r.Errors())
		}
	})
}

// FuzzWriterRoundTrip: a value the writer accepts reads back unchanged.
func FuzzWriterRoundTrip(f *testing.F) {
	f.Add("SMITH", "JOHN", "99213")
	f.Add("O'BRIEN-JONES", "", "A:B")
	f.Add("", "x*y", "~")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var buf bytes.Buffer
		w := NewWriter(&buf, DefaultDelimiters)
		w.BeginInterchange(ISAHeader{ControlNumber: 1, Time: testTime})
		w.BeginGroup(GSHeader{FunctionalID: "HC", ControlNumber: 1, Time: testTime, Version: "005010X222A1"})
		w.BeginTransaction("837", "0001", "005010X222A1")
		w.Seg("NM1").E("IL").E("1").E(a).E(b).End()
		w.Seg("SV1").C("HC", c, "25").End()
		w.EndTransaction().EndGroup().EndInterchange()
		if err := w.Flush(); err != nil {
			return
		}
		r := NewReader(&buf)
		var nm1, sv1 *Segment
		for {
			s, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("reading our own output: %v", err)
			}
			switch s.ID {
			case "NM1":
				nm1 = s.Clone()
			case "SV1":
				sv1 = s.Clone()
			}
		}
		if len(r.Errors()) != 0 {
			t.Fatalf("our own output has envelope errors: %v", r.Errors())
		}
		if nm1 == nil || sv1 == nil {
			t.Fatalf("segments missing")
		}
		if nm1.String(3) != a || nm1.String(4) != b {
			t.Fatalf("NM1 round trip: %q %q, want %q %q", nm1.String(3), nm1.String(4), a, b)
		}
		if c != "" && sv1.ComponentString(1, 2) != c {
			t.Fatalf("SV1 round trip: %q, want %q", sv1.ComponentString(1, 2), c)
		}
	})
}
