package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/gateway"
)

// The remittance method group (gateway.RemitTx): 835 payments and what they paid. Posting an
// 835 of tens of thousands of claims writes its rows in bulk (COPY on Postgres, multi-row
// INSERT on SQLite) and moves claims with one UPDATE ... FROM (VALUES ...) per chunk.

const remitCols = `id, file_id, payer_id, payer_name, payer_identifier, trace_number, control_number,
 handling_code, amount, credit_debit, method, effective_date, balanced, problems, duplicate_of,
 claim_count, matched_count, unmatched_count, reversal_count, charged, paid, provider_total, created_at`

func scanRemittance(r scanner) (gateway.Remittance, error) {
	var m gateway.Remittance
	var amount, claims, matched, unmatched, reversals, charged, paid, prov int64
	var problems string
	if err := r.Scan(&m.ID, &m.FileID, &m.PayerID, &m.PayerName, &m.PayerIdentifier, &m.TraceNumber,
		&m.ControlNumber, &m.HandlingCode, &amount, &m.CreditDebit, &m.Method, &m.EffectiveDate,
		&m.Balanced, &problems, &m.DuplicateOf, &claims, &matched, &unmatched, &reversals, &charged,
		&paid, &prov, &m.CreatedAt); err != nil {
		return gateway.Remittance{}, err
	}
	m.Amount, m.Charged, m.Paid, m.ProviderTotal = edi.Amount(amount), edi.Amount(charged), edi.Amount(paid), edi.Amount(prov)
	m.ClaimCount, m.MatchedCount, m.UnmatchedCount, m.ReversalCount = int(claims), int(matched), int(unmatched), int(reversals)
	if problems != "" && problems != "[]" {
		if err := json.Unmarshal([]byte(problems), &m.Problems); err != nil {
			return gateway.Remittance{}, fmt.Errorf("remittance %d problems: %w", m.ID, err)
		}
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return m, nil
}

func problemsJSON(p []string) (string, error) {
	if len(p) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(p)
	return string(b), err
}

// CreateRemittance implements gateway.RemitTx.
func (t *tx) CreateRemittance(ctx context.Context, r gateway.Remittance) (gateway.Remittance, error) {
	if r.FileID == 0 || r.PayerID == "" {
		return gateway.Remittance{}, fmt.Errorf("create remittance: %w: file id and payer id are required", gateway.ErrInvalid)
	}
	probs, err := problemsJSON(r.Problems)
	if err != nil {
		return gateway.Remittance{}, fmt.Errorf("create remittance: %w", err)
	}
	r.CreatedAt = t.clock()
	row := t.q.QueryRow(ctx, `INSERT INTO remittances (file_id, payer_id, payer_name, payer_identifier,
 trace_number, control_number, handling_code, amount, credit_debit, method, effective_date, balanced,
 problems, duplicate_of, claim_count, matched_count, unmatched_count, reversal_count, charged, paid,
 provider_total, created_at)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
 RETURNING id`,
		r.FileID, r.PayerID, r.PayerName, r.PayerIdentifier, r.TraceNumber, r.ControlNumber, r.HandlingCode,
		int64(r.Amount), r.CreditDebit, r.Method, r.EffectiveDate, r.Balanced, probs, nullInt(r.DuplicateOf),
		int64(r.ClaimCount), int64(r.MatchedCount), int64(r.UnmatchedCount), int64(r.ReversalCount),
		int64(r.Charged), int64(r.Paid), int64(r.ProviderTotal), r.CreatedAt)
	if err := row.Scan(&r.ID); err != nil {
		return gateway.Remittance{}, fmt.Errorf("create remittance (file %d): %w", r.FileID, mapErr(t.d, err))
	}
	return r, nil
}

// FinishRemittance implements gateway.RemitTx.
func (t *tx) FinishRemittance(ctx context.Context, r gateway.Remittance) error {
	probs, err := problemsJSON(r.Problems)
	if err != nil {
		return fmt.Errorf("finish remittance %d: %w", r.ID, err)
	}
	n, err := t.q.Exec(ctx, `UPDATE remittances SET balanced = $1, problems = $2, claim_count = $3,
 matched_count = $4, unmatched_count = $5, reversal_count = $6, charged = $7, paid = $8, provider_total = $9
 WHERE id = $10`, r.Balanced, probs, int64(r.ClaimCount), int64(r.MatchedCount), int64(r.UnmatchedCount),
		int64(r.ReversalCount), int64(r.Charged), int64(r.Paid), int64(r.ProviderTotal), r.ID)
	if err != nil {
		return fmt.Errorf("finish remittance %d: %w", r.ID, mapErr(t.d, err))
	}
	if n == 0 {
		return fmt.Errorf("finish remittance %d: %w", r.ID, gateway.ErrNotFound)
	}
	return nil
}

// GetRemittance implements gateway.RemitTx.
func (t *tx) GetRemittance(ctx context.Context, id int64) (gateway.Remittance, error) {
	r, err := scanRemittance(t.q.QueryRow(ctx, `SELECT `+remitCols+` FROM remittances WHERE id = $1`, id))
	if err != nil {
		return gateway.Remittance{}, fmt.Errorf("remittance %d: %w", id, mapErr(t.d, err))
	}
	return r, nil
}

// RemittanceByTrace implements gateway.RemitTx.
func (t *tx) RemittanceByTrace(ctx context.Context, payerID, trace string) (gateway.Remittance, error) {
	r, err := scanRemittance(t.q.QueryRow(ctx, `SELECT `+remitCols+` FROM remittances
 WHERE payer_id = $1 AND trace_number = $2 AND duplicate_of IS NULL AND trace_number <> ''`, payerID, trace))
	if err != nil {
		return gateway.Remittance{}, fmt.Errorf("remittance of %s by trace: %w", payerID, mapErr(t.d, err))
	}
	return r, nil
}

func (t *tx) queryRemittances(ctx context.Context, q string, args ...any) ([]gateway.Remittance, error) {
	rows, err := t.q.Query(ctx, q, args...)
	if err != nil {
		return nil, mapErr(t.d, err)
	}
	defer rows.Close()
	var out []gateway.Remittance
	for rows.Next() {
		r, err := scanRemittance(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RemittancesByFile implements gateway.RemitTx.
func (t *tx) RemittancesByFile(ctx context.Context, fileID int64) ([]gateway.Remittance, error) {
	out, err := t.queryRemittances(ctx, `SELECT `+remitCols+` FROM remittances WHERE file_id = $1 ORDER BY id`, fileID)
	if err != nil {
		return nil, fmt.Errorf("remittances of file %d: %w", fileID, err)
	}
	return out, nil
}

// remitDate is the date a remittance counts on: BPR16, or the day it was posted (the poster
// stores one or the other).
const remitDate = `r.effective_date`

// ListRemittances implements gateway.RemitTx.
func (t *tx) ListRemittances(ctx context.Context, f gateway.RemittanceFilter) ([]gateway.Remittance, error) {
	var w where
	if f.PayerID != "" {
		w.add("r.payer_id = ?", f.PayerID)
	}
	if f.From != "" {
		w.add(remitDate+" >= ?", f.From)
	}
	if f.To != "" {
		w.add(remitDate+" <= ?", f.To)
	}
	if f.SubmitterID != 0 {
		w.add("EXISTS (SELECT 1 FROM claim_payments cp WHERE cp.remittance_id = r.id AND cp.submitter_id = ?)", f.SubmitterID)
	}
	if f.BeforeID > 0 {
		w.add("r.id < ?", f.BeforeID)
	}
	q := `SELECT ` + remitCols + ` FROM remittances r` + w.sql() + ` ORDER BY r.id DESC LIMIT ` + strconv.Itoa(limitOf(f.Limit))
	out, err := t.queryRemittances(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list remittances: %w", err)
	}
	return out, nil
}

var (
	claimPaymentCols = []string{"remittance_id", "seq", "claim_id", "submitter_id", "matched_by", "pcn",
		"status_code", "reversal", "charge", "paid", "patient_resp", "filing_indicator", "payer_claim_number",
		"facility_type", "frequency", "patient_name", "member_id", "service_date", "crossover_payer", "result", "note"}
	linePaymentCols = []string{"remittance_id", "claim_seq", "seq", "line_number", "matched_by", "control_number",
		"proc_qualifier", "procedure_code", "modifiers", "revenue_code", "charge", "paid", "allowed", "units",
		"service_date", "service_date_end"}
	adjustmentCols = []string{"remittance_id", "claim_seq", "line_seq", "seq", "group_code", "reason_code", "amount", "quantity"}
	remarkCols     = []string{"remittance_id", "claim_seq", "line_seq", "seq", "source", "code"}
	plbCols        = []string{"remittance_id", "seq", "provider_id", "fiscal_period_date", "reason", "reference", "amount"}
)

func nullSubmitter(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// AddClaimPayments implements gateway.RemitTx.
func (t *tx) AddClaimPayments(ctx context.Context, remittanceID int64, cps []gateway.ClaimPayment) error {
	var claims, lines, adjs, rems [][]any
	for _, c := range cps {
		if c.Seq < 1 {
			return fmt.Errorf("remittance %d: %w: claim payment seq must be >= 1", remittanceID, gateway.ErrInvalid)
		}
		claimID := any(nil)
		if c.ClaimID != "" {
			claimID = gateway.NormalizeClaimID(c.ClaimID)
		}
		cs := int64(c.Seq)
		claims = append(claims, []any{remittanceID, cs, claimID, nullSubmitter(c.SubmitterID), string(c.MatchedBy),
			c.PatientControlNumber, c.StatusCode, c.Reversal, int64(c.Charge), int64(c.Paid), int64(c.PatientResponsibility),
			c.FilingIndicator, c.PayerClaimNumber, c.FacilityType, c.Frequency, c.PatientName, c.MemberID,
			c.ServiceDate, c.CrossoverPayer, string(c.Result), c.Note})
		for i, a := range c.Adjustments {
			adjs = append(adjs, []any{remittanceID, cs, int64(0), int64(i + 1), a.Group, a.Reason, int64(a.Amount), a.Quantity})
		}
		for i, r := range c.Remarks {
			rems = append(rems, []any{remittanceID, cs, int64(0), int64(i + 1), r.Source, r.Code})
		}
		for _, l := range c.Lines {
			if l.Seq < 1 {
				return fmt.Errorf("remittance %d claim %d: %w: line seq must be >= 1", remittanceID, c.Seq, gateway.ErrInvalid)
			}
			ls := int64(l.Seq)
			lines = append(lines, []any{remittanceID, cs, ls, int64(l.LineNumber), l.MatchedBy, l.ControlNumber,
				l.ProcedureQualifier, l.Procedure, strings.Join(l.Modifiers, ":"), l.RevenueCode, int64(l.Charge),
				int64(l.Paid), int64(l.Allowed), l.Units, l.ServiceDate, l.ServiceDateEnd})
			for i, a := range l.Adjustments {
				adjs = append(adjs, []any{remittanceID, cs, ls, int64(i + 1), a.Group, a.Reason, int64(a.Amount), a.Quantity})
			}
			for i, r := range l.Remarks {
				rems = append(rems, []any{remittanceID, cs, ls, int64(i + 1), r.Source, r.Code})
			}
		}
	}
	for _, b := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"claim_payments", claimPaymentCols, claims},
		{"line_payments", linePaymentCols, lines},
		{"remit_adjustments", adjustmentCols, adjs},
		{"remit_remarks", remarkCols, rems},
	} {
		if err := t.bulkInsert(ctx, b.table, b.cols, b.rows); err != nil {
			return fmt.Errorf("remittance %d: insert %s: %w", remittanceID, b.table, mapErr(t.d, err))
		}
	}
	return nil
}

// AddProviderAdjustments implements gateway.RemitTx.
func (t *tx) AddProviderAdjustments(ctx context.Context, remittanceID int64, pas []gateway.ProviderAdjustment) error {
	rows := make([][]any, 0, len(pas))
	for _, p := range pas {
		rows = append(rows, []any{remittanceID, int64(p.Seq), p.ProviderID, p.FiscalPeriodDate, p.Reason, p.Reference, int64(p.Amount)})
	}
	if err := t.bulkInsert(ctx, "provider_adjustments", plbCols, rows); err != nil {
		return fmt.Errorf("remittance %d: insert provider adjustments: %w", remittanceID, mapErr(t.d, err))
	}
	return nil
}

const claimPaymentSelect = `SELECT cp.remittance_id, cp.seq, COALESCE(cp.claim_id, ''), COALESCE(cp.submitter_id, 0),
 cp.matched_by, cp.pcn, cp.status_code, cp.reversal, cp.charge, cp.paid, cp.patient_resp, cp.filing_indicator,
 cp.payer_claim_number, cp.facility_type, cp.frequency, cp.patient_name, cp.member_id, cp.service_date,
 cp.crossover_payer, cp.result, cp.note FROM claim_payments cp`

type claimKey struct {
	rem int64
	seq int64
}

// ClaimPayments implements gateway.RemitTx.
func (t *tx) ClaimPayments(ctx context.Context, remittanceID int64, submitterID int64) ([]gateway.ClaimPayment, error) {
	q := claimPaymentSelect + ` WHERE cp.remittance_id = $1`
	args := []any{remittanceID}
	if submitterID != 0 {
		q += ` AND cp.submitter_id = $2`
		args = append(args, submitterID)
	}
	out, err := t.loadClaimPayments(ctx, q+` ORDER BY cp.seq`, args,
		` WHERE x.remittance_id = $1`, []any{remittanceID})
	if err != nil {
		return nil, fmt.Errorf("claim payments of remittance %d: %w", remittanceID, err)
	}
	return out, nil
}

// ClaimPaymentsInRange implements gateway.RemitTx.
func (t *tx) ClaimPaymentsInRange(ctx context.Context, remittanceID int64, fromSeq, toSeq int) ([]gateway.ClaimPayment, error) {
	args := []any{remittanceID, int64(fromSeq), int64(toSeq)}
	out, err := t.loadClaimPayments(ctx, claimPaymentSelect+` WHERE cp.remittance_id = $1 AND cp.seq BETWEEN $2 AND $3 ORDER BY cp.seq`,
		args, ` WHERE x.remittance_id = $1 AND x.claim_seq BETWEEN $2 AND $3`, args)
	if err != nil {
		return nil, fmt.Errorf("claim payments %d-%d of remittance %d: %w", fromSeq, toSeq, remittanceID, err)
	}
	return out, nil
}

// UnmatchedClaimPayments implements gateway.RemitTx.
func (t *tx) UnmatchedClaimPayments(ctx context.Context, remittanceID int64) ([]gateway.ClaimPayment, error) {
	args := []any{remittanceID}
	out, err := t.loadClaimPayments(ctx, claimPaymentSelect+` WHERE cp.remittance_id = $1 AND cp.claim_id IS NULL ORDER BY cp.seq`, args,
		` WHERE x.remittance_id = $1 AND x.claim_seq IN (SELECT u.seq FROM claim_payments u WHERE u.remittance_id = $1 AND u.claim_id IS NULL)`, args)
	if err != nil {
		return nil, fmt.Errorf("unmatched claim payments of remittance %d: %w", remittanceID, err)
	}
	return out, nil
}

// ClaimPaymentsForClaim implements gateway.RemitTx.
func (t *tx) ClaimPaymentsForClaim(ctx context.Context, claimID string) ([]gateway.ClaimPayment, error) {
	id := gateway.NormalizeClaimID(claimID)
	out, err := t.loadClaimPayments(ctx, claimPaymentSelect+` WHERE cp.claim_id = $1 ORDER BY cp.remittance_id, cp.seq`,
		[]any{id}, ` WHERE x.remittance_id IN (SELECT remittance_id FROM claim_payments WHERE claim_id = $1)`, []any{id})
	if err != nil {
		return nil, fmt.Errorf("payments of claim %s: %w", id, err)
	}
	return out, nil
}

// loadClaimPayments reads claim payments with q, then their lines, adjustments and remarks
// with the detail condition cond (on alias x).
func (t *tx) loadClaimPayments(ctx context.Context, q string, args []any, cond string, condArgs []any) ([]gateway.ClaimPayment, error) {
	rows, err := t.q.Query(ctx, q, args...)
	if err != nil {
		return nil, mapErr(t.d, err)
	}
	var out []gateway.ClaimPayment
	idx := map[claimKey]int{}
	for rows.Next() {
		var c gateway.ClaimPayment
		var seq, charge, paid, resp int64
		var matched, result string
		if err := rows.Scan(&c.RemittanceID, &seq, &c.ClaimID, &c.SubmitterID, &matched, &c.PatientControlNumber,
			&c.StatusCode, &c.Reversal, &charge, &paid, &resp, &c.FilingIndicator, &c.PayerClaimNumber, &c.FacilityType,
			&c.Frequency, &c.PatientName, &c.MemberID, &c.ServiceDate, &c.CrossoverPayer, &result, &c.Note); err != nil {
			rows.Close()
			return nil, err
		}
		c.Seq, c.Charge, c.Paid, c.PatientResponsibility = int(seq), edi.Amount(charge), edi.Amount(paid), edi.Amount(resp)
		c.MatchedBy, c.Result = gateway.MatchMethod(matched), gateway.ClaimStatus(result)
		c.Adjustments, c.Remarks, c.Lines = []gateway.RemitAdjustment{}, []gateway.RemitRemark{}, []gateway.LinePayment{}
		idx[claimKey{c.RemittanceID, seq}] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// Lines.
	lrows, err := t.q.Query(ctx, `SELECT x.remittance_id, x.claim_seq, x.seq, x.line_number, x.matched_by,
 x.control_number, x.proc_qualifier, x.procedure_code, x.modifiers, x.revenue_code, x.charge, x.paid, x.allowed,
 x.units, x.service_date, x.service_date_end FROM line_payments x`+cond+` ORDER BY x.remittance_id, x.claim_seq, x.seq`, condArgs...)
	if err != nil {
		return nil, mapErr(t.d, err)
	}
	type lineKey struct {
		claimKey
		line int64
	}
	lidx := map[lineKey]int{}
	for lrows.Next() {
		var rem, cs, ls, num, charge, paid, allowed int64
		var l gateway.LinePayment
		var mods string
		if err := lrows.Scan(&rem, &cs, &ls, &num, &l.MatchedBy, &l.ControlNumber, &l.ProcedureQualifier, &l.Procedure,
			&mods, &l.RevenueCode, &charge, &paid, &allowed, &l.Units, &l.ServiceDate, &l.ServiceDateEnd); err != nil {
			lrows.Close()
			return nil, err
		}
		i, ok := idx[claimKey{rem, cs}]
		if !ok {
			continue
		}
		l.Seq, l.LineNumber, l.Charge, l.Paid, l.Allowed = int(ls), int(num), edi.Amount(charge), edi.Amount(paid), edi.Amount(allowed)
		if mods != "" {
			l.Modifiers = strings.Split(mods, ":")
		}
		l.Adjustments, l.Remarks = []gateway.RemitAdjustment{}, []gateway.RemitRemark{}
		lidx[lineKey{claimKey{rem, cs}, ls}] = len(out[i].Lines)
		out[i].Lines = append(out[i].Lines, l)
	}
	lrows.Close()
	if err := lrows.Err(); err != nil {
		return nil, err
	}
	// Adjustments.
	arows, err := t.q.Query(ctx, `SELECT x.remittance_id, x.claim_seq, x.line_seq, x.group_code, x.reason_code, x.amount,
 x.quantity FROM remit_adjustments x`+cond+` ORDER BY x.remittance_id, x.claim_seq, x.line_seq, x.seq`, condArgs...)
	if err != nil {
		return nil, mapErr(t.d, err)
	}
	for arows.Next() {
		var rem, cs, ls, amount int64
		var a gateway.RemitAdjustment
		if err := arows.Scan(&rem, &cs, &ls, &a.Group, &a.Reason, &amount, &a.Quantity); err != nil {
			arows.Close()
			return nil, err
		}
		a.Amount = edi.Amount(amount)
		i, ok := idx[claimKey{rem, cs}]
		if !ok {
			continue
		}
		if ls == 0 {
			out[i].Adjustments = append(out[i].Adjustments, a)
		} else if j, ok := lidx[lineKey{claimKey{rem, cs}, ls}]; ok {
			out[i].Lines[j].Adjustments = append(out[i].Lines[j].Adjustments, a)
		}
	}
	arows.Close()
	if err := arows.Err(); err != nil {
		return nil, err
	}
	// Remarks.
	rrows, err := t.q.Query(ctx, `SELECT x.remittance_id, x.claim_seq, x.line_seq, x.source, x.code
 FROM remit_remarks x`+cond+` ORDER BY x.remittance_id, x.claim_seq, x.line_seq, x.seq`, condArgs...)
	if err != nil {
		return nil, mapErr(t.d, err)
	}
	for rrows.Next() {
		var rem, cs, ls int64
		var r gateway.RemitRemark
		if err := rrows.Scan(&rem, &cs, &ls, &r.Source, &r.Code); err != nil {
			rrows.Close()
			return nil, err
		}
		i, ok := idx[claimKey{rem, cs}]
		if !ok {
			continue
		}
		if ls == 0 {
			out[i].Remarks = append(out[i].Remarks, r)
		} else if j, ok := lidx[lineKey{claimKey{rem, cs}, ls}]; ok {
			out[i].Lines[j].Remarks = append(out[i].Lines[j].Remarks, r)
		}
	}
	rrows.Close()
	return out, rrows.Err()
}

// ProviderAdjustments implements gateway.RemitTx.
func (t *tx) ProviderAdjustments(ctx context.Context, remittanceID int64) ([]gateway.ProviderAdjustment, error) {
	rows, err := t.q.Query(ctx, `SELECT seq, provider_id, fiscal_period_date, reason, reference, amount
 FROM provider_adjustments WHERE remittance_id = $1 ORDER BY seq`, remittanceID)
	if err != nil {
		return nil, fmt.Errorf("provider adjustments of remittance %d: %w", remittanceID, mapErr(t.d, err))
	}
	defer rows.Close()
	out := []gateway.ProviderAdjustment{}
	for rows.Next() {
		var p gateway.ProviderAdjustment
		var seq, amount int64
		if err := rows.Scan(&seq, &p.ProviderID, &p.FiscalPeriodDate, &p.Reason, &p.Reference, &amount); err != nil {
			return nil, fmt.Errorf("provider adjustments of remittance %d: %w", remittanceID, err)
		}
		p.Seq, p.Amount = int(seq), edi.Amount(amount)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t *tx) queryClaims(ctx context.Context, q string, args ...any) ([]gateway.Claim, error) {
	rows, err := t.q.Query(ctx, q, args...)
	return collectRows(rows, mapErr(t.d, err), scanClaim)
}

// inList appends the values as placeholders and returns "($n, ...)".
func inList(w *where, vals []string) string {
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = w.arg(v)
	}
	return "(" + strings.Join(ph, ", ") + ")"
}

// queryByClaimIDs runs "SELECT cols FROM claims WHERE id ..." for the (normalised) ids, in
// chunks: one array parameter on Postgres, an IN list on SQLite. scan reads each chunk's rows.
func (t *tx) queryByClaimIDs(ctx context.Context, cols string, ids []string, scan func(Rows) error) error {
	arrays := t.bindsArrays()
	chunk := remitIDChunk
	if arrays {
		chunk = remitIDArrayChunk
	}
	for len(ids) > 0 {
		n := min(len(ids), chunk)
		norm := make([]string, n)
		for i, id := range ids[:n] {
			norm[i] = gateway.NormalizeClaimID(id)
		}
		var rows Rows
		var err error
		if arrays {
			rows, err = t.q.Query(ctx, `SELECT `+cols+` FROM claims WHERE id = ANY($1::text[])`, norm)
		} else {
			var w where
			rows, err = t.q.Query(ctx, `SELECT `+cols+` FROM claims WHERE id IN `+inList(&w, norm), w.args...)
		}
		if err != nil {
			return mapErr(t.d, err)
		}
		err = scan(rows)
		rows.Close()
		if err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// ClaimsByIDs implements gateway.RemitTx.
func (t *tx) ClaimsByIDs(ctx context.Context, ids []string) ([]gateway.Claim, error) {
	var out []gateway.Claim
	err := t.queryByClaimIDs(ctx, leanClaimCols, ids, func(rows Rows) error {
		for rows.Next() {
			c, err := scanClaim(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claims by id: %w", err)
	}
	return out, nil
}

// leanClaimCols are claimCols without the encounter (scanned as nil).
var leanClaimCols = strings.Replace(claimCols, "encounter,", "NULL,", 1)

// ClaimEncounters implements gateway.RemitTx.
func (t *tx) ClaimEncounters(ctx context.Context, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	err := t.queryByClaimIDs(ctx, "id, encounter", ids, func(rows Rows) error {
		for rows.Next() {
			var id string
			var enc []byte
			if err := rows.Scan(&id, &enc); err != nil {
				return err
			}
			out[id] = enc
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim encounters: %w", err)
	}
	return out, nil
}

// ClaimsByPayerClaimNumber implements gateway.RemitTx.
func (t *tx) ClaimsByPayerClaimNumber(ctx context.Context, payerID string, numbers []string) ([]gateway.Claim, error) {
	var out []gateway.Claim
	for len(numbers) > 0 {
		n := min(len(numbers), remitIDChunk)
		var w where
		p := w.arg(payerID)
		cs, err := t.queryClaims(ctx, `SELECT `+leanClaimCols+` FROM claims WHERE payer_id = `+p+
			` AND payer_claim_number <> '' AND payer_claim_number IN `+inList(&w, numbers[:n]), w.args...)
		if err != nil {
			return nil, fmt.Errorf("claims of %s by payer claim number: %w", payerID, err)
		}
		out = append(out, cs...)
		numbers = numbers[n:]
	}
	return out, nil
}

// remitIDChunk bounds the ids bound in one lookup without array parameters (see
// maxBulkParams); remitIDArrayChunk those bound as one array.
const (
	remitIDChunk      = 250
	remitIDArrayChunk = 10000
)

// collectMovedSeqs reads (id, last_event_seq) rows.
func collectMovedSeqs(rows Rows) (map[string]int64, error) {
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, err
		}
		out[id] = seq
	}
	return out, rows.Err()
}

// moveChunk bounds the claims of one bulk move with a VALUES list (5 parameters each);
// moveArrayChunk those of one move with array parameters (5 parameters in all).
const (
	moveChunk      = 50
	moveArrayChunk = 10000
)

// ApplyClaimMoves implements gateway.RemitTx.
func (t *tx) ApplyClaimMoves(ctx context.Context, moves []gateway.ClaimMove) error {
	seen := make(map[string]bool, len(moves))
	for i := range moves {
		m := &moves[i]
		m.ClaimID = gateway.NormalizeClaimID(m.ClaimID)
		if seen[m.ClaimID] {
			return fmt.Errorf("claim moves: %w: claim %s appears twice", gateway.ErrInvalid, m.ClaimID)
		}
		seen[m.ClaimID] = true
		if !gateway.CanTransition(m.From, m.To) {
			return fmt.Errorf("claim %s: %w: %s -> %s is not allowed", m.ClaimID, gateway.ErrConflict, m.From, m.To)
		}
		if err := checkJSON("event detail", m.Event.Detail); err != nil {
			return fmt.Errorf("claim %s: %w", m.ClaimID, err)
		}
	}
	now := t.clock()
	if t.bindsArrays() {
		return t.applyMovesArrays(ctx, moves, now)
	}
	chunkSize := moveChunk
	for len(moves) > 0 {
		n := min(len(moves), chunkSize)
		chunk := moves[:n]
		rows, err := t.moveClaims(ctx, chunk, now)
		if err != nil {
			return fmt.Errorf("claim moves: %w", mapErr(t.d, err))
		}
		byID, err := collectMovedSeqs(rows)
		if err != nil {
			return fmt.Errorf("claim moves: %w", mapErr(t.d, err))
		}
		if len(byID) != n {
			return fmt.Errorf("claim moves: %w: %d of %d claims were not in the expected status", gateway.ErrConflict, n-len(byID), n)
		}
		evs := make([][]any, 0, n)
		for _, m := range chunk {
			at := now
			if !m.Event.At.IsZero() {
				at = ts(m.Event.At)
			}
			evs = append(evs, []any{m.ClaimID, byID[m.ClaimID], at, string(m.From), string(m.To), m.Event.Reason,
				m.Event.Source, nullJSON(m.Event.Detail)})
		}
		if err := t.bulkInsert(ctx, "claim_events", strings.Split(strings.ReplaceAll(eventCols, " ", ""), ","), evs); err != nil {
			return fmt.Errorf("claim moves: events: %w", mapErr(t.d, err))
		}
		moves = moves[n:]
	}
	return nil
}

// applyMovesArrays moves claims and appends their events in one statement per chunk, binding
// each column as an array (Postgres): the events are built from the UPDATE's RETURNING rows on
// the server, never shipped back and forth.
func (t *tx) applyMovesArrays(ctx context.Context, moves []gateway.ClaimMove, now time.Time) error {
	for len(moves) > 0 {
		n := min(len(moves), moveArrayChunk)
		chunk := moves[:n]
		ids, from, to, pcn := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		at, reason, source, detail := make([]time.Time, n), make([]string, n), make([]string, n), make([]*string, n)
		for i, m := range chunk {
			ids[i], from[i], to[i], pcn[i] = m.ClaimID, string(m.From), string(m.To), m.PayerClaimNumber
			at[i], reason[i], source[i] = now, m.Event.Reason, m.Event.Source
			if !m.Event.At.IsZero() {
				at[i] = ts(m.Event.At)
			}
			if len(m.Event.Detail) > 0 {
				d := string(m.Event.Detail)
				detail[i] = &d
			}
		}
		got, err := t.q.Exec(ctx, `WITH v AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::text[])
    AS v(id, from_status, to_status, pcn, at, reason, source, detail)),
 moved AS (
  UPDATE claims SET status = v.to_status,
    payer_claim_number = CASE WHEN v.pcn = '' THEN claims.payer_claim_number ELSE v.pcn END,
    updated_at = $1, last_event_seq = claims.last_event_seq + 1
  FROM v WHERE claims.id = v.id AND claims.status = v.from_status
  RETURNING claims.id, claims.last_event_seq)
INSERT INTO claim_events (`+eventCols+`)
SELECT v.id, moved.last_event_seq, v.at, v.from_status, v.to_status, v.reason, v.source, v.detail::jsonb
FROM moved JOIN v ON v.id = moved.id`, now, ids, from, to, pcn, at, reason, source, detail)
		if err != nil {
			return fmt.Errorf("claim moves: %w", mapErr(t.d, err))
		}
		if got != int64(n) {
			return fmt.Errorf("claim moves: %w: %d of %d claims were not in the expected status", gateway.ErrConflict, int64(n)-got, n)
		}
		moves = moves[n:]
	}
	return nil
}

// moveClaims runs the UPDATE of one chunk of moves, returning (id, last_event_seq) rows.
func (t *tx) moveClaims(ctx context.Context, chunk []gateway.ClaimMove, now time.Time) (Rows, error) {
	const set = `status = v.to_status, payer_claim_number = CASE WHEN v.pcn = '' THEN claims.payer_claim_number ELSE v.pcn END,
 updated_at = $1, last_event_seq = claims.last_event_seq + 1`
	var w where
	w.arg(now)
	var b strings.Builder
	b.WriteString(`UPDATE claims SET ` + set + ` FROM (SELECT column1 AS id, column2 AS from_status, column3 AS to_status, column4 AS pcn FROM (VALUES `)
	for i, m := range chunk {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + w.arg(m.ClaimID) + ", " + w.arg(string(m.From)) + ", " + w.arg(string(m.To)) + ", " + w.arg(m.PayerClaimNumber) + ")")
	}
	b.WriteString(`)) AS v WHERE claims.id = v.id AND claims.status = v.from_status AND claims.id IN (`)
	for i, m := range chunk {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(w.arg(m.ClaimID))
	}
	b.WriteString(`) RETURNING claims.id, claims.last_event_seq`)
	return t.q.Query(ctx, b.String(), w.args...)
}

// MatchClaimPayment implements gateway.RemitTx.
func (t *tx) MatchClaimPayment(ctx context.Context, m gateway.ManualMatch) error {
	id := gateway.NormalizeClaimID(m.ClaimID)
	if !gateway.ValidClaimID(id) {
		return fmt.Errorf("match claim payment: %w: claim id", gateway.ErrInvalid)
	}
	n, err := t.q.Exec(ctx, `UPDATE claim_payments SET claim_id = $1, submitter_id = $2, matched_by = $3, result = $4, note = $5
 WHERE remittance_id = $6 AND seq = $7 AND claim_id IS NULL`, id, nullSubmitter(m.SubmitterID), string(gateway.MatchManual),
		string(m.Result), m.Note, m.RemittanceID, int64(m.Seq))
	if err != nil {
		return fmt.Errorf("match claim payment %d/%d: %w", m.RemittanceID, m.Seq, mapErr(t.d, err))
	}
	if n == 0 {
		ok, err := t.exists(ctx, `SELECT 1 FROM claim_payments WHERE remittance_id = $1 AND seq = $2`, m.RemittanceID, int64(m.Seq))
		if err != nil {
			return fmt.Errorf("match claim payment %d/%d: %w", m.RemittanceID, m.Seq, err)
		}
		if !ok {
			return fmt.Errorf("claim payment %d/%d: %w", m.RemittanceID, m.Seq, gateway.ErrNotFound)
		}
		return fmt.Errorf("claim payment %d/%d: %w: it is matched already", m.RemittanceID, m.Seq, gateway.ErrConflict)
	}
	for _, l := range m.Lines {
		if _, err := t.q.Exec(ctx, `UPDATE line_payments SET line_number = $1, matched_by = $2
 WHERE remittance_id = $3 AND claim_seq = $4 AND seq = $5`, int64(l.LineNumber), l.MatchedBy, m.RemittanceID, int64(m.Seq), int64(l.Seq)); err != nil {
			return fmt.Errorf("match claim payment %d/%d line %d: %w", m.RemittanceID, m.Seq, l.Seq, mapErr(t.d, err))
		}
	}
	if _, err := t.q.Exec(ctx, `UPDATE remittances SET matched_count = matched_count + 1, unmatched_count = unmatched_count - 1
 WHERE id = $1 AND unmatched_count > 0`, m.RemittanceID); err != nil {
		return fmt.Errorf("match claim payment %d/%d: counts: %w", m.RemittanceID, m.Seq, mapErr(t.d, err))
	}
	return nil
}

// ReconciliationData implements gateway.RemitTx.
func (t *tx) ReconciliationData(ctx context.Context, f gateway.ReconciliationFilter) (gateway.ReconciliationData, error) {
	var out gateway.ReconciliationData
	// The remittances counted: never duplicates.
	var w where
	w.add("r.duplicate_of IS NULL")
	if f.PayerID != "" {
		w.add("r.payer_id = ?", f.PayerID)
	}
	if f.From != "" {
		w.add(remitDate+" >= ?", f.From)
	}
	if f.To != "" {
		w.add(remitDate+" <= ?", f.To)
	}
	remWhere := w.sql()
	cpCond := ""
	if f.SubmitterID != 0 {
		cpCond = " AND cp.submitter_id = " + w.arg(f.SubmitterID)
	}
	args := w.args

	rows, err := t.q.Query(ctx, `SELECT r.payer_id, COUNT(*), COALESCE(SUM(cp.charge), 0), COALESCE(SUM(cp.paid), 0),
 COALESCE(SUM(cp.patient_resp), 0) FROM remittances r JOIN claim_payments cp ON cp.remittance_id = r.id`+remWhere+cpCond+
		` GROUP BY r.payer_id ORDER BY r.payer_id`, args...)
	if err != nil {
		return out, fmt.Errorf("reconciliation claims: %w", mapErr(t.d, err))
	}
	for rows.Next() {
		var p gateway.PayerClaimTotals
		var n, ch, pd, pr int64
		if err := rows.Scan(&p.PayerID, &n, &ch, &pd, &pr); err != nil {
			rows.Close()
			return out, fmt.Errorf("reconciliation claims: %w", err)
		}
		p.Claims, p.Charged, p.Paid, p.PatientResponsibility = int(n), edi.Amount(ch), edi.Amount(pd), edi.Amount(pr)
		out.Claims = append(out.Claims, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("reconciliation claims: %w", err)
	}

	rows, err = t.q.Query(ctx, `SELECT r.payer_id, a.group_code, a.reason_code, COALESCE(SUM(a.amount), 0)
 FROM remittances r JOIN claim_payments cp ON cp.remittance_id = r.id
 JOIN remit_adjustments a ON a.remittance_id = cp.remittance_id AND a.claim_seq = cp.seq`+remWhere+cpCond+
		` GROUP BY r.payer_id, a.group_code, a.reason_code ORDER BY r.payer_id, a.group_code, a.reason_code`, args...)
	if err != nil {
		return out, fmt.Errorf("reconciliation adjustments: %w", mapErr(t.d, err))
	}
	if out.Adjustments, err = scanCodeTotals(rows, true); err != nil {
		return out, fmt.Errorf("reconciliation adjustments: %w", err)
	}

	if f.SubmitterID == 0 {
		rows, err = t.q.Query(ctx, `SELECT r.payer_id, COUNT(*), COALESCE(SUM(r.amount), 0) FROM remittances r`+remWhere+
			` GROUP BY r.payer_id ORDER BY r.payer_id`, args...)
		if err != nil {
			return out, fmt.Errorf("reconciliation payments: %w", mapErr(t.d, err))
		}
		for rows.Next() {
			var p gateway.PayerPaymentTotals
			var n, amt int64
			if err := rows.Scan(&p.PayerID, &n, &amt); err != nil {
				rows.Close()
				return out, fmt.Errorf("reconciliation payments: %w", err)
			}
			p.Remittances, p.Amount = int(n), edi.Amount(amt)
			out.Payments = append(out.Payments, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return out, fmt.Errorf("reconciliation payments: %w", err)
		}
		rows, err = t.q.Query(ctx, `SELECT r.payer_id, p.reason, COALESCE(SUM(p.amount), 0)
 FROM remittances r JOIN provider_adjustments p ON p.remittance_id = r.id`+remWhere+
			` GROUP BY r.payer_id, p.reason ORDER BY r.payer_id, p.reason`, args...)
		if err != nil {
			return out, fmt.Errorf("reconciliation provider adjustments: %w", mapErr(t.d, err))
		}
		if out.Provider, err = scanCodeTotals(rows, false); err != nil {
			return out, fmt.Errorf("reconciliation provider adjustments: %w", err)
		}
	}

	// Open claims: the A/R, whatever the dates (aging is as of the report's end).
	var ow where
	sts := make([]string, len(gateway.OpenStatuses))
	for i, s := range gateway.OpenStatuses {
		sts[i] = string(s)
	}
	ow.conds = append(ow.conds, "c.status IN "+inList(&ow, sts))
	if f.PayerID != "" {
		ow.add("c.payer_id = ?", f.PayerID)
	}
	if f.SubmitterID != 0 {
		ow.add("c.submitter_id = ?", f.SubmitterID)
	}
	// Age from the day the claim reached the payer (its first submitted event), else creation.
	rows, err = t.q.Query(ctx, `SELECT c.id, c.payer_id, c.status,
 COALESCE((SELECT MIN(e.at) FROM claim_events e WHERE e.claim_id = c.id AND e.to_status = 'submitted'), c.created_at),
 c.total_charge,
 COALESCE((SELECT SUM(cp.paid) FROM claim_payments cp JOIN remittances r ON r.id = cp.remittance_id
   WHERE cp.claim_id = c.id AND r.duplicate_of IS NULL), 0)
 FROM claims c`+ow.sql()+` ORDER BY c.created_at, c.id`, ow.args...)
	if err != nil {
		return out, fmt.Errorf("reconciliation open claims: %w", mapErr(t.d, err))
	}
	defer rows.Close()
	for rows.Next() {
		var o gateway.OpenClaim
		var charge, paid int64
		if err := rows.Scan(&o.ClaimID, &o.PayerID, &o.Status, &o.SubmittedAt, &charge, &paid); err != nil {
			return out, fmt.Errorf("reconciliation open claims: %w", err)
		}
		o.SubmittedAt, o.Charge, o.Paid = o.SubmittedAt.UTC(), edi.Amount(charge), edi.Amount(paid)
		out.Open = append(out.Open, o)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("reconciliation open claims: %w", err)
	}
	return out, nil
}

func scanCodeTotals(rows Rows, grouped bool) ([]gateway.CodeTotal, error) {
	defer rows.Close()
	var out []gateway.CodeTotal
	for rows.Next() {
		var c gateway.CodeTotal
		var amt int64
		var err error
		if grouped {
			err = rows.Scan(&c.PayerID, &c.Group, &c.Code, &amt)
		} else {
			err = rows.Scan(&c.PayerID, &c.Code, &amt)
		}
		if err != nil {
			return nil, err
		}
		c.Amount = edi.Amount(amt)
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PayerID < out[j].PayerID })
	return out, rows.Err()
}

// The Store's remittance methods each run in a transaction of their own.

// CreateRemittance implements gateway.RemitTx.
func (s *Store) CreateRemittance(ctx context.Context, r gateway.Remittance) (out gateway.Remittance, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.CreateRemittance(ctx, r); return e })
	return out, err
}

// FinishRemittance implements gateway.RemitTx.
func (s *Store) FinishRemittance(ctx context.Context, r gateway.Remittance) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.FinishRemittance(ctx, r) })
}

// GetRemittance implements gateway.RemitTx.
func (s *Store) GetRemittance(ctx context.Context, id int64) (out gateway.Remittance, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.GetRemittance(ctx, id); return e })
	return out, err
}

// RemittanceByTrace implements gateway.RemitTx.
func (s *Store) RemittanceByTrace(ctx context.Context, payerID, trace string) (out gateway.Remittance, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.RemittanceByTrace(ctx, payerID, trace); return e })
	return out, err
}

