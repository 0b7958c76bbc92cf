package x999

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/claimgate/claimgate/edi"
)

// File is what Read found in an input: every 999 transaction set, in input order, and every
// problem (envelope and content), positioned.
type File struct {
	Acks   []FunctionalAck `json:"acks"`
	Errors edi.Errors      `json:"errors"`
}

// Read reads every 999 transaction set of an X12 input (several interchanges and groups
// allowed). Problems are collected in File.Errors; the error result is only for input that cannot
// be read at all (I/O failure, no ISA, a segment without terminator), and even then File holds
// what was read before it.
func Read(in io.Reader) (*File, error) {
	r := edi.NewReader(in)
	d := NewDecoder(r)
	f := &File{}
	open := false
	finish := func() {
		if open {
			f.Acks = append(f.Acks, *d.Finish())
			open = false
		}
	}
	for {
		seg, err := r.Next()
		if err != nil {
			finish()
			f.Errors = r.Errors()
			if errors.Is(err, io.EOF) {
				return f, nil
			}
			return f, fmt.Errorf("reading 999: %w", err)
		}
		switch seg.ID {
		case "ST":
			finish()
			if seg.String(1) == "999" {
				d.Start(seg)
				open = true
			} else {
				r.AddError(edi.ErrorAt(seg, 1, edi.ErrStructure, "unexpected_transaction",
					fmt.Sprintf("transaction set %q is not a 999 implementation acknowledgment; it is skipped", seg.String(1))))
			}
		case "SE", "GE", "IEA", "GS", "ISA":
			finish()
		case "TA1":
			// An interchange acknowledgment; package ta1 reads it.
		default:
			if open {
				d.Add(seg)
			}
		}
	}
}

// Decoder builds a FunctionalAck from the segments of one 999 transaction set at a time, for a
// caller that reads an input itself and dispatches on ST01. It records problems on the
// edi.Reader it was given, so they join the envelope's in one positioned list.
//
//	d := x999.NewDecoder(r)
//	d.Start(st)          // the ST segment
//	d.Add(seg)           // each segment after ST, before SE
//	ack := d.Finish()    // at SE, or at the envelope segment that cut the set short
type Decoder struct {
	r     *edi.Reader
	ack   *FunctionalAck
	state state
	// positions of the open loops, for problems found when they close
	stPos, ak2Pos, lastPos pos
	ik5Seen                bool
}

type state int

const (
	stHeader state = iota // after ST, before AK1
	stAK1                 // after AK1
	stAK2                 // in an AK2 loop, before any IK3
	stIK3                 // in an IK3 loop (CTX are segment contexts)
	stIK4                 // in an IK4 loop (CTX are element contexts)
	stIK5                 // after IK5
	stAK9                 // after AK9
)

type pos struct {
	off  int64
	idx  int
	line int
	id   string
}

func posOf(s *edi.Segment) pos { return pos{s.Offset, s.Index, s.Line, s.ID} }

// NewDecoder returns a Decoder recording problems on r.
func NewDecoder(r *edi.Reader) *Decoder { return &Decoder{r: r} }

// Start begins a transaction set at its ST segment.
func (d *Decoder) Start(st *edi.Segment) {
	d.ack = &FunctionalAck{Type: "999", ControlNumber: st.String(2), GuideVersion: st.String(3), Sets: []SetResponse{}}
	d.state = stHeader
	d.stPos = posOf(st)
	d.lastPos = d.stPos
	d.ik5Seen = false
}

func (d *Decoder) errAt(seg *edi.Segment, element int, kind error, code, format string, args ...any) {
	d.r.AddError(edi.ErrorAt(seg, element, kind, code, fmt.Sprintf(format, args...)))
}

func (d *Decoder) errPos(p pos, kind error, code, format string, args ...any) {
	d.r.AddError(&edi.Error{Offset: p.off, SegmentIndex: p.idx, Line: p.line, SegmentID: p.id, Code: code, Msg: fmt.Sprintf(format, args...), Err: kind})
}

