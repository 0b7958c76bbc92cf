package x277

import "github.com/claimgate/claimgate/edi"

// Transaction is one 277 transaction set (ST to SE).
type Transaction struct {
	// Type is "277CA" (the `edi parse` contract names every transaction's type).
	Type string `json:"type"`
	// ControlNumber is ST02; GuideVersion ST03 (005010X214).
	ControlNumber string `json:"control_number"`
	GuideVersion  string `json:"guide_version,omitempty"`
	// Reference (BHT03) is the answering system's id for this acknowledgment.
	Reference string `json:"reference,omitempty"`
	// Date (BHT04, YYYY-MM-DD) and Time (BHT05, HHMM or HHMMSS) are when it was made.
	Date    string   `json:"date,omitempty"`
	Time    string   `json:"time,omitempty"`
	Sources []Source `json:"sources"`
}

// Source is the information source level (HL 20, loops 2000A-2200A): the payer or
// clearinghouse that answers.
type Source struct {
	Entity Entity `json:"entity"` // NM1*PR or NM1*AY
	// Trace is TRN02 (TRN01 1): the answering system's trace number.
	Trace string `json:"trace,omitempty"`
	// ReceivedDate (DTP*050) is when the claims were received; ProcessedDate (DTP*009) when
	// they were processed. YYYY-MM-DD.
	ReceivedDate  string     `json:"received_date,omitempty"`
	ProcessedDate string     `json:"processed_date,omitempty"`
	Receivers     []Receiver `json:"receivers"`
}

// Receiver is the information receiver level (HL 21, loops 2000B-2200B): the submitter.
type Receiver struct {
	Entity Entity `json:"entity"` // NM1*41
	// Trace is TRN02 (TRN01 2): the submitter's batch id the 277CA answers (the 837's BHT03).
	Trace     string     `json:"trace,omitempty"`
	Statuses  []Status   `json:"statuses,omitempty"`
	Totals    Totals     `json:"totals"`
	Providers []Provider `json:"providers"`
}

// Provider is the billing provider level (HL 19, loops 2000C-2200C).
type Provider struct {
	Entity Entity `json:"entity"` // NM1*85
	// Trace is TRN02 (TRN01 1), often "0".
	Trace      string      `json:"trace,omitempty"`
	Statuses   []Status    `json:"statuses,omitempty"`
	References []Reference `json:"references,omitempty"` // REF*TJ tax id, REF*0B ...
	Totals     Totals      `json:"totals"`
	Claims     []ClaimAck  `json:"claims"`
}

// Totals are the QTY and AMT segments of the receiver and provider levels: how many claims were
// accepted (QTY*90 or QTY*QA) and rejected (QTY*AA or QTY*QC), and their charges (AMT*YU, AMT*YY).
// A nil field was not sent.
type Totals struct {
	AcceptedCount  *int64      `json:"accepted_count,omitempty"`
	RejectedCount  *int64      `json:"rejected_count,omitempty"`
	AcceptedAmount *edi.Amount `json:"accepted_amount,omitempty"`
	RejectedAmount *edi.Amount `json:"rejected_amount,omitempty"`
}

// ClaimAck is the patient level (HL PT, loops 2000D-2220D): the answer for one claim.
type ClaimAck struct {
	Patient Entity `json:"patient"` // NM1*QC
	// PatientControlNumber is TRN02: the claim's CLM01 as submitted.
	PatientControlNumber string `json:"patient_control_number"`
	// Statuses are the claim's STC segments, each composite (STC01, STC10, STC11) one entry.
	Statuses []Status `json:"statuses"`
	// PayerClaimNumber (REF*1K) is the payer's claim control number, kept for corrections and
	// voids.
	PayerClaimNumber string `json:"payer_claim_number,omitempty"`
	// ClearinghouseTrace (REF*D9) is a clearinghouse's trace number for the claim.
	ClearinghouseTrace string `json:"clearinghouse_trace,omitempty"`
	BillType           string `json:"bill_type,omitempty"`      // REF*BLT (institutional)
	MedicalRecord      string `json:"medical_record,omitempty"` // REF*EA
	// ServiceDate and ServiceDateEnd (DTP*472, YYYY-MM-DD) are the claim's service period; End
	// is empty for a single day.
	ServiceDate    string      `json:"service_date,omitempty"`
	ServiceDateEnd string      `json:"service_date_end,omitempty"`
	Lines          []LineAck   `json:"lines,omitempty"`
	References     []Reference `json:"references,omitempty"` // other REF qualifiers
}

