package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/remit"
)

var (
	payerIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)
	cursorRe  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)
	queueRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)
)

// pageSize is the rows of one page of a list.
const pageSize = 50

// overview lists at most this many remittances and webhook failures.
const overviewRows = 10

const staleCursorHelp = "This page link is out of date or was changed by hand. Go back to the first page of the list and page forward again."

// ---- overview ----

type stalePayer struct {
	PayerID      string
	Waiting999   int
	Waiting277CA int
}

type queueRow struct {
	Queue      string
	Open       int
	Assigned   int
	Unresolved int
	OldestAge  string
}

type overviewData struct {
	Stale          []stalePayer
	StaleAfter999  string
	StaleAfter277  string
	Queues         []queueRow
	Remittances    []gateway.Remittance
	Failures       []gateway.WebhookDelivery
	StaleTotal     int
	UnresolvedSum  int
	FailuresListed bool
}

// overview is GET /ui/.
func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := d.now()
	cut := d.stale.Filter(now)
	counts, err := d.store.CountStaleClaims(ctx, cut.SubmittedBefore, cut.AcceptedBefore)
	if err != nil {
		d.fail(w, r, "counting stale claims", err)
		return
	}
	out := overviewData{StaleAfter999: age(now.Sub(cut.SubmittedBefore)), StaleAfter277: age(now.Sub(cut.AcceptedBefore)),
		FailuresListed: true}
	byPayer := map[string]*stalePayer{}
	for _, c := range counts {
		sp := byPayer[c.PayerID]
		if sp == nil {
			sp = &stalePayer{PayerID: c.PayerID}
			byPayer[c.PayerID] = sp
		}
		switch c.WaitingFor {
		case gateway.Waiting999:
			sp.Waiting999 += c.Count
		case gateway.Waiting277CA:
			sp.Waiting277CA += c.Count
		}
		out.StaleTotal += c.Count
	}
	for _, sp := range byPayer {
		out.Stale = append(out.Stale, *sp)
	}
	sort.Slice(out.Stale, func(i, j int) bool { return out.Stale[i].PayerID < out.Stale[j].PayerID })

	stats, err := d.store.DenialQueueStats(ctx, 0)
	if err != nil {
		d.fail(w, r, "reading denial queue stats", err)
		return
	}
	byQueue := map[string]queueRow{}
	for _, q := range d.codes.Queues() {
		byQueue[q] = queueRow{Queue: q}
	}
	for _, s := range stats {
		row := queueRow{Queue: s.Queue, Open: s.Open, Assigned: s.Assigned, Unresolved: s.Open + s.Assigned}
		if s.OldestAt != nil {
			row.OldestAge = age(now.Sub(*s.OldestAt))
		}
		byQueue[s.Queue] = row
		out.UnresolvedSum += row.Unresolved
	}
	for _, q := range byQueue {
		out.Queues = append(out.Queues, q)
	}
	sort.Slice(out.Queues, func(i, j int) bool { return out.Queues[i].Queue < out.Queues[j].Queue })

	if out.Remittances, err = d.store.ListRemittances(ctx, gateway.RemittanceFilter{Limit: overviewRows}); err != nil {
		d.fail(w, r, "listing remittances", err)
		return
	}
	fails, err := d.store.ListWebhookDeliveries(ctx, gateway.WebhookDeliveryFilter{State: gateway.WebhookFailed, Limit: overviewRows})
	if err != nil {
		d.fail(w, r, "listing failed webhook deliveries", err)
		return
	}
	out.Failures = fails.Deliveries
	d.render(w, r, http.StatusOK, "overview", page{Title: "Overview", Nav: "overview", LoggedIn: true, Data: out})
}

// ---- claims ----

type claimsData struct {
	Status   string
	Statuses []gateway.ClaimStatus
	Claims   []gateway.Claim
	Next     string
}

