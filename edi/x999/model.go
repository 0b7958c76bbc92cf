package x999

import (
	"strconv"
	"strings"
)

// FunctionalAck is one 999 transaction set: the acknowledgment of one functional group.
type FunctionalAck struct {
	// Type is always "999" (the `edi parse` contract names every transaction's type).
	Type string `json:"type"`
	// ControlNumber is the 999's own ST02; GuideVersion its ST03 (005010X231A1).
	ControlNumber string `json:"control_number"`
	GuideVersion  string `json:"guide_version,omitempty"`

	// FunctionalID (AK101) is the acknowledged group's GS01, e.g. HC for claims.
	FunctionalID string `json:"functional_id"`
	// GroupControlNumber (AK102) is the acknowledged group's GS06.
	GroupControlNumber string `json:"group_control_number"`
	// Version (AK103) is the acknowledged group's GS08, e.g. 005010X222A1.
	Version string `json:"version,omitempty"`

	// Sets holds one response per acknowledged transaction set (AK2 loop).
	Sets []SetResponse `json:"sets"`

	// Status (AK901): A accepted, E accepted with errors noted, M/R/W/X rejected,
	// P partially accepted (at least one set rejected).
	Status string `json:"status"`
	// Included, Received and Accepted are AK902-AK904: transaction sets in the group, received,
	// and accepted.
	Included int `json:"included"`
	Received int `json:"received"`
	Accepted int `json:"accepted"`
	// Codes are the group-level error codes AK905-AK909.
	Codes []string `json:"codes,omitempty"`
}

// SetResponse is one AK2 loop: the verdict on one transaction set.
type SetResponse struct {
	SetID         string `json:"set_id"`            // AK201, e.g. 837
	ControlNumber string `json:"control_number"`    // AK202: the set's ST02
	Version       string `json:"version,omitempty"` // AK203: the set's ST03
	// Segments are the segment errors (IK3 loops).
	Segments []SegmentError `json:"segments,omitempty"`
	// Status (IK501): A accepted, E accepted with errors noted, M/R/W/X rejected.
	Status string `json:"status"`
	// Codes are the set-level error codes IK502-IK506.
	Codes []string `json:"codes,omitempty"`
}

// Accepted reports whether the set was accepted (IK501 A or E).
func (s SetResponse) Accepted() bool { return s.Status == "A" || s.Status == "E" }

// SegmentError is one IK3 loop: a segment of the acknowledged set that is in error.
type SegmentError struct {
	SegmentID string `json:"segment_id"` // IK301
	// Position (IK302) counts segments from the set's ST (ST is 1).
	Position int    `json:"position"`
	LoopID   string `json:"loop_id,omitempty"` // IK303, e.g. 2300
	Code     string `json:"code,omitempty"`    // IK304 segment syntax error code
	// Contexts are the CTX segments after IK3: the business unit the segment belongs to (CTX01
	// "CLM01" with the patient control number) and segment contexts (situational triggers).
	Contexts []Context `json:"contexts,omitempty"`
	// Elements are the element errors (IK4 loops).
	Elements []ElementError `json:"elements,omitempty"`
}

// ElementError is one IK4 loop: an element in error.
type ElementError struct {
	Position  Position `json:"position"`            // IK401 element:component:repetition
	Reference string   `json:"reference,omitempty"` // IK402 data element reference number
	Code      string   `json:"code"`                // IK403 element syntax error code
	BadValue  string   `json:"bad_value,omitempty"` // IK404 copy of the bad value
	// Contexts are the CTX segments after IK4 (element contexts).
	Contexts []Context `json:"contexts,omitempty"`
}

// Position locates an element in a segment (composite C030 of IK401 and CTX05): 1-based element,
// component (0: the whole element) and repetition (0: not repeated).
type Position struct {
	Element    int `json:"element"`
	Component  int `json:"component,omitempty"`
	Repetition int `json:"repetition,omitempty"`
}

// String writes the position as X12 does: "5", "5:3", "2::1".
func (p Position) String() string {
	s := strconv.Itoa(p.Element)
	switch {
	case p.Repetition > 0:
		c := ""
		if p.Component > 0 {
			c = strconv.Itoa(p.Component)
		}
		return s + ":" + c + ":" + strconv.Itoa(p.Repetition)
	case p.Component > 0:
		return s + ":" + strconv.Itoa(p.Component)
	}
	return s
}

