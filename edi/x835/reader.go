package x835

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/claimgate/claimgate/edi"
)

// Reader reads 835 transaction sets from an edi.Reader, one at a time, and within a set one
// claim at a time, so a set with a million claims never has to be held in memory.
//
// Whole sets:
//
//	r := x835.NewReader(edi.NewReader(f))
//	for {
//		rem, err := r.Next()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err // unreadable input
//		}
//		... rem.Claims, rem.Totals ...
//	}
//	problems := r.Errors() // envelope, structure, value and balancing problems, positioned
//
// Streaming claims:
//
//	for {
//		rem, err := r.NextTransaction() // payment, payer, payee: everything before the first claim
//		if err == io.EOF { break }
//		...
//		for {
//			c, err := r.NextClaim()
//			if err == io.EOF { break } // rem.ProviderAdjustments, rem.Headers and rem.Totals are now final
//			...
//		}
//	}
//
// Segments of other transaction sets (837, 999, ...) are skipped. Problems never stop the
// reader: each is recorded on the edi.Reader with AddError (balancing problems wrap
// edi.ErrBalance) and reading goes on; amounts are never corrected. Only input that cannot be
// read or split into segments returns an error. The caller must not call the edi.Reader's Next
// itself while using a Reader.
type Reader struct {
	er *edi.Reader

	pending *edi.Segment // a segment read but left for the next step
	eof     bool
	err     error

	rem     *Remittance
	setDone bool
	detail  bool // past the header: LX, CLP, PLB seen
	bpr     bool
	bprSeg  segPos
	party   *Party
	header  int // index in rem.Headers of the open LX loop, -1 when none
	claim   *ClaimPayment
	line    *ServiceLine
	tot     Totals

	// codes interns the short values that repeat from claim to claim (qualifiers, codes,
	// dates) so a large remittance does not allocate a string for each; bounded.
	codes map[string]string
}

const (
	maxCodeLen = 8
	maxCodes   = 4096
)

// code returns element i of seg as a string, shared with earlier equal values when short.
func (r *Reader) code(seg *edi.Segment, i int) string { return r.intern(seg.Element(i)) }

func (r *Reader) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > maxCodeLen {
		return string(b)
	}
	if v, ok := r.codes[string(b)]; ok {
		return v
	}
	v := string(b)
	if r.codes == nil {
		r.codes = make(map[string]string, 256)
	}
	if len(r.codes) < maxCodes {
		r.codes[v] = v
	}
	return v
}

// segPos remembers where a segment was, to position a problem found later.
type segPos struct {
	id     string
	offset int64
	index  int
	line   int
}

func posOf(seg *edi.Segment) segPos {
	return segPos{id: seg.ID, offset: seg.Offset, index: seg.Index, line: seg.Line}
}

// NewReader returns a Reader reading 835 transaction sets from er.
func NewReader(er *edi.Reader) *Reader {
	return &Reader{er: er, header: -1}
}

// EDI returns the underlying edi.Reader (for its envelopes and settings).
func (r *Reader) EDI() *edi.Reader { return r.er }

// Errors returns every problem recorded so far: the edi.Reader's envelope problems and this
// reader's structure, value and balancing problems, positioned.
func (r *Reader) Errors() edi.Errors { return r.er.Errors() }

// Next reads the next 835 transaction set whole, claims included. It returns io.EOF when the
// input holds no more 835 sets.
func (r *Reader) Next() (*Remittance, error) {
	rem, err := r.NextTransaction()
	if err != nil {
		return nil, err
	}
	rem.Claims = []*ClaimPayment{}
	for {
		c, err := r.NextClaim()
		if err == io.EOF {
			return rem, nil
		}
		if err != nil {
			return nil, err
		}
		rem.Claims = append(rem.Claims, c)
	}
}

