package remit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/webhooks"
)

// DefaultChunk is how many claim payments are matched and written per round trip group.
const DefaultChunk = 2000

// maxProblems caps the problems stored per remittance.
const maxProblems = 50

// Config is what a Poster needs.
type Config struct {
	Store gateway.Store // required
	// Codes classifies adjustments (denial or not); nil: codes.Default().
	Codes *codes.Table
	// Registerer receives the posting metrics; nil: none are registered.
	Registerer prometheus.Registerer
	Logger     *slog.Logger     // nil: slog.Default()
	Now        func() time.Time // nil: time.Now
	// Chunk is the number of claim payments matched and written together; 0: DefaultChunk.
	Chunk int
}

// Poster posts 835 files. It is safe for concurrent use.
type Poster struct {
	store   gateway.Store
	codes   *codes.Table
	log     *slog.Logger
	now     func() time.Time
	chunk   int
	metrics *metrics
}

// New returns a Poster.
func New(cfg Config) (*Poster, error) {
	if cfg.Store == nil {
		return nil, errors.New("remit: Config.Store is required")
	}
	p := &Poster{store: cfg.Store, codes: cfg.Codes, log: cfg.Logger, now: cfg.Now, chunk: cfg.Chunk}
	if p.codes == nil {
		p.codes = codes.Default()
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.chunk <= 0 {
		p.chunk = DefaultChunk
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	p.metrics = m
	return p, nil
}

// Result is what posting one file did.
type Result struct {
	FileID      int64                `json:"file_id"`
	Status      gateway.FileStatus   `json:"status"`
	Reason      string               `json:"reason,omitempty"`
	Remittances []gateway.Remittance `json:"remittances"`
	// AlreadyPosted is true when the file had been posted before (nothing was done).
	AlreadyPosted bool `json:"already_posted,omitempty"`
}

// quarantine is a fatal problem of the file: the transaction is rolled back and the file
// quarantined with Reason.
type quarantine struct{ reason string }

func (q *quarantine) Error() string { return "quarantined: " + q.reason }

// Ingest implements the gateway/submission Ingester for 835 files: it posts an archived file,
// or does nothing when the file was posted (or quarantined) before.
func (p *Poster) Ingest(ctx context.Context, f gateway.File) error {
	_, err := p.Post(ctx, f)
	return err
}

// Upload archives an 835 uploaded by hand (as an inbound file of payerID) and posts it like a
// polled file. The same bytes uploaded again return the first result with AlreadyPosted.
func (p *Poster) Upload(ctx context.Context, payerID, name string, b []byte) (Result, error) {
	if strings.TrimSpace(payerID) == "" {
		return Result{}, fmt.Errorf("upload 835: %w: the payer is required", gateway.ErrInvalid)
	}
	if len(b) == 0 {
		return Result{}, fmt.Errorf("upload 835: %w: the file is empty", gateway.ErrInvalid)
	}
	if name == "" {
		name = "upload-" + p.now().UTC().Format("20060102T150405") + ".835"
	}
	f, _, err := p.store.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: payerID, Name: name,
		Kind: gateway.Kind835, Bytes: b, Status: gateway.FileReceived})
	if err != nil {
		return Result{}, fmt.Errorf("upload 835: %w", err)
	}
	f.Bytes = b
	return p.Post(ctx, f)
}

