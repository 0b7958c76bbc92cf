package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/edi/x999"
)

// Kinds of answer files, as their names start.
const (
	KindTA1   = "TA1"
	Kind999   = "999"
	Kind277CA = "277CA"
	Kind835   = "835"
)

// output is one answer file and when it is due in the outbound folder.
type output struct {
	kind string
	name string
	data []byte
	due  time.Time
}

// summary counts what the simulator did with one inbound file (ids and counts only: it is
// logged).
type summary struct {
	File            string
	Interchanges    int
	SetsAccepted    int
	SetsRejected    int
	ClaimsAccepted  int // by the 277CA
	ClaimsRejected  int // by the 277CA
	ClaimsPaid      int // CLP02 1, 2 or 3
	ClaimsDenied    int // CLP02 4
	Reversals       int // CLP02 22
	Outputs         []string
	InterchangeRefs []string // inbound ISA13s
	// Problems are answers that could not be made (a 277CA or 835 the writers refuse); the
	// other answers of the file are still sent.
	Problems []string
}

// ErrUnreadable is returned for an inbound file that is not X12 at all (no ISA, a segment
// without terminator); such a file gets no answer and is set aside.
var ErrUnreadable = errors.New("sim: inbound file is not readable X12")

// processor turns an inbound 837 into answers. It changes st (counters, payments) and nothing
// else; the caller persists.
type processor struct {
	scen   *Scenario
	st     *state
	now    time.Time
	delays Delays
	out    []output
	sum    summary
}

func (p *processor) add(kind, name string, data []byte, delay time.Duration) {
	p.out = append(p.out, output{kind: kind, name: name, data: data, due: p.now.Add(delay)})
	p.sum.Outputs = append(p.sum.Outputs, name)
}

// run processes one inbound file.
func (p *processor) run(name string, data []byte) error {
	p.sum.File = name
	// Pass 1: the envelopes, the sets and which claim each segment belongs to (for the 999),
	// and the interchanges (for the TA1).
	r := edi.NewReader(bytes.NewReader(data))
	var tracker x999.Tracker
	var interchanges []edi.Interchange
	for {
		seg, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrUnreadable, err)
		}
		tracker.Observe(r, seg)
		if seg.ID == "ISA" {
			if ic := r.Interchange(); ic != nil {
				interchanges = append(interchanges, *ic)
			}
		}
	}
	if len(interchanges) == 0 {
		return fmt.Errorf("%w: no interchange", ErrUnreadable)
	}
	// Pass 2: the claims, with every envelope and TR3 problem the 837 reader finds.
	xr := x837.NewReader(edi.NewReader(bytes.NewReader(data)))
	ics, err := xr.ReadAll()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	problems := xr.Errors()
	p.sum.Interchanges = len(interchanges)

	// TA1: when asked for (ISA14 1) or when the interchange envelope is broken; a rejected
	// interchange gets nothing else.
	rejectedIC := map[string]bool{}
	for i, a := range ta1.AcknowledgeAll(interchanges, problems) {
		ic := interchanges[i]
		p.sum.InterchangeRefs = append(p.sum.InterchangeRefs, ic.ControlNumber)
		if a.Accepted() && ic.AckRequested != "1" {
			continue
		}
		if !a.Accepted() {
			rejectedIC[ic.ControlNumber] = true
		}
		ctl := p.st.control()
		env := ta1.Envelope{Interchange: replyISA(ic.ReceiverQualifier, ic.ReceiverID, ic.SenderQualifier, ic.SenderID, ic.Usage, p.now, ctl)}
		var buf bytes.Buffer
		if err := ta1.Write(&buf, env, a); err != nil {
			return fmt.Errorf("sim: TA1: %w", err)
		}
		p.add(KindTA1, fmt.Sprintf("TA1_%09d.x12", ctl), buf.Bytes(), 0)
	}

	// 999: one per inbound interchange, one 999 set per functional group.
	groups := tracker.Groups()
	acks := tracker.Acknowledge(problems)
	accepted := map[string]bool{}
	for i := 0; i < len(groups); {
		j := i
		for j < len(groups) && groups[j].InterchangeControl == groups[i].InterchangeControl {
			j++
		}
		if !rejectedIC[groups[i].InterchangeControl] {
			ctl := p.st.control()
			env := x999.Reply(groups[i], p.now, ctl, ctl)
			var buf bytes.Buffer
			if err := x999.Write(&buf, env, acks[i:j]...); err != nil {
				return fmt.Errorf("sim: 999: %w", err)
			}
			p.add(Kind999, fmt.Sprintf("999_%09d.x12", ctl), buf.Bytes(), p.delays.Ack999)
			for k := i; k < j; k++ {
				for _, s := range acks[k].Sets {
					if s.Accepted() {
						p.sum.SetsAccepted++
						accepted[setKey(groups[k].InterchangeControl, groups[k].ControlNumber, s.ControlNumber)] = true
					} else {
						p.sum.SetsRejected++
					}
				}
			}
		}
		i = j
	}

	// 277CA and 835 for the claims of accepted sets.
	for _, ic := range ics {
		if err := p.answerClaims(ic, accepted); err != nil {
			p.sum.Problems = append(p.sum.Problems, fmt.Sprintf("interchange %09d: %s", ic.ControlNumbers.ISA, describe(err)))
		}
	}
	return nil
}

