package acks

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/gateway"
)

// set999Detail is one set's verdict in a 999 acknowledgment's detail.
type set999Detail struct {
	ControlNumber string   `json:"control_number"`
	Status        string   `json:"status"`
	Codes         []string `json:"codes,omitempty"`
	Errors        int      `json:"segment_errors"`
	Claims        int      `json:"claims"`
}

type ack999Detail struct {
	FunctionalID       string         `json:"functional_id"`
	GroupControlNumber string         `json:"group_control_number"`
	Version            string         `json:"version,omitempty"`
	Status             string         `json:"status"`
	StatusLabel        string         `json:"status_label,omitempty"`
	Included           int            `json:"included"`
	Received           int            `json:"received"`
	Accepted           int            `json:"accepted"`
	Codes              []string       `json:"codes,omitempty"`
	Sets               []set999Detail `json:"sets"`
}

// apply999 matches one 999 (the answer to one functional group) to our batch and applies each
// set's verdict to the set's claims.
func (r *fileRun) apply999(ctx context.Context, a *x999.FunctionalAck) error {
	label, _ := x999.GroupStatusLabel(a.Status)
	detail := ack999Detail{FunctionalID: a.FunctionalID, GroupControlNumber: a.GroupControlNumber, Version: a.Version,
		Status: a.Status, StatusLabel: label, Included: a.Included, Received: a.Received, Accepted: a.Accepted,
		Codes: a.Codes, Sets: make([]set999Detail, len(a.Sets))}
	for i, s := range a.Sets {
		detail.Sets[i] = set999Detail{ControlNumber: s.ControlNumber, Status: s.Status, Codes: s.Codes, Errors: len(s.Segments)}
	}
	ids := map[string]string{"functional_id": a.FunctionalID, "group_control_number": a.GroupControlNumber,
		"ack_control_number": a.ControlNumber}

	// Find the batch: the payer's batches whose 837 may hold the group, read back.
	var batch *gateway.Batch
	var sets map[string][]string
	gs, gsErr := strconv.ParseInt(strings.TrimSpace(a.GroupControlNumber), 10, 64)
	var unreadable error
	if a.FunctionalID == "HC" && gsErr == nil {
		cands, err := r.tx.BatchesByGroupControl(ctx, r.payer, gs)
		if err != nil {
			return err
		}
		for i := range cands {
			l, err := r.layout(ctx, cands[i])
			if err != nil {
				return err
			}
			if l.err != nil {
				unreadable = l.err
				continue
			}
			if s, ok := l.groups[gs]; ok {
				batch, sets = &cands[i], s
				break
			}
		}
	}
	for i, s := range a.Sets {
		if sets != nil {
			detail.Sets[i].Claims = len(sets[trimControl(s.ControlNumber)])
		}
	}
	rec := gateway.Acknowledgment{Kind: gateway.Kind999, ControlNumber: a.ControlNumber,
		RefControlNumber: a.GroupControlNumber, Status: a.Status}
	if batch != nil {
		rec.BatchID = &batch.ID
	}
	ack, err := r.record(ctx, rec, detail)
	if err != nil {
		return err
	}
	switch {
	case a.FunctionalID != "HC":
		return r.unmatched(ctx, ack, gateway.UnmatchedNotAClaimAck,
			fmt.Sprintf("The 999 answers a functional group of type %q, not a group of 837 claims (HC).", a.FunctionalID), ids)
	case batch == nil && unreadable != nil:
		return r.unmatched(ctx, ack, gateway.UnmatchedUnreadableArchive,
			fmt.Sprintf("A batch of payer %s may hold group %s, but its archived 837 could not be read back.", r.payer, a.GroupControlNumber), ids)
	case batch == nil:
		return r.unmatched(ctx, ack, gateway.UnmatchedUnknownBatch,
			fmt.Sprintf("No batch sent to payer %s has functional group control number %q.", r.payer, a.GroupControlNumber), ids)
	}
	ids["batch_id"] = strconv.FormatInt(batch.ID, 10)
	responses, extra := a.Sets, groupSentences(a)
	if len(responses) == 0 {
		// No AK2 loop: the group's verdict (AK9) stands for every set of it.
		responses = groupVerdict(a, sets)
		if len(responses) == 0 {
			return r.unmatched(ctx, ack, gateway.UnmatchedNoVerdict,
				fmt.Sprintf("The 999 answers group %s without a verdict per transaction set, and its group verdict %q does not say what became of them.", a.GroupControlNumber, a.Status), ids)
		}
	}
	for _, s := range responses {
		if err := r.applySet(ctx, ack, batch, s, sets[trimControl(s.ControlNumber)], ids, extra); err != nil {
			return err
		}
	}
	return nil
}