// Post posts an archived 835 file and reports what it did. A file already processed or
// quarantined is not posted again.
func (p *Poster) Post(ctx context.Context, f gateway.File) (res Result, err error) {
	if f.ID == 0 {
		return Result{}, fmt.Errorf("post 835: %w: the file is not archived", gateway.ErrInvalid)
	}
	if f.Bytes == nil {
		full, err := p.store.GetFile(ctx, f.ID)
		if err != nil {
			return Result{}, fmt.Errorf("post 835 file %d: %w", f.ID, err)
		}
		f = full
	}
	res = Result{FileID: f.ID}
	var counts postCounts
	var q *quarantine
	err = p.store.WithTx(ctx, func(tx gateway.Tx) error {
		// Posted before: the file's status says so, or (a stale status from the caller) its
		// remittances exist; a processed file always has at least one.
		done, err := tx.RemittancesByFile(ctx, f.ID)
		if err != nil {
			return err
		}
		if len(done) > 0 || f.Status == gateway.FileProcessed || f.Status == gateway.FileQuarantined {
			res.AlreadyPosted, res.Status, res.Reason, res.Remittances = true, f.Status, f.Reason, done
			if len(done) > 0 {
				res.Status, res.Reason = gateway.FileProcessed, ""
			}
			return nil
		}
		counts = postCounts{}
		rems, err := p.postFile(ctx, tx, f, &counts)
		if err != nil {
			return err
		}
		if err := tx.SetFileStatus(ctx, f.ID, gateway.FileProcessed, ""); err != nil {
			return err
		}
		res.Status, res.Remittances = gateway.FileProcessed, rems
		return nil
	})
	if errors.As(err, &q) {
		if serr := p.store.SetFileStatus(ctx, f.ID, gateway.FileQuarantined, q.reason); serr != nil {
			return Result{}, fmt.Errorf("post 835 file %d: quarantine: %w", f.ID, serr)
		}
		p.log.Warn("835 file quarantined", "file_id", f.ID, "payer_id", f.PayerID)
		return Result{FileID: f.ID, Status: gateway.FileQuarantined, Reason: q.reason, Remittances: []gateway.Remittance{}}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("post 835 file %d: %w", f.ID, err)
	}
	if !res.AlreadyPosted {
		p.metrics.record(f.PayerID, &counts)
		p.log.Info("835 file posted", "file_id", f.ID, "payer_id", f.PayerID, "remittances", len(res.Remittances),
			"matched", counts.matched, "unmatched", counts.unmatched, "reversals", counts.reversals, "duplicates", counts.duplicates)
	}
	if res.Remittances == nil {
		res.Remittances = []gateway.Remittance{}
	}
	return res, nil
}

// postCounts are the metric increments of one posting, applied after the commit.
type postCounts struct {
	remittances, unbalanced                   int
	matched, unmatched, reversals, duplicates int
}

// fatal reports whether a problem makes the file unpostable: money or identity we could not
// read exactly. Other problems (tolerated syntax, envelope counts, dates, codes, missing
// optional or descriptive elements, balancing) are stored on the remittance.
func fatal(e *edi.Error) bool {
	switch e.Code {
	case "invalid_amount", "missing_bpr", "missing_se": // missing_se: the set is cut short
		return true
	case "missing_element":
		switch e.SegmentID {
		case "BPR": // handling code, amount, credit/debit
			return e.Element >= 1 && e.Element <= 3
		case "CLP": // patient control number, status, charge, paid
			return e.Element >= 1 && e.Element <= 4
		case "CAS": // group, reason, amount
			return e.Element >= 1 && e.Element <= 3
		case "PLB": // provider, fiscal period, first reason and amount
			return e.Element >= 1 && e.Element <= 4
		}
	}
	return false
}

// readItem is what the reading goroutine hands to posting: the start of a transaction set, a
// chunk of its claims, the end of the set, the end of the file, or a reading failure.
type readItem struct {
	rem    *x835.Remittance     // a set begins; its claims follow
	claims []*x835.ClaimPayment // a chunk of the current set's claims
	setEnd bool                 // the current set ended (rem's PLBs and totals are complete)
	eof    bool                 // the file ended
	errs   edi.Errors           // with setEnd and eof: the reader's problems so far
	err    error                // reading failed: the file is quarantined with err's reason
	panic  bool                 // reading panicked
}