// NextTransaction skips what is left of the current set and reads the next 835 set up to its
// first claim: payment, trace, references, payer and payee. The claims follow with NextClaim;
// the returned Remittance's Headers, ProviderAdjustments and Totals are complete once NextClaim
// returns io.EOF. It returns io.EOF when the input holds no more 835 sets.
func (r *Reader) NextTransaction() (*Remittance, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.rem != nil && !r.setDone {
		for {
			_, err := r.NextClaim()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
		}
	}
	r.rem = nil
	for {
		seg, err := r.next()
		if err != nil {
			return nil, err
		}
		if seg.ID == "ST" && seg.String(1) == "835" {
			r.begin(seg)
			break
		}
	}
	for {
		seg, err := r.next()
		if err == io.EOF {
			return r.rem, nil
		}
		if err != nil {
			return nil, err
		}
		if endsSet(seg.ID) || isDetail(seg.ID) {
			r.pending = seg
			return r.rem, nil
		}
		r.headerSegment(seg)
	}
}

// NextClaim returns the next claim of the current set, or io.EOF at the end of the set (and
// before the first NextTransaction). Each claim is a new value the caller may keep.
func (r *Reader) NextClaim() (*ClaimPayment, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.rem == nil || r.setDone {
		return nil, io.EOF
	}
	for {
		seg, err := r.next()
		if err != nil && err != io.EOF {
			return nil, err
		}
		if err == io.EOF || endsSet(seg.ID) {
			if r.claim != nil {
				if seg != nil {
					r.pending = seg
				}
				return r.closeClaim(), nil
			}
			if seg != nil && seg.ID != "SE" {
				r.pending = seg // an envelope segment: it belongs to what comes next
			}
			r.finish()
			return nil, io.EOF
		}
		r.detail = true
		switch seg.ID {
		case "LX", "CLP", "PLB":
			if r.claim != nil {
				r.pending = seg
				return r.closeClaim(), nil
			}
		}
		switch seg.ID {
		case "LX":
			r.onLX(seg)
		case "TS3", "TS2":
			r.onSummary(seg)
		case "CLP":
			r.onCLP(seg)
		case "PLB":
			r.onPLB(seg)
		case "BPR":
			r.lateBPR(seg)
		default:
			if r.claim != nil {
				r.claimSegment(seg)
			} else {
				r.misplaced(seg)
			}
		}
	}
}

func (r *Reader) next() (*edi.Segment, error) {
	if s := r.pending; s != nil {
		r.pending = nil
		return s, nil
	}
	if r.eof {
		return nil, io.EOF
	}
	seg, err := r.er.Next()
	if err == io.EOF {
		r.eof = true
		return nil, io.EOF
	}
	if err != nil {
		r.err = fmt.Errorf("x835: %w", err)
		return nil, r.err
	}
	return seg, nil
}

// isDetail reports whether a segment starts the detail of the set (after the header).
func isDetail(id string) bool {
	switch id {
	case "LX", "TS3", "TS2", "CLP", "CAS", "NM1", "MIA", "MOA", "AMT", "QTY", "SVC", "LQ", "PLB":
		return true
	}
	return false
}

func (r *Reader) begin(seg *edi.Segment) {
	rem := &Remittance{Type: "835", ControlNumber: seg.String(2), Interchange: r.er.Interchange(), Group: r.er.Group(),
		Offset: seg.Offset, SegmentIndex: seg.Index}
	if tx := r.er.Transaction(); tx != nil {
		rem.Version = tx.GuideVersion(r.er.Group())
	}
	*r = Reader{er: r.er, pending: r.pending, eof: r.eof, rem: rem, header: -1, codes: r.codes}
}

// finish closes the set: totals and the transaction balancing check.
func (r *Reader) finish() {
	r.setDone = true
	r.tot.balance()
	r.rem.Totals = r.tot
	if !r.bpr {
		e := &edi.Error{Offset: r.rem.Offset, SegmentIndex: r.rem.SegmentIndex, SegmentID: "ST", Code: "missing_bpr",
			Msg: fmt.Sprintf("835 transaction set %s has no BPR segment: its payment amount is unknown", r.rem.ControlNumber), Err: edi.ErrStructure}
		r.add(e, "Header")
		return
	}
	if !r.tot.Balanced {
		t := r.tot
		p := r.bprSeg
		r.add(&edi.Error{Offset: p.offset, SegmentIndex: p.index, Line: p.line, SegmentID: "BPR", Element: 2, Code: "payment_not_balanced",
			Msg: fmt.Sprintf("payment amount %s (BPR02 signed by BPR03) does not equal the claims paid %s (sum of CLP04) minus the provider adjustments %s (sum of PLB amounts) = %s; difference %s",
				t.PaymentAmount, t.Paid, t.ProviderAdjustments, t.Paid-t.ProviderAdjustments, t.PaymentAmount-(t.Paid-t.ProviderAdjustments)),
			Err: edi.ErrBalance}, "Header")
	}
}

