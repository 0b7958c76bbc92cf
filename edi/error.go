package edi

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors that every *Error unwraps to, so callers can sort problems by kind.
var (
	// ErrSyntax: the bytes cannot be split into segments (no ISA, a segment without terminator,
	// an oversized segment).
	ErrSyntax = errors.New("x12 syntax error")
	// ErrEnvelope: an ISA/IEA, GS/GE or ST/SE pair disagrees (counts, control numbers, nesting).
	ErrEnvelope = errors.New("x12 envelope error")
	// ErrStructure: a transaction set's segments are missing, misplaced or repeated too often.
	ErrStructure = errors.New("x12 structure error")
	// ErrValue: an element's value is missing, too long, of the wrong form or not a valid code.
	ErrValue = errors.New("x12 value error")
	// ErrBalance: amounts that must add up do not (835 balancing).
	ErrBalance = errors.New("x12 balancing error")
	// ErrWrite: a value cannot be written without corrupting the file.
	ErrWrite = errors.New("x12 write error")
)

// Error is one positioned problem with X12 input or output.
//
// Offset is the byte offset of the segment's first byte in the input, SegmentIndex its 1-based
// position among all segments of the input, Line its 1-based line. Element and Component are
// 1-based positions within the segment (0: the whole segment). Code is a stable snake_case
// identifier (e.g. "se_count_mismatch"); Msg a sentence a person can act on.
type Error struct {
	Offset       int64  `json:"offset"`
	SegmentIndex int    `json:"segment_index"`
	Line         int    `json:"line,omitempty"`
	SegmentID    string `json:"segment,omitempty"`
	Element      int    `json:"element,omitempty"`
	Component    int    `json:"component,omitempty"`
	Code         string `json:"code"`
	Msg          string `json:"message"`
	// Loop is the loop the segment belongs to, where the reader knows it (e.g. "2300").
	Loop string `json:"loop,omitempty"`
	// Value is the offending element value, where there is one (999 IK404 carries it back).
	Value string `json:"value,omitempty"`
	// Transaction is the ST02 control number of the transaction set holding the segment.
	Transaction string `json:"transaction,omitempty"`
	Err         error  `json:"-"`
}

// Error formats the problem with its position:
// "segment 12 (CLM, line 12, byte 345) element 2: <message>".
func (e *Error) Error() string {
	var b strings.Builder
	if e.SegmentIndex > 0 || e.SegmentID != "" {
		b.WriteString("segment ")
		if e.SegmentIndex > 0 {
			b.WriteString(strconv.Itoa(e.SegmentIndex))
			b.WriteString(" (")
		} else {
			b.WriteString("(")
		}
		if e.SegmentID != "" {
			b.WriteString(e.SegmentID)
			b.WriteString(", ")
		}
		if e.Line > 0 {
			b.WriteString("line ")
			b.WriteString(strconv.Itoa(e.Line))
			b.WriteString(", ")
		}
		b.WriteString("byte ")
		b.WriteString(strconv.FormatInt(e.Offset, 10))
		b.WriteString(")")
		if e.Element > 0 {
			b.WriteString(" element ")
			b.WriteString(ElementRef(e.SegmentID, e.Element))
			if e.Component > 0 {
				b.WriteString("-")
				b.WriteString(strconv.Itoa(e.Component))
			}
		}
		b.WriteString(": ")
	} else if e.Offset > 0 {
		b.WriteString("byte ")
		b.WriteString(strconv.FormatInt(e.Offset, 10))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the sentinel (ErrSyntax, ErrEnvelope, ...) the error belongs to.
func (e *Error) Unwrap() error { return e.Err }

// ElementRef names an element the way X12 guides do: segment id and two-digit position (CLM05).
func ElementRef(segmentID string, element int) string {
	if element < 10 {
		return segmentID + "0" + strconv.Itoa(element)
	}
	return segmentID + strconv.Itoa(element)
}

// ErrorAt returns an *Error positioned at seg. element may be 0 for the whole segment.
func ErrorAt(seg *Segment, element int, kind error, code, msg string) *Error {
	e := &Error{Element: element, Code: code, Msg: msg, Err: kind}
	if seg != nil {
		e.Offset = seg.Offset
		e.SegmentIndex = seg.Index
		e.Line = seg.Line
		e.SegmentID = seg.ID
	}
	return e
}

// Errors is a list of problems that is itself an error, so a function can return every problem
// it found as one value. errors.Is and errors.As see each element.
type Errors []*Error

// Error joins the messages, one per line.
func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap exposes every error to errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Err returns nil for an empty list, the list otherwise.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
