package remit

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
)

// Reconciliation is the finance report of a period.
type Reconciliation struct {
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	AsOf  string `json:"as_of"` // the aging date: To, or today
	Payer string `json:"payer,omitempty"`
	// Payers holds one entry per payer with remittances in the period or open claims.
	Payers []PayerReconciliation `json:"payers"`
}

// PayerReconciliation are one payer's figures.
type PayerReconciliation struct {
	PayerID string `json:"payer_id"`
	// Remittances and Payments (sum of BPR02 signed) are payment level: absent for a submitter.
	Remittances *int        `json:"remittances,omitempty"`
	Payments    *edi.Amount `json:"payments,omitempty"`

	ClaimPayments         int        `json:"claim_payments"`
	Billed                edi.Amount `json:"billed"`                 // sum CLP03
	Allowed               edi.Amount `json:"allowed"`                // paid + patient responsibility
	Paid                  edi.Amount `json:"paid"`                   // sum CLP04
	PatientResponsibility edi.Amount `json:"patient_responsibility"` // CAS of kind patient responsibility (PR)
	Contractual           edi.Amount `json:"contractual"`            // CAS of kind contractual
	Denied                edi.Amount `json:"denied"`                 // CAS of kind denial
	OtherAdjustments      edi.Amount `json:"other_adjustments"`      // CAS of kind informational
	// Unexplained is billed - paid - every adjustment: zero when every claim balances.
	Unexplained edi.Amount `json:"unexplained"`

	// ProviderAdjustments are the PLB amounts by reason code (operator only).
	ProviderAdjustments []ReasonAmount `json:"provider_adjustments,omitempty"`
	ProviderTotal       *edi.Amount    `json:"provider_adjustments_total,omitempty"`
	// Balanced is Payments == Paid - ProviderTotal (operator only).
	Balanced *bool `json:"balanced,omitempty"`

	Aging Aging `json:"aging"`
}

// ReasonAmount is an amount per reason code.
type ReasonAmount struct {
	Reason string     `json:"reason"`
	Label  string     `json:"label,omitempty"`
	Amount edi.Amount `json:"amount"`
}

// Aging is the A/R of open claims by age bucket (days since the claim reached the payer).
type Aging struct {
	Days0To30    AgingBucket `json:"0_30"`
	Days31To60   AgingBucket `json:"31_60"`
	Days61To90   AgingBucket `json:"61_90"`
	Days91To120  AgingBucket `json:"91_120"`
	Over120      AgingBucket `json:"120_plus"`
	TotalClaims  int         `json:"total_claims"`
	TotalBalance edi.Amount  `json:"total_balance"`
}

// AgingBucket is the count and balance of the open claims of one age bucket.
type AgingBucket struct {
	Claims  int        `json:"claims"`
	Balance edi.Amount `json:"balance"`
}

func (a *Aging) add(days int, balance edi.Amount) {
	var b *AgingBucket
	switch {
	case days <= 30:
		b = &a.Days0To30
	case days <= 60:
		b = &a.Days31To60
	case days <= 90:
		b = &a.Days61To90
	case days <= 120:
		b = &a.Days91To120
	default:
		b = &a.Over120
	}
	b.Claims++
	b.Balance += balance
	a.TotalClaims++
	a.TotalBalance += balance
}

// plbLabels describes the common PLB adjustment reason codes (PLB03-1).
var plbLabels = map[string]string{
	"50": "late charge", "51": "interest penalty charge", "72": "authorized return", "90": "early payment allowance",
	"AH": "origination fee", "AM": "applied to borrower's account", "AP": "acceleration of benefits",
	"B2": "rebate", "B3": "recovery allowance", "BD": "bad debt adjustment", "BN": "bonus", "C5": "temporary allowance",
	"CR": "capitation interest", "CS": "adjustment", "CT": "capitation payment", "CV": "capital passthru",
	"CW": "certified registered nurse anesthetist passthru", "DM": "direct medical education passthru",
	"E3": "withholding", "FB": "forwarding balance", "FC": "fund allocation", "GO": "graduate medical education passthru",
	"HM": "hemophilia clotting factor supplement", "IP": "incentive premium payment", "IR": "internal revenue service withholding",
	"IS": "interim settlement", "J1": "nonreimbursable", "L3": "penalty", "L6": "interest owed",
	"LE": "levy", "LS": "lump sum", "OA": "organ acquisition passthru", "OB": "offset for affiliated providers",
	"PI": "periodic interim payment", "PL": "payment final", "RA": "retro-activity adjustment",
	"RE": "return on equity", "SL": "student loan repayment", "TL": "third party liability", "WO": "overpayment recovery",
	"WU": "unspecified recovery",
}

