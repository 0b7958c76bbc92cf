package x837

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
)

// Reader parses 837P and 837I transaction sets into the claim model. It reads through an
// edi.Reader, which checks the envelopes, and records its own problems on that reader with
// AddError, so Errors returns one ordered, positioned list. It never stops at a problem and never
// panics on malformed input; only unreadable input ends it early.
type Reader struct {
	r   *edi.Reader
	out []*Interchange

	ic      *Interchange
	lastIc  *edi.Interchange
	lastGr  *edi.Group
	set     int       // index in ic.Transactions of the open set, -1 outside one
	setType ClaimType // "" when the version names neither guide
	skip    bool      // the open set is not an 837

	// loop state of the open transaction set
	loop     string
	sawBHT   bool
	saw1000A bool
	saw1000B bool
	hls      map[string]*hlNode
	lastHLID int64
	hl       *hlNode // the current HL
	addr     *Address
	addrSeg  *addrState
	contact  contactTarget
	prvFor   *Provider // provider that a following PRV describes
	claim    *Claim
	claimSeg segRef
	claimHas claimSeen
	line     *ServiceLine
	lineSeg  segRef
	lineHas  lineSeen
}

// hlNode is one HL level read so far in a transaction set.
type hlNode struct {
	id       string
	level    string // 20, 22, 23
	parent   *hlNode
	child    string // HL04
	children int
	seg      segRef // where the HL segment is, for messages
	bp       *BillingProvider
	bpName   bool // 2010AA seen
	sub      *Subscriber
	payer    Payer
	sawSBR   bool
	subName  bool // 2010BA seen
	payName  bool // 2010BB seen
	pat      *Patient
	sawPAT   bool
	patName  bool // 2010CA seen
}

// addrState tracks the N3/N4 a name loop must carry.
type addrState struct {
	loop     string
	seg      segRef
	need     bool
	n3, n4   bool
	needRef  bool // 2010AA: REF*EI (or SY)
	ref      bool
	needDMG  bool // 2010CA
	dmg      bool
	reported bool
}

// contactTarget says which PER a reader is expecting.
type contactTarget int

const (
	contactNone contactTarget = iota
	contactSender
	contactBillingProvider
)

type claimSeen struct {
	hi, dtp434, cl1 bool
}

type lineSeen struct {
	sv, dtp472 bool
}

// NewReader returns a Reader over r.
func NewReader(r *edi.Reader) *Reader {
	return &Reader{r: r, set: -1}
}

// Errors returns every problem recorded so far (envelope and 837), in input order.
func (r *Reader) Errors() edi.Errors { return r.r.Errors() }

// ReadAll reads to the end of the input and returns the interchanges with their claims. The
// error is only for input that cannot be read; problems with the content are in Errors. What was
// read before an unreadable part is returned with the error.
func (r *Reader) ReadAll() ([]*Interchange, error) {
	for {
		seg, err := r.r.Next()
		if err == io.EOF {
			r.endSet(nil)
			return r.out, nil
		}
		if err != nil {
			r.endSet(nil)
			return r.out, err
		}
		r.segment(seg)
	}
}

// ReadAll parses every 837 claim in the input. It is NewReader(edi.NewReader(in)).ReadAll with
// the problems found.
func ReadAll(in io.Reader) ([]*Interchange, edi.Errors, error) {
	r := NewReader(edi.NewReader(in))
	ics, err := r.ReadAll()
	return ics, r.Errors(), err
}

func (r *Reader) errorf(seg *edi.Segment, element int, kind error, code, format string, args ...any) {
	e := edi.ErrorAt(seg, element, kind, code, fmt.Sprintf(format, args...))
	e.Loop = r.loop
	r.r.AddError(e)
}

func (r *Reader) structure(seg *edi.Segment, code, format string, args ...any) {
	r.errorf(seg, 0, edi.ErrStructure, code, format, args...)
}

// segRef is where a segment was, kept (instead of a clone) for problems reported later.
type segRef struct {
	id     string
	offset int64
	index  int
	line   int
	number string // LX01 of a service line
}

func refOf(seg *edi.Segment) segRef {
	return segRef{id: seg.ID, offset: seg.Offset, index: seg.Index, line: seg.Line}
}

// structureAt records a structure problem at a remembered segment.
func (r *Reader) structureAt(p segRef, code, format string, args ...any) {
	r.r.AddError(&edi.Error{Offset: p.offset, SegmentIndex: p.index, Line: p.line, SegmentID: p.id,
		Code: code, Msg: fmt.Sprintf(format, args...), Err: edi.ErrStructure, Loop: r.loop})
}

// interchange returns the Interchange segments belong to, starting one when the envelope
// changed (or is missing).
func (r *Reader) interchange() *Interchange {
	eic := r.r.Interchange()
	if r.ic != nil && eic == r.lastIc {
		return r.ic
	}
	ic := &Interchange{}
	if eic != nil {
		ic.Sender.ISAQualifier = eic.SenderQualifier
		ic.Sender.ISAID = eic.SenderID
		ic.Receiver.ISAQualifier = eic.ReceiverQualifier
		ic.Receiver.ISAID = eic.ReceiverID
		ic.Usage = eic.Usage
		ic.ControlNumbers.ISA, _ = strconv.ParseInt(eic.ControlNumber, 10, 64)
	}
	r.ic, r.lastIc, r.lastGr = ic, eic, nil
	r.out = append(r.out, ic)
	return ic
}

func (r *Reader) group(ic *Interchange) {
	g := r.r.Group()
	if g == nil || g == r.lastGr {
		return
	}
	r.lastGr = g
	if ic.Sender.GSID == "" {
		ic.Sender.GSID = g.Sender
		ic.Receiver.GSID = g.Receiver
		ic.ControlNumbers.GS, _ = strconv.ParseInt(g.ControlNumber, 10, 64)
		if t, ok := parseGSTime(g.Date, g.Time); ok {
			ic.Time = t
		}
	}
}

func (r *Reader) segment(seg *edi.Segment) {
	switch seg.ID {
	case "ISA", "IEA", "GS", "GE", "TA1":
		if seg.ID == "ISA" || seg.ID == "GS" {
			r.endSet(nil)
		}
		if seg.ID == "ISA" {
			r.interchange()
		}
		return
	case "ST":
		r.endSet(nil)
		r.beginSet(seg)
		return
	case "SE":
		r.endSet(seg)
		return
	}
	if r.set < 0 || r.skip {
		return
	}
	r.transactionSegment(seg)
}

