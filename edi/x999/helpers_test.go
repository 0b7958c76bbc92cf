package x999

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/claimgate/claimgate/internal/samples"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// samplesDir returns ../shared/x12-samples relative to the repository root, or skips.
func samplesDir(t testing.TB) string { t.Helper(); return samples.Require(t) }

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