// RemittancesByFile implements gateway.RemitTx.
func (s *Store) RemittancesByFile(ctx context.Context, fileID int64) (out []gateway.Remittance, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.RemittancesByFile(ctx, fileID); return e })
	return out, err
}

// ListRemittances implements gateway.RemitTx.
func (s *Store) ListRemittances(ctx context.Context, f gateway.RemittanceFilter) (out []gateway.Remittance, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ListRemittances(ctx, f); return e })
	return out, err
}

// AddClaimPayments implements gateway.RemitTx.
func (s *Store) AddClaimPayments(ctx context.Context, remittanceID int64, cps []gateway.ClaimPayment) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.AddClaimPayments(ctx, remittanceID, cps) })
}

// AddProviderAdjustments implements gateway.RemitTx.
func (s *Store) AddProviderAdjustments(ctx context.Context, remittanceID int64, pas []gateway.ProviderAdjustment) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.AddProviderAdjustments(ctx, remittanceID, pas) })
}

// ClaimPayments implements gateway.RemitTx.
func (s *Store) ClaimPayments(ctx context.Context, remittanceID, submitterID int64) (out []gateway.ClaimPayment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimPayments(ctx, remittanceID, submitterID); return e })
	return out, err
}

// UnmatchedClaimPayments implements gateway.RemitTx.
func (s *Store) UnmatchedClaimPayments(ctx context.Context, remittanceID int64) (out []gateway.ClaimPayment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) {
		out, e = t.UnmatchedClaimPayments(ctx, remittanceID)
		return e
	})
	return out, err
}

