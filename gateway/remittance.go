package gateway

import (
	"context"
	"time"

	"github.com/claimgate/claimgate/edi"
)

// Remittances: what 835 files paid. One Remittance per 835 transaction set (one check, EFT or
// non-payment), its claim payments (CLP loops) with their service lines (SVC loops), the CAS
// adjustments and remark codes of both, and the provider-level adjustments (PLB). Posting is
// done by gateway/remit; this file holds the stored shapes and the store's method group.

// MatchMethod says how a claim payment was tied to one of our claims.
type MatchMethod string

// Match methods. MatchNone: the payment is on the unmatched list.
const (
	MatchNone             MatchMethod = ""
	MatchPCN              MatchMethod = "pcn"                // CLP01, the patient control number, is our claim id
	MatchPayerClaimNumber MatchMethod = "payer_claim_number" // CLP07 equals the payer claim number we recorded
	MatchManual           MatchMethod = "manual"             // a person matched it (POST .../match)
)

// Line match methods (LinePayment.MatchedBy).
const (
	LineMatchControlNumber = "line_control_number" // REF*6R echoed our line item control number
	LineMatchProcedureDate = "procedure_date"      // same procedure code and service date
)

// Remittance is one stored payment: an 835 transaction set.
type Remittance struct {
	ID     int64 `json:"id"`
	FileID int64 `json:"file_id"`
	// PayerID is our payer id (the file's payer).
	PayerID string `json:"payer_id"`
	// PayerName is N1*PR N102; PayerIdentifier is TRN03 (the originating company id).
	PayerName       string `json:"payer_name,omitempty"`
	PayerIdentifier string `json:"payer_identifier,omitempty"`
	// TraceNumber is TRN02, the check or EFT trace number. (PayerID, TraceNumber) identifies a
	// payment: a second remittance with both is a duplicate.
	TraceNumber   string `json:"trace_number"`
	ControlNumber string `json:"control_number"` // ST02
	HandlingCode  string `json:"handling_code"`  // BPR01
	// Amount is BPR02 signed by BPR03: a debit (D) is negative.
	Amount      edi.Amount `json:"amount"`
	CreditDebit string     `json:"credit_debit"`     // BPR03
	Method      string     `json:"method,omitempty"` // BPR04: ACH, CHK, NON, BOP, FWT
	// EffectiveDate is BPR16 as YYYY-MM-DD ("" when the payer sent none or an invalid one).
	EffectiveDate string `json:"effective_date,omitempty"`
	// Balanced is false when BPR02 != sum CLP04 - sum PLB or any claim or line does not balance;
	// Problems then lists every difference, positioned (no PHI: amounts and positions only).
	Balanced bool     `json:"balanced"`
	Problems []string `json:"problems,omitempty"`
	// DuplicateOf is the remittance this one repeats (same payer and trace number, another
	// file); a duplicate stores no claim payments and moves no claim.
	DuplicateOf *int64 `json:"duplicate_of,omitempty"`

	ClaimCount     int        `json:"claim_count"`
	MatchedCount   int        `json:"matched_count"`
	UnmatchedCount int        `json:"unmatched_count"`
	ReversalCount  int        `json:"reversal_count"`
	Charged        edi.Amount `json:"charged"`              // sum CLP03
	Paid           edi.Amount `json:"paid"`                 // sum CLP04
	ProviderTotal  edi.Amount `json:"provider_adjustments"` // sum of PLB amounts
	CreatedAt      time.Time  `json:"created_at"`
}

// ClaimPayment is one stored CLP loop.
type ClaimPayment struct {
	RemittanceID int64 `json:"remittance_id"`
	Seq          int   `json:"seq"` // 1-based position in the remittance
	// ClaimID is our claim, "" while unmatched. SubmitterID is its submitter (0 unmatched).
	ClaimID     string      `json:"claim_id,omitempty"`
	SubmitterID int64       `json:"-"`
	MatchedBy   MatchMethod `json:"matched_by,omitempty"`

	PatientControlNumber  string     `json:"patient_control_number"` // CLP01
	StatusCode            string     `json:"status_code"`            // CLP02
	Reversal              bool       `json:"reversal"`               // CLP02 = 22
	Charge                edi.Amount `json:"charge"`                 // CLP03
	Paid                  edi.Amount `json:"paid"`                   // CLP04
	PatientResponsibility edi.Amount `json:"patient_responsibility"` // CLP05
	FilingIndicator       string     `json:"filing_indicator,omitempty"`
	PayerClaimNumber      string     `json:"payer_claim_number,omitempty"` // CLP07
	FacilityType          string     `json:"facility_type,omitempty"`
	Frequency             string     `json:"frequency,omitempty"`
	// PatientName, MemberID and ServiceDate are what a person needs to match an unmatched
	// payment by hand (NM1*QC, NM1*QC/IL NM109, the first service date).
	PatientName string `json:"patient_name,omitempty"`
	MemberID    string `json:"member_id,omitempty"`
	ServiceDate string `json:"service_date,omitempty"`
	// CrossoverPayer is NM1*TT N103 (the payer the claim was forwarded to).
	CrossoverPayer string `json:"crossover_payer,omitempty"`
	// Result is the status the payment moves the claim to ("" when it moves none); Note says
	// why a payment matched nothing or moved no claim.
	Result ClaimStatus `json:"result,omitempty"`
	Note   string      `json:"note,omitempty"`

	Adjustments []RemitAdjustment `json:"adjustments"` // claim level (LineSeq 0)
	Remarks     []RemitRemark     `json:"remarks"`     // claim level (MOA, MIA)
	Lines       []LinePayment     `json:"lines"`
}