func setKey(isa, gs, st string) string {
	return normControl(isa) + "|" + normControl(gs) + "|" + st
}

// normControl strips leading zeros so "000000042" and "42" name the same control number.
func normControl(s string) string {
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		return strconv.FormatInt(n, 10)
	}
	return strings.TrimSpace(s)
}

func replyISA(senderQual, sender, receiverQual, receiver, usage string, now time.Time, ctl int64) edi.ISAHeader {
	if usage != "P" {
		usage = "T"
	}
	return edi.ISAHeader{SenderQualifier: senderQual, SenderID: sender, ReceiverQualifier: receiverQual, ReceiverID: receiver,
		Time: now, ControlNumber: ctl, Usage: usage}
}

// acceptedClaim is a claim the 277CA accepted, with what the 835 needs.
type acceptedClaim struct {
	claim *x837.Claim
	pcn   string // payer claim number
}

func (p *processor) answerClaims(ic *x837.Interchange, accepted map[string]bool) error {
	isa := strconv.FormatInt(ic.ControlNumbers.ISA, 10)
	scen := p.scen
	payerID := scen.Payer.ID
	if payerID == "" {
		payerID = ic.Receiver.ISAID
	}
	submitter := ic.Sender.ID
	if submitter == "" {
		submitter = ic.Sender.ISAID
	}
	day := p.now.UTC().Format("2006-01-02")
	var txs []x277.Transaction
	var paying []acceptedClaim
	for _, ts := range ic.Transactions {
		if !accepted[setKey(isa, ts.GroupControl, ts.ControlNumber)] || ts.ClaimCount == 0 {
			continue
		}
		trace := ts.ReferenceID
		if trace == "" {
			trace = ts.ControlNumber
		}
		batch := x277.Batch{
			Reference: fmt.Sprintf("%s%s", scen.Payer.ClaimNumberPrefix, strings.ReplaceAll(day, "-", "")+normControl(isa)+ts.ControlNumber),
			Created:   p.now,
			Source:    x277.Entity{Code: "PR", Type: "2", Name: scen.Payer.Name, IDQualifier: "PI", ID: payerID},
			Receiver:  x277.Entity{Code: "41", Type: "2", Name: ic.Sender.Name, IDQualifier: "46", ID: submitter},
			Trace:     trace,
		}
		if len(batch.Reference) > 30 {
			batch.Reference = batch.Reference[:30]
		}
		for k := ts.FirstClaim; k < ts.FirstClaim+ts.ClaimCount && k < len(ic.Claims); k++ {
			c := &ic.Claims[k]
			bc := x277.BatchClaim{Provider: providerEntity(&c.BillingProvider)}
			patient := patientEntity(c)
			serviceDate := firstServiceDate(c)
			if st := scen.Rejection(c); st != nil {
				bc.Claim = x277.RejectedClaim(patient, c.PatientControlNumber, c.TotalCharge, serviceDate, *st)
				p.sum.ClaimsRejected++
			} else {
				pcn := PayerClaimNumber(scen.Payer.ClaimNumberPrefix, submitter, c)
				bc.Claim = x277.AcceptedClaim(patient, c.PatientControlNumber, pcn, c.TotalCharge, serviceDate)
				p.sum.ClaimsAccepted++
				paying = append(paying, acceptedClaim{claim: c, pcn: pcn})
			}
			batch.Claims = append(batch.Claims, bc)
		}
		txs = append(txs, x277.Build(batch))
	}
	if len(txs) == 0 {
		return nil
	}
	ctl := p.st.control()
	env := x277.Envelope{
		Interchange: replyISA(ic.Receiver.ISAQualifier, ic.Receiver.ISAID, ic.Sender.ISAQualifier, ic.Sender.ISAID, ic.Usage, p.now, ctl),
		Group:       edi.GSHeader{Sender: ic.Receiver.GSID, Receiver: ic.Sender.GSID, Time: p.now, ControlNumber: ctl},
	}
	var buf bytes.Buffer
	if err := x277.Write(&buf, env, txs...); err != nil {
		return fmt.Errorf("sim: 277CA: %w", err)
	}
	p.add(Kind277CA, fmt.Sprintf("277CA_%09d.x12", ctl), buf.Bytes(), p.delays.Ack277)
	if len(paying) == 0 {
		return nil
	}
	return p.remit(ic, paying)
}

