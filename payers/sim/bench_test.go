package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x837"
)

// BenchmarkProcess answers an 837 of 100 professional claims (two lines each): both reading
// passes, the 999, the 277CA and the 835, in memory (no SFTP, no disk).
func BenchmarkProcess(b *testing.B) {
	base := encounterClaim(b, "prof_one_line.json", "BENCH0001")
	var claims []x837.Claim
	for i := 0; i < 100; i++ {
		c := base
		c.PatientControlNumber = fmt.Sprintf("BENCH%04d", i)
		c.Lines = append([]x837.ServiceLine(nil), base.Lines...)
		addLine(&c, "97530", edi.Amount(10000+i))
		claims = append(claims, c)
	}
	data := render837(b, 1, claims...)
	scen := DefaultScenario()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p := &processor{scen: scen, st: newState(), now: now}
		if err := p.run("bench.x12", data); err != nil {
			b.Fatal(err)
		}
		if len(p.out) != 3 || p.sum.ClaimsPaid != 100 {
			b.Fatalf("%d answers, %d claims paid", len(p.out), p.sum.ClaimsPaid)
		}
	}
}