// add records a problem with the loop it was found in.
func (r *Reader) add(e *edi.Error, loop string) {
	if e.Loop == "" {
		e.Loop = loop
	}
	if e.Transaction == "" && r.rem != nil {
		e.Transaction = r.rem.ControlNumber
	}
	r.er.AddError(e)
}

func (r *Reader) addErr(err error, loop string) {
	var e *edi.Error
	if errors.As(err, &e) {
		r.add(e, loop)
	}
}

func (r *Reader) loop() string {
	switch {
	case r.line != nil:
		return "2110"
	case r.claim != nil:
		return "2100"
	case r.detail:
		return "2000"
	case r.party == &r.rem.Payer:
		return "1000A"
	case r.party == &r.rem.Payee:
		return "1000B"
	}
	return "Header"
}

func (r *Reader) amount(seg *edi.Segment, i int) edi.Amount {
	a, _, err := seg.Amount(i)
	if err != nil {
		r.addErr(err, r.loop())
		return 0
	}
	return a
}

// require records a missing_element problem for each required element that is empty.
func (r *Reader) require(seg *edi.Segment, elements ...int) {
	for _, i := range elements {
		if !seg.Has(i) {
			r.add(edi.ErrorAt(seg, i, edi.ErrValue, "missing_element",
				fmt.Sprintf("%s is required in the %s segment but is missing", edi.ElementRef(seg.ID, i), seg.ID)), r.loop())
		}
	}
}

func (r *Reader) invalid(seg *edi.Segment, i int, what string) {
	r.add(edi.ErrorAt(seg, i, edi.ErrValue, "invalid_code",
		fmt.Sprintf("%s %q is not a valid %s", edi.ElementRef(seg.ID, i), seg.Element(i), what)), r.loop())
}

func (r *Reader) misplaced(seg *edi.Segment) {
	where := "in the 835 header"
	if r.detail {
		where = "outside a claim (CLP) loop"
	}
	r.add(edi.ErrorAt(seg, 0, edi.ErrStructure, "unexpected_segment",
		fmt.Sprintf("%s segment is not expected %s; it was skipped", seg.ID, where)), r.loop())
}

func (r *Reader) onBPR(seg *edi.Segment) {
	if r.bpr {
		r.add(edi.ErrorAt(seg, 0, edi.ErrStructure, "repeated_segment", "the transaction set has a second BPR segment; only the first is used"), r.loop())
		return
	}
	r.bpr = true
	r.bprSeg = posOf(seg)
	p := &r.rem.Payment
	*p = Payment{
		HandlingCode: seg.String(1), Amount: r.amount(seg, 2), CreditDebit: seg.String(3), Method: seg.String(4), Format: seg.String(5),
		SenderDFIQualifier: seg.String(6), SenderDFI: seg.String(7), SenderAccountQualifier: seg.String(8), SenderAccount: seg.String(9),
		OriginatorID: seg.String(10), OriginatorSupplemental: seg.String(11),
		ReceiverDFIQualifier: seg.String(12), ReceiverDFI: seg.String(13), ReceiverAccountQualifier: seg.String(14), ReceiverAccount: seg.String(15),
		EffectiveDate: seg.String(16),
	}
	r.tot.PaymentAmount = p.Signed()
	r.require(seg, 1, 2, 3, 4, 16)
	if p.CreditDebit != "" && p.CreditDebit != "C" && p.CreditDebit != "D" {
		r.invalid(seg, 3, "credit/debit flag (C or D)")
	}
}

// lateBPR handles a BPR after the header: misplaced, but still the set's payment when it is
// the first one (as ReadTotals counts it).
func (r *Reader) lateBPR(seg *edi.Segment) {
	if !r.bpr {
		r.misplaced(seg)
	}
	r.onBPR(seg)
}

