package x837

import (
	"os"
	"path/filepath"
	"testing"
)

// samplesDir returns ../shared/x12-samples relative to the repository root (the directory
// holding go.mod), skipping the test when it is absent.
func samplesDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	s := filepath.Join(dir, "..", "shared", "x12-samples")
	if _, err := os.Stat(s); err != nil {
		tb.Skipf("sample X12 files not found at %s", s)
	}
	return s
}