// readAhead reads the 835 in data and sends it to out in chunks of claims, at most a few
// chunks ahead of posting: parsing the next chunk overlaps with writing the current one. It
// stops when stop is closed.
func (p *Poster) readAhead(data []byte, out chan<- readItem, stop <-chan struct{}) {
	defer close(out)
	send := func(it readItem) bool {
		select {
		case out <- it:
			return true
		case <-stop:
			return false
		}
	}
	defer func() {
		if v := recover(); v != nil {
			p.log.Error("panic while reading an 835", "panic_type", fmt.Sprintf("%T", v))
			send(readItem{panic: true})
		}
	}()
	xr := x835.NewReader(edi.NewReader(bytes.NewReader(data)))
	for {
		rem, err := xr.NextTransaction()
		if err == io.EOF {
			send(readItem{eof: true, errs: slices.Clone(xr.Errors())})
			return
		}
		if err != nil {
			send(readItem{err: err})
			return
		}
		if !send(readItem{rem: rem}) {
			return
		}
		buf := make([]*x835.ClaimPayment, 0, p.chunk)
		for {
			c, err := xr.NextClaim()
			if err == io.EOF {
				break
			}
			if err != nil {
				send(readItem{err: err})
				return
			}
			buf = append(buf, c)
			if len(buf) == p.chunk {
				if !send(readItem{claims: buf}) {
					return
				}
				buf = make([]*x835.ClaimPayment, 0, p.chunk)
			}
		}
		if len(buf) > 0 && !send(readItem{claims: buf}) {
			return
		}
		if !send(readItem{setEnd: true, errs: slices.Clone(xr.Errors())}) {
			return
		}
	}
}

// readAheadChunks is how many chunks of claims the reading goroutine may hold ready.
const readAheadChunks = 2

// postFile posts every 835 transaction set of f inside tx.
func (p *Poster) postFile(ctx context.Context, tx gateway.Tx, f gateway.File, counts *postCounts) (rems []gateway.Remittance, err error) {
	defer func() {
		if v := recover(); v != nil {
			p.log.Error("panic while posting an 835; file quarantined", "file_id", f.ID, "panic_type", fmt.Sprintf("%T", v))
			err = &quarantine{reason: internalErrorReason}
		}
	}()
	items := make(chan readItem, readAheadChunks)
	stop := make(chan struct{})
	defer func() {
		close(stop)
		for range items { // let the reader finish
		}
	}()
	go p.readAhead(f.Bytes, items, stop)

	st := &fileState{p: p, tx: tx, f: f, counts: counts, claims: map[string]*claimState{},
		byPCN: map[string][]*claimState{}}
	var cur *remState
	seen := 0 // reader problems already attributed to a set
	for it := range items {
		switch {
		case it.panic:
			return nil, &quarantine{reason: internalErrorReason}
		case it.err != nil:
			return nil, &quarantine{reason: readReason(it.err)}
		case it.rem != nil:
			if cur, err = st.beginRemittance(ctx, it.rem); err != nil {
				return nil, err
			}
		case it.claims != nil:
			if err := st.addClaims(ctx, cur, it.claims); err != nil {
				return nil, err
			}
		case it.setEnd:
			r, err := st.endRemittance(ctx, cur, it.errs[min(seen, len(it.errs)):])
			if err != nil {
				return nil, err
			}
			seen = len(it.errs)
			rems = append(rems, r)
			cur = nil
		case it.eof:
			for _, e := range it.errs[min(seen, len(it.errs)):] {
				if fatal(e) {
					return nil, &quarantine{reason: e.Error()}
				}
			}
			if len(rems) == 0 {
				reason := "the file holds no 835 transaction set"
				if len(it.errs) > 0 {
					reason += "; first problem: " + it.errs[0].Error()
				}
				return nil, &quarantine{reason: reason}
			}
			return rems, nil
		}
	}
	return nil, &quarantine{reason: internalErrorReason} // the reader stopped without saying why
}

const internalErrorReason = "internal error while reading the file; report it to the claimgate maintainers"

func readReason(err error) string {
	var e *edi.Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "the file cannot be read as X12"
}

// fileState is the posting of one file: the claims seen so far with their current status, so
// a reversal and its repayment in the same file move the claim twice, in order.
type fileState struct {
	p      *Poster
	tx     gateway.Tx
	f      gateway.File
	counts *postCounts
	claims map[string]*claimState   // by claim id
	byPCN  map[string][]*claimState // by payer claim number
	// paidTo counts, per submitter, the claim payments of the current remittance matched to
	// its claims: each such submitter gets a remittance.received webhook.
	paidTo map[int64]int
}