// PLBLabel describes a PLB adjustment reason code ("" when unknown).
func PLBLabel(code string) string { return plbLabels[code] }

// Reconcile computes the reconciliation of a period. submitterID != 0 restricts it to that
// submitter's claims (no payment-level figures). asOf is the aging date when f.To is empty.
func (p *Poster) Reconcile(ctx context.Context, f gateway.ReconciliationFilter, asOf time.Time) (Reconciliation, error) {
	for _, d := range []string{f.From, f.To} {
		if d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return Reconciliation{}, fmt.Errorf("reconcile: %w: %q is not a YYYY-MM-DD date", gateway.ErrInvalid, d)
			}
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return Reconciliation{}, fmt.Errorf("reconcile: %w: from is after to", gateway.ErrInvalid)
	}
	data, err := p.store.ReconciliationData(ctx, f)
	if err != nil {
		return Reconciliation{}, fmt.Errorf("reconcile: %w", err)
	}
	day := asOf.UTC()
	if f.To != "" {
		day, _ = time.Parse(time.DateOnly, f.To)
		day = day.Add(24*time.Hour - time.Nanosecond)
	}
	rec := Reconciliation{From: f.From, To: f.To, AsOf: day.Format(time.DateOnly), Payer: f.PayerID}
	operator := f.SubmitterID == 0
	byPayer := map[string]*PayerReconciliation{}
	get := func(id string) *PayerReconciliation {
		pr := byPayer[id]
		if pr == nil {
			pr = &PayerReconciliation{PayerID: id}
			if operator {
				var n int
				var amt, plb edi.Amount
				pr.Remittances, pr.Payments, pr.ProviderTotal = &n, &amt, &plb
				pr.ProviderAdjustments = []ReasonAmount{}
			}
			byPayer[id] = pr
		}
		return pr
	}
	for _, c := range data.Claims {
		pr := get(c.PayerID)
		pr.ClaimPayments, pr.Billed, pr.Paid = c.Claims, c.Charged, c.Paid
	}
	for _, a := range data.Adjustments {
		pr := get(a.PayerID)
		switch p.codes.Classify(a.Group, a.Code, nil).Kind {
		case codes.KindPatient:
			pr.PatientResponsibility += a.Amount
		case codes.KindContractual:
			pr.Contractual += a.Amount
		case codes.KindDenial:
			pr.Denied += a.Amount
		default:
			pr.OtherAdjustments += a.Amount
		}
	}
	for _, pm := range data.Payments {
		pr := get(pm.PayerID)
		*pr.Remittances, *pr.Payments = pm.Remittances, pm.Amount
	}
	for _, pa := range data.Provider {
		pr := get(pa.PayerID)
		pr.ProviderAdjustments = append(pr.ProviderAdjustments, ReasonAmount{Reason: pa.Code, Label: PLBLabel(pa.Code), Amount: pa.Amount})
		*pr.ProviderTotal += pa.Amount
	}
	for _, o := range data.Open {
		bal := o.Charge - o.Paid
		if bal <= 0 {
			continue
		}
		days := int(day.Sub(o.SubmittedAt).Hours() / 24)
		if days < 0 {
			days = 0
		}
		get(o.PayerID).Aging.add(days, bal)
	}
	for _, pr := range byPayer {
		pr.Allowed = pr.Paid + pr.PatientResponsibility
		pr.Unexplained = pr.Billed - pr.Paid - pr.PatientResponsibility - pr.Contractual - pr.Denied - pr.OtherAdjustments
		if operator {
			b := *pr.Payments == pr.Paid-*pr.ProviderTotal
			pr.Balanced = &b
		}
		rec.Payers = append(rec.Payers, *pr)
	}
	sort.Slice(rec.Payers, func(i, j int) bool { return rec.Payers[i].PayerID < rec.Payers[j].PayerID })
	if rec.Payers == nil {
		rec.Payers = []PayerReconciliation{}
	}
	return rec, nil
}

