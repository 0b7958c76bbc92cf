package x999

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/internal/samples"
)

// FuzzRead999 feeds arbitrary bytes to Read; it must never panic, every problem must carry a
// message, and whatever was read must either be written back and read again identically or be
// refused by the writer with an error.
func FuzzRead999(f *testing.F) {
	if dir, ok := fuzzSamples(); ok {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(brokenGroup))
	var b bytes.Buffer
	if err := Write(&b, testEnvelope(), sampleAck()); err == nil {
		f.Add(b.Bytes())
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		file, _ := Read(bytes.NewReader(in))
		if file == nil {
			t.Fatal("Read returned no File")
		}
		for _, e := range file.Errors {
			if e.Msg == "" || e.Code == "" {
				t.Fatalf("problem without code or message: %+v", e)
			}
		}
		for i := range file.Acks {
			_ = file.Acks[i].Sentences()
		}
		var out bytes.Buffer
		if err := Write(&out, testEnvelope(), file.Acks...); err != nil {
			return
		}
		again, err := Read(&out)
		if err != nil {
			t.Fatalf("reading our own output: %v\n%s", err, out.Bytes())
		}
		// The writer fills in what the reader may have left empty.
		for i := range file.Acks {
			if file.Acks[i].ControlNumber == "" {
				file.Acks[i].ControlNumber = edi.ControlNumber(int64(i + 1))
			}
			if file.Acks[i].GuideVersion == "" {
				file.Acks[i].GuideVersion = GuideVersion
			}
		}
		if !reflect.DeepEqual(again.Acks, file.Acks) {
			t.Fatalf("round trip changed the model:\n%+v\n%+v\n%s", file.Acks, again.Acks, out.Bytes())
		}
		// The tracker and generator must also cope with any input.
		r := edi.NewReader(bytes.NewReader(in))
		var tr Tracker
		for {
			seg, err := r.Next()
			if err != nil {
				break
			}
			tr.Observe(r, seg)
		}
		_ = Write(io.Discard, testEnvelope(), tr.Acknowledge(r.Errors())...)
	})
}

func fuzzSamples() (string, bool) { d := samples.Dir("999"); return d, d != "" }

func BenchmarkRead999(b *testing.B) {
	// A 999 with 500 rejected sets, each with a segment and an element error.
	var sb strings.Builder
	a := FunctionalAck{FunctionalID: "HC", GroupControlNumber: "1", Version: "005010X222A1", Status: "R", Included: 500, Received: 500}
	for i := 0; i < 500; i++ {
		a.Sets = append(a.Sets, SetResponse{SetID: "837", ControlNumber: edi.ControlNumber(int64(i + 1)), Status: "R", Codes: []string{"5"},
			Segments: []SegmentError{{SegmentID: "CLM", Position: 23, LoopID: "2300", Code: "8", Contexts: []Context{{Name: "CLM01", Reference: "PCN"}},
				Elements: []ElementError{{Position: Position{Element: 5, Component: 1}, Reference: "1331", Code: "7", BadValue: "XX"}}}}})
	}
	if err := Write(&sb, testEnvelope(), a); err != nil {
		b.Fatal(err)
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Read(strings.NewReader(in))
		if err != nil || len(f.Acks) != 1 || len(f.Errors) > 0 {
			b.Fatalf("%v %d %v", err, len(f.Acks), f.Errors)
		}
	}
}
