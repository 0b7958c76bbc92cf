package submission

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/payers"
)

// archivedPage is how many waiting files one store query lists.
const archivedPage = 500

// ingestArchived hands to their ingesters the payer's archived inbound files that are still
// waiting, in life-cycle order (TA1, 999, 277CA, 835) then oldest first: status pending
// (archived while no ingester for their kind was registered, e.g. by a release before
// acknowledgment or 835 ingest existed) or received for longer than the lease (an ingest that
// failed after the remote copy was gone). It needs no connection to the payer, so a poll run
// does it before dialling; ingesters are idempotent, so a file handled in between is not
// applied twice. Failures are returned joined, after every file was tried.
func (s *Service) ingestArchived(ctx context.Context, p payers.Payer, res *PollResult) error {
	if len(s.cfg.Ingesters) == 0 {
		return nil
	}
	staleBefore := s.now().Add(-s.cfg.LeaseTTL)
	var waiting []gateway.File
	for _, status := range []gateway.FileStatus{gateway.FilePending, gateway.FileReceived} {
		f := gateway.FileFilter{Direction: gateway.Inbound, PayerID: p.ID, Status: status, Limit: archivedPage}
		for {
			page, err := s.store.ListFiles(ctx, f)
			if err != nil {
				return fmt.Errorf("list %s inbound files: %w", status, err)
			}
			for _, file := range page {
				if s.cfg.Ingesters[file.Kind] == nil {
					continue
				}
				if status == gateway.FileReceived && !file.CreatedAt.Before(staleBefore) {
					continue // being handled by the run that archived it
				}
				waiting = append(waiting, file)
			}
			if len(page) < f.Limit {
				break
			}
			f.BeforeID = page[len(page)-1].ID
		}
	}
	// Life-cycle order (TA1, 999, 277CA, 835), then arrival order.
	sort.SliceStable(waiting, func(i, j int) bool {
		if ri, rj := kindRank(waiting[i].Kind), kindRank(waiting[j].Kind); ri != rj {
			return ri < rj
		}
		return waiting[i].ID < waiting[j].ID
	})
	var errs []error
	for _, meta := range waiting {
		file, err := s.store.GetFile(ctx, meta.ID)
		if err != nil {
			return fmt.Errorf("file %d: %w", meta.ID, err)
		}
		if file.Status != gateway.FilePending && file.Status != gateway.FileReceived {
			continue // handled meanwhile
		}
		log := s.log.With("payer_id", p.ID, "file_id", file.ID, "kind", string(file.Kind))
		if err := s.cfg.Ingesters[file.Kind].Ingest(ctx, file); err != nil {
			log.Warn("ingest of an archived file failed; retried on the next poll", "status", string(meta.Status), "err", err)
			errs = append(errs, fmt.Errorf("file %d (%s): %w", file.ID, file.Kind, err))
			continue
		}
		res.Ingested++
		res.Archived++
		log.Info("archived response file ingested", "was", string(meta.Status))
	}
	return errors.Join(errs...)
}