// remit writes one 835 per payee (billing provider) for the accepted claims of an interchange.
func (p *processor) remit(ic *x837.Interchange, claims []acceptedClaim) error {
	type payee struct {
		bp     *x837.BillingProvider
		claims []acceptedClaim
	}
	var payees []*payee
	byNPI := map[string]*payee{}
	for _, ac := range claims {
		npi := ac.claim.BillingProvider.NPI
		py := byNPI[npi]
		if py == nil {
			py = &payee{bp: &ac.claim.BillingProvider}
			byNPI[npi] = py
			payees = append(payees, py)
		}
		py.claims = append(py.claims, ac)
	}
	scen := p.scen
	received := p.now.UTC().Format("20060102")
	for _, py := range payees {
		rem := &x835.Remittance{
			Type:           "835",
			ReceiverID:     ic.Sender.ISAID,
			ProductionDate: received,
			Payer: x835.Party{EntityCode: "PR", Name: scen.Payer.Name,
				Contacts: []x835.Contact{{Function: "BL", Name: "EDI SUPPORT", Communications: []x835.Communication{{Qualifier: "TE", Number: scen.Payer.Phone}}}}},
			Payee:   x835.Party{EntityCode: "PE", Name: payeeName(py.bp), IDQualifier: "XX", ID: py.bp.NPI},
			Headers: []x835.Header{{Number: "1"}},
		}
		if scen.Payer.Phone == "" {
			rem.Payer.Contacts[0].Communications = nil
			rem.Payer.Contacts[0].Name = "EDI SUPPORT"
		}
		if a := scen.Payer.Address; a.Line1 != "" {
			rem.Payer.Address = &x835.Address{Line1: a.Line1, City: a.City, State: a.State, PostalCode: a.PostalCode}
		}
		if py.bp.TaxID != "" {
			rem.Payee.References = []x835.Reference{{Qualifier: "TJ", Value: py.bp.TaxID}}
		}
		var reversed string
		for _, ac := range py.claims {
			c := ac.claim
			if scen.Reversals.Replacements && (c.Frequency == x837.FrequencyReplacement || c.Frequency == x837.FrequencyVoid) {
				if orig, ok := p.st.Paid[c.PayerClaimNumber]; ok && c.PayerClaimNumber != "" {
					rev := Reverse(orig)
					rev.HeaderNumber = "1"
					rem.Claims = append(rem.Claims, rev)
					delete(p.st.Paid, c.PayerClaimNumber)
					p.sum.Reversals++
					if reversed == "" {
						reversed = orig.PayerClaimNumber
					}
					if c.Frequency == x837.FrequencyVoid {
						continue
					}
				} else if c.Frequency == x837.FrequencyVoid {
					// Nothing of ours to void: the void itself is denied.
					rem.Claims = append(rem.Claims, &x835.ClaimPayment{HeaderNumber: "1", PatientControlNumber: c.PatientControlNumber,
						Status: "4", Charge: c.TotalCharge, FilingIndicator: filingIndicator(c), PayerClaimNumber: ac.pcn,
						Frequency: c.Frequency, Patient: patientName(c),
						Adjustments: []x835.Adjustment{{Group: "CO", Reason: "129", Amount: c.TotalCharge}}})
					p.sum.ClaimsDenied++
					continue
				}
			}
			cp := scen.Adjudicate(c, ac.pcn, received)
			cp.HeaderNumber = "1"
			rem.Claims = append(rem.Claims, cp)
			if cp.Status == "4" {
				p.sum.ClaimsDenied++
			} else {
				p.sum.ClaimsPaid++
				saved := *cp
				p.st.Paid[cp.PayerClaimNumber] = &saved
			}
		}
		var paid edi.Amount
		for _, c := range rem.Claims {
			paid += c.Paid
		}
		fiscal := p.now.UTC().Format("2006") + "1231"
		var items []x835.ProviderAdjustmentItem
		var plb edi.Amount
		for _, pa := range scen.ProviderAdjustments {
			plb += pa.Amount
			items = append(items, x835.ProviderAdjustmentItem{Reason: pa.Reason, Reference: pa.Reference, Amount: pa.Amount})
		}
		if len(items) > 0 && paid-plb < 0 {
			items, plb = nil, 0 // the scenario's adjustments would make the payment negative
		}
		if paid-plb < 0 {
			// More taken back than paid: the balance is carried forward (FB) to a later payment.
			items = append(items, x835.ProviderAdjustmentItem{Reason: "FB", Reference: reversed, Amount: paid - plb})
			plb = paid
		}
		if len(items) > 0 {
			rem.ProviderAdjustments = []x835.ProviderAdjustment{{ProviderID: py.bp.NPI, FiscalPeriodDate: fiscal, Adjustments: items}}
		}
		amount := paid - plb
		tr := p.st.trace()
		trace := fmt.Sprintf("%s%09d", scen.Payer.TracePrefix, tr)
		rem.Trace = &x835.Trace{TypeCode: "1", Number: trace, PayerID: "1" + scen.Payer.TaxID}
		if amount > 0 {
			rem.Payment = x835.Payment{HandlingCode: "I", Amount: amount, CreditDebit: "C", Method: "ACH", Format: "CCP",
				SenderDFIQualifier: "01", SenderDFI: "999999992", SenderAccountQualifier: "DA", SenderAccount: "123456789",
				OriginatorID: "1" + scen.Payer.TaxID, ReceiverDFIQualifier: "01", ReceiverDFI: "999988880",
				ReceiverAccountQualifier: "DA", ReceiverAccount: "98765", EffectiveDate: received}
		} else {
			rem.Payment = x835.Payment{HandlingCode: "H", Amount: 0, CreditDebit: "C", Method: "NON", EffectiveDate: received}
		}
		if err := rem.Balanced(); err != nil {
			return fmt.Errorf("sim: 835 %s does not balance: %w", trace, err)
		}
		ctl := p.st.control()
		env := x835.Envelope{
			Interchange: replyISA(ic.Receiver.ISAQualifier, ic.Receiver.ISAID, ic.Sender.ISAQualifier, ic.Sender.ISAID, ic.Usage, p.now, ctl),
			Group:       edi.GSHeader{Sender: ic.Receiver.GSID, Receiver: ic.Sender.GSID, Time: p.now, ControlNumber: ctl},
		}
		var buf bytes.Buffer
		if err := x835.Write(&buf, env, rem); err != nil {
			return fmt.Errorf("sim: 835: %w", err)
		}
		p.add(Kind835, "835_"+trace+".x12", buf.Bytes(), p.delays.Remit835)
	}
	return nil
}

