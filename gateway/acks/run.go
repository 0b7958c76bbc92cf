package acks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
)

// fileRun applies one file's units inside the file's transaction.
type fileRun struct {
	in      *Ingester
	tx      gateway.Tx
	file    gateway.File
	payer   string
	kind    gateway.FileKind
	at      time.Time
	res     *Result
	ordinal int
	layouts map[int64]*batchLayout // batch id -> what its 837 holds
}

func (r *fileRun) apply(ctx context.Context, p parsed) error {
	for _, u := range p.units {
		var err error
		switch {
		case u.ta1 != nil:
			err = r.applyTA1(ctx, u.ta1.ack)
		case u.x999 != nil:
			err = r.apply999(ctx, &u.x999.ack)
		case u.x277 != nil:
			err = r.apply277(ctx, &u.x277.t)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *fileRun) source() string { return "file:" + strconv.FormatInt(r.file.ID, 10) }

// record stores one acknowledgment unit with the next ordinal.
func (r *fileRun) record(ctx context.Context, a gateway.Acknowledgment, detail any) (gateway.Acknowledgment, error) {
	a.FileID, a.PayerID, a.Ordinal, a.ReceivedAt = r.file.ID, r.payer, r.ordinal, r.at
	r.ordinal++
	b, err := json.Marshal(detail)
	if err != nil {
		return gateway.Acknowledgment{}, fmt.Errorf("acknowledgment detail: %w", err)
	}
	a.Detail = b
	out, err := r.tx.RecordAcknowledgment(ctx, a)
	if err != nil {
		return gateway.Acknowledgment{}, err
	}
	r.res.Acknowledgments++
	return out, nil
}

// unmatched keeps an acknowledgment part that names nothing of ours.
func (r *fileRun) unmatched(ctx context.Context, ack gateway.Acknowledgment, reason, message string, ids map[string]string) error {
	clean := make(map[string]string, len(ids))
	for k, v := range ids {
		if v != "" {
			clean[k] = v
		}
	}
	_, err := r.tx.AddUnmatchedAcknowledgment(ctx, gateway.UnmatchedAcknowledgment{AckID: ack.ID, FileID: r.file.ID,
		PayerID: r.payer, Kind: ack.Kind, Reason: reason, Message: message, Identifiers: clean})
	if err != nil {
		return err
	}
	r.res.Unmatched++
	return nil
}

// claimAnswer is what one acknowledgment says about one claim.
type claimAnswer struct {
	ack              gateway.Acknowledgment
	outcome          string              // gateway.AckAccepted ...
	target           gateway.ClaimStatus // "" keeps the status
	codes            []string
	sentences        []string
	payerClaimNumber string
	reason           string          // the claim event's reason
	batchID          *int64          // the batch the acknowledgment answers, when known
	decision         *codes.Decision // rejection routing, for a rejecting answer
}

// answer applies an answer to a claim: the transition when the life cycle allows it, the
// claim acknowledgment (always), the payer claim number, and the rejection work item when the
// claim moved into a rejected status.
func (r *fileRun) answer(ctx context.Context, c gateway.Claim, a claimAnswer) error {
	from := c.Status
	to := from
	var note string
	switch {
	case a.batchID != nil && c.BatchID != nil && *c.BatchID != *a.batchID:
		note = fmt.Sprintf("acknowledges batch %d, but the claim has moved to batch %d since; status kept", *a.batchID, *c.BatchID)
	case a.target == "":
		note = "status kept: this acknowledgment does not change the life cycle"
	case from == a.target:
		note = "status kept: the claim was already " + string(from)
	case !gateway.CanTransition(from, a.target):
		note = fmt.Sprintf("status kept: a %s claim cannot become %s", from, a.target)
	default:
		detail, err := json.Marshal(struct {
			AckID int64            `json:"ack_id"`
			Kind  gateway.FileKind `json:"kind"`
			Codes []string         `json:"codes"`
		}{a.ack.ID, a.ack.Kind, a.codes})
		if err != nil {
			return err
		}
		moved, err := r.tx.TransitionClaim(ctx, c.ID, a.target, gateway.EventInput{At: r.at, Reason: a.reason,
			Source: r.source(), Detail: detail, PayerClaimNumber: a.payerClaimNumber})
		if err != nil {
			return err
		}
		to = moved.Status
		c.PayerClaimNumber = moved.PayerClaimNumber
		r.res.Moved++
	}
	if a.payerClaimNumber != "" && c.PayerClaimNumber != a.payerClaimNumber {
		if err := r.tx.SetPayerClaimNumber(ctx, c.ID, a.payerClaimNumber); err != nil {
			return err
		}
	}
	ca, err := r.tx.AddClaimAcknowledgment(ctx, gateway.ClaimAcknowledgment{ClaimID: c.ID, AckID: a.ack.ID, Kind: a.ack.Kind,
		Outcome: a.outcome, Codes: a.codes, PayerClaimNumber: a.payerClaimNumber, Sentences: a.sentences,
		From: from, To: to, Note: note, At: r.at})
	if err != nil {
		return err
	}
	r.res.ClaimAcks++
	r.res.outcomes[a.outcome]++
	if to != from && (to == gateway.StatusRejected999 || to == gateway.StatusRejected277) && a.decision != nil {
		d := a.decision
		if _, err := r.tx.AddRejection(ctx, gateway.Rejection{ClaimID: c.ID, PayerID: c.PayerID, ClaimAckID: ca.ID,
			Source: a.ack.Kind, Codes: a.codes, Sentences: a.sentences, Category: string(d.Category), Queue: d.Queue,
			DecidedBy: d.DecidedBy, Reason: d.Reason}); err != nil {
			return err
		}
		r.res.Rejections++
	}
	return nil
}

// claimByID returns our claim with a patient control number (claim id), of this payer.
// found is false when no claim has the id; mismatch is true when it belongs to another payer.
func (r *fileRun) claimByID(ctx context.Context, pcn string) (c gateway.Claim, found, mismatch bool, err error) {
	id := gateway.NormalizeClaimID(pcn)
	if !gateway.ValidClaimID(id) {
		return gateway.Claim{}, false, false, nil
	}
	c, err = r.tx.GetClaim(ctx, id, 0)
	if errors.Is(err, gateway.ErrNotFound) {
		return gateway.Claim{}, false, false, nil
	}
	if err != nil {
		return gateway.Claim{}, false, false, err
	}
	if !strings.EqualFold(c.PayerID, r.payer) {
		return gateway.Claim{}, false, true, nil
	}
	return c, true, false, nil
}

// batchLayout is what a batch's archived 837 holds: for each functional group (GS06) and
// transaction set (ST02, leading zeros dropped), the patient control numbers of its claims.
type batchLayout struct {
	groups map[int64]map[string][]string
	claims map[string]bool // normalised claim ids
	err    error
}

func trimControl(s string) string {
	s = strings.TrimSpace(s)
	t := strings.TrimLeft(s, "0")
	if t == "" && s != "" {
		return "0"
	}
	return t
}

// layout reads (once per file) which claims each group and set of a batch's 837 carried.
func (r *fileRun) layout(ctx context.Context, b gateway.Batch) (*batchLayout, error) {
	if l, ok := r.layouts[b.ID]; ok {
		return l, nil
	}
	l := &batchLayout{groups: map[int64]map[string][]string{}, claims: map[string]bool{}}
	r.layouts[b.ID] = l
	if b.FileID == nil {
		l.err = errors.New("the batch has no archived file")
		return l, nil
	}
	f, err := r.tx.GetFile(ctx, *b.FileID)
	if err != nil {
		return nil, err
	}
	ics, _, err := x837.ReadAll(bytes.NewReader(f.Bytes))
	if err != nil {
		l.err = err
		return l, nil
	}
	for _, ic := range ics {
		for _, ts := range ic.Transactions {
			gs, err := strconv.ParseInt(strings.TrimSpace(ts.GroupControl), 10, 64)
			if err != nil {
				continue
			}
			sets := l.groups[gs]
			if sets == nil {
				sets = map[string][]string{}
				l.groups[gs] = sets
			}
			st := trimControl(ts.ControlNumber)
			for i := ts.FirstClaim; i < ts.FirstClaim+ts.ClaimCount && i < len(ic.Claims); i++ {
				sets[st] = append(sets[st], ic.Claims[i].PatientControlNumber)
				l.claims[gateway.NormalizeClaimID(ic.Claims[i].PatientControlNumber)] = true
			}
		}
	}
	return l, nil
}

// dedupe drops repeated strings, keeping the first of each.
func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}
