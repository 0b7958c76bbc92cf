package x835

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/internal/samples"
)

// samplesDir returns ../shared/x12-samples relative to the repository root, or skips.
func samplesDir(t testing.TB) string { t.Helper(); return samples.Require(t) }

// sample835s returns the paths of every 835 sample file.
func sample835s(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(samplesDir(t), "835", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no 835 sample files")
	}
	return files
}

// expectedRow is one row of expected_835_totals.tsv.
type expectedRow struct {
	file    string // relative to the samples directory, e.g. 835/moov__sample1.txt
	scope   string // ST02 value, or "" for a FILE row
	sets    int    // FILE rows: number of transaction sets
	bpr03   string
	totals  Totals
	lineNum int
}

func readExpected(t *testing.T, dir string) []expectedRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "expected_835_totals.tsv"))
	if err != nil {
		t.Fatalf("expected totals: %v", err)
	}
	defer f.Close()
	var rows []expectedRow
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		if n == 1 {
			continue // header
		}
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) < 12 {
			t.Fatalf("expected_835_totals.tsv line %d has %d columns", n, len(c))
		}
		row := expectedRow{file: c[0], bpr03: c[7], lineNum: n}
		switch {
		case strings.HasPrefix(c[1], "ST02="):
			row.scope = strings.TrimPrefix(c[1], "ST02=")
			row.sets = 1
		case strings.HasPrefix(c[1], "FILE(") && strings.HasSuffix(c[1], " ST)"):
			row.sets = atoi(t, n, strings.TrimSuffix(strings.TrimPrefix(c[1], "FILE("), " ST)"))
		default:
			t.Fatalf("line %d: unknown scope %q", n, c[1])
		}
		bpr02 := amount(t, n, c[6])
		if row.bpr03 == "D" {
			bpr02 = -bpr02
		}
		row.totals = Totals{
			ClaimCount:              atoi(t, n, c[2]),
			ReversalCount:           atoi(t, n, c[3]),
			Charged:                 amount(t, n, c[4]),
			Paid:                    amount(t, n, c[5]),
			PaymentAmount:           bpr02,
			ProviderAdjustmentCount: atoi(t, n, c[8]),
			ProviderAdjustments:     amount(t, n, c[9]),
		}
		switch c[11] {
		case "YES":
			row.totals.Balanced = true
		case "NO":
		default:
			t.Fatalf("line %d: balanced column %q", n, c[11])
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func atoi(t *testing.T, line int, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("expected_835_totals.tsv line %d: %v", line, err)
	}
	return n
}

func amount(t *testing.T, line int, s string) edi.Amount {
	t.Helper()
	a, err := edi.ParseAmount(s)
	if err != nil {
		t.Fatalf("expected_835_totals.tsv line %d: %v", line, err)
	}
	return a
}

type setTotals struct {
	control string
	totals  Totals
}

// fastTotals runs ReadTotals over data.
func fastTotals(t testing.TB, data []byte) []setTotals {
	t.Helper()
	var out []setTotals
	err := ReadTotals(bytes.NewReader(data), func(info TransactionInfo, tot Totals) error {
		out = append(out, setTotals{info.ControlNumber, tot})
		return nil
	})
	if err != nil {
		t.Fatalf("ReadTotals: %v", err)
	}
	return out
}

// modelTotals reads data with Reader.Next and returns the sets and the reader.
func modelTotals(t testing.TB, data []byte) ([]*Remittance, *Reader) {
	t.Helper()
	r := NewReader(edi.NewReader(bytes.NewReader(data)))
	var out []*Remittance
	for {
		rem, err := r.Next()
		if err == io.EOF {
			return out, r
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, rem)
	}
}

// streamTotals reads data claim by claim and checks the claims add up to the set's totals.
func streamTotals(t testing.TB, data []byte) []setTotals {
	t.Helper()
	r := NewReader(edi.NewReader(bytes.NewReader(data)))
	var out []setTotals
	for {
		rem, err := r.NextTransaction()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("NextTransaction: %v", err)
		}
		var sum Totals
		for {
			c, err := r.NextClaim()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("NextClaim: %v", err)
			}
			sum.ClaimCount++
			if c.IsReversal() {
				sum.ReversalCount++
			}
			sum.Charged += c.Charge
			sum.Paid += c.Paid
		}
		if len(rem.Claims) != 0 {
			t.Errorf("set %s: streamed claims were also kept in Claims", rem.ControlNumber)
		}
		got := rem.Totals
		if got.ClaimCount != sum.ClaimCount || got.ReversalCount != sum.ReversalCount || got.Charged != sum.Charged || got.Paid != sum.Paid {
			t.Errorf("set %s: totals %+v disagree with the streamed claims %+v", rem.ControlNumber, got, sum)
		}
		out = append(out, setTotals{rem.ControlNumber, got})
	}
}