// ClaimPaymentsInRange implements gateway.RemitTx.
func (s *Store) ClaimPaymentsInRange(ctx context.Context, remittanceID int64, fromSeq, toSeq int) (out []gateway.ClaimPayment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) {
		out, e = t.ClaimPaymentsInRange(ctx, remittanceID, fromSeq, toSeq)
		return e
	})
	return out, err
}

// ClaimPaymentsForClaim implements gateway.RemitTx.
func (s *Store) ClaimPaymentsForClaim(ctx context.Context, claimID string) (out []gateway.ClaimPayment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimPaymentsForClaim(ctx, claimID); return e })
	return out, err
}

// ProviderAdjustments implements gateway.RemitTx.
func (s *Store) ProviderAdjustments(ctx context.Context, remittanceID int64) (out []gateway.ProviderAdjustment, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ProviderAdjustments(ctx, remittanceID); return e })
	return out, err
}

// ClaimsByIDs implements gateway.RemitTx.
func (s *Store) ClaimsByIDs(ctx context.Context, ids []string) (out []gateway.Claim, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimsByIDs(ctx, ids); return e })
	return out, err
}

// ClaimEncounters implements gateway.RemitTx.
func (s *Store) ClaimEncounters(ctx context.Context, ids []string) (out map[string][]byte, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimEncounters(ctx, ids); return e })
	return out, err
}

// ClaimsByPayerClaimNumber implements gateway.RemitTx.
func (s *Store) ClaimsByPayerClaimNumber(ctx context.Context, payerID string, numbers []string) (out []gateway.Claim, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ClaimsByPayerClaimNumber(ctx, payerID, numbers); return e })
	return out, err
}

// ApplyClaimMoves implements gateway.RemitTx.
func (s *Store) ApplyClaimMoves(ctx context.Context, moves []gateway.ClaimMove) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.ApplyClaimMoves(ctx, moves) })
}

// MatchClaimPayment implements gateway.RemitTx.
func (s *Store) MatchClaimPayment(ctx context.Context, m gateway.ManualMatch) error {
	return s.WithTx(ctx, func(t gateway.Tx) error { return t.MatchClaimPayment(ctx, m) })
}

// ReconciliationData implements gateway.RemitTx.
func (s *Store) ReconciliationData(ctx context.Context, f gateway.ReconciliationFilter) (out gateway.ReconciliationData, err error) {
	err = s.WithTx(ctx, func(t gateway.Tx) (e error) { out, e = t.ReconciliationData(ctx, f); return e })
	return out, err
}