// LinePayment is one stored SVC loop.
type LinePayment struct {
	Seq int `json:"seq"` // 1-based position in the claim payment
	// LineNumber is our service line (1-based), 0 when unmatched; MatchedBy says how.
	LineNumber         int        `json:"line_number,omitempty"`
	MatchedBy          string     `json:"matched_by,omitempty"`
	ControlNumber      string     `json:"control_number,omitempty"` // REF*6R
	ProcedureQualifier string     `json:"procedure_qualifier"`
	Procedure          string     `json:"procedure"`
	Modifiers          []string   `json:"modifiers,omitempty"`
	RevenueCode        string     `json:"revenue_code,omitempty"`
	Charge             edi.Amount `json:"charge"`  // SVC02
	Paid               edi.Amount `json:"paid"`    // SVC03
	Allowed            edi.Amount `json:"allowed"` // AMT*B6, 0 when absent
	Units              string     `json:"units,omitempty"`
	ServiceDate        string     `json:"service_date,omitempty"`     // YYYY-MM-DD
	ServiceDateEnd     string     `json:"service_date_end,omitempty"` // YYYY-MM-DD

	Adjustments []RemitAdjustment `json:"adjustments"`
	Remarks     []RemitRemark     `json:"remarks"` // LQ*HE
}

// RemitAdjustment is one CAS triplet.
type RemitAdjustment struct {
	Group    string     `json:"group"`  // CO, OA, PI, PR, CR
	Reason   string     `json:"reason"` // CARC
	Amount   edi.Amount `json:"amount"`
	Quantity string     `json:"quantity,omitempty"`
}

// RemitRemark is one remark code (RARC) with the segment it came from (LQ, MOA, MIA).
type RemitRemark struct {
	Source string `json:"source"`
	Code   string `json:"code"`
}

// ProviderAdjustment is one PLB adjustment (one reason/amount pair of a PLB segment). A
// positive amount reduces the payment (WO recoupment), a negative one adds to it (L6 interest).
type ProviderAdjustment struct {
	Seq              int        `json:"seq"`
	ProviderID       string     `json:"provider_id"`        // PLB01
	FiscalPeriodDate string     `json:"fiscal_period_date"` // PLB02, YYYY-MM-DD when valid
	Reason           string     `json:"reason"`             // PLB03-1
	Reference        string     `json:"reference,omitempty"`
	Amount           edi.Amount `json:"amount"`
}

// ClaimMove is one claim transition done in bulk by ApplyClaimMoves.
type ClaimMove struct {
	ClaimID          string
	From, To         ClaimStatus
	PayerClaimNumber string // recorded on the claim when not empty
	Event            EventInput
}

// LineMatch ties a stored line payment to our service line.
type LineMatch struct {
	Seq        int
	LineNumber int
	MatchedBy  string
}

// ManualMatch is a person's match of an unmatched claim payment.
type ManualMatch struct {
	RemittanceID int64
	Seq          int
	ClaimID      string
	SubmitterID  int64
	Result       ClaimStatus
	Note         string
	Lines        []LineMatch
}

// RemittanceFilter selects remittances for ListRemittances. Zero fields do not filter.
type RemittanceFilter struct {
	PayerID string
	// From and To bound the effective date (YYYY-MM-DD, inclusive; the creation date when the
	// payer sent no BPR16).
	From, To string
	// SubmitterID keeps only remittances that pay at least one of the submitter's claims.
	SubmitterID int64
	BeforeID    int64 // page: remittances with ID < BeforeID
	Limit       int   // default 50, at most 1000
}

// ReconciliationFilter selects what a reconciliation adds up: remittances (never duplicates)
// by effective date and payer; with SubmitterID only that submitter's matched claims.
type ReconciliationFilter struct {
	From, To    string // YYYY-MM-DD inclusive; "" is open
	PayerID     string
	SubmitterID int64
}

// PayerClaimTotals are the CLP sums of one payer's claim payments.
type PayerClaimTotals struct {
	PayerID               string
	Claims                int
	Charged               edi.Amount
	Paid                  edi.Amount
	PatientResponsibility edi.Amount
}

// PayerPaymentTotals are the BPR sums of one payer's remittances.
type PayerPaymentTotals struct {
	PayerID     string
	Remittances int
	Amount      edi.Amount // sum of signed BPR02
}

// CodeTotal is a sum per payer and code: CAS group + CARC, or PLB reason (Group "").
type CodeTotal struct {
	PayerID string
	Group   string
	Code    string
	Amount  edi.Amount
}

