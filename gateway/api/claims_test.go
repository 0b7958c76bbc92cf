package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/api"
)

// postN posts n distinct valid encounters (external ids prefix-0..n-1) and returns their ids
// in creation order.
func (e *env) postN(token, prefix string, n int, mutate func(i int, m map[string]any)) []string {
	e.t.Helper()
	ids := make([]string, n)
	for i := range n {
		m := oneLineDoc(e.t)
		m["external_id"] = fmt.Sprintf("%s-%d", prefix, i)
		if mutate != nil {
			mutate(i, m)
		}
		r := e.post(token, mustJSON(e.t, m))
		wantStatus(e.t, r, http.StatusCreated)
		ids[i] = r.json(e.t)["id"].(string)
	}
	return ids
}

func TestTenantIsolation(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		tokA, _ := e.submitter("clinic-a")
		tokB, _ := e.submitter("clinic-b")
		idsA := e.postN(tokA, "ENC", 2, nil)
		// B may use the same external ids: they are per submitter.
		idsB := e.postN(tokB, "ENC", 1, nil)

		for _, path := range []string{"/v1/claims/" + idsA[0], "/v1/claims/" + idsA[0] + "/events"} {
			r := e.call(http.MethodGet, path, tokB, nil)
			wantStatus(t, r, http.StatusNotFound)
			if strings.Contains(string(r.body), "ENC-") {
				t.Fatalf("404 leaks the claim: %s", r.body)
			}
		}
		wantStatus(t, e.call(http.MethodGet, "/v1/claims/"+idsB[0], tokB, nil), http.StatusOK)
		wantStatus(t, e.call(http.MethodGet, "/v1/claims/"+idsB[0], tokA, nil), http.StatusNotFound)
		// A malformed id is the same 404.
		wantStatus(t, e.call(http.MethodGet, "/v1/claims/not-a-claim-id!", tokA, nil), http.StatusNotFound)

		list := func(tok string) []any {
			r := e.call(http.MethodGet, "/v1/claims", tok, nil)
			wantStatus(t, r, http.StatusOK)
			return r.json(t)["claims"].([]any)
		}
		if a, b := list(tokA), list(tokB); len(a) != 2 || len(b) != 1 || b[0].(map[string]any)["id"] != idsB[0] {
			t.Fatalf("lists: A %v, B %v", a, b)
		}
	})
}

func TestListClaimsPagination(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, _ := e.submitter("ehr")
		other, _ := e.submitter("other")
		e.postN(other, "X", 2, nil)
		ids := e.postN(token, "ENC", 7, nil)

		seen := map[string]bool{}
		path := "/v1/claims?limit=3"
		pages := 0
		var order []string
		for path != "" {
			r := e.call(http.MethodGet, path, token, nil)
			wantStatus(t, r, http.StatusOK)
			var page struct {
				Claims []struct {
					ID string `json:"id"`
				} `json:"claims"`
				NextCursor string `json:"next_cursor"`
				Links      struct {
					Next string `json:"next"`
				} `json:"links"`
			}
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatal(err)
			}
			pages++
			if len(page.Claims) > 3 || pages > 4 {
				t.Fatalf("page %d has %d claims", pages, len(page.Claims))
			}
			for _, c := range page.Claims {
				if seen[c.ID] {
					t.Fatalf("claim %s on two pages", c.ID)
				}
				seen[c.ID] = true
				order = append(order, c.ID)
			}
			if (page.NextCursor == "") != (page.Links.Next == "") {
				t.Fatalf("next_cursor %q but links.next %q", page.NextCursor, page.Links.Next)
			}
			if page.Links.Next != "" && !strings.Contains(page.Links.Next, "cursor="+url.QueryEscape(page.NextCursor)) {
				t.Fatalf("links.next %q does not carry the cursor", page.Links.Next)
			}
			path = page.Links.Next
		}
		if pages != 3 || len(seen) != 7 {
			t.Fatalf("%d pages, %d claims; want 3 pages of the 7 claims", pages, len(seen))
		}
		for i, id := range ids {
			if !seen[id] {
				t.Fatalf("claim %d (%s) missing from the pages", i, id)
			}
		}
		// Newest first.
		if order[0] != ids[6] && order[len(order)-1] != ids[0] {
			t.Fatalf("order %v, created %v", order, ids)
		}
	})
}

func TestListClaimsFilters(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		token, _ := e.submitter("ehr")
		ids := e.postN(token, "ENC", 3, nil)
		e.postN(token, "PRO", 2, func(_ int, m map[string]any) { m["payer"] = map[string]any{"id": "proonly"} })
		if _, err := e.store.TransitionClaim(context.Background(), ids[1], gateway.StatusVoided, gateway.EventInput{Source: "test"}); err != nil {
			t.Fatal(err)
		}
		count := func(query string) int {
			t.Helper()
			r := e.call(http.MethodGet, "/v1/claims?"+query, token, nil)
			wantStatus(t, r, http.StatusOK)
			return len(r.json(t)["claims"].([]any))
		}
		for query, want := range map[string]int{
			"":                                  5,
			"status=queued":                     4,
			"status=voided":                     1,
			"payer=SIMPAYER":                    3,
			"payer=PROONLY":                     2,
			"payer=proonly":                     2,
			"payer=NOPAYER":                     0,
			"status=queued&payer=SIMPAYER":      2,
			"since=2000-01-01":                  5,
			"since=2999-01-01T00:00:00Z":        0,
			"since=2000-01-01T00:00:00%2B02:00": 5,
		} {
			if got := count(query); got != want {
				t.Errorf("?%s: %d claims, want %d", query, got, want)
			}
		}
		for _, bad := range []string{
			"status=lost", "limit=0", "limit=1001", "limit=ten", "since=yesterday", "since=2026-13-01",
			"cursor=!!!", "cursor=bm90LWEtY3Vyc29y", "payer=" + url.QueryEscape("a b"), "colour=blue",
			"status=queued&status=paid",
		} {
			r := e.call(http.MethodGet, "/v1/claims?"+bad, token, nil)
			wantStatus(t, r, http.StatusBadRequest)
			if r.json(t)["type"] != api.TypeInvalidQuery {
				t.Errorf("?%s: %s", bad, r.body)
			}
		}
	})
}
