package denials

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/webhooks"
)

// DetectPayment returns the denials one stored, matched claim payment (an 835 CLP loop) carries,
// not yet stored:
//
//   - every CO, OA or PI adjustment (claim or line level) with a positive amount that
//     codes.Table.Classify calls a denial: one denial per adjustment, with the remark codes given
//     with it (the claim's MOA/MIA remarks, plus the line's LQ*HE remarks at line level);
//   - a claim the payer denied (CLP02 4) for which no adjustment is a denial: one claim-level
//     denial of the amount not paid, categorised "other" (the payer gave no denial reason code).
//
// Contractual write-offs (CO-45, CO-253, ...), informational adjustments and patient
// responsibility (every PR adjustment) are not denials: the patient's share is billed from the
// remittance by the billing system, not worked in a queue. Reversals (CLP02 22), negative
// adjustments (take-backs of an earlier adjustment) and unmatched payments yield nothing.
func DetectPayment(t *codes.Table, payerID string, cp gateway.ClaimPayment) []gateway.Denial {
	if cp.ClaimID == "" || cp.Reversal || cp.StatusCode == "22" {
		return nil
	}
	remID := cp.RemittanceID
	base := fmt.Sprintf("rem:%d/clp:%d", cp.RemittanceID, cp.Seq)
	claimRARCs := remarkCodes(cp.Remarks)
	var out []gateway.Denial
	add := func(ref string, line *gateway.LinePayment, a gateway.RemitAdjustment, rarcs []string) {
		if a.Amount <= 0 {
			return
		}
		d := t.Classify(a.Group, a.Reason, rarcs)
		if !d.IsDenial() {
			return
		}
		den := newDenial(cp, payerID, gateway.DenialSource835, ref, d)
		den.RemittanceID = &remID
		den.Group, den.CARC = strings.ToUpper(a.Group), a.Reason
		den.RARCs = append([]string{}, rarcs...)
		den.Codes = append([]string{den.Group + "-" + a.Reason}, rarcs...)
		den.Amount = a.Amount
		if line != nil {
			den.Procedure = line.Procedure
			if line.LineNumber > 0 {
				n := line.LineNumber
				den.LineNumber = &n
			}
		}
		out = append(out, den)
	}
	for i, a := range cp.Adjustments {
		add(base+"/cas:"+strconv.Itoa(i+1), nil, a, claimRARCs)
	}
	for j := range cp.Lines {
		l := &cp.Lines[j]
		rarcs := claimRARCs
		if lr := remarkCodes(l.Remarks); len(lr) > 0 {
			rarcs = append(append([]string{}, claimRARCs...), lr...)
		}
		for k, a := range l.Adjustments {
			add(fmt.Sprintf("%s/svc:%d/cas:%d", base, l.Seq, k+1), l, a, rarcs)
		}
	}
	if cp.StatusCode == "4" && len(out) == 0 {
		d := codes.Decision{Kind: codes.KindDenial, Category: codes.Other, Queue: t.Queue(codes.Other),
			Action: codes.Appeal, DecidedBy: "clp02:4"}
		var given []string
		for _, a := range cp.Adjustments {
			given = append(given, strings.ToUpper(a.Group)+"-"+a.Reason)
		}
		d.Reason = "The payer denied the whole claim (CLP02 4) without a denial reason code"
		if len(given) > 0 {
			d.Reason += " (its adjustments: " + strings.Join(given, ", ") + ")"
		}
		d.Reason += ". Read the payer's remittance or call the payer for the reason, then correct and resubmit or appeal."
		den := newDenial(cp, payerID, gateway.DenialSource835, base+"/clp02", d)
		den.RemittanceID = &remID
		den.RARCs = append([]string{}, claimRARCs...)
		den.Codes = append([]string{"CLP02:4"}, claimRARCs...)
		den.Amount = max(cp.Charge-cp.Paid, 0)
		out = append(out, den)
	}
	return out
}

// remarkCodes lists the RARCs of stored remarks: MOA, MIA and LQ*HE (LQ*RX are NCPDP reject
// codes, not RARCs).
func remarkCodes(rs []gateway.RemitRemark) []string {
	out := []string{}
	for _, r := range rs {
		switch r.Source {
		case "MOA", "MIA", "LQ*HE":
			out = append(out, r.Code)
		}
	}
	return out
}

func newDenial(cp gateway.ClaimPayment, payerID, source, ref string, d codes.Decision) gateway.Denial {
	return gateway.Denial{
		ClaimID: cp.ClaimID, SubmitterID: cp.SubmitterID, PayerID: payerID, Source: source, SourceRef: ref,
		RARCs: []string{}, Codes: []string{}, Category: string(d.Category), Queue: d.Queue, Action: string(d.Action),
		DecidedBy: d.DecidedBy, Reason: d.Reason,
	}
}

