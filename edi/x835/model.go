package x835

import "github.com/claimgate/claimgate/edi"

// Remittance is one 835 transaction set (ST..SE): one payment (check, EFT or non-payment) with
// the claims it pays and the provider-level adjustments taken from it.
type Remittance struct {
	// Type is always "835", so a Remittance marshals as the "transactions" entry of
	// `claimgate edi parse`.
	Type string `json:"type"`
	// ControlNumber is ST02.
	ControlNumber string `json:"control_number"`
	// Version is the implementation guide (ST03, or GS08 when ST03 is absent).
	Version string `json:"version,omitempty"`

	Payment Payment `json:"payment"`
	Trace   *Trace  `json:"trace,omitempty"`
	// Currency is CUR02 when the payer sends a CUR segment.
	Currency string `json:"currency,omitempty"`
	// ReceiverID is REF*EV (the receiver's identifier).
	ReceiverID string `json:"receiver_id,omitempty"`
	// VersionID is REF*F2 (the payer's adjudication system version).
	VersionID string `json:"version_id,omitempty"`
	// References holds any other header REF segment.
	References []Reference `json:"references,omitempty"`
	// ProductionDate is DTM*405 (CCYYMMDD).
	ProductionDate string `json:"production_date,omitempty"`

	Payer Party `json:"payer"`
	Payee Party `json:"payee"`

	// Headers are the LX header-number loops (2000) with their provider summaries. Claims name
	// the header they belong to with HeaderNumber.
	Headers []Header `json:"headers,omitempty"`
	// Claims are the claim payments (2100) in file order. When the claims are streamed with
	// Reader.NextClaim they are handed to the caller instead and Claims stays empty.
	Claims []*ClaimPayment `json:"claims"`
	// ProviderAdjustments are the PLB segments.
	ProviderAdjustments []ProviderAdjustment `json:"provider_adjustments,omitempty"`

	Totals Totals `json:"totals"`

	// Interchange and Group are the envelopes the set was read in (nil without envelope).
	Interchange *edi.Interchange `json:"-"`
	Group       *edi.Group       `json:"-"`
	// Offset and SegmentIndex locate the ST segment in the input.
	Offset       int64 `json:"-"`
	SegmentIndex int   `json:"-"`
}

// Payment is the BPR segment: the money movement the remittance explains.
type Payment struct {
	// HandlingCode is BPR01: C (payment with remittance), D (payment only), H (notification
	// only), I (remittance only), P (prenotification), U (split payment and remittance), X.
	HandlingCode string `json:"handling_code"`
	// Amount is BPR02 as sent (never negated); see Signed.
	Amount edi.Amount `json:"amount"`
	// CreditDebit is BPR03: C credit, D debit.
	CreditDebit string `json:"credit_debit"`
	// Method is BPR04: ACH, BOP, CHK, FWT, NON.
	Method string `json:"method,omitempty"`
	// Format is BPR05: CCP, CTX.
	Format string `json:"format,omitempty"`

	SenderDFIQualifier       string `json:"sender_dfi_qualifier,omitempty"`       // BPR06
	SenderDFI                string `json:"sender_dfi,omitempty"`                 // BPR07
	SenderAccountQualifier   string `json:"sender_account_qualifier,omitempty"`   // BPR08
	SenderAccount            string `json:"sender_account,omitempty"`             // BPR09
	OriginatorID             string `json:"originator_id,omitempty"`              // BPR10
	OriginatorSupplemental   string `json:"originator_supplemental,omitempty"`    // BPR11
	ReceiverDFIQualifier     string `json:"receiver_dfi_qualifier,omitempty"`     // BPR12
	ReceiverDFI              string `json:"receiver_dfi,omitempty"`               // BPR13
	ReceiverAccountQualifier string `json:"receiver_account_qualifier,omitempty"` // BPR14
	ReceiverAccount          string `json:"receiver_account,omitempty"`           // BPR15
	// EffectiveDate is BPR16, the check issue or EFT effective date (CCYYMMDD).
	EffectiveDate string `json:"effective_date,omitempty"`
}