// add records a claim read from the store.
func (st *fileState) add(c gateway.Claim) {
	if _, ok := st.claims[c.ID]; ok {
		return
	}
	cs := &claimState{claim: c, status: c.Status}
	st.claims[c.ID] = cs
	if c.PayerClaimNumber != "" {
		st.byPCN[c.PayerClaimNumber] = append(st.byPCN[c.PayerClaimNumber], cs)
	}
}

type claimState struct {
	claim  gateway.Claim
	status gateway.ClaimStatus
	lines  []encounterLine // parsed lazily
	parsed bool
}

// remState is the posting of one transaction set: the remittance row, its claims so far.
type remState struct {
	rem *x835.Remittance
	r   gateway.Remittance
	seq int // claim payments read so far
}

// beginRemittance stores the remittance of a set whose claims follow.
func (st *fileState) beginRemittance(ctx context.Context, rem *x835.Remittance) (*remState, error) {
	p := st.p
	r := gateway.Remittance{
		FileID:        st.f.ID,
		PayerID:       st.f.PayerID,
		PayerName:     rem.Payer.Name,
		ControlNumber: rem.ControlNumber,
		HandlingCode:  rem.Payment.HandlingCode,
		Amount:        rem.Payment.Signed(),
		CreditDebit:   rem.Payment.CreditDebit,
		Method:        rem.Payment.Method,
		EffectiveDate: isoDate(rem.Payment.EffectiveDate),
		Balanced:      true,
	}
	if r.EffectiveDate == "" {
		r.EffectiveDate = p.now().UTC().Format(time.DateOnly)
	}
	if rem.Trace != nil {
		r.TraceNumber, r.PayerIdentifier = rem.Trace.Number, rem.Trace.PayerID
	}
	if r.TraceNumber != "" {
		prev, err := st.tx.RemittanceByTrace(ctx, r.PayerID, r.TraceNumber)
		switch {
		case err == nil:
			r.DuplicateOf = &prev.ID
		case !errors.Is(err, gateway.ErrNotFound):
			return nil, err
		}
	}
	r, err := st.tx.CreateRemittance(ctx, r)
	if err != nil {
		return nil, err
	}
	return &remState{rem: rem, r: r}, nil
}

// addClaims counts a chunk of a set's claim payments and posts them (none for a duplicate
// payment).
func (st *fileState) addClaims(ctx context.Context, rs *remState, cps []*x835.ClaimPayment) error {
	r := &rs.r
	first := rs.seq + 1
	for _, c := range cps {
		rs.seq++
		r.ClaimCount++
		r.Charged += c.Charge
		r.Paid += c.Paid
		if c.IsReversal() {
			r.ReversalCount++
		}
	}
	if r.DuplicateOf != nil {
		st.counts.duplicates += len(cps)
		return nil
	}
	return st.flush(ctx, r, first, cps)
}

// endRemittance stores a set's provider adjustments and problems (errs: the reader's problems
// found in it) and finishes its remittance.
func (st *fileState) endRemittance(ctx context.Context, rs *remState, errs edi.Errors) (gateway.Remittance, error) {
	rem, r := rs.rem, rs.r
	// Provider adjustments: one row per reason/amount pair.
	var pas []gateway.ProviderAdjustment
	for _, plb := range rem.ProviderAdjustments {
		for _, a := range plb.Adjustments {
			r.ProviderTotal += a.Amount
			pas = append(pas, gateway.ProviderAdjustment{Seq: len(pas) + 1, ProviderID: plb.ProviderID,
				FiscalPeriodDate: isoDateOr(plb.FiscalPeriodDate), Reason: a.Reason, Reference: a.Reference, Amount: a.Amount})
		}
	}
	if r.DuplicateOf == nil {
		if err := st.tx.AddProviderAdjustments(ctx, r.ID, pas); err != nil {
			return r, err
		}
	}
	// The set's problems: fatal ones quarantine the file, the others are stored.
	for _, e := range errs {
		if fatal(e) {
			return r, &quarantine{reason: e.Error()}
		}
		if errors.Is(e, edi.ErrBalance) {
			r.Balanced = false
		}
		if len(r.Problems) < maxProblems {
			r.Problems = append(r.Problems, e.Error())
		}
	}
	if !rem.Totals.Balanced {
		r.Balanced = false
	}
	if err := st.tx.FinishRemittance(ctx, r); err != nil {
		return r, err
	}
	if err := st.announce(ctx, r); err != nil {
		return r, err
	}
	st.counts.remittances++
	if !r.Balanced {
		st.counts.unbalanced++
	}
	return r, nil
}

