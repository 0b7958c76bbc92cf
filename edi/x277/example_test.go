package x277_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x999"
)

// A caller that reads any response file (as `claimgate edi parse` does) dispatches each
// transaction set on ST01 to the matching Decoder, and TA1 segments to ta1.Parse; every problem
// lands on the one edi.Reader, positioned.
func ExampleDecoder() {
	in := "ISA*00*          *00*          *ZZ*SIMPAYER       *ZZ*CLAIMGATE01    *261122*1830*^*00501*000000077*0*T*:~" +
		"TA1*000000012*261122*1200*A*000~" +
		"GS*FA*SIMPAYER*CLAIMGATE01*20261122*1830*77*X*005010X231A1~" +
		"ST*999*0001*005010X231A1~AK1*HC*12*005010X222A1~AK2*837*0001*005010X222A1~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*77~" +
		"GS*HN*SIMPAYER*CLAIMGATE01*20261122*1830*78*X*005010X214~" +
		"ST*277*0002*005010X214~BHT*0085*08*SIM0077*20261122*1830*TH~" +
		"HL*1**20*1~NM1*PR*2*SIMULATED HEALTH PLAN*****PI*SIMPAYER~TRN*1*SIM0077~" +
		"HL*2*1*21*1~NM1*41*2*LAKESIDE BILLING*****46*CLAIMGATE01~TRN*2*B1~" +
		"HL*3*2*19*1~NM1*85*2*LAKESIDE FAMILY MEDICINE*****XX*1234567893~" +
		"HL*4*3*PT~NM1*QC*1*DOE*JOHN****MI*M1~TRN*2*CG0000001~STC*A7:562:85*20261122*U*150~" +
		"SE*15*0002~GE*1*78~IEA*2*000000077~"

	r := edi.NewReader(strings.NewReader(in))
	d999, d277 := x999.NewDecoder(r), x277.NewDecoder(r)
	open := ""
	for {
		seg, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			fmt.Println(err)
			return
		}
		switch {
		case seg.ID == "TA1":
			a, errs := ta1.Parse(seg)
			for _, e := range errs {
				r.AddError(e)
			}
			fmt.Println(a.Sentence())
		case seg.ID == "ST":
			open = seg.String(1)
			switch open {
			case "999":
				d999.Start(seg)
			case "277":
				d277.Start(seg, r.Group())
			}
		case seg.ID == "SE":
			switch open {
			case "999":
				a := d999.Finish()
				fmt.Printf("999 for group %s: %s, %d of %d sets accepted\n", a.GroupControlNumber, a.Status, a.Accepted, a.Received)
			case "277":
				for _, c := range d277.Finish().Claims() {
					fmt.Printf("claim %s %s: %s\n", c.PatientControlNumber, c.Outcome(), c.Statuses[0].Label())
				}
			}
			open = ""
		case open == "999":
			d999.Add(seg)
		case open == "277":
			d277.Add(seg)
		}
	}
	fmt.Println(len(r.Errors()), "problems")
	// Output:
	// Interchange 000000012 accepted
	// 999 for group 12: A, 1 of 1 sets accepted
	// claim CG0000001 rejected: Rejected: information the status code names is not valid (status 562, entity 85)
	// 0 problems
}