func (r *Reader) headerSegment(seg *edi.Segment) {
	switch seg.ID {
	case "BPR":
		r.onBPR(seg)
	case "TRN":
		r.require(seg, 1, 2, 3)
		if r.rem.Trace != nil {
			r.add(edi.ErrorAt(seg, 0, edi.ErrStructure, "repeated_segment", "the transaction set has a second TRN segment; only the first is used"), r.loop())
			return
		}
		r.rem.Trace = &Trace{TypeCode: seg.String(1), Number: seg.String(2), PayerID: seg.String(3), PayerSupplemental: seg.String(4)}
	case "CUR":
		r.rem.Currency = seg.String(2)
	case "REF":
		ref := r.reference(seg)
		if r.party != nil {
			r.party.References = append(r.party.References, ref)
			return
		}
		switch ref.Qualifier {
		case "EV":
			r.rem.ReceiverID = ref.Value
		case "F2":
			r.rem.VersionID = ref.Value
		default:
			r.rem.References = append(r.rem.References, ref)
		}
	case "DTM":
		if r.party == nil && seg.String(1) == "405" {
			r.rem.ProductionDate = seg.String(2)
			return
		}
		r.misplaced(seg)
	case "N1":
		r.party = nil // the loop changes
		switch seg.String(1) {
		case "PR":
			r.party = &r.rem.Payer
		case "PE":
			r.party = &r.rem.Payee
		default:
			r.invalid(seg, 1, "entity identifier code for an 835 (PR payer or PE payee)")
			r.party = &Party{} // its N3, N4, REF are read and dropped
		}
		*r.party = Party{EntityCode: seg.String(1), Name: seg.String(2), IDQualifier: seg.String(3), ID: seg.String(4)}
	case "N3", "N4":
		if r.party == nil {
			r.misplaced(seg)
			return
		}
		if r.party.Address == nil {
			r.party.Address = &Address{}
		}
		a := r.party.Address
		if seg.ID == "N3" {
			a.Line1, a.Line2 = seg.String(1), seg.String(2)
		} else {
			a.City, a.State, a.PostalCode, a.Country, a.CountrySubdivision = seg.String(1), seg.String(2), seg.String(3), seg.String(4), seg.String(7)
		}
	case "PER":
		if r.party == nil {
			r.misplaced(seg)
			return
		}
		r.party.Contacts = append(r.party.Contacts, contact(seg))
	case "RDM":
		if r.party == nil {
			r.misplaced(seg)
			return
		}
		r.party.DeliveryMethod = &DeliveryMethod{Code: seg.String(1), Name: seg.String(2), Communication: seg.String(3)}
	default:
		r.misplaced(seg)
	}
}

func (r *Reader) reference(seg *edi.Segment) Reference {
	return Reference{Qualifier: r.code(seg, 1), Value: seg.String(2), Description: seg.String(3)}
}

func contact(seg *edi.Segment) Contact {
	c := Contact{Function: seg.String(1), Name: seg.String(2)}
	for i := 3; i+1 <= 8; i += 2 {
		if seg.Has(i) || seg.Has(i+1) {
			c.Communications = append(c.Communications, Communication{Qualifier: seg.String(i), Number: seg.String(i + 1)})
		}
	}
	return c
}

func (r *Reader) onLX(seg *edi.Segment) {
	r.require(seg, 1)
	r.rem.Headers = append(r.rem.Headers, Header{Number: seg.String(1)})
	r.header = len(r.rem.Headers) - 1
}

func (r *Reader) onSummary(seg *edi.Segment) {
	if r.header < 0 || r.claim != nil {
		r.misplaced(seg)
		return
	}
	h := &r.rem.Headers[r.header]
	if seg.ID == "TS3" {
		r.require(seg, 1, 2, 3, 4, 5)
		s := &ProviderSummary{ProviderID: seg.String(1), FacilityCode: seg.String(2), FiscalPeriodDate: seg.String(3),
			ClaimCount: seg.String(4), TotalCharge: r.amount(seg, 5)}
		for _, i := range [...]int{13, 15, 17, 18, 20, 21, 22, 24} {
			if seg.Has(i) {
				s.Amounts = append(s.Amounts, ElementAmount{Element: edi.ElementRef("TS3", i), Amount: r.amount(seg, i)})
			}
		}
		if seg.Has(23) {
			s.Amounts = append(s.Amounts, ElementAmount{Element: "TS323", Amount: r.amount(seg, 23)})
		}
		h.Summary = s
		return
	}
	s := &SupplementalSummary{}
	for i := 1; i <= seg.Len(); i++ {
		if seg.Has(i) {
			s.Values = append(s.Values, ElementValue{Element: edi.ElementRef("TS2", i), Value: seg.String(i)})
		}
	}
	h.Supplemental = s
}