// flush matches, stores and applies one chunk of claim payments (firstSeq is the seq of cps[0]).
func (st *fileState) flush(ctx context.Context, r *gateway.Remittance, firstSeq int, cps []*x835.ClaimPayment) error {
	if err := st.load(ctx, cps); err != nil {
		return err
	}
	out := make([]gateway.ClaimPayment, len(cps))
	var byProcedure []int // payments with lines left to match by procedure and date
	var rounds [][]gateway.ClaimMove
	movesOf := map[string]int{}
	source := "file:" + strconv.FormatInt(st.f.ID, 10)
	for i, c := range cps {
		cp := convertClaim(c)
		cp.RemittanceID, cp.Seq = r.ID, firstSeq+i
		cs, how, note := st.match(c)
		if cs == nil {
			cp.Note = note
			r.UnmatchedCount++
			st.counts.unmatched++
		} else {
			cp.ClaimID, cp.SubmitterID, cp.MatchedBy = cs.claim.ID, cs.claim.SubmitterID, how
			r.MatchedCount++
			if st.paidTo == nil {
				st.paidTo = map[int64]int{}
			}
			st.paidTo[cs.claim.SubmitterID]++
			if c.IsReversal() {
				st.counts.reversals++
			} else {
				st.counts.matched++
			}
			if matchLinesByControlNumber(cs, cp.Lines) {
				byProcedure = append(byProcedure, i)
			}
			target, why := st.p.outcome(c)
			cp.Result = target
			switch {
			case target == "":
				cp.Note = why
			case target == cs.status:
				cp.Note = "the claim is " + string(target) + " already"
			case !gateway.CanTransition(cs.status, target):
				cp.Note = fmt.Sprintf("the claim is %s; %s cannot follow, so its status was kept", cs.status, target)
				cp.Result = ""
			default:
				detail, _ := json.Marshal(paymentEventDetail{RemittanceID: r.ID, ClaimPayment: cp.Seq, CLP02: c.Status,
					Paid: c.Paid, TraceNumber: r.TraceNumber, Codes: reasonCodes(c)})
				mv := gateway.ClaimMove{ClaimID: cs.claim.ID, From: cs.status, To: target, PayerClaimNumber: c.PayerClaimNumber,
					Event: gateway.EventInput{Reason: why, Source: source, Detail: detail}}
				k := movesOf[cs.claim.ID]
				movesOf[cs.claim.ID] = k + 1
				for len(rounds) <= k {
					rounds = append(rounds, nil)
				}
				rounds[k] = append(rounds[k], mv)
				cs.status = target
				if n := c.PayerClaimNumber; n != "" && n != cs.claim.PayerClaimNumber {
					cs.claim.PayerClaimNumber = n
					st.byPCN[n] = append(st.byPCN[n], cs)
				}
			}
		}
		out[i] = cp
	}
	if err := st.matchByProcedure(ctx, out, byProcedure); err != nil {
		return err
	}
	for _, mv := range rounds {
		if err := st.tx.ApplyClaimMoves(ctx, mv); err != nil {
			return err
		}
	}
	if err := st.tx.AddClaimPayments(ctx, r.ID, out); err != nil {
		return err
	}
	return nil
}

