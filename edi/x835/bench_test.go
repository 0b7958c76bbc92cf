package x835

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
)

const benchSize = 50 << 20

var (
	benchOnce sync.Once
	benchData []byte
)

// benchInput returns the ~50 MB generated 835, built once.
func benchInput(b *testing.B) []byte {
	b.Helper()
	benchOnce.Do(func() {
		data, err := io.ReadAll(newGenReader(benchSize))
		if err != nil {
			panic(err)
		}
		benchData = data
	})
	return benchData
}

// cpuTime returns the process's user+system CPU time. The benchmarks report it next to the
// wall-clock time (as cpu-ns/op and cpu-MB/s) because the machines they run on are shared:
// CPU time is what the code costs, wall time also counts waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU runs the benchmark loop body and reports its CPU time per op and throughput.
func measureCPU(b *testing.B, size int, body func()) {
	b.Helper()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	start := cpuTime()
	n := 0
	b.ResetTimer()
	for b.Loop() {
		body()
		n++
	}
	b.StopTimer()
	if cpu := cpuTime() - start; n > 0 && cpu > 0 {
		per := float64(cpu.Nanoseconds()) / float64(n)
		b.ReportMetric(per, "cpu-ns/op")
		b.ReportMetric(float64(size)/per*1e9/1e6, "cpu-MB/s")
	}
}

// TestGenerated checks the generator itself: the file it writes is clean (no envelope,
// structure, value or balancing problem) and has the totals it was built with.
func TestGenerated(t *testing.T) {
	g := newGenReader(1 << 20)
	want := g.expected()
	r := NewReader(edi.NewReader(g))
	sets := 0
	for {
		rem, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		sets++
		if rem.Totals != want {
			t.Errorf("set %s totals %+v, want %+v", rem.ControlNumber, rem.Totals, want)
		}
	}
	if sets != g.sets || sets == 0 {
		t.Errorf("%d sets, want %d", sets, g.sets)
	}
	if errs := r.Errors(); len(errs) != 0 {
		t.Errorf("generated file has problems: %v", errs[:min(len(errs), 5)])
	}
}

// bareSplitter is the baseline for BenchmarkTotals: it only splits segments with
// bytes.IndexByte and sums CLP03, CLP04 and the PLB amounts. It knows nothing of delimiters
// declared in the ISA, envelopes, white space or sets.
// bareStreamingSplitter is bareSplitter reading r through a 64 KiB buffer, as a streaming
// reader must (the Scanner's default buffer size): whole segments are summed, a segment cut
// by the end of the buffer is moved to its front before the next read.
func bareStreamingSplitter(r io.Reader) (charged, paid, plb edi.Amount, claims int) {
	buf := make([]byte, 64<<10)
	start, end := 0, 0
	for {
		if start > 0 {
			end = copy(buf, buf[start:end])
			start = 0
		}
		n, err := r.Read(buf[end:])
		end += n
		last := bytes.LastIndexByte(buf[:end], '~')
		if err != nil {
			last = end - 1 // the rest, terminated or not
		}
		if last >= 0 {
			c, p, l, k := bareSplitter(buf[:last+1])
			charged, paid, plb, claims = charged+c, paid+p, plb+l, claims+k
			start = last + 1
		}
		if err != nil {
			return charged, paid, plb, claims
		}
	}
}

func bareSplitter(data []byte) (charged, paid, plb edi.Amount, claims int) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '~')
		if i < 0 {
			i = len(data)
		}
		seg := data[:i]
		if i < len(data) {
			data = data[i+1:]
		} else {
			data = nil
		}
		if len(seg) < 4 || seg[3] != '*' {
			continue
		}
		switch {
		case seg[0] == 'C' && seg[1] == 'L' && seg[2] == 'P':
			claims++
			for n, el := 0, seg[4:]; n < 4; n++ {
				j := bytes.IndexByte(el, '*')
				if j < 0 {
					j = len(el)
				}
				switch n {
				case 2:
					a, _ := edi.ParseAmountBytes(el[:j])
					charged += a
				case 3:
					a, _ := edi.ParseAmountBytes(el[:j])
					paid += a
				}
				if j == len(el) {
					break
				}
				el = el[j+1:]
			}
		case seg[0] == 'P' && seg[1] == 'L' && seg[2] == 'B':
			for n, el := 1, seg[4:]; ; n++ {
				j := bytes.IndexByte(el, '*')
				if j < 0 {
					j = len(el)
				}
				if n >= 4 && n%2 == 0 {
					a, _ := edi.ParseAmountBytes(el[:j])
					plb += a
				}
				if j == len(el) {
					break
				}
				el = el[j+1:]
			}
		}
	}
	return charged, paid, plb, claims
}

func BenchmarkBareSplitter(b *testing.B) {
	data := benchInput(b)
	want := newGenReader(benchSize).expected()
	measureCPU(b, len(data), func() {
		charged, paid, _, claims := bareSplitter(data)
		if claims%want.ClaimCount != 0 || paid != want.Paid*edi.Amount(claims/want.ClaimCount) || charged == 0 {
			b.Fatalf("bare splitter: %d claims, paid %s", claims, paid)
		}
	})
}

func BenchmarkTotals(b *testing.B) {
	data := benchInput(b)
	want := newGenReader(benchSize).expected()
	measureCPU(b, len(data), func() {
		sets := 0
		err := ReadTotals(bytes.NewReader(data), func(_ TransactionInfo, t Totals) error {
			sets++
			if t != want {
				b.Fatalf("totals %+v, want %+v", t, want)
			}
			return nil
		})
		if err != nil || sets == 0 {
			b.Fatalf("ReadTotals: %v (%d sets)", err, sets)
		}
	})
}

