package x277

import (
	"time"

	"github.com/claimgate/claimgate/edi"
)

// Batch is a flat description of one 277CA answering one 837 batch: who answers, to whom, and
// the answer for each claim. Build turns it into the hierarchy a 277CA needs.
type Batch struct {
	// Reference is BHT03; Created is BHT04/BHT05 and the default status date.
	Reference string
	Created   time.Time
	// Source is the payer (NM1*PR) and SourceTrace its trace number (TRN02 at level 20).
	Source      Entity
	SourceTrace string
	// Receiver is the submitter (NM1*41) and Trace the batch being answered (the 837's BHT03).
	Receiver Entity
	Trace    string
	// Received is when the 837 was received (DTP*050); zero means Created.
	Received time.Time
	Claims   []BatchClaim
}

// BatchClaim is one claim's answer and the billing provider it belongs to.
type BatchClaim struct {
	Provider Entity // NM1*85
	Claim    ClaimAck
}

// Build assembles a 277CA: one information source, one receiver, one billing provider level per
// distinct provider (in order of first appearance) holding its claims, the counts and charges of
// accepted and rejected claims at the receiver and provider levels (QTY/AMT, from each claim's
// Outcome and Charge), and a receiver status A1:20 (batch received) dated Created. Claims
// keep their own statuses; a status without a date gets Created.
func Build(b Batch) Transaction {
	created := b.Created.UTC()
	day := created.Format("2006-01-02")
	received := b.Received
	if received.IsZero() {
		received = created
	}
	sourceTrace := b.SourceTrace
	if sourceTrace == "" {
		sourceTrace = b.Reference
	}
	var total edi.Amount
	rcv := Receiver{Entity: b.Receiver, Trace: b.Trace, Providers: []Provider{}}
	byProvider := map[Entity]int{}
	for _, bc := range b.Claims {
		k, ok := byProvider[bc.Provider]
		if !ok {
			k = len(rcv.Providers)
			byProvider[bc.Provider] = k
			rcv.Providers = append(rcv.Providers, Provider{Entity: bc.Provider, Trace: "0", Claims: []ClaimAck{}})
		}
		c := bc.Claim
		c.Statuses = append([]Status(nil), c.Statuses...)
		for i := range c.Statuses {
			if c.Statuses[i].Date == "" {
				c.Statuses[i].Date = day
			}
			if c.Statuses[i].Element == 0 {
				c.Statuses[i].Element = 1
			}
		}
		p := &rcv.Providers[k]
		p.Claims = append(p.Claims, c)
		charge, _ := c.Charge()
		total += charge
		switch c.Outcome() {
		case Accepted:
			add(&p.Totals.AcceptedCount, &p.Totals.AcceptedAmount, charge)
			add(&rcv.Totals.AcceptedCount, &rcv.Totals.AcceptedAmount, charge)
		case Rejected:
			add(&p.Totals.RejectedCount, &p.Totals.RejectedAmount, charge)
			add(&rcv.Totals.RejectedCount, &rcv.Totals.RejectedAmount, charge)
		}
	}
	rcv.Statuses = []Status{{Category: "A1", Code: "20", Element: 1, Date: day, Action: "WQ", Amount: &total}}
	return Transaction{
		Type: "277CA", GuideVersion: GuideVersion, Reference: b.Reference, Date: day, Time: created.Format("1504"),
		Sources: []Source{{Entity: b.Source, Trace: sourceTrace, ReceivedDate: received.UTC().Format("2006-01-02"), ProcessedDate: day,
			Receivers: []Receiver{rcv}}},
	}
}

func add(n **int64, a **edi.Amount, charge edi.Amount) {
	if *n == nil {
		*n, *a = new(int64), new(edi.Amount)
	}
	**n++
	**a += charge
}

// AcceptedClaim is the answer for a claim taken into adjudication: STC A2:20 (accepted), action
// WQ, the claim's charge, and the payer's claim control number (REF*1K).
func AcceptedClaim(patient Entity, patientControlNumber, payerClaimNumber string, charge edi.Amount, serviceDate string) ClaimAck {
	return ClaimAck{
		Patient: patient, PatientControlNumber: patientControlNumber, PayerClaimNumber: payerClaimNumber,
		Statuses:    []Status{{Category: "A2", Code: "20", Element: 1, Action: "WQ", Amount: &charge}},
		ServiceDate: serviceDate,
	}
}

// RejectedClaim is the answer for a claim the payer does not take: one STC per reason (at least
// one; category A3, A6, A7 or A8 with a claim status code and entity), action U, and the claim's
// charge on the first.
func RejectedClaim(patient Entity, patientControlNumber string, charge edi.Amount, serviceDate string, reasons ...Status) ClaimAck {
	c := ClaimAck{Patient: patient, PatientControlNumber: patientControlNumber, ServiceDate: serviceDate}
	for i, r := range reasons {
		r.Element = 1
		r.Action = "U"
		r.Amount = nil
		if i == 0 {
			r.Amount = &charge
		}
		c.Statuses = append(c.Statuses, r)
	}
	return c
}
