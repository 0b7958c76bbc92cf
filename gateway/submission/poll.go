package submission

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/payers"
)

// PollResult is what one poll run did.
type PollResult struct {
	Skipped     bool // another replica held the payer's lease
	Listed      int  // files listed in the download folder
	New         int  // files archived for the first time
	Duplicates  int  // files whose bytes were already archived
	Quarantined int  // new files not recognised
	Ingested    int  // files handed to an ingester (Archived included)
	Archived    int  // of them, files archived by an earlier run and still waiting (see ingestArchived)
	Pending     int  // files of a kind without an ingester yet
	Removed     int  // remote files deleted or moved
}

// HandlePoll is the job handler of JobPoll.
func (s *Service) HandlePoll(ctx context.Context, job gateway.Job) error {
	p, wait, err := s.payerOf(job)
	if err != nil {
		return err
	}
	_, err = s.pollPayer(ctx, p.ID, wait)
	return transportErr(err)
}

// Poll fetches the payer's response files now, in this goroutine. When another run holds the
// payer it returns at once with Skipped set.
func (s *Service) Poll(ctx context.Context, payerID string) (PollResult, error) {
	return s.pollPayer(ctx, payerID, 0)
}

func (s *Service) pollPayer(ctx context.Context, payerID string, wait time.Duration) (PollResult, error) {
	var res PollResult
	p, ok := s.reg.Get(payerID)
	if !ok {
		return res, fmt.Errorf("payer %q: %w", payerID, gateway.ErrNotFound)
	}
	ran, err := s.withLease(ctx, "poll:"+p.ID, wait, func(ctx context.Context) error {
		// Files archived earlier and still waiting go first: they are older than anything the
		// payer offers now.
		archivedErr := s.ingestArchived(ctx, p, &res)
		d := &dialer{s: s, payer: p}
		defer d.close()
		return errors.Join(archivedErr, s.poll(ctx, p, d, &res))
	})
	if !ran && err == nil {
		res.Skipped = true
		return res, nil
	}
	if err != nil {
		s.log.Warn("poll run failed", "payer_id", p.ID, "listed", res.Listed, "new", res.New, "err", err)
		return res, err
	}
	at := s.now()
	if err := s.store.RecordPayerRun(ctx, p.ID, JobPoll, at); err != nil {
		return res, err
	}
	s.metrics.lastPoll.WithLabelValues(p.ID).Set(float64(at.UnixNano()) / 1e9)
	if res.Listed > 0 {
		s.log.Info("poll run done", "payer_id", p.ID, "listed", res.Listed, "new", res.New, "duplicates", res.Duplicates,
			"quarantined", res.Quarantined, "ingested", res.Ingested, "pending", res.Pending, "removed", res.Removed)
	}
	return res, nil
}

func (s *Service) poll(ctx context.Context, p payers.Payer, d *dialer, res *PollResult) error {
	c, err := d.get(ctx)
	if err != nil {
		return err
	}
	files, err := c.List(ctx, p.SFTP.DownloadDir)
	if err != nil {
		return err
	}
	res.Listed = len(files)

	// First archive everything listed, so that the files can be applied in life-cycle order
	// (TA1, 999, 277CA, then 835) whatever their names: a payer that answers quickly offers a
	// batch's 999 and 277CA in the same listing, and "277CA_..." sorts before "999_...".
	fetched := make([]polledFile, 0, len(files))
	for _, rf := range files {
		data, err := c.Download(ctx, p.SFTP.DownloadDir, rf.Name)
		if err != nil {
			return err
		}
		kind, reason := Sniff(data)
		status := gateway.FileReceived
		if kind == gateway.KindUnknown {
			status = gateway.FileQuarantined
		}
		f, created, err := s.store.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: p.ID,
			Name: rf.Name, Kind: kind, Status: status, Reason: reason, Bytes: data})
		if err != nil {
			return fmt.Errorf("archive %s: %w", rf.Name, err)
		}
		f.Bytes = nil // read again when ingested: a long listing is not held in memory
		fetched = append(fetched, polledFile{remote: rf.Name, file: f, created: created})
		if created {
			res.New++
			s.metrics.filesReceived.WithLabelValues(p.ID, string(f.Kind)).Inc()
		} else {
			res.Duplicates++
		}
	}
	sort.SliceStable(fetched, func(i, j int) bool {
		a, b := fetched[i].file, fetched[j].file
		if ra, rb := kindRank(a.Kind), kindRank(b.Kind); ra != rb {
			return ra < rb
		}
		return a.ID < b.ID
	})

	var ingestErrs []error
	for _, pf := range fetched {
		f := pf.file
		log := s.log.With("payer_id", p.ID, "file_id", f.ID, "kind", string(f.Kind), "bytes", f.Size)
		switch {
		case f.Status == gateway.FileQuarantined:
			if pf.created {
				res.Quarantined++
				log.Warn("response file quarantined", "reason", f.Reason)
			}
		case f.Status == gateway.FileReceived:
			// New, or an earlier ingest failed: (re)ingest.
			if ing := s.cfg.Ingesters[f.Kind]; ing != nil {
				full, err := s.store.GetFile(ctx, f.ID)
				if err != nil {
					return fmt.Errorf("file %d: %w", f.ID, err)
				}
				if err := ing.Ingest(ctx, full); err != nil {
					log.Warn("ingest failed; the remote file is kept and retried on the next poll", "err", err)
					ingestErrs = append(ingestErrs, fmt.Errorf("file %d (%s): %w", f.ID, f.Kind, err))
					continue
				}
				res.Ingested++
			} else {
				if err := s.store.SetFileStatus(ctx, f.ID, gateway.FilePending, ""); err != nil {
					return err
				}
				res.Pending++
				log.Info("response file archived; no ingester for its kind yet, left pending")
			}
		}
		// Archived (and processed or quarantined): only now may the payer's copy go.
		switch p.SFTP.AfterDownload {
		case "keep":
			continue
		case "move":
			err = c.Move(ctx, p.SFTP.DownloadDir, pf.remote, p.SFTP.MoveDir)
		default:
			err = c.Remove(ctx, p.SFTP.DownloadDir, pf.remote)
		}
		if err != nil {
			return err
		}
		res.Removed++
	}
	return errors.Join(ingestErrs...)
}

// polledFile is one remote file of a poll run, archived.
type polledFile struct {
	remote  string       // its name in the download folder
	file    gateway.File // the archived record, without its bytes
	created bool         // archived by this run (not a copy of an archived file)
}

// kindRank orders response files as the claim life cycle reads them: the interchange
// acknowledgment, the 999, the 277CA, the 835; unrecognised files last.
func kindRank(k gateway.FileKind) int {
	switch k {
	case gateway.KindTA1:
		return 0
	case gateway.Kind999:
		return 1
	case gateway.Kind277CA:
		return 2
	case gateway.Kind835:
		return 3
	default:
		return 4
	}
}
