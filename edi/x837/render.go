package x837

import (
	"io"
	"strconv"
	"unsafe"

	"github.com/claimgate/claimgate/edi"
)

// SetLayout is one functional group with its one transaction set, as Render writes it.
type SetLayout struct {
	Type               ClaimType `json:"type"`
	Version            string    `json:"version"`              // GS08 and ST03
	GroupControlNumber int64     `json:"group_control_number"` // GS06
	ControlNumber      string    `json:"control_number"`       // ST02
	// Claims are indexes into Interchange.Claims, in the order they are written (claims with
	// the same billing provider are written together under one 2000A).
	Claims []int `json:"claims"`
}

// Layout returns the functional groups and transaction sets Render writes for ic: one for the
// professional claims (first) and one for the institutional claims, each only when it has
// claims. Group and set control numbers count up from ControlNumbers.GS and ControlNumbers.ST.
// Claims of any other type are left out (Validate reports them).
func (ic *Interchange) Layout() []SetLayout {
	var out []SetLayout
	gs, st := ic.ControlNumbers.GS, ic.ControlNumbers.ST
	for _, t := range [2]ClaimType{Professional, Institutional} {
		idx := groupByBillingProvider(ic.Claims, t)
		if len(idx) == 0 {
			continue
		}
		version := VersionProfessional
		if t == Institutional {
			version = VersionInstitutional
		}
		out = append(out, SetLayout{Type: t, Version: version, GroupControlNumber: gs, ControlNumber: edi.ControlNumber(st), Claims: idx})
		gs++
		st++
	}
	return out
}

// groupByBillingProvider returns the indexes of the claims of type t, those with equal billing
// providers together, groups in order of first appearance.
func groupByBillingProvider(claims []Claim, t ClaimType) []int {
	type group struct {
		first int
		idx   []int
	}
	var groups []group
	n := 0
	for i := range claims {
		if claims[i].Type != t {
			continue
		}
		n++
		found := false
		for g := range groups {
			if sameBillingProvider(&claims[groups[g].first].BillingProvider, &claims[i].BillingProvider) {
				groups[g].idx = append(groups[g].idx, i)
				found = true
				break
			}
		}
		if !found {
			groups = append(groups, group{first: i, idx: []int{i}})
		}
	}
	if len(groups) == 1 {
		return groups[0].idx
	}
	out := make([]int, 0, n)
	for _, g := range groups {
		out = append(out, g.idx...)
	}
	return out
}

func sameBillingProvider(a, b *BillingProvider) bool {
	if a == b {
		return true
	}
	if a.NPI != b.NPI || a.TaxID != b.TaxID || a.Taxonomy != b.Taxonomy || a.OrganizationName != b.OrganizationName ||
		a.FirstName != b.FirstName || a.LastName != b.LastName || a.MiddleName != b.MiddleName || a.Address != b.Address {
		return false
	}
	if (a.Contact == nil) != (b.Contact == nil) || a.Contact != nil && *a.Contact != *b.Contact {
		return false
	}
	if (a.PayToAddress == nil) != (b.PayToAddress == nil) || a.PayToAddress != nil && *a.PayToAddress != *b.PayToAddress {
		return false
	}
	return true
}

// Render validates ic and writes it as one X12 interchange to w with the default delimiters
// (* : ^ ~) and no line breaks. Nothing is written when Validate finds a problem; the error is
// then ClaimErrors. A write failure is returned as it happened.
func Render(w io.Writer, ic *Interchange) error {
	ew := edi.NewWriter(w, edi.DefaultDelimiters)
	if err := WriteInterchange(ew, ic); err != nil {
		return err
	}
	return ew.Flush()
}

// WriteInterchange validates ic (against ew's delimiters) and writes it to ew, which the caller
// flushes. Use it to choose the delimiters or line breaks. A problem Validate finds is returned
// as ClaimErrors before anything is written; an error of the writer itself is returned as a
// *ClaimError naming the claim being written, wrapping the writer's *edi.Error.
func WriteInterchange(ew *edi.Writer, ic *Interchange) error {
	if err := validate(ic, ew.Delimiters()); err != nil {
		return err
	}
	if err := ew.Err(); err != nil {
		return err
	}
	r := renderer{w: ew, ic: ic, cur: -1, scratch: make([]byte, 0, 32)}
	r.interchange(ic.Layout())
	if err := ew.Err(); err != nil {
		ce := &ClaimError{Index: r.cur, Field: "", Msg: err.Error(), Err: err}
		if r.cur >= 0 {
			ce.PatientControlNumber = ic.Claims[r.cur].PatientControlNumber
			ce.Field = "claim"
		} else {
			ce.Field = "envelope"
		}
		return ce
	}
	return nil
}

