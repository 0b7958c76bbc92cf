package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/payers"
)

// payerView is a payer as any authenticated caller may see it: never its SFTP settings.
type payerView struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	ClaimTypes []string     `json:"claim_types"`
	Usage      string       `json:"usage"`
	Schedules  schedules    `json:"schedules"`
	Edits      payers.Edits `json:"edits"`
}

type schedules struct {
	Submit string `json:"submit"`
	Poll   string `json:"poll"`
}

func (a *API) configuredPayers() []payers.Payer {
	if a.ops != nil {
		return a.ops.Payers()
	}
	return a.payerList
}

// listPayers is GET /v1/payers.
func (a *API) listPayers(w http.ResponseWriter, r *http.Request) {
	list := a.configuredPayers()
	out := make([]payerView, len(list))
	for i, p := range list {
		types := p.ClaimTypes
		if len(types) == 0 {
			types = []string{intake.Professional, intake.Institutional}
		}
		out[i] = payerView{ID: p.ID, Name: p.Name, ClaimTypes: types, Usage: p.ISAUsage(),
			Schedules: schedules{Submit: p.Submit, Poll: p.Poll}, Edits: p.Edits}
	}
	a.writeJSON(w, r, http.StatusOK, struct {
		Payers []payerView `json:"payers"`
	}{out})
}

// submitNow is POST /v1/payers/{id}/submit-now (operator).
func (a *API) submitNow(w http.ResponseWriter, r *http.Request) {
	a.payerOp(w, r, "submit", func(ctx context.Context, id string) (int64, error) { return a.ops.SubmitNow(ctx, id) })
}

// pollNow is POST /v1/payers/{id}/poll-now (operator).
func (a *API) pollNow(w http.ResponseWriter, r *http.Request) {
	a.payerOp(w, r, "poll", func(ctx context.Context, id string) (int64, error) { return a.ops.PollNow(ctx, id) })
}

func (a *API) payerOp(w http.ResponseWriter, r *http.Request, op string, call func(ctx context.Context, payerID string) (int64, error)) {
	if a.ops == nil {
		a.problem(w, r, problem{Type: TypeUnavailable, Title: "Service Unavailable", Status: http.StatusServiceUnavailable,
			Detail: "payer operations are not available in this gateway"})
		return
	}
	id := r.PathValue("id")
	var payerID string
	for _, p := range a.ops.Payers() {
		if strings.EqualFold(p.ID, id) {
			payerID = p.ID
			break
		}
	}
	if payerID == "" {
		a.problem(w, r, problemNotFound("No configured payer has this id; GET /v1/payers lists them."))
		return
	}
	jobID, err := call(r.Context(), payerID)
	if err != nil {
		if errors.Is(err, gateway.ErrNotFound) {
			a.problem(w, r, problemNotFound("No configured payer has this id; GET /v1/payers lists them."))
			return
		}
		a.fail(w, r, op+"-now", err)
		return
	}
	a.log.Info("payer operation requested", "op", op, "payer_id", payerID, "job_id", jobID, "request_id", requestID(r))
	a.writeJSON(w, r, http.StatusAccepted, struct {
		JobID   int64  `json:"job_id"`
		PayerID string `json:"payer_id"`
		Op      string `json:"operation"`
		Detail  string `json:"detail"`
	}{jobID, payerID, op, "Job " + strconv.FormatInt(jobID, 10) + " will " + op + " for payer " + payerID + " shortly."})
}
