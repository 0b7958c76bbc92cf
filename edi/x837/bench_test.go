package x837

import (
	"bytes"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
)

const benchClaims = 1000

func benchInterchange(t ClaimType) *Interchange {
	claims := make([]Claim, benchClaims)
	for i := range claims {
		pcn := "B" + strconv.Itoa(100000+i)
		if t == Professional {
			claims[i] = testProfessional(pcn)
		} else {
			claims[i] = testInstitutional(pcn)
		}
	}
	return testInterchange(claims...)
}

func benchmarkRender(b *testing.B, t ClaimType) {
	ic := benchInterchange(t)
	var n int64
	b.ReportAllocs()
	cpu0, cpuOK := processCPUTime()
	for b.Loop() {
		w := edi.NewWriter(io.Discard, edi.DefaultDelimiters)
		if err := WriteInterchange(w, ic); err != nil {
			b.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		n += benchClaims
	}
	reportClaims(b, n, cpu0, cpuOK)
}

// reportClaims reports claims per wall-clock second and, where the platform tells, per
// CPU-second of the whole process (garbage collection included): the single-core rate even on a
// machine shared with other work.
func reportClaims(b *testing.B, n int64, cpu0 time.Duration, cpuOK bool) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "claims/s")
	if cpu1, ok := processCPUTime(); ok && cpuOK && cpu1 > cpu0 {
		b.ReportMetric(float64(n)/(cpu1-cpu0).Seconds(), "claims/cpu-s")
	}
}

// BenchmarkRender837P renders two-line professional claims, 1000 per interchange, validation
// included.
func BenchmarkRender837P(b *testing.B) { benchmarkRender(b, Professional) }

// BenchmarkRender837I renders three-line inpatient claims, 1000 per interchange.
func BenchmarkRender837I(b *testing.B) { benchmarkRender(b, Institutional) }

// BenchmarkRead837 reads back 1000 rendered two-line professional claims.
func BenchmarkRead837(b *testing.B) {
	var buf bytes.Buffer
	if err := Render(&buf, benchInterchange(Professional)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	var n int64
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0, cpuOK := processCPUTime()
	for b.Loop() {
		r := NewReader(edi.NewReader(bytes.NewReader(data)))
		ics, err := r.ReadAll()
		if err != nil || len(ics) != 1 || len(ics[0].Claims) != benchClaims || len(r.Errors()) > 0 {
			b.Fatalf("read: %v %d %v", err, len(ics), r.Errors())
		}
		n += benchClaims
	}
	reportClaims(b, n, cpu0, cpuOK)
}