// TestSampleTotals checks, for every 835 sample, that the fast path, the full model and the
// streaming reader compute the totals in expected_835_totals.tsv, set by set and per file.
func TestSampleTotals(t *testing.T) {
	dir := samplesDir(t)
	rows := readExpected(t, dir)
	byFile := map[string][]expectedRow{}
	for _, r := range rows {
		byFile[r.file] = append(byFile[r.file], r)
	}
	files := sample835s(t)
	for _, path := range files {
		rel := "835/" + filepath.Base(path)
		if len(byFile[rel]) == 0 {
			t.Errorf("%s has no row in expected_835_totals.tsv", rel)
		}
	}
	for file, want := range byFile {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			fast := fastTotals(t, data)
			rems, r := modelTotals(t, data)
			stream := streamTotals(t, data)
			if len(rems) != len(fast) || len(stream) != len(fast) {
				t.Fatalf("ReadTotals found %d sets, Next %d, NextClaim %d", len(fast), len(rems), len(stream))
			}
			for i := range fast {
				if rems[i].Totals != fast[i].totals || stream[i].totals != fast[i].totals {
					t.Errorf("set %d (%s): fast %+v, model %+v, streamed %+v", i, fast[i].control, fast[i].totals, rems[i].Totals, stream[i].totals)
				}
			}
			used := map[int]bool{}
			for _, w := range want {
				if w.scope == "" {
					var sum Totals
					for _, s := range fast {
						sum.Add(s.totals)
					}
					if len(fast) != w.sets {
						t.Errorf("line %d: file has %d sets, want %d", w.lineNum, len(fast), w.sets)
					}
					if sum != w.totals {
						t.Errorf("line %d: file totals\n got %+v\nwant %+v", w.lineNum, sum, w.totals)
					}
					continue
				}
				found := -1
				for i, s := range fast {
					if s.control == w.scope && !used[i] {
						found = i
						break
					}
				}
				if found < 0 {
					t.Errorf("line %d: no transaction set with ST02 %s", w.lineNum, w.scope)
					continue
				}
				used[found] = true
				if got := fast[found].totals; got != w.totals {
					t.Errorf("line %d: set %s totals\n got %+v\nwant %+v", w.lineNum, w.scope, got, w.totals)
				}
				if got := rems[found].Payment.CreditDebit; got != w.bpr03 {
					t.Errorf("line %d: set %s BPR03 %q, want %q", w.lineNum, w.scope, got, w.bpr03)
				}
				// A set that does not balance must say so in the reader's problems, at its BPR.
				reported := false
				for _, pe := range r.Errors() {
					if pe.Code == "payment_not_balanced" && pe.Transaction == w.scope && errors.Is(pe, edi.ErrBalance) {
						reported = true
						if pe.SegmentID != "BPR" || pe.Element != 2 {
							t.Errorf("line %d: payment_not_balanced positioned at %s element %d, want BPR02", w.lineNum, pe.SegmentID, pe.Element)
						}
					}
				}
				if reported == w.totals.Balanced && r.EDI().Dropped == 0 {
					t.Errorf("line %d: set %s balanced=%v but payment_not_balanced reported=%v", w.lineNum, w.scope, w.totals.Balanced, reported)
				}
			}
		})
	}
}

// TestSampleClaimBalancing checks the claim-level balancing problems reported for the samples
// against an independent computation: a claim balances when CLP03 - CLP04 equals the sum of its
// CAS amounts, claim and line level.
func TestSampleClaimBalancing(t *testing.T) {
	for _, path := range sample835s(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rems, r := modelTotals(t, data)
		if r.EDI().Dropped > 0 {
			continue // more problems than recorded: the comparison below would be incomplete
		}
		reported := map[int]bool{}
		for _, e := range r.Errors() {
			if e.Code == "claim_not_balanced" {
				reported[e.SegmentIndex] = true
			}
		}
		for _, rem := range rems {
			for _, c := range rem.Claims {
				var adj edi.Amount
				for _, a := range c.Adjustments {
					adj += a.Amount
				}
				for _, l := range c.Lines {
					for _, a := range l.Adjustments {
						adj += a.Amount
					}
				}
				if unbalanced := c.Charge-c.Paid != adj; unbalanced != reported[c.SegmentIndex] {
					t.Errorf("%s: claim at segment %d unbalanced=%v, reported=%v", filepath.Base(path), c.SegmentIndex, unbalanced, reported[c.SegmentIndex])
				}
			}
		}
	}
}