type renderer struct {
	w       *edi.Writer
	ic      *Interchange
	cur     int // index of the claim being written, -1 outside claims
	hl      int64
	scratch []byte
	date    int64  // creation date CCYYMMDD
	hhmm    string // creation time HHMM
}

// str views the scratch buffer as a string without copying. The Writer copies every value it
// is given before returning, so the view is never used after the scratch buffer changes.
func (r *renderer) str() string {
	return unsafe.String(unsafe.SliceData(r.scratch), len(r.scratch))
}

func (r *renderer) rd8(from, to Date) string {
	r.scratch = from.AppendX12(r.scratch[:0])
	r.scratch = append(r.scratch, '-')
	r.scratch = to.AppendX12(r.scratch)
	return r.str()
}

func (r *renderer) d8(d Date) string {
	r.scratch = d.AppendX12(r.scratch[:0])
	return r.str()
}

func dateInt(d Date) int64 { return int64(d.Year)*10000 + int64(d.Month)*100 + int64(d.Day) }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (r *renderer) interchange(layout []SetLayout) {
	ic, w := r.ic, r.w
	t := ic.Time.UTC()
	r.date = dateInt(DateOf(t))
	r.hhmm = t.Format("1504")
	ref := ic.ReferenceID
	if ref == "" {
		ref = strconv.FormatInt(ic.ControlNumbers.ISA, 10)
	}
	w.BeginInterchange(edi.ISAHeader{
		SenderQualifier: or(ic.Sender.ISAQualifier, "ZZ"), SenderID: ic.Sender.ISAID,
		ReceiverQualifier: or(ic.Receiver.ISAQualifier, "ZZ"), ReceiverID: ic.Receiver.ISAID,
		Time: t, ControlNumber: ic.ControlNumbers.ISA, Usage: or(ic.Usage, "T"),
	})
	for i := range layout {
		set := &layout[i]
		w.BeginGroup(edi.GSHeader{FunctionalID: "HC", Sender: ic.Sender.GSID, Receiver: ic.Receiver.GSID,
			Time: t, ControlNumber: set.GroupControlNumber, Version: set.Version})
		w.BeginTransaction("837", set.ControlNumber, set.Version)
		w.Seg("BHT").E("0019").E("00").E(ref).Int(r.date).E(r.hhmm).E("CH").End()
		r.header()
		r.hl = 0
		var bp *BillingProvider
		var bpHL int64
		for _, ci := range set.Claims {
			c := &ic.Claims[ci]
			r.cur = ci
			if bp == nil || !sameBillingProvider(bp, &c.BillingProvider) {
				bp = &c.BillingProvider
				r.hl++
				bpHL = r.hl
				r.billingProvider(bp, bpHL)
			}
			r.claim(c, bpHL)
			if w.Err() != nil {
				return
			}
		}
		r.cur = -1
		w.EndTransaction()
		w.EndGroup()
	}
	w.EndInterchange()
}

// header writes loops 1000A (submitter) and 1000B (receiver).
func (r *renderer) header() {
	s, rc, w := &r.ic.Sender, &r.ic.Receiver, r.w
	w.Seg("NM1").E("41").E("2").E(s.Name).Skip(4).E("46").E(or(s.ID, s.ISAID)).End()
	r.per(&s.Contact)
	w.Seg("NM1").E("40").E("2").E(rc.Name).Skip(4).E("46").E(or(rc.ID, rc.ISAID)).End()
}

// per writes a PER*IC contact with a phone (TE) and/or an email (EM).
func (r *renderer) per(c *Contact) {
	w := r.w.Seg("PER").E("IC").E(c.Name)
	if c.Phone != "" {
		w.E("TE").E(c.Phone)
	}
	if c.Email != "" {
		w.E("EM").E(c.Email)
	}
	w.End()
}

func (r *renderer) address(a *Address) {
	r.w.Seg("N3").E(a.Line1).E(a.Line2).End()
	r.w.Seg("N4").E(a.City).E(a.State).E(a.PostalCode).End()
}