// claims is GET /ui/claims?id= (lookup) or ?status=&cursor= (the latest claims).
func (d *Dashboard) claims(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if raw, ok := q["id"]; ok {
		id := gateway.NormalizeClaimID(raw[0])
		if !gateway.ValidClaimID(id) {
			d.badRequest(w, r, "A claim id is up to 17 letters and digits, like 01M829KPGHBEMNS71, as the API returned it when the encounter was sent. Check the id and look it up again.")
			return
		}
		http.Redirect(w, r, "/ui/claims/"+id, http.StatusSeeOther)
		return
	}
	f := gateway.ClaimFilter{Limit: pageSize}
	out := claimsData{Statuses: gateway.ClaimStatuses}
	if v := q.Get("status"); v != "" {
		if !gateway.ClaimStatus(v).Valid() {
			d.badRequest(w, r, "The claim status in this address is not one claimgate uses. Pick a status from the list.")
			return
		}
		f.Status, out.Status = gateway.ClaimStatus(v), v
	}
	if f.Cursor = q.Get("cursor"); f.Cursor != "" && !cursorRe.MatchString(f.Cursor) {
		d.badRequest(w, r, staleCursorHelp)
		return
	}
	pg, err := d.store.ListClaims(r.Context(), f)
	if errors.Is(err, gateway.ErrInvalid) {
		d.badRequest(w, r, staleCursorHelp)
		return
	}
	if err != nil {
		d.fail(w, r, "listing claims", err)
		return
	}
	out.Claims = pg.Claims
	if pg.Next != "" {
		out.Next = query("/ui/claims", "status", out.Status, "cursor", pg.Next)
	}
	d.render(w, r, http.StatusOK, "claims", page{Title: "Claims", Nav: "claims", LoggedIn: true, Data: out})
}

type paymentView struct {
	RemittanceID     int64
	Seq              int
	StatusCode       string
	StatusLabel      string
	Charge, Paid     edi.Amount
	PatientResp      edi.Amount
	PayerClaimNumber string
	MatchedBy        string
	Result           string
	Note             string
	Adjustments      []adjustmentView
	Remarks          []codeLabel
	Lines            []lineView
	Unmatched        bool
	Reversal         bool
	ServiceDate      string
	ClaimID          string
}

type lineView struct {
	Seq, LineNumber int
	Procedure       string
	Modifiers       []string
	ServiceDate     string
	Units           string
	Charge, Paid    edi.Amount
	Allowed         edi.Amount
	Adjustments     []adjustmentView
	Remarks         []codeLabel
}

type denialRow struct {
	gateway.Denial
	CARCLabel  string
	RARCLabels []codeLabel
	// Back is the page the row's action forms return to (this page).
	Back string
	// History is the work on the denial (the claim page only).
	History []gateway.DenialEvent
}

type claimData struct {
	Claim     gateway.Claim
	Submitter string
	Events    []gateway.ClaimEvent
	Acks      []gateway.ClaimAcknowledgment
	Payments  []paymentView
	Denials   []denialRow
	TotalPaid edi.Amount
}

