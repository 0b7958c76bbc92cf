package claimgate

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// importRule forbids some imports of our own packages from some of our packages. Paths are
// relative to the module root ("edi/x835", "cmd/claimgate"); a path covers itself and
// everything below it.
type importRule struct {
	name string
	// from selects the importing packages: "" is every package.
	from string
	// exceptFrom exempts importing packages from a rule with from == "".
	exceptFrom string
	// forbidden reports whether importing the module-relative path rel breaks the rule.
	forbidden func(rel string) bool
	// tests: the rule applies to _test.go files too. Rules about the direction of production
	// dependencies leave tests free to wire real implementations (an external api_test package
	// may use storage/sqlite); rules about reusability do not.
	tests bool
	why   string
}

// under reports whether rel is dir or below it.
func under(rel, dir string) bool { return rel == dir || strings.HasPrefix(rel, dir+"/") }

func anyUnder(dirs ...string) func(string) bool {
	return func(rel string) bool {
		for _, d := range dirs {
			if under(rel, d) {
				return true
			}
		}
		return false
	}
}

// layoutRules is the dependency direction of docs/ARCHITECTURE.md:
// cmd -> gateway, payers, storage/*, edi; gateway -> edi, payers; storage/* -> gateway;
// edi imports nothing of ours (its tests may use the leaf internal/samples); nothing imports cmd.
func layoutRules() []importRule {
	return []importRule{
		{
			name:      "edi stands alone",
			from:      "edi",
			forbidden: func(rel string) bool { return !under(rel, "edi") && rel != "internal/samples" },
			tests:     true,
			why:       "edi is a reusable X12 library: it imports nothing of claimgate outside edi/ (but the test helper internal/samples, a leaf)",
		},
		{
			name:      "internal/samples is a leaf",
			from:      "internal/samples",
			forbidden: func(string) bool { return true },
			tests:     true,
			why:       "internal/samples only locates the shared test data; edi's tests may import it because it imports nothing of claimgate",
		},
		{
			name:      "storage implements gateway",
			from:      "storage",
			forbidden: anyUnder("cmd", "gateway/api", "gateway/web"),
			why:       "storage/* implements gateway.Store; it must not reach up into the HTTP layers or the binary",
		},
		{
			name:      "gateway does not know its stores",
			from:      "gateway",
			forbidden: anyUnder("storage", "cmd"),
			why:       "gateway depends on the Store interface only; cmd/claimgate picks and wires the implementation",
		},
		{
			name:      "payers is below gateway",
			from:      "payers",
			forbidden: anyUnder("gateway", "storage", "cmd"),
			why:       "gateway imports payers, so payers must not import gateway, storage or cmd",
		},
		{
			name:       "nothing imports cmd",
			exceptFrom: "cmd",
			forbidden:  anyUnder("cmd"),
			tests:      true,
			why:        "cmd/ is wiring only; shared code belongs in a library package",
		},
	}
}

// violation is one import that breaks a rule.
type violation struct {
	file, imp, rule, why string
}

func (v violation) String() string {
	return fmt.Sprintf("%s imports %s: %s (rule %q)", v.file, v.imp, v.why, v.rule)
}

// layoutReport is what checkLayout found.
type layoutReport struct {
	packages   map[string]bool // module-relative directories holding Go files ("." for the root)
	violations []violation
	parseErrs  []error
}

var moduleRe = regexp.MustCompile(`(?m)^module\s+("?)(\S+)("?)\s*$`)

// checkLayout parses the imports of every Go file under root (the directory holding go.mod)
// and checks them against rules.
func checkLayout(root string, rules []importRule) (layoutReport, error) {
	rep := layoutReport{packages: map[string]bool{}}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return rep, err
	}
	m := moduleRe.FindSubmatch(gomod)
	if m == nil {
		return rep, fmt.Errorf("%s/go.mod: no module line", root)
	}
	module := string(m[2])
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root {
				if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		relFile, _ := filepath.Rel(root, path)
		relFile = filepath.ToSlash(relFile)
		pkg := filepath.ToSlash(filepath.Dir(relFile))
		rep.packages[pkg] = true
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			rep.parseErrs = append(rep.parseErrs, err)
			return nil
		}
		isTest := strings.HasSuffix(name, "_test.go")
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				continue
			}
			var rel string
			switch {
			case imp == module:
				rel = "."
			case strings.HasPrefix(imp, module+"/"):
				rel = strings.TrimPrefix(imp, module+"/")
			default:
				continue // standard library or third party
			}
			for _, r := range rules {
				if r.from != "" && !under(pkg, r.from) {
					continue
				}
				if r.exceptFrom != "" && under(pkg, r.exceptFrom) {
					continue
				}
				if isTest && !r.tests {
					continue
				}
				if r.forbidden(rel) {
					rep.violations = append(rep.violations, violation{file: relFile, imp: imp, rule: r.name, why: r.why})
				}
			}
		}
		return nil
	})
	sort.Slice(rep.violations, func(i, j int) bool { return rep.violations[i].String() < rep.violations[j].String() })
	return rep, err
}