// groupVerdict turns a group verdict without set responses into one response per set of the
// group as our 837 wrote it: A and E accept every set, R, M, W and X reject every set; P
// (partially accepted) cannot be applied without the sets and gives none.
func groupVerdict(a *x999.FunctionalAck, sets map[string][]string) []x999.SetResponse {
	var status string
	switch a.Status {
	case "A", "E":
		status = a.Status
	case "R", "M", "W", "X":
		status = "R"
	default:
		return nil
	}
	controls := make([]string, 0, len(sets))
	for st := range sets {
		controls = append(controls, st)
	}
	sort.Strings(controls)
	out := make([]x999.SetResponse, len(controls))
	for i, st := range controls {
		out[i] = x999.SetResponse{SetID: "837", ControlNumber: st, Status: status}
	}
	return out
}

// groupSentences words the group-level error codes (AK905-AK909), which concern every set.
func groupSentences(a *x999.FunctionalAck) []string {
	var out []string
	for _, c := range a.Codes {
		out = append(out, "Functional group "+a.GroupControlNumber+" error "+c+": "+x999.GroupCodeLabel(c)+".")
	}
	return out
}

func setIDs(base map[string]string, s x999.SetResponse) map[string]string {
	ids := make(map[string]string, len(base)+2)
	for k, v := range base {
		ids[k] = v
	}
	ids["set_control_number"] = s.ControlNumber
	ids["set_status"] = s.Status
	return ids
}

// applySet applies one AK2 set's verdict to the claims the set carried.
func (r *fileRun) applySet(ctx context.Context, ack gateway.Acknowledgment, batch *gateway.Batch, s x999.SetResponse, claimIDs []string, base map[string]string, groupWords []string) error {
	if len(claimIDs) == 0 {
		return r.unmatched(ctx, ack, gateway.UnmatchedUnknownSet,
			fmt.Sprintf("Batch %d has no transaction set with control number %q in group %s.", batch.ID, s.ControlNumber, base["group_control_number"]),
			setIDs(base, s))
	}
	if s.Status == "" {
		return r.unmatched(ctx, ack, gateway.UnmatchedNoVerdict,
			fmt.Sprintf("The 999 gives no verdict (IK501) for transaction set %s.", s.ControlNumber), setIDs(base, s))
	}
	// Errors by claim: those naming a claim (CTX CLM01) go to it, the others to every claim.
	own := map[string][]x999.SegmentError{}
	var shared []x999.SegmentError
	for _, se := range s.Segments {
		if name, val, ok := se.BusinessUnit(); ok && name == "CLM01" {
			id := gateway.NormalizeClaimID(val)
			own[id] = append(own[id], se)
			continue
		}
		shared = append(shared, se)
	}
	accepted := s.Accepted()
	for _, pcn := range claimIDs {
		c, found, mismatch, err := r.claimByID(ctx, pcn)
		if err != nil {
			return err
		}
		if !found {
			reason, msg := gateway.UnmatchedUnknownClaim, "The 837 of batch "+strconv.FormatInt(batch.ID, 10)+" carries a claim that is not in the store."
			if mismatch {
				reason, msg = gateway.UnmatchedPayerMismatch, "The claim belongs to another payer."
			}
			ids := setIDs(base, s)
			ids["patient_control_number"] = pcn
			if err := r.unmatched(ctx, ack, reason, msg, ids); err != nil {
				return err
			}
			continue
		}
		errs := append(append([]x999.SegmentError(nil), own[c.ID]...), shared...)
		a := claimAnswer{ack: ack, batchID: &batch.ID, codes: setCodes(s, errs)}
		a.sentences = append(setSentences(s, errs, len(own[c.ID]) == 0 && len(s.Segments) > len(errs)), groupWords...)
		if accepted {
			a.outcome, a.target = gateway.AckAccepted, gateway.StatusAccepted999
			a.reason = "999 accepted transaction set " + s.ControlNumber
		} else {
			a.outcome, a.target = gateway.AckRejected, gateway.StatusRejected999
			a.reason = "999 rejected transaction set " + s.ControlNumber
			d := r.decide999(s, own[c.ID], shared)
			a.decision = &d
		}
		if err := r.answer(ctx, c, a); err != nil {
			return err
		}
	}
	return nil
}

