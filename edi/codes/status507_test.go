package codes

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/internal/samples"
)

func TestLookupStatusCategory(t *testing.T) {
	tests := []struct {
		code      string
		ok        bool
		wantLabel string // a word the label must hold
		active    bool   // on 2026-01-01
	}{
		{"A1", true, "Received", true},
		{"A2", true, "Accepted", true},
		{"A7", true, "not valid", true},
		{"E4", true, "trading partner", true},
		{"P3", true, "provider", true},
		{"F3F", true, "next payer", true},
		{"R16", true, "eligibility", true},
		{"E0", true, "request", true},
		{"F5", true, "retired", false},
		{" A3 ", true, "unprocessable", true},
		{"X9", false, "", false},
		{"", false, "", false},
	}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		c, ok := LookupStatusCategory(tt.code)
		if ok != tt.ok {
			t.Errorf("LookupStatusCategory(%q) ok = %v, want %v", tt.code, ok, tt.ok)
			continue
		}
		if !ok {
			if c.Code != tt.code || c.Label != "" {
				t.Errorf("LookupStatusCategory(%q) = %+v, want only the code", tt.code, c)
			}
			continue
		}
		if !strings.Contains(c.Label, tt.wantLabel) {
			t.Errorf("LookupStatusCategory(%q).Label = %q, want it to mention %q", tt.code, c.Label, tt.wantLabel)
		}
		if got := c.ActiveOn(day); got != tt.active {
			t.Errorf("%s.ActiveOn(2026-01-01) = %v, want %v", tt.code, got, tt.active)
		}
	}
}

func TestStatusCategoriesOrder(t *testing.T) {
	all := StatusCategories()
	var codes []string
	for _, c := range all {
		if c.Label == "" {
			t.Errorf("%s has no label", c.Code)
		}
		codes = append(codes, c.Code)
	}
	got := strings.Join(codes, " ")
	for _, want := range []string{"A0 A1 A2 A3 A4 A5 A6 A7 A8", "F3 F3F F3N F4", "R0 R1 R3 R4 R5 R6 R7 R8 R9 R10 R11"} {
		if !strings.Contains(got, want) {
			t.Errorf("StatusCategories order %q does not contain %q", got, want)
		}
	}
}

// TestStatusCategoriesCoverReference checks that every code of the shared reference list has a
// label of ours, and that no label copies the reference description.
func TestStatusCategoriesCoverReference(t *testing.T) {
	path := filepath.Join(samples.MustRepoRoot(t), "..", "shared", "codes", "claim_status_category_codes_507.tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("reference list not available: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 {
			continue
		}
		n++
		c, ok := LookupStatusCategory(cols[0])
		if !ok {
			t.Errorf("reference code %s has no entry", cols[0])
			continue
		}
		if strings.EqualFold(c.Label, cols[1]) {
			t.Errorf("%s label copies the reference text", cols[0])
		}
		if c.Stop != cols[3] {
			t.Errorf("%s stop date = %q, reference deactivation date %q", cols[0], c.Stop, cols[3])
		}
	}
	if n < 40 {
		t.Fatalf("read only %d reference codes", n)
	}
}
