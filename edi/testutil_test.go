package edi

import (
	"os"
	"path/filepath"
	"testing"
)

// samplesDir returns ../shared/x12-samples relative to the repository root, or skips.
func samplesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	s := filepath.Join(dir, "..", "shared", "x12-samples")
	if _, err := os.Stat(s); err != nil {
		t.Skipf("sample files not found at %s", s)
	}
	return s
}
