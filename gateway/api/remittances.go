package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/remit"
)

// The finance routes: remittances (835 payments) and reconciliation, as JSON or CSV
// (?format=csv).
//
// Who sees what (see gateway/remit): the operator token (finance) sees everything and alone
// may upload an 835 or match a claim payment by hand. A submitter sees only the remittances
// that pay at least one of its claims and, in them, only its own claim payments; payment-level
// figures (BPR amount, PLB adjustments, balancing, unmatched payments, the archived file) are
// left out, because one payment covers many submitters' claims.

// MaxRemittanceUploadBytes is the largest 835 POST /v1/remittances accepts.
const MaxRemittanceUploadBytes = 64 << 20

// TypeQuarantined is the problem type of an uploaded 835 that was archived but quarantined.
const TypeQuarantined = "urn:claimgate:problem:remittance-quarantined"

// RemittanceService posts and reconciles remittances; *remit.Poster implements it.
type RemittanceService interface {
	Upload(ctx context.Context, payerID, name string, b []byte) (remit.Result, error)
	Match(ctx context.Context, remittanceID int64, seq int, claimID string) (gateway.ClaimPayment, error)
	Reconcile(ctx context.Context, f gateway.ReconciliationFilter, asOf time.Time) (remit.Reconciliation, error)
}

// remittanceRoutes returns the finance routes served with svc (nil: the write and
// reconciliation routes answer 503).
func (a *API) remittanceRoutes(svc RemittanceService) []route {
	h := &remitHandlers{a: a, svc: svc}
	return []route{
		{http.MethodGet, "/v1/remittances", a.authFinance(h.list)},
		{http.MethodPost, "/v1/remittances", a.authFinance(h.upload)},
		{http.MethodGet, "/v1/remittances/{id}", a.authFinance(h.get)},
		{http.MethodPost, "/v1/remittances/{id}/claims/{n}/match", a.authFinance(h.match)},
		{http.MethodGet, "/v1/reconciliation", a.authFinance(h.reconciliation)},
	}
}

type remitHandlers struct {
	a   *API
	svc RemittanceService
}

// authFinance lets submitters and the operator through, with who called.
func (a *API) authFinance(h func(http.ResponseWriter, *http.Request, principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := a.authenticate(r)
		if err != nil {
			a.unauthorized(w, r, err)
			return
		}
		h(w, r, p)
	}
}

func (h *remitHandlers) operatorOnly(w http.ResponseWriter, r *http.Request, p principal) bool {
	if !p.operator {
		h.a.problem(w, r, problem{Title: "Forbidden", Status: http.StatusForbidden,
			Detail: "Only the operator token may upload remittances or match payments by hand."})
		return false
	}
	if h.svc == nil {
		h.a.problem(w, r, problem{Type: TypeUnavailable, Title: "Service Unavailable", Status: http.StatusServiceUnavailable,
			Detail: "Remittance posting is not configured on this server."})
		return false
	}
	return true
}

func wantCSV(r *http.Request) (bool, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "json":
		return false, nil
	case "csv":
		return true, nil
	}
	return false, errors.New("format must be json or csv")
}

// remittanceView is one remittance as the API shows it. Payment-level fields are nil for a
// submitter.
type remittanceView struct {
	ID              int64       `json:"id"`
	PayerID         string      `json:"payer_id"`
	PayerName       string      `json:"payer_name,omitempty"`
	PayerIdentifier string      `json:"payer_identifier,omitempty"`
	TraceNumber     string      `json:"trace_number"`
	EffectiveDate   string      `json:"effective_date"`
	Method          string      `json:"method,omitempty"`
	CreditDebit     *string     `json:"credit_debit,omitempty"`
	Amount          *edi.Amount `json:"amount,omitempty"`
	ClaimCount      *int        `json:"claim_count,omitempty"`
	Matched         *int        `json:"claims_matched,omitempty"`
	Unmatched       *int        `json:"claims_unmatched,omitempty"`
	Reversals       *int        `json:"reversals,omitempty"`
	Charged         *edi.Amount `json:"charged,omitempty"`
	Paid            *edi.Amount `json:"paid,omitempty"`
	ProviderTotal   *edi.Amount `json:"provider_adjustments_total,omitempty"`
	Balanced        *bool       `json:"balanced,omitempty"`
	Problems        []string    `json:"problems,omitempty"`
	DuplicateOf     *int64      `json:"duplicate_of,omitempty"`
	FileID          *int64      `json:"file_id,omitempty"`
	CreatedAt       time.Time   `json:"created_at"`
}

