package document

import (
	"context"
	"errors"
	"io"
	"sort"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/edi/x999"
)

// Options says how Read reads. The zero value keeps everything.
type Options struct {
	// DropRemittanceClaims reads every 835 claim payment, checks it and drops it, so that
	// memory does not grow with the claims of a large 835: the 835 sets of the document hold
	// their payment, parties, provider adjustments and totals, but no claims. The problems
	// found are the same. `claimgate edi validate` reads so.
	DropRemittanceClaims bool
}

// ErrNoInterchange is the Unreadable error of an input without an ISA segment.
var ErrNoInterchange = errors.New("the input holds no X12 interchange (no ISA segment)")

// Read reads the whole input into a Document. open must return a reader over the whole input,
// from its first byte, each time it is called: Read reads the input once for its structure and
// once more for each transaction type that has a reader of its own (835, 837).
//
// The error is open's, or ctx's when ctx ends between sets; an input that is not X12, or that
// breaks off, gives a Document with Unreadable set, not an error.
func Read(ctx context.Context, open func() (io.ReadCloser, error), opts Options) (*Document, error) {
	rd := &reader{ctx: ctx, open: open, opts: opts,
		doc: &Document{Interchanges: []*Interchange{}, Errors: []Error{}}}
	if err := rd.structure(); err != nil {
		return nil, err
	}
	kinds := map[string]bool{}
	for _, s := range rd.doc.sets {
		kinds[s.typ] = true
	}
	if kinds[type835] {
		if err := rd.read835(); err != nil {
			return nil, err
		}
	}
	if kinds[type837P] || kinds[type837I] {
		if err := rd.read837(); err != nil {
			return nil, err
		}
	}
	rd.finishErrors()
	return rd.doc, nil
}

// reader is one Read: the document being filled and the problems found so far.
type reader struct {
	ctx  context.Context
	open func() (io.ReadCloser, error)
	opts Options
	doc  *Document
	errs []*edi.Error
}

// structure is the first pass: it builds the interchange/group/set outline, decodes 999, 277CA
// and TA1 content as it goes by, feeds the 999 tracker and records the edi.Reader's problems.
func (rd *reader) structure() error {
	if err := rd.ctx.Err(); err != nil {
		return err
	}
	rc, err := rd.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	doc := rd.doc
	r := edi.NewReader(rc)
	// 999 and 277CA sets are decoded segment by segment as they go by; their decoders record
	// their problems on r.
	var (
		ic     *Interchange
		gr     *Group
		cur    *setRecord
		dec999 = x999.NewDecoder(r)
		dec277 = x277.NewDecoder(r)
	)
	closeSet := func(end int64) {
		if cur == nil {
			return
		}
		cur.end = end
		switch cur.typ {
		case type999:
			cur.group.Transactions[cur.slot] = dec999.Finish()
		case type277CA:
			cur.group.Transactions[cur.slot] = dec277.Finish()
		default:
			cur.group.Transactions[cur.slot] = GenericSet{Type: cur.typ, ControlNumber: cur.control, Version: cur.version, SegmentCount: cur.segments}
		}
		cur = nil
	}
	ensureInterchange := func() *Interchange {
		if ic == nil {
			ic = &Interchange{Groups: []*Group{}}
			doc.Interchanges = append(doc.Interchanges, ic)
		}
		return ic
	}
	ensureGroup := func() *Group {
		if gr == nil {
			gr = &Group{Transactions: []any{}}
			ensureInterchange().Groups = append(ic.Groups, gr)
		}
		return gr
	}
	for {
		seg, err := r.Next()
		if err == io.EOF {
			closeSet(r.Scanner().Offset())
			break
		}
		if err != nil {
			closeSet(r.Scanner().Offset())
			doc.Unreadable = err
			break
		}
		doc.tracker.Observe(r, seg)
		switch seg.ID {
		case "ISA":
			closeSet(seg.Offset)
			h := r.Interchange()
			ic = &Interchange{Sender: h.SenderID, Receiver: h.ReceiverID, ControlNumber: h.ControlNumber, Usage: h.Usage, Groups: []*Group{}}
			doc.Interchanges = append(doc.Interchanges, ic)
			gr = nil
		case "IEA":
			closeSet(seg.Offset)
			ic, gr = nil, nil
		case "GS":
			closeSet(seg.Offset)
			h := r.Group()
			gr = &Group{FunctionalID: h.FunctionalID, ControlNumber: h.ControlNumber, Version: h.Version, Transactions: []any{}}
			ensureInterchange().Groups = append(ic.Groups, gr)
		case "GE":
			closeSet(seg.Offset)
			gr = nil
		case "TA1":
			closeSet(seg.Offset)
			ack, errs := ta1.Parse(seg)
			rd.errs = append(rd.errs, errs...)
			g := &Group{Transactions: []any{ack}}
			ensureInterchange().Groups = append(ic.Groups, g)
		case "ST":
			closeSet(seg.Offset)
			if err := rd.ctx.Err(); err != nil {
				return err
			}
			g := ensureGroup()
			t := r.Transaction()
			guide := t.GuideVersion(r.Group())
			cur = &setRecord{typ: setType(t.ID, guide), id: t.ID, control: t.ControlNumber, version: guide,
				start: seg.Offset, segments: 1, group: g, slot: len(g.Transactions)}
			g.Transactions = append(g.Transactions, nil)
			doc.sets = append(doc.sets, cur)
			switch cur.typ {
			case type999:
				dec999.Start(seg)
			case type277CA:
				dec277.Start(seg, r.Group())
			}
		case "SE":
			if cur != nil {
				cur.segments++
				closeSet(seg.Offset)
			}
		default:
			if cur != nil {
				cur.segments++
				switch cur.typ {
				case type999:
					dec999.Add(seg)
				case type277CA:
					dec277.Add(seg)
				}
			}
		}
	}
	rd.errs = append(rd.errs, r.Errors()...)
	if r.Interchanges() == 0 && doc.Unreadable == nil {
		doc.Unreadable = ErrNoInterchange
	}
	return nil
}

