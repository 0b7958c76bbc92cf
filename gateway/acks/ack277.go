package acks

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/gateway"
)

type ack277Detail struct {
	Reference     string         `json:"reference,omitempty"` // BHT03
	Date          string         `json:"date,omitempty"`
	Traces        []string       `json:"receiver_traces,omitempty"` // receiver TRN02: the 837 batch answered
	SourceIDs     []string       `json:"source_ids,omitempty"`      // NM109 of the information source (payer id)
	Statuses      []string       `json:"receiver_statuses,omitempty"`
	Claims        int            `json:"claims"`
	Outcomes      map[string]int `json:"outcomes"`
	ReceivedDates []string       `json:"received_dates,omitempty"`
}

// statusCode writes an STC composite as category:status:entity, trailing empty parts dropped.
func statusCode(s x277.Status) string {
	return strings.TrimRight(s.Category+":"+s.Code+":"+s.Entity, ":")
}

// apply277 applies one 277CA transaction: each claim answer to our claim.
func (r *fileRun) apply277(ctx context.Context, t *x277.Transaction) error {
	claims := t.Claims()
	detail := ack277Detail{Reference: t.Reference, Date: t.Date, Claims: len(claims), Outcomes: map[string]int{}}
	var status string
	for _, src := range t.Sources {
		detail.SourceIDs = append(detail.SourceIDs, src.Entity.ID)
		if src.ReceivedDate != "" {
			detail.ReceivedDates = append(detail.ReceivedDates, src.ReceivedDate)
		}
		for _, rcv := range src.Receivers {
			detail.Traces = append(detail.Traces, rcv.Trace)
			for _, st := range rcv.Statuses {
				if status == "" {
					status = st.Category
				}
				detail.Statuses = append(detail.Statuses, statusCode(st))
			}
		}
	}
	for _, c := range claims {
		detail.Outcomes[string(c.Outcome())]++
	}
	// The receiver trace echoes the 837's BHT03, which claimgate writes as the ISA13: when it
	// names one of the payer's batches, that batch is the one answered.
	var batch *gateway.Batch
	if len(detail.Traces) > 0 {
		if isa, err := strconv.ParseInt(strings.TrimSpace(detail.Traces[0]), 10, 64); err == nil && isa > 0 {
			b, err := r.tx.BatchByInterchangeControl(ctx, r.payer, isa)
			switch {
			case err == nil:
				batch = &b
			case !errors.Is(err, gateway.ErrNotFound):
				return err
			}
		}
	}
	rec := gateway.Acknowledgment{Kind: gateway.Kind277CA, ControlNumber: t.ControlNumber, Status: status}
	if len(detail.Traces) > 0 {
		rec.RefControlNumber = detail.Traces[0]
	}
	if batch != nil {
		rec.BatchID = &batch.ID
	}
	ack, err := r.record(ctx, rec, detail)
	if err != nil {
		return err
	}
	for _, ca := range claims {
		if err := r.apply277Claim(ctx, ack, batch, ca); err != nil {
			return err
		}
	}
	return nil
}

// apply277Claim matches one claim answer (TRN02, then REF*1K) and applies it.
func (r *fileRun) apply277Claim(ctx context.Context, ack gateway.Acknowledgment, batch *gateway.Batch, ca *x277.ClaimAck) error {
	var statusCodes []string
	for _, s := range ca.Statuses {
		statusCodes = append(statusCodes, statusCode(s))
	}
	ids := map[string]string{"patient_control_number": ca.PatientControlNumber, "payer_claim_number": ca.PayerClaimNumber,
		"clearinghouse_trace": ca.ClearinghouseTrace, "statuses": strings.Join(statusCodes, " "), "ack_control_number": ack.ControlNumber}
	if ca.PatientControlNumber == "" && ca.PayerClaimNumber == "" {
		return r.unmatched(ctx, ack, gateway.UnmatchedNoClaimIdentifiers,
			"A claim answer carries neither a patient control number (TRN02) nor a payer claim number (REF*1K).", ids)
	}
	c, found, mismatch, err := r.claimByID(ctx, ca.PatientControlNumber)
	if err != nil {
		return err
	}
	if !found && ca.PayerClaimNumber != "" {
		byNumber, err := r.tx.ClaimByPayerClaimNumber(ctx, r.payer, ca.PayerClaimNumber)
		switch {
		case err == nil:
			c, found = byNumber, true
		case !errors.Is(err, gateway.ErrNotFound):
			return err
		}
	}
	if !found {
		reason, msg := gateway.UnmatchedUnknownClaim,
			fmt.Sprintf("No claim of payer %s has patient control number %q or payer claim number %q.", r.payer, ca.PatientControlNumber, ca.PayerClaimNumber)
		if mismatch {
			reason, msg = gateway.UnmatchedPayerMismatch, fmt.Sprintf("Claim %s was sent to another payer than %s.", gateway.NormalizeClaimID(ca.PatientControlNumber), r.payer)
		}
		return r.unmatched(ctx, ack, reason, msg, ids)
	}
	a := claimAnswer{ack: ack, codes: dedupe(statusCodes), payerClaimNumber: ca.PayerClaimNumber}
	if batch != nil {
		if l, err := r.layout(ctx, *batch); err != nil {
			return err
		} else if l.err == nil && l.claims[c.ID] {
			a.batchID = &batch.ID
		}
	}
	outcome := ca.Outcome()
	for _, s := range ca.Statuses {
		a.sentences = append(a.sentences, "Status "+statusCode(s)+": "+s.Label()+".")
	}
	for i, l := range ca.Lines {
		if lo := l.Outcome(); lo == x277.Rejected || lo == x277.Pended {
			for _, s := range l.Statuses {
				line := "Service line " + strconv.Itoa(i+1)
				if l.LineItemControlNumber != "" {
					line += " (line control number " + l.LineItemControlNumber + ")"
				}
				a.sentences = append(a.sentences, line+" status "+statusCode(s)+": "+s.Label()+".")
			}
		}
	}
	switch outcome {
	case x277.Accepted:
		a.outcome, a.target = gateway.AckAccepted, gateway.StatusAccepted277
		a.reason = "277CA accepted the claim into adjudication (" + strings.Join(a.codes, " ") + ")"
	case x277.Rejected:
		a.outcome, a.target = gateway.AckRejected, gateway.StatusRejected277
		a.reason = "277CA rejected the claim (" + strings.Join(a.codes, " ") + ")"
		d := r.decide277(ca.Statuses)
		a.decision = &d
	case x277.Pended:
		a.outcome, a.target = gateway.AckPended, gateway.StatusPended
		a.reason = "277CA pended the claim (" + strings.Join(a.codes, " ") + ")"
	default:
		a.outcome = gateway.AckOther
		if forwarded(ca.Statuses) {
			a.sentences = append(a.sentences, "The claim was forwarded to another entity; its own acknowledgment is to come.")
		}
	}
	return r.answer(ctx, c, a)
}

func forwarded(ss []x277.Status) bool {
	for _, s := range ss {
		if s.Category == "A0" {
			return true
		}
	}
	return false
}

// decide277 routes a 277CA rejection from its first rejecting status (as edi/x277 Classify
// counts them).
func (r *fileRun) decide277(ss []x277.Status) codes.Decision {
	for _, s := range ss {
		if x277.Classify([]x277.Status{s}) == x277.Rejected {
			return r.in.codes.ClassifyClaimStatus(s.Category, s.Code, s.Entity)
		}
	}
	s := x277.Status{}
	if len(ss) > 0 {
		s = ss[0]
	}
	return r.in.codes.ClassifyClaimStatus(s.Category, s.Code, s.Entity)
}