func viewRemittance(r gateway.Remittance, operator bool) remittanceView {
	v := remittanceView{ID: r.ID, PayerID: r.PayerID, PayerName: r.PayerName, PayerIdentifier: r.PayerIdentifier,
		TraceNumber: r.TraceNumber, EffectiveDate: r.EffectiveDate, Method: r.Method, DuplicateOf: r.DuplicateOf, CreatedAt: r.CreatedAt}
	if operator {
		v.CreditDebit, v.Amount, v.ClaimCount, v.Matched, v.Unmatched = &r.CreditDebit, &r.Amount, &r.ClaimCount, &r.MatchedCount, &r.UnmatchedCount
		v.Reversals, v.Charged, v.Paid, v.ProviderTotal, v.Balanced = &r.ReversalCount, &r.Charged, &r.Paid, &r.ProviderTotal, &r.Balanced
		v.Problems, v.FileID = r.Problems, &r.FileID
	}
	return v
}

// list is GET /v1/remittances?payer=&from=&to=&before=&limit=&format=.
func (h *remitHandlers) list(w http.ResponseWriter, r *http.Request, p principal) {
	q := r.URL.Query()
	asCSV, err := wantCSV(r)
	if err != nil {
		h.a.problem(w, r, problemQuery(err.Error()))
		return
	}
	f := gateway.RemittanceFilter{PayerID: q.Get("payer"), From: q.Get("from"), To: q.Get("to")}
	if err := checkDates(f.From, f.To); err != nil {
		h.a.problem(w, r, problemQuery(err.Error()))
		return
	}
	if s := q.Get("before"); s != "" {
		if f.BeforeID, err = strconv.ParseInt(s, 10, 64); err != nil || f.BeforeID < 1 {
			h.a.problem(w, r, problemQuery("before must be a remittance id"))
			return
		}
	}
	limit, ok := h.a.pageLimit(w, r, q)
	if !ok {
		return
	}
	f.Limit = limit
	if !p.operator {
		f.SubmitterID = p.submitter.ID
	}
	rems, err := h.a.store.ListRemittances(r.Context(), f)
	if err != nil {
		h.a.fail(w, r, "listing remittances", err)
		return
	}
	views := make([]remittanceView, len(rems))
	for i, rm := range rems {
		views[i] = viewRemittance(rm, p.operator)
	}
	if asCSV {
		writeCSV(w, remittancesCSV(views))
		return
	}
	out := map[string]any{"remittances": views}
	if f.Limit > 0 && len(rems) == f.Limit {
		out["next_before"] = rems[len(rems)-1].ID
	}
	h.a.writeJSON(w, r, http.StatusOK, out)
}

func remittancesCSV(vs []remittanceView) [][]string {
	rows := [][]string{remit.RemittanceCSVHeader}
	for _, v := range vs {
		rows = append(rows, []string{strconv.FormatInt(v.ID, 10), v.PayerID, v.PayerName, v.TraceNumber, v.EffectiveDate,
			v.Method, strOrEmpty(v.CreditDebit), amtOrEmpty(v.Amount), intOrEmpty(v.ClaimCount), intOrEmpty(v.Matched),
			intOrEmpty(v.Unmatched), intOrEmpty(v.Reversals), amtOrEmpty(v.Charged), amtOrEmpty(v.Paid),
			amtOrEmpty(v.ProviderTotal), boolOrEmpty(v.Balanced), int64OrEmpty(v.DuplicateOf), int64OrEmpty(v.FileID)})
	}
	return rows
}

func strOrEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func amtOrEmpty(a *edi.Amount) string {
	if a == nil {
		return ""
	}
	return a.String()
}

func intOrEmpty(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func int64OrEmpty(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

func boolOrEmpty(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func writeCSV(w http.ResponseWriter, rows [][]string) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	_ = cw.WriteAll(rows) // a bytes.Buffer does not fail
	writeCSVBytes(w, b.Bytes())
}

func writeCSVBytes(w http.ResponseWriter, b []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func checkDates(ds ...string) error {
	for _, d := range ds {
		if d == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return errors.New("from and to must be dates YYYY-MM-DD")
		}
	}
	return nil
}

// labelledAdjustment is a CAS adjustment with the words of edi/codes.
type labelledAdjustment struct {
	gateway.RemitAdjustment
	GroupLabel  string `json:"group_label,omitempty"`
	ReasonLabel string `json:"reason_label,omitempty"`
	Kind        string `json:"kind,omitempty"`
}

type labelledRemark struct {
	gateway.RemitRemark
	Text string `json:"text,omitempty"`
}

type linePaymentView struct {
	gateway.LinePayment
	Adjustments []labelledAdjustment `json:"adjustments"`
	Remarks     []labelledRemark     `json:"remarks"`
}

type claimPaymentView struct {
	gateway.ClaimPayment
	Adjustments []labelledAdjustment `json:"adjustments"`
	Remarks     []labelledRemark     `json:"remarks"`
	Lines       []linePaymentView    `json:"lines"`
}

type providerAdjustmentView struct {
	gateway.ProviderAdjustment
	ReasonLabel string `json:"reason_label,omitempty"`
}

type remittanceDetail struct {
	remittanceView
	Claims              []claimPaymentView       `json:"claims"`
	ProviderAdjustments []providerAdjustmentView `json:"provider_adjustments,omitempty"`
}

func (h *remitHandlers) labelAdjustments(as []gateway.RemitAdjustment, rarcs []string) []labelledAdjustment {
	out := make([]labelledAdjustment, len(as))
	for i, a := range as {
		la := labelledAdjustment{RemitAdjustment: a}
		la.GroupLabel, _ = codes.GroupLabel(a.Group)
		if c, ok := h.a.codes.CARC(a.Reason); ok {
			la.ReasonLabel = c.Label
		}
		la.Kind = string(h.a.codes.Classify(a.Group, a.Reason, rarcs).Kind)
		out[i] = la
	}
	return out
}

func (h *remitHandlers) labelRemarks(rs []gateway.RemitRemark) ([]labelledRemark, []string) {
	out := make([]labelledRemark, len(rs))
	codesOf := make([]string, len(rs))
	for i, rm := range rs {
		lr := labelledRemark{RemitRemark: rm}
		if rc, ok := h.a.codes.RARC(rm.Code); ok {
			lr.Text = rc.Text()
		}
		out[i], codesOf[i] = lr, rm.Code
	}
	return out, codesOf
}

func (h *remitHandlers) viewClaimPayment(c gateway.ClaimPayment) claimPaymentView {
	v := claimPaymentView{ClaimPayment: c}
	var rarcs []string
	v.Remarks, rarcs = h.labelRemarks(c.Remarks)
	v.Adjustments = h.labelAdjustments(c.Adjustments, rarcs)
	v.Lines = make([]linePaymentView, len(c.Lines))
	for i, l := range c.Lines {
		lv := linePaymentView{LinePayment: l}
		var lr []string
		lv.Remarks, lr = h.labelRemarks(l.Remarks)
		lv.Adjustments = h.labelAdjustments(l.Adjustments, append(lr, rarcs...))
		v.Lines[i] = lv
	}
	return v
}

func (h *remitHandlers) remittanceID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		h.a.problem(w, r, problemNotFound("No remittance has this id."))
		return 0, false
	}
	return id, true
}

