package gateway

import (
	"strings"
	"testing"
	"time"
)

func TestCanTransition(t *testing.T) {
	tests := []struct {
		from, to ClaimStatus
		want     bool
	}{
		{StatusNone, StatusQueued, true},
		{StatusNone, StatusPaid, false},
		{StatusQueued, StatusBatched, true},
		{StatusQueued, StatusSubmitted, false},
		{StatusQueued, StatusQueued, false},
		{StatusBatched, StatusSubmitted, true},
		{StatusBatched, StatusQueued, true}, // upload failed for good
		{StatusSubmitted, StatusAccepted999, true},
		{StatusSubmitted, StatusRejected999, true},
		{StatusSubmitted, StatusAccepted277, true}, // 277CA before its 999
		{StatusSubmitted, StatusPaid, true},        // 835 before any acknowledgment
		{StatusSubmitted, StatusQueued, false},
		{StatusRejected999, StatusQueued, true}, // corrected and resubmitted
		{StatusRejected999, StatusPaid, false},
		{StatusAccepted999, StatusRejected277, true},
		{StatusAccepted999, StatusRejected999, false},
		{StatusAccepted277, StatusPended, true},
		{StatusAccepted277, StatusDenied, true},
		{StatusAccepted277, StatusAccepted999, false}, // late 999: stale
		{StatusPended, StatusPaid, true},
		{StatusPaid, StatusReversed, true},
		{StatusPaid, StatusDenied, false},
		{StatusReversed, StatusPaid, true}, // corrected payment after CLP02=22
		{StatusDenied, StatusReplaced, true},
		{StatusPaid, StatusVoided, true},
		{StatusForwarded, StatusPaid, true},
		{StatusReplaced, StatusQueued, false},
		{StatusVoided, StatusPaid, false},
		{"lost", StatusQueued, false},
		{StatusQueued, "lost", false},
	}
	for _, tc := range tests {
		if got := CanTransition(tc.from, tc.to); got != tc.want {
			t.Errorf("CanTransition(%q, %q) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestTransitionTableIsClosed(t *testing.T) {
	if len(ClaimStatuses) != 15 {
		t.Fatalf("%d statuses, want the 15 of the design's life cycle", len(ClaimStatuses))
	}
	for _, s := range ClaimStatuses {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
		if CanTransition(s, s) {
			t.Errorf("%s -> itself allowed", s)
		}
		for to := range transitions[s] {
			if !to.Valid() {
				t.Errorf("%s -> unknown status %q", s, to)
			}
		}
	}
	// Every status is reachable from a new claim.
	reached := map[ClaimStatus]bool{StatusNone: true}
	queue := []ClaimStatus{StatusNone}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		for to := range transitions[from] {
			if !reached[to] {
				reached[to] = true
				queue = append(queue, to)
			}
		}
	}
	for _, s := range ClaimStatuses {
		if !reached[s] {
			t.Errorf("%s is unreachable", s)
		}
	}
	if !StatusReplaced.Final() || !StatusVoided.Final() || StatusPaid.Final() || StatusNone.Valid() {
		t.Error("Final/Valid disagree with the table")
	}
}

func TestNewClaimID(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 2000; i++ {
		id := NewClaimID(now.Add(time.Duration(i) * time.Millisecond))
		if len(id) != ClaimIDLen || !ValidClaimID(id) || id != strings.ToUpper(id) {
			t.Fatalf("NewClaimID = %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
		if id[:10] <= prev {
			t.Fatalf("time prefix not increasing: %s after %s", id[:10], prev)
		}
		prev = id[:10]
	}
	// Same millisecond: the random part differs.
	if a, b := NewClaimID(now), NewClaimID(now); a == b {
		t.Fatal("two ids in the same millisecond are equal")
	}
}

func TestNormalizeClaimID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"01jd3xk7m2abc9def", "01JD3XK7M2ABC9DEF"},
		{" 01JD3XK7M2ABC9DEF ", "01JD3XK7M2ABC9DEF"},
		{"0IJD3XK7M2ABCODEL", "01JD3XK7M2ABC0DE1"}, // Crockford look-alikes
		{"", ""},
	}
	for _, tc := range tests {
		if got := NormalizeClaimID(tc.in); got != tc.want {
			t.Errorf("NormalizeClaimID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidClaimID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"01JD3XK7M2ABC9DEF", true},
		{"ABC", true},
		{"", false},
		{"01JD3XK7M2ABC9DEFG", false}, // 18 characters
		{"01JD3XK7M2ABC9DEU", false},  // U is not Crockford
		{"abc", false},                // not normalised
		{"AB-C", false},
	}
	for _, tc := range tests {
		if got := ValidClaimID(tc.id); got != tc.want {
			t.Errorf("ValidClaimID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestFrequencyAndTypes(t *testing.T) {
	tests := []struct {
		f    Frequency
		code string
	}{
		{FrequencyOriginal, "1"}, {FrequencyReplacement, "7"}, {FrequencyVoid, "8"}, {"other", ""},
	}
	for _, tc := range tests {
		if got := tc.f.Code(); got != tc.code || tc.f.Valid() != (tc.code != "") {
			t.Errorf("%q: Code = %q, Valid = %v", tc.f, got, tc.f.Valid())
		}
	}
	if !Professional.Valid() || !Institutional.Valid() || ClaimType("dental").Valid() {
		t.Error("ClaimType.Valid")
	}
}

func FuzzNormalizeClaimID(f *testing.F) {
	for _, s := range []string{"01jd3xk7m2abc9def", " 0IJD3XK7M2ABCODEL ", "", "ä", "AB-C"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeClaimID(s)
		if NormalizeClaimID(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, NormalizeClaimID(n))
		}
		if ValidClaimID(n) && (len(n) > ClaimIDLen || strings.ContainsAny(n, "ILOU")) {
			t.Fatalf("ValidClaimID accepted %q", n)
		}
	})
}
