package submission_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/submission"
	"github.com/claimgate/claimgate/internal/samples"
)

// isa is a fixed-width ISA segment with * : ^ ~ delimiters.
const isa = "ISA*00*          *00*          *ZZ*SIMPAYER       *ZZ*CLAIMGATE01    *261122*1030*^*00501*000000042*0*T*:~"

// interchange builds a response interchange with one group holding the given sets, each
// "ST01/ST03" (ST03 may be empty), under GS08 gs08.
func interchange(fid, gs08 string, sets ...string) []byte {
	var b strings.Builder
	b.WriteString(isa + "\n")
	fmt.Fprintf(&b, "GS*%s*SIMPAYER*CLAIMGATE01*20261122*1030*42*X*%s~\n", fid, gs08)
	for i, s := range sets {
		st01, st03, _ := strings.Cut(s, "/")
		fmt.Fprintf(&b, "ST*%s*%04d", st01, i+1)
		if st03 != "" {
			b.WriteString("*" + st03)
		}
		b.WriteString("~\n")
		fmt.Fprintf(&b, "BHT*0085*08*REF%d*20261122*1030~\n", i)
		fmt.Fprintf(&b, "SE*3*%04d~\n", i+1)
	}
	fmt.Fprintf(&b, "GE*%d*42~\nIEA*1*000000042~\n", len(sets))
	return []byte(b.String())
}

func ta1() []byte {
	return []byte(isa + "TA1*000000007*261122*1030*A*000~IEA*0*000000042~")
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		kind   gateway.FileKind
		reason string // substring; "" for a recognised kind
	}{
		{"999", interchange("FA", "005010X231A1", "999/005010X231A1"), gateway.Kind999, ""},
		{"999 two sets", interchange("FA", "005010X231A1", "999/005010X231A1", "999"), gateway.Kind999, ""},
		{"277CA by ST03", interchange("HN", "005010X214", "277/005010X214"), gateway.Kind277CA, ""},
		{"277CA by GS08", interchange("HN", "005010X214", "277"), gateway.Kind277CA, ""},
		{"835", interchange("HP", "005010X221A1", "835"), gateway.Kind835, ""},
		{"TA1", ta1(), gateway.KindTA1, ""},
		{"277 not CA", interchange("HN", "005010X212", "277/005010X212"), gateway.KindUnknown, "not a 277CA"},
		{"837", interchange("HC", "005010X222A1", "837/005010X222A1"), gateway.KindUnknown, "transaction set 837"},
		{"mixed", interchange("FA", "005010X231A1", "999", "835"), gateway.KindUnknown, "several kinds"},
		{"empty", nil, gateway.KindUnknown, "empty file"},
		{"blank", []byte("  \n\t"), gateway.KindUnknown, "empty file"},
		{"not x12", []byte("%PDF-1.7 member XYZ123456789"), gateway.KindUnknown, "not a readable X12 interchange"},
		{"envelope only", []byte(isa + "IEA*0*000000042~"), gateway.KindUnknown, "no transaction set"},
		{"odd ST01 carries no content", interchange("XX", "005010", "27<script>"), gateway.KindUnknown, "transaction set ?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kind, reason := submission.Sniff(tc.data)
			if kind != tc.kind {
				t.Fatalf("kind %s (%s), want %s", kind, reason, tc.kind)
			}
			if tc.reason == "" && reason != "" || !strings.Contains(reason, tc.reason) {
				t.Fatalf("reason %q, want it to contain %q", reason, tc.reason)
			}
			if strings.Contains(reason, "XYZ123456789") {
				t.Fatalf("reason quotes file content: %q", reason)
			}
		})
	}
}

// samplesDir finds ../shared/x12-samples next to the repository, or skips.
func samplesDir(t testing.TB) string { t.Helper(); return samples.Require(t) }

// TestSniffSamples runs Sniff over the shared real-world samples: response files are
// recognised as their kind (a few samples are broken on purpose, so most, not all), and
// nothing is ever taken for a kind it is not.
func TestSniffSamples(t *testing.T) {
	dir := samplesDir(t)
	want := map[string]gateway.FileKind{"999": gateway.Kind999, "277CA": gateway.Kind277CA, "835": gateway.Kind835}
	for _, sub := range []string{"999", "277CA", "835", "837P", "837I", "270", "271", "276", "277"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			continue
		}
		recognised, total := 0, 0
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			total++
			kind, reason := submission.Sniff(data)
			expect, isResponse := want[sub]
			switch {
			case isResponse && kind == expect:
				recognised++
			case kind != gateway.KindUnknown:
				t.Errorf("%s/%s: sniffed as %s", sub, e.Name(), kind)
			case reason == "":
				t.Errorf("%s/%s: unknown without a reason", sub, e.Name())
			}
		}
		if _, isResponse := want[sub]; isResponse && total > 0 && recognised*10 < total*8 {
			t.Errorf("%s: only %d of %d samples recognised", sub, recognised, total)
		}
		t.Logf("%s: %d files, %d recognised as %s", sub, total, recognised, want[sub])
	}
}

func FuzzSniff(f *testing.F) {
	f.Add(interchange("FA", "005010X231A1", "999/005010X231A1"))
	f.Add(interchange("HN", "005010X214", "277/005010X214"))
	f.Add(interchange("HP", "005010X221A1", "835"))
	f.Add(ta1())
	f.Add([]byte("ISA*"))
	for _, sub := range []string{"999", "277CA", "835"} {
		dir := samples.Dir(sub)
		if dir == "" {
			continue
		}
		ents, _ := os.ReadDir(dir)
		for i, e := range ents {
			if i >= 3 {
				break
			}
			if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		kind, reason := submission.Sniff(data)
		if !kind.Valid() || kind == gateway.Kind837 {
			t.Fatalf("kind %q", kind)
		}
		if (kind == gateway.KindUnknown) != (reason != "") {
			t.Fatalf("kind %s with reason %q", kind, reason)
		}
		if len(reason) > 300 {
			t.Fatalf("reason of %d bytes", len(reason))
		}
	})
}