// matchByProcedure matches the lines of the payments out[i], i in idx, left unmatched by
// REF*6R, by procedure code and service date, loading the encounters of their claims first
// (claims are loaded without them: most lines match by REF*6R).
func (st *fileState) matchByProcedure(ctx context.Context, out []gateway.ClaimPayment, idx []int) error {
	if len(idx) == 0 {
		return nil
	}
	var ids []string
	want := map[string]bool{}
	for _, i := range idx {
		cs := st.claims[out[i].ClaimID]
		if cs.claim.Encounter == nil && !cs.parsed && !want[cs.claim.ID] {
			want[cs.claim.ID] = true
			ids = append(ids, cs.claim.ID)
		}
	}
	if len(ids) > 0 {
		encs, err := st.tx.ClaimEncounters(ctx, ids)
		if err != nil {
			return err
		}
		for id, enc := range encs {
			if cs := st.claims[id]; cs != nil {
				cs.claim.Encounter = enc
			}
		}
	}
	for _, i := range idx {
		matchLinesByProcedure(st.claims[out[i].ClaimID], out[i].Lines)
	}
	return nil
}

// paymentEventDetail is the detail of the claim event a claim payment causes (fields in the
// order a map would give them, so stored details did not change when it replaced one).
type paymentEventDetail struct {
	ClaimPayment int        `json:"claim_payment"`
	CLP02        string     `json:"clp02"`
	Codes        []string   `json:"codes"`
	Paid         edi.Amount `json:"paid"`
	RemittanceID int64      `json:"remittance_id"`
	TraceNumber  string     `json:"trace_number"`
}

// load reads the claims a chunk may match that are not known yet: by CLP01, then by CLP07.
func (st *fileState) load(ctx context.Context, cps []*x835.ClaimPayment) error {
	var ids []string
	want := map[string]bool{}
	for _, c := range cps {
		id := gateway.NormalizeClaimID(c.PatientControlNumber)
		if !gateway.ValidClaimID(id) || want[id] {
			continue
		}
		if _, ok := st.claims[id]; ok {
			continue
		}
		want[id] = true
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		cs, err := st.tx.ClaimsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for _, c := range cs {
			st.add(c)
		}
	}
	var nums []string
	seen := map[string]bool{}
	for _, c := range cps {
		if c.PayerClaimNumber == "" || seen[c.PayerClaimNumber] {
			continue
		}
		if cs := st.claims[gateway.NormalizeClaimID(c.PatientControlNumber)]; cs != nil && st.samePayer(cs) {
			continue
		}
		seen[c.PayerClaimNumber] = true
		nums = append(nums, c.PayerClaimNumber)
	}
	if len(nums) > 0 {
		cs, err := st.tx.ClaimsByPayerClaimNumber(ctx, st.f.PayerID, nums)
		if err != nil {
			return err
		}
		for _, c := range cs {
			st.add(c)
		}
	}
	return nil
}

func (st *fileState) samePayer(cs *claimState) bool {
	return strings.EqualFold(cs.claim.PayerID, st.f.PayerID)
}

// match finds our claim for a claim payment: CLP01, then CLP07.
func (st *fileState) match(c *x835.ClaimPayment) (*claimState, gateway.MatchMethod, string) {
	id := gateway.NormalizeClaimID(c.PatientControlNumber)
	note := "CLP01 is not a claim id of ours"
	if cs := st.claims[id]; cs != nil {
		if st.samePayer(cs) {
			return cs, gateway.MatchPCN, ""
		}
		note = "CLP01 is a claim of another payer"
	} else if gateway.ValidClaimID(id) {
		note = "CLP01 matches no claim"
	}
	if c.PayerClaimNumber == "" {
		return nil, gateway.MatchNone, note + "; no CLP07 payer claim number"
	}
	var live, all []*claimState
	for _, cs := range st.byPCN[c.PayerClaimNumber] {
		if st.samePayer(cs) {
			all = append(all, cs)
			if !cs.status.Final() {
				live = append(live, cs)
			}
		}
	}
	switch {
	case len(live) == 1:
		return live[0], gateway.MatchPayerClaimNumber, ""
	case len(live) == 0 && len(all) == 1:
		return all[0], gateway.MatchPayerClaimNumber, ""
	case len(all) > 1:
		return nil, gateway.MatchNone, note + "; CLP07 matches several claims"
	}
	return nil, gateway.MatchNone, note + "; CLP07 matches no claim"
}

