package remit

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/internal/samples"
	"github.com/claimgate/claimgate/storage/sqlite"
)

// TestPostNeverFails posts every 835 sample and a few hundred mutations of generated 835s (the
// store-backed counterpart of FuzzClaimPath, which a coverage-instrumented SQLite makes too slow
// to fuzz): the poster must never panic (a recovered panic shows as the "internal error"
// quarantine reason) and must always end with the file processed or quarantined.
func TestPostNeverFails(t *testing.T) {
	e := newEnv(t, mustSQLite(t))
	c := e.claim(svcLine{"99214", "2026-11-02", 15000})
	p := clp(c.ID, "1", 15000, 12000, 0, "PCN-F", cas("CO", "45", 3000))
	p.Lines = []x835.ServiceLine{svc("99214", c.ID+"-1", "2026-11-02", 15000, 12000, cas("CO", "45", 3000))}
	seeds := [][]byte{
		e.x12(remittance("TRN-F1", []*x835.ClaimPayment{p}, x835.ProviderAdjustmentItem{Reason: "WO", Amount: 100})),
		e.x12(remittance("TRN-F2", []*x835.ClaimPayment{clp(c.ID, "22", -15000, -12000, 0, "PCN-F", cas("CO", "45", -3000))})),
	}
	var inputs [][]byte
	inputs = append(inputs, seeds...)
	inputs = append(inputs, sample835s(t)...)
	rng := rand.New(rand.NewPCG(7, 835))
	for i := 0; i < 300; i++ {
		b := append([]byte(nil), seeds[i%len(seeds)]...)
		for k := 0; k < 1+rng.IntN(4); k++ {
			switch pos := rng.IntN(len(b)); rng.IntN(3) {
			case 0:
				const alphabet = "*~:0123456789-.ABC\n"
				b[pos] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				b = append(b[:pos], b[min(len(b), pos+1+rng.IntN(20)):]...)
			default:
				b = append(b[:pos], append([]byte("*9.999"), b[pos:]...)...)
			}
			if len(b) == 0 {
				b = []byte("ISA")
			}
		}
		inputs = append(inputs, b)
	}
	for i, data := range inputs {
		checkPost(t, e, i, data)
	}
}

func checkPost(t *testing.T, e *env, i int, data []byte) {
	t.Helper()
	ctx := context.Background()
	file, _, err := e.store.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: payer, Name: "fuzz.835",
		Kind: gateway.Kind835, Bytes: data})
	if err != nil {
		t.Fatal(err)
	}
	file.Bytes = data
	res, err := e.poster.Post(ctx, file)
	if err != nil {
		t.Fatalf("input %d: post: %v", i, err)
	}
	switch res.Status {
	case gateway.FileProcessed:
		for _, r := range res.Remittances {
			if r.DuplicateOf == nil && r.ClaimCount != r.MatchedCount+r.UnmatchedCount {
				t.Fatalf("input %d: remittance counts %+v", i, r)
			}
		}
	case gateway.FileQuarantined:
		if res.Reason == "" || strings.Contains(res.Reason, "internal error") {
			t.Fatalf("input %d: quarantine reason %q", i, res.Reason)
		}
	default:
		t.Fatalf("input %d: file left %s", i, res.Status)
	}
}

// sample835s reads the 835 samples (none when the folder is absent).
func sample835s(t testing.TB) [][]byte {
	dir := samples.Dir("835")
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, en := range entries {
		if b, err := os.ReadFile(filepath.Join(dir, en.Name())); err == nil && len(b) < 1<<20 {
			out = append(out, b)
		}
	}
	return out
}

// FuzzClaimPath runs the store-free part of posting over arbitrary bytes: the streaming read,
// the fatal-problem rule, the conversion of every claim payment, its outcome and line
// matching against a claim. None of it may panic, and a converted claim keeps its amounts.
func FuzzClaimPath(f *testing.F) {
	e := &env{t: f}
	p := clp("01ABCDEFGH1234567", "1", 15000, 12000, 0, "PCN-F", cas("CO", "45", 3000))
	p.Lines = []x835.ServiceLine{svc("99214", "01ABCDEFGH1234567-1", "2026-11-02", 15000, 12000, cas("CO", "45", 3000))}
	f.Add(e.x12(remittance("TRN-F1", []*x835.ClaimPayment{p}, x835.ProviderAdjustmentItem{Reason: "WO", Amount: 100})))
	for _, b := range sample835s(f) {
		f.Add(b)
	}
	poster, err := New(Config{Store: nopStore{}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		xr := x835.NewReader(edi.NewReader(bytes.NewReader(data)))
		cs := &claimState{claim: gateway.Claim{ID: "01ABCDEFGH1234567", LineCount: 2,
			Encounter: []byte(`{"claim":{"service_lines":[{"procedure_code":"99214","service_date":"2026-11-02"},{"procedure_code":"97530"}]}}`)}}
		for {
			if _, err := xr.NextTransaction(); err != nil {
				break
			}
			for {
				c, err := xr.NextClaim()
				if err != nil {
					break
				}
				cp := convertClaim(c)
				if cp.Charge != c.Charge || cp.Paid != c.Paid || len(cp.Lines) != len(c.Lines) {
					t.Fatalf("conversion lost amounts: %+v", cp)
				}
				poster.outcome(c)
				matchLines(cs, cp.Lines)
				for _, l := range cp.Lines {
					if l.LineNumber < 0 || l.LineNumber > 2 {
						t.Fatalf("line matched to %d", l.LineNumber)
					}
				}
				poster.outcome(storedAsX835(&cp))
			}
		}
		for _, e := range xr.Errors() {
			fatal(e)
		}
	})
}

// nopStore satisfies gateway.Store for the fuzz target, which never calls it.
type nopStore struct{ gateway.Store }

func mustSQLite(t testing.TB) gateway.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "fuzz.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
