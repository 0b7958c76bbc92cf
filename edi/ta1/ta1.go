package ta1

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/claimgate/claimgate/edi"
)

// Ack is one TA1 segment.
type Ack struct {
	// Type is always "TA1" (the `edi parse` contract names every transaction's type).
	Type string `json:"type"`
	// ControlNumber (TA101) is the ISA13 of the acknowledged interchange.
	ControlNumber string `json:"control_number"`
	// Date (TA102, YYMMDD) and Time (TA103, HHMM) are the acknowledged interchange's ISA09 and
	// ISA10.
	Date string `json:"date"`
	Time string `json:"time"`
	// Code (TA104): A accepted, E accepted with errors, R rejected.
	Code string `json:"ack_code"`
	// Note (TA105): 000 for no error, else the envelope problem (see NoteLabel).
	Note string `json:"note_code"`
}

// Accepted reports whether the interchange was accepted (TA104 A or E).
func (a Ack) Accepted() bool { return a.Code == "A" || a.Code == "E" }

// Sentence describes the acknowledgment, e.g. "Interchange 000000042 rejected: the ISA13 and
// IEA02 control numbers differ (note 001)".
func (a Ack) Sentence() string {
	s := "Interchange " + a.ControlNumber + " " + CodeLabel(a.Code)
	if a.Note != "" && a.Note != "000" {
		s += ": " + NoteLabel(a.Note) + " (note " + a.Note + ")"
	}
	return s
}

// codes are the TA104 acknowledgment codes, in claimgate's words.
var codes = map[string]string{"A": "accepted", "E": "accepted with errors noted", "R": "rejected"}

// CodeLabel describes a TA104 code.
func CodeLabel(code string) string {
	if s, ok := codes[code]; ok {
		return s
	}
	return "answered with unknown code " + strconv.Quote(code)
}

// notes are the TA105 interchange note codes, in claimgate's words (the official texts belong to
// X12).
var notes = map[string]string{
	"000": "no error",
	"001": "the ISA13 and IEA02 control numbers differ",
	"002": "the control standard (ISA11) is not supported",
	"003": "the control version (ISA12) is not supported",
	"004": "the segment terminator is not valid",
	"005": "the sender id qualifier (ISA05) is not valid",
	"006": "the sender id (ISA06) is not valid",
	"007": "the receiver id qualifier (ISA07) is not valid",
	"008": "the receiver id (ISA08) is not valid",
	"009": "the receiver id (ISA08) is not known",
	"010": "the authorization qualifier (ISA01) is not valid",
	"011": "the authorization information (ISA02) is not valid",
	"012": "the security qualifier (ISA03) is not valid",
	"013": "the security information (ISA04) is not valid",
	"014": "the interchange date (ISA09) is not valid",
	"015": "the interchange time (ISA10) is not valid",
	"016": "the standards identifier (ISA11) is not valid",
	"017": "the version (ISA12) is not valid",
	"018": "the interchange control number (ISA13) is not valid",
	"019": "the acknowledgment request flag (ISA14) is not valid",
	"020": "the usage indicator (ISA15) is not valid",
	"021": "the group count (IEA01) is wrong",
	"022": "the envelope structure is not valid",
	"023": "the file ended before the interchange did",
	"024": "the interchange content is not valid (for instance a bad GS)",
	"025": "the interchange control number was already used",
	"026": "the element separator is not valid",
	"027": "the component separator is not valid",
	"028": "the deferred delivery date is not valid",
	"029": "the deferred delivery time is not valid",
	"030": "the deferred delivery time code is not valid",
	"031": "the grade of service code is not valid",
}

// NoteLabel describes a TA105 note code.
func NoteLabel(code string) string {
	if s, ok := notes[code]; ok {
		return s
	}
	return "note code " + strconv.Quote(code) + " is not in the code list"
}