// Signed returns BPR02 signed by BPR03: a debit (D) is money taken back, so it is negative.
func (p Payment) Signed() edi.Amount {
	if p.CreditDebit == "D" {
		return -p.Amount
	}
	return p.Amount
}

// Trace is the TRN segment: the check or EFT trace number that ties the remittance to the money.
type Trace struct {
	TypeCode string `json:"type_code"` // TRN01: 1 current transaction trace numbers
	// Number is TRN02: the check number or EFT trace number.
	Number string `json:"number"`
	// PayerID is TRN03, the originating company identifier (1 + payer TIN, or the payer's id).
	PayerID string `json:"payer_id,omitempty"`
	// PayerSupplemental is TRN04.
	PayerSupplemental string `json:"payer_supplemental,omitempty"`
}

// Party is an N1 loop: the payer (1000A, N1*PR) or the payee (1000B, N1*PE).
type Party struct {
	EntityCode  string      `json:"entity_code,omitempty"`  // N101: PR or PE
	Name        string      `json:"name,omitempty"`         // N102
	IDQualifier string      `json:"id_qualifier,omitempty"` // N103: XX (NPI), FI (tax id), XV, PI
	ID          string      `json:"id,omitempty"`           // N104
	Address     *Address    `json:"address,omitempty"`
	References  []Reference `json:"references,omitempty"`
	Contacts    []Contact   `json:"contacts,omitempty"`
	// DeliveryMethod is the payee's RDM segment.
	DeliveryMethod *DeliveryMethod `json:"delivery_method,omitempty"`
}

// Address is an N3/N4 pair.
type Address struct {
	Line1              string `json:"line1,omitempty"`
	Line2              string `json:"line2,omitempty"`
	City               string `json:"city,omitempty"`
	State              string `json:"state,omitempty"`
	PostalCode         string `json:"postal_code,omitempty"`
	Country            string `json:"country,omitempty"`
	CountrySubdivision string `json:"country_subdivision,omitempty"`
}

// Reference is a REF segment: qualifier (REF01) and value (REF02).
type Reference struct {
	Qualifier   string `json:"qualifier"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"` // REF03
}

// Contact is a PER segment.
type Contact struct {
	// Function is PER01: CX (payer claim office), BL (technical), IC (information contact).
	Function       string          `json:"function"`
	Name           string          `json:"name,omitempty"`
	Communications []Communication `json:"communications,omitempty"`
}

// Communication is one qualifier/number pair of a PER segment (TE, EM, FX, UR, EX).
type Communication struct {
	Qualifier string `json:"qualifier"`
	Number    string `json:"number"`
}

// DeliveryMethod is the RDM segment: how a separate remittance is delivered.
type DeliveryMethod struct {
	Code          string `json:"code"`
	Name          string `json:"name,omitempty"`
	Communication string `json:"communication,omitempty"`
}

// Header is an LX loop (2000): a header number with the optional provider summaries.
type Header struct {
	Number       string               `json:"number"`
	Summary      *ProviderSummary     `json:"summary,omitempty"`
	Supplemental *SupplementalSummary `json:"supplemental,omitempty"`
}

// ProviderSummary is TS3 (institutional provider summary).
type ProviderSummary struct {
	ProviderID       string     `json:"provider_id"`        // TS301
	FacilityCode     string     `json:"facility_code"`      // TS302
	FiscalPeriodDate string     `json:"fiscal_period_date"` // TS303
	ClaimCount       string     `json:"claim_count"`        // TS304
	TotalCharge      edi.Amount `json:"total_charge"`       // TS305
	// Amounts holds the optional TS3 amounts by element reference (TS313, TS315, TS317,
	// TS318, TS320, TS321, TS322, TS324) and TS323 (PIP claim count) as sent.
	Amounts []ElementAmount `json:"amounts,omitempty"`
}

