package x835

import (
	"fmt"
	"io"
	"strings"

	"github.com/claimgate/claimgate/edi"
)

// A generated 835 for benchmarks and the memory test: one interchange, one group, sets of
// claimsPerSet claims, each claim with three service lines, CAS, REF*6R, AMT*B6 and an LQ, and
// two PLB segments (a WO recoupment and L6 interest) per set. Every claim, line and set
// balances. The bytes are produced on the fly by genReader, so the input itself is never in
// memory.

const (
	claimsPerSet = 5000
	genClaimPaid = 30000 // cents, per claim
	genPLB       = 4750  // cents, per set: WO 50.00 + L6 -2.50
)

// genClaim is one 2100 loop; %07d is the claim number.
var genClaim = strings.Join([]string{
	"CLP*ENC%07d*1*450*300*20*12*PCN0000000001*11*1",
	"NM1*QC*1*DOE*JOHN****MI*XYZ123456789",
	"NM1*82*1*SMITH*ANNA****XX*1245319599",
	"REF*1K*ICN000000000001",
	"DTM*232*20261101",
	"DTM*233*20261101",
	"SVC*HC:99214:25*200*150**1",
	"DTM*472*20261101",
	"CAS*CO*45*30",
	"CAS*PR*2*20",
	"REF*6R*ENC0000001-1",
	"AMT*B6*170",
	"SVC*HC:93000*150*100**1",
	"DTM*472*20261101",
	"CAS*CO*45*40*1*253*10",
	"REF*6R*ENC0000001-2",
	"AMT*B6*110",
	"SVC*HC:36415*100*50**1",
	"DTM*472*20261101",
	"CAS*CO*45*50",
	"REF*6R*ENC0000001-3",
	"AMT*B6*50",
	"LQ*HE*N130",
}, "~") + "~"

const genClaimSegments = 23

var genSetHeader = strings.Join([]string{
	"ST*835*%04d*005010X221A1",
	"BPR*I*%s*C*ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765*20261120",
	"TRN*1*EFT%04d*1512345678",
	"DTM*405*20261119",
	"N1*PR*ACME HEALTH PLAN",
	"N3*1 MAIN ST",
	"N4*SPRINGFIELD*IL*62701",
	"PER*BL*EDI SUPPORT*TE*8005551212",
	"N1*PE*LAKESIDE FAMILY MEDICINE*XX*1234567893",
	"REF*TJ*123456789",
	"LX*1",
}, "~") + "~"

const genSetHeaderSegments = 11

const genPLBs = "PLB*1234567893*20261231*WO:PCN0000000777*50~PLB*1234567893*20261231*L6*-2.5~"

const genInterchangeHeader = "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*LAKESIDE       *261120*1200*^*00501*000000001*0*P*:~" +
	"GS*HP*ACMEHEALTH*LAKESIDE*20261120*1200*1*X*005010X221A1~"

// genReader produces a generated 835 of about size bytes.
type genReader struct {
	sets, set, claim int
	phase            int
	cur              []byte
	buf              []byte
	claimTmpl        []byte
}

func newGenReader(size int64) *genReader {
	claimLen := int64(len(fmt.Sprintf(genClaim, 1)))
	sets := int(size / (claimLen * claimsPerSet))
	return &genReader{sets: max(sets, 1)}
}

// expected returns the totals of each generated set.
func (g *genReader) expected() Totals {
	return Totals{ClaimCount: claimsPerSet, Charged: 45000 * claimsPerSet, Paid: genClaimPaid * claimsPerSet,
		PaymentAmount: genClaimPaid*claimsPerSet - genPLB, ProviderAdjustmentCount: 2, ProviderAdjustments: genPLB, Balanced: true}
}

func (g *genReader) advance() bool {
	switch g.phase {
	case 0:
		g.cur = []byte(genInterchangeHeader)
		g.phase = 1
	case 1:
		if g.set == g.sets {
			g.buf = fmt.Appendf(g.buf[:0], "GE*%d*1~IEA*1*000000001~", g.sets)
			g.cur = g.buf
			g.phase = 3
			return true
		}
		bpr := edi.Amount(genClaimPaid*claimsPerSet - genPLB)
		g.buf = fmt.Appendf(g.buf[:0], genSetHeader, g.set+1, bpr.X12(), g.set+1)
		g.cur = g.buf
		g.claim = 0
		g.phase = 2
	case 2:
		if g.claim < claimsPerSet {
			g.claim++
			g.cur = g.claimBytes(g.set*claimsPerSet + g.claim)
			return true
		}
		segs := genSetHeaderSegments + claimsPerSet*genClaimSegments + 2 + 1
		g.buf = fmt.Appendf(g.buf[:0], genPLBs+"SE*%d*%04d~", segs, g.set+1)
		g.cur = g.buf
		g.set++
		g.phase = 1
	default:
		return false
	}
	return true
}

// claimBytes renders genClaim for claim number n without allocating: the template is rendered
// once and the seven digits after "CLP*ENC" are rewritten in place.
func (g *genReader) claimBytes(n int) []byte {
	if g.claimTmpl == nil {
		g.claimTmpl = fmt.Appendf(nil, genClaim, 0)
	}
	for i := 7 + 6; i >= 7; i-- {
		g.claimTmpl[i] = byte('0' + n%10)
		n /= 10
	}
	return g.claimTmpl
}

func (g *genReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(g.cur) == 0 {
			if !g.advance() {
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			}
			continue
		}
		c := copy(p[n:], g.cur)
		g.cur = g.cur[c:]
		n += c
	}
	return n, nil
}