var validStatus = map[string]bool{"1": true, "2": true, "3": true, "4": true, "19": true, "20": true, "21": true, "22": true, "23": true, "25": true}

func (r *Reader) onCLP(seg *edi.Segment) {
	c := &ClaimPayment{
		PatientControlNumber: seg.String(1), Status: r.code(seg, 2),
		FilingIndicator: r.code(seg, 6), PayerClaimNumber: seg.String(7), FacilityType: r.intern(seg.Component(8, 1)),
		Frequency: r.code(seg, 9), DRG: seg.String(11), DRGWeight: seg.String(12), DischargeFraction: seg.String(13),
		Offset: seg.Offset, SegmentIndex: seg.Index, Line: seg.Line,
	}
	if r.header >= 0 {
		c.HeaderNumber = r.rem.Headers[r.header].Number
	}
	r.claim = c
	c.Charge = r.amount(seg, 3)
	c.Paid = r.amount(seg, 4)
	c.PatientResponsibility = r.amount(seg, 5)
	r.require(seg, 1, 2, 3, 4, 6)
	if c.Status != "" && !validStatus[c.Status] {
		r.invalid(seg, 2, "claim status code (CLP02)")
	}
	r.tot.ClaimCount++
	if c.IsReversal() {
		r.tot.ReversalCount++
	}
	r.tot.Charged += c.Charge
	r.tot.Paid += c.Paid
}

func (r *Reader) onPLB(seg *edi.Segment) {
	r.require(seg, 1, 2, 3, 4)
	p := ProviderAdjustment{ProviderID: seg.String(1), FiscalPeriodDate: seg.String(2), Offset: seg.Offset, SegmentIndex: seg.Index, Line: seg.Line}
	for i := 3; i <= 13; i += 2 {
		if !seg.Has(i) && !seg.Has(i+1) {
			continue
		}
		it := ProviderAdjustmentItem{Reason: seg.ComponentString(i, 1), Reference: seg.ComponentString(i, 2), Amount: r.amount(seg, i+1)}
		if it.Reason == "" {
			r.require(seg, i)
		}
		if !seg.Has(i + 1) {
			r.require(seg, i+1)
		}
		p.Adjustments = append(p.Adjustments, it)
	}
	r.tot.ProviderAdjustmentCount++
	r.tot.ProviderAdjustments += p.Total()
	r.rem.ProviderAdjustments = append(r.rem.ProviderAdjustments, p)
}

// claimSegment handles a segment inside a claim loop: claim level until the first SVC, line
// level after it.
func (r *Reader) claimSegment(seg *edi.Segment) {
	c := r.claim
	l := r.line
	switch seg.ID {
	case "SVC":
		r.closeLine()
		r.onSVC(seg)
	case "CAS":
		if l != nil {
			l.Adjustments = r.adjustments(l.Adjustments, seg)
		} else {
			c.Adjustments = r.adjustments(c.Adjustments, seg)
		}
	case "DTM":
		d := Date{Qualifier: r.code(seg, 1), Date: r.code(seg, 2)}
		if l != nil {
			l.Dates = append(l.Dates, d)
		} else {
			c.Dates = append(c.Dates, d)
		}
	case "REF":
		ref := r.reference(seg)
		switch {
		case l == nil:
			c.References = append(c.References, ref)
		case ref.Qualifier == "6R" && l.ControlNumber == "":
			l.ControlNumber = ref.Value
		default:
			l.References = append(l.References, ref)
		}
	case "AMT":
		a := QualifiedAmount{Qualifier: r.code(seg, 1), Amount: r.amount(seg, 2)}
		if l != nil {
			l.Amounts = append(l.Amounts, a)
		} else {
			c.Amounts = append(c.Amounts, a)
		}
	case "QTY":
		q := Quantity{Qualifier: r.code(seg, 1), Quantity: r.code(seg, 2)}
		if l != nil {
			l.Quantities = append(l.Quantities, q)
		} else {
			c.Quantities = append(c.Quantities, q)
		}
	case "LQ":
		if l == nil {
			r.misplaced(seg)
			return
		}
		l.Remarks = append(l.Remarks, Remark{Qualifier: r.code(seg, 1), Code: r.code(seg, 2)})
	case "NM1":
		if l != nil {
			r.misplaced(seg)
			return
		}
		r.onNM1(seg)
	case "MIA":
		if l != nil {
			r.misplaced(seg)
			return
		}
		r.onMIA(seg)
	case "MOA":
		if l != nil {
			r.misplaced(seg)
			return
		}
		r.onMOA(seg)
	case "PER":
		if l != nil {
			r.misplaced(seg)
			return
		}
		c.Contacts = append(c.Contacts, contact(seg))
	case "BPR":
		r.lateBPR(seg)
	default:
		r.misplaced(seg)
	}
}

