package edi

import (
	"fmt"
	"io"
)

// Envelope addresses an interchange of one functional group: the ISA and GS values, the
// delimiters (DefaultDelimiters when zero) and whether a line feed follows every segment.
// The transaction packages (x999, x277, x835) write their sets inside one.
type Envelope struct {
	Interchange ISAHeader
	// Group is the GS; an empty FunctionalID or Version takes the writer's default.
	Group GSHeader
	// Delimiters are the separators to write; DefaultDelimiters when zero.
	Delimiters Delimiters
	// LineBreaks writes a line feed after every segment.
	LineBreaks bool
}

// WriteGroup writes a complete interchange to out: ISA, GS (GS01 and GS08 default to
// functionalID and version), n transaction sets written by writeSet (i is 0-based), GE and IEA.
// A set error stops the writing and is returned as is; a write error is wrapped with what.
func WriteGroup(out io.Writer, env Envelope, what, functionalID, version string, n int, writeSet func(w *Writer, i int) error) error {
	d := env.Delimiters
	if d == (Delimiters{}) {
		d = DefaultDelimiters
	}
	w := NewWriter(out, d)
	w.LineBreaks = env.LineBreaks
	gs := env.Group
	if gs.FunctionalID == "" {
		gs.FunctionalID = functionalID
	}
	if gs.Version == "" {
		gs.Version = version
	}
	w.BeginInterchange(env.Interchange)
	w.BeginGroup(gs)
	for i := 0; i < n; i++ {
		if err := writeSet(w, i); err != nil {
			return err
		}
	}
	w.EndGroup()
	w.EndInterchange()
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", what, err)
	}
	return nil
}

// SetControl is the ST02 of the i-th set (0-based) of a group: the set's own control number
// when it has one, else one counted from 0001.
func SetControl(own string, i int) string {
	if own != "" {
		return own
	}
	return ControlNumber(int64(i + 1))
}
