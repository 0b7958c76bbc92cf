package gateway

import (
	"context"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
)

// Denials: every 835 adjustment that is a denial (not a contractual write-off or the patient's
// share), every claim the payer denied without one, and every TA1/999/277CA rejection becomes a
// Denial: a work item in the queue of the team that can fix it. gateway/denials detects and
// routes them; this file holds the stored shape and the store's method group.

// Denial sources: the kind of file the denial came from.
const (
	DenialSource835   = "835"
	DenialSource277CA = "277CA"
	DenialSource999   = "999"
	DenialSourceTA1   = "TA1"
)

// Denial statuses.
const (
	DenialOpen     = "open"     // nobody works it yet
	DenialAssigned = "assigned" // someone works it
	DenialResolved = "resolved" // done; Resolution says how
)

// Denial resolutions.
const (
	ResolutionCorrected     = "corrected"      // a corrected claim was sent (ResolvedByClaimID names it)
	ResolutionAppealed      = "appealed"       // an appeal was filed
	ResolutionWrittenOff    = "written_off"    // the amount was written off
	ResolutionBilledPatient = "billed_patient" // the patient was billed
)

// DenialResolutions lists the resolutions.
var DenialResolutions = []string{ResolutionCorrected, ResolutionAppealed, ResolutionWrittenOff, ResolutionBilledPatient}

// ValidDenialResolution reports whether s is one of DenialResolutions.
func ValidDenialResolution(s string) bool {
	for _, r := range DenialResolutions {
		if r == s {
			return true
		}
	}
	return false
}

// MaxAssigneeLen and MaxResolutionNoteLen bound what a person types when working a denial
// (the API's assign and resolve bodies, the dashboard's forms).
const (
	MaxAssigneeLen       = 100
	MaxResolutionNoteLen = 2000
)

// ValidAssignee reports whether s (already trimmed of surrounding spaces) may be a denial's
// assignee: at most MaxAssigneeLen bytes of printable characters on one line. "" is valid: it
// unassigns.
func ValidAssignee(s string) bool {
	return len(s) <= MaxAssigneeLen && printableText(s) && !strings.ContainsAny(s, "\n\t")
}

// ValidResolutionNote reports whether s may be the note of a denial's resolution: at most
// MaxResolutionNoteLen bytes, no control characters but line feeds and tabs.
func ValidResolutionNote(s string) bool {
	return len(s) <= MaxResolutionNoteLen && printableText(s)
}

