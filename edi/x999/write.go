package x999

import (
	"fmt"
	"io"
	"strconv"

	"github.com/claimgate/claimgate/edi"
)

// GuideVersion is the implementation guide a 999 follows (ST03 and GS08).
const GuideVersion = "005010X231A1"

// Envelope addresses the interchange that carries acknowledgments; GS01 defaults to FA and
// GS08 to 005010X231A1.
type Envelope = edi.Envelope

// Write writes a complete interchange (ISA, GS, one 999 per acknowledgment, GE, IEA) to out.
// An acknowledgment without a ControlNumber gets one counted from 0001 in the order given.
func Write(out io.Writer, env Envelope, acks ...FunctionalAck) error {
	return edi.WriteGroup(out, env, "999", "FA", GuideVersion, len(acks), func(w *edi.Writer, i int) error {
		return WriteSet(w, edi.SetControl(acks[i].ControlNumber, i), &acks[i])
	})
}

// WriteSet writes one 999 transaction set (ST to SE) into the open group of w, with ST02 control.
// It checks the acknowledgment first and writes nothing when a required value is missing.
func WriteSet(w *edi.Writer, control string, a *FunctionalAck) error {
	if err := a.Validate(); err != nil {
		return err
	}
	version := a.GuideVersion
	if version == "" {
		version = GuideVersion
	}
	w.BeginTransaction("999", control, version)
	w.Seg("AK1").E(a.FunctionalID).E(a.GroupControlNumber).E(a.Version).End()
	for i := range a.Sets {
		s := &a.Sets[i]
		w.Seg("AK2").E(s.SetID).E(s.ControlNumber).E(s.Version).End()
		for j := range s.Segments {
			e := &s.Segments[j]
			w.Seg("IK3").E(e.SegmentID).Int(int64(e.Position)).E(e.LoopID).E(e.Code).End()
			writeContexts(w, e.Contexts)
			for k := range e.Elements {
				el := &e.Elements[k]
				w.Seg("IK4")
				positionElement(w, el.Position)
				w.E(el.Reference).E(el.Code).E(el.BadValue).End()
				writeContexts(w, el.Contexts)
			}
		}
		w.Seg("IK5").E(s.Status)
		for _, c := range s.Codes {
			w.E(c)
		}
		w.End()
	}
	w.Seg("AK9").E(a.Status).Int(int64(a.Included)).Int(int64(a.Received)).Int(int64(a.Accepted))
	for _, c := range a.Codes {
		w.E(c)
	}
	w.End()
	w.EndTransaction()
	return w.Err()
}

func writeContexts(w *edi.Writer, cs []Context) {
	for i := range cs {
		c := &cs[i]
		w.Seg("CTX").C(c.Name, c.Reference).E(c.SegmentID)
		if c.SegmentPosition > 0 {
			w.Int(int64(c.SegmentPosition))
		} else {
			w.E("")
		}
		w.E(c.LoopID)
		if c.Position != nil {
			positionElement(w, *c.Position)
		} else {
			w.E("")
		}
		w.C(c.ElementReference...).End()
	}
}

func positionElement(w *edi.Writer, p Position) {
	itoa := func(n int) string {
		if n <= 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	w.C(itoa(p.Element), itoa(p.Component), itoa(p.Repetition))
}

// Validate reports the first value a 999 requires that the acknowledgment lacks.
func (a *FunctionalAck) Validate() error {
	bad := func(format string, args ...any) error {
		return &edi.Error{Code: "invalid_999", Msg: fmt.Sprintf(format, args...), Err: edi.ErrWrite}
	}
	switch {
	case a.FunctionalID == "":
		return bad("999 for group %q: the acknowledged group's functional identifier (AK101) is empty", a.GroupControlNumber)
	case a.GroupControlNumber == "":
		return bad("999: the acknowledged group's control number (AK102) is empty")
	case a.Status == "":
		return bad("999 for group %s: the group verdict (AK901) is empty", a.GroupControlNumber)
	case len(a.Codes) > 5:
		return bad("999 for group %s: %d group error codes, at most 5 fit in AK905-AK909", a.GroupControlNumber, len(a.Codes))
	}
	for _, s := range a.Sets {
		switch {
		case s.SetID == "" || s.ControlNumber == "":
			return bad("999 for group %s: a set response lacks its set type (AK201) or control number (AK202)", a.GroupControlNumber)
		case s.Status == "":
			return bad("999 for group %s: set %s has no verdict (IK501)", a.GroupControlNumber, s.ControlNumber)
		case len(s.Codes) > 5:
			return bad("999 for group %s: set %s has %d error codes, at most 5 fit in IK502-IK506", a.GroupControlNumber, s.ControlNumber, len(s.Codes))
		}
		for _, e := range s.Segments {
			if e.SegmentID == "" || e.Position < 1 {
				return bad("999 for group %s: set %s has a segment error without segment id (IK301) or position (IK302)", a.GroupControlNumber, s.ControlNumber)
			}
			for _, el := range e.Elements {
				if el.Position.Element < 1 || el.Code == "" {
					return bad("999 for group %s: set %s, segment %s: an element error lacks its position (IK401) or code (IK403)", a.GroupControlNumber, s.ControlNumber, e.SegmentID)
				}
			}
			for _, c := range e.Contexts {
				if c.Name == "" {
					return bad("999 for group %s: set %s, segment %s: a context lacks its name (CTX01-1)", a.GroupControlNumber, s.ControlNumber, e.SegmentID)
				}
			}
		}
	}
	return nil
}
