package x835

import (
	"testing"

	"github.com/claimgate/claimgate/edi"
)

// TestLeading checks the fast path's element splitter against Segment.Element.
func TestLeading(t *testing.T) {
	tests := []struct {
		raw  string
		want []string // "<nil>" for an absent element
	}{
		{"CLP", []string{"<nil>", "<nil>", "<nil>", "<nil>"}},
		{"CLP*", []string{"", "<nil>", "<nil>", "<nil>"}},
		{"CLP*A", []string{"A", "<nil>", "<nil>", "<nil>"}},
		{"CLP*A*22", []string{"A", "22", "<nil>", "<nil>"}},
		{"CLP**22*-5.5*", []string{"", "22", "-5.5", ""}},
		{"CLP*A*1*100*80*20*12", []string{"A", "1", "100", "80"}},
	}
	for _, tt := range tests {
		var dst [4][]byte
		for i := range dst {
			dst[i] = []byte("stale")
		}
		leading([]byte(tt.raw), '*', dst[:])
		seg := edi.NewSegment([]byte(tt.raw), edi.DefaultDelimiters)
		for i, w := range tt.want {
			got := string(dst[i])
			if dst[i] == nil {
				got = "<nil>"
			}
			if got != w {
				t.Errorf("%q element %d = %q, want %q", tt.raw, i+1, got, w)
			}
			if string(dst[i]) != string(seg.Element(i+1)) {
				t.Errorf("%q element %d = %q, Segment.Element says %q", tt.raw, i+1, dst[i], seg.Element(i+1))
			}
		}
	}
}
