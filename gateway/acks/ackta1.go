package acks

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/gateway"
)

type ta1Detail struct {
	InterchangeControlNumber string `json:"interchange_control_number"`
	Date                     string `json:"date,omitempty"`
	Time                     string `json:"time,omitempty"`
	Code                     string `json:"ack_code"`
	CodeLabel                string `json:"ack_code_label,omitempty"`
	Note                     string `json:"note_code,omitempty"`
	NoteLabel                string `json:"note_label,omitempty"`
	Sentence                 string `json:"sentence"`
	Claims                   int    `json:"claims"`
}

// applyTA1 matches a TA1 to our batch by TA101 (our ISA13). A rejected interchange (TA104 R)
// rejects every claim of the batch: they move to rejected_999 with the TA1's note in words.
// An accepted one (A, or E with a note) is recorded and moves nothing.
func (r *fileRun) applyTA1(ctx context.Context, a ta1.Ack) error {
	detail := ta1Detail{InterchangeControlNumber: a.ControlNumber, Date: a.Date, Time: a.Time, Code: a.Code,
		CodeLabel: ta1.CodeLabel(a.Code), Note: a.Note, NoteLabel: ta1.NoteLabel(a.Note), Sentence: a.Sentence()}
	ids := map[string]string{"interchange_control_number": a.ControlNumber, "ack_code": a.Code, "note_code": a.Note}
	var batch *gateway.Batch
	if isa, err := strconv.ParseInt(strings.TrimSpace(a.ControlNumber), 10, 64); err == nil {
		b, err := r.tx.BatchByInterchangeControl(ctx, r.payer, isa)
		switch {
		case err == nil:
			batch = &b
		case !errors.Is(err, gateway.ErrNotFound):
			return err
		}
	}
	var claims []gateway.Claim
	if batch != nil && !a.Accepted() {
		var err error
		if claims, err = r.batchClaims(ctx, batch.ID); err != nil {
			return err
		}
		detail.Claims = len(claims)
	}
	rec := gateway.Acknowledgment{Kind: gateway.KindTA1, RefControlNumber: a.ControlNumber, Status: a.Code}
	if batch != nil {
		rec.BatchID = &batch.ID
	}
	ack, err := r.record(ctx, rec, detail)
	if err != nil {
		return err
	}
	if batch == nil {
		return r.unmatched(ctx, ack, gateway.UnmatchedUnknownBatch,
			fmt.Sprintf("No batch sent to payer %s has interchange control number %q.", r.payer, a.ControlNumber), ids)
	}
	if a.Accepted() {
		return nil
	}
	codeList := dedupe([]string{"TA104:" + a.Code, "TA105:" + a.Note})
	sentences := []string{a.Sentence() + ".",
		"The payer refused the whole interchange (batch " + strconv.FormatInt(batch.ID, 10) + ") before reading any claim of it: send the claim again once the file problem is fixed."}
	d := codes.Decision{Kind: codes.KindDenial, Category: codes.Other, Queue: r.in.codes.Queue(codes.Other),
		Action: codes.CorrectAndResubmit, DecidedBy: "ta1:" + a.Note,
		Reason: "Interchange rejected by a TA1 (" + ta1.NoteLabel(a.Note) + "): an envelope problem, not a problem of the claim; send it again."}
	for _, c := range claims {
		if err := r.answer(ctx, c, claimAnswer{ack: ack, outcome: gateway.AckRejected, target: gateway.StatusRejected999,
			codes: codeList, sentences: sentences, reason: "TA1 rejected interchange " + a.ControlNumber,
			batchID: &batch.ID, decision: &d}); err != nil {
			return err
		}
	}
	return nil
}

// batchClaims returns every claim currently in a batch.
func (r *fileRun) batchClaims(ctx context.Context, batchID int64) ([]gateway.Claim, error) {
	var out []gateway.Claim
	f := gateway.ClaimFilter{BatchID: batchID, Limit: 1000}
	for {
		page, err := r.tx.ListClaims(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Claims...)
		if page.Next == "" {
			return out, nil
		}
		f.Cursor = page.Next
	}
}