// claim is GET /ui/claims/{id}.
func (d *Dashboard) claim(w http.ResponseWriter, r *http.Request) {
	id := gateway.NormalizeClaimID(r.PathValue("id"))
	if !gateway.ValidClaimID(id) {
		d.notFound(w, r, "No claim has this id. Claim ids are up to 17 letters and digits; look the claim up from the Claims page.")
		return
	}
	ctx := r.Context()
	var out claimData
	err := d.store.WithTx(ctx, func(tx gateway.Tx) error {
		c, err := tx.GetClaim(ctx, id, 0)
		if err != nil {
			return err
		}
		c.Encounter = nil // never rendered: it holds the patient's data
		out.Claim = c
		if s, err := tx.GetSubmitter(ctx, c.SubmitterID); err == nil {
			out.Submitter = s.Name
		} else if !errors.Is(err, gateway.ErrNotFound) {
			return err
		}
		if out.Events, err = tx.ClaimEvents(ctx, c.ID); err != nil {
			return err
		}
		if out.Acks, err = tx.ClaimAcknowledgments(ctx, c.ID); err != nil {
			return err
		}
		cps, err := tx.ClaimPaymentsForClaim(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, cp := range cps {
			out.Payments = append(out.Payments, d.paymentView(cp))
			out.TotalPaid += cp.Paid
		}
		f := gateway.DenialFilter{ClaimID: c.ID, Limit: 1000}
		for {
			pg, err := tx.ListDenials(ctx, f)
			if err != nil {
				return err
			}
			for _, dn := range pg.Denials {
				row := d.denialRow(dn, "/ui/claims/"+c.ID)
				if row.History, err = tx.DenialHistory(ctx, dn.ID, 0); err != nil {
					return err
				}
				out.Denials = append(out.Denials, row)
			}
			if pg.Next == "" {
				return nil
			}
			f.Cursor = pg.Next
		}
	})
	if errors.Is(err, gateway.ErrNotFound) {
		d.notFound(w, r, "No claim has the id "+id+". Check the id; claim ids are the ones the API returned when the encounter was sent.")
		return
	}
	if err != nil {
		d.fail(w, r, "reading a claim", err, "claim_id", id)
		return
	}
	d.render(w, r, http.StatusOK, "claim", page{Title: "Claim " + id, Nav: "claims", LoggedIn: true, Data: out})
}

func (d *Dashboard) adjustments(as []gateway.RemitAdjustment, rarcs []string) []adjustmentView {
	out := make([]adjustmentView, len(as))
	for i, a := range as {
		gl, _ := codes.GroupLabel(a.Group)
		out[i] = adjustmentView{Group: a.Group, GroupLabel: gl, Reason: a.Reason, ReasonLabel: d.carcLabel(a.Reason),
			Kind: string(d.codes.Classify(a.Group, a.Reason, rarcs).Kind), Amount: a.Amount}
	}
	return out
}

func remarkCodes(rs []gateway.RemitRemark) []string {
	out := make([]string, len(rs))
	for i, rm := range rs {
		out[i] = rm.Code
	}
	return out
}

// paymentView is a claim payment without its patient fields (name, member id).
func (d *Dashboard) paymentView(cp gateway.ClaimPayment) paymentView {
	rarcs := remarkCodes(cp.Remarks)
	v := paymentView{RemittanceID: cp.RemittanceID, Seq: cp.Seq, StatusCode: cp.StatusCode, Charge: cp.Charge, Paid: cp.Paid,
		PatientResp: cp.PatientResponsibility, PayerClaimNumber: cp.PayerClaimNumber, MatchedBy: string(cp.MatchedBy),
		Result: string(cp.Result), Note: cp.Note, Adjustments: d.adjustments(cp.Adjustments, rarcs),
		Remarks: d.rarcLabels(rarcs), Unmatched: cp.ClaimID == "", Reversal: cp.Reversal, ServiceDate: cp.ServiceDate,
		ClaimID: cp.ClaimID}
	if s, ok := codes.CLP02(cp.StatusCode); ok {
		v.StatusLabel = s.Label
	}
	for _, l := range cp.Lines {
		lr := remarkCodes(l.Remarks)
		v.Lines = append(v.Lines, lineView{Seq: l.Seq, LineNumber: l.LineNumber, Procedure: l.Procedure, Modifiers: l.Modifiers,
			ServiceDate: l.ServiceDate, Units: l.Units, Charge: l.Charge, Paid: l.Paid, Allowed: l.Allowed,
			Adjustments: d.adjustments(l.Adjustments, append(lr, rarcs...)), Remarks: d.rarcLabels(lr)})
	}
	return v
}

func (d *Dashboard) denialRow(dn gateway.Denial, back string) denialRow {
	return denialRow{Denial: dn, CARCLabel: d.carcLabel(dn.CARC), RARCLabels: d.rarcLabels(dn.RARCs), Back: back}
}

// ---- denials ----

type denialsData struct {
	Queue, Category, Status string
	Categories              []codes.Category
	Queues                  []string
	Statuses                []string
	Denials                 []denialRow
	Next                    string
	Filtered                bool
}

// denials is GET /ui/denials?queue=&category=&status=&cursor=.
func (d *Dashboard) denials(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out := denialsData{Categories: codes.Categories, Queues: d.codes.Queues(),
		Statuses: []string{gateway.DenialOpen, gateway.DenialAssigned, gateway.DenialResolved}}
	f := gateway.DenialFilter{Limit: pageSize}
	if v := q.Get("queue"); v != "" {
		if !queueRe.MatchString(v) {
			d.badRequest(w, r, "The work queue in this address is not a queue name. Pick a queue from the list.")
			return
		}
		f.Queue, out.Queue = v, v
	}
	if v := q.Get("category"); v != "" {
		if _, err := codes.ParseCategory(v); err != nil {
			d.badRequest(w, r, "The denial category in this address is not one claimgate uses. Pick a category from the list.")
			return
		}
		f.Category, out.Category = v, v
	}
	if v := q.Get("status"); v != "" {
		if !gateway.ValidDenialStatus(v) {
			d.badRequest(w, r, "A denial's status is open, assigned or resolved. Pick one from the list.")
			return
		}
		f.Status, out.Status = v, v
	}
	out.Filtered = f.Queue != "" || f.Category != "" || f.Status != ""
	if f.Cursor = q.Get("cursor"); f.Cursor != "" && !cursorRe.MatchString(f.Cursor) {
		d.badRequest(w, r, staleCursorHelp)
		return
	}
	pg, err := d.store.ListDenials(r.Context(), f)
	if errors.Is(err, gateway.ErrInvalid) {
		d.badRequest(w, r, staleCursorHelp)
		return
	}
	if err != nil {
		d.fail(w, r, "listing denials", err)
		return
	}
	back := query("/ui/denials", "queue", out.Queue, "category", out.Category, "status", out.Status, "cursor", f.Cursor)
	for _, dn := range pg.Denials {
		out.Denials = append(out.Denials, d.denialRow(dn, back))
	}
	if pg.Next != "" {
		out.Next = query("/ui/denials", "queue", out.Queue, "category", out.Category, "status", out.Status, "cursor", pg.Next)
	}
	d.render(w, r, http.StatusOK, "denials", page{Title: "Denials", Nav: "denials", LoggedIn: true, Data: out})
}

// ---- remittances ----

type remittancesData struct {
	Remittances []gateway.Remittance
	Next        string
}

// remittances is GET /ui/remittances?before=.
func (d *Dashboard) remittances(w http.ResponseWriter, r *http.Request) {
	f := gateway.RemittanceFilter{Limit: pageSize}
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			d.badRequest(w, r, staleCursorHelp)
			return
		}
		f.BeforeID = n
	}
	rems, err := d.store.ListRemittances(r.Context(), f)
	if err != nil {
		d.fail(w, r, "listing remittances", err)
		return
	}
	out := remittancesData{Remittances: rems}
	if len(rems) == f.Limit {
		out.Next = query("/ui/remittances", "before", strconv.FormatInt(rems[len(rems)-1].ID, 10))
	}
	d.render(w, r, http.StatusOK, "remittances", page{Title: "Remittances", Nav: "remittances", LoggedIn: true, Data: out})
}

