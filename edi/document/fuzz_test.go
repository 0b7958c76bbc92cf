package document

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/claimgate/claimgate/internal/samples"
)

// FuzzRead runs the whole read (structure pass, 999/277CA/TA1 decoding, the 835 and 837 passes,
// the merge of their problems) over arbitrary bytes: it must not fail or panic, every set must
// have its entry, the result must encode as JSON, both lists of problems must agree, and reading
// without the 835 claims must find the same problems.
func FuzzRead(f *testing.F) {
	root, _ := samples.RepoRoot()
	golden, _ := filepath.Glob(filepath.Join(root, "testdata", "golden", "*.837"))
	var sampleFiles []string
	if dir := samples.Dir(); dir != "" {
		sampleFiles, _ = filepath.Glob(filepath.Join(dir, "*", "*"))
	}
	// A few small seeds of each kind: every execution reads the input several times.
	perFolder := map[string]int{}
	for _, p := range append(golden, sampleFiles...) {
		folder := filepath.Base(filepath.Dir(p))
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 8<<10 || perFolder[folder] >= 2 {
			continue
		}
		perFolder[folder]++
		f.Add(data)
	}
	for _, s := range []string{small835, small837P, small999, ta1And270} {
		f.Add([]byte(s))
	}
	f.Add([]byte("ISA*00*          *00*          *ZZ*A              *ZZ*B              *261120*1030*^*00501*000000001*0*T*:~TA1*000000001*261120*1030*A*000~IEA*0*000000001~"))
	f.Fuzz(func(t *testing.T, data []byte) {
		opens := 0
		d, err := Read(context.Background(), bytesOpener(string(data), &opens), Options{})
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		for _, s := range d.sets {
			if s.group.Transactions[s.slot] == nil {
				t.Fatalf("set %s (%s) has no entry", s.control, s.typ)
			}
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatalf("encoding: %v", err)
		}
		checkProblems(t, d)
		_, acks := d.Acknowledge()
		if _, groups, _ := d.Counts(); len(acks) > groups {
			t.Fatalf("%d acknowledgments for %d groups", len(acks), groups)
		}
		lean, err := Read(context.Background(), bytesOpener(string(data), &opens), Options{DropRemittanceClaims: true})
		if err != nil {
			t.Fatalf("Read without claims: %v", err)
		}
		if !reflect.DeepEqual(lean.Errors, d.Errors) {
			t.Fatalf("problems without the 835 claims:\n%v\nwith them:\n%v", lean.Errors, d.Errors)
		}
	})
}