// Add reads one segment of the set (not ST or SE).
func (d *Decoder) Add(seg *edi.Segment) {
	if d.ack == nil {
		d.errAt(seg, 0, edi.ErrStructure, "segment_outside_999", "%s segment outside a 999 transaction set", seg.ID)
		return
	}
	d.lastPos = posOf(seg)
	a := d.ack
	switch seg.ID {
	case "AK1":
		if d.state != stHeader {
			d.errAt(seg, 0, edi.ErrStructure, "ak1_repeated", "AK1 appears more than once in the 999; only the first names the acknowledged group")
			return
		}
		a.FunctionalID = seg.String(1)
		a.GroupControlNumber = seg.String(2)
		a.Version = seg.String(3)
		if a.FunctionalID == "" {
			d.errAt(seg, 1, edi.ErrValue, "ak101_missing", "AK101 (functional identifier of the acknowledged group) is missing")
		}
		if n := len(a.GroupControlNumber); n == 0 || n > 9 || !digits(a.GroupControlNumber) {
			d.errAt(seg, 2, edi.ErrValue, "ak102_invalid", "AK102 %q must be the acknowledged group's control number (1 to 9 digits)", a.GroupControlNumber)
		}
		d.state = stAK1
	case "AK2":
		d.closeSet()
		if d.state == stHeader {
			d.errAt(seg, 0, edi.ErrStructure, "missing_ak1", "AK2 comes before AK1; the acknowledged group is not named")
		}
		if d.state == stAK9 {
			d.errAt(seg, 0, edi.ErrStructure, "ak2_after_ak9", "AK2 comes after AK9; AK9 must close the 999")
		}
		s := SetResponse{SetID: seg.String(1), ControlNumber: seg.String(2), Version: seg.String(3)}
		if s.SetID == "" {
			d.errAt(seg, 1, edi.ErrValue, "ak201_missing", "AK201 (acknowledged transaction set type) is missing")
		}
		if n := len(s.ControlNumber); n < 4 || n > 9 {
			d.errAt(seg, 2, edi.ErrValue, "ak202_invalid", "AK202 %q must be the acknowledged set's control number (4 to 9 characters)", s.ControlNumber)
		}
		a.Sets = append(a.Sets, s)
		d.state = stAK2
		d.ak2Pos = posOf(seg)
		d.ik5Seen = false
	case "IK3":
		set := d.currentSet(seg)
		if set == nil {
			return
		}
		e := SegmentError{SegmentID: seg.String(1), LoopID: seg.String(3), Code: seg.String(4)}
		if e.SegmentID == "" {
			d.errAt(seg, 1, edi.ErrValue, "ik301_missing", "IK301 (id of the segment in error) is missing")
		}
		if n, ok := d.intElement(seg, 2, "IK302"); ok {
			e.Position = n
		}
		if e.Code != "" {
			if _, ok := ik304[e.Code]; !ok {
				d.errAt(seg, 4, edi.ErrValue, "ik304_code", "IK304 %q is not a segment error code (1-8, I4, I6-I9)", e.Code)
			}
		}
		set.Segments = append(set.Segments, e)
		d.state = stIK3
	case "IK4":
		se := d.currentSegmentError(seg)
		if se == nil {
			return
		}
		e := ElementError{Reference: seg.String(2), Code: seg.String(3), BadValue: seg.String(4)}
		if p, ok := d.position(seg, 1, "IK401"); ok {
			e.Position = p
		}
		if e.Code == "" {
			d.errAt(seg, 3, edi.ErrValue, "ik403_missing", "IK403 (element error code) is missing")
		} else if _, ok := ik403[e.Code]; !ok {
			d.errAt(seg, 3, edi.ErrValue, "ik403_code", "IK403 %q is not an element error code (1-10, 12, 13, I6, I9-I13)", e.Code)
		}
		se.Elements = append(se.Elements, e)
		d.state = stIK4
	case "CTX":
		c := d.context(seg)
		switch d.state {
		case stIK3:
			se := d.currentSegmentError(seg)
			se.Contexts = append(se.Contexts, c)
		case stIK4:
			se := d.currentSegmentError(seg)
			el := &se.Elements[len(se.Elements)-1]
			el.Contexts = append(el.Contexts, c)
		default:
			d.errAt(seg, 0, edi.ErrStructure, "ctx_misplaced", "CTX must follow an IK3 or IK4 segment")
		}
	case "IK5":
		set := d.currentSet(seg)
		if set == nil {
			return
		}
		if d.ik5Seen {
			d.errAt(seg, 0, edi.ErrStructure, "ik5_repeated", "IK5 appears twice for transaction set %s", set.ControlNumber)
			return
		}
		d.ik5Seen = true
		set.Status = seg.String(1)
		if _, ok := ik501[set.Status]; !ok {
			d.errAt(seg, 1, edi.ErrValue, "ik501_code", "IK501 %q is not a transaction set acknowledgment code (A, E, M, R, W, X)", set.Status)
		}
		set.Codes = d.codeList(seg, 2, 6, "IK5", ik502)
		if set.Status == "A" && (len(set.Codes) > 0 || len(set.Segments) > 0) {
			d.errAt(seg, 1, edi.ErrValue, "ik501_inconsistent", "IK501 says accepted (A) but the set has errors; A is only for a set without errors")
		}
		d.state = stIK5
	case "AK9":
		d.closeSet()
		if d.state == stAK9 {
			d.errAt(seg, 0, edi.ErrStructure, "ak9_repeated", "AK9 appears more than once in the 999")
			return
		}
		if d.state == stHeader {
			d.errAt(seg, 0, edi.ErrStructure, "missing_ak1", "AK9 comes before AK1; the acknowledged group is not named")
		}
		a.Status = seg.String(1)
		if _, ok := ak901[a.Status]; !ok {
			d.errAt(seg, 1, edi.ErrValue, "ak901_code", "AK901 %q is not a functional group acknowledgment code (A, E, M, P, R, W, X)", a.Status)
		}
		a.Included, _ = d.intElement(seg, 2, "AK902")
		a.Received, _ = d.intElement(seg, 3, "AK903")
		a.Accepted, _ = d.intElement(seg, 4, "AK904")
		a.Codes = d.codeList(seg, 5, 9, "AK9", ak905)
		d.checkCounts(seg)
		d.state = stAK9
	default:
		d.errAt(seg, 0, edi.ErrStructure, "unexpected_segment", "%s segment does not belong in a 999 implementation acknowledgment", seg.ID)
	}
}