type plbView struct {
	gateway.ProviderAdjustment
	Label string
}

// remittancePageSize is how many claim payments a page of a remittance shows: a large payer's
// 835 pays tens of thousands of claims.
const remittancePageSize = 100

type remittanceData struct {
	Remittance gateway.Remittance
	// Payments are the claim payments shown: all of them when the remittance fits on one
	// page; otherwise the matched ones of the page From..To, after every Unmatched one.
	Payments   []paymentView
	Paged      bool
	Unmatched  []paymentView
	From, To   int
	Prev, Next string
	PLBs       []plbView
}

// remittance is GET /ui/remittances/{id}.
func (d *Dashboard) remittance(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		d.notFound(w, r, "No remittance has this id. Open remittances from the Remittances page.")
		return
	}
	from := 1
	if v := r.URL.Query().Get("from"); v != "" {
		if from, err = strconv.Atoi(v); err != nil || from < 1 {
			d.badRequest(w, r, "The page of claim payments in this address is not a position in the remittance. Open the remittance again from the Remittances page.")
			return
		}
	}
	ctx := r.Context()
	var out remittanceData
	err = d.store.WithTx(ctx, func(tx gateway.Tx) error {
		var err error
		if out.Remittance, err = tx.GetRemittance(ctx, id); err != nil {
			return err
		}
		var cps []gateway.ClaimPayment
		if n := out.Remittance.ClaimCount; n <= remittancePageSize {
			if cps, err = tx.ClaimPayments(ctx, id, 0); err != nil {
				return err
			}
		} else {
			out.Paged, out.From, out.To = true, min(from, n), min(from+remittancePageSize-1, n)
			path := "/ui/remittances/" + strconv.FormatInt(id, 10)
			if out.From > 1 {
				out.Prev = query(path, "from", strconv.Itoa(max(1, out.From-remittancePageSize)))
			}
			if out.To < n {
				out.Next = query(path, "from", strconv.Itoa(out.To+1))
			}
			unmatched, err := tx.UnmatchedClaimPayments(ctx, id)
			if err != nil {
				return err
			}
			for _, cp := range unmatched {
				out.Unmatched = append(out.Unmatched, d.paymentView(cp))
			}
			if cps, err = tx.ClaimPaymentsInRange(ctx, id, out.From, out.To); err != nil {
				return err
			}
		}
		for _, cp := range cps {
			if out.Paged && cp.ClaimID == "" {
				continue // listed with the unmatched ones
			}
			out.Payments = append(out.Payments, d.paymentView(cp))
		}
		pas, err := tx.ProviderAdjustments(ctx, id)
		for _, pa := range pas {
			out.PLBs = append(out.PLBs, plbView{ProviderAdjustment: pa, Label: plbLabel(pa.Reason)})
		}
		return err
	})
	if errors.Is(err, gateway.ErrNotFound) {
		d.notFound(w, r, "No remittance has the id "+strconv.FormatInt(id, 10)+". Open remittances from the Remittances page.")
		return
	}
	if err != nil {
		d.fail(w, r, "reading a remittance", err, "remittance_id", id)
		return
	}
	d.render(w, r, http.StatusOK, "remittance", page{Title: "Remittance " + strconv.FormatInt(id, 10), Nav: "remittances",
		LoggedIn: true, Data: out})
}

