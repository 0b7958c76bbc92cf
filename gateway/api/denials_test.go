package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/api"
	"github.com/claimgate/claimgate/gateway/intake"
)

// postClaim posts a fixture encounter with an external id and returns the claim id.
func postClaim(t *testing.T, e *env, token, fixture, ext string) string {
	t.Helper()
	enc := encounter(t, fixture)
	enc["external_id"] = ext
	r := e.post(token, mustJSON(t, enc))
	wantStatus(t, r, http.StatusCreated)
	return r.json(t)["id"].(string)
}

func addDenial(t *testing.T, s gateway.Store, claimID, ref, category, queue string) gateway.Denial {
	t.Helper()
	c, err := s.GetClaim(context.Background(), claimID, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, created, err := s.CreateDenial(context.Background(), gateway.Denial{ClaimID: c.ID, SubmitterID: c.SubmitterID, PayerID: c.PayerID,
		Source: gateway.DenialSource835, SourceRef: ref, Group: "CO", CARC: "197", RARCs: []string{"N54"}, Codes: []string{"CO-197", "N54"},
		Amount: 15000, Category: category, Queue: queue, Action: "correct_and_resubmit", DecidedBy: "carc:197",
		Reason: "CO-197: authorization missing. Find the authorization and resubmit."})
	if err != nil || !created {
		t.Fatalf("create denial: %v %v", created, err)
	}
	return d
}

func withOperator(token string) envOption {
	return func(c *api.Config) { c.OperatorTokenHash = gateway.HashToken(token) }
}

func TestDenialsAPI(t *testing.T) {
	const opToken = "operator-token-0123456789abcdef0123456789"
	forEachStore(t, func(t *testing.T, e *env) {
		ta, subA := e.submitter("a")
		tb, _ := e.submitter("b")
		ca := postClaim(t, e, ta, "prof_one_line", "A-1")
		cb := postClaim(t, e, tb, "prof_one_line", "B-1")
		d1 := addDenial(t, e.store, ca, "r1", "authorization", "authorization")
		d2 := addDenial(t, e.store, ca, "r2", "coding", "coding")
		d3 := addDenial(t, e.store, cb, "r3", "coding", "coding")

		wantStatus(t, e.call(http.MethodGet, "/v1/denials", "", nil), http.StatusUnauthorized)
		r := e.call(http.MethodGet, "/v1/denials", ta, nil)
		wantStatus(t, r, http.StatusOK)
		list := r.json(t)["denials"].([]any)
		if len(list) != 2 {
			t.Fatalf("a sees %d denials: %s", len(list), r.body)
		}
		first := list[0].(map[string]any)
		if first["id"] != float64(d2.ID) || first["amount"] != "150.00" || first["links"].(map[string]any)["claim"] != "/v1/claims/"+ca ||
			first["reason"] == "" || first["status"] != "open" {
			t.Fatalf("first denial: %v", first)
		}
		r = e.call(http.MethodGet, "/v1/denials?queue=coding&status=open&category=coding&payer=simpayer", ta, nil)
		wantStatus(t, r, http.StatusOK)
		if list := r.json(t)["denials"].([]any); len(list) != 1 || list[0].(map[string]any)["id"] != float64(d2.ID) {
			t.Fatalf("filtered: %s", r.body)
		}
		for _, q := range []string{"?status=closed", "?category=nope", "?queue=Bad%20Queue", "?limit=0", "?cursor=zz", "?sort=id", "?queue=a&queue=b"} {
			r = e.call(http.MethodGet, "/v1/denials"+q, ta, nil)
			wantStatus(t, r, http.StatusBadRequest)
			if r.json(t)["type"] != api.TypeInvalidQuery {
				t.Fatalf("%s: %s", q, r.body)
			}
		}
		// Paging one at a time.
		r = e.call(http.MethodGet, "/v1/denials?limit=1", ta, nil)
		wantStatus(t, r, http.StatusOK)
		next, _ := r.json(t)["links"].(map[string]any)["next"].(string)
		if next == "" {
			t.Fatalf("no next link: %s", r.body)
		}
		r = e.call(http.MethodGet, next, ta, nil)
		wantStatus(t, r, http.StatusOK)
		page := r.json(t)
		if l := page["denials"].([]any); len(l) != 1 || l[0].(map[string]any)["id"] != float64(d1.ID) || page["next_cursor"] != nil {
			t.Fatalf("second page: %s", r.body)
		}
		// The operator sees every submitter's denials.
		e2 := newEnv(t, e.store, withOperator(opToken))
		r = e2.call(http.MethodGet, "/v1/denials?queue=coding", opToken, nil)
		wantStatus(t, r, http.StatusOK)
		if l := r.json(t)["denials"].([]any); len(l) != 2 {
			t.Fatalf("operator sees %d coding denials", len(l))
		}

		// One denial: another submitter's is 404.
		wantStatus(t, e.call(http.MethodGet, "/v1/denials/"+strconv.FormatInt(d3.ID, 10), ta, nil), http.StatusNotFound)
		wantStatus(t, e.call(http.MethodGet, "/v1/denials/abc", ta, nil), http.StatusNotFound)
		r = e.call(http.MethodGet, "/v1/denials/"+strconv.FormatInt(d1.ID, 10), ta, nil)
		wantStatus(t, r, http.StatusOK)
		if m := r.json(t); m["queue"] != "authorization" || m["codes"].([]any)[0] != "CO-197" || m["source"] != "835" {
			t.Fatalf("denial: %s", r.body)
		}

		// Assign.
		path := "/v1/denials/" + strconv.FormatInt(d1.ID, 10)
		wantStatus(t, e.call(http.MethodPost, path+"/assign", ta, []byte(`{"who":"x"}`)), http.StatusBadRequest)
		wantStatus(t, e.call(http.MethodPost, path+"/assign", ta, []byte(`{}`)), http.StatusUnprocessableEntity)
		wantStatus(t, e.call(http.MethodPost, path+"/assign", tb, []byte(`{"assignee":"mallory"}`)), http.StatusNotFound)
		r = e.call(http.MethodPost, path+"/assign", ta, []byte(`{"assignee":"alice"}`))
		wantStatus(t, r, http.StatusOK)
		if m := r.json(t); m["status"] != "assigned" || m["assignee"] != "alice" {
			t.Fatalf("assigned: %s", r.body)
		}

		// Queues: counts and ages, every configured queue listed.
		r = e.call(http.MethodGet, "/v1/denials/queues", ta, nil)
		wantStatus(t, r, http.StatusOK)
		queues := map[string]map[string]any{}
		for _, q := range r.json(t)["queues"].([]any) {
			m := q.(map[string]any)
			queues[m["queue"].(string)] = m
		}
		if q := queues["authorization"]; q["assigned"] != float64(1) || q["open"] != float64(0) || q["unresolved"] != float64(1) {
			t.Fatalf("authorization queue: %v", q)
		}
		if q := queues["coding"]; q["open"] != float64(1) || q["oldest_age_seconds"] == nil {
			t.Fatalf("coding queue (a's only): %v", q)
		}
		if q, found := queues["credentialing"]; !found || q["unresolved"] != float64(0) {
			t.Fatalf("credentialing queue: %v", q)
		}
		wantStatus(t, e.call(http.MethodGet, "/v1/denials/queues?x=1", ta, nil), http.StatusBadRequest)

		// Resolve.
		wantStatus(t, e.call(http.MethodPost, path+"/resolve", ta, []byte(`{"resolution":"fixed"}`)), http.StatusUnprocessableEntity)
		wantStatus(t, e.call(http.MethodPost, path+"/resolve", ta, []byte(`{"resolution":"appealed","claim_id":"`+ca+`"}`)), http.StatusUnprocessableEntity)
		wantStatus(t, e.call(http.MethodPost, path+"/resolve", ta, []byte(`{"resolution":"corrected","claim_id":"`+cb+`"}`)), http.StatusUnprocessableEntity)
		r = e.call(http.MethodPost, path+"/resolve", ta, []byte(`{"resolution":"appealed","note":"appeal sent with the referral letter"}`))
		wantStatus(t, r, http.StatusOK)
		if m := r.json(t); m["status"] != "resolved" || m["resolution"] != "appealed" || m["resolution_note"] != "appeal sent with the referral letter" ||
			m["resolved_at"] == nil {
			t.Fatalf("resolved: %s", r.body)
		}
		r = e.call(http.MethodPost, path+"/resolve", ta, []byte(`{"resolution":"written_off"}`))
		wantStatus(t, r, http.StatusConflict)
		if r.json(t)["type"] != api.TypeDenialResolved {
			t.Fatalf("%s", r.body)
		}
		wantStatus(t, e.call(http.MethodPost, path+"/assign", ta, []byte(`{"assignee":"bob"}`)), http.StatusConflict)

		// The history: who did what, refused changes left out; only GET of one denial carries it.
		r = e.call(http.MethodGet, path, ta, nil)
		wantStatus(t, r, http.StatusOK)
		actor := "submitter:" + strconv.FormatInt(subA.ID, 10)
		var hist []string
		for _, h := range r.json(t)["history"].([]any) {
			m := h.(map[string]any)
			hist = append(hist, fmt.Sprintf("%v %v %v %v %v", m["seq"], m["action"], m["actor"], m["assignee"], m["resolution"]))
		}
		if want := []string{"1 assigned " + actor + " alice <nil>", "2 resolved " + actor + " <nil> appealed"}; fmt.Sprint(hist) != fmt.Sprint(want) {
			t.Fatalf("history %v, want %v", hist, want)
		}
		r = e.call(http.MethodGet, "/v1/denials?status=resolved", ta, nil)
		wantStatus(t, r, http.StatusOK)
		if l := r.json(t)["denials"].([]any); len(l) != 1 {
			t.Fatalf("resolved list: %s", r.body)
		}
	})
}

// storedSegments renders a stored claim's encounter as an 837 the way the batch will (intake
// ToClaim + x837) and returns its segments.
func storedSegments(t *testing.T, s gateway.Store, id string) []string {
	t.Helper()
	c, err := s.GetClaim(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := intake.DecodeEncounter(bytes.NewReader(c.Encounter))
	if err != nil {
		t.Fatal(err)
	}
	x, err := enc.ToClaim(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x837.Render(&buf, &x837.Interchange{
		Sender:   x837.Sender{ISAQualifier: "ZZ", ISAID: "CLAIMGATE01", GSID: "CLAIMGATE01", Name: "CLAIMGATE", Contact: x837.Contact{Name: "EDI", Email: "edi@claimgate.invalid"}},
		Receiver: x837.Receiver{ISAQualifier: "ZZ", ISAID: "SIMPAYER", GSID: "SIMPAYER", Name: "SIMULATED HEALTH PLAN"},
		Usage:    "T", ControlNumbers: x837.ControlNumbers{ISA: 1, GS: 1, ST: 1}, Time: testNow, Claims: []x837.Claim{x},
	}); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, seg := range strings.Split(buf.String(), "~") {
		if seg = strings.TrimSpace(seg); seg != "" {
			out = append(out, seg)
		}
	}
	return out
}

func findSegment(segs []string, prefix string) string {
	for _, s := range segs {
		if strings.HasPrefix(s, prefix) {
			return s
		}
	}
	return ""
}

func TestReplaceAndVoid(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ta, _ := e.submitter("a")
		tb, _ := e.submitter("b")
		orig := postClaim(t, e, ta, "prof_one_line", "ENC-1")
		corrected := encounter(t, "prof_one_line")
		corrected["external_id"] = "ENC-1-R1"
		lines := corrected["claim"].(map[string]any)["service_lines"].([]any)
		lines[0].(map[string]any)["modifiers"] = []any{"25"}
		body := mustJSON(t, corrected)

		// Before the payer's claim number: 409, resubmit as a new original claim.
		for _, p := range []string{"/replace", "/void"} {
			r := e.call(http.MethodPost, "/v1/claims/"+orig+p, ta, body)
			wantStatus(t, r, http.StatusConflict)
			m := r.json(t)
			if m["type"] != api.TypeNoPayerClaimNumber || !strings.Contains(m["detail"].(string), "new original claim") {
				t.Fatalf("%s: %s", p, r.body)
			}
		}
		// The payer accepts the claim (277CA REF*1K) and denies it.
		for _, st := range []gateway.ClaimStatus{gateway.StatusBatched, gateway.StatusSubmitted, gateway.StatusAccepted277, gateway.StatusDenied} {
			ev := gateway.EventInput{Source: "test"}
			if st == gateway.StatusAccepted277 {
				ev.PayerClaimNumber = "SIM20261120000042"
			}
			if _, err := e.store.TransitionClaim(ctx, orig, st, ev); err != nil {
				t.Fatal(err)
			}
		}
		den := addDenial(t, e.store, orig, "r1", "coding", "coding")

		wantStatus(t, e.call(http.MethodPost, "/v1/claims/"+orig+"/replace", tb, body), http.StatusNotFound)
		same := encounter(t, "prof_one_line")
		same["external_id"] = "ENC-1"
		r := e.call(http.MethodPost, "/v1/claims/"+orig+"/replace", ta, mustJSON(t, same))
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if errs := r.json(t)["errors"].([]any); errs[0].(map[string]any)["pointer"] != "/external_id" {
			t.Fatalf("%s", r.body)
		}
		wantStatus(t, e.call(http.MethodPost, "/v1/claims/"+orig+"/replace", ta, []byte(`{"external_id":`)), http.StatusBadRequest)

		r = e.call(http.MethodPost, "/v1/claims/"+orig+"/replace", ta, body, "Idempotency-Key", "fix-enc-1")
		wantStatus(t, r, http.StatusCreated)
		repl := r.json(t)
		replID := repl["id"].(string)
		if repl["frequency"] != "replacement" || repl["replaces_claim_id"] != orig || r.header.Get("Location") != "/v1/claims/"+replID {
			t.Fatalf("replacement: %s", r.body)
		}
		segs := storedSegments(t, e.store, replID)
		if clm := strings.Split(findSegment(segs, "CLM*"), "*"); len(clm) < 6 || clm[5] != "11:B:7" {
			t.Fatalf("replacement CLM: %v", clm)
		}
		if got := findSegment(segs, "REF*F8*"); got != "REF*F8*SIM20261120000042" {
			t.Fatalf("replacement REF*F8: %q", got)
		}
		if got := findSegment(segs, "SV1*"); !strings.Contains(got, ":25") {
			t.Fatalf("the correction is not in the 837: %q", got)
		}

		r = e.call(http.MethodPost, "/v1/claims/"+orig+"/void", ta, nil)
		wantStatus(t, r, http.StatusCreated)
		void := r.json(t)
		voidID := void["id"].(string)
		if void["frequency"] != "void" || void["replaces_claim_id"] != orig || void["external_id"] != "ENC-1-VOID" {
			t.Fatalf("void: %s", r.body)
		}
		segs = storedSegments(t, e.store, voidID)
		if clm := strings.Split(findSegment(segs, "CLM*"), "*"); len(clm) < 6 || clm[5] != "11:B:8" {
			t.Fatalf("void CLM: %v", clm)
		}
		if got := findSegment(segs, "REF*F8*"); got != "REF*F8*SIM20261120000042" {
			t.Fatalf("void REF*F8: %q", got)
		}
		// A second void answers the first.
		r = e.call(http.MethodPost, "/v1/claims/"+orig+"/void", ta, nil)
		wantStatus(t, r, http.StatusOK)
		if r.json(t)["id"] != voidID {
			t.Fatalf("second void: %s", r.body)
		}

		// The denial is resolved by the replacement.
		r = e.call(http.MethodPost, "/v1/denials/"+strconv.FormatInt(den.ID, 10)+"/resolve", ta,
			[]byte(`{"resolution":"corrected","note":"modifier 25 added","claim_id":"`+strings.ToLower(replID)+`"}`))
		wantStatus(t, r, http.StatusOK)
		if m := r.json(t); m["resolved_by_claim_id"] != replID {
			t.Fatalf("resolved: %s", r.body)
		}

		// A claim that is replaced already cannot be corrected again.
		if _, err := e.store.TransitionClaim(ctx, orig, gateway.StatusReplaced, gateway.EventInput{Source: "test"}); err != nil {
			t.Fatal(err)
		}
		r = e.call(http.MethodPost, "/v1/claims/"+orig+"/void", ta, nil)
		wantStatus(t, r, http.StatusConflict)
		if r.json(t)["type"] != api.TypeClaimFinal {
			t.Fatalf("%s", r.body)
		}
		// A retry of the replacement under its Idempotency-Key still gets the first answer.
		r = e.call(http.MethodPost, "/v1/claims/"+orig+"/replace", ta, body, "Idempotency-Key", "fix-enc-1")
		wantStatus(t, r, http.StatusCreated)
		if r.json(t)["id"] != replID || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replayed replacement: %s", r.body)
		}
	})
}
