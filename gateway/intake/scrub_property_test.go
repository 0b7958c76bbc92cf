package intake

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// interestingStrings are the values the mutator writes into text fields: empty and blank
// values, huge values, unicode, delimiters, control characters, invalid UTF-8, near-miss codes
// and dates, numbers in odd notations.
var interestingStrings = []string{
	"", " ", "\t", strings.Repeat("A", 5000), strings.Repeat("e1", 2000), strings.Repeat("é", 300), "Zoë 李 🚑", "a~b", "x*y", "p:q", "r^s",
	"line\nbreak", "\x00", "\xff\xfe", "\u2028", "-1", "0", "1", "1.5", ".5", "1e3", "1.", "999999999999999999999",
	"2026-02-30", "2026-11-02", "9999-12-31", "0001-01-01", "1800-01-01", "2026-13-01", "11/02/2026", "2026-11-23",
	"1234567893", "1234567890", "E11.9", "250.00", "V70.0", "e11.9", "99214", "99214-25", "J1100", "O1234", "25",
	"0450", "450", "0131", "0137", "131", "00002140701", "0002-1407-01", "11", "30", "MN", "mn", "XX", "55401",
	"554010000", "55401-0000", "PO Box 12", "self", "spouse", "child", "other", "mother", "original", "replacement",
	"void", "professional", "institutional", "M", "F", "U", "UN", "MJ", "DA", "ML", "auto", "14:30", "25:00", "1400",
	"SIMPAYER", "STRICT", "PROONLY", "TIMELY", "NOPE", "0DTJ4ZZ", "0DTO4ZZ", "207Q00000X", "12-3456789",
}

var interestingInts = []int64{0, -1, 1, 2, 4, 5, 12, 13, 100, 1 << 62, math.MaxInt64, math.MinInt64, -100, maxAmountCents, maxAmountCents + 1}

// collectTargets lists every settable value of the encounter the mutator may change.
func collectTargets(v reflect.Value, out *[]reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		*out = append(*out, v)
		if !v.IsNil() {
			collectTargets(v.Elem(), out)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				collectTargets(v.Field(i), out)
			}
		}
	case reflect.Slice:
		*out = append(*out, v)
		for i := 0; i < v.Len(); i++ {
			collectTargets(v.Index(i), out)
		}
	case reflect.String, reflect.Int, reflect.Int64, reflect.Bool:
		*out = append(*out, v)
	}
}

// mutateOnce changes one randomly chosen value of e: deletes fields, writes wrong values, huge
// strings, unicode, negative amounts, grows or shrinks lists, adds or drops optional blocks.
func mutateOnce(r *rand.Rand, e *Encounter) {
	var targets []reflect.Value
	collectTargets(reflect.ValueOf(e).Elem(), &targets)
	v := targets[r.IntN(len(targets))]
	switch v.Kind() {
	case reflect.String:
		if r.IntN(4) == 0 {
			v.SetString(v.String() + interestingStrings[r.IntN(len(interestingStrings))])
		} else {
			v.SetString(interestingStrings[r.IntN(len(interestingStrings))])
		}
	case reflect.Int, reflect.Int64:
		if r.IntN(3) == 0 {
			v.SetInt(r.Int64N(2000) - 1000)
		} else {
			v.SetInt(interestingInts[r.IntN(len(interestingInts))])
		}
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Pointer:
		if v.IsNil() || r.IntN(2) == 0 {
			v.Set(reflect.New(v.Type().Elem()))
		} else {
			v.SetZero()
		}
	case reflect.Slice:
		n := v.Len()
		switch k := r.IntN(6); {
		case k == 0:
			v.SetZero()
		case k == 1 && n > 0:
			i := r.IntN(n)
			v.Set(reflect.AppendSlice(v.Slice(0, i), v.Slice(i+1, n)))
		case k == 2:
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		case k == 3 && n > 0:
			v.Set(reflect.Append(v, v.Index(r.IntN(n))))
		case k == 4 && n > 0:
			grow := 60
			if r.IntN(10) == 0 {
				grow = 1001
			}
			for v.Len() < grow {
				v.Set(reflect.Append(v, v.Index(r.IntN(n))))
			}
		default:
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		}
	}
}

// resolvePointer reports whether an RFC 6901 pointer names a value of the JSON document.
func resolvePointer(doc any, ptr string) bool {
	if ptr == "" {
		return true
	}
	if ptr[0] != '/' {
		return false
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) || strconv.Itoa(i) != tok {
				return false
			}
			cur = c[i]
		default:
			return false
		}
	}
	return true
}

// checkScrubInvariants scrubs e and checks what must hold for any document: no panic, the same
// answer twice, e unchanged, and every problem well formed with a pointer that resolves in
// the document (or, for a missing field, whose parent does).
func checkScrubInvariants(t *testing.T, e *Encounter, opts ScrubOptions, known map[string]bool) []Problem {
	t.Helper()
	before, err := e.MarshalCanonical()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	got := Scrub(e, opts)
	again := Scrub(e, opts)
	if !slices.Equal(got, again) {
		t.Fatalf("Scrub is not deterministic:%s\nvs%s", dumpProblems(got), dumpProblems(again))
	}
	after, err := e.MarshalCanonical()
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("Scrub changed the encounter")
	}
	var doc any
	if err := json.Unmarshal(before, &doc); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	for _, p := range got {
		checkProblemShape(t, p, known)
		if len(p.Message) > 400 {
			t.Fatalf("problem %s %s: message of %d bytes", p.Pointer, p.Code, len(p.Message))
		}
		if p.Pointer == "" {
			t.Fatalf("problem %+v has an empty pointer", p)
		}
		if !resolvePointer(doc, p.Pointer) && !resolvePointer(doc, p.Pointer[:strings.LastIndexByte(p.Pointer, '/')]) {
			t.Fatalf("problem %+v: neither the pointer nor its parent is in the document", p)
		}
	}
	return got
}