// SupplementalSummary is TS2 (Medicare Part A provider summary): every present element by its
// element reference (TS201 ... TS219), amounts and counts as sent.
type SupplementalSummary struct {
	Values []ElementValue `json:"values"`
}

// ElementAmount is an amount named by its element reference (e.g. "TS313").
type ElementAmount struct {
	Element string     `json:"element"`
	Amount  edi.Amount `json:"amount"`
}

// ElementValue is a value named by its element reference (e.g. "TS207"), kept as sent.
type ElementValue struct {
	Element string `json:"element"`
	Value   string `json:"value"`
}

// ClaimPayment is one CLP loop (2100) with its service lines (2110).
type ClaimPayment struct {
	// HeaderNumber is LX01 of the header loop the claim belongs to ("" when the file has none).
	HeaderNumber string `json:"header_number,omitempty"`

	PatientControlNumber string `json:"patient_control_number"` // CLP01
	// Status is CLP02: 1 processed as primary, 2 secondary, 3 tertiary, 4 denied, 19/20/21
	// processed and forwarded, 22 reversal of previous payment, 23 not our claim, 25 predetermination.
	Status                string     `json:"status"`
	Charge                edi.Amount `json:"charge"`                       // CLP03
	Paid                  edi.Amount `json:"paid"`                         // CLP04
	PatientResponsibility edi.Amount `json:"patient_responsibility"`       // CLP05
	FilingIndicator       string     `json:"filing_indicator,omitempty"`   // CLP06
	PayerClaimNumber      string     `json:"payer_claim_number,omitempty"` // CLP07
	FacilityType          string     `json:"facility_type,omitempty"`      // CLP08
	Frequency             string     `json:"frequency,omitempty"`          // CLP09
	DRG                   string     `json:"drg,omitempty"`                // CLP11
	DRGWeight             string     `json:"drg_weight,omitempty"`         // CLP12
	DischargeFraction     string     `json:"discharge_fraction,omitempty"` // CLP13

	Adjustments []Adjustment `json:"adjustments,omitempty"` // claim-level CAS

	Patient                *Name `json:"patient,omitempty"`                  // NM1*QC
	Insured                *Name `json:"insured,omitempty"`                  // NM1*IL
	Corrected              *Name `json:"corrected,omitempty"`                // NM1*74
	ServiceProvider        *Name `json:"service_provider,omitempty"`         // NM1*82
	CrossoverCarrier       *Name `json:"crossover_carrier,omitempty"`        // NM1*TT
	CorrectedPriorityPayer *Name `json:"corrected_priority_payer,omitempty"` // NM1*PR
	OtherSubscriber        *Name `json:"other_subscriber,omitempty"`         // NM1*GB

	Inpatient  *InpatientAdjudication  `json:"inpatient,omitempty"`  // MIA
	Outpatient *OutpatientAdjudication `json:"outpatient,omitempty"` // MOA

	References []Reference       `json:"references,omitempty"`
	Dates      []Date            `json:"dates,omitempty"`
	Contacts   []Contact         `json:"contacts,omitempty"`
	Amounts    []QualifiedAmount `json:"amounts,omitempty"`
	Quantities []Quantity        `json:"quantities,omitempty"`

	Lines []ServiceLine `json:"lines,omitempty"`

	// Offset, SegmentIndex and Line locate the CLP segment in the input.
	Offset       int64 `json:"-"`
	SegmentIndex int   `json:"-"`
	Line         int   `json:"-"`
}

// IsReversal reports whether the claim reverses a previous payment (CLP02 = 22). Its amounts
// are the negation of the payment it takes back.
func (c *ClaimPayment) IsReversal() bool { return c.Status == "22" }

// IsForwarded reports whether the payer processed the claim and forwarded it to another payer
// (CLP02 19, 20 or 21, a crossover).
func (c *ClaimPayment) IsForwarded() bool {
	return c.Status == "19" || c.Status == "20" || c.Status == "21"
}