// DetectRejection returns the denial a rejection work item (gateway/acks) becomes, not yet
// stored. The category is the one acks decided with the same code table (ClassifySyntaxError
// for a 999, ClassifyClaimStatus for a 277CA, "other" for a TA1 or a claim rejected only
// because its transaction set was); when it is missing or unknown, a 277CA rejection is
// classified again from its first rejecting STC code and anything else is "other". The queue
// is always the table's queue of the category, so the operator's queue overrides apply.
//
// The reason is the decision's: where the error is (segment and loop, or the STC codes) and
// what to do. The acknowledgment's own sentences are not copied: a 999 quotes the rejected
// value (IK404), which may be patient data, and denials travel further (queues, webhooks). They
// stay on the claim's acknowledgments.
func DetectRejection(t *codes.Table, rej gateway.Rejection, submitterID int64) gateway.Denial {
	cat, err := codes.ParseCategory(rej.Category)
	decidedBy := rej.DecidedBy
	reason := strings.TrimSpace(rej.Reason)
	if err != nil {
		d := classifyRejection(t, rej)
		cat, decidedBy, reason = d.Category, d.DecidedBy, d.Reason
	}
	if reason == "" {
		reason = "The payer rejected the claim (" + strings.Join(rej.Codes, ", ") + "); correct it and send it again."
	}
	id := rej.ID
	return gateway.Denial{
		ClaimID: rej.ClaimID, SubmitterID: submitterID, PayerID: rej.PayerID, Source: string(rej.Source),
		SourceRef: "rej:" + strconv.FormatInt(rej.ID, 10), RejectionID: &id,
		RARCs: []string{}, Codes: append([]string{}, rej.Codes...),
		Category: string(cat), Queue: t.Queue(cat), Action: string(codes.CorrectAndResubmit), DecidedBy: decidedBy,
		Reason: reason,
	}
}

// rejecting277 are the 277CA status categories that reject a claim.
var rejecting277 = map[string]bool{"A3": true, "A4": true, "A6": true, "A7": true, "A8": true, "E3": true, "E4": true}

func classifyRejection(t *codes.Table, rej gateway.Rejection) codes.Decision {
	if rej.Source == gateway.Kind277CA {
		for _, c := range rej.Codes {
			parts := strings.Split(c, ":")
			if len(parts) >= 2 && rejecting277[parts[0]] {
				entity := ""
				if len(parts) > 2 {
					entity = parts[2]
				}
				return t.ClassifyClaimStatus(parts[0], parts[1], entity)
			}
		}
	}
	return codes.Decision{Kind: codes.KindDenial, Category: codes.Other, Queue: t.Queue(codes.Other),
		Action: codes.CorrectAndResubmit, DecidedBy: "source:" + string(rej.Source),
		Reason: "The payer rejected the claim; read the acknowledgment's sentences, correct the claim and send it again."}
}

// FromRemittance stores the denials of a remittance's claim payments inside tx (the posting
// transaction, or the routing job's) and writes a denial.created webhook event for each new
// one. It is idempotent: a denial that exists already (same source row) is neither written nor
// announced again. It returns the denials it created.
func FromRemittance(ctx context.Context, tx gateway.Tx, t *codes.Table, r gateway.Remittance, cps []gateway.ClaimPayment) ([]gateway.Denial, error) {
	if r.DuplicateOf != nil {
		return nil, nil
	}
	var created []gateway.Denial
	for _, cp := range cps {
		if cp.ClaimID == "" {
			continue
		}
		if cp.SubmitterID == 0 {
			c, err := tx.GetClaim(ctx, cp.ClaimID, 0)
			if err != nil {
				return created, fmt.Errorf("denials of remittance %d: %w", r.ID, err)
			}
			cp.SubmitterID = c.SubmitterID
		}
		if cp.RemittanceID == 0 {
			cp.RemittanceID = r.ID
		}
		for _, d := range DetectPayment(t, r.PayerID, cp) {
			out, ok, err := store(ctx, tx, d)
			if err != nil {
				return created, fmt.Errorf("denials of remittance %d: %w", r.ID, err)
			}
			if ok {
				created = append(created, out)
			}
		}
	}
	return created, nil
}

// FromRejection stores the denial of a rejection work item inside tx and writes its
// denial.created webhook event; created is false when it existed already.
func FromRejection(ctx context.Context, tx gateway.Tx, t *codes.Table, rej gateway.Rejection) (gateway.Denial, bool, error) {
	c, err := tx.GetClaim(ctx, rej.ClaimID, 0)
	if err != nil {
		return gateway.Denial{}, false, fmt.Errorf("denial of rejection %d: %w", rej.ID, err)
	}
	d, created, err := store(ctx, tx, DetectRejection(t, rej, c.SubmitterID))
	if err != nil {
		return gateway.Denial{}, false, fmt.Errorf("denial of rejection %d: %w", rej.ID, err)
	}
	return d, created, nil
}

// EventData is the data of a denial.created webhook event: ids, codes, amounts and words about
// codes, never patient data.
type EventData struct {
	DenialID  int64      `json:"denial_id"`
	ClaimID   string     `json:"claim_id"`
	PayerID   string     `json:"payer_id"`
	Line      *int       `json:"line_number,omitempty"`
	Source    string     `json:"source"`
	Codes     []string   `json:"codes"`
	Amount    edi.Amount `json:"amount"`
	Category  string     `json:"category"`
	Queue     string     `json:"queue"`
	Action    string     `json:"action"`
	Reason    string     `json:"reason"`
	CreatedAt string     `json:"created_at"`
}

func store(ctx context.Context, tx gateway.Tx, d gateway.Denial) (gateway.Denial, bool, error) {
	out, created, err := tx.CreateDenial(ctx, d)
	if err != nil || !created {
		return out, false, err
	}
	ev := EventData{DenialID: out.ID, ClaimID: out.ClaimID, PayerID: out.PayerID, Line: out.LineNumber, Source: out.Source,
		Codes: out.Codes, Amount: out.Amount, Category: out.Category, Queue: out.Queue, Action: out.Action,
		Reason: out.Reason, CreatedAt: out.CreatedAt.Format("2006-01-02T15:04:05.000000Z07:00")}
	if err := webhooks.Enqueue(ctx, tx, out.SubmitterID, out.ClaimID, gateway.EventDenialCreated, ev); err != nil {
		return out, false, err
	}
	return out, true, nil
}