// LineAck is one service line answer (loop 2220D).
type LineAck struct {
	// Procedure is SVC01: qualifier (HC, NU, ...), code and modifiers.
	Procedure   []string   `json:"procedure"`
	Charge      edi.Amount `json:"charge"`                 // SVC02
	RevenueCode string     `json:"revenue_code,omitempty"` // SVC04
	Units       string     `json:"units,omitempty"`        // SVC07, as sent
	Statuses    []Status   `json:"statuses,omitempty"`
	// LineItemControlNumber (REF*FJ) is the line's REF*6R from the 837.
	LineItemControlNumber string `json:"line_item_control_number,omitempty"`
	PrescriptionNumber    string `json:"prescription_number,omitempty"` // REF*XZ
	ServiceDate           string `json:"service_date,omitempty"`
	ServiceDateEnd        string `json:"service_date_end,omitempty"`
}

// Status is one claim status composite of an STC segment.
type Status struct {
	Category string `json:"category"`            // STC01-1: claim status category code (507), e.g. A7
	Code     string `json:"code"`                // STC01-2: claim status code (508), e.g. 562
	Entity   string `json:"entity,omitempty"`    // STC01-3: entity the status is about, e.g. 85
	CodeList string `json:"code_list,omitempty"` // STC01-4: RX for NCPDP reject codes
	// Element is the STC element the composite came from: 1 (STC01), 10 or 11. The entries of one
	// STC segment follow each other; an entry with 10 or 11 continues the segment before it.
	Element int    `json:"element"`
	Date    string `json:"date,omitempty"`   // STC02, YYYY-MM-DD
	Action  string `json:"action,omitempty"` // STC03: WQ accepted, U rejected
	// Amount is STC04 (total claim charge at claim level); Text is STC12 (free text). Both are
	// on the first entry of a segment only.
	Amount *edi.Amount `json:"amount,omitempty"`
	Text   string      `json:"text,omitempty"`
}

// Entity is an NM1 segment.
type Entity struct {
	Code        string `json:"entity_code"`           // NM101: PR, 41, 85, QC ...
	Type        string `json:"entity_type,omitempty"` // NM102: 1 person, 2 organization
	Name        string `json:"name,omitempty"`        // NM103: last or organization name
	FirstName   string `json:"first_name,omitempty"`  // NM104
	MiddleName  string `json:"middle_name,omitempty"` // NM105
	Suffix      string `json:"suffix,omitempty"`      // NM107
	IDQualifier string `json:"id_qualifier,omitempty"`
	ID          string `json:"id,omitempty"` // NM109
}

// Reference is a REF segment the model has no dedicated field for.
type Reference struct {
	Qualifier string `json:"qualifier"`
	Value     string `json:"value"`
}

// Claims returns every claim answer of the transaction, in file order.
func (t *Transaction) Claims() []*ClaimAck {
	var out []*ClaimAck
	for i := range t.Sources {
		for j := range t.Sources[i].Receivers {
			r := &t.Sources[i].Receivers[j]
			for k := range r.Providers {
				p := &r.Providers[k]
				for c := range p.Claims {
					out = append(out, &p.Claims[c])
				}
			}
		}
	}
	return out
}

// Charge returns the claim's total charge as the payer echoed it (STC04 of its first status
// segment), and whether it was sent.
func (c *ClaimAck) Charge() (edi.Amount, bool) {
	for _, s := range c.Statuses {
		if s.Amount != nil {
			return *s.Amount, true
		}
	}
	return 0, false
}