// Parse reads one TA1 segment and checks its values; every problem is positioned on seg.
func Parse(seg *edi.Segment) (Ack, edi.Errors) {
	a := Ack{Type: "TA1", ControlNumber: seg.String(1), Date: seg.String(2), Time: seg.String(3), Code: seg.String(4), Note: seg.String(5)}
	var errs edi.Errors
	bad := func(el int, code, format string, args ...any) {
		errs = append(errs, edi.ErrorAt(seg, el, edi.ErrValue, code, fmt.Sprintf(format, args...)))
	}
	if seg.ID != "TA1" {
		bad(0, "not_ta1", "%s is not a TA1 segment", seg.ID)
		return a, errs
	}
	if len(a.ControlNumber) != 9 || !digits(a.ControlNumber) {
		bad(1, "ta101_invalid", "TA101 %q must be the acknowledged interchange's 9-digit control number", a.ControlNumber)
	}
	if _, err := time.Parse("060102", a.Date); err != nil || len(a.Date) != 6 {
		bad(2, "ta102_invalid", "TA102 %q is not a date in YYMMDD form", a.Date)
	}
	if _, err := time.Parse("1504", a.Time); err != nil || len(a.Time) != 4 {
		bad(3, "ta103_invalid", "TA103 %q is not a time in HHMM form", a.Time)
	}
	if _, ok := codes[a.Code]; !ok {
		bad(4, "ta104_invalid", "TA104 %q must be A (accepted), E (accepted with errors) or R (rejected)", a.Code)
	}
	if _, ok := notes[a.Note]; !ok {
		bad(5, "ta105_invalid", "TA105 %q is not an interchange note code (000 to 031)", a.Note)
	} else if a.Code == "R" && a.Note == "000" {
		bad(5, "ta105_inconsistent", "TA104 says rejected but TA105 000 says there is no error")
	} else if a.Code == "A" && a.Note != "000" {
		bad(5, "ta105_inconsistent", "TA104 says accepted but TA105 %s reports an error: %s", a.Note, notes[a.Note])
	}
	if seg.Len() > 5 {
		bad(6, "too_many_elements", "TA1 has %d elements; it has 5", seg.Len())
	}
	return a, errs
}

// File is what Read found: every TA1 segment in input order, and every problem, positioned.
type File struct {
	Acks   []Ack      `json:"acks"`
	Errors edi.Errors `json:"errors"`
}

// Read reads every TA1 segment of an X12 input, whatever else the interchanges carry. Problems
// (envelope and TA1 values) are collected in File.Errors; the error result is only for input that
// cannot be read at all, and even then File holds what was read before it.
func Read(in io.Reader) (*File, error) {
	r := edi.NewReader(in)
	f := &File{}
	for {
		seg, err := r.Next()
		if err != nil {
			f.Errors = r.Errors()
			if errors.Is(err, io.EOF) {
				return f, nil
			}
			return f, fmt.Errorf("reading TA1: %w", err)
		}
		if seg.ID != "TA1" {
			continue
		}
		a, errs := Parse(seg)
		for _, e := range errs {
			r.AddError(e)
		}
		f.Acks = append(f.Acks, a)
	}
}

// Envelope addresses the interchange that carries TA1 segments.
type Envelope struct {
	Interchange edi.ISAHeader
	// Delimiters are the separators to write; edi.DefaultDelimiters when zero.
	Delimiters edi.Delimiters
	LineBreaks bool
}

// Write writes a complete interchange holding the TA1 segments and no functional group:
// ISA, TA1..., IEA*0. Each acknowledgment is checked first, and nothing is written when one is
// not valid.
func Write(out io.Writer, env Envelope, acks ...Ack) error {
	for _, a := range acks {
		if err := a.Validate(); err != nil {
			return err
		}
	}
	d := env.Delimiters
	if d == (edi.Delimiters{}) {
		d = edi.DefaultDelimiters
	}
	w := edi.NewWriter(out, d)
	w.LineBreaks = env.LineBreaks
	w.BeginInterchange(env.Interchange)
	for _, a := range acks {
		WriteSegment(w, a)
	}
	w.EndInterchange()
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing TA1: %w", err)
	}
	return nil
}

