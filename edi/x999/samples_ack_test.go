package x999

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/claimgate/claimgate/edi"
)

// acknowledgeFile runs a Tracker over an input and acknowledges what the reader found.
func acknowledgeFile(t *testing.T, b []byte) ([]FunctionalAck, *Tracker, edi.Errors) {
	t.Helper()
	r := edi.NewReader(bytes.NewReader(b))
	tr := &Tracker{}
	for {
		seg, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			break // unreadable rest: acknowledge what was read
		}
		tr.Observe(r, seg)
	}
	return tr.Acknowledge(r.Errors()), tr, r.Errors()
}

// TestAcknowledgeSamples acknowledges every sample 837: one 999 per functional group, one AK2 per
// transaction set, a set rejected exactly when the reader found a problem inside it, and the 999
// written and read back unchanged.
func TestAcknowledgeSamples(t *testing.T) {
	root := samplesDir(t)
	for _, sub := range []string{"837P", "837I"} {
		entries, err := os.ReadDir(filepath.Join(root, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Run(sub+"/"+e.Name(), func(t *testing.T) {
				b, err := os.ReadFile(filepath.Join(root, sub, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				acks, tr, errs := acknowledgeFile(t, b)
				groups := tr.Groups()
				if len(acks) != len(groups) {
					t.Fatalf("%d acks for %d groups", len(acks), len(groups))
				}
				for gi, a := range acks {
					g := groups[gi]
					if a.GroupControlNumber != g.ControlNumber || a.FunctionalID != g.FunctionalID || len(a.Sets) != len(g.Sets) {
						t.Fatalf("ack %d answers group %s with %d sets, want %s with %d", gi, a.GroupControlNumber, len(a.Sets), g.ControlNumber, len(g.Sets))
					}
					for si, s := range a.Sets {
						inside := false
						for _, x := range errs {
							if x.SegmentIndex >= g.Sets[si].first && x.SegmentIndex <= g.Sets[si].last && x.Code != "missing_ge" {
								inside = true
							}
						}
						if inside == s.Accepted() {
							t.Errorf("group %s set %s: IK501 %s but problems inside the set: %v", a.GroupControlNumber, s.ControlNumber, s.Status, inside)
						}
					}
				}
				if len(acks) == 0 {
					return
				}
				var out bytes.Buffer
				if err := Write(&out, Reply(groups[0], testTime, 1, 1), acks...); err != nil {
					t.Fatal(err)
				}
				f, err := Read(&out)
				if err != nil || len(f.Errors) > 0 {
					t.Fatalf("reading our 999: %v %v", err, f.Errors)
				}
				for i := range acks {
					acks[i].ControlNumber = edi.ControlNumber(int64(i + 1))
				}
				if !reflect.DeepEqual(f.Acks, acks) {
					t.Errorf("999 read back differs:\n%+v\n%+v", f.Acks, acks)
				}
			})
		}
	}
}

// TestAcknowledgeNamedSamples checks the verdicts for samples whose envelope faults the
// MANIFEST names.
func TestAcknowledgeNamedSamples(t *testing.T) {
	root := samplesDir(t)
	tests := []struct {
		file       string
		status     string   // AK9 of the first group
		groupCodes []string // AK905..
		setStatus  []string // IK501 per set
		setCodes   [][]string
	}{
		// GE01=1 but 2 sets; both SE01 say 25 for 34 segments; both sets are ST02 987654.
		{"837P/imsweb__x12_multiple_st.txt", "R", []string{"5"}, []string{"R", "R"}, [][]string{{"4"}, {"23", "4"}}},
		// One set, SE01 says 25 for 34 segments.
		{"837P/imsweb__x12_valid.txt", "R", nil, []string{"R"}, [][]string{{"4"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(root, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			acks, _, _ := acknowledgeFile(t, b)
			if len(acks) == 0 {
				t.Fatal("no acknowledgment")
			}
			a := acks[0]
			var statuses []string
			var codes [][]string
			for _, s := range a.Sets {
				statuses = append(statuses, s.Status)
				codes = append(codes, s.Codes)
			}
			if a.Status != tt.status || !reflect.DeepEqual(a.Codes, tt.groupCodes) || !reflect.DeepEqual(statuses, tt.setStatus) || !reflect.DeepEqual(codes, tt.setCodes) {
				t.Errorf("AK9 %s %v, sets %v %v; want %s %v, %v %v", a.Status, a.Codes, statuses, codes, tt.status, tt.groupCodes, tt.setStatus, tt.setCodes)
			}
		})
	}
}