// TestScrubPropertyMutations mutates valid encounters 1,000 times with a fixed seed.
func TestScrubPropertyMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(20261122, 4))
	known := knownCodes()
	opts := testOptions()
	seen := map[string]int{}
	clean := 0
	for i := 0; i < 1000; i++ {
		var e *Encounter
		switch i % 3 {
		case 0:
			e = validProfessional()
		case 1:
			e = validInstitutional()
		default:
			e = strictProfessional()
		}
		for n := 1 + r.IntN(6); n > 0; n-- {
			mutateOnce(r, e)
		}
		var got []Problem
		func() {
			defer func() {
				if p := recover(); p != nil {
					b, _ := e.MarshalCanonical()
					t.Fatalf("iteration %d: Scrub panicked: %v\n%s", i, p, b)
				}
			}()
			got = checkScrubInvariants(t, e, opts, known)
		}()
		if len(got) == 0 {
			clean++
		}
		for _, p := range got {
			seen[p.Code]++
		}
	}
	if clean > 600 {
		t.Errorf("%d of 1000 mutated encounters scrubbed clean: the mutator is too gentle", clean)
	}
	t.Logf("%d different codes reported over 1000 mutations; %d mutants clean", len(seen), clean)
}

func FuzzScrub(f *testing.F) {
	r := rand.New(rand.NewPCG(7, 7))
	for i, base := range []func() *Encounter{validProfessional, validInstitutional, strictProfessional} {
		b, err := base().MarshalCanonical()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for j := 0; j < 5; j++ {
			e := base()
			for n := 1 + (i+j)%4; n > 0; n-- {
				mutateOnce(r, e)
			}
			// Keep seeds small: the fuzzer mutates and re-runs them millions of times.
			if b, err := e.MarshalCanonical(); err == nil && len(b) < 16<<10 {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"claim":{"service_lines":[{"diagnosis_pointers":[-1,0,99],"units":1e400}]}}`))
	known := knownCodes()
	opts := testOptions()
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := DecodeEncounter(bytes.NewReader(data))
		if err != nil {
			return
		}
		checkScrubInvariants(t, e, opts, known)
	})
}

func BenchmarkScrub(b *testing.B) {
	broken := validProfessional()
	broken.BillingProvider.NPI = "1234567890"
	broken.Subscriber.Gender = "X"
	broken.Claim.Diagnoses = []string{"E11.9", "250.00", "I10", "I10"}
	line(broken, 0).ProcedureCode = "9921"
	line(broken, 2).DiagnosisPointers = []int{5}
	line(broken, 2).ServiceDate = "2027-01-01"
	broken.Subscriber.LastName = "Doe~Smith"
	big := validInstitutional()
	big.Claim.ServiceLines = repeatLine(big.Claim.ServiceLines[2], 999)
	for _, bc := range []struct {
		name string
		e    *Encounter
	}{
		{"professional", validProfessional()},
		{"institutional", validInstitutional()},
		{"professional_8_problems", broken},
		{"institutional_999_lines", big},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := testOptions()
			b.ReportAllocs()
			for b.Loop() {
				Scrub(bc.e, opts)
			}
		})
	}
}

// TestScrubHostileListSizes sends lists far beyond every limit: scrubbing stays linear and
// reports each limit once.
func TestScrubHostileListSizes(t *testing.T) {
	e := validProfessional()
	ptrs := make([]int, 20_000)
	mods := make([]string, 20_000)
	for i := range ptrs {
		ptrs[i] = i%4 + 1
		mods[i] = "25"
	}
	line(e, 0).DiagnosisPointers = ptrs
	line(e, 0).Modifiers = mods
	got := Scrub(e, testOptions())
	count := map[string]int{}
	for _, p := range got {
		count[p.Pointer+" "+p.Code]++
	}
	if count["/claim/service_lines/0/diagnosis_pointers too_many"] != 1 || count["/claim/service_lines/0/modifiers too_many"] != 1 {
		t.Errorf("too_many not reported once: %v", count)
	}
	if len(got) != 2+(len(ptrs)-4)+(len(mods)-1) {
		t.Errorf("got %d problems, want one per repeated pointer and modifier plus the two limits", len(got))
	}
}

// TestScrubCleanEncountersMap checks the promise the API relies on: an encounter Scrub accepts
// can be mapped to an 837 claim. It uses the valid fixtures and every mutant that scrubs clean.
func TestScrubCleanEncountersMap(t *testing.T) {
	r := rand.New(rand.NewPCG(99, 1))
	opts := testOptions()
	mapped := 0
	for i := 0; i < 3000; i++ {
		e := []func() *Encounter{validProfessional, validInstitutional, strictProfessional}[i%3]()
		if i >= 3 {
			for n := 1 + r.IntN(3); n > 0; n-- {
				mutateOnce(r, e)
			}
		}
		if len(Scrub(e, opts)) > 0 {
			continue
		}
		mapped++
		if _, err := e.ToClaim("C" + strconv.Itoa(i)); err != nil {
			b, _ := e.MarshalCanonical()
			t.Fatalf("iteration %d: Scrub accepted the encounter but ToClaim refused it: %v\n%s", i, err, b)
		}
	}
	t.Logf("%d clean encounters mapped", mapped)
}
