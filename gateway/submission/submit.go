package submission

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/payers"
)

// SubmitResult is what one submit run did.
type SubmitResult struct {
	Skipped  bool    // another replica held the payer's lease
	Resumed  int     // batches of earlier runs uploaded by this run
	Batches  []int64 // batches created (and uploaded) by this run
	Claims   int     // claims moved to submitted
	Held     int     // claims put on hold (cannot be rendered)
	Uploaded int     // files uploaded (or found already on the server)
}

// HandleSubmit is the job handler of JobSubmit.
func (s *Service) HandleSubmit(ctx context.Context, job gateway.Job) error {
	p, wait, err := s.payerOf(job)
	if err != nil {
		return err
	}
	_, err = s.submitPayer(ctx, p.ID, wait)
	return transportErr(err)
}

// Submit runs the payer's submission now, in this goroutine: resume unfinished batches, then
// batch and upload queued claims until none is left. See the package documentation. When
// another run holds the payer it returns at once with Skipped set.
func (s *Service) Submit(ctx context.Context, payerID string) (SubmitResult, error) {
	return s.submitPayer(ctx, payerID, 0)
}

func (s *Service) submitPayer(ctx context.Context, payerID string, wait time.Duration) (SubmitResult, error) {
	var res SubmitResult
	p, ok := s.reg.Get(payerID)
	if !ok {
		return res, fmt.Errorf("payer %q: %w", payerID, gateway.ErrNotFound)
	}
	ran, err := s.withLease(ctx, "submit:"+p.ID, wait, func(ctx context.Context) error {
		d := &dialer{s: s, payer: p}
		defer d.close()
		return s.submit(ctx, p, d, &res)
	})
	if !ran && err == nil {
		res.Skipped = true
		s.log.Debug("submit skipped: another replica holds the payer", "payer_id", p.ID)
		return res, nil
	}
	if err != nil {
		s.log.Warn("submit run failed", "payer_id", p.ID, "batches", len(res.Batches), "claims", res.Claims, "err", err)
		return res, err
	}
	if err := s.store.RecordPayerRun(ctx, p.ID, JobSubmit, s.now()); err != nil {
		return res, err
	}
	if res.Claims > 0 || res.Resumed > 0 || res.Held > 0 {
		s.log.Info("submit run done", "payer_id", p.ID, "batches", len(res.Batches), "resumed", res.Resumed,
			"claims", res.Claims, "held", res.Held)
	}
	return res, nil
}

