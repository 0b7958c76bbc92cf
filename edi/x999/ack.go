package x999

import (
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
)

// GroupInfo is what a Tracker saw of one functional group: enough to acknowledge it and to
// address the answer.
type GroupInfo struct {
	FunctionalID  string `json:"functional_id"`  // GS01
	ControlNumber string `json:"control_number"` // GS06
	Version       string `json:"version"`        // GS08
	Sender        string `json:"sender"`         // GS02
	Receiver      string `json:"receiver"`       // GS03
	// DeclaredSets is GE01 (-1 when the GE is missing or unreadable).
	DeclaredSets int `json:"declared_sets"`
	// The interchange the group came in.
	InterchangeControl           string    `json:"interchange_control_number"` // ISA13
	InterchangeSenderQualifier   string    `json:"interchange_sender_qualifier"`
	InterchangeSender            string    `json:"interchange_sender"`
	InterchangeReceiverQualifier string    `json:"interchange_receiver_qualifier"`
	InterchangeReceiver          string    `json:"interchange_receiver"`
	Usage                        string    `json:"usage"` // ISA15
	Sets                         []SetInfo `json:"sets"`

	first, last int // segment index range, GS to GE
}

// SetInfo is what a Tracker saw of one transaction set.
type SetInfo struct {
	ID            string `json:"id"`                // ST01
	ControlNumber string `json:"control_number"`    // ST02
	Version       string `json:"version,omitempty"` // ST03

	first, last int // segment index range, ST to SE
	claims      []claimSpan
}

// claimSpan is the range of segments of one 837 claim: from its CLM to the segment before the
// next HL (or the SE).
type claimSpan struct {
	first, last int
	pcn         string
}

// Tracker watches the segments an edi.Reader returns and remembers the functional groups and
// transaction sets they form, and in 837 sets which claim (CLM01) each segment belongs to, so
// that Acknowledge can place every problem in its group, set and claim.
//
//	r := edi.NewReader(in)
//	var t x999.Tracker
//	for { seg, err := r.Next(); ...; t.Observe(r, seg); ... }
//	acks := t.Acknowledge(append(r.Errors(), myErrors...))
type Tracker struct {
	groups []*GroupInfo
	group  *GroupInfo
	set    *SetInfo
}

// Observe records one segment; call it for every segment the reader returns, after Next.
func (t *Tracker) Observe(r *edi.Reader, seg *edi.Segment) {
	switch seg.ID {
	case "ISA", "IEA":
		t.closeSet()
		t.group = nil
		return
	case "GS":
		t.closeSet()
		g := &GroupInfo{
			FunctionalID: seg.String(1), Sender: seg.String(2), Receiver: seg.String(3),
			ControlNumber: seg.String(6), Version: seg.String(8), DeclaredSets: -1,
			first: seg.Index, last: seg.Index,
		}
		if ic := r.Interchange(); ic != nil {
			g.InterchangeControl = ic.ControlNumber
			g.InterchangeSenderQualifier, g.InterchangeSender = ic.SenderQualifier, ic.SenderID
			g.InterchangeReceiverQualifier, g.InterchangeReceiver = ic.ReceiverQualifier, ic.ReceiverID
			g.Usage = ic.Usage
		}
		t.groups = append(t.groups, g)
		t.group = g
		return
	}
	if t.group == nil {
		return
	}
	t.group.last = seg.Index
	switch seg.ID {
	case "GE":
		t.closeSet()
		if n, ok, err := seg.Int(1); ok && err == nil && n >= 0 && n < 1e9 {
			t.group.DeclaredSets = int(n)
		}
		t.group = nil
		return
	case "ST":
		t.closeSet()
		t.group.Sets = append(t.group.Sets, SetInfo{ID: seg.String(1), ControlNumber: seg.String(2), Version: seg.String(3), first: seg.Index, last: seg.Index})
		t.set = &t.group.Sets[len(t.group.Sets)-1]
		return
	}
	if t.set == nil {
		return
	}
	t.set.last = seg.Index
	switch seg.ID {
	case "SE":
		t.closeSet()
	case "CLM":
		t.closeClaim(seg.Index - 1)
		t.set.claims = append(t.set.claims, claimSpan{first: seg.Index, last: -1, pcn: seg.String(1)})
	case "HL":
		t.closeClaim(seg.Index - 1)
	}
}

func (t *Tracker) closeClaim(last int) {
	if n := len(t.set.claims); n > 0 && t.set.claims[n-1].last < 0 {
		t.set.claims[n-1].last = last
	}
}

func (t *Tracker) closeSet() {
	if t.set != nil {
		t.closeClaim(t.set.last)
		t.set = nil
	}
}

// Groups returns the functional groups seen so far.
func (t *Tracker) Groups() []GroupInfo {
	out := make([]GroupInfo, len(t.groups))
	for i, g := range t.groups {
		out[i] = *g
	}
	return out
}

