package x835_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x835"
)

const example835 = "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*LAKESIDE       *261120*1200*^*00501*000000001*0*P*:~" +
	"GS*HP*ACMEHEALTH*LAKESIDE*20261120*1200*1*X*005010X221A1~" +
	"ST*835*0001*005010X221A1~" +
	"BPR*I*112.5*C*ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765*20261120~" +
	"TRN*1*EFT0001*1512345678~" +
	"N1*PR*ACME HEALTH PLAN~" +
	"N1*PE*LAKESIDE FAMILY MEDICINE*XX*1234567893~" +
	"LX*1~" +
	"CLP*ENC1*1*200*150*20*12*PCN1*11*1~CAS*CO*45*30~CAS*PR*2*15~" + // 5.00 short
	"CLP*ENC2*22*-40*-40**12*PCN0*11*1~" +
	"PLB*1234567893*20261231*WO:PCN7*5*L6*-7.5~" +
	"SE*12*0001~GE*1*1~IEA*1*000000001~"

// ReadTotals prints what `claimgate edi parse --totals` prints, without building the model.
func ExampleReadTotals() {
	err := x835.ReadTotals(strings.NewReader(example835), func(info x835.TransactionInfo, t x835.Totals) error {
		fmt.Printf("ST02 %s: %d claims (%d reversals), paid %s, PLB %s, payment %s, balanced %v\n",
			info.ControlNumber, t.ClaimCount, t.ReversalCount, t.Paid, t.ProviderAdjustments, t.PaymentAmount, t.Balanced)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// ST02 0001: 2 claims (1 reversals), paid 110.00, PLB -2.50, payment 112.50, balanced true
}

// A Reader streams the claims of each set, and records every problem with its position.
func ExampleReader_NextClaim() {
	r := x835.NewReader(edi.NewReader(strings.NewReader(example835)))
	for {
		rem, err := r.NextTransaction()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("payment", rem.Payment.Signed(), "trace", rem.Trace.Number)
		for {
			c, err := r.NextClaim()
			if err == io.EOF {
				break
			}
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Println(c.PatientControlNumber, c.Status, c.Charge, c.Paid, "reversal:", c.IsReversal())
		}
		fmt.Println("balanced:", rem.Totals.Balanced)
	}
	for _, e := range r.Errors() {
		fmt.Println(e.Code, errors.Is(e, edi.ErrBalance), e.SegmentID, e.SegmentIndex)
	}
	// Output:
	// payment 112.50 trace EFT0001
	// ENC1 1 200.00 150.00 reversal: false
	// ENC2 22 -40.00 -40.00 reversal: true
	// balanced: true
	// claim_not_balanced true CLP 9
}