// OpenClaim is a claim still owed money: for A/R aging.
type OpenClaim struct {
	ClaimID string
	PayerID string
	Status  ClaimStatus
	// SubmittedAt is when the claim first reached the payer (its first submitted event; the
	// creation time when it has none): the start of its age.
	SubmittedAt time.Time
	Charge      edi.Amount
	Paid        edi.Amount // net of everything posted to it
}

// ReconciliationData are the raw sums a reconciliation report is computed from.
type ReconciliationData struct {
	Claims      []PayerClaimTotals
	Payments    []PayerPaymentTotals // empty for a submitter: payments are payer level
	Adjustments []CodeTotal          // CAS, claim and line level
	Provider    []CodeTotal          // PLB by reason; empty for a submitter
	Open        []OpenClaim
}

// OpenStatuses are the statuses of claims the payer still owes an answer or money for: the
// A/R of aging reports.
var OpenStatuses = []ClaimStatus{StatusSubmitted, StatusAccepted999, StatusAccepted277, StatusPended, StatusDenied, StatusReversed}

// RemitTx is the remittance method group of Tx (gateway/remit posts through it).
type RemitTx interface {
	// CreateRemittance stores a payment row (ID and CreatedAt assigned). A second
	// non-duplicate remittance with the same PayerID and non-empty TraceNumber is ErrConflict.
	CreateRemittance(ctx context.Context, r Remittance) (Remittance, error)
	// FinishRemittance records the counts, sums, Balanced and Problems of r (by r.ID).
	FinishRemittance(ctx context.Context, r Remittance) error
	// GetRemittance returns one remittance.
	GetRemittance(ctx context.Context, id int64) (Remittance, error)
	// RemittanceByTrace returns the non-duplicate remittance of a payer with a trace number.
	RemittanceByTrace(ctx context.Context, payerID, trace string) (Remittance, error)
	// RemittancesByFile returns a file's remittances in file order.
	RemittancesByFile(ctx context.Context, fileID int64) ([]Remittance, error)
	// ListRemittances returns remittances newest first.
	ListRemittances(ctx context.Context, f RemittanceFilter) ([]Remittance, error)
	// AddClaimPayments stores claim payments of a remittance with their lines, adjustments and
	// remarks, in bulk (COPY on Postgres).
	AddClaimPayments(ctx context.Context, remittanceID int64, cps []ClaimPayment) error
	// AddProviderAdjustments stores PLB adjustments of a remittance.
	AddProviderAdjustments(ctx context.Context, remittanceID int64, pas []ProviderAdjustment) error
	// ClaimPayments returns a remittance's claim payments in order, complete; with
	// submitterID != 0 only those matched to that submitter's claims.
	ClaimPayments(ctx context.Context, remittanceID int64, submitterID int64) ([]ClaimPayment, error)
	// ClaimPaymentsInRange returns a remittance's claim payments with fromSeq <= seq <= toSeq,
	// in order, complete (a page of a large remittance).
	ClaimPaymentsInRange(ctx context.Context, remittanceID int64, fromSeq, toSeq int) ([]ClaimPayment, error)
	// UnmatchedClaimPayments returns a remittance's claim payments matched to no claim, in
	// order, complete: the ones waiting for a match by hand.
	UnmatchedClaimPayments(ctx context.Context, remittanceID int64) ([]ClaimPayment, error)
	// ClaimPaymentsForClaim returns every payment posted to a claim, oldest first, complete.
	ClaimPaymentsForClaim(ctx context.Context, claimID string) ([]ClaimPayment, error)
	// ProviderAdjustments returns a remittance's PLB adjustments in order.
	ProviderAdjustments(ctx context.Context, remittanceID int64) ([]ProviderAdjustment, error)
	// ClaimsByIDs returns the claims with the given ids (normalised), without their encounters
	// (Encounter is nil; see ClaimEncounters), in no particular order; unknown ids are left out.
	ClaimsByIDs(ctx context.Context, ids []string) ([]Claim, error)
	// ClaimsByPayerClaimNumber returns a payer's claims whose payer claim number is one of
	// numbers, without their encounters.
	ClaimsByPayerClaimNumber(ctx context.Context, payerID string, numbers []string) ([]Claim, error)
	// ClaimEncounters returns the encounter JSON of the claims with the given ids, by
	// (normalised) claim id; unknown ids are left out.
	ClaimEncounters(ctx context.Context, ids []string) (map[string][]byte, error)
	// ApplyClaimMoves moves claims in bulk, one event each. Every move must start from the
	// claim's current status and be allowed by CanTransition; a claim may appear once. If any
	// claim is not where the move says (a concurrent change), it is ErrConflict.
	ApplyClaimMoves(ctx context.Context, moves []ClaimMove) error
	// MatchClaimPayment ties an unmatched claim payment to a claim (ErrConflict when it is
	// matched already, ErrNotFound when it does not exist).
	MatchClaimPayment(ctx context.Context, m ManualMatch) error
	// ReconciliationData returns the sums a reconciliation is computed from.
	ReconciliationData(ctx context.Context, f ReconciliationFilter) (ReconciliationData, error)
}