// printableText reports whether s holds no control characters but '\n' and '\t'.
func printableText(s string) bool {
	for _, c := range s {
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// ValidDenialStatus reports whether s is open, assigned or resolved.
func ValidDenialStatus(s string) bool {
	return s == DenialOpen || s == DenialAssigned || s == DenialResolved
}

// ValidDenialSource reports whether s is one of the denial sources.
func ValidDenialSource(s string) bool {
	return s == DenialSource835 || s == DenialSource277CA || s == DenialSource999 || s == DenialSourceTA1
}

// Denial is one denial or rejection work item.
type Denial struct {
	ID          int64  `json:"id"`
	ClaimID     string `json:"claim_id"`
	SubmitterID int64  `json:"submitter_id"`
	PayerID     string `json:"payer_id"`
	// LineNumber is our service line (1-based) for a line-level 835 denial whose line was
	// matched; nil for a claim-level denial, a rejection, or an unmatched line.
	LineNumber *int `json:"line_number,omitempty"`
	// Procedure is the line's procedure code as the payer echoed it (line-level denials).
	Procedure string `json:"procedure,omitempty"`
	// Source is the file kind (DenialSource835 ...); SourceRef identifies the row it came from
	// within the source ("rem:12/clp:3/svc:2/cas:1", "rej:7", "rem:12/clp:3/clp02"). The pair
	// is unique: the same source row never yields two denials.
	Source       string `json:"source"`
	SourceRef    string `json:"source_ref"`
	RemittanceID *int64 `json:"remittance_id,omitempty"`
	RejectionID  *int64 `json:"rejection_id,omitempty"`
	// Group and CARC are the CAS adjustment group and reason code (835); RARCs the remark codes
	// given with them. Codes are every code in display form: "CO-197", "N54", "CLP02:4", or the
	// acknowledgment codes "A7:562:85", "IK304:8", "TA104:R".
	Group  string     `json:"group,omitempty"`
	CARC   string     `json:"carc,omitempty"`
	RARCs  []string   `json:"rarcs"`
	Codes  []string   `json:"codes"`
	Amount edi.Amount `json:"amount"` // denied amount in cents; 0 for a rejection
	// Category, Queue, Action, DecidedBy and Reason are edi/codes' Decision.
	Category  string `json:"category"`
	Queue     string `json:"queue"`
	Action    string `json:"action"` // correct_and_resubmit, appeal, bill_patient, write_off
	DecidedBy string `json:"decided_by,omitempty"`
	Reason    string `json:"reason"` // plain words: codes, meaning and what to do

	Status            string     `json:"status"` // DenialOpen, DenialAssigned, DenialResolved
	Assignee          string     `json:"assignee,omitempty"`
	Resolution        string     `json:"resolution,omitempty"`
	ResolutionNote    string     `json:"resolution_note,omitempty"`
	ResolvedByClaimID string     `json:"resolved_by_claim_id,omitempty"`
	ResolvedAt        *time.Time `json:"resolved_at,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

// DenialFilter selects denials for ListDenials. Zero fields do not filter.
type DenialFilter struct {
	SubmitterID int64 // only denials of this submitter's claims
	ClaimID     string
	Queue       string
	Status      string
	Category    string
	PayerID     string
	Cursor      string // from the previous page's Next
	Limit       int    // default 50, at most 1000
}

// DenialPage is one page of denials, newest first. Next is empty on the last page.
type DenialPage struct {
	Denials []Denial `json:"denials"`
	Next    string   `json:"next,omitempty"`
}

// DenialResolve is a request to resolve a denial.
type DenialResolve struct {
	ID          int64
	SubmitterID int64  // 0: unscoped; else another submitter's denial is ErrNotFound
	Resolution  string // one of DenialResolutions
	Note        string
	Actor       string // who resolved it, for the history: "operator", "submitter:7", "claimgate"
	// ClaimID names the claim that fixed it (a replacement), optional; it must be a claim of
	// the same submitter.
	ClaimID string
	At      time.Time // default: the store's clock
}

// DenialAssign gives a denial to an assignee (AssignDenial).
type DenialAssign struct {
	ID          int64
	SubmitterID int64  // 0: unscoped; else another submitter's denial is ErrNotFound
	Assignee    string // "" puts the denial back in the open queue
	Actor       string // who assigned it, for the history
	At          time.Time
}

// Denial history actions (DenialEvent.Action).
const (
	DenialEventAssigned   = "assigned"
	DenialEventUnassigned = "unassigned"
	DenialEventResolved   = "resolved"
)

// DenialEvent is one step of the work on a denial: who assigned, unassigned or resolved it,
// and when. The history is written with the change, in the same transaction.
type DenialEvent struct {
	DenialID   int64     `json:"-"`
	Seq        int       `json:"seq"`
	At         time.Time `json:"at"`
	Action     string    `json:"action"`
	Actor      string    `json:"actor"`
	Assignee   string    `json:"assignee,omitempty"`
	Resolution string    `json:"resolution,omitempty"`
	Note       string    `json:"note,omitempty"`
	ClaimID    string    `json:"claim_id,omitempty"` // the corrected claim of a resolution
}

// DenialQueueStat is the state of one work queue: its unresolved denials and their ages.
type DenialQueueStat struct {
	Queue    string `json:"queue"`
	Open     int    `json:"open"`     // status open
	Assigned int    `json:"assigned"` // status assigned
	// OldestAt and MedianAt are the creation times of the oldest and the median unresolved
	// (open or assigned) denial; nil when there is none.
	OldestAt *time.Time `json:"oldest_at,omitempty"`
	MedianAt *time.Time `json:"median_at,omitempty"`
}

// PaymentRef names one stored claim payment (a CLP loop).
type PaymentRef struct {
	RemittanceID int64
	Seq          int
}

// CorrectionLink is a replacement or void claim whose original is not yet marked replaced or
// voided.
type CorrectionLink struct {
	Correction Claim // the frequency-7 or -8 claim (without its encounter)
	Original   Claim // the claim it corrects (without its encounter)
}

// DenialTx is the denial method group of Tx (gateway/denials writes it; the API reads it).
type DenialTx interface {
	// CreateDenial stores a denial (Status open unless given). A denial with the same
	// (Source, SourceRef) exists already: it is returned with created=false and nothing is
	// written. An unknown claim is ErrInvalid.
	CreateDenial(ctx context.Context, d Denial) (out Denial, created bool, err error)
	// GetDenial returns a denial; with submitterID != 0 another submitter's is ErrNotFound.
	GetDenial(ctx context.Context, id int64, submitterID int64) (Denial, error)
	// ListDenials returns one page of denials, newest first.
	ListDenials(ctx context.Context, f DenialFilter) (DenialPage, error)
	// AssignDenial gives an unresolved denial to assignee (status assigned); an empty assignee
	// puts it back to open. A resolved denial is ErrConflict.
	AssignDenial(ctx context.Context, a DenialAssign) (Denial, error)
	// DenialHistory returns the steps of the work on a denial, oldest first; with
	// submitterID != 0, another submitter's denial is ErrNotFound.
	DenialHistory(ctx context.Context, id, submitterID int64) ([]DenialEvent, error)
	// ResolveDenial resolves an unresolved denial (a resolved one is ErrConflict). A denial
	// made from a rejection work item resolves that item too.
	ResolveDenial(ctx context.Context, r DenialResolve) (Denial, error)
	// DenialQueueStats returns, per queue with unresolved denials, the counts and ages; with
	// submitterID != 0 only that submitter's denials.
	DenialQueueStats(ctx context.Context, submitterID int64) ([]DenialQueueStat, error)
	// UnroutedClaimPayments returns up to limit claim payments matched to a claim (when posted,
	// or by hand later) that denial routing has not looked at yet, oldest first. The store
	// keeps them in a queue filled whichever code path writes claim_payments, so the cost is
	// what is new. A payment that is gone or unmatched again may be listed: routing skips it.
	UnroutedClaimPayments(ctx context.Context, limit int) ([]PaymentRef, error)
	// UnroutedRejections returns up to limit rejection work items denial routing has not looked
	// at yet, oldest first.
	UnroutedRejections(ctx context.Context, limit int) ([]Rejection, error)
	// MarkPaymentsRouted and MarkRejectionsRouted take rows off the routing queue (rows not on
	// it are ignored); call them in the transaction that stores the rows' denials.
	MarkPaymentsRouted(ctx context.Context, refs []PaymentRef) error
	MarkRejectionsRouted(ctx context.Context, ids []int64) error
	// PendingCorrectionLinks returns up to limit corrections (claims with ReplacesClaimID) the
	// payer has accepted (a status in accepted) whose original is neither replaced nor voided.
	PendingCorrectionLinks(ctx context.Context, accepted []ClaimStatus, limit int) ([]CorrectionLink, error)
	// ClaimCorrections returns the claims that replace or void a claim, oldest first.
	ClaimCorrections(ctx context.Context, claimID string) ([]Claim, error)
}
