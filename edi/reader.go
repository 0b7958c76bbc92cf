package edi

import (
	"fmt"
	"io"
	"strconv"
)

// DefaultMaxErrors is how many problems a Reader records before it only counts them.
const DefaultMaxErrors = 1000

// Reader reads segments like a Scanner and checks the envelopes as they go by: ISA/IEA control
// numbers and group counts, GS/GE control numbers and transaction counts, ST/SE segment counts and
// control numbers, nesting, and duplicate control numbers. It records every problem as an *Error
// and carries on; only unreadable input stops it.
//
// Transaction packages read their segments through a Reader and record their own problems with
// AddError, so one ordered list holds everything wrong with a file.
type Reader struct {
	sc *Scanner
	// MaxErrors caps the recorded problems (DefaultMaxErrors when zero); past it they are only
	// counted in Dropped.
	MaxErrors int
	// Dropped counts the problems not recorded because of MaxErrors.
	Dropped int

	errs Errors

	ic *Interchange
	gr *Group
	tx *Transaction

	closeTx, closeGr, closeIc bool
	interchanges              int
	seenGS                    map[string]bool
	seenST                    map[string]bool
	lastSeg                   *Segment
}

// NewReader returns a Reader over r.
func NewReader(r io.Reader) *Reader {
	return &Reader{sc: NewScanner(r)}
}

// Scanner returns the underlying scanner (for its settings).
func (r *Reader) Scanner() *Scanner { return r.sc }

// Interchange returns the interchange the last segment belongs to, nil outside one.
func (r *Reader) Interchange() *Interchange { return r.ic }

// Group returns the functional group the last segment belongs to, nil outside one.
func (r *Reader) Group() *Group { return r.gr }

// Transaction returns the transaction set the last segment belongs to (the SE segment included),
// nil outside one.
func (r *Reader) Transaction() *Transaction { return r.tx }

// Errors returns every problem recorded so far, in input order.
func (r *Reader) Errors() Errors { return r.errs }

// Interchanges returns the number of ISA segments read.
func (r *Reader) Interchanges() int { return r.interchanges }

// AddError records a problem. Transaction readers call it so their problems join the envelope's
// in one list; the current transaction's control number is filled in when missing.
func (r *Reader) AddError(e *Error) {
	if r.tx != nil {
		if e.Transaction == "" {
			e.Transaction = r.tx.ControlNumber
		}
		r.tx.Errors++
	}
	max := r.MaxErrors
	if max == 0 {
		max = DefaultMaxErrors
	}
	if len(r.errs) >= max {
		r.Dropped++
		return
	}
	r.errs = append(r.errs, e)
}

func (r *Reader) errorf(seg *Segment, element int, kind error, code, format string, args ...any) {
	r.AddError(ErrorAt(seg, element, kind, code, fmt.Sprintf(format, args...)))
}

// Next returns the next segment (envelope segments included), io.EOF at the end, or an error
// when the input cannot be read. Envelope problems are recorded, not returned.
func (r *Reader) Next() (*Segment, error) {
	if r.closeTx {
		r.tx, r.closeTx = nil, false
	}
	if r.closeGr {
		r.gr, r.closeGr = nil, false
	}
	if r.closeIc {
		r.ic, r.closeIc = nil, false
	}
	seg, err := r.sc.Next()
	for _, w := range r.sc.TakeWarnings() {
		r.AddError(w)
	}
	if err == io.EOF {
		r.atEOF()
		return nil, io.EOF
	}
	if err != nil {
		if e, ok := err.(*Error); ok {
			r.AddError(e)
		}
		return nil, err
	}
	r.lastSeg = seg
	switch seg.ID {
	case "ISA":
		r.onISA(seg)
	case "IEA":
		r.onIEA(seg)
	case "GS":
		r.onGS(seg)
	case "GE":
		r.onGE(seg)
	case "ST":
		r.onST(seg)
	case "SE":
		r.onSE(seg)
	case "TA1":
		if r.ic == nil {
			r.errorf(seg, 0, ErrEnvelope, "segment_outside_interchange", "TA1 segment outside an interchange (no ISA before it)")
		} else if r.gr != nil {
			r.errorf(seg, 0, ErrEnvelope, "ta1_inside_group", "TA1 segment inside a functional group; it belongs between ISA and the first GS")
		}
	default:
		if r.tx == nil {
			r.errorf(seg, 0, ErrEnvelope, "segment_outside_transaction", "%s segment outside a transaction set (no ST before it)", seg.ID)
		} else {
			r.tx.Segments++
		}
	}
	return seg, nil
}

