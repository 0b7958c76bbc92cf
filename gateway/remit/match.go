package remit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/gateway"
)

// encounterLine is what line matching needs of an encounter's service line.
type encounterLine struct {
	Procedure   string `json:"procedure_code"`
	ServiceDate string `json:"service_date"`
}

// encounterLines reads the service lines of a claim's encounter (nil when it has none).
func (cs *claimState) encounterLines() []encounterLine {
	if cs.parsed {
		return cs.lines
	}
	cs.parsed = true
	var enc struct {
		Claim struct {
			ServiceLines []encounterLine `json:"service_lines"`
		} `json:"claim"`
	}
	if len(cs.claim.Encounter) > 0 && json.Unmarshal(cs.claim.Encounter, &enc) == nil {
		cs.lines = enc.Claim.ServiceLines
	}
	return cs.lines
}

// lineFromControlNumber returns n when ctl is our line control number "CLAIMID-n" of claim id.
func lineFromControlNumber(ctl, id string, lineCount int) int {
	i := strings.LastIndexByte(ctl, '-')
	if i <= 0 {
		return 0
	}
	if gateway.NormalizeClaimID(ctl[:i]) != id {
		return 0
	}
	n, err := strconv.Atoi(ctl[i+1:])
	if err != nil || n < 1 || (lineCount > 0 && n > lineCount) {
		return 0
	}
	return n
}

// matchLines ties line payments to the claim's service lines: REF*6R first, then the same
// procedure code and service date. The claim's encounter must be loaded.
func matchLines(cs *claimState, lines []gateway.LinePayment) {
	if matchLinesByControlNumber(cs, lines) {
		matchLinesByProcedure(cs, lines)
	}
}

// matchLinesByControlNumber ties line payments to the claim's service lines by REF*6R (our
// "CLAIMID-n"), each of our lines once, and reports whether a line with a procedure code is
// left for matchLinesByProcedure, which needs the claim's encounter.
func matchLinesByControlNumber(cs *claimState, lines []gateway.LinePayment) (rest bool) {
	used := map[int]bool{}
	for i := range lines {
		l := &lines[i]
		if n := lineFromControlNumber(l.ControlNumber, cs.claim.ID, cs.claim.LineCount); n > 0 && !used[n] {
			l.LineNumber, l.MatchedBy = n, gateway.LineMatchControlNumber
			used[n] = true
		} else if l.Procedure != "" {
			rest = true
		}
	}
	return rest
}

// matchLinesByProcedure ties the line payments left by matchLinesByControlNumber to the
// claim's service lines with the same procedure code and service date (each of our lines used
// once per claim payment). The claim's encounter must be loaded.
func matchLinesByProcedure(cs *claimState, lines []gateway.LinePayment) {
	used := map[int]bool{}
	for i := range lines {
		if n := lines[i].LineNumber; n > 0 {
			used[n] = true
		}
	}
	for i := range lines {
		l := &lines[i]
		if l.LineNumber != 0 || l.Procedure == "" {
			continue
		}
		for j, el := range cs.encounterLines() {
			n := j + 1
			if used[n] || !strings.EqualFold(strings.TrimSpace(el.Procedure), l.Procedure) {
				continue
			}
			if l.ServiceDate != "" && el.ServiceDate != l.ServiceDate {
				continue
			}
			l.LineNumber, l.MatchedBy = n, gateway.LineMatchProcedureDate
			used[n] = true
			break
		}
	}
}

