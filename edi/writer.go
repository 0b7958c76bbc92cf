package edi

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Writer writes X12 segments. It builds each segment in place without allocating, trims trailing
// empty elements and components, counts the segments of each transaction set for SE01, the sets
// of each group for GE01 and the groups of each interchange for IEA01, and refuses values that
// contain a delimiter or a control character.
//
// The first problem stops the Writer: later calls do nothing and Err (and Flush) return it, an
// *Error wrapping ErrWrite that names the segment and element.
//
//	w := edi.NewWriter(out, edi.DefaultDelimiters)
//	w.BeginInterchange(isa)
//	w.BeginGroup(gs)
//	w.BeginTransaction("837", "0001", "005010X222A1")
//	w.Seg("NM1").E("41").E("2").E(name).E("").E("").E("").E("").E("46").E(id).End()
//	...
//	w.EndTransaction()
//	w.EndGroup()
//	w.EndInterchange()
//	err := w.Flush()
type Writer struct {
	out io.Writer
	d   Delimiters
	buf []byte
	bad [256]bool
	// LineBreaks writes a line feed after every segment terminator. Off by default: many payers'
	// companion guides want one unbroken stream.
	LineBreaks bool

	inSeg    bool
	segID    string
	elem     int // position of the next element
	pending  int // empty elements not yet written
	segStart int

	err      error
	segments int // all segments written, for error positions

	inIc, inGroup, inTx          bool
	icControl, gsControl, stCtrl string
	icGroups, groupSets, txSegs  int
}

// NewWriter returns a Writer writing to w with the given delimiters.
func NewWriter(w io.Writer, d Delimiters) *Writer {
	wr := &Writer{out: w, d: d, buf: make([]byte, 0, 32<<10)}
	if err := d.Validate(); err != nil {
		wr.err = err
	}
	for c := 0; c < 0x20; c++ {
		wr.bad[c] = true
	}
	wr.bad[0x7f] = true
	wr.bad[d.Element] = true
	wr.bad[d.Component] = true
	wr.bad[d.Segment] = true
	if d.Repetition != 0 {
		wr.bad[d.Repetition] = true
	}
	return wr
}

// Delimiters returns the writer's delimiters.
func (w *Writer) Delimiters() Delimiters { return w.d }

// Err returns the first problem, or nil.
func (w *Writer) Err() error { return w.err }

// Segments returns the number of segments written so far.
func (w *Writer) Segments() int { return w.segments }

func (w *Writer) fail(code, msg string) {
	if w.err != nil {
		return
	}
	w.err = &Error{SegmentIndex: w.segments + 1, SegmentID: w.segID, Element: w.elem, Code: code, Msg: msg, Err: ErrWrite}
}

// Seg starts a segment.
func (w *Writer) Seg(id string) *Writer {
	if w.err != nil {
		return w
	}
	if w.inSeg {
		w.fail("segment_not_ended", fmt.Sprintf("segment %s was not ended before %s", w.segID, id))
		return w
	}
	if id == "" || len(id) > 3 || !isAlnumString(id) {
		w.fail("bad_segment_id", fmt.Sprintf("%q is not a segment id", id))
		return w
	}
	w.inSeg = true
	w.segID = id
	w.elem = 1
	w.pending = 0
	w.segStart = len(w.buf)
	w.buf = append(w.buf, id...)
	return w
}

func (w *Writer) beginElement() bool {
	if w.err != nil {
		return false
	}
	if !w.inSeg {
		w.fail("no_segment", "element written outside a segment")
		return false
	}
	for ; w.pending > 0; w.pending-- {
		w.buf = append(w.buf, w.d.Element)
	}
	w.buf = append(w.buf, w.d.Element)
	return true
}

func (w *Writer) checkValue(s string, component int) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; w.bad[c] {
			what := "a control character"
			switch c {
			case w.d.Element:
				what = "the element separator"
			case w.d.Component:
				what = "the component separator"
			case w.d.Segment:
				what = "the segment terminator"
			case w.d.Repetition:
				what = "the repetition separator"
			}
			ref := ElementRef(w.segID, w.elem)
			if component > 0 {
				ref += "-" + strconv.Itoa(component)
			}
			// The value itself may be a name or an address: it goes in Value, never in the
			// message, so logging the error logs no patient data.
			w.fail("delimiter_in_data", fmt.Sprintf("%s contains %s %q at character %d; remove it from the data", ref, what, c, i+1))
			if e, ok := w.err.(*Error); ok {
				e.Component = component
				e.Value = s
			}
			return false
		}
	}
	return true
}

// E writes a simple element. An empty string is an empty element (dropped when trailing).
func (w *Writer) E(s string) *Writer {
	if s == "" {
		if w.err == nil {
			w.pending++
			w.elem++
		}
		return w
	}
	if !w.checkValue(s, 0) || !w.beginElement() {
		return w
	}
	w.buf = append(w.buf, s...)
	w.elem++
	return w
}

