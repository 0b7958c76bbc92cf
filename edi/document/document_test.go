package document

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/edi/x999"
)

// x12 joins segments into a file with a line feed after every terminator.
func x12(segs ...string) string { return strings.Join(segs, "~\n") + "~\n" }

// A small 835: one claim paid 86 of 120, a provider adjustment of -5.
var small835 = x12(
	"ISA*00*          *00*          *ZZ*SIMPAYER       *ZZ*CLAIMGATE01    *261120*1200*^*00501*000000007*0*T*:",
	"GS*HP*SIMPAYER*CLAIMGATE01*20261120*1200*7*X*005010X221A1",
	"ST*835*0001*005010X221A1",
	"BPR*I*91*C*ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765*20261120",
	"TRN*1*SIM000000001*1512345678",
	"DTM*405*20261120",
	"N1*PR*SIMULATED HEALTH PLAN*XV*SIMPAYER",
	"N3*1 SIM WAY",
	"N4*MINNEAPOLIS*MN*55401",
	"PER*BL*EDI SUPPORT*TE*8005551212",
	"N1*PE*LAKESIDE FAMILY MEDICINE*XX*1234567893",
	"LX*1",
	"CLP*CLM0003*1*120*86**CI*SIM0000000004**7",
	"CAS*CO*45*34",
	"PLB*1234567893*20261231*WO:SIM0000000009*-5",
	"SE*14*0001",
	"GE*1*7",
	"IEA*1*000000007",
)

// A one-claim 837P (testdata/golden/prof_one_line.837).
var small837P = x12(
	"ISA*00*          *00*          *ZZ*CLAIMGATE01    *ZZ*SIMPAYER       *261120*1030*^*00501*000000001*0*T*:",
	"GS*HC*CLAIMGATE01*SIMPAYER*20261120*1030*1*X*005010X222A1",
	"ST*837*0001*005010X222A1",
	"BHT*0019*00*1*20261120*1030*CH",
	"NM1*41*2*CLAIMGATE*****46*CLAIMGATE01",
	"PER*IC*CLAIMGATE EDI*EM*edi@claimgate.invalid",
	"NM1*40*2*Simulated Health Plan*****46*SIMPAYER",
	"HL*1**20*1",
	"PRV*BI*PXC*207Q00000X",
	"NM1*85*2*Lakeside Family Medicine*****XX*1234567893",
	"N3*100 Main St*Suite 200",
	"N4*Minneapolis*MN*554011000",
	"REF*EI*411234567",
	"PER*IC*Billing Office*TE*6125550100*EM*billing@lakeside-fm.example",
	"HL*2*1*22*0",
	"SBR*P*18*GRP-88001*Hennepin Tool Works*****CI",
	"NM1*IL*1*Ruiz*Ana*L***MI*XYZ123456789",
	"N3*4410 Bryant Ave S",
	"N4*Minneapolis*MN*55409",
	"DMG*D8*19790314*F",
	"NM1*PR*2*Simulated Health Plan*****PI*SIMPAYER",
	"CLM*ENC-2026-000101*150***11:B:1*Y*A*Y*Y",
	"HI*ABK:E119*ABF:I10",
	"NM1*82*1*Chen*Mei****XX*1987654328",
	"PRV*PE*PXC*207Q00000X",
	"LX*1",
	"SV1*HC:99214*150*UN*1***1:2",
	"DTP*472*D8*20261102",
	"REF*6R*ENC-2026-000101-1",
	"SE*28*0001",
	"GE*1*1",
	"IEA*1*000000001",
)

// A 999 accepting one 837 set and rejecting another.
var small999 = x12(
	"ISA*00*          *00*          *ZZ*SIMPAYER       *ZZ*CLAIMGATE01    *261122*1830*^*00501*000000042*0*T*:",
	"GS*FA*SIMPAYER*CLAIMGATE01*20261122*1830*42*X*005010X231A1",
	"ST*999*0001*005010X231A1",
	"AK1*HC*1001*005010X222A1",
	"AK2*837*0001*005010X222A1",
	"IK5*A",
	"AK2*837*0002*005010X222A1",
	"IK3*CLM*23*2300*8",
	"IK4*2*782*1",
	"IK5*R*5",
	"AK9*P*2*2*1",
	"SE*10*0001",
	"GE*1*42",
	"IEA*1*000000042",
)

