package main

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi/codes"
)

// TestCodesConfig: the codes section loads official lists, applies the overrides to the table
// serve shares, and reports every mistake with its key path.
func TestCodesConfig(t *testing.T) {
	dir := t.TempDir()
	carc := writeFile(t, dir, "carc.csv", "code,description,start,stop\n16,Official text of sixteen,1995-01-01,\nZ9,A code we never heard of,2026-01-01,\n")
	rarc := writeFile(t, dir, "rarc.tsv", "M76\tOfficial text of M76\nN999\tAlert: informational\n")
	cfgPath := writeFile(t, dir, "claimgate.yaml", `
codes:
  carc_file: `+carc+`
  rarc_file: `+rarc+`
  categories: {"197": coding}
  remark_hints: {N54: medical_necessity}
  queues: {authorization: front_desk, coding: coders}
`)
	cfg, err := loadConfig(&globalFlags{configPath: cfgPath}, mapGetenv(nil))
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := cfg.Codes.table(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := tbl.CARC("16"); c.Description != "Official text of sixteen" {
		t.Errorf("CARC 16 description %q", c.Description)
	}
	if c, ok := tbl.CARC("Z9"); !ok || c.Category != codes.Other {
		t.Errorf("unlisted CARC Z9: %+v", c)
	}
	if d := tbl.Classify("CO", "197", nil); d.Category != codes.Coding || d.Queue != "coders" {
		t.Errorf("CO-197 after the override: %+v", d)
	}
	if d := tbl.Classify("CO", "16", []string{"N54"}); d.Category != codes.MedicalNecessity {
		t.Errorf("CO-16 + N54 after the remark override: %+v", d)
	}
	if q := tbl.Queue(codes.Authorization); q != "front_desk" {
		t.Errorf("authorization queue %q", q)
	}

	bad := writeFile(t, dir, "bad.yaml", `
codes:
  carc_file: `+filepath.Join(dir, "missing.csv")+`
  rarc_file: `+dir+`
  categories: {"16": codeing, "not a code": coding}
  remark_hints: {X1: coding}
  queues: {coding: "Coders Team", nope: billing}
`)
	_, err = loadConfig(&globalFlags{configPath: bad}, mapGetenv(nil))
	var ce *configError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v, want a configError", err)
	}
	want := []string{
		"codes.carc_file: cannot read",
		"codes.rarc_file: " + dir + " is a directory",
		"codes.categories.16: unknown denial category \"codeing\"",
		"codes.categories.not a code: \"not a code\" is not a claim adjustment reason code",
		"codes.remark_hints.X1: \"X1\" is not a remark code",
		"codes.queues.coding: \"Coders Team\" must be a queue name",
		"codes.queues.nope: unknown denial category \"nope\"",
	}
	if len(ce.problems) != len(want) {
		t.Fatalf("problems:\n%s", strings.Join(ce.problems, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(ce.problems[i], w) {
			t.Errorf("problem %d: %q, want prefix %q", i, ce.problems[i], w)
		}
	}
}
