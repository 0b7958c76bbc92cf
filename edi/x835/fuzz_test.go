package x835

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/claimgate/claimgate/edi"
)

// maxSeed caps the seeds: the fuzzer minimizes every new interesting input, which takes minutes
// for the 400 KB samples and stalls fuzzing; their first 16 KB carry all their structure.
const maxSeed = 16 << 10

// addSeeds seeds a fuzz target with every 835 sample and the hand-written documents.
func addSeeds(f *testing.F) {
	for _, path := range sample835s(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data[:min(len(data), maxSeed)])
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "full.835")); err == nil {
		f.Add(data)
	}
	f.Add([]byte(doc("32.5", "C", "CLP*A*22*-10*-5**12", "CAS*CO*45*-5", "SVC*HC:99213*10*5", "CAS*CO*45*5", "PLB*1*20261231*WO:X*50*L6*-2.5")))
	f.Add([]byte("ST*835*0001~BPR*I*5*D*CHK~CLP*A*1*5*5**12~SE*4*0001~"))
}

// fuzzModel reads data with Next and with the streaming API; it returns the totals of both
// and whether the input was readable to the end.
func fuzzModel(t *testing.T, data []byte) ([]Totals, bool) {
	r := NewReader(edi.NewReader(bytes.NewReader(data)))
	var out []Totals
	for {
		rem, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, false
		}
		sum := Totals{PaymentAmount: rem.Payment.Signed(), ProviderAdjustmentCount: len(rem.ProviderAdjustments)}
		for _, c := range rem.Claims {
			sum.ClaimCount++
			if c.IsReversal() {
				sum.ReversalCount++
			}
			sum.Charged += c.Charge
			sum.Paid += c.Paid
		}
		for i := range rem.ProviderAdjustments {
			sum.ProviderAdjustments += rem.ProviderAdjustments[i].Total()
		}
		sum.balance()
		if sum != rem.Totals {
			t.Fatalf("set %q: totals %+v disagree with the model's content %+v", rem.ControlNumber, rem.Totals, sum)
		}
		if _, err := json.Marshal(rem); err != nil {
			t.Fatalf("JSON: %v", err)
		}
		out = append(out, rem.Totals)
	}
	for _, e := range r.Errors() {
		if e.Offset < 0 || e.Offset > int64(len(data))+4 || e.Code == "" || e.Msg == "" || e.Err == nil {
			t.Fatalf("badly formed problem %+v", *e)
		}
	}
	return out, true
}

func FuzzRead835(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		model, ok := fuzzModel(t, data)
		var fast []Totals
		err := ReadTotals(bytes.NewReader(data), func(_ TransactionInfo, tot Totals) error {
			fast = append(fast, tot)
			return nil
		})
		if !ok || err != nil {
			return // unreadable input: both stop, possibly at different sets
		}
		if len(fast) != len(model) {
			t.Fatalf("ReadTotals found %d sets, Next %d", len(fast), len(model))
		}
		for i := range fast {
			if fast[i] != model[i] {
				t.Fatalf("set %d: ReadTotals %+v, model %+v", i, fast[i], model[i])
			}
		}
	})
}

func FuzzTotals(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		var fast []Totals
		err := ReadTotals(bytes.NewReader(data), func(_ TransactionInfo, tot Totals) error {
			if tot.Balanced != (tot.PaymentAmount == tot.Paid-tot.ProviderAdjustments) {
				t.Fatalf("Balanced is wrong in %+v", tot)
			}
			if tot.ReversalCount > tot.ClaimCount || tot.ClaimCount < 0 {
				t.Fatalf("counts %+v", tot)
			}
			fast = append(fast, tot)
			return nil
		})
		if err != nil {
			return
		}
		// The streaming reader must count the same claims, set by set.
		r := NewReader(edi.NewReader(bytes.NewReader(data)))
		for i := 0; ; i++ {
			rem, err := r.NextTransaction()
			if err == io.EOF {
				if i != len(fast) {
					t.Fatalf("streaming found %d sets, ReadTotals %d", i, len(fast))
				}
				return
			}
			if err != nil {
				return
			}
			for {
				if _, err := r.NextClaim(); err != nil {
					if err != io.EOF {
						return
					}
					break
				}
			}
			if i >= len(fast) || rem.Totals != fast[i] {
				t.Fatalf("set %d: streaming totals %+v, ReadTotals %v", i, rem.Totals, fast[min(i, len(fast)-1):])
			}
		}
	})
}

// TestFuzzSeedsReadable makes sure the seeds are what the fuzz targets start from: every
// sample is readable to the end by both paths.
func TestFuzzSeedsReadable(t *testing.T) {
	for _, path := range sample835s(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := fuzzModel(t, data); !ok {
			t.Errorf("%s: not readable to the end", filepath.Base(path))
		}
		if err := ReadTotals(bytes.NewReader(data), func(TransactionInfo, Totals) error { return nil }); err != nil {
			t.Errorf("%s: %v", filepath.Base(path), err)
		}
	}
}
