package samples

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod, walking up from the working directory; ok is
// false when there is none.
func RepoRoot() (dir string, ok bool) {
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

// MustRepoRoot is RepoRoot for a test that cannot go on without the repository (its testdata,
// the README): it fails tb when there is no go.mod above the working directory.
func MustRepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, ok := RepoRoot()
	if !ok {
		tb.Fatal("go.mod not found above the working directory")
	}
	return dir
}

// path is <repository root>/../shared/x12-samples/<sub...>, or "" without a repository root.
func path(sub ...string) string {
	root, ok := RepoRoot()
	if !ok {
		return ""
	}
	return filepath.Join(append([]string{root, "..", "shared", "x12-samples"}, sub...)...)
}

// Dir returns the absolute path of ../shared/x12-samples (joined with sub) next to the
// repository root, or "" when the repository root is not found or the folder does not exist.
func Dir(sub ...string) string {
	p := path(sub...)
	if p == "" {
		return ""
	}
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		return ""
	}
	return p
}

// Require returns Dir(sub...), or skips the test, naming the expected path, when it is absent.
func Require(tb testing.TB, sub ...string) string {
	tb.Helper()
	if d := Dir(sub...); d != "" {
		return d
	}
	want := path(sub...)
	if want == "" {
		want = "../shared/x12-samples next to the repository root (no go.mod found above the working directory)"
	}
	tb.Skipf("X12 samples not found at %s (tests read them from there; never copy them into the repository)", want)
	return ""
}