// AdjustmentTotal returns the sum of the claim-level and every line-level CAS amount: what
// CLP03 - CLP04 must equal.
func (c *ClaimPayment) AdjustmentTotal() edi.Amount {
	sum := sumAdjustments(c.Adjustments)
	for i := range c.Lines {
		sum += sumAdjustments(c.Lines[i].Adjustments)
	}
	return sum
}

// Adjustment is one CAS triplet: group, reason (CARC) and amount, with the optional quantity.
type Adjustment struct {
	// Group is CAS01: CO contractual, OA other, PI payer initiated, PR patient
	// responsibility, CR correction/reversal (4010).
	Group    string     `json:"group"`
	Reason   string     `json:"reason"` // CARC
	Amount   edi.Amount `json:"amount"`
	Quantity string     `json:"quantity,omitempty"`
}

func sumAdjustments(as []Adjustment) edi.Amount {
	var s edi.Amount
	for _, a := range as {
		s += a.Amount
	}
	return s
}

// Name is an NM1 segment.
type Name struct {
	EntityCode  string `json:"entity_code"` // NM101
	EntityType  string `json:"entity_type"` // NM102: 1 person, 2 non-person
	LastName    string `json:"last_name,omitempty"`
	FirstName   string `json:"first_name,omitempty"`
	MiddleName  string `json:"middle_name,omitempty"`
	Suffix      string `json:"suffix,omitempty"`
	IDQualifier string `json:"id_qualifier,omitempty"` // NM108: MI, XX, FI, PI, XV, C, HN, ...
	ID          string `json:"id,omitempty"`           // NM109
}

// InpatientAdjudication is the MIA segment.
type InpatientAdjudication struct {
	CoveredDays             string     `json:"covered_days,omitempty"`              // MIA01
	PPSOperatingOutlier     edi.Amount `json:"pps_operating_outlier,omitempty"`     // MIA02
	LifetimePsychiatricDays string     `json:"lifetime_psychiatric_days,omitempty"` // MIA03
	DRGAmount               edi.Amount `json:"drg_amount,omitempty"`                // MIA04
	// Amounts holds the other MIA amounts by element reference (MIA06 ... MIA24).
	Amounts []ElementAmount `json:"amounts,omitempty"`
	// CostReportDays is MIA15.
	CostReportDays string `json:"cost_report_days,omitempty"`
	// RemarkCodes are MIA05 and MIA20..MIA23 (RARCs).
	RemarkCodes []string `json:"remark_codes,omitempty"`
}

// OutpatientAdjudication is the MOA segment.
type OutpatientAdjudication struct {
	ReimbursementRate string     `json:"reimbursement_rate,omitempty"` // MOA01 (percentage)
	HCPCSPayable      edi.Amount `json:"hcpcs_payable,omitempty"`      // MOA02
	// RemarkCodes are MOA03..MOA07 (RARCs).
	RemarkCodes                     []string   `json:"remark_codes,omitempty"`
	ESRDPayment                     edi.Amount `json:"esrd_payment,omitempty"`                      // MOA08
	NonpayableProfessionalComponent edi.Amount `json:"nonpayable_professional_component,omitempty"` // MOA09
}

// Date is a DTM segment: qualifier (232/233 statement period, 036 coverage expiration,
// 050 received, 472 service, 150/151 service period) and date.
type Date struct {
	Qualifier string `json:"qualifier"`
	Date      string `json:"date"`
}

// QualifiedAmount is an AMT segment (AU, D8, DY, F5, I, NL, T, T2, ZK..ZO at claim level;
// B6 allowed, KH, T, T2, ZK..ZO at line level).
type QualifiedAmount struct {
	Qualifier string     `json:"qualifier"`
	Amount    edi.Amount `json:"amount"`
}

// Quantity is a QTY segment; the quantity is kept as sent (it may have decimals).
type Quantity struct {
	Qualifier string `json:"qualifier"`
	Quantity  string `json:"quantity"`
}