func TestImportDirection(t *testing.T) {
	rep, err := checkLayout(".", layoutRules())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.parseErrs {
		t.Errorf("cannot check imports: %v", e)
	}
	// The walk must have seen the tree, or the test proves nothing.
	for _, pkg := range []string{".", "edi", "cmd/claimgate", "gateway", "payers"} {
		if !rep.packages[pkg] {
			t.Errorf("no Go files found in %s: is the test running at the repository root?", pkg)
		}
	}
	for _, v := range rep.violations {
		t.Error(v)
	}
}

func TestImportRulesCatchViolations(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/fake\n\ngo 1.26\n",
		// Allowed.
		"edi/x835/ok.go":          `package x835; import ("fmt"; "example.com/fake/edi")`,
		"gateway/ok.go":           `package gateway; import ("example.com/fake/edi"; "example.com/fake/payers")`,
		"gateway/api/ok.go":       `package api; import "example.com/fake/gateway"`,
		"gateway/api/api_test.go": `package api_test; import "example.com/fake/storage/sqlite"`,
		"storage/sqlite/ok.go":    `package sqlite; import "example.com/fake/gateway"`,
		"payers/sim/ok.go":        `package sim; import "example.com/fake/edi/x837"`,
		"cmd/claimgate/main.go":   `package main; import ("example.com/fake/gateway"; "example.com/fake/storage/sqlite"; "example.com/fake/cmd/claimgate/internal/flags")`,
		"testdata/bad.go":         `package bad; import "example.com/fake/cmd/claimgate"`,
		"nested/go.mod":           "module example.com/other\n",
		"nested/x.go":             `package x; import "example.com/fake/cmd/claimgate"`,
		// Forbidden.
		"edi/reader.go":               `package edi; import "example.com/fake/gateway"`,
		"edi/x837/x837_test.go":       `package x837_test; import "example.com/fake/payers"`,
		"edi/codes/root.go":           `package codes; import "example.com/fake"`,
		"storage/postgres/bad.go":     `package postgres; import ("example.com/fake/gateway/api"; "example.com/fake/gateway/web/assets")`,
		"gateway/bad.go":              `package gateway; import "example.com/fake/storage/postgres"`,
		"gateway/jobs/bad.go":         `package jobs; import "example.com/fake/cmd/claimgate"`,
		"payers/bad.go":               `package payers; import "example.com/fake/gateway"`,
		"gateway/web/web_test.go":     `package web; import "example.com/fake/cmd/claimgate"`,
		"gateway/web/storage_test.go": `package web_test; import "example.com/fake/storage/sqlite"`,
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := checkLayout(root, layoutRules())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.parseErrs) > 0 {
		t.Fatal(rep.parseErrs)
	}
	var got []string
	for _, v := range rep.violations {
		got = append(got, v.file+" -> "+v.imp+" ["+v.rule+"]")
	}
	want := []string{
		"edi/codes/root.go -> example.com/fake [edi stands alone]",
		"edi/reader.go -> example.com/fake/gateway [edi stands alone]",
		"edi/x837/x837_test.go -> example.com/fake/payers [edi stands alone]",
		"gateway/bad.go -> example.com/fake/storage/postgres [gateway does not know its stores]",
		"gateway/jobs/bad.go -> example.com/fake/cmd/claimgate [gateway does not know its stores]",
		"gateway/jobs/bad.go -> example.com/fake/cmd/claimgate [nothing imports cmd]",
		"gateway/web/web_test.go -> example.com/fake/cmd/claimgate [nothing imports cmd]",
		"payers/bad.go -> example.com/fake/gateway [payers is below gateway]",
		"storage/postgres/bad.go -> example.com/fake/gateway/api [storage implements gateway]",
		"storage/postgres/bad.go -> example.com/fake/gateway/web/assets [storage implements gateway]",
	}
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\n\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(rep.violations) > 0 {
		msg := rep.violations[0].String()
		if !strings.Contains(msg, " imports ") || !strings.Contains(msg, "rule ") {
			t.Errorf("message %q should name the file, the import and the rule", msg)
		}
	}
}