// Match ties an unmatched claim payment (remittance remittanceID, position seq) to our claim
// claimID by hand, matches its lines, and moves the claim as posting would have. The claim
// must belong to the remittance's payer. A payment matched already is gateway.ErrConflict.
func (p *Poster) Match(ctx context.Context, remittanceID int64, seq int, claimID string) (gateway.ClaimPayment, error) {
	id := gateway.NormalizeClaimID(claimID)
	if !gateway.ValidClaimID(id) {
		return gateway.ClaimPayment{}, fmt.Errorf("match: %w: %q is not a claim id", gateway.ErrInvalid, claimID)
	}
	var out gateway.ClaimPayment
	var moved bool
	var payer string
	err := p.store.WithTx(ctx, func(tx gateway.Tx) error {
		r, err := tx.GetRemittance(ctx, remittanceID)
		if err != nil {
			return err
		}
		payer = r.PayerID
		if r.DuplicateOf != nil {
			return fmt.Errorf("remittance %d: %w: a duplicate payment has no claim payments to match", r.ID, gateway.ErrConflict)
		}
		// Only the one payment: a remittance may hold tens of thousands.
		cps, err := tx.ClaimPaymentsInRange(ctx, remittanceID, seq, seq)
		if err != nil {
			return err
		}
		var cp *gateway.ClaimPayment
		if len(cps) == 1 && cps[0].Seq == seq {
			cp = &cps[0]
		}
		if cp == nil {
			return fmt.Errorf("claim payment %d/%d: %w", remittanceID, seq, gateway.ErrNotFound)
		}
		if cp.ClaimID != "" {
			return fmt.Errorf("claim payment %d/%d: %w: it is matched to a claim already", remittanceID, seq, gateway.ErrConflict)
		}
		c, err := tx.GetClaim(ctx, id, 0)
		if err != nil {
			return fmt.Errorf("match: claim %s: %w", id, err)
		}
		if !strings.EqualFold(c.PayerID, r.PayerID) {
			return fmt.Errorf("match: %w: claim %s was sent to another payer", gateway.ErrInvalid, id)
		}
		cs := &claimState{claim: c, status: c.Status}
		matchLines(cs, cp.Lines)
		target, why := p.outcome(storedAsX835(cp))
		m := gateway.ManualMatch{RemittanceID: remittanceID, Seq: seq, ClaimID: c.ID, SubmitterID: c.SubmitterID, Result: target}
		switch {
		case target == "":
			m.Note = why
		case target == c.Status:
			m.Note = "the claim is " + string(target) + " already"
		case !gateway.CanTransition(c.Status, target):
			m.Note = fmt.Sprintf("the claim is %s; %s cannot follow, so its status was kept", c.Status, target)
			m.Result = ""
		default:
			moved = true
		}
		for _, l := range cp.Lines {
			if l.LineNumber != 0 {
				m.Lines = append(m.Lines, gateway.LineMatch{Seq: l.Seq, LineNumber: l.LineNumber, MatchedBy: l.MatchedBy})
			}
		}
		if err := tx.MatchClaimPayment(ctx, m); err != nil {
			return err
		}
		if moved {
			detail, _ := json.Marshal(map[string]any{"remittance_id": remittanceID, "claim_payment": seq, "clp02": cp.StatusCode,
				"paid": cp.Paid, "trace_number": r.TraceNumber, "matched_by": gateway.MatchManual})
			if _, err := tx.TransitionClaim(ctx, c.ID, target, gateway.EventInput{Reason: why + " (matched by hand)",
				Source: "remittance:" + strconv.FormatInt(remittanceID, 10), Detail: detail, PayerClaimNumber: cp.PayerClaimNumber}); err != nil {
				return err
			}
		}
		cp.ClaimID, cp.SubmitterID, cp.MatchedBy, cp.Result, cp.Note = c.ID, c.SubmitterID, gateway.MatchManual, m.Result, m.Note
		out = *cp
		return nil
	})
	if err != nil {
		return gateway.ClaimPayment{}, err
	}
	if cp := out; cp.Reversal {
		p.metrics.payments.WithLabelValues(payer, resultReversal).Inc()
	} else {
		p.metrics.payments.WithLabelValues(payer, resultMatched).Inc()
	}
	p.log.Info("claim payment matched by hand", "remittance_id", remittanceID, "seq", seq, "claim_id", out.ClaimID, "moved", moved)
	return out, nil
}

// storedAsX835 rebuilds what outcome needs of a stored claim payment: status, paid amount,
// adjustments and remark codes.
func storedAsX835(cp *gateway.ClaimPayment) *x835.ClaimPayment {
	c := &x835.ClaimPayment{PatientControlNumber: cp.PatientControlNumber, Status: cp.StatusCode, Charge: cp.Charge,
		Paid: cp.Paid, PatientResponsibility: cp.PatientResponsibility, PayerClaimNumber: cp.PayerClaimNumber}
	for _, a := range cp.Adjustments {
		c.Adjustments = append(c.Adjustments, x835.Adjustment{Group: a.Group, Reason: a.Reason, Amount: a.Amount, Quantity: a.Quantity})
	}
	var moa []string
	for _, r := range cp.Remarks {
		moa = append(moa, r.Code)
	}
	if len(moa) > 0 {
		c.Outpatient = &x835.OutpatientAdjudication{RemarkCodes: moa}
	}
	for _, l := range cp.Lines {
		sl := x835.ServiceLine{Charge: l.Charge, Paid: l.Paid}
		for _, a := range l.Adjustments {
			sl.Adjustments = append(sl.Adjustments, x835.Adjustment{Group: a.Group, Reason: a.Reason, Amount: a.Amount, Quantity: a.Quantity})
		}
		for _, r := range l.Remarks {
			if r.Source == "LQ*HE" {
				sl.Remarks = append(sl.Remarks, x835.Remark{Qualifier: "HE", Code: r.Code})
			}
		}
		c.Lines = append(c.Lines, sl)
	}
	return c
}
