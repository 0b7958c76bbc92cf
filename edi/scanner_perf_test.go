package edi

import (
	"bytes"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// BenchmarkScannerOneLine is BenchmarkScanner on the same interchange written as one unbroken
// stream (no line feed after the terminators), the way most payers send 835s: the scanner
// counts no line feeds and the id cache answers every segment.
func BenchmarkScannerOneLine(b *testing.B) {
	data := bytes.ReplaceAll(benchData(b), []byte("~\n"), []byte("~"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s := NewScanner(bytes.NewReader(data))
		n := 0
		for {
			_, err := s.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n == 0 {
			b.Fatal("no segments")
		}
	}
}

// TestScannerLineNumbers checks the line numbers the scanner gives, including for line feeds
// inside segments, across buffer refills: a segment's Line is 1 + the line feeds before its
// Offset. Every sample file is read as is and with line feeds (and CR LF) inserted at random
// places, through a reader that returns one byte at a time and through a bytes.Reader.
//
// Line feeds are not inserted right before a segment terminator: the scanner trims them from
// the segment without counting them (so the next segments' lines are one short), which is
// how it behaved before the line feed counting was made lazy. Nor inside an ISA, where they
// would change the delimiters.
func TestScannerLineNumbers(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(samplesDir(t), "*", "*"))
	if err != nil || len(files) == 0 {
		t.Skip("no sample files")
	}
	rng := rand.New(rand.NewSource(1))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if is, _, _ := sniffUTF16(data); is {
			continue // offsets are in the transcoded text
		}
		variants := [][]byte{data}
		term := byte(0)
		if i := bytes.Index(data, []byte("ISA")); i >= 0 {
			if d, _, err := DetectDelimiters(data[i:]); err == nil {
				term = d.Segment
			}
		}
		for k := 0; k < 3 && term != 0; k++ {
			v := append([]byte(nil), data...)
			for j := 0; j < 1+rng.Intn(30); j++ {
				pos := rng.Intn(len(v) + 1)
				end := pos
				for end < len(v) && (v[end] == '\r' || v[end] == '\n') {
					end++
				}
				if end < len(v) && v[end] == term {
					continue
				}
				if k := bytes.LastIndex(v[:pos], []byte("ISA")); k >= 0 && pos-k < 110 {
					continue // inside an ISA, a line feed would change the delimiters
				}
				ins := []byte("\n")
				if rng.Intn(3) == 0 {
					ins = []byte("\r\n")
				}
				v = append(v[:pos], append(ins, v[pos:]...)...)
			}
			variants = append(variants, v)
		}
		for vi, v := range variants {
			for _, oneByte := range []bool{false, true} {
				var in io.Reader = bytes.NewReader(v)
				if oneByte {
					in = iotest.OneByteReader(in)
				}
				s := NewScanner(in)
				var counted int64 // v[:counted] holds lines-1 line feeds
				lines := 1
				for {
					seg, err := s.Next()
					if err != nil {
						break
					}
					lines += bytes.Count(v[counted:seg.Offset], []byte("\n"))
					counted = seg.Offset
					if want := lines; seg.Line != want {
						t.Fatalf("%s variant %d (one byte reads %v): segment %d (%s) at byte %d has line %d, want %d",
							filepath.Base(f), vi, oneByte, seg.Index, seg.ID, seg.Offset, seg.Line, want)
					}
				}
			}
		}
	}
}