func (r *Reader) atEOF() {
	last := r.lastSeg
	pos := func(code, msg string) {
		e := &Error{Offset: r.sc.Offset(), Code: code, Msg: msg, Err: ErrEnvelope}
		if last != nil {
			e.SegmentIndex = last.Index
			e.Line = last.Line
		}
		r.AddError(e)
	}
	if r.tx != nil && !r.closeTx {
		pos("missing_se", fmt.Sprintf("transaction set %s (ST02) has no SE segment: the file is cut short", r.tx.ControlNumber))
	}
	if r.gr != nil && !r.closeGr {
		pos("missing_ge", fmt.Sprintf("functional group %s (GS06) has no GE segment: the file is cut short", r.gr.ControlNumber))
	}
	if r.ic != nil && !r.closeIc {
		pos("missing_iea", fmt.Sprintf("interchange %s (ISA13) has no IEA segment: the file is cut short", r.ic.ControlNumber))
	}
	r.tx, r.gr, r.ic = nil, nil, nil
	if r.Dropped > 0 {
		// Past the cap nothing more is recorded; say how much was left out, always.
		r.errs = append(r.errs, &Error{Offset: r.sc.Offset(), Code: "too_many_errors",
			Msg: fmt.Sprintf("%d more problems were found but not listed (the first %d are)", r.Dropped, len(r.errs)), Err: ErrSyntax})
	}
	if r.interchanges == 0 && len(r.errs) == 0 {
		r.AddError(&Error{Code: "empty", Msg: "the input holds no X12 data", Err: ErrSyntax})
	}
}

func (r *Reader) onISA(seg *Segment) {
	if r.tx != nil && !r.closeTx {
		r.errorf(seg, 0, ErrEnvelope, "missing_se", "transaction set %s (ST02) has no SE segment before the next ISA", r.tx.ControlNumber)
	}
	if r.gr != nil && !r.closeGr {
		r.errorf(seg, 0, ErrEnvelope, "missing_ge", "functional group %s (GS06) has no GE segment before the next ISA", r.gr.ControlNumber)
	}
	if r.ic != nil && !r.closeIc {
		r.errorf(seg, 0, ErrEnvelope, "missing_iea", "interchange %s (ISA13) has no IEA segment before the next ISA", r.ic.ControlNumber)
	}
	r.tx, r.gr = nil, nil
	r.closeTx, r.closeGr, r.closeIc = false, false, false
	r.interchanges++
	r.seenGS = nil
	ic := &Interchange{
		AuthQualifier:     seg.String(1),
		SecurityQualifier: seg.String(3),
		SenderQualifier:   trimSpace(seg.String(5)),
		SenderID:          trimSpace(seg.String(6)),
		ReceiverQualifier: trimSpace(seg.String(7)),
		ReceiverID:        trimSpace(seg.String(8)),
		Date:              seg.String(9),
		Time:              seg.String(10),
		Version:           seg.String(12),
		ControlNumber:     seg.String(13),
		AckRequested:      seg.String(14),
		Usage:             seg.String(15),
		Delimiters:        seg.Delimiters(),
		Offset:            seg.Offset,
		SegmentIndex:      seg.Index,
	}
	r.ic = ic
	if n := seg.Len(); n != isaElements {
		r.errorf(seg, 0, ErrEnvelope, "isa_element_count", "ISA has %d elements; it must have exactly 16", n)
	}
	if !isDigits(ic.ControlNumber) || len(ic.ControlNumber) != 9 {
		r.errorf(seg, 13, ErrEnvelope, "isa_control_number", "ISA13 interchange control number %q must be 9 digits", ic.ControlNumber)
	}
	for _, f := range [...]struct{ el, width int }{{2, 10}, {4, 10}, {6, 15}, {8, 15}} {
		if n := len(seg.Element(f.el)); n != f.width {
			r.errorf(seg, f.el, ErrEnvelope, "isa_field_width", "%s must be exactly %d characters, padded with spaces (found %d)", ElementRef("ISA", f.el), f.width, n)
		}
	}
	if ic.Usage != "P" && ic.Usage != "T" && ic.Usage != "I" {
		r.errorf(seg, 15, ErrEnvelope, "isa_usage", "ISA15 usage indicator %q must be P (production) or T (test)", ic.Usage)
	}
	if ic.Version != "" && !isDigits(ic.Version) {
		r.errorf(seg, 12, ErrEnvelope, "isa_version", "ISA12 version %q must be digits, e.g. 00501", ic.Version)
	}
}