// A TA1 and a 270 set in one interchange.
var ta1And270 = x12(
	"ISA*00*          *00*          *ZZ*SIMPAYER       *ZZ*CLAIMGATE01    *261120*1030*^*00501*000000007*0*T*:",
	"TA1*000000001*261120*1030*R*001",
	"GS*HS*SIMPAYER*CLAIMGATE01*20261120*1030*9*X*005010X279A1",
	"ST*270*0001*005010X279A1",
	"BHT*0022*13*10001234*20261120*1030",
	"SE*3*0001",
	"GE*1*9",
	"IEA*1*000000007",
)

// bytesOpener opens data afresh on every call, and counts the calls.
func bytesOpener(data string, calls *int) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		*calls++
		return io.NopCloser(strings.NewReader(data)), nil
	}
}

// outline describes a document in one line per interchange, group and transaction.
func outline(d *Document) []string {
	var out []string
	for _, ic := range d.Interchanges {
		out = append(out, fmt.Sprintf("ISA %s>%s %s %s", ic.Sender, ic.Receiver, ic.ControlNumber, ic.Usage))
		for _, g := range ic.Groups {
			out = append(out, fmt.Sprintf(" GS %q %s %s", g.FunctionalID, g.ControlNumber, g.Version))
			for _, tx := range g.Transactions {
				var s string
				switch t := tx.(type) {
				case *x835.Remittance:
					s = fmt.Sprintf("835 %s claims=%d paid=%s balanced=%v", t.ControlNumber, len(t.Claims), t.Totals.Paid, t.Totals.Balanced)
				case Totals835:
					s = fmt.Sprintf("835 %s totals only paid=%s", t.ControlNumber, t.Totals.Paid)
				case Set837:
					var pcns []string
					for _, c := range t.Claims {
						pcns = append(pcns, c.PatientControlNumber)
					}
					s = fmt.Sprintf("%s %s segments=%d claims=%v", t.Type, t.ControlNumber, t.SegmentCount, pcns)
				case *x999.FunctionalAck:
					var sets []string
					for _, r := range t.Sets {
						sets = append(sets, r.ControlNumber+":"+r.Status)
					}
					s = fmt.Sprintf("999 %s %v", t.Status, sets)
				case *x277.Transaction:
					s = "277CA"
				case ta1.Ack:
					s = fmt.Sprintf("TA1 %s %s", t.ControlNumber, t.Code)
				case GenericSet:
					s = fmt.Sprintf("%s %s segments=%d", t.Type, t.ControlNumber, t.SegmentCount)
				default:
					s = fmt.Sprintf("%T", tx)
				}
				out = append(out, "  "+s)
			}
		}
	}
	return out
}

// problems describes the document's problems as "code@segment index:segment id[element]".
func problems(d *Document) []string {
	var out []string
	for _, e := range d.Errors {
		out = append(out, fmt.Sprintf("%s@%d:%s[%d]", e.Code, e.SegmentIndex, e.Segment, e.Element))
	}
	return out
}

// oneSet is the outline of an interchange holding one group holding one transaction.
func oneSet(interchange, group, transaction string) []string {
	return []string{interchange, group, "  " + transaction}
}

// The outline lines of the envelopes of small835 and small837P.
const (
	isa835 = "ISA SIMPAYER>CLAIMGATE01 000000007 T"
	gs835  = ` GS "HP" 7 005010X221A1`
	isa837 = "ISA CLAIMGATE01>SIMPAYER 000000001 T"
	gs837  = ` GS "HC" 1 005010X222A1`
)

