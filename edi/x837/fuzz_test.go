package x837

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/internal/samples"
)

// FuzzRead837 feeds arbitrary bytes to the 837 reader: it must never panic, must return every
// claim it started, and every problem it reports must carry a code and a message.
func FuzzRead837(f *testing.F) {
	if dir := samples.Dir(); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "837*", "*"))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
	for _, tc := range goldenCases()[:4] {
		var buf bytes.Buffer
		if err := Render(&buf, tc.ic); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		er := edi.NewReader(bytes.NewReader(data))
		r := NewReader(er)
		ics, _ := r.ReadAll()
		for _, p := range r.Errors() {
			if p.Code == "" || p.Msg == "" {
				t.Fatalf("problem without code or message: %+v", p)
			}
		}
		for _, ic := range ics {
			n := 0
			for _, ts := range ic.Transactions {
				if ts.FirstClaim != n || ts.ClaimCount < 0 {
					t.Fatalf("transaction set claim range %+v does not follow %d", ts, n)
				}
				n += ts.ClaimCount
			}
			if n != len(ic.Claims) {
				t.Fatalf("transaction sets hold %d claims, the interchange %d", n, len(ic.Claims))
			}
		}
	})
}