// outcome is the claim status a claim payment leads to, and the event's reason; "" for none.
func (p *Poster) outcome(c *x835.ClaimPayment) (gateway.ClaimStatus, string) {
	switch c.Status {
	case "1", "2", "3":
		if p.hasDenial(c) {
			if c.Paid > 0 {
				return gateway.StatusPartiallyPaid, "835: paid in part, some amounts denied"
			}
			return gateway.StatusDenied, "835: processed, nothing paid, amounts denied"
		}
		return gateway.StatusPaid, "835: paid"
	case "4":
		return gateway.StatusDenied, "835: denied"
	case "19", "20", "21":
		return gateway.StatusForwarded, "835: processed and forwarded to another payer"
	case "22":
		return gateway.StatusReversed, "835: reversal of a previous payment"
	}
	if s, ok := codes.CLP02(c.Status); ok {
		return "", "CLP02 " + c.Status + " (" + s.Label + ") moves no claim"
	}
	return "", "CLP02 " + c.Status + " is not a known claim status code; the claim was not moved"
}

func (p *Poster) hasDenial(c *x835.ClaimPayment) bool {
	rarcs := claimRemarks(c)
	for _, a := range c.Adjustments {
		if p.codes.Classify(a.Group, a.Reason, rarcs).Kind == codes.KindDenial {
			return true
		}
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		lr := rarcs
		if len(l.Remarks) > 0 {
			lr = append(append([]string(nil), rarcs...), lineRemarks(l)...)
		}
		for _, a := range l.Adjustments {
			if p.codes.Classify(a.Group, a.Reason, lr).Kind == codes.KindDenial {
				return true
			}
		}
	}
	return false
}

func claimRemarks(c *x835.ClaimPayment) []string {
	var out []string
	if c.Outpatient != nil {
		out = append(out, c.Outpatient.RemarkCodes...)
	}
	if c.Inpatient != nil {
		out = append(out, c.Inpatient.RemarkCodes...)
	}
	return out
}

func lineRemarks(l *x835.ServiceLine) []string {
	var out []string
	for _, r := range l.Remarks {
		if r.Qualifier == "HE" {
			out = append(out, r.Code)
		}
	}
	return out
}

