package x277

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	x12samples "github.com/claimgate/claimgate/internal/samples"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// samples returns ../shared/x12-samples/<sub> relative to the repository root.
func samples(sub string) (string, bool) { d := x12samples.Dir(sub); return d, d != "" }

func samplesDir(t testing.TB, sub string) string { t.Helper(); return x12samples.Require(t, sub) }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
