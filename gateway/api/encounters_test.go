package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/api"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/payers"
)

func TestPostEncounterAccepted(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, sub := e.submitter("lakeside-ehr")
		body := oneLine(t)
		r := e.post(token, body)
		wantStatus(t, r, http.StatusCreated)
		c := r.json(t)
		id, _ := c["id"].(string)
		if !gateway.ValidClaimID(id) || len(id) != gateway.ClaimIDLen {
			t.Fatalf("claim id %q", id)
		}
		if loc := r.header.Get("Location"); loc != "/v1/claims/"+id {
			t.Fatalf("Location %q", loc)
		}
		if c["status"] != "queued" || c["total_charge"] != "150.00" || c["line_count"] != float64(1) ||
			c["external_id"] != "ENC-2026-000101" || c["claim_type"] != "professional" || c["frequency"] != "original" {
			t.Fatalf("201 body %s", r.body)
		}
		if p, _ := c["payer"].(map[string]any); p["id"] != "SIMPAYER" {
			t.Fatalf("payer %v", c["payer"])
		}
		links, _ := c["links"].(map[string]any)
		if links["self"] != "/v1/claims/"+id || links["events"] != "/v1/claims/"+id+"/events" {
			t.Fatalf("links %v", links)
		}

		// Stored: the canonical encounter, CLM02, one event queued from nothing, in the same write.
		stored, err := e.store.GetClaim(context.Background(), id, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := intake.DecodeEncounter(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		canonical, _ := enc.MarshalCanonical()
		if string(stored.Encounter) != string(canonical) || stored.ContentHash != gateway.SHA256Hex(canonical) ||
			stored.TotalCharge != 15000 || stored.Status != gateway.StatusQueued || stored.PayerID != "SIMPAYER" {
			t.Fatalf("stored claim %+v", stored)
		}

		// GET /v1/claims/{id}: the claim, its events, and empty arrays for what comes later.
		g := e.call(http.MethodGet, "/v1/claims/"+strings.ToLower(id), token, nil)
		wantStatus(t, g, http.StatusOK)
		d := g.json(t)
		if d["id"] != id || d["status"] != "queued" {
			t.Fatalf("detail %s", g.body)
		}
		evs, _ := d["events"].([]any)
		if len(evs) != 1 {
			t.Fatalf("events %v", d["events"])
		}
		ev := evs[0].(map[string]any)
		if ev["seq"] != float64(1) || ev["from"] != "" || ev["to"] != "queued" || ev["source"] != "intake" {
			t.Fatalf("first event %v", ev)
		}
		for _, k := range []string{"acknowledgments", "payments", "denials"} {
			if a, ok := d[k].([]any); !ok || len(a) != 0 {
				t.Fatalf("%s = %v, want []", k, d[k])
			}
		}
		if encJSON, _ := json.Marshal(d["encounter"]); !strings.Contains(string(encJSON), `"external_id":"ENC-2026-000101"`) {
			t.Fatalf("encounter %s", encJSON)
		}
		ge := e.call(http.MethodGet, "/v1/claims/"+id+"/events", token, nil)
		wantStatus(t, ge, http.StatusOK)
		if m := ge.json(t); m["claim_id"] != id || len(m["events"].([]any)) != 1 {
			t.Fatalf("events answer %s", ge.body)
		}

		if got := e.counter("claimgate_encounters_total", "result", "accepted"); got != 1 {
			t.Fatalf("accepted counter %v", got)
		}
		// The log names the claim and the submitter, never the patient.
		logs := e.logs.String()
		if !strings.Contains(logs, id) {
			t.Fatalf("log does not name the claim: %s", logs)
		}
		for _, phi := range []string{"Ruiz", "XYZ123456789", "1979-03-14", "Bryant"} {
			if strings.Contains(logs, phi) {
				t.Fatalf("log holds PHI %q: %s", phi, logs)
			}
		}
	})
}