func providerEntity(bp *x837.BillingProvider) x277.Entity {
	e := x277.Entity{Code: "85", Type: "2", Name: bp.OrganizationName, IDQualifier: "XX", ID: bp.NPI}
	if bp.OrganizationName == "" {
		e.Type, e.Name, e.FirstName, e.MiddleName = "1", bp.LastName, bp.FirstName, bp.MiddleName
	}
	return e
}

func payeeName(bp *x837.BillingProvider) string {
	if bp.OrganizationName != "" {
		return bp.OrganizationName
	}
	return strings.TrimSpace(bp.FirstName + " " + bp.LastName)
}

func patientEntity(c *x837.Claim) x277.Entity {
	e := x277.Entity{Code: "QC", Type: "1", IDQualifier: "MI", ID: c.Subscriber.MemberID}
	if pt := c.Patient; pt != nil {
		e.Name, e.FirstName, e.MiddleName, e.Suffix = pt.LastName, pt.FirstName, pt.MiddleName, pt.Suffix
	} else {
		s := &c.Subscriber
		e.Name, e.FirstName, e.MiddleName, e.Suffix = s.LastName, s.FirstName, s.MiddleName, s.Suffix
	}
	return e
}

// firstServiceDate is the claim's earliest line date (YYYY-MM-DD), or its statement period.
func firstServiceDate(c *x837.Claim) string {
	var first x837.Date
	for i := range c.Lines {
		if d := c.Lines[i].ServiceDate; !d.IsZero() && (first.IsZero() || d.Before(first)) {
			first = d
		}
	}
	if first.IsZero() && c.StatementPeriod != nil {
		first = c.StatementPeriod.From
	}
	return first.String()
}

// describe names a writer's refusal without the values involved (they may be patient data):
// the error code with the segment and element, or the message of an incomplete remittance,
// which names fields only.
func describe(err error) string {
	var e *edi.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%s refused (%s at %s)", whatFailed(err), e.Code, edi.ElementRef(e.SegmentID, e.Element))
	}
	if errors.Is(err, x835.ErrIncomplete) {
		return err.Error()
	}
	return whatFailed(err) + " refused"
}

func whatFailed(err error) string {
	switch s := err.Error(); {
	case strings.HasPrefix(s, "sim: 277CA"):
		return "277CA"
	case strings.HasPrefix(s, "sim: 835"):
		return "835"
	}
	return "answer"
}