// setCodes lists a set's verdict and error codes: IK501, IK502-IK506, then each error's IK304
// and IK403 codes, in order, without repeats.
func setCodes(s x999.SetResponse, errs []x999.SegmentError) []string {
	out := []string{"IK501:" + s.Status}
	for _, c := range s.Codes {
		out = append(out, "IK502:"+c)
	}
	for _, se := range errs {
		if se.Code != "" {
			out = append(out, "IK304:"+se.Code)
		}
		for _, ee := range se.Elements {
			if ee.Code != "" {
				out = append(out, "IK403:"+ee.Code)
			}
		}
	}
	return dedupe(out)
}

// setSentences words the verdict for one claim: the set's verdict, each error concerning the
// claim, the set-level codes, and, for a claim of a rejected set that has no error of its own
// while other claims do, that it can be sent again unchanged.
func setSentences(s x999.SetResponse, errs []x999.SegmentError, innocent bool) []string {
	statusLabel, _ := x999.SetStatusLabel(s.Status)
	var out []string
	head := "Transaction set " + s.ControlNumber
	if s.Accepted() {
		head += " was accepted by the payer's 999"
	} else {
		head += " was rejected by the payer's 999"
	}
	if statusLabel != "" {
		head += " (" + statusLabel + ")"
	}
	out = append(out, head+".")
	for _, se := range errs {
		out = append(out, se.Sentence())
	}
	for _, c := range s.Codes {
		out = append(out, "Transaction set error "+c+": "+x999.SetCodeLabel(c)+".")
	}
	if innocent && !s.Accepted() {
		out = append(out, "This claim has no error of its own: the whole transaction set was rejected because of errors in other claims of it. Send it again unchanged.")
	}
	return out
}

// decide999 routes a claim's 999 rejection: from its first own error, else the set's first
// error, else (a set rejected for envelope reasons, or for another claim's errors) "other".
func (r *fileRun) decide999(s x999.SetResponse, own, shared []x999.SegmentError) codes.Decision {
	switch {
	case len(own) > 0:
		return r.in.codes.ClassifySyntaxError(own[0].SegmentID, own[0].LoopID)
	case len(shared) > 0:
		return r.in.codes.ClassifySyntaxError(shared[0].SegmentID, shared[0].LoopID)
	}
	reason := "The transaction set was rejected"
	if len(s.Codes) > 0 {
		reason += " (" + strings.Join(s.Codes, ", ") + ")"
	}
	if len(s.Segments) > 0 {
		reason += " because of errors in other claims of it; send this claim again unchanged."
	} else {
		reason += " for an envelope problem; the file, not the claim, needs fixing: send the claim again."
	}
	return codes.Decision{Kind: codes.KindDenial, Category: codes.Other, Queue: r.in.codes.Queue(codes.Other),
		Action: codes.CorrectAndResubmit, DecidedBy: "set:" + s.ControlNumber, Reason: reason}
}