// lineTotal is the sum of the line charges of an encounter document.
func lineTotal(t *testing.T, body []byte) edi.Amount {
	var doc struct {
		Claim struct {
			ServiceLines []struct {
				Charge edi.Amount `json:"charge"`
			} `json:"service_lines"`
		} `json:"claim"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	var sum edi.Amount
	for _, l := range doc.Claim.ServiceLines {
		sum += l.Charge
	}
	return sum
}

// TestEveryTestdataEncounter posts every sample encounter: each one scrubbing accepts (the
// replacement and void samples too, when they pass) becomes a claim whose CLM02 is the sum of its
// lines; each one it refuses is a 422 listing exactly the problems Scrub reports.
func TestEveryTestdataEncounter(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, _ := e.submitter("ehr")
		files := encounterFiles(t)
		reg := map[string]payers.Payer{}
		for _, p := range testPayers() {
			reg[p.ID] = p
		}
		opts := intake.ScrubOptions{Now: testNow, Payer: func(id string) (payers.Payer, bool) { p, ok := reg[id]; return p, ok }}
		accepted := 0
		for _, name := range sortedKeys(files) {
			enc, err := intake.DecodeEncounter(bytes.NewReader(files[name]))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			probs := intake.Scrub(enc, opts)
			r := e.post(token, files[name])
			if len(probs) > 0 {
				wantStatus(t, r, http.StatusUnprocessableEntity)
				var p struct{ Errors []intake.Problem }
				if err := json.Unmarshal(r.body, &p); err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(p.Errors) != fmt.Sprint(probs) {
					t.Errorf("%s: 422 lists %v, Scrub reports %v", name, p.Errors, probs)
				}
				continue
			}
			accepted++
			if r.status != http.StatusCreated {
				t.Errorf("%s: status %d: %s", name, r.status, r.body)
				continue
			}
			c := r.json(t)
			if want := lineTotal(t, files[name]).String(); c["total_charge"] != want {
				t.Errorf("%s: total_charge %v, want %s", name, c["total_charge"], want)
			}
			wantFreq := enc.Claim.Frequency
			if wantFreq == "" {
				wantFreq = "original"
			}
			if c["frequency"] != wantFreq {
				t.Errorf("%s: frequency %v, want %s", name, c["frequency"], wantFreq)
			}
		}
		if accepted < 3 {
			t.Fatalf("only %d sample encounters pass scrubbing", accepted)
		}
		t.Logf("%d of %d sample encounters accepted; the others are 422 with Scrub's problems", accepted, len(files))
	})
}

// brokenEncounter is prof_one_line with four mistakes a clerk makes.
func brokenEncounter(t *testing.T) []byte {
	m := oneLineDoc(t)
	m["billing_provider"].(map[string]any)["npi"] = "1234567890"
	cl := m["claim"].(map[string]any)
	cl["diagnoses"] = []any{"E11.9", "250.00"}
	line := cl["service_lines"].([]any)[0].(map[string]any)
	line["diagnosis_pointers"] = []any{1, 5}
	line["service_date"] = "2026-02-30"
	return mustJSON(t, m)
}

func TestPostEncounterRejectedListsEveryProblem(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, sub := e.submitter("ehr")
		r := e.post(token, brokenEncounter(t))
		wantStatus(t, r, http.StatusUnprocessableEntity)
		var p struct {
			Type, Title, Detail string
			Status              int
			Errors              []struct{ Pointer, Code, Message string }
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Type != api.TypeScrubFailed || p.Status != 422 || p.Detail == "" {
			t.Fatalf("problem %s", r.body)
		}
		want := map[string]string{
			"/billing_provider/npi":                       "npi_check_digit",
			"/claim/diagnoses/1":                          "icd9_code",
			"/claim/service_lines/0/diagnosis_pointers/1": "diagnosis_pointer_range",
			"/claim/service_lines/0/service_date":         "date_format",
		}
		got := map[string]string{}
		for _, pe := range p.Errors {
			if pe.Pointer == "" || pe.Code == "" || pe.Message == "" {
				t.Fatalf("incomplete error %+v", pe)
			}
			got[pe.Pointer] = pe.Code
		}
		for ptr, code := range want {
			if got[ptr] != code {
				t.Errorf("pointer %s: code %q, want %q (all: %v)", ptr, got[ptr], code, got)
			}
		}
		page, err := e.store.ListClaims(context.Background(), gateway.ClaimFilter{SubmitterID: sub.ID})
		if err != nil || len(page.Claims) != 0 {
			t.Fatalf("a rejected encounter was stored: %v %v", page.Claims, err)
		}
		if e.counter("claimgate_encounters_total", "result", "rejected") != 1 ||
			e.counter("claimgate_scrub_problems_total", "code", "npi_check_digit") != 1 ||
			e.counter("claimgate_scrub_problems_total", "code", "icd9_code") != 1 {
			t.Fatal("rejection metrics not counted")
		}
		if logs := e.logs.String(); strings.Contains(logs, "Ruiz") || !strings.Contains(logs, "npi_check_digit") {
			t.Fatalf("rejection log: %s", logs)
		}
	})
}

func TestPostEncounterMalformed(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, _ := e.submitter("ehr")
		valid := oneLineDoc(t)
		unknown := oneLineDoc(t)
		unknown["claim"].(map[string]any)["colour"] = "blue"
		wrongType := oneLineDoc(t)
		wrongType["claim"].(map[string]any)["diagnoses"] = "E11.9"
		tests := []struct {
			name, body, wantInDetail string
		}{
			{"syntax", `{"external_id": "x",`, "cut short"},
			{"not JSON", `hello`, "invalid JSON"},
			{"empty", ``, "empty"},
			{"unknown field", string(mustJSON(t, unknown)), `"colour"`},
			{"wrong type", string(mustJSON(t, wrongType)), "diagnoses"},
			{"two documents", string(mustJSON(t, valid)) + ` {}`, "more than one"},
			{"array", `[1,2]`, "object"},
		}
		for _, tc := range tests {
			r := e.post(token, []byte(tc.body))
			wantStatus(t, r, http.StatusBadRequest)
			p := r.json(t)
			if p["type"] != api.TypeMalformedEncounter || !strings.Contains(p["detail"].(string), tc.wantInDetail) {
				t.Errorf("%s: problem %s, want detail naming %q", tc.name, r.body, tc.wantInDetail)
			}
		}
		r := e.call(http.MethodPost, "/v1/encounters", token, oneLine(t), "Content-Type", "text/plain")
		wantStatus(t, r, http.StatusUnsupportedMediaType)
		r = e.post(token, oneLine(t), "Idempotency-Key", strings.Repeat("k", 256))
		wantStatus(t, r, http.StatusBadRequest)
		if got := e.counter("claimgate_encounters_total", "result", "invalid"); got != float64(len(tests)+2) {
			t.Fatalf("invalid counter %v", got)
		}
	})
}

func TestAuthentication(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, _ := e.submitter("ehr")
		body := oneLine(t)
		for name, tok := range map[string]string{"none": "", "unknown": "cg_not-a-token", "malformed": " "} {
			r := e.post(tok, body)
			wantStatus(t, r, http.StatusUnauthorized)
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("%s: WWW-Authenticate %q", name, r.header.Get("WWW-Authenticate"))
			}
		}
		r := e.call(http.MethodGet, "/v1/claims", "", nil, "Authorization", "Basic dXNlcjpwdw==")
		wantStatus(t, r, http.StatusUnauthorized)

		wantStatus(t, e.call(http.MethodGet, "/v1/claims", token, nil), http.StatusOK)
		if err := e.store.RevokeSubmitter(context.Background(), "ehr"); err != nil {
			t.Fatal(err)
		}
		r = e.post(token, body)
		wantStatus(t, r, http.StatusUnauthorized)
		if !strings.Contains(r.header.Get("WWW-Authenticate"), "invalid_token") {
			t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
		}
	})
}

// TestRevocationBeatsTheAuthCache: a token revoked after POST /v1/encounters cached it gets
// nothing but 401, whatever it sends, and writes nothing.
func TestRevocationBeatsTheAuthCache(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, sub := e.submitter("ehr")
		first := e.post(token, oneLine(t), "Idempotency-Key", "k1")
		wantStatus(t, first, http.StatusCreated) // the token is now in the cache
		if err := e.store.RevokeSubmitter(context.Background(), "ehr"); err != nil {
			t.Fatal(err)
		}
		fresh := oneLineDoc(t)
		fresh["external_id"] = "ENC-AFTER-REVOKE"
		for name, r := range map[string]response{
			"new encounter": e.post(token, mustJSON(t, fresh)),
			"replay":        e.post(token, oneLine(t), "Idempotency-Key", "k1"),
			"duplicate":     e.post(token, oneLine(t)),
			"malformed":     e.post(token, []byte(`{`)),
			"scrub failure": e.post(token, brokenEncounter(t)),
		} {
			if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), "invalid_token") {
				t.Errorf("%s after revocation: %d %s", name, r.status, r.body)
			}
			wantProblem(t, r)
			if strings.Contains(string(r.body), first.json(t)["id"].(string)) {
				t.Errorf("%s: the 401 names the claim: %s", name, r.body)
			}
		}
		page, err := e.store.ListClaims(context.Background(), gateway.ClaimFilter{SubmitterID: sub.ID})
		if err != nil || len(page.Claims) != 1 {
			t.Fatalf("%d claims after revocation, want 1 (%v)", len(page.Claims), err)
		}
	})
}

func TestBodyLimit(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, _ := e.submitter("ehr")
		body := oneLine(t)
		wantStatus(t, e.post(token, body), http.StatusCreated)
		big := oneLineDoc(t)
		big["claim"].(map[string]any)["note"] = strings.Repeat("x", 5000)
		r := e.post(token, mustJSON(t, big))
		wantStatus(t, r, http.StatusRequestEntityTooLarge)

		// Without a Content-Length (chunked), the limit holds while reading.
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/encounters", struct{ *bytes.Reader }{bytes.NewReader(mustJSON(t, big))})
		req.Header.Set("Authorization", "Bearer "+token)
		req.ContentLength = -1
		res, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("chunked: status %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
	}, func(c *api.Config) { c.MaxBodyBytes = 4096 })
}

func TestIdempotencyKey(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, sub := e.submitter("ehr")
		body := oneLine(t)
		first := e.post(token, body, "Idempotency-Key", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
		wantStatus(t, first, http.StatusCreated)

		// The same request again, and the same encounter formatted differently: the first answer.
		var compact bytes.Buffer
		if err := json.Compact(&compact, body); err != nil {
			t.Fatal(err)
		}
		for _, b := range [][]byte{body, compact.Bytes()} {
			again := e.post(token, b, "Idempotency-Key", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
			if again.status != first.status || !bytes.Equal(again.body, first.body) {
				t.Fatalf("retry answered %d %s, first %d %s", again.status, again.body, first.status, first.body)
			}
			if again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("Location") != first.header.Get("Location") {
				t.Fatalf("retry headers %v", again.header)
			}
		}
		// Still the first answer after the claim has moved on.
		id := first.json(t)["id"].(string)
		if _, err := e.store.TransitionClaim(context.Background(), id, gateway.StatusVoided, gateway.EventInput{Source: "test"}); err != nil {
			t.Fatal(err)
		}
		again := e.post(token, body, "Idempotency-Key", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
		if again.status != http.StatusCreated || !bytes.Equal(again.body, first.body) {
			t.Fatalf("retry after a transition answered %d %s", again.status, again.body)
		}

		// The same key with an encounter that fails scrubbing is still a reuse of the key: 409.
		r := e.post(token, brokenEncounter(t), "Idempotency-Key", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
		wantStatus(t, r, http.StatusConflict)

		// The same key with another encounter: 409, nothing stored.
		other := oneLineDoc(t)
		other["external_id"] = "ENC-OTHER"
		r = e.post(token, mustJSON(t, other), "Idempotency-Key", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
		wantStatus(t, r, http.StatusConflict)
		if p := r.json(t); p["type"] != api.TypeIdempotencyKeyReused || !strings.Contains(p["detail"].(string), "new key") {
			t.Fatalf("409 %s", r.body)
		}
		page, err := e.store.ListClaims(context.Background(), gateway.ClaimFilter{SubmitterID: sub.ID})
		if err != nil || len(page.Claims) != 1 {
			t.Fatalf("%d claims, want 1 (%v)", len(page.Claims), err)
		}
		if e.counter("claimgate_encounters_total", "result", "duplicate") != 3 {
			t.Fatal("duplicate counter")
		}
	})
}

func TestExternalIDDuplicate(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, sub := e.submitter("ehr")
		body := oneLine(t)
		first := e.post(token, body)
		wantStatus(t, first, http.StatusCreated)
		id := first.json(t)["id"]

		// The same encounter again, without a key: 200 with the claim as it is now.
		again := e.post(token, body)
		wantStatus(t, again, http.StatusOK)
		if c := again.json(t); c["id"] != id || c["status"] != "queued" || again.header.Get("Location") != "/v1/claims/"+id.(string) {
			t.Fatalf("duplicate answer %s", again.body)
		}

		// Another encounter under the same external_id: 409 that says how to correct a claim.
		changed := oneLineDoc(t)
		changed["claim"].(map[string]any)["service_lines"].([]any)[0].(map[string]any)["charge"] = "175.00"
		r := e.post(token, mustJSON(t, changed))
		wantStatus(t, r, http.StatusConflict)
		p := r.json(t)
		if p["type"] != api.TypeExternalIDConflict || !strings.Contains(p["detail"].(string), "replacement") ||
			!strings.Contains(p["detail"].(string), id.(string)) {
			t.Fatalf("409 %s", r.body)
		}
		page, err := e.store.ListClaims(context.Background(), gateway.ClaimFilter{SubmitterID: sub.ID})
		if err != nil || len(page.Claims) != 1 {
			t.Fatalf("%d claims, want 1 (%v)", len(page.Claims), err)
		}
	})
}

// TestConcurrentDuplicates: ten clients racing the same encounter get one claim.
func TestConcurrentDuplicates(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, sub := e.submitter("ehr")
		for _, withKey := range []bool{false, true} {
			m := oneLineDoc(t)
			m["external_id"] = fmt.Sprintf("RACE-%v", withKey)
			body := mustJSON(t, m)
			const n = 10
			answers := make([]response, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var hdr []string
					if withKey {
						hdr = []string{"Idempotency-Key", "race-key"}
					}
					answers[i] = e.post(token, body, hdr...)
				}()
			}
			wg.Wait()
			ids := map[any]bool{}
			created := 0
			for _, a := range answers {
				switch a.status {
				case http.StatusCreated:
					created++
				case http.StatusOK:
				default:
					t.Fatalf("racing post: %d %s", a.status, a.body)
				}
				ids[a.json(t)["id"]] = true
			}
			if len(ids) != 1 {
				t.Fatalf("racing posts answered %d claim ids", len(ids))
			}
			if !withKey && created != 1 {
				t.Fatalf("without a key: %d answers were 201, want 1", created)
			}
			if withKey && created != n {
				t.Fatalf("with one key every answer must be the first one (201); %d were", created)
			}
		}
		page, err := e.store.ListClaims(context.Background(), gateway.ClaimFilter{SubmitterID: sub.ID})
		if err != nil || len(page.Claims) != 2 {
			t.Fatalf("%d claims, want 2 (%v)", len(page.Claims), err)
		}
	})
}