// Acknowledge builds one FunctionalAck per functional group seen, answering every set: accepted
// (IK501 A) when no problem lies in it, rejected (R) otherwise, with its problems as IK3/IK4
// loops (or IK5 codes for envelope problems such as a wrong SE01), and the group's verdict in AK9:
// A when every set is accepted, R when none is or the group's own envelope is wrong (AK905
// codes), P otherwise.
//
// errs are the edi.Reader's problems plus any the caller found (for instance a payer's own
// guide edits), positioned on segments of the same input. Problems outside every group (ISA/IEA)
// are for a TA1, not a 999, and are left out.
func (t *Tracker) Acknowledge(errs []*edi.Error) []FunctionalAck {
	t.closeSet()
	acks := make([]FunctionalAck, len(t.groups))
	type setState struct {
		resp *SetResponse
		info *SetInfo
		// IK3 loop by segment index, for element errors of the same segment
		bySegment map[int]int
	}
	groupErr := make([][]string, len(t.groups))
	groupBad := make([]bool, len(t.groups))
	states := make([][]setState, len(t.groups))
	for gi, g := range t.groups {
		a := &acks[gi]
		*a = FunctionalAck{Type: "999", GuideVersion: GuideVersion, FunctionalID: g.FunctionalID,
			GroupControlNumber: g.ControlNumber, Version: g.Version, Sets: make([]SetResponse, len(g.Sets))}
		states[gi] = make([]setState, len(g.Sets))
		for si := range g.Sets {
			s := &g.Sets[si]
			a.Sets[si] = SetResponse{SetID: s.ID, ControlNumber: s.ControlNumber, Version: s.Version, Status: "A"}
			states[gi][si] = setState{resp: &a.Sets[si], info: s, bySegment: map[int]int{}}
		}
	}

	for _, e := range errs {
		if e == nil {
			continue
		}
		gi, si := t.locate(e)
		if gi < 0 {
			continue
		}
		if si < 0 {
			groupBad[gi] = true
			if c := groupCode(e.Code); c != "" {
				groupErr[gi] = appendCode(groupErr[gi], c)
			}
			continue
		}
		st := &states[gi][si]
		st.resp.Status = "R"
		if c := setCode(e.Code); c != "" {
			st.resp.Codes = appendCode(st.resp.Codes, c)
			continue
		}
		st.resp.Codes = appendCode(st.resp.Codes, "5")
		if e.SegmentID == "" || e.SegmentIndex < st.info.first {
			continue
		}
		segCode, elemCode := ErrorCodes(e)
		if e.Element > 0 {
			if k, ok := st.bySegment[e.SegmentIndex]; ok {
				st.resp.Segments[k].Elements = append(st.resp.Segments[k].Elements,
					ElementError{Position: Position{Element: e.Element, Component: e.Component}, Code: elemCode, BadValue: badValue(e.Value)})
				continue
			}
		}
		se := SegmentError{SegmentID: e.SegmentID, Position: e.SegmentIndex - st.info.first + 1, LoopID: e.Loop, Code: segCode}
		if pcn := st.info.claimAt(e.SegmentIndex); pcn != "" {
			se.Contexts = []Context{{Name: "CLM01", Reference: pcn}}
		}
		if e.Element > 0 {
			se.Elements = []ElementError{{Position: Position{Element: e.Element, Component: e.Component}, Code: elemCode, BadValue: badValue(e.Value)}}
			st.bySegment[e.SegmentIndex] = len(st.resp.Segments)
		}
		st.resp.Segments = append(st.resp.Segments, se)
	}

	for gi, g := range t.groups {
		a := &acks[gi]
		for si := range a.Sets {
			s := &a.Sets[si]
			sort.SliceStable(s.Segments, func(i, j int) bool { return s.Segments[i].Position < s.Segments[j].Position })
			if s.Accepted() {
				a.Accepted++
			}
		}
		a.Received = len(g.Sets)
		a.Included = g.DeclaredSets
		if a.Included < 0 {
			a.Included = a.Received
		}
		a.Codes = groupErr[gi]
		switch {
		case groupBad[gi] || (a.Accepted == 0 && a.Received > 0):
			a.Status = "R"
		case a.Accepted < a.Received:
			a.Status = "P"
		default:
			a.Status = "A"
		}
	}
	return acks
}

// locate finds the group and set (indexes into t.groups and its Sets) an error belongs to; -1
// when outside every group or set.
func (t *Tracker) locate(e *edi.Error) (gi, si int) {
	idx := e.SegmentIndex
	if (e.Code == "missing_se" || e.Code == "missing_ge") && e.SegmentID != "" {
		// Reported at the segment that should have come after the missing trailer.
		idx--
	}
	if idx <= 0 {
		// No position: find the set by its control number.
		if e.Transaction == "" {
			return -1, -1
		}
		for gi, g := range t.groups {
			for si, s := range g.Sets {
				if s.ControlNumber == e.Transaction {
					return gi, si
				}
			}
		}
		return -1, -1
	}
	for gi, g := range t.groups {
		if idx < g.first || idx > g.last {
			continue
		}
		if groupCode(e.Code) != "" {
			return gi, -1
		}
		for si, s := range g.Sets {
			if idx >= s.first && idx <= s.last {
				return gi, si
			}
		}
		return gi, -1
	}
	return -1, -1
}