// name writes an NM1 for an organization (NM102 2) or a person (NM102 1). idQual is written
// only with an id.
func (r *renderer) name(entity, org, last, first, middle, suffix, idQual, id string) {
	w := r.w.Seg("NM1").E(entity)
	if org != "" {
		w.E("2").E(org).Skip(4)
	} else {
		w.E("1").E(last).E(first).E(middle).E("").E(suffix)
	}
	if id != "" {
		w.E(idQual).E(id)
	}
	w.End()
}

// billingProvider writes loop 2000A with 2010AA and 2010AB.
func (r *renderer) billingProvider(bp *BillingProvider, hl int64) {
	w := r.w
	w.Seg("HL").Int(hl).E("").E("20").E("1").End()
	if bp.Taxonomy != "" {
		w.Seg("PRV").E("BI").E("PXC").E(bp.Taxonomy).End()
	}
	r.name("85", bp.OrganizationName, bp.LastName, bp.FirstName, bp.MiddleName, "", "XX", bp.NPI)
	r.address(&bp.Address)
	w.Seg("REF").E("EI").E(bp.TaxID).End()
	if bp.Contact != nil {
		r.per(bp.Contact)
	}
	if pt := bp.PayToAddress; pt != nil {
		entity := "2"
		if bp.OrganizationName == "" {
			entity = "1"
		}
		w.Seg("NM1").E("87").E(entity).End()
		r.address(pt)
	}
}

// claim writes loops 2000B (and 2000C) through 2400 for one claim.
func (r *renderer) claim(c *Claim, parent int64) {
	w := r.w
	s := &c.Subscriber
	self := c.Patient == nil
	r.hl++
	subHL := r.hl
	child := "1"
	if self {
		child = "0"
	}
	w.Seg("HL").Int(subHL).Int(parent).E("22").E(child).End()
	rel := ""
	if self {
		rel = RelationshipSelf
	}
	w.Seg("SBR").E(or(s.PayerResponsibility, ResponsibilityPrimary)).E(rel).E(s.GroupNumber).E(s.GroupName).
		Skip(4).E(or(s.ClaimFilingIndicator, "CI")).End()
	r.name("IL", "", s.LastName, s.FirstName, s.MiddleName, s.Suffix, "MI", s.MemberID)
	if s.Address != nil {
		r.address(s.Address)
	}
	if self {
		w.Seg("DMG").E("D8").Int(dateInt(s.BirthDate)).E(s.Gender).End()
	}
	payerName := c.Payer.Name
	if payerName == "" {
		payerName = r.ic.Receiver.Name
	}
	w.Seg("NM1").E("PR").E("2").E(payerName).Skip(4).E("PI").E(c.Payer.ID).End()
	if p := c.Patient; p != nil {
		r.hl++
		w.Seg("HL").Int(r.hl).Int(subHL).E("23").E("0").End()
		w.Seg("PAT").E(p.Relationship).End()
		r.name("QC", "", p.LastName, p.FirstName, p.MiddleName, p.Suffix, "", "")
		r.address(p.Address)
		w.Seg("DMG").E("D8").Int(dateInt(p.BirthDate)).E(p.Gender).End()
	}
	if c.Type == Professional {
		r.claimProfessional(c)
	} else {
		r.claimInstitutional(c)
	}
}