func TestRead(t *testing.T) {
	broken := strings.NewReplacer("SE*28*0001", "SE*27*0001", "GE*1*1", "GE*2*1", "IEA*1*000000001", "IEA*1*000000002").Replace(small837P)
	tests := []struct {
		name       string
		x12        string
		opts       Options
		outline    []string
		problems   []string
		unreadable bool
		opens      int // passes over the input
		counts     [3]int
	}{
		{
			name: "835", x12: small835,
			outline: oneSet(isa835, gs835, "835 0001 claims=1 paid=86.00 balanced=true"),
			opens:   2, counts: [3]int{1, 1, 1},
		},
		{
			name: "835 without claims", x12: small835, opts: Options{DropRemittanceClaims: true},
			outline: oneSet(isa835, gs835, "835 0001 claims=0 paid=86.00 balanced=true"),
			opens:   2, counts: [3]int{1, 1, 1},
		},
		{
			name: "837P", x12: small837P,
			outline: oneSet(isa837, gs837, "837P 0001 segments=28 claims=[ENC-2026-000101]"),
			opens:   2, counts: [3]int{1, 1, 1},
		},
		{
			name: "999", x12: small999,
			outline: oneSet("ISA SIMPAYER>CLAIMGATE01 000000042 T", ` GS "FA" 42 005010X231A1`, "999 P [0001:A 0002:R]"),
			opens:   1, counts: [3]int{1, 1, 1},
		},
		{
			name: "TA1 and 270", x12: ta1And270,
			outline: []string{
				isa835,
				` GS ""  `,
				"  TA1 000000001 R",
				` GS "HS" 9 005010X279A1`,
				"  270 0001 segments=3",
			},
			opens: 1, counts: [3]int{1, 2, 1},
		},
		{
			name: "broken envelope", x12: broken,
			outline:  oneSet(isa837, gs837, "837P 0001 segments=28 claims=[ENC-2026-000101]"),
			problems: []string{"se_count_mismatch@30:SE[1]", "ge_count_mismatch@31:GE[1]", "iea_control_mismatch@32:IEA[2]"},
			opens:    2, counts: [3]int{1, 1, 1},
		},
		{
			name: "a set cut short", x12: strings.Replace(small835, "SE*14*0001~\nGE*1*7~\nIEA*1*000000007~\n", "", 1),
			outline:  oneSet(isa835, gs835, "835 0001 claims=1 paid=86.00 balanced=true"),
			problems: []string{"missing_se@15:[0]", "missing_ge@15:[0]", "missing_iea@15:[0]"},
			opens:    2, counts: [3]int{1, 1, 1},
		},
		{
			name: "not X12", x12: "hello, world\n",
			problems: []string{"no_isa@1:[0]"}, unreadable: true, opens: 1,
		},
		{
			name: "empty", x12: "",
			problems: []string{"empty@0:[0]"}, unreadable: true, opens: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opens := 0
			d, err := Read(context.Background(), bytesOpener(tt.x12, &opens), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(d); !reflect.DeepEqual(got, tt.outline) {
				t.Errorf("outline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.outline, "\n"))
			}
			if got := problems(d); !reflect.DeepEqual(got, tt.problems) {
				t.Errorf("problems %q, want %q", got, tt.problems)
			}
			if (d.Unreadable != nil) != tt.unreadable {
				t.Errorf("Unreadable = %v, want unreadable %v", d.Unreadable, tt.unreadable)
			}
			if opens != tt.opens {
				t.Errorf("opened the input %d times, want %d", opens, tt.opens)
			}
			if ic, g, s := d.Counts(); [3]int{ic, g, s} != tt.counts {
				t.Errorf("Counts() = %d, %d, %d, want %v", ic, g, s, tt.counts)
			}
			checkProblems(t, d)
			checkJSON(t, d)
		})
	}
}

// checkProblems checks that Problems and Errors are the same list, in input order, without
// duplicates, each positioned.
func checkProblems(t *testing.T, d *Document) {
	t.Helper()
	if len(d.Problems) != len(d.Errors) {
		t.Fatalf("%d problems, %d errors", len(d.Problems), len(d.Errors))
	}
	seen := map[Error]bool{}
	for i, p := range d.Problems {
		e := d.Errors[i]
		if e.Offset != p.Offset || e.SegmentIndex != p.SegmentIndex || e.Segment != p.SegmentID || e.Code != p.Code || e.Message != p.Msg {
			t.Errorf("error %d = %+v, problem %+v", i, e, p)
		}
		if i > 0 && e.Offset < d.Errors[i-1].Offset {
			t.Errorf("error %d (byte %d) before error %d (byte %d)", i, e.Offset, i-1, d.Errors[i-1].Offset)
		}
		if seen[e] && p.Component == 0 {
			t.Errorf("error %d twice: %+v", i, e)
		}
		seen[e] = true
		if (p.SegmentIndex > 0 || p.Offset > 0) && !strings.Contains(p.Error(), "byte ") {
			t.Errorf("problem without position: %s", p.Error())
		}
	}
}

// checkJSON checks that the document encodes as exactly the keys of the contract.
func checkJSON(t *testing.T, d *Document) {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Interchanges []map[string]json.RawMessage `json:"interchanges"`
		Errors       []map[string]json.RawMessage `json:"errors"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%v:\n%s", err, b)
	}
	if doc.Interchanges == nil || doc.Errors == nil {
		t.Errorf("interchanges and errors must be lists, never null:\n%s", b)
	}
	keys := func(m map[string]json.RawMessage) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return strings.Join(ks, ",")
	}
	for _, ic := range doc.Interchanges {
		if got := keys(ic); got != "control_number,groups,receiver,sender,usage" {
			t.Errorf("interchange keys %s", got)
		}
		var groups []map[string]json.RawMessage
		if err := json.Unmarshal(ic["groups"], &groups); err != nil || groups == nil {
			t.Errorf("groups %s: %v", ic["groups"], err)
		}
		for _, g := range groups {
			if got := keys(g); got != "control_number,functional_id,transactions,version" {
				t.Errorf("group keys %s", got)
			}
		}
	}
	for _, e := range doc.Errors {
		if got := keys(e); got != "code,element,message,offset,segment,segment_index" {
			t.Errorf("error keys %s", got)
		}
	}
}

// TestReadTotals835 reads an 835 the x835 reader cannot return (its pass breaks off with an I/O
// error inside the set): the set keeps its entry, with the totals of the streaming reader.
func TestReadTotals835(t *testing.T) {
	broke := errors.New("disk on fire")
	opens := 0
	open := func() (io.ReadCloser, error) {
		opens++
		if opens == 2 { // the x835 pass
			cut := strings.Index(small835, "CAS*")
			return io.NopCloser(io.MultiReader(strings.NewReader(small835[:cut]), iotest.ErrReader(broke))), nil
		}
		return io.NopCloser(strings.NewReader(small835)), nil
	}
	d, err := Read(context.Background(), open, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := oneSet(isa835, gs835, "835 0001 totals only paid=86.00")
	if got := outline(d); !reflect.DeepEqual(got, want) {
		t.Errorf("outline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if opens != 3 {
		t.Errorf("%d passes, want 3 (structure, x835, totals)", opens)
	}
	b, err := json.Marshal(d.Interchanges[0].Groups[0].Transactions[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"type":"835","control_number":"0001","version":"005010X221A1","segment_count":14,"totals":{`) {
		t.Errorf("totals entry JSON %s", b)
	}
}