func (s *Service) submit(ctx context.Context, p payers.Payer, d *dialer, res *SubmitResult) error {
	// 1. Resume what earlier runs left: the bytes and the name are fixed.
	pending, err := s.pendingBatches(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, b := range pending {
		if err := s.upload(ctx, p, d, b, res); err != nil {
			return err
		}
		res.Resumed++
	}
	// 2. New batches until nothing is queued (or MaxBatchesPerRun).
	for s.cfg.MaxBatchesPerRun <= 0 || len(res.Batches) < s.cfg.MaxBatchesPerRun {
		b, held, err := s.buildBatch(ctx, p)
		res.Held += held
		if err != nil {
			return err
		}
		if b == nil {
			if held > 0 {
				continue // the held claims are skipped now; look again
			}
			return nil
		}
		s.crash("after-archive")
		res.Batches = append(res.Batches, b.ID)
		if err := s.upload(ctx, p, d, *b, res); err != nil {
			return err
		}
	}
	return nil
}

// pendingBatches returns the payer's batches not uploaded yet, oldest first.
func (s *Service) pendingBatches(ctx context.Context, payerID string) ([]gateway.Batch, error) {
	var out []gateway.Batch
	for _, st := range []gateway.BatchStatus{gateway.BatchBuilding, gateway.BatchReady, gateway.BatchFailed} {
		bs, err := s.store.ListBatches(ctx, gateway.BatchFilter{PayerID: payerID, Status: st, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			if b.FileID == nil || b.RemoteName == "" {
				// Only a batch whose bytes were archived can be sent; this version never
				// commits one without them.
				s.log.Warn("batch without a file is not resumed", "payer_id", payerID, "batch_id", b.ID)
				continue
			}
			out = append(out, b)
		}
	}
	// ListBatches is newest first; send in creation order.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// upload puts a batch's archived bytes on the server under its remote name and records it.
func (s *Service) upload(ctx context.Context, p payers.Payer, d *dialer, b gateway.Batch, res *SubmitResult) error {
	f, err := s.store.GetFile(ctx, *b.FileID)
	if err != nil {
		return fmt.Errorf("batch %d: %w", b.ID, err)
	}
	c, err := d.get(ctx)
	if err != nil {
		return fmt.Errorf("batch %d: %w", b.ID, err)
	}
	// Upload recognises its own finished upload (same name, same bytes) and then writes
	// nothing: a resumed batch that reached the server before a crash is not sent twice.
	if err := c.Upload(ctx, p.SFTP.UploadDir, b.RemoteName, f.Bytes); err != nil {
		return fmt.Errorf("batch %d (isa13 %d): %w", b.ID, b.ISA13, err)
	}
	res.Uploaded++
	s.crash("after-upload")
	detail, _ := json.Marshal(map[string]any{"batch_id": b.ID, "file_id": f.ID, "isa13": b.ISA13, "remote_name": b.RemoteName})
	n, already, err := s.store.FinishBatchUpload(ctx, b.ID, s.now(), gateway.EventInput{
		Reason: "837 file uploaded to the payer", Source: fmt.Sprintf("batch:%d", b.ID), Detail: detail})
	if err != nil {
		return fmt.Errorf("batch %d: record upload: %w", b.ID, err)
	}
	s.crash("after-submit")
	if already {
		return nil
	}
	res.Claims += n
	s.metrics.batches.WithLabelValues(p.ID).Inc()
	s.metrics.claimsSubmitted.WithLabelValues(p.ID).Add(float64(n))
	s.log.Info("batch submitted", "payer_id", p.ID, "batch_id", b.ID, "file_id", f.ID, "isa13", b.ISA13, "gs06", b.GS06,
		"remote_name", b.RemoteName, "claims", n, "bytes", len(f.Bytes))
	return nil
}

// RemoteName is the file name of a batch on the payer's server: unique per payer because
// ISA13 is never reused, and never reused for other bytes.
func RemoteName(payerID string, isa13 int64) string {
	return fmt.Sprintf("CG_%s_%09d.837", payerID, isa13)
}

// mapped is a queued claim with its 837 form.
type mapped struct {
	claim gateway.Claim
	x     x837.Claim
}

// buildBatch selects, renders, archives and batches in one transaction. It returns nil when
// no claim was batched, with the number of claims put on hold.
func (s *Service) buildBatch(ctx context.Context, p payers.Payer) (*gateway.Batch, int, error) {
	var out *gateway.Batch
	var held int
	err := s.store.WithTx(ctx, func(tx gateway.Tx) error {
		out, held = nil, 0
		claims, err := tx.QueuedClaimsForBatch(ctx, p.ID, s.cfg.BatchLimit)
		if err != nil {
			return err
		}
		if len(claims) == 0 {
			return nil
		}
		hold := func(c gateway.Claim, problems []string) error {
			held++
			s.log.Warn("claim held: it cannot be rendered as an 837", "payer_id", p.ID, "claim_id", c.ID,
				"problems", len(problems))
			return tx.HoldClaim(ctx, gateway.ClaimHold{ClaimID: c.ID, PayerID: p.ID, Reason: reasonOf(problems)})
		}
		var ms []mapped
		for _, c := range claims {
			x, problems := s.mapClaim(p, c)
			if len(problems) > 0 {
				if err := hold(c, problems); err != nil {
					return err
				}
				continue
			}
			ms = append(ms, mapped{claim: c, x: x})
		}
		now := s.now().UTC()
		ic := &x837.Interchange{Sender: s.cfg.Sender, Receiver: x837.Receiver{
			ISAQualifier: p.Receiver.ISAQualifier, ISAID: p.Receiver.ISAID, GSID: p.Receiver.GSID,
			Name: firstNonEmpty(p.Receiver.Name, p.Name), ID: p.Receiver.PayerID,
		}, Usage: p.ISAUsage(), Time: now}
		// Validate, holding the claims it refuses, until what is left renders.
		for len(ms) > 0 {
			ic.Claims = ic.Claims[:0]
			for _, m := range ms {
				ic.Claims = append(ic.Claims, m.x)
			}
			ic.ControlNumbers = x837.ControlNumbers{ISA: 1, GS: 1, ST: 1} // placeholders for validation
			err := x837.Validate(ic)
			if err == nil {
				break
			}
			var ces x837.ClaimErrors
			if !errors.As(err, &ces) {
				return fmt.Errorf("payer %s: 837 validation: %w", p.ID, err)
			}
			bad := map[int][]string{}
			for _, ce := range ces {
				if ce.Index < 0 || ce.Index >= len(ms) {
					// The envelope itself (sender or receiver configuration) is wrong: no claim
					// can go until an operator fixes it.
					return fmt.Errorf("payer %s: the 837 envelope is invalid (check submitter and receiver settings): %w", p.ID, err)
				}
				bad[ce.Index] = append(bad[ce.Index], ce.Field+": "+ce.Msg)
			}
			kept := ms[:0:0]
			for i, m := range ms {
				if problems, isBad := bad[i]; isBad {
					if err := hold(m.claim, problems); err != nil {
						return err
					}
					continue
				}
				kept = append(kept, m)
			}
			ms = kept
		}
		if len(ms) == 0 {
			return nil
		}
		ic.Claims = ic.Claims[:0]
		for _, m := range ms {
			ic.Claims = append(ic.Claims, m.x)
		}
		groups := len(ic.Layout())
		isa, err := tx.NextControlNumbers(ctx, p.ID, gateway.CounterISA, 1)
		if err != nil {
			return err
		}
		if isa > 999999999 {
			return fmt.Errorf("payer %s: ISA13 counter exhausted (%d)", p.ID, isa)
		}
		gs, err := tx.NextControlNumbers(ctx, p.ID, gateway.CounterGS, groups)
		if err != nil {
			return err
		}
		st, err := tx.NextControlNumbers(ctx, p.ID, gateway.CounterST, groups)
		if err != nil {
			return err
		}
		ic.ControlNumbers = x837.ControlNumbers{ISA: isa, GS: gs, ST: st}
		var buf bytes.Buffer
		if err := x837.Render(&buf, ic); err != nil {
			return fmt.Errorf("payer %s: render 837 (isa13 %d): %w", p.ID, isa, err)
		}
		name := RemoteName(p.ID, isa)
		f, _, err := tx.ArchiveFile(ctx, gateway.File{Direction: gateway.Outbound, PayerID: p.ID, Name: name,
			Kind: gateway.Kind837, Status: gateway.FilePending, Bytes: buf.Bytes()})
		if err != nil {
			return err
		}
		b, err := tx.CreateBatch(ctx, gateway.Batch{PayerID: p.ID, ISA13: isa, GS06: gs, FileID: &f.ID,
			Status: gateway.BatchReady, RemoteName: name, ClaimCount: len(ms)})
		if err != nil {
			return err
		}
		ids := make([]string, len(ms))
		for i, m := range ms {
			ids[i] = m.claim.ID
		}
		detail, _ := json.Marshal(map[string]any{"batch_id": b.ID, "file_id": f.ID, "isa13": isa, "gs06": gs})
		n, err := tx.MarkClaimsBatched(ctx, b.ID, ids, gateway.EventInput{Reason: "placed in an 837 batch",
			Source: fmt.Sprintf("batch:%d", b.ID), Detail: detail})
		if err != nil {
			return err
		}
		if n != len(ids) {
			return fmt.Errorf("payer %s: batch %d: %d of %d claims were still queued: %w", p.ID, b.ID, n, len(ids), gateway.ErrConflict)
		}
		s.log.Info("batch built", "payer_id", p.ID, "batch_id", b.ID, "file_id", f.ID, "isa13", isa, "gs06", gs,
			"st02", st, "claims", len(ids), "bytes", buf.Len())
		out = &b
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, held, nil
}

// mapClaim turns a stored claim into its 837 form, or lists why it cannot be.
func (s *Service) mapClaim(p payers.Payer, c gateway.Claim) (x837.Claim, []string) {
	if !p.AcceptsClaimType(string(c.Type)) {
		return x837.Claim{}, []string{fmt.Sprintf("claim_type: the payer does not take %s claims", c.Type)}
	}
	enc, err := intake.DecodeEncounter(bytes.NewReader(c.Encounter))
	if err != nil {
		return x837.Claim{}, []string{"encounter: the stored encounter cannot be decoded"}
	}
	x, err := enc.ToClaim(c.ID)
	if err != nil {
		var me *intake.MapError
		if errors.As(err, &me) {
			var out []string
			for _, pr := range me.Problems {
				out = append(out, pr.Pointer+": "+pr.Message)
			}
			return x837.Claim{}, out
		}
		return x837.Claim{}, []string{"encounter: cannot be mapped to an 837 claim"}
	}
	// Loop 2010BB names the payer as configured.
	x.Payer.ID = firstNonEmpty(p.Receiver.PayerID, p.ID)
	if x.Payer.Name == "" {
		x.Payer.Name = firstNonEmpty(p.Receiver.Name, p.Name)
	}
	return x, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