// ServiceLine is one SVC loop (2110).
type ServiceLine struct {
	Procedure Procedure  `json:"procedure"` // SVC01
	Charge    edi.Amount `json:"charge"`    // SVC02
	Paid      edi.Amount `json:"paid"`      // SVC03
	// RevenueCode is SVC04 (institutional).
	RevenueCode string `json:"revenue_code,omitempty"`
	// Units is SVC05, the paid units (default 1 when absent), as sent.
	Units string `json:"units,omitempty"`
	// OriginalProcedure is SVC06, the procedure as submitted when the payer changed it.
	OriginalProcedure *Procedure `json:"original_procedure,omitempty"`
	// OriginalUnits is SVC07, the units as submitted.
	OriginalUnits string `json:"original_units,omitempty"`

	Dates       []Date       `json:"dates,omitempty"`
	Adjustments []Adjustment `json:"adjustments,omitempty"`
	// ControlNumber is REF*6R, the line item control number echoed from the claim (2400 REF*6R).
	ControlNumber string            `json:"control_number,omitempty"`
	References    []Reference       `json:"references,omitempty"`
	Amounts       []QualifiedAmount `json:"amounts,omitempty"`
	Quantities    []Quantity        `json:"quantities,omitempty"`
	// Remarks are the LQ segments (HE: RARC, RX: NCPDP reject code).
	Remarks []Remark `json:"remarks,omitempty"`

	Offset       int64 `json:"-"`
	SegmentIndex int   `json:"-"`
	Line         int   `json:"-"`
}

// Allowed returns the AMT*B6 allowed amount and whether the line has one.
func (l *ServiceLine) Allowed() (edi.Amount, bool) {
	for _, a := range l.Amounts {
		if a.Qualifier == "B6" {
			return a.Amount, true
		}
	}
	return 0, false
}

// Procedure is the composite medical procedure identifier (C003) of SVC01 and SVC06.
type Procedure struct {
	// Qualifier: HC (CPT/HCPCS), AD (ADA), ER, WK, N4 (NDC), NU (revenue code), HP, IV, ZZ.
	Qualifier   string   `json:"qualifier"`
	Code        string   `json:"code"`
	Modifiers   []string `json:"modifiers,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Remark is an LQ segment: qualifier (HE remark code, RX NCPDP reject code) and code.
type Remark struct {
	Qualifier string `json:"qualifier"`
	Code      string `json:"code"`
}

// ProviderAdjustment is one PLB segment: up to six adjustments to the provider's payment that
// are not tied to a claim (interest, recoupments, withholds, ...).
type ProviderAdjustment struct {
	ProviderID       string `json:"provider_id"`        // PLB01
	FiscalPeriodDate string `json:"fiscal_period_date"` // PLB02
	// Adjustments are PLB03/04 ... PLB13/14.
	Adjustments []ProviderAdjustmentItem `json:"adjustments"`

	Offset       int64 `json:"-"`
	SegmentIndex int   `json:"-"`
	Line         int   `json:"-"`
}

// Total returns the sum of the segment's adjustment amounts.
func (p *ProviderAdjustment) Total() edi.Amount {
	var s edi.Amount
	for _, a := range p.Adjustments {
		s += a.Amount
	}
	return s
}

// ProviderAdjustmentItem is one reason/amount pair of a PLB segment. A positive amount reduces
// the payment (a withhold or recoupment, e.g. WO), a negative one increases it (e.g. L6 interest).
type ProviderAdjustmentItem struct {
	// Reason is the adjustment reason code (PLB03-1): WO overpayment recovery, L6 interest,
	// FB forwarding balance, CS adjustment, 72 authorized return, 50 late charge, J1, ...
	Reason string `json:"reason"`
	// Reference is PLB03-2, the reference the adjustment is about (often the payer claim
	// number of the claim being recouped).
	Reference string     `json:"reference,omitempty"`
	Amount    edi.Amount `json:"amount"`
}
