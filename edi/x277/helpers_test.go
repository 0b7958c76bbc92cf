package x277

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func repoRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// samples returns ../shared/x12-samples/<sub> relative to the repository root.
func samples(sub string) (string, bool) {
	root, ok := repoRoot()
	if !ok {
		return "", false
	}
	s := filepath.Join(root, "..", "shared", "x12-samples", sub)
	_, err := os.Stat(s)
	return s, err == nil
}

func samplesDir(t testing.TB, sub string) string {
	t.Helper()
	s, ok := samples(sub)
	if !ok {
		t.Skipf("sample files not found at ../shared/x12-samples/%s", sub)
	}
	return s
}

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