// get is GET /v1/remittances/{id}[?format=csv].
func (h *remitHandlers) get(w http.ResponseWriter, r *http.Request, p principal) {
	id, ok := h.remittanceID(w, r)
	if !ok {
		return
	}
	asCSV, err := wantCSV(r)
	if err != nil {
		h.a.problem(w, r, problemQuery(err.Error()))
		return
	}
	var rem gateway.Remittance
	var cps []gateway.ClaimPayment
	var pas []gateway.ProviderAdjustment
	var sub int64
	if !p.operator {
		sub = p.submitter.ID
	}
	err = h.a.store.WithTx(r.Context(), func(tx gateway.Tx) error {
		var err error
		if rem, err = tx.GetRemittance(r.Context(), id); err != nil {
			return err
		}
		if cps, err = tx.ClaimPayments(r.Context(), id, sub); err != nil {
			return err
		}
		if p.operator {
			pas, err = tx.ProviderAdjustments(r.Context(), id)
		}
		return err
	})
	if errors.Is(err, gateway.ErrNotFound) || (err == nil && !p.operator && len(cps) == 0) {
		h.a.problem(w, r, problemNotFound("No remittance you may see has this id."))
		return
	}
	if err != nil {
		h.a.fail(w, r, "reading a remittance", err)
		return
	}
	if asCSV {
		var b bytes.Buffer
		if err := remit.WriteClaimPaymentsCSV(&b, cps); err != nil {
			h.a.fail(w, r, "writing remittance csv", err)
			return
		}
		writeCSVBytes(w, b.Bytes())
		return
	}
	d := remittanceDetail{remittanceView: viewRemittance(rem, p.operator), Claims: make([]claimPaymentView, len(cps))}
	for i, c := range cps {
		d.Claims[i] = h.viewClaimPayment(c)
	}
	if p.operator {
		d.ProviderAdjustments = make([]providerAdjustmentView, len(pas))
		for i, pa := range pas {
			d.ProviderAdjustments[i] = providerAdjustmentView{ProviderAdjustment: pa, ReasonLabel: remit.PLBLabel(pa.Reason)}
		}
	}
	h.a.writeJSON(w, r, http.StatusOK, d)
}

// upload is POST /v1/remittances?payer=ID[&name=FILE]: the body is the 835.
func (h *remitHandlers) upload(w http.ResponseWriter, r *http.Request, p principal) {
	if !h.operatorOnly(w, r, p) {
		return
	}
	payerID := strings.TrimSpace(r.URL.Query().Get("payer"))
	if payerID == "" {
		h.a.problem(w, r, problemQuery("payer is required: the payer that sent the 835"))
		return
	}
	if len(h.a.payers) > 0 {
		pp, ok := h.a.payers[strings.ToUpper(payerID)]
		if !ok {
			h.a.problem(w, r, problemQuery("payer is not a configured payer"))
			return
		}
		payerID = pp.ID
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRemittanceUploadBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.a.problem(w, r, problem{Title: "Content Too Large", Status: http.StatusRequestEntityTooLarge,
				Detail: "The 835 is larger than " + strconv.Itoa(MaxRemittanceUploadBytes>>20) + " MiB."})
			return
		}
		h.a.problem(w, r, problem{Title: "Bad Request", Status: http.StatusBadRequest, Detail: "The request body could not be read."})
		return
	}
	if len(body) == 0 {
		h.a.problem(w, r, problem{Title: "Bad Request", Status: http.StatusBadRequest, Detail: "The body must be the 835 file."})
		return
	}
	name := r.URL.Query().Get("name")
	res, err := h.svc.Upload(r.Context(), payerID, name, body)
	if err != nil {
		if errors.Is(err, gateway.ErrInvalid) {
			h.a.problem(w, r, problemQuery("the upload was refused: a payer and a non-empty file are required"))
			return
		}
		h.a.fail(w, r, "posting an uploaded 835", err)
		return
	}
	if res.Status == gateway.FileQuarantined {
		h.a.problem(w, r, problem{Type: TypeQuarantined, Title: "Remittance quarantined", Status: http.StatusUnprocessableEntity,
			Detail: "File " + strconv.FormatInt(res.FileID, 10) + " was archived but not posted: " + res.Reason})
		return
	}
	views := make([]remittanceView, len(res.Remittances))
	for i, rm := range res.Remittances {
		views[i] = viewRemittance(rm, true)
	}
	status := http.StatusCreated
	if res.AlreadyPosted {
		status = http.StatusOK
	}
	h.a.writeJSON(w, r, status, map[string]any{"file_id": res.FileID, "status": res.Status,
		"already_posted": res.AlreadyPosted, "remittances": views})
}