// convertClaim maps an x835 claim payment to the stored shape (not yet matched).
func convertClaim(c *x835.ClaimPayment) gateway.ClaimPayment {
	cp := gateway.ClaimPayment{
		PatientControlNumber: c.PatientControlNumber, StatusCode: c.Status, Reversal: c.IsReversal(),
		Charge: c.Charge, Paid: c.Paid, PatientResponsibility: c.PatientResponsibility,
		FilingIndicator: c.FilingIndicator, PayerClaimNumber: c.PayerClaimNumber, FacilityType: c.FacilityType,
		Frequency: c.Frequency,
	}
	if n := c.Patient; n != nil {
		cp.PatientName = strings.TrimSpace(strings.Join(nonEmpty(n.LastName, n.FirstName, n.MiddleName), " "))
		cp.MemberID = n.ID
	}
	if n := c.Insured; n != nil && cp.MemberID == "" {
		cp.MemberID = n.ID
	}
	if n := c.CrossoverCarrier; n != nil {
		cp.CrossoverPayer = strings.TrimSpace(n.LastName)
		if n.ID != "" {
			cp.CrossoverPayer = strings.TrimSpace(cp.CrossoverPayer + " " + n.ID)
		}
	}
	for _, d := range c.Dates {
		if d.Qualifier == "232" {
			cp.ServiceDate = isoDate(d.Date)
		}
	}
	for _, a := range c.Adjustments {
		cp.Adjustments = append(cp.Adjustments, gateway.RemitAdjustment{Group: a.Group, Reason: a.Reason, Amount: a.Amount, Quantity: a.Quantity})
	}
	if c.Outpatient != nil {
		for _, code := range c.Outpatient.RemarkCodes {
			cp.Remarks = append(cp.Remarks, gateway.RemitRemark{Source: "MOA", Code: code})
		}
	}
	if c.Inpatient != nil {
		for _, code := range c.Inpatient.RemarkCodes {
			cp.Remarks = append(cp.Remarks, gateway.RemitRemark{Source: "MIA", Code: code})
		}
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		lp := gateway.LinePayment{Seq: i + 1, ControlNumber: l.ControlNumber, ProcedureQualifier: l.Procedure.Qualifier,
			Procedure: l.Procedure.Code, Modifiers: l.Procedure.Modifiers, RevenueCode: l.RevenueCode,
			Charge: l.Charge, Paid: l.Paid, Units: l.Units}
		if a, ok := l.Allowed(); ok {
			lp.Allowed = a
		}
		for _, d := range l.Dates {
			switch d.Qualifier {
			case "472", "150":
				lp.ServiceDate = isoDate(d.Date)
			case "151":
				lp.ServiceDateEnd = isoDate(d.Date)
			}
		}
		if cp.ServiceDate == "" || (lp.ServiceDate != "" && lp.ServiceDate < cp.ServiceDate) {
			if lp.ServiceDate != "" {
				cp.ServiceDate = lp.ServiceDate
			}
		}
		for _, a := range l.Adjustments {
			lp.Adjustments = append(lp.Adjustments, gateway.RemitAdjustment{Group: a.Group, Reason: a.Reason, Amount: a.Amount, Quantity: a.Quantity})
		}
		for _, r := range l.Remarks {
			lp.Remarks = append(lp.Remarks, gateway.RemitRemark{Source: "LQ*" + r.Qualifier, Code: r.Code})
		}
		cp.Lines = append(cp.Lines, lp)
	}
	return cp
}

func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// isoDate turns CCYYMMDD into YYYY-MM-DD; "" when it is not a valid date.
func isoDate(s string) string {
	if len(s) != 8 {
		return ""
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// isoDateOr is isoDate, or s as sent when it is not a date (PLB02 is sometimes a period).
func isoDateOr(s string) string {
	if d := isoDate(s); d != "" {
		return d
	}
	return s
}

// announce queues a remittance.received webhook, in the posting transaction, for every
// submitter with claims paid (or reversed, or denied) in the remittance. A submitter sees only
// its own share: how many of its claims the payment covers, never the check amount, which pays
// other submitters' claims too.
func (st *fileState) announce(ctx context.Context, r gateway.Remittance) error {
	if r.DuplicateOf != nil {
		st.paidTo = nil
		return nil
	}
	subs := make([]int64, 0, len(st.paidTo))
	for id := range st.paidTo {
		subs = append(subs, id)
	}
	slices.Sort(subs)
	for _, id := range subs {
		payload := map[string]any{"remittance_id": r.ID, "payer_id": r.PayerID, "trace_number": r.TraceNumber,
			"effective_date": r.EffectiveDate, "claim_payments": st.paidTo[id]}
		if err := webhooks.Enqueue(ctx, st.tx, id, "", gateway.EventRemittanceReceived, payload); err != nil {
			return err
		}
	}
	st.paidTo = nil
	return nil
}

// reasonCodes lists a claim payment's adjustment codes ("CO-45", "PR-2", claim and line level)
// and remark codes, each once, in order of appearance: the reason_codes of the claim's webhook.
func reasonCodes(c *x835.ClaimPayment) []string {
	var out []string
	seen := map[string]bool{}
	add := func(code string) {
		if code != "" && !seen[code] {
			seen[code] = true
			out = append(out, code)
		}
	}
	for _, a := range c.Adjustments {
		add(a.Group + "-" + a.Reason)
	}
	if c.Outpatient != nil {
		for _, rc := range c.Outpatient.RemarkCodes {
			add(rc)
		}
	}
	for _, l := range c.Lines {
		for _, a := range l.Adjustments {
			add(a.Group + "-" + a.Reason)
		}
		for _, rm := range l.Remarks {
			add(rm.Code)
		}
	}
	return out
}
