package edi

import (
	"bytes"
	"fmt"
	"strconv"
)

// Segment is one X12 segment as read: its id, its raw bytes (without the terminator) and its
// position in the input. Elements are split lazily on first access.
//
// A Segment returned by a Scanner or Reader, and every byte slice it returns, is valid only until
// the next call to Next. Clone returns a copy that stays valid.
type Segment struct {
	// ID is the segment identifier ("ISA", "CLM", ...).
	ID string
	// Offset is the byte offset of the segment's first byte in the input.
	Offset int64
	// Index is the 1-based position of the segment among all segments of the input.
	Index int
	// Line is the 1-based line of the input the segment starts on.
	Line int

	raw   []byte
	delim Delimiters
	ends  []int32 // ends[i] is the index in raw just after element i (0 = the id)
	split bool
}

// NewSegment builds a Segment from raw bytes (without terminator) and delimiters; for tests and
// for callers that hold segments of their own.
func NewSegment(raw []byte, d Delimiters) *Segment {
	s := &Segment{raw: raw, delim: d}
	id := raw
	if i := bytes.IndexByte(raw, d.Element); i >= 0 {
		id = raw[:i]
	}
	s.ID = string(id)
	return s
}

// Raw returns the segment's bytes without the terminator.
func (s *Segment) Raw() []byte { return s.raw }

// Delimiters returns the delimiters of the interchange the segment belongs to.
func (s *Segment) Delimiters() Delimiters { return s.delim }

func (s *Segment) splitElements() {
	s.split = true
	s.ends = s.ends[:0]
	sep := s.delim.Element
	for i, c := range s.raw {
		if c == sep {
			s.ends = append(s.ends, int32(i))
		}
	}
	s.ends = append(s.ends, int32(len(s.raw)))
}

// Len returns the number of data elements (the id not counted), trailing empty ones included.
func (s *Segment) Len() int {
	if !s.split {
		s.splitElements()
	}
	return len(s.ends) - 1
}

// Element returns data element i (1-based, CLM01 is Element(1)); nil when the segment is shorter.
func (s *Segment) Element(i int) []byte {
	if !s.split {
		s.splitElements()
	}
	if i < 1 || i >= len(s.ends) {
		return nil
	}
	return s.raw[s.ends[i-1]+1 : s.ends[i]]
}

// String returns data element i as a string ("" when absent).
func (s *Segment) String(i int) string {
	e := s.Element(i)
	if len(e) == 0 {
		return ""
	}
	return string(e)
}

// Has reports whether data element i is present and not empty.
func (s *Segment) Has(i int) bool { return len(s.Element(i)) > 0 }

// Component returns component j (1-based) of composite element i; for a simple element,
// component 1 is the whole element.
func (s *Segment) Component(i, j int) []byte {
	return nthPart(s.Element(i), s.delim.Component, j)
}

// ComponentString returns Component(i, j) as a string.
func (s *Segment) ComponentString(i, j int) string {
	c := s.Component(i, j)
	if len(c) == 0 {
		return ""
	}
	return string(c)
}

// Components returns the components of element i as strings, trailing empty ones trimmed.
func (s *Segment) Components(i int) []string {
	return splitStrings(s.Element(i), s.delim.Component)
}

// Repetitions returns the repeats of element i (split on the repetition separator); an element
// without repeats is one repeat. An interchange without a repetition separator has no repeats.
func (s *Segment) Repetitions(i int) [][]byte {
	e := s.Element(i)
	if len(e) == 0 {
		return nil
	}
	if s.delim.Repetition == 0 {
		return [][]byte{e}
	}
	return bytes.Split(e, []byte{s.delim.Repetition})
}

// SplitComponents splits a composite (for example one repeat of Repetitions) on the component
// separator, trailing empty components trimmed.
func (s *Segment) SplitComponents(b []byte) []string { return splitStrings(b, s.delim.Component) }

// Amount parses data element i as money. An absent element is 0 with ok false.
func (s *Segment) Amount(i int) (a Amount, ok bool, err error) {
	e := s.Element(i)
	if len(e) == 0 {
		return 0, false, nil
	}
	a, err = ParseAmountBytes(e)
	if err != nil {
		err := ErrorAt(s, i, ErrValue, "invalid_amount", fmt.Sprintf("%s is %q, which is not an amount with at most two decimals", ElementRef(s.ID, i), e))
		err.Value = string(e)
		return 0, true, err
	}
	return a, true, nil
}

// Int parses data element i as a whole number. An absent element is 0 with ok false.
func (s *Segment) Int(i int) (n int64, ok bool, err error) {
	e := s.Element(i)
	if len(e) == 0 {
		return 0, false, nil
	}
	n, err = strconv.ParseInt(string(e), 10, 64)
	if err != nil {
		err := ErrorAt(s, i, ErrValue, "invalid_number", fmt.Sprintf("%s is %q, which is not a whole number", ElementRef(s.ID, i), e))
		err.Value = string(e)
		return 0, true, err
	}
	return n, true, nil
}

// Clone returns a copy of the segment that stays valid after the reader moves on.
func (s *Segment) Clone() *Segment {
	c := &Segment{ID: s.ID, Offset: s.Offset, Index: s.Index, Line: s.Line, delim: s.delim}
	c.raw = append([]byte(nil), s.raw...)
	return c
}

// Text returns the segment as X12 text with its terminator, for messages and tests.
func (s *Segment) Text() string { return string(s.raw) + string(s.delim.Segment) }

func nthPart(e []byte, sep byte, j int) []byte {
	if j < 1 {
		return nil
	}
	for k := 1; ; k++ {
		i := bytes.IndexByte(e, sep)
		if k == j {
			if i < 0 {
				return e
			}
			return e[:i]
		}
		if i < 0 {
			return nil
		}
		e = e[i+1:]
	}
}

func splitStrings(e []byte, sep byte) []string {
	if len(e) == 0 {
		return nil
	}
	parts := bytes.Split(e, []byte{sep})
	for len(parts) > 0 && len(parts[len(parts)-1]) == 0 {
		parts = parts[:len(parts)-1]
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(p)
	}
	return out
}
