package codes

import (
	_ "embed"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed data/status507.tsv
var status507TSV string

// StatusCategory is a 277 claim status category code (code list 507, STC01-1): the broad state
// a payer or clearinghouse reports for a claim (received, accepted, rejected, pended, finalized,
// information requested). The specific reason is the claim status code (508, STC01-2).
type StatusCategory struct {
	Code  string `json:"code"`
	Label string `json:"label"`           // claimgate's wording
	Start string `json:"start,omitempty"` // YYYY-MM-DD
	Stop  string `json:"stop,omitempty"`  // YYYY-MM-DD; empty while active
}

// ActiveOn reports whether the code may be used on day d.
func (c StatusCategory) ActiveOn(d time.Time) bool { return activeOn(c.Start, c.Stop, d) }

// statusCategories parses the embedded list once; the map is never written afterwards.
var statusCategories = sync.OnceValue(func() map[string]StatusCategory {
	m := make(map[string]StatusCategory, 64)
	for n, line := range strings.Split(status507TSV, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			// The file is part of the binary and covered by tests: a malformed row is a build
			// defect, reported at first use rather than silently skipped.
			panic("codes: embedded data/status507.tsv line " + strconv.Itoa(n+1) + " does not have 4 columns")
		}
		m[f[0]] = StatusCategory{Code: f[0], Start: f[1], Stop: f[2], Label: f[3]}
	}
	return m
})

// LookupStatusCategory returns the claim status category code (507) named code. Unknown codes
// return a StatusCategory holding only the code, and false.
func LookupStatusCategory(code string) (StatusCategory, bool) {
	c, ok := statusCategories()[strings.TrimSpace(code)]
	if !ok {
		return StatusCategory{Code: code}, false
	}
	return c, true
}

// StatusCategories returns every claim status category code, ordered by code.
func StatusCategories() []StatusCategory {
	m := statusCategories()
	out := make([]StatusCategory, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return statusCategoryLess(out[i].Code, out[j].Code) })
	return out
}

// statusCategoryLess orders by letter, then the numeric part numerically (R2 before R10, RQ
// last), then any suffix (F3 before F3F).
func statusCategoryLess(a, b string) bool {
	if a == "" || b == "" || a[0] != b[0] {
		return a < b
	}
	na, ra := leadingNumber(a[1:])
	nb, rb := leadingNumber(b[1:])
	if na != nb {
		return na < nb
	}
	return ra < rb
}

func leadingNumber(s string) (int, string) {
	n, i := 0, 0
	for i < len(s) && i < 6 && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + int(s[i]-'0')
		i++
	}
	if i == 0 {
		n = 1 << 30 // no number (RQ): after the numbered codes of the letter
	}
	return n, s[i:]
}