func (s *SetInfo) claimAt(idx int) string {
	for _, c := range s.claims {
		if idx >= c.first && (idx <= c.last || c.last < 0) {
			return c.pcn
		}
	}
	return ""
}

func appendCode(codes []string, c string) []string {
	for _, x := range codes {
		if x == c {
			return codes
		}
	}
	if len(codes) >= 5 {
		return codes
	}
	return append(codes, c)
}

// setCode maps the edi core's envelope problems of a transaction set to IK502 codes.
func setCode(code string) string {
	switch code {
	case "missing_se":
		return "2"
	case "se_control_mismatch":
		return "3"
	case "se_count", "se_count_mismatch":
		return "4"
	case "st_id":
		return "6"
	case "st_control_number":
		return "7"
	case "st_outside_group":
		return "18"
	case "st_control_duplicate":
		return "23"
	}
	return ""
}

// groupCode maps the edi core's envelope problems of a functional group to AK905 codes.
func groupCode(code string) string {
	switch code {
	case "gs_version":
		return "2"
	case "missing_ge":
		return "3"
	case "ge_control_mismatch":
		return "4"
	case "ge_count", "ge_count_mismatch":
		return "5"
	case "gs_control_number":
		return "6"
	case "gs_control_duplicate":
		return "19"
	}
	return ""
}

// ErrorCodes chooses the IK304 segment error code and, for an error positioned on an element,
// the IK403 element error code for a problem.
//
// A problem whose Code is "ik304_<code>" or "ik403_<code>" (e.g. "ik403_I12") gets exactly that
// code, so a caller with its own edits can say what it means. Otherwise the choice follows the
// words of the snake_case Code ("missing", "too_long", "date", "code", "order", ...) and then
// the sentinel: an element problem is IK304 8 with IK403 7 (invalid value) by default; a
// segment problem of structure is IK304 2 (unexpected segment) by default.
func ErrorCodes(e *edi.Error) (segment, element string) {
	code := strings.ToLower(e.Code)
	if c, ok := strings.CutPrefix(e.Code, "ik403_"); ok && e.Element > 0 {
		return "8", c
	}
	if c, ok := strings.CutPrefix(e.Code, "ik304_"); ok {
		if e.Element > 0 {
			return c, elementCode(code)
		}
		return c, ""
	}
	if e.Element > 0 {
		return "8", elementCode(code)
	}
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(code, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("not_used"):
		return "I4", ""
	case has("unknown_segment", "unrecognized"):
		return "1", ""
	case has("loop") && has("too_many", "repeat", "exceed", "max"):
		return "4", ""
	case has("too_few", "minimum"):
		return "I8", ""
	case has("too_many", "repeat", "exceed", "max"):
		return "5", ""
	case has("order", "sequence"):
		return "7", ""
	case has("missing", "required"):
		return "3", ""
	case has("not_defined", "not_in_transaction"):
		return "6", ""
	case has("unexpected", "outside", "misplaced"):
		return "2", ""
	}
	if errors.Is(e.Err, edi.ErrValue) || errors.Is(e.Err, edi.ErrBalance) {
		return "8", ""
	}
	return "2", ""
}

func elementCode(code string) string {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(code, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("not_used"):
		return "I10"
	case has("conditional"):
		return "2"
	case has("missing", "required", "empty"):
		return "1"
	case has("too_long"):
		return "5"
	case has("too_short"):
		return "4"
	case has("date"):
		return "8"
	case has("time"):
		return "9"
	case has("too_many_repetitions", "repetition"):
		return "12"
	case has("too_many_components", "component"):
		return "13"
	case has("too_many_elements"):
		return "3"
	case has("character", "delimiter", "amount", "number", "numeric"):
		return "6"
	case has("pattern", "format", "check_digit", "luhn"):
		return "I12"
	}
	return "7"
}

// Reply returns the envelope of an acknowledgment to the group: sender and receiver swapped, the
// same usage indicator, and the control numbers given.
func Reply(g GroupInfo, now time.Time, interchangeControl, groupControl int64) Envelope {
	return Envelope{
		Interchange: edi.ISAHeader{
			SenderQualifier: g.InterchangeReceiverQualifier, SenderID: g.InterchangeReceiver,
			ReceiverQualifier: g.InterchangeSenderQualifier, ReceiverID: g.InterchangeSender,
			Time: now, ControlNumber: interchangeControl, Usage: g.Usage,
		},
		Group: edi.GSHeader{FunctionalID: "FA", Sender: g.Receiver, Receiver: g.Sender, Time: now,
			ControlNumber: groupControl, Version: GuideVersion},
	}
}

// badValue prepares a bad value for IK404 (at most 99 characters; delimiters would corrupt the
// 999, so a value holding one is left out).
func badValue(v string) string {
	if len(v) > 99 {
		v = v[:99]
	}
	if strings.ContainsAny(v, "*:^~|>\r\n") {
		return ""
	}
	return v
}