func (r *Reader) beginSet(seg *edi.Segment) {
	ic := r.interchange()
	r.group(ic)
	tx := r.r.Transaction()
	ts := TransactionSet{FirstClaim: len(ic.Claims)}
	if tx != nil {
		ts.ControlNumber = tx.ControlNumber
		ts.Version = tx.GuideVersion(r.r.Group())
	}
	if g := r.r.Group(); g != nil {
		ts.GroupControl = g.ControlNumber
		if tx != nil && tx.Version != "" && g.Version != "" && tx.Version != g.Version {
			r.errorf(seg, 3, edi.ErrEnvelope, "version_mismatch", "ST03 %q and GS08 %q name different implementation guides", tx.Version, g.Version)
		}
	}
	if ic.ControlNumbers.ST == 0 {
		ic.ControlNumbers.ST, _ = strconv.ParseInt(ts.ControlNumber, 10, 64)
	}
	r.skip = seg.String(1) != "837"
	if r.skip {
		r.errorf(seg, 1, edi.ErrStructure, "not_837", "transaction set %s is a %q, not an 837; it is skipped", ts.ControlNumber, seg.String(1))
	}
	switch {
	case strings.Contains(ts.Version, "X222"):
		ts.Type = Professional
	case strings.Contains(ts.Version, "X223"):
		ts.Type = Institutional
	}
	if !r.skip {
		switch ts.Version {
		case VersionProfessional, VersionInstitutional:
		case "":
			r.errorf(seg, 3, edi.ErrEnvelope, "guide_version", "neither ST03 nor GS08 names the implementation guide (005010X222A1 or 005010X223A2)")
		default:
			r.errorf(seg, 3, edi.ErrEnvelope, "guide_version", "implementation guide %q is not the HIPAA-mandated 005010X222A1 (837P) or 005010X223A2 (837I)", ts.Version)
		}
	}
	r.setType = ts.Type
	ic.Transactions = append(ic.Transactions, ts)
	r.set = len(ic.Transactions) - 1
	r.loop = "HEADER"
	r.sawBHT, r.saw1000A, r.saw1000B = false, false, false
	r.hls = make(map[string]*hlNode)
	r.lastHLID = 0
	r.hl = nil
	r.addr, r.addrSeg, r.contact, r.prvFor = nil, nil, contactNone, nil
	r.claim, r.line = nil, nil
}

// endSet closes the open transaction set at its SE (seg) or wherever the input moved on (nil).
func (r *Reader) endSet(seg *edi.Segment) {
	if r.set < 0 {
		return
	}
	if !r.skip {
		var at segRef
		ok := seg != nil
		next := ""
		if ok {
			at, next = refOf(seg), seg.ID
		} else {
			at, ok = r.lastRef()
		}
		r.endClaim()
		r.endHL(next, "")
		if ok {
			if !r.sawBHT {
				r.structureAt(at, "missing_segment", "the transaction set has no BHT segment")
			}
			if !r.saw1000A {
				r.structureAt(at, "missing_loop", "loop 1000A (submitter name, NM1*41) is missing")
			}
			if !r.saw1000B {
				r.structureAt(at, "missing_loop", "loop 1000B (receiver name, NM1*40) is missing")
			}
			if len(r.hls) == 0 {
				r.structureAt(at, "missing_loop", "the transaction set has no HL hierarchy (loops 2000A/2000B) and no claims")
			}
		}
	}
	ts := &r.ic.Transactions[r.set]
	ts.ClaimCount = len(r.ic.Claims) - ts.FirstClaim
	r.set = -1
	r.skip = false
	r.hls = nil
	r.loop = ""
}

// lastRef returns the latest remembered segment of the open set.
func (r *Reader) lastRef() (segRef, bool) {
	switch {
	case r.line != nil:
		return r.lineSeg, true
	case r.claim != nil:
		return r.claimSeg, true
	case r.hl != nil:
		return r.hl.seg, true
	}
	return segRef{}, false
}

// knownSegments are the segment ids the 837P and 837I guides use inside a transaction set.
func knownSegment(id string) bool {
	switch id {
	case "BHT", "NM1", "PER", "HL", "PRV", "CUR", "N3", "N4", "REF", "SBR", "PAT", "DMG", "CLM", "DTP",
		"CL1", "PWK", "CN1", "AMT", "K3", "NTE", "CR1", "CR2", "CR3", "CRC", "HI", "HCP", "CAS", "OI", "MIA",
		"MOA", "LX", "SV1", "SV2", "SV5", "QTY", "MEA", "PS1", "LIN", "CTP", "SVD", "LQ", "FRM":
		return true
	}
	return false
}