// EB writes a simple element from bytes (for values formatted into a scratch buffer). An empty
// slice is an empty element.
func (w *Writer) EB(b []byte) *Writer {
	if len(b) == 0 {
		return w.E("")
	}
	for _, c := range b {
		if w.bad[c] {
			return w.E(string(b)) // the slow path reports the problem
		}
	}
	if !w.beginElement() {
		return w
	}
	w.buf = append(w.buf, b...)
	w.elem++
	return w
}

// Skip writes n empty elements.
func (w *Writer) Skip(n int) *Writer {
	if w.err == nil {
		w.pending += n
		w.elem += n
	}
	return w
}

// Amt writes an amount in the TR3's form, without trailing zero noise (125, 125.5, 125.25).
func (w *Writer) Amt(a Amount) *Writer {
	if !w.beginElement() {
		return w
	}
	w.buf = a.AppendX12(w.buf)
	w.elem++
	return w
}

// Int writes a whole number.
func (w *Writer) Int(n int64) *Writer {
	if !w.beginElement() {
		return w
	}
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.elem++
	return w
}

// C writes a composite element from its components; trailing empty components are dropped and
// an all-empty composite is an empty element.
func (w *Writer) C(parts ...string) *Writer {
	if w.err != nil {
		return w
	}
	last := len(parts) - 1
	for last >= 0 && parts[last] == "" {
		last--
	}
	if last < 0 {
		return w.E("")
	}
	for i := 0; i <= last; i++ {
		if !w.checkValue(parts[i], i+1) {
			return w
		}
	}
	if !w.beginElement() {
		return w
	}
	for i := 0; i <= last; i++ {
		if i > 0 {
			w.buf = append(w.buf, w.d.Component)
		}
		w.buf = append(w.buf, parts[i]...)
	}
	w.elem++
	return w
}

// End ends the segment: writes the terminator and counts it.
func (w *Writer) End() *Writer {
	if w.err != nil {
		return w
	}
	if !w.inSeg {
		w.fail("no_segment", "End called outside a segment")
		return w
	}
	w.buf = append(w.buf, w.d.Segment)
	if w.LineBreaks {
		w.buf = append(w.buf, '\n')
	}
	w.inSeg = false
	w.segments++
	if w.inTx {
		w.txSegs++
	}
	if len(w.buf) >= 32<<10 {
		w.flushBuf()
	}
	return w
}

func (w *Writer) flushBuf() {
	if len(w.buf) == 0 || w.err != nil {
		return
	}
	if _, err := w.out.Write(w.buf); err != nil {
		w.err = fmt.Errorf("writing X12 output: %w", err)
	}
	w.buf = w.buf[:0]
}

// Flush writes buffered segments to the underlying writer and returns the first problem.
func (w *Writer) Flush() error {
	if w.err == nil && w.inSeg {
		w.fail("segment_not_ended", fmt.Sprintf("segment %s was not ended", w.segID))
	}
	w.flushBuf()
	return w.err
}

// ISAHeader holds the values of an ISA segment. Empty qualifiers default to "00" (no
// authorization or security information) and ZZ (mutually defined ids).
type ISAHeader struct {
	AuthQualifier, AuthInfo         string // ISA01, ISA02
	SecurityQualifier, SecurityInfo string // ISA03, ISA04
	SenderQualifier, SenderID       string // ISA05, ISA06
	ReceiverQualifier, ReceiverID   string // ISA07, ISA08
	Time                            time.Time
	Version                         string // ISA12; default 00501
	ControlNumber                   int64  // ISA13, 1..999999999
	AckRequested                    bool   // ISA14: ask for a TA1
	Usage                           string // ISA15: P or T (default T)
}

// GSHeader holds the values of a GS segment.
type GSHeader struct {
	FunctionalID  string // GS01: HC, HP, FA, HN
	Sender        string // GS02
	Receiver      string // GS03
	Time          time.Time
	ControlNumber int64  // GS06
	Version       string // GS08, e.g. 005010X222A1
}

func pad(s string, n int) string {
	for len(s) < n {
		s += " "
	}
	return s
}