// Finish ends the set (at its SE, or where the set was cut short) and returns the
// acknowledgment read.
func (d *Decoder) Finish() *FunctionalAck {
	if d.ack == nil {
		return &FunctionalAck{Type: "999", Sets: []SetResponse{}}
	}
	d.closeSet()
	switch d.state {
	case stHeader:
		d.errPos(d.stPos, edi.ErrStructure, "missing_ak1", "999 %s has no AK1 segment: the acknowledged group is not named", d.ack.ControlNumber)
		fallthrough
	case stAK1, stAK2, stIK3, stIK4, stIK5:
		d.errPos(d.lastPos, edi.ErrStructure, "missing_ak9", "999 %s has no AK9 segment: the group's verdict is missing", d.ack.ControlNumber)
	}
	a := d.ack
	d.ack = nil
	return a
}

// closeSet checks the AK2 loop being left has its IK5.
func (d *Decoder) closeSet() {
	if (d.state == stAK2 || d.state == stIK3 || d.state == stIK4) && !d.ik5Seen {
		set := &d.ack.Sets[len(d.ack.Sets)-1]
		d.errPos(d.ak2Pos, edi.ErrStructure, "missing_ik5", "AK2 loop for transaction set %s has no IK5 verdict", set.ControlNumber)
	}
	if d.state != stHeader && d.state != stAK9 {
		d.state = stAK1
	}
}

func (d *Decoder) currentSet(seg *edi.Segment) *SetResponse {
	if d.state < stAK2 || d.state > stIK5 || len(d.ack.Sets) == 0 {
		d.errAt(seg, 0, edi.ErrStructure, "outside_ak2", "%s must be inside an AK2 loop (after AK2, before AK9)", seg.ID)
		return nil
	}
	if seg.ID == "IK3" && d.state == stIK5 {
		d.errAt(seg, 0, edi.ErrStructure, "ik3_after_ik5", "IK3 comes after IK5; IK5 must close the AK2 loop")
	}
	return &d.ack.Sets[len(d.ack.Sets)-1]
}

func (d *Decoder) currentSegmentError(seg *edi.Segment) *SegmentError {
	if d.state != stIK3 && d.state != stIK4 {
		d.errAt(seg, 0, edi.ErrStructure, "outside_ik3", "%s must follow an IK3 segment", seg.ID)
		return nil
	}
	set := &d.ack.Sets[len(d.ack.Sets)-1]
	return &set.Segments[len(set.Segments)-1]
}