var validGroups = map[string]bool{"CO": true, "OA": true, "PI": true, "PR": true, "CR": true}

// adjustments appends the up to six reason/amount/quantity triplets of a CAS segment to out.
func (r *Reader) adjustments(out []Adjustment, seg *edi.Segment) []Adjustment {
	group := r.code(seg, 1)
	r.require(seg, 1, 2, 3)
	if group != "" && !validGroups[group] {
		r.invalid(seg, 1, "claim adjustment group code (CO, OA, PI, PR)")
	}
	for i := 2; i <= 17; i += 3 {
		if !seg.Has(i) && !seg.Has(i+1) && !seg.Has(i+2) {
			continue
		}
		if i > 2 {
			if !seg.Has(i) {
				r.require(seg, i)
			}
			if !seg.Has(i + 1) {
				r.require(seg, i+1)
			}
		}
		out = append(out, Adjustment{Group: group, Reason: r.code(seg, i), Amount: r.amount(seg, i+1), Quantity: r.code(seg, i+2)})
	}
	return out
}

func (r *Reader) onNM1(seg *edi.Segment) {
	n := &Name{EntityCode: r.code(seg, 1), EntityType: r.code(seg, 2), LastName: seg.String(3), FirstName: seg.String(4),
		MiddleName: seg.String(5), Suffix: seg.String(7), IDQualifier: r.code(seg, 8), ID: seg.String(9)}
	c := r.claim
	var slot **Name
	switch n.EntityCode {
	case "QC":
		slot = &c.Patient
	case "IL":
		slot = &c.Insured
	case "74":
		slot = &c.Corrected
	case "82":
		slot = &c.ServiceProvider
	case "TT":
		slot = &c.CrossoverCarrier
	case "PR":
		slot = &c.CorrectedPriorityPayer
	case "GB":
		slot = &c.OtherSubscriber
	default:
		r.invalid(seg, 1, "entity identifier code for a claim name (QC, IL, 74, 82, TT, PR, GB)")
		return
	}
	if *slot != nil {
		r.add(edi.ErrorAt(seg, 1, edi.ErrStructure, "repeated_segment",
			fmt.Sprintf("the claim has a second NM1*%s segment; only the first is used", n.EntityCode)), r.loop())
		return
	}
	*slot = n
}

func (r *Reader) onMIA(seg *edi.Segment) {
	m := &InpatientAdjudication{CoveredDays: seg.String(1), PPSOperatingOutlier: r.amount(seg, 2), LifetimePsychiatricDays: seg.String(3),
		DRGAmount: r.amount(seg, 4), CostReportDays: seg.String(15)}
	for i := 6; i <= 24; i++ {
		switch i {
		case 15, 20, 21, 22, 23:
			continue
		}
		if seg.Has(i) {
			m.Amounts = append(m.Amounts, ElementAmount{Element: edi.ElementRef("MIA", i), Amount: r.amount(seg, i)})
		}
	}
	for _, i := range [...]int{5, 20, 21, 22, 23} {
		if seg.Has(i) {
			m.RemarkCodes = append(m.RemarkCodes, seg.String(i))
		}
	}
	r.claim.Inpatient = m
}