// match is POST /v1/remittances/{id}/claims/{n}/match {"claim_id": "..."}.
func (h *remitHandlers) match(w http.ResponseWriter, r *http.Request, p principal) {
	if !h.operatorOnly(w, r, p) {
		return
	}
	id, ok := h.remittanceID(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		h.a.problem(w, r, problemNotFound("No claim payment has this position."))
		return
	}
	var body struct {
		ClaimID string `json:"claim_id"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	if err := dec.Decode(&body); err != nil || strings.TrimSpace(body.ClaimID) == "" {
		h.a.problem(w, r, problem{Title: "Bad Request", Status: http.StatusBadRequest,
			Detail: `The body must be {"claim_id": "..."}.`})
		return
	}
	cp, err := h.svc.Match(r.Context(), id, n, body.ClaimID)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		h.a.problem(w, r, problemNotFound("The remittance, the claim payment or the claim does not exist."))
		return
	case errors.Is(err, gateway.ErrConflict):
		h.a.problem(w, r, problem{Title: "Conflict", Status: http.StatusConflict,
			Detail: "The claim payment is matched already, or the claim changed meanwhile."})
		return
	case errors.Is(err, gateway.ErrInvalid):
		h.a.problem(w, r, problem{Title: "Unprocessable Content", Status: http.StatusUnprocessableEntity,
			Detail: "The claim cannot take this payment: it is not a valid claim id or it was sent to another payer."})
		return
	case err != nil:
		h.a.fail(w, r, "matching a claim payment", err)
		return
	}
	h.a.writeJSON(w, r, http.StatusOK, h.viewClaimPayment(cp))
}

// reconciliation is GET /v1/reconciliation?from=&to=&payer=&format=.
func (h *remitHandlers) reconciliation(w http.ResponseWriter, r *http.Request, p principal) {
	if h.svc == nil {
		h.a.problem(w, r, problem{Type: TypeUnavailable, Title: "Service Unavailable", Status: http.StatusServiceUnavailable,
			Detail: "Remittance posting is not configured on this server."})
		return
	}
	q := r.URL.Query()
	asCSV, err := wantCSV(r)
	if err != nil {
		h.a.problem(w, r, problemQuery(err.Error()))
		return
	}
	f := gateway.ReconciliationFilter{From: q.Get("from"), To: q.Get("to"), PayerID: q.Get("payer")}
	if err := checkDates(f.From, f.To); err != nil {
		h.a.problem(w, r, problemQuery(err.Error()))
		return
	}
	if !p.operator {
		f.SubmitterID = p.submitter.ID
	}
	rec, err := h.svc.Reconcile(r.Context(), f, h.a.now())
	if errors.Is(err, gateway.ErrInvalid) {
		h.a.problem(w, r, problemQuery("from must not be after to"))
		return
	}
	if err != nil {
		h.a.fail(w, r, "reconciling", err)
		return
	}
	if asCSV {
		var b bytes.Buffer
		if err := rec.WriteCSV(&b); err != nil {
			h.a.fail(w, r, "writing reconciliation csv", err)
			return
		}
		writeCSVBytes(w, b.Bytes())
		return
	}
	h.a.writeJSON(w, r, http.StatusOK, rec)
}