// BeginInterchange writes the ISA segment, with its fixed-width fields padded.
func (w *Writer) BeginInterchange(h ISAHeader) *Writer {
	if w.err != nil {
		return w
	}
	if w.inIc {
		w.fail("envelope_nesting", "BeginInterchange inside an open interchange")
		return w
	}
	if h.ControlNumber < 1 || h.ControlNumber > 999999999 {
		w.fail("isa_control_number", fmt.Sprintf("interchange control number %d must be 1 to 999999999", h.ControlNumber))
		return w
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"ISA02", h.AuthInfo, 10}, {"ISA04", h.SecurityInfo, 10}, {"ISA06", h.SenderID, 15}, {"ISA08", h.ReceiverID, 15}} {
		if len(f.v) > f.max {
			w.fail("isa_field_width", fmt.Sprintf("%s %q is longer than %d characters", f.name, f.v, f.max))
			return w
		}
	}
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	usage := or(h.Usage, "T")
	ack := "0"
	if h.AckRequested {
		ack = "1"
	}
	rep := string(w.d.Repetition)
	if w.d.Repetition == 0 {
		rep = "U"
	}
	t := h.Time.UTC()
	w.icControl = fmt.Sprintf("%09d", h.ControlNumber)
	w.Seg("ISA").
		E(or(h.AuthQualifier, "00")).E(pad(h.AuthInfo, 10)).
		E(or(h.SecurityQualifier, "00")).E(pad(h.SecurityInfo, 10)).
		E(or(h.SenderQualifier, "ZZ")).E(pad(h.SenderID, 15)).
		E(or(h.ReceiverQualifier, "ZZ")).E(pad(h.ReceiverID, 15)).
		E(t.Format("060102")).E(t.Format("1504"))
	// ISA11 and ISA16 are delimiters themselves: write them without the value check.
	if w.beginElement() {
		w.buf = append(w.buf, rep...)
		w.elem++
	}
	w.E(or(h.Version, "00501")).E(w.icControl).E(ack).E(usage)
	if w.beginElement() {
		w.buf = append(w.buf, w.d.Component)
		w.elem++
	}
	w.End()
	w.inIc = true
	w.icGroups = 0
	return w
}

// EndInterchange writes the IEA segment with the group count.
func (w *Writer) EndInterchange() *Writer {
	if w.err != nil {
		return w
	}
	if !w.inIc || w.inGroup {
		w.fail("envelope_nesting", "EndInterchange without an open interchange, or with a group still open")
		return w
	}
	w.Seg("IEA").Int(int64(w.icGroups)).E(w.icControl).End()
	w.inIc = false
	return w
}

// BeginGroup writes the GS segment.
func (w *Writer) BeginGroup(h GSHeader) *Writer {
	if w.err != nil {
		return w
	}
	if !w.inIc || w.inGroup {
		w.fail("envelope_nesting", "BeginGroup outside an interchange or inside an open group")
		return w
	}
	if h.ControlNumber < 1 || h.ControlNumber > 999999999 {
		w.fail("gs_control_number", fmt.Sprintf("group control number %d must be 1 to 999999999", h.ControlNumber))
		return w
	}
	t := h.Time.UTC()
	w.gsControl = strconv.FormatInt(h.ControlNumber, 10)
	w.Seg("GS").E(h.FunctionalID).E(h.Sender).E(h.Receiver).E(t.Format("20060102")).E(t.Format("1504")).
		E(w.gsControl).E("X").E(h.Version).End()
	w.inGroup = true
	w.groupSets = 0
	w.icGroups++
	return w
}

// EndGroup writes the GE segment with the transaction set count.
func (w *Writer) EndGroup() *Writer {
	if w.err != nil {
		return w
	}
	if !w.inGroup || w.inTx {
		w.fail("envelope_nesting", "EndGroup without an open group, or with a transaction set still open")
		return w
	}
	w.Seg("GE").Int(int64(w.groupSets)).E(w.gsControl).End()
	w.inGroup = false
	return w
}

// BeginTransaction writes the ST segment. version is ST03 (the implementation guide).
func (w *Writer) BeginTransaction(id, control, version string) *Writer {
	if w.err != nil {
		return w
	}
	if !w.inGroup || w.inTx {
		w.fail("envelope_nesting", "BeginTransaction outside a group or inside an open transaction set")
		return w
	}
	if n := len(control); n < 4 || n > 9 {
		w.fail("st_control_number", fmt.Sprintf("transaction set control number %q must be 4 to 9 characters", control))
		return w
	}
	w.stCtrl = control
	w.inTx = true
	w.txSegs = 0
	w.Seg("ST").E(id).E(control).E(version).End()
	w.groupSets++
	return w
}

// EndTransaction writes the SE segment with the segment count (ST and SE included).
func (w *Writer) EndTransaction() *Writer {
	if w.err != nil {
		return w
	}
	if !w.inTx {
		w.fail("envelope_nesting", "EndTransaction without an open transaction set")
		return w
	}
	w.Seg("SE").Int(int64(w.txSegs + 1)).E(w.stCtrl).End()
	w.inTx = false
	return w
}

// TransactionSegments returns the number of segments of the open transaction set so far.
func (w *Writer) TransactionSegments() int { return w.txSegs }

// ControlNumber formats a transaction set control number as ST02 wants it: at least four digits.
func ControlNumber(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