func (r *Reader) onIEA(seg *Segment) {
	if r.ic == nil {
		r.errorf(seg, 0, ErrEnvelope, "iea_without_isa", "IEA segment without an ISA before it")
		return
	}
	if r.tx != nil && !r.closeTx {
		r.errorf(seg, 0, ErrEnvelope, "missing_se", "transaction set %s (ST02) has no SE segment before IEA", r.tx.ControlNumber)
		r.tx = nil
	}
	if r.gr != nil && !r.closeGr {
		r.errorf(seg, 0, ErrEnvelope, "missing_ge", "functional group %s (GS06) has no GE segment before IEA", r.gr.ControlNumber)
		r.gr = nil
	}
	if n, ok := parseCount(seg.Element(1)); !ok {
		r.errorf(seg, 1, ErrEnvelope, "iea_count", "IEA01 %q is not a number of functional groups", seg.Element(1))
	} else if n != r.ic.GroupCount {
		r.errorf(seg, 1, ErrEnvelope, "iea_count_mismatch", "IEA01 says %d functional groups but the interchange has %d", n, r.ic.GroupCount)
	}
	if got := seg.String(2); got != r.ic.ControlNumber {
		r.errorf(seg, 2, ErrEnvelope, "iea_control_mismatch", "IEA02 control number %q does not match ISA13 %q", got, r.ic.ControlNumber)
	}
	r.closeIc = true
}

func (r *Reader) onGS(seg *Segment) {
	if r.ic == nil || r.closeIc {
		r.errorf(seg, 0, ErrEnvelope, "gs_outside_interchange", "GS segment outside an interchange (no ISA before it)")
	}
	if r.tx != nil && !r.closeTx {
		r.errorf(seg, 0, ErrEnvelope, "missing_se", "transaction set %s (ST02) has no SE segment before the next GS", r.tx.ControlNumber)
	}
	if r.gr != nil && !r.closeGr {
		r.errorf(seg, 0, ErrEnvelope, "missing_ge", "functional group %s (GS06) has no GE segment before the next GS", r.gr.ControlNumber)
	}
	r.tx, r.closeTx, r.closeGr = nil, false, false
	r.seenST = nil
	g := &Group{
		FunctionalID:  seg.String(1),
		Sender:        seg.String(2),
		Receiver:      seg.String(3),
		Date:          seg.String(4),
		Time:          seg.String(5),
		ControlNumber: seg.String(6),
		Agency:        seg.String(7),
		Version:       seg.String(8),
		Offset:        seg.Offset,
		SegmentIndex:  seg.Index,
	}
	r.gr = g
	if r.ic != nil {
		r.ic.GroupCount++
	}
	if g.ControlNumber == "" || !isDigits(g.ControlNumber) || len(g.ControlNumber) > 9 {
		r.errorf(seg, 6, ErrEnvelope, "gs_control_number", "GS06 group control number %q must be 1 to 9 digits", g.ControlNumber)
	} else {
		if r.seenGS == nil {
			r.seenGS = make(map[string]bool)
		}
		if r.seenGS[g.ControlNumber] {
			r.errorf(seg, 6, ErrEnvelope, "gs_control_duplicate", "GS06 group control number %s is used twice in this interchange", g.ControlNumber)
		}
		r.seenGS[g.ControlNumber] = true
	}
	if g.Version == "" {
		r.errorf(seg, 8, ErrEnvelope, "gs_version", "GS08 version is missing")
	}
}