// WriteCSV writes the reconciliation in long form, one figure per row:
// payer_id,figure,code,value. Figures: remittances, payments, claim_payments, billed, allowed,
// paid, patient_responsibility, contractual, denied, other_adjustments, unexplained,
// provider_adjustment (code = PLB reason), provider_adjustments_total, balanced, and
// aging_<bucket>_claims / aging_<bucket>_balance. Amounts are decimal strings.
func (r Reconciliation) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	rows := [][]string{{"payer_id", "figure", "code", "value"}}
	for _, p := range r.Payers {
		add := func(fig, code, v string) { rows = append(rows, []string{p.PayerID, fig, code, v}) }
		if p.Remittances != nil {
			add("remittances", "", strconv.Itoa(*p.Remittances))
			add("payments", "", p.Payments.String())
		}
		add("claim_payments", "", strconv.Itoa(p.ClaimPayments))
		add("billed", "", p.Billed.String())
		add("allowed", "", p.Allowed.String())
		add("paid", "", p.Paid.String())
		add("patient_responsibility", "", p.PatientResponsibility.String())
		add("contractual", "", p.Contractual.String())
		add("denied", "", p.Denied.String())
		add("other_adjustments", "", p.OtherAdjustments.String())
		add("unexplained", "", p.Unexplained.String())
		for _, pa := range p.ProviderAdjustments {
			add("provider_adjustment", pa.Reason, pa.Amount.String())
		}
		if p.ProviderTotal != nil {
			add("provider_adjustments_total", "", p.ProviderTotal.String())
		}
		if p.Balanced != nil {
			add("balanced", "", strconv.FormatBool(*p.Balanced))
		}
		for _, b := range []struct {
			name string
			b    AgingBucket
		}{{"0_30", p.Aging.Days0To30}, {"31_60", p.Aging.Days31To60}, {"61_90", p.Aging.Days61To90},
			{"91_120", p.Aging.Days91To120}, {"120_plus", p.Aging.Over120}} {
			add("aging_"+b.name+"_claims", "", strconv.Itoa(b.b.Claims))
			add("aging_"+b.name+"_balance", "", b.b.Balance.String())
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("reconciliation csv: %w", err)
	}
	return nil
}

// RemittanceCSVHeader are the columns of a remittance list as CSV (GET /v1/remittances?format=csv).
var RemittanceCSVHeader = []string{"id", "payer_id", "payer_name", "trace_number", "effective_date", "method",
	"credit_debit", "amount", "claim_count", "matched", "unmatched", "reversals", "charged", "paid",
	"provider_adjustments", "balanced", "duplicate_of", "file_id"}

// ClaimPaymentCSVHeader are the columns of WriteClaimPaymentsCSV: one row per service line
// payment (line_seq 0: the claim's own row, with its claim-level adjustments).
var ClaimPaymentCSVHeader = []string{"remittance_id", "claim_seq", "claim_id", "matched_by", "patient_control_number",
	"status_code", "payer_claim_number", "result", "line_seq", "line_number", "procedure", "service_date",
	"charge", "paid", "patient_responsibility", "allowed", "adjustments", "remarks"}

// WriteClaimPaymentsCSV writes claim and line payments (ClaimPaymentCSVHeader). Adjustments
// are written "GROUP-CARC:amount" separated by spaces, remarks by spaces.
func WriteClaimPaymentsCSV(w io.Writer, cps []gateway.ClaimPayment) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(ClaimPaymentCSVHeader)
	for _, c := range cps {
		_ = cw.Write([]string{strconv.FormatInt(c.RemittanceID, 10), strconv.Itoa(c.Seq), c.ClaimID, string(c.MatchedBy),
			c.PatientControlNumber, c.StatusCode, c.PayerClaimNumber, string(c.Result), "0", "", "", c.ServiceDate,
			c.Charge.String(), c.Paid.String(), c.PatientResponsibility.String(), "", adjText(c.Adjustments), remarkText(c.Remarks)})
		for _, l := range c.Lines {
			_ = cw.Write([]string{strconv.FormatInt(c.RemittanceID, 10), strconv.Itoa(c.Seq), c.ClaimID, l.MatchedBy,
				c.PatientControlNumber, c.StatusCode, c.PayerClaimNumber, string(c.Result), strconv.Itoa(l.Seq),
				strconv.Itoa(l.LineNumber), l.Procedure, l.ServiceDate, l.Charge.String(), l.Paid.String(), "",
				l.Allowed.String(), adjText(l.Adjustments), remarkText(l.Remarks)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("claim payments csv: %w", err)
	}
	return nil
}

func adjText(as []gateway.RemitAdjustment) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.Group + "-" + a.Reason + ":" + a.Amount.String()
	}
	return strings.Join(parts, " ")
}

func remarkText(rs []gateway.RemitRemark) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Code
	}
	return strings.Join(parts, " ")
}
