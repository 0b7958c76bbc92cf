package x277

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
)

func amt(s string) *edi.Amount {
	a, err := edi.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return &a
}

func count(n int64) *int64 { return &n }

// wantClaim is what a test checks of one claim level.
type wantClaim struct {
	pcn, payerClaim, billType, serviceDate, serviceEnd string
	statuses                                           []string // category:code[:entity] of each composite
	action                                             string   // STC03 of the first status
	charge                                             *edi.Amount
	outcome                                            Outcome
}

type want277 struct {
	control, reference, date string
	source                   Entity
	sourceTrace              string
	receiverTrace            string
	receiverStatuses         []string
	receiverTotals           Totals
	providers                []string // NM109 of each provider level
	providerTotals           []Totals
	claims                   []wantClaim
}

func statusCodes(ss []Status) []string {
	var out []string
	for _, s := range ss {
		c := s.Category + ":" + s.Code
		if s.Entity != "" {
			c += ":" + s.Entity
		}
		out = append(out, c)
	}
	return out
}

func TestReadSamples(t *testing.T) {
	dir := samplesDir(t, "277CA")
	nysdoh := Entity{Code: "PR", Type: "2", Name: "NYSDOH", IDQualifier: "FI", ID: "141797357"}
	x9 := func(pcn, date string) wantClaim {
		return wantClaim{pcn: pcn, serviceDate: date, statuses: []string{"X9:999:99", "X9:999:XX", "X9:999:99"}, action: "U", outcome: Other}
	}
	tests := []struct {
		file   string
		want   []want277
		errors []string
	}{
		{
			file: "imsweb__x12_277CA_accepted.txt",
			want: []want277{{
				control: "000014420", reference: "000000674", date: "2011-03-11", source: nysdoh, sourceTrace: "000014420",
				receiverTrace: "000000674", receiverStatuses: []string{"A1:20"},
				receiverTotals: Totals{AcceptedCount: count(1), AcceptedAmount: amt("125")},
				providers:      []string{"1234567890"}, providerTotals: []Totals{{}},
				claims: []wantClaim{{pcn: "5781", payerClaim: "1107000000014420", serviceDate: "1001-01-01",
					statuses: []string{"A2:20"}, action: "WQ", charge: amt("125"), outcome: Accepted}},
			}},
		},
		{
			file: "oopfactory__FromAlexbrodsky.txt", // component separator |
			want: []want277{{
				control: "000001120", reference: "3920394930203", date: "2011-03-11", source: nysdoh, sourceTrace: "000001120",
				receiverTrace: "11200001", receiverStatuses: []string{"A1:20"},
				receiverTotals: Totals{AcceptedCount: count(1), AcceptedAmount: amt("199.14")},
				providers:      []string{"123456789"}, providerTotals: []Totals{{}},
				claims: []wantClaim{{pcn: "3920394930203", payerClaim: "1107000000001120", billType: "731", serviceDate: "2009-03-11",
					statuses: []string{"A7:562:85"}, action: "WQ", charge: amt("199.14"), outcome: Rejected}},
			}},
		},
		{
			file: "oopfactory__277_Deidentified_from_nth.txt", // de-identified: category X9 everywhere
			want: []want277{{
				control: "0001", reference: "9999999999999999999", date: "2012-01-11",
				source:      Entity{Code: "PR", Type: "2", Name: "XXXXXXXX XXXXXX", IDQualifier: "46", ID: "XXX XXX"},
				sourceTrace: "9999999999999999999", receiverTrace: "999999", receiverStatuses: []string{"X9:99:XX"},
				receiverTotals: Totals{RejectedCount: count(3), RejectedAmount: amt("900")},
				providers:      []string{"9999999999", "9999999999"},
				providerTotals: []Totals{{RejectedCount: count(1), RejectedAmount: amt("220")}, {RejectedCount: count(2), RejectedAmount: amt("680")}},
				claims: []wantClaim{
					func() wantClaim { c := x9("99999999-99999", "2012-01-09"); c.charge = amt("220"); return c }(),
					func() wantClaim { c := x9("99999999-99999", "2011-03-16"); c.charge = amt("340"); return c }(),
					func() wantClaim { c := x9("99999999-99999", "2011-10-10"); c.charge = amt("340"); return c }(),
				},
			}},
			errors: append([]string{"bht01_code"}, repeat("unknown_status_category", 12)...),
		},
		{
			file: "oopfactory__FromBogeyone.txt", // cut short after the receiver's HL
			want: []want277{{
				control: "0001", reference: "203263.1", date: "2012-01-27",
				source:      Entity{Code: "AY", Type: "2", Name: "AMERISYS", IDQualifier: "FI", ID: "2323232323"},
				sourceTrace: "20060831001",
			}},
			// The envelope is cut short, and the receiver level it ends on has no NM1 and no TRN.
			errors: []string{"missing_se", "missing_ge", "missing_iea", "missing_nm1", "missing_trn"},
		},
		{
			file: "oopfactory__FromLatitude81uk.txt", // garbage dates and codes
			want: []want277{{
				control: "000001", reference: "3434343",
				source:      Entity{Code: "PR", Type: "2", Name: "rtrtrtr rtrtrtr rtrtrt", IDQualifier: "46", ID: "4343434GH"},
				sourceTrace: "20120524132154", receiverTrace: "3078", receiverStatuses: []string{"A1:20:41"},
				receiverTotals: Totals{AcceptedCount: count(4), AcceptedAmount: amt("1917")},
				providers:      []string{"14434343434"},
				providerTotals: []Totals{{AcceptedCount: count(4), AcceptedAmount: amt("1917")}},
				claims:         []wantClaim{{pcn: "MVC132-0145454", payerClaim: "545454", statuses: []string{"A2:20:PRP"}, action: "WQ", charge: amt("442"), outcome: Accepted}},
			}},
			errors: []string{"isa_control_number", "invalid_date", "bht01_code", "invalid_time", "dtp01_code", "dtp01_code",
				"invalid_date", "stc03_code", "invalid_date", "invalid_date", "iea_control_mismatch"},
		},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Read(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var codes []string
			for _, e := range f.Errors {
				codes = append(codes, e.Code)
				if e.SegmentIndex == 0 || e.Msg == "" {
					t.Errorf("problem without position or message: %+v", e)
				}
			}
			if !reflect.DeepEqual(codes, tt.errors) {
				t.Errorf("problems = %v, want %v\n%v", codes, tt.errors, f.Errors)
			}
			if len(f.Transactions) != len(tt.want) {
				t.Fatalf("%d transactions, want %d", len(f.Transactions), len(tt.want))
			}
			for i, w := range tt.want {
				checkTransaction(t, &f.Transactions[i], w)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !seen[e.Name()] {
			t.Errorf("sample 277CA/%s has no test case", e.Name())
		}
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func checkTransaction(t *testing.T, tx *Transaction, w want277) {
	t.Helper()
	if tx.Type != "277CA" || tx.ControlNumber != w.control || tx.Reference != w.reference || tx.Date != w.date || tx.GuideVersion != GuideVersion {
		t.Errorf("header = %s %s %s BHT03 %s BHT04 %s, want 277CA %s BHT03 %s BHT04 %s", tx.Type, tx.ControlNumber, tx.GuideVersion, tx.Reference, tx.Date, w.control, w.reference, w.date)
	}
	if len(tx.Sources) != 1 {
		t.Fatalf("%d information source levels, want 1", len(tx.Sources))
	}
	src := tx.Sources[0]
	if src.Entity != w.source || src.Trace != w.sourceTrace {
		t.Errorf("source = %+v trace %s, want %+v trace %s", src.Entity, src.Trace, w.source, w.sourceTrace)
	}
	if len(src.Receivers) != 1 {
		t.Fatalf("%d receiver levels, want 1", len(src.Receivers))
	}
	rcv := src.Receivers[0]
	if rcv.Trace != w.receiverTrace || !reflect.DeepEqual(statusCodes(rcv.Statuses), w.receiverStatuses) || !reflect.DeepEqual(rcv.Totals, w.receiverTotals) {
		t.Errorf("receiver trace %s statuses %v totals %s, want %s %v %s", rcv.Trace, statusCodes(rcv.Statuses), totals(rcv.Totals), w.receiverTrace, w.receiverStatuses, totals(w.receiverTotals))
	}
	var provs []string
	for i, p := range rcv.Providers {
		provs = append(provs, p.Entity.ID)
		if i < len(w.providerTotals) && !reflect.DeepEqual(p.Totals, w.providerTotals[i]) {
			t.Errorf("provider %d totals %s, want %s", i, totals(p.Totals), totals(w.providerTotals[i]))
		}
	}
	if !reflect.DeepEqual(provs, w.providers) {
		t.Errorf("providers %v, want %v", provs, w.providers)
	}
	claims := tx.Claims()
	if len(claims) != len(w.claims) {
		t.Fatalf("%d claims, want %d", len(claims), len(w.claims))
	}
	for i, wc := range w.claims {
		c := claims[i]
		charge, _ := c.Charge()
		var wantCharge edi.Amount
		if wc.charge != nil {
			wantCharge = *wc.charge
		}
		if c.PatientControlNumber != wc.pcn || c.PayerClaimNumber != wc.payerClaim || c.BillType != wc.billType ||
			c.ServiceDate != wc.serviceDate || c.ServiceDateEnd != wc.serviceEnd || charge != wantCharge {
			t.Errorf("claim %d = TRN %s 1K %s BLT %s DTP %s-%s charge %s, want TRN %s 1K %s BLT %s DTP %s-%s charge %s", i,
				c.PatientControlNumber, c.PayerClaimNumber, c.BillType, c.ServiceDate, c.ServiceDateEnd, charge,
				wc.pcn, wc.payerClaim, wc.billType, wc.serviceDate, wc.serviceEnd, wantCharge)
		}
		if got := statusCodes(c.Statuses); !reflect.DeepEqual(got, wc.statuses) || c.Statuses[0].Action != wc.action {
			t.Errorf("claim %d statuses %v action %s, want %v %s", i, got, c.Statuses[0].Action, wc.statuses, wc.action)
		}
		if got := c.Outcome(); got != wc.outcome {
			t.Errorf("claim %d outcome %s, want %s", i, got, wc.outcome)
		}
	}
}

func totals(t Totals) string {
	var parts []string
	if t.AcceptedCount != nil {
		parts = append(parts, "accepted "+edi.Amount(*t.AcceptedCount*100).X12())
	}
	if t.AcceptedAmount != nil {
		parts = append(parts, "accepted $"+t.AcceptedAmount.String())
	}
	if t.RejectedCount != nil {
		parts = append(parts, "rejected "+edi.Amount(*t.RejectedCount*100).X12())
	}
	if t.RejectedAmount != nil {
		parts = append(parts, "rejected $"+t.RejectedAmount.String())
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// TestRead277StatusSamples reads the 277 claim status responses (005010X212): not 277CAs, but
// their claim statuses must be read and the guide difference reported.
func TestRead277StatusSamples(t *testing.T) {
	dir := samplesDir(t, "277")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Read(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		n := 0
		for _, x := range f.Errors {
			if x.Code == "unsupported_version" {
				n++
			}
		}
		if n != len(f.Transactions) || n == 0 {
			t.Errorf("%s: %d unsupported_version problems for %d transactions", e.Name(), n, len(f.Transactions))
		}
	}
}

func TestReadStructureProblems(t *testing.T) {
	const head = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*T*:~GS*HN*A*B*20260101*1200*1*X*005010X214~"
	const src = "HL*1**20*1~NM1*PR*2*PAYER*****PI*P1~TRN*1*T1~HL*2*1*21*1~NM1*41*2*SUB*****46*S1~TRN*2*B1~HL*3*2*19*1~NM1*85*2*CLINIC*****XX*1234567893~"
	tests := []struct {
		name  string
		body  string
		codes []string
	}{
		{"claim without TRN and STC", "BHT*0085*08*R1*20260101*1200*TH~" + src + "HL*4*3*PT~NM1*QC*1*DOE*JOHN****MI*M1~", []string{"missing_trn", "missing_stc"}},
		{"HL before BHT", src + "HL*4*3*PT~NM1*QC*1*DOE~TRN*2*P1~STC*A2:20*20260101*WQ*10~", []string{"missing_bht"}},
		{"orphan claim", "BHT*0085*08*R1*20260101*1200*TH~HL*1**PT~TRN*2*P1~STC*A2:20*20260101*WQ*10~",
			[]string{"hl02_parent", "hl_parent_missing", "hl_parent_missing", "hl_parent_missing", "missing_nm1"}},
		{"wrong parent", "BHT*0085*08*R1*20260101*1200*TH~" + src + "HL*4*2*PT~NM1*QC*1*DOE~TRN*2*P1~STC*A2:20*20260101*WQ*10~", []string{"hl02_parent"}},
		{"unknown level", "BHT*0085*08*R1*20260101*1200*TH~" + src + "HL*4*3*99~TRN*2*P1~", []string{"hl03_code", "unexpected_segment"}},
		{"bad values", "BHT*0085*08*R1*20260101*1200*TH~" + src + "HL*4*3*PT~NM1*IL*3~TRN*1*P1~STC*:20*20261301*XX*1.234******A2:20:QC:RX:9~QTY*90*1~REF*1K~DTP*472*D9*20260101~",
			[]string{"nm101_code", "nm102_code", "trn01_code", "invalid_date", "invalid_amount", "stc03_code", "missing_element", "too_many_components", "unexpected_segment", "missing_element", "dtp02_code"}},
		{"line without STC", "BHT*0085*08*R1*20260101*1200*TH~" + src + "HL*4*3*PT~NM1*QC*1*DOE~TRN*2*P1~STC*A2:20*20260101*WQ*10~SVC*HC:99213*10~REF*FJ*L1~SVC*HC:99214*ABC~STC*A7:21*20260101*U~", []string{"missing_stc", "invalid_amount"}},
		{"no HL", "BHT*0085*08*R1*20260101*1200*TH~", []string{"missing_hl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := strings.Count(tt.body, "~") + 2
			in := head + "ST*277*0001*005010X214~" + tt.body + "SE*" + edi.Amount(n*100).X12() + "*0001~GE*1*1~IEA*1*000000001~"
			f, err := Read(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, e := range f.Errors {
				codes = append(codes, e.Code)
			}
			if !reflect.DeepEqual(codes, tt.codes) {
				t.Errorf("problems = %v, want %v\n%v", codes, tt.codes, f.Errors)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	st := func(cats ...string) []Status {
		var out []Status
		for _, c := range cats {
			out = append(out, Status{Category: c, Code: "20"})
		}
		return out
	}
	tests := []struct {
		cats []string
		want Outcome
	}{
		{[]string{"A1"}, Accepted},
		{[]string{"A2"}, Accepted},
		{[]string{"A5"}, Accepted},
		{[]string{"A0"}, Other},
		{[]string{"A3"}, Rejected},
		{[]string{"A4"}, Rejected},
		{[]string{"A6"}, Rejected},
		{[]string{"A7"}, Rejected},
		{[]string{"A8"}, Rejected},
		{[]string{"E3"}, Rejected},
		{[]string{"E4"}, Rejected},
		{[]string{"E0"}, Other},
		{[]string{"E1"}, Other},
		{[]string{"P0"}, Pended},
		{[]string{"P5"}, Pended},
		{[]string{"R4"}, Pended},
		{[]string{"R16"}, Pended},
		{[]string{"R2"}, Other}, // not a code
		{[]string{"RQ"}, Other},
		{[]string{"F1"}, Other},
		{[]string{"X9"}, Other},
		{nil, Other},
		{[]string{"A1", "A7"}, Rejected},
		{[]string{"A2", "P1"}, Pended},
		{[]string{"a2 "}, Accepted},
		{[]string{"X9", "A2"}, Accepted},
	}
	for _, tt := range tests {
		if got := Classify(st(tt.cats...)); got != tt.want {
			t.Errorf("Classify(%v) = %s, want %s", tt.cats, got, tt.want)
		}
	}
}

func TestStatusLabel(t *testing.T) {
	s := Status{Category: "A7", Code: "562", Entity: "85"}
	if got, want := s.Label(), "Rejected: information the status code names is not valid (status 562, entity 85)"; got != want {
		t.Errorf("Label = %q, want %q", got, want)
	}
	if got := (Status{Category: "X9", Code: "1", Text: "see notes"}).Label(); !strings.Contains(got, "not in the code list") || !strings.HasSuffix(got, ": see notes") {
		t.Errorf("Label = %q", got)
	}
}
