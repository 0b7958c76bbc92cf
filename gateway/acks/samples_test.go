package acks_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/internal/samples"
)

// samplesDir is ../shared/x12-samples next to the repository; tests skip without it.
func samplesDir(t *testing.T) string { t.Helper(); return samples.Require(t) }

// expectedUnits counts what a file holds as the readers see it: the acknowledgment units and
// how many of them (or of their parts) cannot match a store whose only batch is ISA13/GS06 1.
func expectedUnits(t *testing.T, kind gateway.FileKind, b []byte) (units, unmatched int) {
	t.Helper()
	if tf, err := ta1.Read(bytes.NewReader(b)); err == nil && bytes.Contains(b, []byte("TA1")) {
		for _, a := range tf.Acks {
			units++
			if n, err := strconv.ParseInt(strings.TrimSpace(a.ControlNumber), 10, 64); err != nil || n != 1 {
				unmatched++
			}
		}
	}
	switch kind {
	case gateway.Kind999:
		f, _ := x999.Read(bytes.NewReader(b))
		for _, a := range f.Acks {
			units++
			gs, err := strconv.ParseInt(strings.TrimSpace(a.GroupControlNumber), 10, 64)
			if a.FunctionalID != "HC" || err != nil || gs != 1 {
				unmatched++ // no batch (or not a claim group)
				continue
			}
			unmatched += len(a.Sets) // the group is ours by number, but no set is
		}
	case gateway.Kind277CA:
		f, _ := x277.Read(bytes.NewReader(b))
		for _, tx := range f.Transactions {
			units++
			unmatched += len(tx.Claims())
		}
	}
	return units, unmatched
}

// Every 999 and 277CA sample is ingested against a store holding a real batch (with the
// control numbers 1 the samples use most): nothing matches our claims, everything read is
// kept (as acknowledgments and unmatched parts) or the file is quarantined with a reason, and
// nothing panics.
func TestSampleFilesAreKeptUnmatched(t *testing.T) {
	dir := samplesDir(t)
	s := openSQLite(t)
	ctx := context.Background()
	in := newIngester(t, s, nil)
	ours := newSentBatch(t, s, newSubmitter(t, s), 1, 2, 0)
	seen := 0
	for _, sub := range []struct {
		dir  string
		kind gateway.FileKind
	}{{"999", gateway.Kind999}, {"277CA", gateway.Kind277CA}} {
		entries, err := os.ReadDir(filepath.Join(dir, sub.dir))
		if err != nil {
			t.Fatalf("samples %s: %v", sub.dir, err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			name := sub.dir + "/" + e.Name()
			t.Run(name, func(t *testing.T) {
				b, err := os.ReadFile(filepath.Join(dir, sub.dir, e.Name()))
				must(t, err)
				f := receive(t, s, sub.kind, name, b)
				res := ingest(t, in, f)
				stored, err := s.GetFile(ctx, f.ID)
				must(t, err)
				if res.ClaimAcks != 0 || res.Moved != 0 || res.Rejections != 0 {
					t.Fatalf("a sample file touched our claims: %+v", res)
				}
				switch stored.Status {
				case gateway.FileQuarantined:
					if stored.Reason == "" {
						t.Fatal("quarantined without a reason")
					}
					t.Logf("quarantined: %s", stored.Reason)
				case gateway.FileProcessed:
					units, unmatched := expectedUnits(t, sub.kind, b)
					acks, err := s.ListAcknowledgments(ctx, gateway.AckFilter{FileID: f.ID, Limit: 1000})
					must(t, err)
					un, err := s.ListUnmatchedAcknowledgments(ctx, gateway.UnmatchedFilter{FileID: f.ID, Limit: 1000})
					must(t, err)
					if len(acks) != units || len(un) != unmatched || res.Unmatched != unmatched {
						t.Fatalf("kept %d acknowledgments and %d unmatched parts, the file holds %d and %d", len(acks), len(un), units, unmatched)
					}
					t.Logf("processed: %d acknowledgments, %d unmatched, %d problems", len(acks), len(un), res.Problems)
				default:
					t.Fatalf("file status %s", stored.Status)
				}
			})
			seen++
		}
	}
	if seen == 0 {
		t.Fatal("no sample 999 or 277CA files found")
	}
	for _, c := range ours.claims {
		if st := status(t, s, c.ID); st != gateway.StatusSubmitted {
			t.Errorf("our claim %s moved to %s", c.ID, st)
		}
		if cas := claimAcks(t, s, c.ID); len(cas) != 0 {
			t.Errorf("our claim %s got acknowledgments %+v", c.ID, cas)
		}
	}
}
