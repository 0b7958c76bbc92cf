package edi

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261122*1200*^*00501*000000001*0*T*:~" +
	"GS*HC*SENDER*RECEIVER*20261122*1200*1*X*005010X222A1~" +
	"ST*837*0001*005010X222A1~" +
	"BHT*0019*00*REF1*20261122*1200*CH~" +
	"HI*ABK:E119*ABF:I10~" +
	"SE*4*0001~" +
	"GE*1*1~" +
	"IEA*1*000000001~"

func readAll(t testing.TB, in string) ([]*Segment, *Reader, error) {
	t.Helper()
	r := NewReader(strings.NewReader(in))
	var segs []*Segment
	for {
		s, err := r.Next()
		if err == io.EOF {
			return segs, r, nil
		}
		if err != nil {
			return segs, r, err
		}
		segs = append(segs, s.Clone())
	}
}

func codes(es Errors) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Code)
	}
	return out
}

func TestReaderValid(t *testing.T) {
	segs, r, err := readAll(t, sample)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors()) != 0 {
		t.Fatalf("unexpected errors: %v", r.Errors())
	}
	if len(segs) != 8 {
		t.Fatalf("got %d segments, want 8", len(segs))
	}
	hi := segs[4]
	if hi.ID != "HI" || hi.ComponentString(1, 2) != "E119" || hi.ComponentString(2, 1) != "ABF" {
		t.Errorf("HI accessors: %q %q", hi.ComponentString(1, 2), hi.ComponentString(2, 1))
	}
	if hi.Offset != int64(strings.Index(sample, "HI*")) || hi.Index != 5 || hi.Line != 1 {
		t.Errorf("HI position: offset %d index %d line %d", hi.Offset, hi.Index, hi.Line)
	}
	if got := segs[0].String(6); got != "SENDER         " {
		t.Errorf("ISA06 = %q", got)
	}
	d := segs[0].Delimiters()
	if d != (Delimiters{Element: '*', Component: ':', Repetition: '^', Segment: '~'}) {
		t.Errorf("delimiters = %+v", d)
	}
}

func TestReaderTolerates(t *testing.T) {
	lines := strings.ReplaceAll(sample, "~", "~\r\n")
	indented := strings.ReplaceAll(sample, "~", "~\n    ")
	tests := map[string]string{
		"bom":              "\xEF\xBB\xBF" + sample,
		"leading space":    " \r\n\t" + sample,
		"crlf":             lines,
		"indent":           indented,
		"two interchanges": sample + "\n" + strings.ReplaceAll(strings.ReplaceAll(sample, "*", "|"), ":~", ":~"),
		"newline term":     strings.ReplaceAll(strings.ReplaceAll(sample, "~", "\n"), "*:\n", "*:\n"),
		"unpadded isa":     strings.Replace(sample, "SENDER         ", "SENDER", 1),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			segs, r, err := readAll(t, in)
			if err != nil {
				t.Fatal(err)
			}
			want := 8
			if name == "two interchanges" {
				want = 16
			}
			if len(segs) != want {
				t.Fatalf("got %d segments, want %d", len(segs), want)
			}
			for _, e := range r.Errors() {
				if e.Code != "isa_field_width" {
					t.Errorf("unexpected error %v", e)
				}
			}
			if segs[4].ComponentString(1, 2) != "E119" {
				t.Errorf("HI = %q", segs[4].Raw())
			}
		})
	}
}

func TestReaderEnvelopeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"se count", strings.Replace(sample, "SE*4*", "SE*5*", 1), []string{"se_count_mismatch"}},
		{"se control", strings.Replace(sample, "SE*4*0001", "SE*4*0002", 1), []string{"se_control_mismatch"}},
		{"ge count", strings.Replace(sample, "GE*1*1", "GE*2*1", 1), []string{"ge_count_mismatch"}},
		{"ge control", strings.Replace(sample, "GE*1*1", "GE*1*7", 1), []string{"ge_control_mismatch"}},
		{"iea count", strings.Replace(sample, "IEA*1*", "IEA*3*", 1), []string{"iea_count_mismatch"}},
		{"iea control", strings.Replace(sample, "IEA*1*000000001", "IEA*1*000000002", 1), []string{"iea_control_mismatch"}},
		{"cut short", sample[:strings.Index(sample, "SE*")], []string{"missing_se", "missing_ge", "missing_iea"}},
		{"outside", strings.Replace(sample, "ST*837", "NM1*X~ST*837", 1), []string{"segment_outside_transaction"}},
		{"no terminator", strings.TrimSuffix(sample, "~"), []string{"missing_terminator"}},
		{"every error at once", strings.Replace(strings.Replace(sample, "SE*4*", "SE*9*", 1), "GE*1*1", "GE*3*4", 1),
			[]string{"se_count_mismatch", "ge_count_mismatch", "ge_control_mismatch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r, err := readAll(t, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(r.Errors()); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("codes = %v, want %v\n%v", got, tt.want, r.Errors())
			}
			for _, e := range r.Errors() {
				if !errors.Is(e, ErrEnvelope) && !errors.Is(e, ErrSyntax) {
					t.Errorf("%v does not unwrap to a sentinel", e)
				}
				if e.SegmentIndex == 0 || e.Msg == "" {
					t.Errorf("%v is not positioned", e)
				}
			}
		})
	}
}

