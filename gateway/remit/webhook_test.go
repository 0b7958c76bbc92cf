package remit

import (
	"encoding/json"
	"testing"

	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/gateway"
)

// TestPostingQueuesWebhooks: posting a payment queues, in the posting transaction,
// remittance.received for the submitter whose claims it pays, and claim.paid / claim.denied
// events whose payloads carry the adjustment and remark codes.
func TestPostingQueuesWebhooks(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		if err := e.store.SetSubmitterWebhook(e.ctx, e.sub.Name, "http://127.0.0.1:9/hook", "s3cret-s3cret-s3cret"); err != nil {
			t.Fatal(err)
		}
		paid := e.claim(svcLine{"99214", "2026-11-02", 15000})
		denied := e.claim(svcLine{"97530", "2026-11-02", 9000})
		line := svc("97530", denied.ID+"-1", "20261102", 9000, 0, cas("CO", "197", 9000))
		line.Remarks = []x835.Remark{{Qualifier: "HE", Code: "N54"}}
		dc := clp(denied.ID, "4", 9000, 0, 0, "PCN-D")
		dc.Lines = []x835.ServiceLine{line}
		e.post(e.x12(remittance("TRN-HOOK", []*x835.ClaimPayment{
			clp(paid.ID, "1", 15000, 12000, 0, "PCN-P", cas("CO", "45", 3000)), dc,
		})))
		page, err := e.store.ListWebhookDeliveries(e.ctx, gateway.WebhookDeliveryFilter{SubmitterID: e.sub.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		types := map[string]int{}
		for _, d := range page.Deliveries {
			types[d.Type]++
		}
		if types[gateway.EventRemittanceReceived] != 1 || types["claim.paid"] != 1 || types["claim.denied"] != 1 {
			t.Fatalf("deliveries by type = %v", types)
		}
		evs, err := e.store.ClaimEvents(e.ctx, denied.ID)
		if err != nil {
			t.Fatal(err)
		}
		var detail struct {
			Codes []string `json:"codes"`
		}
		if err := json.Unmarshal(evs[len(evs)-1].Detail, &detail); err != nil {
			t.Fatal(err)
		}
		if len(detail.Codes) != 2 || detail.Codes[0] != "CO-197" || detail.Codes[1] != "N54" {
			t.Fatalf("denied claim event codes = %v, want [CO-197 N54]", detail.Codes)
		}
	})
}