// Context is one CTX segment.
//
// The business unit context (CTX01-1 "CLM01", CTX01-2 the claim's patient control number) says
// which claim a segment error belongs to; a segment context (CTX01-1 "SITUATIONAL TRIGGER")
// points to the segment whose content made the erroneous segment required or forbidden.
type Context struct {
	Name      string `json:"name"`                // CTX01-1
	Reference string `json:"reference,omitempty"` // CTX01-2
	SegmentID string `json:"segment_id,omitempty"`
	// SegmentPosition (CTX03) counts from the set's ST.
	SegmentPosition int       `json:"segment_position,omitempty"`
	LoopID          string    `json:"loop_id,omitempty"`  // CTX04
	Position        *Position `json:"position,omitempty"` // CTX05
	// ElementReference is CTX06: the data element reference number, and for a composite the
	// component's reference number ("C023:1325").
	ElementReference []string `json:"element_reference,omitempty"`
}

// BusinessUnit returns the business unit context of the error (e.g. "CLM01" and the patient
// control number), if it has one.
func (s SegmentError) BusinessUnit() (name, value string, ok bool) {
	for _, c := range s.Contexts {
		if c.Name != "" && c.Reference != "" && c.Name != SituationalTrigger {
			return c.Name, c.Reference, true
		}
	}
	return "", "", false
}

// SituationalTrigger is the CTX01-1 value of a segment context.
const SituationalTrigger = "SITUATIONAL TRIGGER"

// Sentence describes the segment error and its element errors in one sentence, e.g.
// "Segment CLM (position 22 in loop 2300, claim CLM01 123456789) has data element errors:
// element CLM02 (782) is missing a required value".
func (s SegmentError) Sentence() string {
	var b strings.Builder
	b.WriteString("Segment ")
	b.WriteString(orUnknown(s.SegmentID))
	b.WriteString(" (position ")
	b.WriteString(strconv.Itoa(s.Position))
	if s.LoopID != "" {
		b.WriteString(" in loop ")
		b.WriteString(s.LoopID)
	}
	if name, v, ok := s.BusinessUnit(); ok {
		b.WriteString(", claim ")
		if name != "CLM01" {
			b.WriteString(name)
			b.WriteString(" ")
		}
		b.WriteString(v)
	}
	b.WriteString(") ")
	b.WriteString(SegmentCodePhrase(s.Code))
	for i, e := range s.Elements {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(e.phrase(s.SegmentID))
	}
	for _, c := range s.Contexts {
		if c.Name == SituationalTrigger && c.SegmentID != "" {
			b.WriteString(" (required or forbidden because of segment ")
			b.WriteString(c.SegmentID)
			if c.SegmentPosition > 0 {
				b.WriteString(" at position ")
				b.WriteString(strconv.Itoa(c.SegmentPosition))
			}
			if c.Position != nil && c.Position.Element > 0 {
				b.WriteString(", element ")
				b.WriteString(elementName(c.SegmentID, *c.Position))
			}
			b.WriteString(")")
		}
	}
	return b.String()
}

// Sentence describes the element error alone, e.g. "element 2 (782) is missing a required value".
// SegmentError.Sentence names the element with its segment (CLM02).
func (e ElementError) Sentence() string { return e.phrase("") }

func (e ElementError) phrase(segID string) string {
	var b strings.Builder
	b.WriteString("element ")
	b.WriteString(elementName(segID, e.Position))
	if e.Reference != "" {
		b.WriteString(" (")
		b.WriteString(e.Reference)
		b.WriteString(")")
	}
	b.WriteString(" ")
	b.WriteString(ElementCodePhrase(e.Code))
	if e.BadValue != "" {
		b.WriteString(" '")
		b.WriteString(e.BadValue)
		b.WriteString("'")
	}
	return b.String()
}

// elementName is "CLM05-1" for segment CLM, element 5, component 1 ("5-1" without a segment
// id), with the repetition when there is one ("HI01-2 repeat 3").
func elementName(segID string, p Position) string {
	var s string
	if segID != "" {
		s = segID
		if p.Element < 10 {
			s += "0"
		}
	}
	s += strconv.Itoa(p.Element)
	if p.Component > 0 {
		s += "-" + strconv.Itoa(p.Component)
	}
	if p.Repetition > 0 {
		s += " repeat " + strconv.Itoa(p.Repetition)
	}
	return s
}

func orUnknown(s string) string {
	if s == "" {
		return "(unnamed)"
	}
	return s
}

// Sentences describes every segment error of the acknowledgment, prefixed by the set it belongs
// to, plus the set- and group-level codes, in file order.
func (a *FunctionalAck) Sentences() []string {
	var out []string
	for _, c := range a.Codes {
		out = append(out, "Functional group "+a.GroupControlNumber+": "+GroupCodeLabel(c))
	}
	for _, s := range a.Sets {
		prefix := "Transaction set " + s.SetID + " " + s.ControlNumber + ": "
		for _, c := range s.Codes {
			out = append(out, prefix+SetCodeLabel(c))
		}
		for _, e := range s.Segments {
			out = append(out, prefix+e.Sentence())
		}
	}
	return out
}