// WriteSegment writes one TA1 segment into the open interchange of w, before any GS.
func WriteSegment(w *edi.Writer, a Ack) {
	w.Seg("TA1").E(a.ControlNumber).E(a.Date).E(a.Time).E(a.Code).E(a.Note).End()
}

// Validate checks the acknowledgment's values as Parse would, without a position.
func (a Ack) Validate() error {
	d := edi.DefaultDelimiters
	raw := "TA1*" + a.ControlNumber + "*" + a.Date + "*" + a.Time + "*" + a.Code + "*" + a.Note
	for _, v := range []string{a.ControlNumber, a.Date, a.Time, a.Code, a.Note} {
		for i := 0; i < len(v); i++ {
			if v[i] < 0x20 || v[i] == d.Element || v[i] == d.Component || v[i] == d.Segment || v[i] == d.Repetition || v[i] == 0x7f {
				return &edi.Error{SegmentID: "TA1", Code: "invalid_ta1", Msg: fmt.Sprintf("TA1 value %q holds a separator or control character", v), Err: edi.ErrWrite}
			}
		}
	}
	if _, errs := Parse(edi.NewSegment([]byte(raw), d)); len(errs) > 0 {
		e := errs[0]
		return &edi.Error{SegmentID: "TA1", Element: e.Element, Code: "invalid_ta1", Msg: e.Msg, Err: edi.ErrWrite}
	}
	return nil
}

// noteFor maps the edi core's interchange problems to TA105 note codes.
var noteFor = map[string]string{
	"iea_control_mismatch":   "001",
	"isa_version":            "017",
	"isa_control_number":     "018",
	"isa_usage":              "020",
	"iea_count":              "021",
	"iea_count_mismatch":     "021",
	"isa_element_count":      "022",
	"isa_field_width":        "022",
	"iea_without_isa":        "022",
	"missing_iea":            "023",
	"gs_outside_interchange": "024",
}

// Acknowledge builds the TA1 answering interchange ic from the problems found in it (the
// edi.Reader's errors from that interchange's ISA to its IEA). Only envelope problems of the
// interchange itself count; the first one decides the note code and rejects the interchange.
// Group and transaction set problems are for a 999 and are ignored here.
func Acknowledge(ic edi.Interchange, errs []*edi.Error) Ack {
	a := Ack{Type: "TA1", ControlNumber: ic.ControlNumber, Date: ic.Date, Time: ic.Time, Code: "A", Note: "000"}
	for _, e := range errs {
		if e == nil {
			continue
		}
		if n, ok := noteFor[e.Code]; ok {
			a.Code, a.Note = "R", n
			break
		}
	}
	return a
}

// AcknowledgeAll builds one TA1 per interchange of an input, in order, from every problem the
// edi.Reader found in it: interchanges are copies of Reader.Interchange taken at each ISA, and
// each problem goes to the interchange whose segments hold it (a missing IEA reported at the next
// ISA goes to the interchange it belongs to).
func AcknowledgeAll(interchanges []edi.Interchange, errs []*edi.Error) []Ack {
	per := make([][]*edi.Error, len(interchanges))
	for _, e := range errs {
		if e == nil {
			continue
		}
		idx := e.SegmentIndex
		if e.Code == "missing_iea" && e.SegmentID == "ISA" {
			idx--
		}
		for i := len(interchanges) - 1; i >= 0; i-- {
			if idx >= interchanges[i].SegmentIndex {
				per[i] = append(per[i], e)
				break
			}
		}
	}
	out := make([]Ack, len(interchanges))
	for i, ic := range interchanges {
		out[i] = Acknowledge(ic, per[i])
	}
	return out
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