func (r *Reader) onGE(seg *Segment) {
	if r.gr == nil || r.closeGr {
		r.errorf(seg, 0, ErrEnvelope, "ge_without_gs", "GE segment without a GS before it")
		return
	}
	if r.tx != nil && !r.closeTx {
		r.errorf(seg, 0, ErrEnvelope, "missing_se", "transaction set %s (ST02) has no SE segment before GE", r.tx.ControlNumber)
		r.tx = nil
	}
	if n, ok := parseCount(seg.Element(1)); !ok {
		r.errorf(seg, 1, ErrEnvelope, "ge_count", "GE01 %q is not a number of transaction sets", seg.Element(1))
	} else if n != r.gr.TransactionCount {
		r.errorf(seg, 1, ErrEnvelope, "ge_count_mismatch", "GE01 says %d transaction sets but the group has %d", n, r.gr.TransactionCount)
	}
	if got := seg.String(2); trimZeros(got) != trimZeros(r.gr.ControlNumber) {
		r.errorf(seg, 2, ErrEnvelope, "ge_control_mismatch", "GE02 control number %q does not match GS06 %q", got, r.gr.ControlNumber)
	}
	r.closeGr = true
}

func (r *Reader) onST(seg *Segment) {
	if r.gr == nil || r.closeGr {
		r.errorf(seg, 0, ErrEnvelope, "st_outside_group", "ST segment outside a functional group (no GS before it)")
	}
	if r.tx != nil && !r.closeTx {
		r.errorf(seg, 0, ErrEnvelope, "missing_se", "transaction set %s (ST02) has no SE segment before the next ST", r.tx.ControlNumber)
	}
	r.closeTx = false
	t := &Transaction{ID: seg.String(1), ControlNumber: seg.String(2), Version: seg.String(3), Offset: seg.Offset, SegmentIndex: seg.Index, Segments: 1}
	r.tx = t
	if r.gr != nil {
		r.gr.TransactionCount++
	}
	if t.ID == "" {
		r.errorf(seg, 1, ErrEnvelope, "st_id", "ST01 transaction set identifier is missing")
	}
	if n := len(t.ControlNumber); n < 4 || n > 9 || !isAlnumString(t.ControlNumber) {
		r.errorf(seg, 2, ErrEnvelope, "st_control_number", "ST02 transaction set control number %q must be 4 to 9 characters", t.ControlNumber)
	} else {
		if r.seenST == nil {
			r.seenST = make(map[string]bool)
		}
		if r.seenST[t.ControlNumber] {
			r.errorf(seg, 2, ErrEnvelope, "st_control_duplicate", "ST02 control number %s is used twice in this functional group", t.ControlNumber)
		}
		r.seenST[t.ControlNumber] = true
	}
}

func (r *Reader) onSE(seg *Segment) {
	if r.tx == nil || r.closeTx {
		r.errorf(seg, 0, ErrEnvelope, "se_without_st", "SE segment without an ST before it")
		return
	}
	r.tx.Segments++
	if n, ok := parseCount(seg.Element(1)); !ok {
		r.errorf(seg, 1, ErrEnvelope, "se_count", "SE01 %q is not a segment count", seg.Element(1))
	} else if n != r.tx.Segments {
		r.errorf(seg, 1, ErrEnvelope, "se_count_mismatch", "SE01 says %d segments but transaction set %s has %d (ST and SE included)", n, r.tx.ControlNumber, r.tx.Segments)
	}
	if got := seg.String(2); got != r.tx.ControlNumber {
		r.errorf(seg, 2, ErrEnvelope, "se_control_mismatch", "SE02 control number %q does not match ST02 %q", got, r.tx.ControlNumber)
	}
	r.closeTx = true
}

func parseCount(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(string(b))
	return n, err == nil && n >= 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnumString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] == ' ' {
		i++
	}
	for j > i && s[j-1] == ' ' {
		j--
	}
	return s[i:j]
}

func trimZeros(s string) string {
	i := 0
	for i < len(s)-1 && s[i] == '0' {
		i++
	}
	return s[i:]
}
