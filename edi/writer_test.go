package edi

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

var testTime = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func writeSample(w *Writer) {
	w.BeginInterchange(ISAHeader{SenderID: "SENDER", ReceiverID: "RECEIVER", Time: testTime, ControlNumber: 1})
	w.BeginGroup(GSHeader{FunctionalID: "HC", Sender: "SENDER", Receiver: "RECEIVER", Time: testTime, ControlNumber: 1, Version: "005010X222A1"})
	w.BeginTransaction("837", ControlNumber(1), "005010X222A1")
	w.Seg("BHT").E("0019").E("00").E("REF1").E("20261122").E("1200").E("CH").End()
	w.Seg("HI").C("ABK", "E119").C("ABF", "I10").End()
	w.EndTransaction()
	w.EndGroup()
	w.EndInterchange()
}

func TestWriterSample(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, DefaultDelimiters)
	writeSample(w)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if buf.String() != sample {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), sample)
	}
	// What we write, we read without a single envelope problem.
	_, r, err := readAll(t, buf.String())
	if err != nil || len(r.Errors()) != 0 {
		t.Fatalf("read back: %v %v", err, r.Errors())
	}
}

func TestWriterTrimsAndFormats(t *testing.T) {
	tests := []struct {
		name  string
		build func(w *Writer)
		want  string
	}{
		{"trailing empties", func(w *Writer) { w.Seg("NM1").E("85").E("2").E("").E("").End() }, "NM1*85*2~"},
		{"inner empties", func(w *Writer) { w.Seg("NM1").E("85").E("").E("").E("X").End() }, "NM1*85***X~"},
		{"skip", func(w *Writer) { w.Seg("CLM").E("A").Skip(3).E("B").Skip(2).End() }, "CLM*A****B~"},
		{"composite trim", func(w *Writer) { w.Seg("SV1").C("HC", "99213", "", "").C("", "").E("1").End() }, "SV1*HC:99213**1~"},
		{"composite inner", func(w *Writer) { w.Seg("CLM").C("11", "B", "1").End() }, "CLM*11:B:1~"},
		{"amounts", func(w *Writer) {
			w.Seg("AMT").Amt(12500).Amt(12550).Amt(12525).Amt(-310).Amt(0).Int(42).End()
		}, "AMT*125*125.5*125.25*-3.1*0*42~"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, DefaultDelimiters)
			tt.build(w)
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Fatalf("got %q, want %q", buf.String(), tt.want)
			}
		})
	}
}

func TestWriterRefusesDelimiters(t *testing.T) {
	tests := []struct {
		name    string
		build   func(w *Writer)
		element int
		comp    int
		msg     string
	}{
		{"element sep", func(w *Writer) { w.Seg("NM1").E("85").E("2").E("SMITH*JONES").End() }, 3, 0, "NM103 contains the element separator '*' at character 6"},
		{"terminator", func(w *Writer) { w.Seg("N3").E("1 MAIN ST~").End() }, 1, 0, "segment terminator"},
		{"component", func(w *Writer) { w.Seg("REF").E("G1").E("A:B").End() }, 2, 0, "component separator"},
		{"repetition", func(w *Writer) { w.Seg("NTE").E("ADD").E("A^B").End() }, 2, 0, "repetition separator"},
		{"control char", func(w *Writer) { w.Seg("NTE").E("ADD").E("line\nbreak").End() }, 2, 0, "control character"},
		{"in composite", func(w *Writer) { w.Seg("SV1").C("HC", "992*13").End() }, 1, 2, "SV101-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, DefaultDelimiters)
			tt.build(w)
			w.Seg("LX").E("1").End() // ignored after the first error
			err := w.Flush()
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrWrite) {
				t.Fatalf("err = %v, want *Error wrapping ErrWrite", err)
			}
			if e.Element != tt.element || e.Component != tt.comp || !strings.Contains(e.Msg, tt.msg) {
				t.Fatalf("error = %+v (%s)", e, e.Msg)
			}
			if buf.Len() != 0 {
				t.Fatalf("wrote %q despite the error", buf.String())
			}
		})
	}
}

func TestWriterEnvelopeMisuse(t *testing.T) {
	for name, build := range map[string]func(w *Writer){
		"group outside interchange": func(w *Writer) { w.BeginGroup(GSHeader{ControlNumber: 1}) },
		"st outside group": func(w *Writer) {
			w.BeginInterchange(ISAHeader{ControlNumber: 1, Time: testTime}).BeginTransaction("837", "0001", "")
		},
		"segment not ended":  func(w *Writer) { w.Seg("LX").E("1").Seg("SV1") },
		"bad control number": func(w *Writer) { w.BeginInterchange(ISAHeader{ControlNumber: 1e9}) },
		"isa field too long": func(w *Writer) { w.BeginInterchange(ISAHeader{ControlNumber: 1, SenderID: "0123456789ABCDEF"}) },
		"short st02": func(w *Writer) {
			w.BeginInterchange(ISAHeader{ControlNumber: 1}).BeginGroup(GSHeader{ControlNumber: 1}).BeginTransaction("837", "1", "")
		},
	} {
		t.Run(name, func(t *testing.T) {
			w := NewWriter(io.Discard, DefaultDelimiters)
			build(w)
			if err := w.Flush(); !errors.Is(err, ErrWrite) {
				t.Fatalf("err = %v, want ErrWrite", err)
			}
		})
	}
}

func TestWriterOtherDelimiters(t *testing.T) {
	var buf bytes.Buffer
	d := Delimiters{Element: '|', Component: '>', Repetition: 0, Segment: '\n'}
	w := NewWriter(&buf, d)
	writeSample(w)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	segs, r, err := readAll(t, buf.String())
	if err != nil || len(r.Errors()) != 0 {
		t.Fatalf("read back: %v %v", err, r.Errors())
	}
	if segs[0].Delimiters() != d {
		t.Fatalf("delimiters %+v, want %+v", segs[0].Delimiters(), d)
	}
	if !strings.Contains(buf.String(), "*U*00501") && !strings.Contains(buf.String(), "|U|00501") {
		t.Fatalf("ISA11 should be U without a repetition separator: %q", buf.String()[:110])
	}
}
