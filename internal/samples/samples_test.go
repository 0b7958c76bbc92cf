package samples

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root, ok := RepoRoot()
	if !ok {
		t.Fatal("no repository root found")
	}
	if !filepath.IsAbs(root) {
		t.Errorf("root %q is not absolute", root)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^module github\.com/claimgate/claimgate\s*$`).Match(gomod) {
		t.Errorf("%s/go.mod is not the claimgate module", root)
	}
	// go test runs in the package directory, two levels below the root.
	wd, _ := os.Getwd()
	if rel, _ := filepath.Rel(root, wd); filepath.ToSlash(rel) != "internal/samples" {
		t.Errorf("working directory %s is %q below the root, want internal/samples", wd, rel)
	}
	if got := MustRepoRoot(t); got != root {
		t.Errorf("MustRepoRoot = %q, RepoRoot = %q", got, root)
	}
}

func TestDir(t *testing.T) {
	if d := Dir("no-such-folder"); d != "" {
		t.Errorf(`Dir("no-such-folder") = %q, want ""`, d)
	}
	root, _ := RepoRoot()
	want := filepath.Join(root, "..", "shared", "x12-samples")
	d := Dir()
	if _, err := os.Stat(want); err != nil {
		if d != "" {
			t.Errorf("Dir() = %q without %s", d, want)
		}
		t.Skipf("samples not found at %s", want)
	}
	if d != want || !filepath.IsAbs(d) {
		t.Errorf("Dir() = %q, want %q", d, want)
	}
	ents, err := os.ReadDir(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			if got := Dir(e.Name()); got != filepath.Join(want, e.Name()) {
				t.Errorf("Dir(%q) = %q", e.Name(), got)
			}
			return
		}
	}
}

func TestRequire(t *testing.T) {
	var got string
	var sub *testing.T
	ran := t.Run("missing", func(t *testing.T) {
		sub = t
		got = Require(t, "no-such-folder")
		t.Error("Require returned instead of skipping")
	})
	if !ran || !sub.Skipped() {
		t.Errorf("Require on a missing folder: sub-test passed=%v skipped=%v, want it skipped", ran, sub.Skipped())
	}
	if got != "" {
		t.Errorf("Require returned %q", got)
	}
	if d := Dir(); d != "" {
		if r := Require(t); r != d {
			t.Errorf("Require() = %q, want %q", r, d)
		}
	}
}