func (r *Reader) transactionSegment(seg *edi.Segment) {
	if !knownSegment(seg.ID) {
		r.structure(seg, "unexpected_segment", "segment %q is not part of an 837 transaction set", seg.ID)
		return
	}
	if !r.sawBHT && seg.ID != "BHT" {
		r.sawBHT = true // report once
		r.structure(seg, "missing_segment", "the BHT segment must follow ST")
	}
	switch seg.ID {
	case "BHT":
		r.bht(seg)
	case "HL":
		r.hlSegment(seg)
	case "NM1":
		r.nm1(seg)
	case "N3", "N4":
		r.n3n4(seg)
	case "PER":
		if r.contact != contactNone {
			c := &Contact{Name: seg.String(2)}
			for i := 3; i+1 <= seg.Len(); i += 2 {
				switch seg.String(i) {
				case "TE":
					if c.Phone == "" {
						c.Phone = seg.String(i + 1)
					}
				case "EM":
					if c.Email == "" {
						c.Email = seg.String(i + 1)
					}
				}
			}
			switch r.contact {
			case contactSender:
				r.ic.Sender.Contact = *c
			case contactBillingProvider:
				if r.hl != nil && r.hl.bp != nil {
					r.hl.bp.Contact = c
				}
			}
			r.contact = contactNone
		}
	case "REF":
		r.ref(seg)
	case "PRV":
		r.prv(seg)
	case "SBR":
		r.sbr(seg)
	case "PAT":
		if r.claim == nil && r.hl != nil && r.hl.level == "23" {
			r.hl.sawPAT = true
			r.hl.pat.Relationship = seg.String(1)
			if !seg.Has(1) {
				r.errorf(seg, 1, edi.ErrValue, "missing_element", "PAT01 (patient's relationship to the insured) is required")
			}
		}
	case "DMG":
		r.dmg(seg)
	case "CLM":
		r.clm(seg)
	case "DTP":
		r.dtp(seg)
	case "CL1":
		if r.claim != nil && r.line == nil && r.loop == "2300" {
			r.claimHas.cl1 = true
			if r.claim.Admission == nil {
				r.claim.Admission = &Admission{}
			}
			r.claim.Admission.Type = seg.String(1)
			r.claim.Admission.Source = seg.String(2)
			r.claim.PatientStatus = seg.String(3)
		}
	case "NTE":
		if r.line != nil && strings.HasPrefix(r.loop, "24") {
			r.line.Note = seg.String(2)
		} else if r.claim != nil && r.loop == "2300" && (r.claim.Note == "" || seg.String(1) == "ADD") {
			// The model keeps one claim note: the billing note (ADD) when there is one.
			r.claim.Note = seg.String(2)
		}
	case "HI":
		r.hi(seg)
	case "LX":
		r.lx(seg)
	case "SV1":
		r.sv1(seg)
	case "SV2":
		r.sv2(seg)
	case "LIN":
		if r.line != nil {
			r.loop = "2410"
			if seg.String(2) == "N4" {
				r.line.NDC = &NDC{Code: seg.String(3)}
			}
		}
	case "CTP":
		if r.line != nil && r.line.NDC != nil && r.loop == "2410" {
			r.line.NDC.Quantity = seg.String(4)
			r.line.NDC.Unit = seg.ComponentString(5, 1)
		}
	case "SVD":
		r.loop = "2430"
	case "LQ":
		r.loop = "2440"
	}
}

func (r *Reader) bht(seg *edi.Segment) {
	if r.sawBHT && r.loop != "HEADER" {
		r.structure(seg, "misplaced_segment", "BHT must directly follow ST")
	}
	r.sawBHT = true
	ts := &r.ic.Transactions[r.set]
	ts.ReferenceID = seg.String(3)
	ts.Purpose = seg.String(2)
	if seg.String(1) != "0019" {
		r.errorf(seg, 1, edi.ErrValue, "invalid_code", "BHT01 %q must be 0019", seg.String(1))
	}
	if p := seg.String(2); p != "00" && p != "18" {
		r.errorf(seg, 2, edi.ErrValue, "invalid_code", "BHT02 %q must be 00 (original) or 18 (reissue)", p)
	}
	if _, ok := ParseX12Date(seg.Element(4)); !ok {
		r.errorf(seg, 4, edi.ErrValue, "invalid_date", "BHT04 is not a CCYYMMDD date")
	}
	if c := seg.String(6); c != "CH" && c != "RP" && c != "31" {
		r.errorf(seg, 6, edi.ErrValue, "invalid_code", "BHT06 %q must be CH (chargeable) or RP (reporting)", c)
	}
	if r.ic.ReferenceID == "" {
		r.ic.ReferenceID = ts.ReferenceID
	}
}

// closeName ends the name loop that collects N3/N4, reporting what it lacked.
func (r *Reader) closeName() {
	a := r.addrSeg
	r.addrSeg, r.addr, r.contact, r.prvFor = nil, nil, contactNone, nil
	if a == nil || a.reported {
		return
	}
	a.reported = true
	if a.need && !a.n3 {
		r.structureAt(a.seg, "missing_segment", "loop %s has no N3 (address) segment", a.loop)
	}
	if a.need && !a.n4 {
		r.structureAt(a.seg, "missing_segment", "loop %s has no N4 (city, state, ZIP) segment", a.loop)
	}
	if a.needRef && !a.ref {
		r.structureAt(a.seg, "missing_segment", "loop %s has no REF*EI (tax identification) segment", a.loop)
	}
	if a.needDMG && !a.dmg {
		r.structureAt(a.seg, "missing_segment", "loop %s has no DMG (birth date, gender) segment", a.loop)
	}
}

func (r *Reader) openName(seg *edi.Segment, loop string, addr *Address, needAddr bool) *addrState {
	r.closeName()
	r.loop = loop
	r.addr = addr
	r.addrSeg = &addrState{loop: loop, seg: refOf(seg), need: needAddr}
	return r.addrSeg
}