// setsOf returns the sets of the given types, in input order.
func (rd *reader) setsOf(types ...string) []*setRecord {
	var out []*setRecord
	for _, s := range rd.doc.sets {
		for _, t := range types {
			if s.typ == t {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// addOwnErrors keeps the problems a transaction reader found inside sets of its own types. The
// envelope problems it saw again are dropped as duplicates when the list is finished.
func (rd *reader) addOwnErrors(errs edi.Errors, sets []*setRecord) {
	for _, e := range errs {
		for _, s := range sets {
			if e.Offset >= s.start && e.Offset <= s.end {
				rd.errs = append(rd.errs, e)
				break
			}
		}
	}
}

// read835 reads every 835 set with the x835 reader and puts each remittance in its set's slot.
func (rd *reader) read835() error {
	if err := rd.ctx.Err(); err != nil {
		return err
	}
	sets := rd.setsOf(type835)
	byStart := make(map[int64]*setRecord, len(sets))
	for _, s := range sets {
		byStart[s.start] = s
	}
	rc, err := rd.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	r := x835.NewReader(edi.NewReader(rc))
	for {
		if err := rd.ctx.Err(); err != nil {
			return err
		}
		var (
			rem *x835.Remittance
			err error
		)
		if rd.opts.DropRemittanceClaims {
			rem, err = r.NextTransaction()
			for err == nil {
				if _, cerr := r.NextClaim(); cerr != nil {
					break // io.EOF at the end of the set; an unreadable input ends the next call too
				}
			}
		} else {
			rem, err = r.Next()
		}
		if err != nil {
			break // io.EOF, or unreadable input the structure pass has already reported
		}
		if s := byStart[rem.Offset]; s != nil {
			s.group.Transactions[s.slot] = rem
			delete(byStart, rem.Offset)
		}
	}
	rd.addOwnErrors(r.Errors(), sets)
	if len(byStart) == 0 {
		return nil
	}
	// Sets the reader could not return still carry their totals, from the fast path.
	rc2, err := rd.open()
	if err != nil {
		return err
	}
	defer rc2.Close()
	_ = x835.ReadTotals(rc2, func(info x835.TransactionInfo, t x835.Totals) error {
		if s := byStart[info.Offset]; s != nil {
			s.group.Transactions[s.slot] = Totals835{GenericSet{Type: type835, ControlNumber: s.control, Version: s.version, SegmentCount: s.segments}, t}
		}
		return nil
	})
	return nil
}

// read837 reads every 837P/837I set with the x837 reader and puts each set's claims in its slot.
func (rd *reader) read837() error {
	if err := rd.ctx.Err(); err != nil {
		return err
	}
	sets := rd.setsOf(type837P, type837I)
	// The reader returns the sets in input order; each takes the first outline set left with the
	// same group and set control numbers.
	type key struct{ group, set string }
	pending := map[key][]*setRecord{}
	for _, s := range sets {
		k := key{s.group.ControlNumber, s.control}
		pending[k] = append(pending[k], s)
	}
	rc, err := rd.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	r := x837.NewReader(edi.NewReader(rc))
	ics, _ := r.ReadAll() // an unreadable input is the structure pass's to report
	for _, ic := range ics {
		for _, ts := range ic.Transactions {
			if ts.Type != x837.Professional && ts.Type != x837.Institutional {
				continue
			}
			k := key{ts.GroupControl, ts.ControlNumber}
			list := pending[k]
			if len(list) == 0 {
				continue
			}
			s := list[0]
			pending[k] = list[1:]
			claims := []x837.Claim{}
			if ts.FirstClaim >= 0 && ts.ClaimCount > 0 && ts.FirstClaim+ts.ClaimCount <= len(ic.Claims) {
				claims = ic.Claims[ts.FirstClaim : ts.FirstClaim+ts.ClaimCount]
			}
			s.group.Transactions[s.slot] = Set837{Type: s.typ, ControlNumber: s.control, Version: s.version,
				ReferenceID: ts.ReferenceID, Purpose: ts.Purpose, SegmentCount: s.segments, Claims: claims}
		}
	}
	rd.addOwnErrors(r.Errors(), sets)
	return nil
}

// finishErrors sorts the problems into input order, drops duplicates and fills both lists of
// the document.
func (rd *reader) finishErrors() {
	sort.SliceStable(rd.errs, func(i, j int) bool {
		a, b := rd.errs[i], rd.errs[j]
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		return a.SegmentIndex < b.SegmentIndex
	})
	type key struct {
		off          int64
		idx, el, cmp int
		code, msg    string
	}
	seen := map[key]bool{}
	kept := rd.errs[:0]
	for _, e := range rd.errs {
		k := key{e.Offset, e.SegmentIndex, e.Element, e.Component, e.Code, e.Msg}
		if seen[k] {
			continue
		}
		seen[k] = true
		kept = append(kept, e)
	}
	rd.doc.Problems = edi.Errors(kept)
	for _, e := range kept {
		rd.doc.Errors = append(rd.doc.Errors, Error{Offset: e.Offset, SegmentIndex: e.SegmentIndex, Segment: e.SegmentID,
			Element: e.Element, Code: e.Code, Message: e.Msg})
	}
}
