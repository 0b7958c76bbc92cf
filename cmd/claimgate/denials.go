package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/denials"
)

// codesConfig is the `codes:` section: the official code lists to load and the operator's
// overrides of the denial categories and work queues.
//
//	codes:
//	  carc_file: /etc/claimgate/carc.csv   # code,description[,start[,stop]] (CSV or TSV)
//	  rarc_file: /etc/claimgate/rarc.csv
//	  categories: {"16": coding}           # CARC -> category
//	  remark_hints: {N290: missing_information}  # RARC -> category it gives a catch-all CARC
//	  queues: {medical_necessity: coding}  # category -> work queue
type codesConfig struct {
	CARCFile    string            `yaml:"carc_file"`
	RARCFile    string            `yaml:"rarc_file"`
	Categories  map[string]string `yaml:"categories"`
	RemarkHints map[string]string `yaml:"remark_hints"`
	Queues      map[string]string `yaml:"queues"`
}

var (
	codesCARCRe  = regexp.MustCompile(`^[A-Z]?[0-9]{1,3}$|^[A-Z][0-9]?$`)
	codesRARCRe  = regexp.MustCompile(`^(M|MA|N)[0-9]{1,3}$`)
	codesQueueRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)
)

// validate returns every problem of the section, each prefixed with its key path.
func (c codesConfig) validate() []string {
	var problems []string
	add := func(key, format string, args ...any) {
		problems = append(problems, key+": "+fmt.Sprintf(format, args...))
	}
	for _, f := range []struct{ key, path string }{{"codes.carc_file", c.CARCFile}, {"codes.rarc_file", c.RARCFile}} {
		if f.path == "" {
			continue
		}
		if st, err := os.Stat(f.path); err != nil {
			add(f.key, "cannot read %s: %v", f.path, errors.Unwrap(err))
		} else if st.IsDir() {
			add(f.key, "%s is a directory, not a code list file", f.path)
		}
	}
	for _, k := range codesKeys(c.Categories) {
		key := "codes.categories." + k
		if !codesCARCRe.MatchString(k) {
			add(key, "%q is not a claim adjustment reason code (such as 16, 197 or A1)", k)
		}
		if _, err := codes.ParseCategory(c.Categories[k]); err != nil {
			add(key, "%v", err)
		}
	}
	for _, k := range codesKeys(c.RemarkHints) {
		key := "codes.remark_hints." + k
		if !codesRARCRe.MatchString(k) {
			add(key, "%q is not a remark code (such as M76 or N479)", k)
		}
		if _, err := codes.ParseCategory(c.RemarkHints[k]); err != nil {
			add(key, "%v", err)
		}
	}
	for _, k := range codesKeys(c.Queues) {
		key := "codes.queues." + k
		if _, err := codes.ParseCategory(k); err != nil {
			add(key, "%v", err)
		}
		if !codesQueueRe.MatchString(c.Queues[k]) {
			add(key, "%q must be a queue name: lower-case letters, digits, '_', '.' or '-', at most 64", c.Queues[k])
		}
	}
	return problems
}

func codesKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// table builds the code table serve shares between 835 posting, acknowledgment ingest, denial
// routing and the API: the embedded lists, the official descriptions, then the overrides.
func (c codesConfig) table(logger *slog.Logger) (*codes.Table, error) {
	t := codes.Default()
	for _, f := range []struct {
		key, path string
		load      func(*os.File) (int, error)
	}{
		{"codes.carc_file", c.CARCFile, func(f *os.File) (int, error) { return t.LoadCARCList(f) }},
		{"codes.rarc_file", c.RARCFile, func(f *os.File) (int, error) { return t.LoadRARCList(f) }},
	} {
		if f.path == "" {
			continue
		}
		file, err := os.Open(f.path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.key, err)
		}
		n, err := f.load(file)
		_ = file.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", f.key, f.path, err)
		}
		logger.Info("code list loaded", "key", f.key, "codes", n)
	}
	for _, k := range codesKeys(c.Categories) {
		if err := t.SetCategory(k, codes.Category(c.Categories[k])); err != nil {
			return nil, fmt.Errorf("codes.categories.%s: %w", k, err)
		}
	}
	for _, k := range codesKeys(c.RemarkHints) {
		if err := t.SetRemarkHint(k, codes.Category(c.RemarkHints[k])); err != nil {
			return nil, fmt.Errorf("codes.remark_hints.%s: %w", k, err)
		}
	}
	for _, k := range codesKeys(c.Queues) {
		if err := t.SetQueue(codes.Category(k), strings.TrimSpace(c.Queues[k])); err != nil {
			return nil, fmt.Errorf("codes.queues.%s: %w", k, err)
		}
	}
	return t, nil
}

// newDenialRouter builds the route_denials job of serve.
func newDenialRouter(store gateway.Store, table *codes.Table, logger *slog.Logger, reg prometheus.Registerer) (*denials.Router, error) {
	return denials.New(denials.Config{Store: store, Codes: table, Registerer: reg, Logger: logger})
}

// withDenialRouting runs the route_denials schedule (one job per interval, deduplicated across
// replicas) beside run.
func withDenialRouting(run func(context.Context) error, r *denials.Router) func(context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- r.Schedule(ctx) }()
		var err error
		if run != nil {
			err = run(ctx)
		} else {
			<-ctx.Done()
		}
		cancel()
		return errors.Join(err, <-done)
	}
}