func TestReaderErrorPosition(t *testing.T) {
	in := strings.ReplaceAll(strings.Replace(sample, "SE*4*", "SE*5*", 1), "~", "~\n")
	_, r, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	e := r.Errors()[0]
	if e.SegmentIndex != 6 || e.Line != 6 || e.SegmentID != "SE" || e.Element != 1 || e.Offset != int64(strings.Index(in, "SE*")) {
		t.Fatalf("position = %+v", e)
	}
	if !strings.Contains(e.Error(), "segment 6 (SE, line 6, byte") || !strings.Contains(e.Error(), "element SE01") {
		t.Fatalf("message = %q", e.Error())
	}
}

func TestReaderUnreadable(t *testing.T) {
	for name, in := range map[string]string{
		"not x12":       "hello world, this is not X12 at all",
		"bad isa":       "ISA*00*short~",
		"no terminator": "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261122*1200*^*00501*000000001*0*T*:~GS*" + strings.Repeat("A", 200),
	} {
		t.Run(name, func(t *testing.T) {
			r := NewReader(strings.NewReader(in))
			r.Scanner().MaxSegment = 100
			var err error
			for err == nil {
				_, err = r.Next()
			}
			if err == io.EOF {
				t.Fatalf("read to EOF; want a syntax error")
			}
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("err = %v, want ErrSyntax", err)
			}
		})
	}
}

func TestReaderEmpty(t *testing.T) {
	_, r, err := readAll(t, " \n ")
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(r.Errors()); len(got) != 1 || got[0] != "empty" {
		t.Fatalf("codes = %v", got)
	}
}

// TestReaderSmallReads feeds the reader one byte at a time: segment splitting must not depend
// on read boundaries.
func TestReaderSmallReads(t *testing.T) {
	in := strings.Repeat(sample+"\n", 3)
	want, _, _ := readAll(t, in)
	r := NewReader(oneByteReader{strings.NewReader(in)})
	var got []*Segment
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s.Clone())
	}
	if len(got) != len(want) {
		t.Fatalf("got %d segments, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].Raw(), want[i].Raw()) || got[i].Offset != want[i].Offset {
			t.Fatalf("segment %d: %q@%d, want %q@%d", i, got[i].Raw(), got[i].Offset, want[i].Raw(), want[i].Offset)
		}
	}
}

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// TestSamples reads every file under ../shared/x12-samples: none may stop the reader except the
// ones that hold no X12 at all, and the envelope problems the MANIFEST documents are found.
func TestSamples(t *testing.T) {
	dir := samplesDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"271/lfh__subscriber-health-benefit-check-error.271": {"se_control_mismatch"},
		"277/stupidedi__1.era":                               {"iea_control_mismatch"},
		"277CA/oopfactory__FromBogeyone.txt":                 {"missing_se", "missing_ge", "missing_iea"},
		"835/keiron__blue_cross_nc_sample.txt":               {"no_envelope", "st_outside_group", "se_count_mismatch"},
		"835/stupidedi__1.edi":                               {"text_before_isa"},
		"837P/imsweb__x12_multiple_st.txt":                   {"se_count_mismatch", "st_control_duplicate", "se_count_mismatch", "ge_count_mismatch"},
	}
	n := 0
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		if filepath.Dir(rel) == "." {
			continue
		}
		n++
		t.Run(rel, func(t *testing.T) {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			r := NewReader(fh)
			segs := 0
			for {
				_, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("after %d segments: %v", segs, err)
				}
				segs++
			}
			if segs == 0 {
				t.Fatal("no segments")
			}
			if w, ok := want[filepath.ToSlash(rel)]; ok {
				if got := codes(r.Errors()); strings.Join(got, ",") != strings.Join(w, ",") {
					t.Errorf("codes = %v, want %v", got, w)
				}
			}
		})
	}
	if n < 150 {
		t.Errorf("read %d sample files, expected the 161 of the collection", n)
	}
}

func TestReaderLineBeforeTerminator(t *testing.T) {
	in := strings.Replace(sample, "~HI*", "\n~\nHI*", 1)
	segs, _, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if segs[3].ID != "BHT" || segs[3].Line != 1 || segs[4].ID != "HI" || segs[4].Line != 3 || segs[5].Line != 3 {
		t.Fatalf("BHT on line %d, HI on line %d, SE on line %d; want 1, 3 and 3", segs[3].Line, segs[4].Line, segs[5].Line)
	}
}
