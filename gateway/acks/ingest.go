package acks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
)

// Default staleness thresholds.
const (
	DefaultStaleAfter999   = 24 * time.Hour     // a 999 normally comes within hours
	DefaultStaleAfter277CA = 5 * 24 * time.Hour // a 277CA within a few business days
)

// Config is what an Ingester needs besides the store.
type Config struct {
	// Codes routes rejections to categories and queues; nil means codes.Default().
	Codes *codes.Table
	// Registerer receives the metrics (never the global registry); nil registers nothing.
	Registerer prometheus.Registerer
	// Logger gets one line per file (ids, control numbers, counts); nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock for event times; nil means time.Now.
	Now func() time.Time
	// Staleness sets how long a claim may wait for a 999 and a 277CA; zero fields take the
	// defaults.
	Staleness Staleness
}

// Ingester turns TA1, 999 and 277CA files into claim life-cycle changes. It is safe for
// concurrent use.
type Ingester struct {
	store   gateway.Store
	codes   *codes.Table
	log     *slog.Logger
	now     func() time.Time
	stale   Staleness
	metrics *metrics
}

// New returns an Ingester over store.
func New(store gateway.Store, cfg Config) (*Ingester, error) {
	if store == nil {
		return nil, errors.New("acks: store is required")
	}
	in := &Ingester{store: store, codes: cfg.Codes, log: cfg.Logger, now: cfg.Now, stale: cfg.Staleness.withDefaults()}
	if in.codes == nil {
		in.codes = codes.Default()
	}
	if in.log == nil {
		in.log = slog.Default()
	}
	if in.now == nil {
		in.now = time.Now
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	in.metrics = m
	return in, nil
}

// Kinds returns the file kinds an Ingester handles: TA1, 999 and 277CA.
func Kinds() []gateway.FileKind {
	return []gateway.FileKind{gateway.KindTA1, gateway.Kind999, gateway.Kind277CA}
}

// KindIngester ingests files as one kind, whatever their File.Kind says: the value a poll job
// keeps in its registry of ingesters by kind.
type KindIngester struct {
	in   *Ingester
	kind gateway.FileKind
}

// Ingest ingests f as the KindIngester's kind.
func (k KindIngester) Ingest(ctx context.Context, f gateway.File) error {
	_, err := k.in.IngestAs(ctx, f, k.kind)
	return err
}

// For returns the ingester of one kind (TA1, 999 or 277CA) and whether the kind is handled.
func (in *Ingester) For(kind gateway.FileKind) (KindIngester, bool) {
	for _, k := range Kinds() {
		if k == kind {
			return KindIngester{in: in, kind: kind}, true
		}
	}
	return KindIngester{}, false
}

// Ingest ingests an archived inbound file according to f.Kind (TA1, 999 or 277CA). It returns
// nil when the file was processed, quarantined (malformed content, with a positioned reason in
// the file's status) or had been handled before; an error only for a failure worth retrying
// (the store) or a kind it does not handle (wrapping gateway.ErrInvalid).
func (in *Ingester) Ingest(ctx context.Context, f gateway.File) error {
	_, err := in.IngestAs(ctx, f, f.Kind)
	return err
}

// Result says what ingesting one file did.
type Result struct {
	FileID int64              `json:"file_id"`
	Kind   gateway.FileKind   `json:"kind"`
	Status gateway.FileStatus `json:"status"` // processed or quarantined
	Reason string             `json:"reason,omitempty"`
	// Duplicate is true when the file had been processed or quarantined before: nothing changed.
	Duplicate bool `json:"duplicate,omitempty"`
	// Acknowledgments, ClaimAcks, Moved, Unmatched and Rejections count what was written.
	Acknowledgments int `json:"acknowledgments"`
	ClaimAcks       int `json:"claim_acks"`
	Moved           int `json:"moved"`
	Unmatched       int `json:"unmatched"`
	Rejections      int `json:"rejections"`
	// Problems counts the positioned problems the reader found in the file.
	Problems int `json:"problems"`

	outcomes map[string]int // claim acks by outcome, for the metrics
}

// IngestAs ingests f as the given kind and reports what it did.
func (in *Ingester) IngestAs(ctx context.Context, f gateway.File, kind gateway.FileKind) (Result, error) {
	res := Result{FileID: f.ID, Kind: kind, outcomes: map[string]int{}}
	if _, ok := in.For(kind); !ok {
		return res, fmt.Errorf("acks: file %d: %w: kind %q is not an acknowledgment", f.ID, gateway.ErrInvalid, kind)
	}
	if f.ID == 0 {
		return res, fmt.Errorf("acks: %w: the file must be archived first (no id)", gateway.ErrInvalid)
	}
	payer := f.PayerID
	if f.Bytes == nil || payer == "" {
		stored, err := in.store.GetFile(ctx, f.ID)
		if err != nil {
			in.metrics.files.WithLabelValues(payer, string(kind), "error").Inc()
			return res, fmt.Errorf("acks: file %d: %w", f.ID, err)
		}
		f = stored
		payer = f.PayerID
	}
	if f.Direction != "" && f.Direction != gateway.Inbound {
		return res, fmt.Errorf("acks: file %d: %w: not an inbound file", f.ID, gateway.ErrInvalid)
	}
	p := parse(kind, f.Bytes)
	res.Problems = len(p.problems)
	err := in.store.WithTx(ctx, func(tx gateway.Tx) error {
		r := Result{FileID: f.ID, Kind: kind, outcomes: map[string]int{}, Problems: res.Problems}
		cur, err := tx.GetFile(ctx, f.ID)
		if err != nil {
			return err
		}
		if cur.Status == gateway.FileProcessed || cur.Status == gateway.FileQuarantined {
			r.Duplicate, r.Status, r.Reason = true, cur.Status, cur.Reason
			res = r
			return nil
		}
		if prior, err := tx.ListAcknowledgments(ctx, gateway.AckFilter{FileID: f.ID, Limit: 1}); err != nil {
			return err
		} else if len(prior) > 0 {
			// Defensive: acknowledgments exist but the status was not set (it is set in the same
			// transaction, so this needs a manual status change). Do not apply them twice.
			r.Duplicate, r.Status = true, gateway.FileProcessed
			res = r
			return tx.SetFileStatus(ctx, f.ID, gateway.FileProcessed, "acknowledgments already recorded")
		}
		if p.quarantine != "" {
			r.Status, r.Reason = gateway.FileQuarantined, p.quarantine
			res = r
			return tx.SetFileStatus(ctx, f.ID, gateway.FileQuarantined, p.quarantine)
		}
		run := &fileRun{in: in, tx: tx, file: f, payer: payer, kind: kind, at: in.now().UTC(), res: &r,
			layouts: map[int64]*batchLayout{}}
		if err := run.apply(ctx, p); err != nil {
			return err
		}
		r.Status = gateway.FileProcessed
		if len(p.problems) > 0 {
			r.Reason = problemSummary(p.problems)
		}
		res = r
		return tx.SetFileStatus(ctx, f.ID, gateway.FileProcessed, r.Reason)
	})
	if err != nil {
		in.metrics.files.WithLabelValues(payer, string(kind), "error").Inc()
		in.log.Error("acknowledgment ingest failed", "file_id", f.ID, "payer", payer, "kind", string(kind), "error", err)
		return res, fmt.Errorf("acks: file %d: %w", f.ID, err)
	}
	in.observe(payer, kind, res)
	return res, nil
}

func (in *Ingester) observe(payer string, kind gateway.FileKind, res Result) {
	result := string(res.Status)
	if res.Duplicate {
		result = "duplicate"
	}
	in.metrics.files.WithLabelValues(payer, string(kind), result).Inc()
	for outcome, n := range res.outcomes {
		in.metrics.claimAcks.WithLabelValues(payer, string(kind), outcome).Add(float64(n))
	}
	if res.Unmatched > 0 {
		in.metrics.unmatched.WithLabelValues(payer, string(kind)).Add(float64(res.Unmatched))
	}
	in.log.Info("acknowledgment file ingested", "file_id", res.FileID, "payer", payer, "kind", string(kind),
		"status", result, "acknowledgments", res.Acknowledgments, "claim_acks", res.ClaimAcks, "moved", res.Moved,
		"unmatched", res.Unmatched, "rejections", res.Rejections, "problems", res.Problems)
}

// parsed is what reading a file gave: the units in file order, the problems, and a quarantine
// reason when nothing usable was found.
type parsed struct {
	units      []unit
	problems   edi.Errors
	quarantine string
}

// unit is one acknowledgment unit; exactly one field is set.
type unit struct {
	ta1  *ta1Unit
	x999 *x999Unit
	x277 *x277Unit
}

// maxProblemsInReason bounds how many problems a file status reason quotes.
const maxProblemsInReason = 3

// problemSummary words the first problems of a file for its status reason.
func problemSummary(es edi.Errors) string {
	var b bytes.Buffer
	b.WriteString(strconv.Itoa(len(es)))
	if len(es) == 1 {
		b.WriteString(" problem: ")
	} else {
		b.WriteString(" problems, first: ")
	}
	for i, e := range es {
		if i == maxProblemsInReason {
			b.WriteString("; ...")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// quarantineReason words why a file cannot be used: the read failure (positioned when the
// reader could position it), or that no unit of the kind was found, with the first problems.
func quarantineReason(kind gateway.FileKind, fatal error, problems edi.Errors) string {
	if fatal != nil {
		var pe *edi.Error
		if errors.As(fatal, &pe) {
			return "unreadable X12: " + pe.Error()
		}
		return "unreadable X12: " + fatal.Error()
	}
	msg := "no " + string(kind) + " acknowledgment found in the file"
	if kind == gateway.KindTA1 {
		msg = "no TA1 segment found in the file"
	}
	if len(problems) > 0 {
		msg += "; " + problemSummary(problems)
	}
	return msg
}