// BenchmarkTotalsVsSplitter runs the bare splitter (on the bytes in memory, and streaming
// through a 64 KiB buffer) and ReadTotals (streaming, as `edi parse --totals` reads a file)
// over the same bytes in every iteration, one after the other, and reports the ratios of their
// times: the figure the issue bounds (at most 2.5x, aim 1.5x), steady on a busy machine where
// the benchmarks above, run minutes apart, can meet different loads.
func BenchmarkTotalsVsSplitter(b *testing.B) {
	data := benchInput(b)
	want := newGenReader(benchSize).expected()
	var bare, streaming, totals time.Duration
	for b.Loop() {
		start := time.Now()
		charged, paid, plb, claims := bareSplitter(data)
		split := time.Now()
		scharged, spaid, splb, sclaims := bareStreamingSplitter(bytes.NewReader(data))
		mid := time.Now()
		if sclaims != claims || scharged != charged || spaid != paid || splb != plb {
			b.Fatalf("streaming splitter: %d claims %s %s %s, in memory %d %s %s %s", sclaims, scharged, spaid, splb,
				claims, charged, paid, plb)
		}
		err := ReadTotals(bytes.NewReader(data), func(_ TransactionInfo, t Totals) error {
			if t != want {
				return fmt.Errorf("totals %+v, want %+v", t, want)
			}
			return nil
		})
		end := time.Now()
		if err != nil || claims == 0 {
			b.Fatalf("ReadTotals: %v (%d claims split)", err, claims)
		}
		bare += split.Sub(start)
		streaming += mid.Sub(split)
		totals += end.Sub(mid)
	}
	b.ReportMetric(float64(totals)/float64(bare), "totals/splitter")
	b.ReportMetric(float64(totals)/float64(streaming), "totals/streaming-splitter")
	b.ReportMetric(float64(len(data))*float64(b.N)/totals.Seconds()/1e6, "totals-MB/s")
}

// BenchmarkReadModel reads the full model, streaming the claims.
func BenchmarkReadModel(b *testing.B) {
	data := benchInput(b)
	measureCPU(b, len(data), func() {
		r := NewReader(edi.NewReader(bytes.NewReader(data)))
		claims := 0
		for {
			_, err := r.NextTransaction()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			for {
				_, err := r.NextClaim()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				claims++
			}
		}
		if claims == 0 || len(r.Errors()) != 0 {
			b.Fatalf("%d claims, problems %v", claims, r.Errors())
		}
	})
}

// BenchmarkEDIReader measures the edi.Reader's raw segment throughput (envelope checks
// included) on the same input.
func BenchmarkEDIReader(b *testing.B) {
	data := benchInput(b)
	measureCPU(b, len(data), func() {
		r := edi.NewReader(bytes.NewReader(data))
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n == 0 {
			b.Fatal("no segments")
		}
	})
}

// BenchmarkEDIScanner measures the edi.Scanner alone (no envelope checks).
func BenchmarkEDIScanner(b *testing.B) {
	data := benchInput(b)
	measureCPU(b, len(data), func() {
		s := edi.NewScanner(bytes.NewReader(data))
		n := 0
		for {
			_, err := s.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n == 0 {
			b.Fatal("no segments")
		}
	})
}

// heapAfterGC returns the live heap after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestMemoryDoesNotGrow reads generated inputs of about 5 MB and 50 MB from a generating
// io.Reader (so the input is never in memory) and checks that the fast path allocates the same
// small amount whatever the size, and that the streaming model's live heap stays flat.
func TestMemoryDoesNotGrow(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 55 MB of generated input")
	}
	small, large := int64(5<<20), int64(50<<20)
	if raceEnabled {
		large = 25 << 20 // the race detector is ~10x slower; 5x the input still shows growth
	}

	totalsAlloc := func(size int64) (alloc uint64, n int64) {
		g := newGenReader(size)
		cr := &countingReader{r: g}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		err := ReadTotals(cr, func(_ TransactionInfo, tot Totals) error {
			if tot != g.expected() {
				t.Errorf("totals %+v", tot)
			}
			return nil
		})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		return after.TotalAlloc - before.TotalAlloc, cr.n
	}
	a1, n1 := totalsAlloc(small)
	a2, n2 := totalsAlloc(large)
	t.Logf("ReadTotals: %d bytes read, %d bytes allocated; %d bytes read, %d bytes allocated", n1, a1, n2, a2)
	if n2 < 4*n1 {
		t.Fatalf("inputs %d and %d bytes are too close to compare", n1, n2)
	}
	// A few hundred bytes per set (control numbers) is all that may grow.
	if a2 > a1+32<<10 || a2 > 512<<10 {
		t.Errorf("ReadTotals allocated %d bytes for %d bytes of input but %d for %d: it grows with the input", a2, n2, a1, n1)
	}

	modelPeak := func(size int64) uint64 {
		base := heapAfterGC()
		r := NewReader(edi.NewReader(newGenReader(size)))
		var peak uint64
		claims := 0
		for {
			_, err := r.NextTransaction()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			for {
				_, err := r.NextClaim()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if claims++; claims%10000 == 0 {
					if h := heapAfterGC(); h > base {
						peak = max(peak, h-base)
					}
				}
			}
		}
		if len(r.Errors()) != 0 {
			t.Errorf("problems: %v", r.Errors()[0])
		}
		return peak
	}
	p1 := modelPeak(small)
	p2 := modelPeak(large)
	t.Logf("streaming model: live heap peak %d bytes (small input), %d bytes (large input)", p1, p2)
	if p2 > p1+256<<10 {
		t.Errorf("streaming model live heap grew from %d to %d bytes with a larger input", p1, p2)
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