func (r *Reader) hlSegment(seg *edi.Segment) {
	r.endClaim()
	r.closeName()
	id, parentID, level := seg.String(1), seg.String(2), seg.String(3)
	r.endHL("HL", level)
	r.loop = "2000?"
	if id == "" || level == "" {
		if id == "" {
			r.errorf(seg, 1, edi.ErrValue, "missing_element", "HL01 (hierarchical id) is required")
		}
		if level == "" {
			r.errorf(seg, 3, edi.ErrValue, "missing_element", "HL03 (hierarchical level code) is required")
		}
		r.hl = nil
		return
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n != r.lastHLID+1 {
		r.errorf(seg, 1, edi.ErrStructure, "hl_sequence", "HL01 %q should be %d: HL ids count up from 1 in a transaction set", id, r.lastHLID+1)
	}
	if err == nil {
		r.lastHLID = n
	} else {
		r.lastHLID++
	}
	if r.hls[id] != nil {
		r.errorf(seg, 1, edi.ErrStructure, "hl_duplicate", "HL01 %q is used twice in the transaction set", id)
	}
	node := &hlNode{id: id, level: level, child: seg.String(4), seg: refOf(seg)}
	var parent *hlNode
	if parentID != "" {
		parent = r.hls[parentID]
	}
	r.hls[id] = node
	r.hl = node
	switch level {
	case "20":
		r.loop = "2000A"
		if parentID != "" {
			r.errorf(seg, 2, edi.ErrStructure, "hl_parent", "a billing provider HL (20) has no parent, but HL02 is %q", parentID)
		}
		node.bp = &BillingProvider{}
	case "22":
		r.loop = "2000B"
		if parent == nil || parent.level != "20" {
			r.errorf(seg, 2, edi.ErrStructure, "hl_parent", "HL02 %q is not a billing provider HL (20) before this subscriber HL", parentID)
		} else {
			parent.children++
			node.parent = parent
		}
		node.sub = &Subscriber{}
	case "23":
		r.loop = "2000C"
		if parent == nil || parent.level != "22" {
			r.errorf(seg, 2, edi.ErrStructure, "hl_parent", "HL02 %q is not a subscriber HL (22) before this patient HL", parentID)
		} else {
			parent.children++
			node.parent = parent
			if parent.child == "0" {
				r.errorf(seg, 2, edi.ErrStructure, "hl_child_code", "subscriber HL %s says it has no children (HL04 0), but this patient HL is its child", parent.id)
			}
		}
		node.pat = &Patient{}
	default:
		r.errorf(seg, 3, edi.ErrValue, "invalid_code", "HL03 %q must be 20 (billing provider), 22 (subscriber) or 23 (patient)", level)
	}
	if c := node.child; c != "0" && c != "1" {
		r.errorf(seg, 4, edi.ErrValue, "invalid_code", "HL04 %q must be 0 or 1", c)
	}
}

// endHL checks the HL level being left; next is the id of the segment that ends it ("" at the
// end of the input) and nextLevel its HL03 when it is an HL.
func (r *Reader) endHL(next, nextLevel string) {
	h := r.hl
	if h == nil {
		return
	}
	r.hl = nil
	switch h.level {
	case "20":
		if !h.bpName {
			r.structureAt(h.seg, "missing_loop", "billing provider HL %s has no loop 2010AA (NM1*85)", h.id)
		}
		if h.child == "1" && next != "" && next != "HL" {
			r.structureAt(h.seg, "hl_child_code", "billing provider HL %s says it has children (HL04 1) but none follow", h.id)
		}
	case "22":
		if !h.sawSBR {
			r.structureAt(h.seg, "missing_segment", "subscriber HL %s has no SBR segment", h.id)
		}
		if !h.subName {
			r.structureAt(h.seg, "missing_loop", "subscriber HL %s has no loop 2010BA (NM1*IL)", h.id)
		}
		if !h.payName {
			r.structureAt(h.seg, "missing_loop", "subscriber HL %s has no loop 2010BB (NM1*PR)", h.id)
		}
		if h.child == "1" && (next != "HL" || nextLevel != "23") {
			r.structureAt(h.seg, "hl_child_code", "subscriber HL %s says it has a patient child (HL04 1) but no patient HL follows", h.id)
		}
	case "23":
		if !h.sawPAT {
			r.structureAt(h.seg, "missing_segment", "patient HL %s has no PAT segment", h.id)
		}
		if !h.patName {
			r.structureAt(h.seg, "missing_loop", "patient HL %s has no loop 2010CA (NM1*QC)", h.id)
		}
	}
}

func (r *Reader) nm1(seg *edi.Segment) {
	entity := seg.String(1)
	if entity == "" {
		r.errorf(seg, 1, edi.ErrValue, "missing_element", "NM101 (entity identifier code) is required")
	}
	if !seg.Has(2) {
		r.errorf(seg, 2, edi.ErrValue, "missing_element", "NM102 (entity type qualifier) is required")
	}
	if seg.String(8) == "XX" {
		if npi := seg.String(9); !ValidNPI(npi) {
			r.errorf(seg, 9, edi.ErrValue, "invalid_npi", "NM109 is not a valid NPI (10 digits with the Luhn check digit)")
		}
	}
	org, last, first, middle, suffix := "", seg.String(3), seg.String(4), seg.String(5), seg.String(7)
	if seg.String(2) == "2" {
		org, last = last, ""
	}
	// Header loops.
	if r.hl == nil && r.claim == nil {
		switch entity {
		case "41":
			if r.saw1000A {
				r.structure(seg, "loop_repeat", "loop 1000A (submitter) appears more than once")
			}
			r.saw1000A = true
			r.closeName()
			r.loop = "1000A"
			if r.ic.Sender.Name == "" {
				r.ic.Sender.Name = seg.String(3)
				r.ic.Sender.ID = seg.String(9)
				r.contact = contactSender
			}
			return
		case "40":
			if r.saw1000B {
				r.structure(seg, "loop_repeat", "loop 1000B (receiver) appears more than once")
			}
			r.saw1000B = true
			r.closeName()
			r.loop = "1000B"
			if r.ic.Receiver.Name == "" {
				r.ic.Receiver.Name = seg.String(3)
				r.ic.Receiver.ID = seg.String(9)
			}
			return
		}
		r.structure(seg, "unexpected_entity", "NM1*%s is not expected here (before the first HL only NM1*41 and NM1*40 belong)", entity)
		return
	}
	h := r.hl
	// Claim and line loops.
	if r.claim != nil {
		r.nm1Claim(seg, entity, org, last, first, middle)
		return
	}
	if h == nil {
		r.structure(seg, "unexpected_entity", "NM1*%s follows an HL that could not be read", entity)
		return
	}
	switch h.level {
	case "20":
		switch entity {
		case "85":
			if h.bpName {
				r.structure(seg, "loop_repeat", "loop 2010AA (billing provider) appears more than once in HL %s", h.id)
			}
			h.bpName = true
			bp := h.bp
			bp.OrganizationName, bp.LastName, bp.FirstName, bp.MiddleName = org, last, first, middle
			bp.NPI = seg.String(9)
			a := r.openName(seg, "2010AA", &bp.Address, true)
			a.needRef = true
			r.contact = contactBillingProvider
			return
		case "87":
			bp := h.bp
			bp.PayToAddress = &Address{}
			r.openName(seg, "2010AB", bp.PayToAddress, true)
			return
		case "PE":
			r.openName(seg, "2010AC", nil, false)
			return
		}
	case "22":
		switch entity {
		case "IL":
			if h.subName {
				r.structure(seg, "loop_repeat", "loop 2010BA (subscriber) appears more than once in HL %s", h.id)
			}
			h.subName = true
			s := h.sub
			s.LastName, s.FirstName, s.MiddleName, s.Suffix = last, first, middle, suffix
			if org != "" {
				s.LastName = org
			}
			s.MemberID = seg.String(9)
			if s.Address == nil {
				s.Address = &Address{}
			}
			r.openName(seg, "2010BA", s.Address, false)
			return
		case "PR":
			if h.payName {
				r.structure(seg, "loop_repeat", "loop 2010BB (payer) appears more than once in HL %s", h.id)
			}
			h.payName = true
			h.payer = Payer{ID: seg.String(9), Name: seg.String(3)}
			r.openName(seg, "2010BB", nil, false)
			return
		}
	case "23":
		if entity == "QC" {
			if h.patName {
				r.structure(seg, "loop_repeat", "loop 2010CA (patient) appears more than once in HL %s", h.id)
			}
			h.patName = true
			p := h.pat
			p.LastName, p.FirstName, p.MiddleName, p.Suffix = last, first, middle, suffix
			p.Address = &Address{}
			a := r.openName(seg, "2010CA", p.Address, true)
			a.needDMG = true
			return
		}
	}
	r.structure(seg, "unexpected_entity", "NM1*%s is not expected in loop %s", entity, r.loop)
}

func (r *Reader) nm1Claim(seg *edi.Segment, entity, org, last, first, middle string) {
	c := r.claim
	prov := func() *Provider {
		return &Provider{NPI: seg.String(9), OrganizationName: org, LastName: last, FirstName: first, MiddleName: middle}
	}
	inCOB := r.loop == "2320" || strings.HasPrefix(r.loop, "2330")
	if inCOB {
		switch entity {
		case "IL", "PR", "DN", "P3", "82", "77", "DQ", "85", "72", "ZZ", "71", "PE":
			r.closeName()
			r.loop = "2330"
			return
		}
		r.structure(seg, "unexpected_entity", "NM1*%s is not expected in loop 2330", entity)
		return
	}
	if r.line != nil {
		r.closeName()
		switch entity {
		case "82":
			r.loop = "2420A"
			p := prov()
			r.line.RenderingProvider = p
			r.prvFor = p
		case "QB", "77", "DQ", "DK", "DN", "P3", "PW", "45", "72", "ZZ":
			r.loop = "2420"
		default:
			r.structure(seg, "unexpected_entity", "NM1*%s is not expected in loop 2420", entity)
		}
		return
	}
	switch entity {
	case "DN", "P3":
		r.closeName()
		r.loop = "2310"
		if c.ReferringProvider == nil {
			c.ReferringProvider = prov()
		}
	case "82":
		r.closeName()
		r.loop = "2310"
		p := prov()
		c.RenderingProvider = p
		r.prvFor = p
	case "71":
		r.closeName()
		r.loop = "2310A"
		p := prov()
		c.AttendingProvider = p
		r.prvFor = p
	case "77":
		f := &ServiceFacility{NPI: seg.String(9), Name: seg.String(3)}
		c.ServiceFacility = f
		r.openName(seg, "2310", &f.Address, true)
	case "72", "ZZ", "DQ", "PW", "45":
		r.closeName()
		r.loop = "2310"
	default:
		r.structure(seg, "unexpected_entity", "NM1*%s is not expected in loop 2310", entity)
	}
}

func (r *Reader) n3n4(seg *edi.Segment) {
	a := r.addrSeg
	if a == nil {
		return
	}
	if seg.ID == "N3" {
		if a.n4 {
			r.structure(seg, "segment_order", "N3 must come before N4 in loop %s", a.loop)
		}
		a.n3 = true
		if r.addr != nil {
			r.addr.Line1, r.addr.Line2 = seg.String(1), seg.String(2)
		}
		if !seg.Has(1) {
			r.errorf(seg, 1, edi.ErrValue, "missing_element", "N301 (address line) is required")
		}
		return
	}
	a.n4 = true
	if r.addr != nil {
		r.addr.City, r.addr.State, r.addr.PostalCode = seg.String(1), seg.String(2), seg.String(3)
	}
	if zip := seg.Element(3); (a.loop == "2010AA" || a.loop == "2310") && !seg.Has(4) && (len(zip) != 9 || !isDigits(string(zip))) {
		r.errorf(seg, 3, edi.ErrValue, "invalid_zip", "N403 in loop %s must be the nine-digit ZIP code", a.loop)
	}
	if !seg.Has(1) {
		r.errorf(seg, 1, edi.ErrValue, "missing_element", "N401 (city) is required")
	}
}

func (r *Reader) ref(seg *edi.Segment) {
	q, v := seg.String(1), seg.String(2)
	if q == "" || v == "" {
		r.errorf(seg, 2, edi.ErrValue, "missing_element", "REF01 and REF02 are required")
	}
	if r.line != nil && r.loop == "2400" {
		if q == "6R" {
			r.line.ControlNumber = v
		}
		return
	}
	if r.claim != nil && r.loop == "2300" {
		switch q {
		case "F8":
			r.claim.PayerClaimNumber = v
		case "G1":
			r.claim.PriorAuthorization = v
		case "9F":
			r.claim.ReferralNumber = v
		case "LU":
			if r.claim.Type == Institutional {
				if r.claim.Accident == nil {
					r.claim.Accident = &Accident{Type: AccidentAuto}
				}
				r.claim.Accident.State = v
			}
		}
		return
	}
	if a := r.addrSeg; a != nil && a.loop == "2010AA" && (q == "EI" || q == "SY") {
		a.ref = true
		if h := r.hl; h != nil && h.bp != nil {
			h.bp.TaxID = v
		}
	}
}

func (r *Reader) prv(seg *edi.Segment) {
	code, tax := seg.String(1), seg.String(3)
	if seg.String(2) != "PXC" {
		r.errorf(seg, 2, edi.ErrValue, "invalid_code", "PRV02 %q must be PXC (taxonomy code)", seg.String(2))
	}
	switch {
	case code == "BI" && r.claim == nil && r.hl != nil && r.hl.level == "20":
		r.hl.bp.Taxonomy = tax
	case (code == "PE" || code == "AT") && r.prvFor != nil:
		r.prvFor.Taxonomy = tax
		r.prvFor = nil
	}
}

func (r *Reader) sbr(seg *edi.Segment) {
	if r.claim != nil {
		// 2320: other subscriber information (coordination of benefits).
		r.closeName()
		r.endLine()
		r.loop = "2320"
		return
	}
	h := r.hl
	if h == nil || h.level != "22" {
		r.structure(seg, "misplaced_segment", "SBR belongs to a subscriber HL (22)")
		return
	}
	h.sawSBR = true
	s := h.sub
	s.PayerResponsibility = seg.String(1)
	s.GroupNumber = seg.String(3)
	s.GroupName = seg.String(4)
	s.ClaimFilingIndicator = seg.String(9)
	if !seg.Has(1) {
		r.errorf(seg, 1, edi.ErrValue, "missing_element", "SBR01 (payer responsibility) is required")
	}
	if rel := seg.String(2); rel != "" && rel != RelationshipSelf {
		r.errorf(seg, 2, edi.ErrValue, "invalid_code", "SBR02 %q must be 18 (self) or empty", rel)
	}
}

func (r *Reader) dmg(seg *edi.Segment) {
	a := r.addrSeg
	if a == nil || (a.loop != "2010BA" && a.loop != "2010CA") {
		return
	}
	a.dmg = true
	d, ok := ParseX12Date(seg.Element(2))
	if seg.String(1) != "D8" || !ok {
		r.errorf(seg, 2, edi.ErrValue, "invalid_date", "DMG02 is not a D8 (CCYYMMDD) birth date")
	}
	g := seg.String(3)
	if g != "M" && g != "F" && g != "U" {
		r.errorf(seg, 3, edi.ErrValue, "invalid_code", "DMG03 gender %q must be M, F or U", g)
	}
	if h := r.hl; h != nil {
		if a.loop == "2010BA" && h.sub != nil {
			h.sub.BirthDate, h.sub.Gender = d, g
		} else if a.loop == "2010CA" && h.pat != nil {
			h.pat.BirthDate, h.pat.Gender = d, g
		}
	}
}

func (r *Reader) clm(seg *edi.Segment) {
	r.endClaim()
	r.closeName()
	h := r.hl
	r.loop = "2300"
	c := &Claim{Type: r.setType}
	if c.Type == "" {
		c.Type = Professional
		if seg.ComponentString(5, 2) == "A" {
			c.Type = Institutional
		}
	}
	var sub, pat *hlNode
	switch {
	case h == nil:
		r.structure(seg, "misplaced_segment", "CLM must follow a subscriber (22) or patient (23) HL")
	case h.level == "22":
		sub = h
		if h.child == "1" {
			r.structure(seg, "misplaced_segment", "the claim sits in subscriber HL %s, which says it has a patient child (HL04 1)", h.id)
		}
	case h.level == "23":
		pat, sub = h, h.parent
	default:
		r.structure(seg, "misplaced_segment", "CLM must follow a subscriber (22) or patient (23) HL, not %s", h.level)
	}
	if sub != nil && sub.sub != nil {
		c.Subscriber = *sub.sub
		if sub.sub.Address != nil {
			a := *sub.sub.Address
			c.Subscriber.Address = &a
		}
		if c.Subscriber.Address != nil && c.Subscriber.Address.IsZero() {
			c.Subscriber.Address = nil
		}
		c.Payer = sub.payer
		if bpn := sub.parent; bpn != nil && bpn.bp != nil {
			c.BillingProvider = copyBillingProvider(bpn.bp)
		} else {
			r.structure(seg, "missing_loop", "the claim has no billing provider (loop 2000A/2010AA)")
		}
	}
	if pat != nil && pat.pat != nil {
		p := *pat.pat
		if p.Address != nil {
			a := *p.Address
			p.Address = &a
		}
		c.Patient = &p
	}
	c.PatientControlNumber = seg.String(1)
	if c.PatientControlNumber == "" {
		r.errorf(seg, 1, edi.ErrValue, "missing_element", "CLM01 (patient control number) is required")
	} else if len(c.PatientControlNumber) > maxPCN {
		r.errorf(seg, 1, edi.ErrValue, "too_long", "CLM01 is longer than 20 characters")
	}
	if a, ok, err := seg.Amount(2); err != nil {
		r.addValueError(err)
	} else if !ok {
		r.errorf(seg, 2, edi.ErrValue, "missing_element", "CLM02 (total claim charge) is required")
	} else {
		c.TotalCharge = a
	}
	loc := seg.ComponentString(5, 1)
	qual := seg.ComponentString(5, 2)
	c.Frequency = seg.ComponentString(5, 3)
	if loc == "" || c.Frequency == "" {
		r.errorf(seg, 5, edi.ErrValue, "missing_element", "CLM05 needs the place of service or facility type and the claim frequency")
	}
	if c.Type == Professional {
		c.PlaceOfService = loc
		if qual != "B" {
			r.errorf(seg, 5, edi.ErrValue, "invalid_code", "CLM05-2 %q must be B on a professional claim", qual)
		}
		switch c.Frequency {
		case "1", "6", "7", "8", "":
		default:
			r.errorf(seg, 5, edi.ErrValue, "invalid_code", "CLM05-3 claim frequency %q must be 1, 6, 7 or 8 on a professional claim", c.Frequency)
		}
		c.ProviderSignatureOnFile = seg.String(6) == "Y"
		if s := seg.String(6); s != "Y" && s != "N" {
			r.errorf(seg, 6, edi.ErrValue, "invalid_code", "CLM06 %q must be Y or N", s)
		}
		if seg.Has(11) {
			c.Accident = &Accident{Type: seg.ComponentString(11, 1), State: seg.ComponentString(11, 4)}
		}
	} else {
		c.FacilityType = loc
		if qual != "A" {
			r.errorf(seg, 5, edi.ErrValue, "invalid_code", "CLM05-2 %q must be A on an institutional claim", qual)
		}
	}
	c.AcceptAssignment = seg.String(7)
	c.BenefitsAssignment = seg.String(8)
	c.ReleaseOfInformation = seg.String(9)
	r.claim = c
	r.claimSeg = refOf(seg)
	r.claimHas = claimSeen{}
}

func copyBillingProvider(bp *BillingProvider) BillingProvider {
	out := *bp
	if bp.Contact != nil {
		c := *bp.Contact
		out.Contact = &c
	}
	if bp.PayToAddress != nil {
		a := *bp.PayToAddress
		out.PayToAddress = &a
	}
	return out
}

func (r *Reader) addValueError(err error) {
	if e, ok := err.(*edi.Error); ok {
		e.Loop = r.loop
		r.r.AddError(e)
	}
}

// endClaim finishes the open claim and appends it to the interchange.
func (r *Reader) endClaim() {
	r.endLine()
	c := r.claim
	if c == nil {
		return
	}
	r.closeName()
	r.claim = nil
	seg := r.claimSeg
	r.loop = "2300"
	if !r.claimHas.hi {
		r.structureAt(seg, "missing_segment", "claim %s has no HI (diagnosis) segment", c.PatientControlNumber)
	}
	if c.Type == Institutional {
		if !r.claimHas.dtp434 {
			r.structureAt(seg, "missing_segment", "institutional claim %s has no DTP*434 (statement dates)", c.PatientControlNumber)
		}
		if !r.claimHas.cl1 {
			r.structureAt(seg, "missing_segment", "institutional claim %s has no CL1 segment", c.PatientControlNumber)
		}
	}
	if len(c.Lines) == 0 {
		r.structureAt(seg, "missing_loop", "claim %s has no service line (loop 2400)", c.PatientControlNumber)
	}
	r.ic.Claims = append(r.ic.Claims, *c)
}

func (r *Reader) dtp(seg *edi.Segment) {
	q, f, v := seg.String(1), seg.String(2), seg.Element(3)
	if r.line != nil && r.loop == "2400" {
		if q == "472" {
			r.lineHas.dtp472 = true
			from, to, ok := parsePeriod(f, v)
			if !ok {
				r.errorf(seg, 3, edi.ErrValue, "invalid_date", "DTP*472 service date is not a valid %s date", f)
			}
			r.line.ServiceDate = from
			if to != from {
				r.line.ServiceDateEnd = to
			}
		}
		return
	}
	c := r.claim
	if c == nil || r.loop != "2300" {
		return
	}
	bad := func() {
		r.errorf(seg, 3, edi.ErrValue, "invalid_date", "DTP*%s value is not a valid %s date", q, f)
	}
	switch q {
	case "431", "439":
		d, ok := ParseX12Date(v)
		if f != "D8" || !ok {
			bad()
		}
		if q == "431" {
			c.OnsetDate = d
		} else {
			if c.Accident == nil {
				c.Accident = &Accident{}
			}
			c.Accident.Date = d
		}
	case "434":
		r.claimHas.dtp434 = true
		from, to, ok := parsePeriod(f, v)
		if !ok {
			bad()
		}
		c.StatementPeriod = &Period{From: from, To: to}
	case "435":
		if c.Type != Institutional {
			return
		}
		if c.Admission == nil {
			c.Admission = &Admission{}
		}
		switch {
		case f == "D8":
			d, ok := ParseX12Date(v)
			if !ok {
				bad()
			}
			c.Admission.Date = d
		case f == "DT" && len(v) == 12:
			d, ok := ParseX12Date(v[:8])
			if !ok || !validHour(v[8:]) {
				bad()
			}
			c.Admission.Date, c.Admission.Hour = d, string(v[8:])
		default:
			bad()
		}
	case "096":
		if c.Type != Institutional {
			return
		}
		if f != "TM" || !validHour(v) {
			bad()
		}
		c.DischargeHour = string(v)
	}
}

func validHour(b []byte) bool {
	return len(b) == 4 && isDigits(string(b)) && string(b[:2]) <= "23" && string(b[2:]) <= "59"
}

// parsePeriod reads a D8 or RD8 value.
func parsePeriod(format string, v []byte) (from, to Date, ok bool) {
	switch format {
	case "D8":
		d, ok := ParseX12Date(v)
		return d, d, ok
	case "RD8":
		if len(v) != 17 || v[8] != '-' {
			return Date{}, Date{}, false
		}
		from, ok1 := ParseX12Date(v[:8])
		to, ok2 := ParseX12Date(v[9:])
		return from, to, ok1 && ok2 && !to.Before(from)
	}
	return Date{}, Date{}, false
}

func (r *Reader) hi(seg *edi.Segment) {
	c := r.claim
	if c == nil || r.loop != "2300" {
		r.structure(seg, "misplaced_segment", "HI belongs to the claim (loop 2300)")
		return
	}
	r.claimHas.hi = true
	for i := 1; i <= seg.Len(); i++ {
		if !seg.Has(i) {
			continue
		}
		q := seg.ComponentString(i, 1)
		code := seg.ComponentString(i, 2)
		if icd9Qualifier(q) {
			r.errorf(seg, i, edi.ErrValue, "icd9_qualifier", "HI%02d-1 %q is an ICD-9 code list qualifier; 5010 claims use ICD-10 (ABK, ABF, ABJ, BBR, BBQ...)", i, q)
		}
		if code == "" {
			r.errorf(seg, i, edi.ErrValue, "missing_element", "HI%02d-2 (code) is required", i)
			continue
		}
		date := func() Date {
			d, ok := ParseX12Date(seg.Component(i, 4))
			if seg.ComponentString(i, 3) != "D8" || !ok {
				r.errorf(seg, i, edi.ErrValue, "invalid_date", "HI%02d-4 is not a D8 date", i)
			}
			return d
		}
		switch q {
		case "ABK":
			if len(c.Diagnoses) > 0 {
				r.errorf(seg, i, edi.ErrStructure, "segment_order", "the principal diagnosis (ABK) must come first")
			}
			c.Diagnoses = append([]string{code}, c.Diagnoses...)
		case "ABF":
			if len(c.Diagnoses) == 0 {
				r.errorf(seg, i, edi.ErrStructure, "segment_order", "other diagnoses (ABF) must follow the principal diagnosis (ABK)")
			}
			c.Diagnoses = append(c.Diagnoses, code)
		case "ABJ":
			c.AdmittingDiagnosis = code
		case "BBR", "BBQ":
			if (q == "BBR") != (len(c.Procedures) == 0) {
				r.errorf(seg, i, edi.ErrStructure, "segment_order", "the principal procedure (BBR) must come first, once")
			}
			c.Procedures = append(c.Procedures, Procedure{Code: code, Date: date()})
		case "BH":
			c.OccurrenceCodes = append(c.OccurrenceCodes, Occurrence{Code: code, Date: date()})
		case "BE":
			a, err := edi.ParseAmountBytes(seg.Component(i, 5))
			if err != nil {
				r.errorf(seg, i, edi.ErrValue, "invalid_amount", "HI%02d-5 value code amount is not an amount", i)
			}
			c.ValueCodes = append(c.ValueCodes, ValueCode{Code: code, Amount: a})
		case "BG":
			c.ConditionCodes = append(c.ConditionCodes, code)
		case "BK", "BF", "BJ", "BR", "BQ", "PR", "BN", "BP", "BO":
			switch q {
			case "BK":
				c.Diagnoses = append([]string{code}, c.Diagnoses...)
			case "BF":
				c.Diagnoses = append(c.Diagnoses, code)
			case "BJ":
				c.AdmittingDiagnosis = code
			}
		case "APR", "ABN", "DR", "BI", "TC", "BBP", "BBO":
			// patient reason for visit, external cause, DRG, occurrence span, treatment code,
			// anesthesia procedures: valid, not carried by the model.
		default:
			r.errorf(seg, i, edi.ErrValue, "invalid_code", "HI%02d-1 %q is not a code list qualifier of the 837", i, q)
		}
	}
}

// icd9Qualifier reports whether q is an HI code list qualifier of ICD-9-CM.
func icd9Qualifier(q string) bool {
	switch q {
	case "BK", "BF", "BJ", "BR", "BQ", "PR", "BN", "BP", "BO":
		return true
	}
	return false
}

func (r *Reader) endLine() {
	l := r.line
	if l == nil {
		return
	}
	r.line = nil
	if !r.lineHas.sv {
		r.structureAt(r.lineSeg, "missing_segment", "service line %s has no SV1/SV2 segment", r.lineSeg.number)
	}
	if r.claim != nil && r.claim.Type == Professional && !r.lineHas.dtp472 {
		r.structureAt(r.lineSeg, "missing_segment", "service line %s has no DTP*472 (service date)", r.lineSeg.number)
	}
	if r.claim != nil {
		r.claim.Lines = append(r.claim.Lines, *l)
	}
}

func (r *Reader) lx(seg *edi.Segment) {
	r.endLine()
	r.closeName()
	if r.claim == nil {
		r.structure(seg, "misplaced_segment", "LX (service line) must follow a claim (CLM)")
		return
	}
	r.loop = "2400"
	if n, _, err := seg.Int(1); err != nil || n != int64(len(r.claim.Lines)+1) {
		r.errorf(seg, 1, edi.ErrValue, "lx_sequence", "LX01 %q should be %d: service lines are numbered from 1", seg.Element(1), len(r.claim.Lines)+1)
	}
	r.line = &ServiceLine{}
	r.lineSeg = refOf(seg)
	r.lineSeg.number = strconv.Itoa(len(r.claim.Lines) + 1)
	r.lineHas = lineSeen{}
}

// procedure reads a composite medical procedure identifier (SV101, SV202).
func procedure(seg *edi.Segment, i int, l *ServiceLine) {
	l.ProcedureQualifier = seg.ComponentString(i, 1)
	l.ProcedureCode = seg.ComponentString(i, 2)
	for j := 3; j <= 6; j++ {
		if m := seg.ComponentString(i, j); m != "" {
			l.Modifiers = append(l.Modifiers, m)
		}
	}
}

func (r *Reader) sv1(seg *edi.Segment) {
	l := r.line
	if l == nil || r.loop != "2400" {
		r.structure(seg, "misplaced_segment", "SV1 must follow LX")
		return
	}
	r.lineHas.sv = true
	if r.claim.Type != Professional {
		r.structure(seg, "unexpected_segment", "SV1 (professional service) in an institutional claim")
	}
	procedure(seg, 1, l)
	if l.ProcedureCode == "" {
		r.errorf(seg, 1, edi.ErrValue, "missing_element", "SV101-2 (procedure code) is required")
	}
	r.charge(seg, 2, l)
	l.UnitType = seg.String(3)
	l.Units = seg.String(4)
	if l.Units == "" {
		r.errorf(seg, 4, edi.ErrValue, "missing_element", "SV104 (service unit count) is required")
	}
	l.PlaceOfService = seg.String(5)
	for j := 1; j <= 4; j++ {
		b := seg.Component(7, j)
		if len(b) == 0 {
			continue
		}
		p, err := strconv.Atoi(string(b))
		if err != nil || p < 1 || p > 12 {
			r.errorf(seg, 7, edi.ErrValue, "invalid_pointer", "SV107-%d diagnosis pointer %q must be 1 to 12", j, b)
			continue
		}
		if r.claim != nil && p > len(r.claim.Diagnoses) {
			r.errorf(seg, 7, edi.ErrValue, "invalid_pointer", "SV107-%d points at diagnosis %d, but the claim has %d", j, p, len(r.claim.Diagnoses))
		}
		l.DiagnosisPointers = append(l.DiagnosisPointers, p)
	}
	if len(l.DiagnosisPointers) == 0 {
		r.errorf(seg, 7, edi.ErrValue, "missing_element", "SV107 (diagnosis code pointer) is required")
	}
}

func (r *Reader) charge(seg *edi.Segment, i int, l *ServiceLine) {
	if a, ok, err := seg.Amount(i); err != nil {
		r.addValueError(err)
	} else if !ok {
		r.errorf(seg, i, edi.ErrValue, "missing_element", "%s (line charge) is required", edi.ElementRef(seg.ID, i))
	} else {
		l.Charge = a
	}
}

func (r *Reader) sv2(seg *edi.Segment) {
	l := r.line
	if l == nil || r.loop != "2400" {
		r.structure(seg, "misplaced_segment", "SV2 must follow LX")
		return
	}
	r.lineHas.sv = true
	if r.claim.Type != Institutional {
		r.structure(seg, "unexpected_segment", "SV2 (institutional service) in a professional claim")
	}
	l.RevenueCode = seg.String(1)
	if l.RevenueCode == "" {
		r.errorf(seg, 1, edi.ErrValue, "missing_element", "SV201 (revenue code) is required")
	}
	if seg.Has(2) {
		procedure(seg, 2, l)
	}
	r.charge(seg, 3, l)
	l.UnitType = seg.String(4)
	l.Units = seg.String(5)
}

// parseGSTime reads GS04 (CCYYMMDD) and GS05 (HHMM, optionally with seconds) as UTC.
func parseGSTime(date, hhmm string) (time.Time, bool) {
	d, ok := ParseX12Date([]byte(date))
	if !ok || len(hhmm) < 4 || !validHour([]byte(hhmm[:4])) {
		return time.Time{}, false
	}
	h, _ := strconv.Atoi(hhmm[:2])
	m, _ := strconv.Atoi(hhmm[2:4])
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, time.UTC), true
}
