package gateway

import (
	"strings"
	"testing"
)

// The assignee and note rules are shared by the API and the dashboard's forms.
func TestDenialTextRules(t *testing.T) {
	for _, tc := range []struct {
		s              string
		assignee, note bool
	}{
		{"", true, true},
		{"Billing team A", true, true},
		{"<b>Team</b>", true, true},
		{"Zoë Ålund", true, true},
		{strings.Repeat("a", MaxAssigneeLen), true, true},
		{strings.Repeat("a", MaxAssigneeLen+1), false, true},
		{strings.Repeat("n", MaxResolutionNoteLen), false, true},
		{strings.Repeat("n", MaxResolutionNoteLen+1), false, false},
		{"two\nlines", false, true},
		{"tab\there", false, true},
		{"cr\r\nlf", false, false},
		{"bell\x07", false, false},
		{"del\x7f", false, false},
		{"nul\x00", false, false},
	} {
		if got := ValidAssignee(tc.s); got != tc.assignee {
			t.Errorf("ValidAssignee(%.20q) = %v", tc.s, got)
		}
		if got := ValidResolutionNote(tc.s); got != tc.note {
			t.Errorf("ValidResolutionNote(%.20q) = %v", tc.s, got)
		}
	}
}
