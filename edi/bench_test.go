package edi

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"testing"
)

// remittanceLike builds an X12 interchange of about size bytes shaped like a large 835: one
// transaction set per 1,000 claims, each claim with three service lines and adjustments.
func remittanceLike(size int) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf, DefaultDelimiters)
	w.LineBreaks = true
	w.BeginInterchange(ISAHeader{SenderID: "PAYER", ReceiverID: "CLAIMGATE", Time: testTime, ControlNumber: 1})
	w.BeginGroup(GSHeader{FunctionalID: "HP", Sender: "PAYER", Receiver: "CLAIMGATE", Time: testTime, ControlNumber: 1, Version: "005010X221A1"})
	st := int64(0)
	for buf.Len() < size {
		st++
		w.BeginTransaction("835", ControlNumber(st), "005010X221A1")
		w.Seg("BPR").E("I").Amt(123456).E("C").E("ACH").E("CCP").E("01").E("999999999").E("DA").E("123456").E("1512345678").Skip(1).E("01").E("999988880").E("DA").E("98765").E("20261120").End()
		w.Seg("TRN").E("1").E("12345" + strconv.FormatInt(st, 10)).E("1512345678").End()
		w.Seg("N1").E("PR").E("SIMULATED HEALTH PLAN").End()
		w.Seg("N1").E("PE").E("LAKESIDE FAMILY MEDICINE").E("XX").E("1234567893").End()
		for c := 0; c < 1000; c++ {
			id := "CG" + strconv.Itoa(c)
			w.Seg("CLP").E(id).E("1").Amt(45000).Amt(31050).Amt(2000).E("12").E("PAYERCLM" + strconv.Itoa(c)).E("11").E("1").End()
			w.Seg("CAS").E("CO").E("45").Amt(11950).End()
			w.Seg("NM1").E("QC").E("1").E("DOE").E("JOHN").Skip(4).E("MI").E("XYZ123456789").End()
			w.Seg("DTM").E("232").E("20261102").End()
			for l := 1; l <= 3; l++ {
				w.Seg("SVC").C("HC", "99214", "25").Amt(15000).Amt(10350).Skip(1).E("1").End()
				w.Seg("DTM").E("472").E("20261102").End()
				w.Seg("CAS").E("PR").E("2").Amt(667).Skip(1).E("45").Amt(3983).End()
				w.Seg("REF").E("6R").E(id + "-" + strconv.Itoa(l)).End()
				w.Seg("AMT").E("B6").Amt(11017).End()
			}
		}
		w.Seg("PLB").E("1512345678").E("20261231").C("WO", "ABC123").Amt(-2500).C("L6").Amt(125).End()
		w.EndTransaction()
	}
	w.EndGroup()
	w.EndInterchange()
	if err := w.Flush(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

var benchInput []byte

func benchData(b *testing.B) []byte {
	if benchInput == nil {
		benchInput = remittanceLike(50 << 20)
	}
	return benchInput
}

// BenchmarkScanner: splitting a 50 MB file into segments (the target: >= 300 MB/s).
func BenchmarkScanner(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := NewScanner(bytes.NewReader(data))
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
	}
}

// BenchmarkReader: segments plus envelope checks.
func BenchmarkReader(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := NewReader(bytes.NewReader(data))
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if len(r.Errors()) != 0 {
			b.Fatal(r.Errors()[0])
		}
	}
}

// BenchmarkReaderElements: segments, envelope checks and the elements a remittance reader looks
// at (amounts of CLP, SVC and CAS segments).
func BenchmarkReaderElements(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := NewReader(bytes.NewReader(data))
		var sum Amount
		for {
			s, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			switch s.ID {
			case "CLP", "SVC", "CAS":
				a, _, _ := s.Amount(3)
				sum += a
			}
		}
		if sum == 0 {
			b.Fatal("nothing summed")
		}
	}
}

// TestReaderConstantMemory reads 8 MB and 64 MB generated on the fly: the heap in use while
// reading must not grow with the input.
func TestReaderConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 72 MB")
	}
	peak := func(size int) uint64 {
		r := NewReader(&repeatReader{seg: []byte("CAS*CO*45*119.5~\n"), remaining: size, header: []byte(sample[:106])})
		var max uint64
		var ms runtime.MemStats
		n := 0
		for {
			_, err := r.Next()
			if err != nil {
				break
			}
			n++
			if n%200000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > max {
					max = ms.HeapInuse
				}
			}
		}
		return max
	}
	small, large := peak(8<<20), peak(64<<20)
	if large > small+4<<20 {
		t.Fatalf("heap in use grew with the input: %d bytes for 8 MB, %d for 64 MB", small, large)
	}
}

// repeatReader yields an ISA header then one segment over and over: an input of any size that
// is never held in memory.
type repeatReader struct {
	header    []byte
	seg       []byte
	remaining int
	pos       int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if len(r.header) > 0 {
		n := copy(p, r.header)
		r.header = r.header[n:]
		return n, nil
	}
	if r.remaining <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.remaining > 0 {
		c := copy(p[n:], r.seg[r.pos:])
		n += c
		r.remaining -= c
		r.pos = (r.pos + c) % len(r.seg)
	}
	return n, nil
}