// TestReadAcknowledge acknowledges the broken 837P: the set is rejected for its SE count.
func TestReadAcknowledge(t *testing.T) {
	for _, tt := range []struct {
		name, x12, group, set string
	}{
		{"accepted", small837P, "A", "A"},
		{"rejected", strings.Replace(small837P, "SE*28*0001", "SE*27*0001", 1), "R", "R"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opens := 0
			d, err := Read(context.Background(), bytesOpener(tt.x12, &opens), Options{})
			if err != nil {
				t.Fatal(err)
			}
			groups, acks := d.Acknowledge()
			if len(groups) != 1 || len(acks) != 1 {
				t.Fatalf("%d groups, %d acks", len(groups), len(acks))
			}
			if g := groups[0]; g.InterchangeSender != "CLAIMGATE01" || g.ControlNumber != "1" || g.FunctionalID != "HC" {
				t.Errorf("group %+v", g)
			}
			a := acks[0]
			if a.Status != tt.group || len(a.Sets) != 1 || a.Sets[0].Status != tt.set {
				t.Errorf("ack %s, sets %+v; want %s/%s", a.Status, a.Sets, tt.group, tt.set)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	t.Run("open fails", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := Read(context.Background(), func() (io.ReadCloser, error) { return nil, boom }, Options{})
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want the open error", err)
		}
	})
	t.Run("second open fails", func(t *testing.T) {
		boom := errors.New("boom")
		n := 0
		open := func() (io.ReadCloser, error) {
			if n++; n > 1 {
				return nil, boom
			}
			return io.NopCloser(strings.NewReader(small837P)), nil
		}
		if _, err := Read(context.Background(), open, Options{}); !errors.Is(err, boom) {
			t.Errorf("err = %v, want the open error", err)
		}
	})
	t.Run("context canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		opens := 0
		if _, err := Read(ctx, bytesOpener(small835, &opens), Options{}); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("no interchange", func(t *testing.T) {
		opens := 0
		d, err := Read(context.Background(), bytesOpener("ST*835*0001~SE*2*0001~", &opens), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Unreadable == nil {
			t.Fatal("a set without ISA is readable")
		}
		if !errors.Is(d.Unreadable, ErrNoInterchange) && !errors.Is(d.Unreadable, edi.ErrSyntax) {
			t.Errorf("Unreadable = %v", d.Unreadable)
		}
	})
}