func (r *Reader) onMOA(seg *edi.Segment) {
	m := &OutpatientAdjudication{ReimbursementRate: seg.String(1), HCPCSPayable: r.amount(seg, 2),
		ESRDPayment: r.amount(seg, 8), NonpayableProfessionalComponent: r.amount(seg, 9)}
	for i := 3; i <= 7; i++ {
		if seg.Has(i) {
			m.RemarkCodes = append(m.RemarkCodes, seg.String(i))
		}
	}
	r.claim.Outpatient = m
}

func (r *Reader) procedure(seg *edi.Segment, i int) Procedure {
	var p Procedure
	e := seg.Element(i)
	sep := seg.Delimiters().Component
	for k := 0; len(e) > 0 || k == 0; k++ {
		part := e
		if j := bytes.IndexByte(e, sep); j >= 0 {
			part, e = e[:j], e[j+1:]
		} else {
			e = nil
		}
		if len(part) == 0 {
			continue
		}
		switch {
		case k == 0:
			p.Qualifier = r.intern(part)
		case k == 1:
			p.Code = r.intern(part)
		case k >= 2 && k <= 5:
			p.Modifiers = append(p.Modifiers, r.intern(part))
		case k == 6:
			p.Description = string(part)
		}
	}
	return p
}

func (r *Reader) onSVC(seg *edi.Segment) {
	// The line is built in place in the claim's Lines (the previous line is closed, so nothing
	// points into the slice when it grows).
	c := r.claim
	if c.Lines == nil {
		c.Lines = make([]ServiceLine, 0, 4)
	}
	c.Lines = append(c.Lines, ServiceLine{Procedure: r.procedure(seg, 1), RevenueCode: r.code(seg, 4), Units: r.code(seg, 5),
		OriginalUnits: r.code(seg, 7), Offset: seg.Offset, SegmentIndex: seg.Index, Line: seg.Line})
	l := &c.Lines[len(c.Lines)-1]
	r.line = l // before the amounts, so their problems name loop 2110
	l.Charge = r.amount(seg, 2)
	l.Paid = r.amount(seg, 3)
	if seg.Has(6) {
		p := r.procedure(seg, 6)
		l.OriginalProcedure = &p
	}
	r.require(seg, 1, 2, 3)
}

// closeLine appends the open service line to its claim and checks that it balances:
// SVC02 - SVC03 = sum of the line's CAS amounts.
func (r *Reader) closeLine() {
	l := r.line
	if l == nil {
		return
	}
	r.line = nil
	if adj := sumAdjustments(l.Adjustments); l.Charge-l.Paid != adj {
		r.add(&edi.Error{Offset: l.Offset, SegmentIndex: l.SegmentIndex, Line: l.Line, SegmentID: "SVC", Code: "line_not_balanced",
			Msg: fmt.Sprintf("service line %s: charge %s (SVC02) - paid %s (SVC03) = %s but the line's adjustments (CAS) total %s; difference %s",
				lineName(l), l.Charge, l.Paid, l.Charge-l.Paid, adj, l.Charge-l.Paid-adj),
			Err: edi.ErrBalance}, "2110")
	}
}

func lineName(l *ServiceLine) string {
	if l.ControlNumber != "" {
		return l.ControlNumber + " (REF*6R)"
	}
	return l.Procedure.Code
}

// closeClaim ends the open claim and checks that it balances: CLP03 - CLP04 = the sum of the
// claim-level and line-level CAS amounts.
func (r *Reader) closeClaim() *ClaimPayment {
	r.closeLine()
	c := r.claim
	r.claim = nil
	if adj := c.AdjustmentTotal(); c.Charge-c.Paid != adj {
		r.add(&edi.Error{Offset: c.Offset, SegmentIndex: c.SegmentIndex, Line: c.Line, SegmentID: "CLP", Code: "claim_not_balanced",
			Msg: fmt.Sprintf("claim %s: charge %s (CLP03) - paid %s (CLP04) = %s but the claim and line adjustments (CAS) total %s; difference %s",
				c.PatientControlNumber, c.Charge, c.Paid, c.Charge-c.Paid, adj, c.Charge-c.Paid-adj),
			Err: edi.ErrBalance}, "2100")
	}
	return c
}