func (r *renderer) refs(c *Claim) {
	w := r.w
	if c.ReferralNumber != "" {
		w.Seg("REF").E("9F").E(c.ReferralNumber).End()
	}
	if c.PriorAuthorization != "" {
		w.Seg("REF").E("G1").E(c.PriorAuthorization).End()
	}
	// The TR3s send REF*F8 only when the claim changes an adjudicated one (not an original).
	if c.PayerClaimNumber != "" && c.Frequency != FrequencyOriginal {
		w.Seg("REF").E("F8").E(c.PayerClaimNumber).End()
	}
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

func (r *renderer) claimProfessional(c *Claim) {
	w := r.w
	w.Seg("CLM").E(c.PatientControlNumber).Amt(c.TotalCharge).Skip(2).C(c.PlaceOfService, "B", c.Frequency).
		E(yn(c.ProviderSignatureOnFile)).E(or(c.AcceptAssignment, "A")).E(or(c.BenefitsAssignment, "Y")).
		E(or(c.ReleaseOfInformation, "Y"))
	if a := c.Accident; a != nil {
		w.E("").C(a.Type, "", "", a.State)
	}
	w.End()
	if !c.OnsetDate.IsZero() {
		w.Seg("DTP").E("431").E("D8").Int(dateInt(c.OnsetDate)).End()
	}
	if a := c.Accident; a != nil && a.Type != AccidentEmployment {
		d := a.Date
		if d.IsZero() {
			d = c.OnsetDate
		}
		if !d.IsZero() {
			w.Seg("DTP").E("439").E("D8").Int(dateInt(d)).End()
		}
	}
	r.refs(c)
	if c.Note != "" {
		w.Seg("NTE").E("ADD").E(c.Note).End()
	}
	w.Seg("HI")
	for i, d := range c.Diagnoses {
		q := "ABF"
		if i == 0 {
			q = "ABK"
		}
		w.C(q, d)
	}
	w.End()
	if p := c.ReferringProvider; p != nil {
		r.name("DN", "", p.LastName, p.FirstName, p.MiddleName, "", "XX", p.NPI)
	}
	if p := c.RenderingProvider; p != nil {
		r.name("82", p.OrganizationName, p.LastName, p.FirstName, p.MiddleName, "", "XX", p.NPI)
		if p.Taxonomy != "" {
			w.Seg("PRV").E("PE").E("PXC").E(p.Taxonomy).End()
		}
	}
	r.facility(c.ServiceFacility)
	for i := range c.Lines {
		l := &c.Lines[i]
		w.Seg("LX").Int(int64(i + 1)).End()
		w.Seg("SV1").C(or(l.ProcedureQualifier, "HC"), l.ProcedureCode, mod(l, 0), mod(l, 1), mod(l, 2), mod(l, 3)).
			Amt(l.Charge).E(or(l.UnitType, "UN")).E(l.Units).E(l.PlaceOfService).E("")
		if len(l.DiagnosisPointers) == 0 {
			w.E("1")
		} else {
			w.C(ptr(l, 0), ptr(l, 1), ptr(l, 2), ptr(l, 3))
		}
		w.End()
		r.lineTail(l, "ADD", true)
	}
}

func mod(l *ServiceLine, i int) string {
	if i < len(l.Modifiers) {
		return l.Modifiers[i]
	}
	return ""
}

func ptr(l *ServiceLine, i int) string {
	if i < len(l.DiagnosisPointers) {
		return strconv.Itoa(l.DiagnosisPointers[i])
	}
	return ""
}

func (r *renderer) facility(f *ServiceFacility) {
	if f == nil {
		return
	}
	w := r.w.Seg("NM1").E("77").E("2").E(f.Name).Skip(4)
	if f.NPI != "" {
		w.E("XX").E(f.NPI)
	}
	w.End()
	r.address(&f.Address)
}

// lineTail writes the service date, line control number, note, NDC (2410) and rendering
// provider (2420A / 2420C) of a line.
func (r *renderer) lineTail(l *ServiceLine, noteCode string, prof bool) {
	w := r.w
	if !l.ServiceDate.IsZero() {
		if l.ServiceDateEnd.IsZero() || l.ServiceDateEnd == l.ServiceDate {
			w.Seg("DTP").E("472").E("D8").Int(dateInt(l.ServiceDate)).End()
		} else {
			w.Seg("DTP").E("472").E("RD8").E(r.rd8(l.ServiceDate, l.ServiceDateEnd)).End()
		}
	}
	w.Seg("REF").E("6R").E(l.ControlNumber).End()
	if l.Note != "" {
		w.Seg("NTE").E(noteCode).E(l.Note).End()
	}
	if n := l.NDC; n != nil {
		w.Seg("LIN").E("").E("N4").E(n.Code).End()
		w.Seg("CTP").Skip(3).E(n.Quantity).C(n.Unit).End()
	}
	if p := l.RenderingProvider; p != nil {
		r.name("82", p.OrganizationName, p.LastName, p.FirstName, p.MiddleName, "", "XX", p.NPI)
		if prof && p.Taxonomy != "" {
			w.Seg("PRV").E("PE").E("PXC").E(p.Taxonomy).End()
		}
	}
}

func (r *renderer) claimInstitutional(c *Claim) {
	w := r.w
	w.Seg("CLM").E(c.PatientControlNumber).Amt(c.TotalCharge).Skip(2).C(c.FacilityType, "A", c.Frequency).
		E("").E(or(c.AcceptAssignment, "A")).E(or(c.BenefitsAssignment, "Y")).E(or(c.ReleaseOfInformation, "Y")).End()
	if c.DischargeHour != "" {
		w.Seg("DTP").E("096").E("TM").E(c.DischargeHour).End()
	}
	sp := c.StatementPeriod
	w.Seg("DTP").E("434").E("RD8").E(r.rd8(sp.From, sp.To)).End()
	a := c.Admission
	if !a.Date.IsZero() {
		if a.Hour != "" {
			hhmm, _ := strconv.Atoi(a.Hour)
			w.Seg("DTP").E("435").E("DT").Int(dateInt(a.Date)*10000 + int64(hhmm)).End()
		} else {
			w.Seg("DTP").E("435").E("D8").Int(dateInt(a.Date)).End()
		}
	}
	w.Seg("CL1").E(a.Type).E(a.Source).E(c.PatientStatus).End()
	r.refs(c)
	if ac := c.Accident; ac != nil {
		w.Seg("REF").E("LU").E(ac.State).End()
	}
	if c.Note != "" {
		w.Seg("NTE").E("ADD").E(c.Note).End()
	}
	w.Seg("HI").C("ABK", c.Diagnoses[0]).End()
	if c.AdmittingDiagnosis != "" {
		w.Seg("HI").C("ABJ", c.AdmittingDiagnosis).End()
	}
	r.hiCodes("ABF", c.Diagnoses[1:])
	if len(c.Procedures) > 0 {
		p := &c.Procedures[0]
		w.Seg("HI").C("BBR", p.Code, "D8", r.d8(p.Date)).End()
		for i, p := range c.Procedures[1:] {
			if i%12 == 0 {
				if i > 0 {
					w.End()
				}
				w.Seg("HI")
			}
			w.C("BBQ", p.Code, "D8", r.d8(p.Date))
		}
		if len(c.Procedures) > 1 {
			w.End()
		}
	}
	for i, o := range c.OccurrenceCodes {
		if i%12 == 0 {
			if i > 0 {
				w.End()
			}
			w.Seg("HI")
		}
		w.C("BH", o.Code, "D8", r.d8(o.Date))
	}
	if len(c.OccurrenceCodes) > 0 {
		w.End()
	}
	for i, v := range c.ValueCodes {
		if i%12 == 0 {
			if i > 0 {
				w.End()
			}
			w.Seg("HI")
		}
		r.scratch = v.Amount.AppendX12(r.scratch[:0])
		w.C("BE", v.Code, "", "", r.str())
	}
	if len(c.ValueCodes) > 0 {
		w.End()
	}
	r.hiCodes("BG", c.ConditionCodes)
	if p := c.AttendingProvider; p != nil {
		r.name("71", "", p.LastName, p.FirstName, p.MiddleName, "", "XX", p.NPI)
		if p.Taxonomy != "" {
			w.Seg("PRV").E("AT").E("PXC").E(p.Taxonomy).End()
		}
	}
	if p := c.RenderingProvider; p != nil {
		r.name("82", "", p.LastName, p.FirstName, p.MiddleName, "", "XX", p.NPI)
	}
	r.facility(c.ServiceFacility)
	if p := c.ReferringProvider; p != nil {
		r.name("DN", "", p.LastName, p.FirstName, p.MiddleName, "", "XX", p.NPI)
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		w.Seg("LX").Int(int64(i + 1)).End()
		w.Seg("SV2").E(l.RevenueCode)
		if l.ProcedureCode != "" {
			w.C(or(l.ProcedureQualifier, "HC"), l.ProcedureCode, mod(l, 0), mod(l, 1), mod(l, 2), mod(l, 3))
		} else {
			w.E("")
		}
		w.Amt(l.Charge).E(or(l.UnitType, "UN")).E(l.Units).End()
		r.lineTail(l, "TPO", false)
	}
}

// hiCodes writes codes with qualifier q, twelve per HI segment.
func (r *renderer) hiCodes(q string, codes []string) {
	w := r.w
	for i, code := range codes {
		if i%12 == 0 {
			if i > 0 {
				w.End()
			}
			w.Seg("HI")
		}
		w.C(q, code)
	}
	if len(codes) > 0 {
		w.End()
	}
}