// ---- reconciliation ----

type agingRow struct {
	Name   string
	Bucket remit.AgingBucket
}

type reconPayer struct {
	remit.PayerReconciliation
	Aging                     []agingRow
	BalancedKnown, IsBalanced bool
}

type reconciliationData struct {
	From, To, Payer string
	AsOf            string
	Payers          []reconPayer
	CSV             string
}

// reconciliationFilter reads ?from=&to=&payer=; ok is false once it has answered 400.
func (d *Dashboard) reconciliationFilter(w http.ResponseWriter, r *http.Request) (gateway.ReconciliationFilter, bool) {
	q := r.URL.Query()
	f := gateway.ReconciliationFilter{From: q.Get("from"), To: q.Get("to"), PayerID: q.Get("payer")}
	for _, v := range []string{f.From, f.To} {
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			d.badRequest(w, r, "The from and to dates must be written year-month-day, for example 2026-11-01. Correct the dates and try again.")
			return f, false
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		d.badRequest(w, r, "The from date is after the to date. Swap them, or correct one, and try again.")
		return f, false
	}
	if f.PayerID != "" && !payerIDRe.MatchString(f.PayerID) {
		d.badRequest(w, r, "The payer in this address is not a payer id (letters, digits, '.', '_' or '-', like SIMPAYER).")
		return f, false
	}
	if d.recon == nil {
		d.message(w, r, http.StatusServiceUnavailable, "Reconciliation unavailable",
			"Remittance posting is not configured on this server, so there is nothing to reconcile.")
		return f, false
	}
	return f, true
}

func (d *Dashboard) reconcile(w http.ResponseWriter, r *http.Request) (remit.Reconciliation, gateway.ReconciliationFilter, bool) {
	f, ok := d.reconciliationFilter(w, r)
	if !ok {
		return remit.Reconciliation{}, f, false
	}
	rec, err := d.recon.Reconcile(r.Context(), f, d.now())
	if errors.Is(err, gateway.ErrInvalid) {
		d.badRequest(w, r, "The from and to dates must be written year-month-day, with from not after to.")
		return rec, f, false
	}
	if err != nil {
		d.fail(w, r, "reconciling", err)
		return rec, f, false
	}
	return rec, f, true
}

// reconciliation is GET /ui/reconciliation?from=&to=&payer=.
func (d *Dashboard) reconciliation(w http.ResponseWriter, r *http.Request) {
	rec, f, ok := d.reconcile(w, r)
	if !ok {
		return
	}
	out := reconciliationData{From: f.From, To: f.To, Payer: f.PayerID, AsOf: rec.AsOf,
		CSV: query("/ui/reconciliation.csv", "from", f.From, "to", f.To, "payer", f.PayerID)}
	for _, p := range rec.Payers {
		out.Payers = append(out.Payers, reconPayer{PayerReconciliation: p, Aging: []agingRow{
			{"0–30 days", p.Aging.Days0To30}, {"31–60 days", p.Aging.Days31To60}, {"61–90 days", p.Aging.Days61To90},
			{"91–120 days", p.Aging.Days91To120}, {"over 120 days", p.Aging.Over120},
		}, BalancedKnown: p.Balanced != nil, IsBalanced: p.Balanced != nil && *p.Balanced})
	}
	d.render(w, r, http.StatusOK, "reconciliation", page{Title: "Reconciliation", Nav: "reconciliation", LoggedIn: true, Data: out})
}

// reconciliationCSV is GET /ui/reconciliation.csv?from=&to=&payer=: the API's CSV
// (remit.Reconciliation.WriteCSV) as a download.
func (d *Dashboard) reconciliationCSV(w http.ResponseWriter, r *http.Request) {
	rec, f, ok := d.reconcile(w, r)
	if !ok {
		return
	}
	var b bytes.Buffer
	if err := rec.WriteCSV(&b); err != nil {
		d.fail(w, r, "writing reconciliation csv", err)
		return
	}
	name := "claimgate-reconciliation"
	for _, part := range []string{f.PayerID, f.From, f.To} {
		if part != "" {
			name += "-" + part
		}
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+url.PathEscape(name)+`.csv"`)
	_, _ = w.Write(b.Bytes())
}