func (d *Decoder) intElement(seg *edi.Segment, i int, name string) (int, bool) {
	n, ok, err := seg.Int(i)
	if err != nil || (ok && (n < 0 || n > 999999999)) {
		d.errAt(seg, i, edi.ErrValue, "invalid_number", "%s %q is not a count", name, seg.String(i))
		return 0, false
	}
	if !ok {
		d.errAt(seg, i, edi.ErrValue, "missing_element", "%s is missing", name)
		return 0, false
	}
	return int(n), true
}

func (d *Decoder) codeList(seg *edi.Segment, from, to int, name string, list map[string]string) []string {
	var out []string
	for i := from; i <= to; i++ {
		c := seg.String(i)
		if c == "" {
			continue
		}
		if _, ok := list[c]; !ok {
			d.errAt(seg, i, edi.ErrValue, "unknown_code", "%s %q is not in the code list", edi.ElementRef(name, i), c)
		}
		out = append(out, c)
	}
	if seg.Len() > to {
		d.errAt(seg, to+1, edi.ErrValue, "too_many_elements", "%s has %d elements; at most %d are defined", name, seg.Len(), to)
	}
	return out
}

// position reads a C030 composite: element, component and repetition positions.
func (d *Decoder) position(seg *edi.Segment, i int, name string) (Position, bool) {
	parts := seg.Components(i)
	if len(parts) == 0 {
		d.errAt(seg, i, edi.ErrValue, "missing_element", "%s (position of the element in error) is missing", name)
		return Position{}, false
	}
	var p Position
	fields := []*int{&p.Element, &p.Component, &p.Repetition}
	for k, s := range parts {
		if k >= len(fields) {
			d.errAt(seg, i, edi.ErrValue, "too_many_components", "%s %q has more than 3 components", name, seg.String(i))
			return p, false
		}
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 99999 {
			d.errAt(seg, i, edi.ErrValue, "invalid_position", "%s %q is not an element position (element[:component[:repetition]])", name, seg.String(i))
			return p, false
		}
		*fields[k] = n
	}
	if p.Element == 0 {
		d.errAt(seg, i, edi.ErrValue, "invalid_position", "%s %q does not give the element position", name, seg.String(i))
		return p, false
	}
	return p, true
}

func (d *Decoder) context(seg *edi.Segment) Context {
	c := Context{
		Name:      seg.ComponentString(1, 1),
		Reference: seg.ComponentString(1, 2),
		SegmentID: seg.String(2),
		LoopID:    seg.String(4),
	}
	if c.Name == "" {
		d.errAt(seg, 1, edi.ErrValue, "missing_element", "CTX01-1 (context name) is missing")
	}
	if seg.Has(3) {
		if n, ok := d.intElement(seg, 3, "CTX03"); ok {
			c.SegmentPosition = n
		}
	}
	if seg.Has(5) {
		if p, ok := d.position(seg, 5, "CTX05"); ok {
			c.Position = &p
		}
	}
	c.ElementReference = seg.Components(6)
	return c
}

// checkCounts compares AK9's counts with each other and with the AK2 loops.
func (d *Decoder) checkCounts(seg *edi.Segment) {
	a := d.ack
	if a.Accepted > a.Received {
		d.errAt(seg, 4, edi.ErrValue, "ak9_counts", "AK904 says %d sets accepted but AK903 only %d received", a.Accepted, a.Received)
	}
	rejected := 0
	for _, s := range a.Sets {
		if s.Status == "" {
			return // a set without IK5 (already reported): nothing to compare against
		}
		if !s.Accepted() {
			rejected++
		}
	}
	switch a.Status {
	case "A", "E":
		if rejected > 0 {
			d.errAt(seg, 1, edi.ErrValue, "ak9_inconsistent", "AK901 says the group was accepted (%s) but %d transaction sets were rejected", a.Status, rejected)
		}
	case "P":
		if len(a.Sets) > 0 && (rejected == 0 || rejected == len(a.Sets)) {
			d.errAt(seg, 1, edi.ErrValue, "ak9_inconsistent", "AK901 says partly accepted (P) but %d of %d transaction sets were rejected", rejected, len(a.Sets))
		}
	}
	if len(a.Sets) == a.Received && a.Received > 0 && a.Accepted != len(a.Sets)-rejected {
		d.errAt(seg, 4, edi.ErrValue, "ak9_counts", "AK904 says %d sets accepted but the AK2 loops accept %d", a.Accepted, len(a.Sets)-rejected)
	}
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
