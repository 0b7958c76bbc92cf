package x999

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
)

// wantSet is what a test expects of one AK2 loop.
type wantSet struct {
	id, control, version, status string
	codes                        []string
	segments                     []SegmentError
}

type wantAck struct {
	control, functionalID, group, version string
	sets                                  []wantSet
	status                                string
	included, received, accepted          int
}

func TestReadSamples(t *testing.T) {
	dir := filepath.Join(samplesDir(t), "999")
	// The IK3 loops of the TR3 example (stupidedi) and its Wisconsin copy.
	clm := SegmentError{SegmentID: "CLM", Position: 22, Code: "8",
		Contexts: []Context{{Name: "CLM01", Reference: "123456789"}},
		Elements: []ElementError{{Position: Position{Element: 2}, Reference: "782", Code: "1"}}}
	ref := func(withRef bool) SegmentError {
		trig := Context{Name: SituationalTrigger, SegmentID: "CLM", SegmentPosition: 43, Position: &Position{Element: 5, Component: 3}}
		if withRef {
			trig.ElementReference = []string{"C023", "1325"}
		}
		return SegmentError{SegmentID: "REF", Position: 57, Code: "3",
			Contexts: []Context{trig, {Name: "CLM01", Reference: "987654321"}}}
	}
	accepted1 := func(fid, group, version, setID, control, setVersion string) wantAck {
		return wantAck{control: "0001", functionalID: fid, group: group, version: version,
			sets: []wantSet{{setID, control, setVersion, "A", nil, nil}}, status: "A", included: 1, received: 1, accepted: 1}
	}
	tests := []struct {
		file       string
		acks       []wantAck
		errorCodes []string // codes of the positioned problems, in order
		sentences  []string
	}{
		{
			file:       "imsweb__x12_999_accepted.txt",
			acks:       []wantAck{accepted1("HC", "17456", "005010X223A2", "837", "0001", "005010X223A2")},
			errorCodes: []string{"iea_control_mismatch"}, // IEA02 000000001, ISA13 000000286
		},
		{
			file: "imsweb__x12_999_rejected.txt", // component separator |
			acks: []wantAck{{control: "95832987", functionalID: "HC", group: "28", version: "005010X223A2",
				sets: []wantSet{{"837", "0028", "", "R", []string{"5"},
					[]SegmentError{{SegmentID: "NM", Position: 17, Code: "1"}}}},
				status: "R", included: 1, received: 1, accepted: 0}},
			sentences: []string{"Transaction set 837 0028: One or more segments are in error",
				"Transaction set 837 0028: Segment NM (position 17) has an id that is not a known segment"},
		},
		{
			file: "oopfactory__DHS_Wisconsin_Sample.txt", // BOM, indentation, CRLF
			acks: []wantAck{{control: "2870001", functionalID: "HC", group: "17456", version: "004010X098A1",
				sets: []wantSet{
					{"837", "0001", "", "A", nil, nil},
					{"837", "002", "", "R", []string{"5"}, []SegmentError{clm}},
					{"837", "0003", "", "R", []string{"5"}, []SegmentError{ref(true)}},
				},
				status: "P", included: 3, received: 3, accepted: 1}},
			errorCodes: []string{"ak202_invalid"}, // AK202 "002" is shorter than an ST02 can be
			sentences: []string{
				"Transaction set 837 002: One or more segments are in error",
				"Transaction set 837 002: Segment CLM (position 22, claim 123456789) has data element errors: element CLM02 (782) is missing a required value",
				"Transaction set 837 0003: One or more segments are in error",
				"Transaction set 837 0003: Segment REF (position 57, claim 987654321) is required but missing (required or forbidden because of segment CLM at position 43, element CLM05-3)",
			},
		},
		{
			file: "stupidedi__response-to-functional-group-containing-3-837s.edi", // TR3 example, BOM, one line
			acks: []wantAck{{control: "2870001", functionalID: "HC", group: "17456", version: "005010X222A2",
				sets: []wantSet{
					{"837", "0001", "", "A", nil, nil},
					{"837", "0002", "", "R", []string{"5"}, []SegmentError{clm}},
					{"837", "0003", "", "R", []string{"5"}, []SegmentError{ref(false)}},
				},
				status: "P", included: 3, received: 3, accepted: 1}},
		},
		{
			file: "pyx12__834_ls_le_ls_5010.999.txt", // repetition separator !
			acks: []wantAck{accepted1("BE", "146", "005010X220A1", "834", "146001", "005010X220A1")},
		},
		{
			file: "pyx12__834_lui_id_5010.999.txt", // 2 groups, 4 sets
			acks: func() []wantAck {
				var out []wantAck
				for _, c := range []string{"0001", "0002", "0003", "0004"} {
					a := accepted1("BE", "13360001", "005010X220A1", "834", "0001", "005010X220A1")
					a.control = c
					out = append(out, a)
				}
				return out
			}(),
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
			if !reflect.DeepEqual(codes, tt.errorCodes) {
				t.Errorf("problems = %v, want %v\n%v", codes, tt.errorCodes, f.Errors)
			}
			if len(f.Acks) != len(tt.acks) {
				t.Fatalf("%d acks, want %d", len(f.Acks), len(tt.acks))
			}
			for i, w := range tt.acks {
				a := f.Acks[i]
				if a.Type != "999" || a.ControlNumber != w.control || a.FunctionalID != w.functionalID || a.GroupControlNumber != w.group || a.Version != w.version {
					t.Errorf("ack %d header = %s %s AK1 %s*%s*%s, want %s AK1 %s*%s*%s", i, a.Type, a.ControlNumber, a.FunctionalID, a.GroupControlNumber, a.Version, w.control, w.functionalID, w.group, w.version)
				}
				if a.Status != w.status || a.Included != w.included || a.Received != w.received || a.Accepted != w.accepted {
					t.Errorf("ack %d AK9 = %s*%d*%d*%d, want %s*%d*%d*%d", i, a.Status, a.Included, a.Received, a.Accepted, w.status, w.included, w.received, w.accepted)
				}
				if len(a.Sets) != len(w.sets) {
					t.Fatalf("ack %d has %d AK2 loops, want %d", i, len(a.Sets), len(w.sets))
				}
				for j, ws := range w.sets {
					s := a.Sets[j]
					if s.SetID != ws.id || s.ControlNumber != ws.control || s.Version != ws.version || s.Status != ws.status || !reflect.DeepEqual(s.Codes, ws.codes) {
						t.Errorf("set %d = AK2 %s*%s*%s IK5 %s %v, want AK2 %s*%s*%s IK5 %s %v", j, s.SetID, s.ControlNumber, s.Version, s.Status, s.Codes, ws.id, ws.control, ws.version, ws.status, ws.codes)
					}
					if !reflect.DeepEqual(s.Segments, ws.segments) {
						t.Errorf("set %d IK3 loops =\n%+v\nwant\n%+v", j, s.Segments, ws.segments)
					}
				}
			}
			if tt.sentences != nil {
				if got := f.Acks[0].Sentences(); !reflect.DeepEqual(got, tt.sentences) {
					t.Errorf("Sentences() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.sentences, "\n"))
				}
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !seen[e.Name()] {
			t.Errorf("sample 999/%s has no test case", e.Name())
		}
	}
}

func TestReadStructureProblems(t *testing.T) {
	const isa = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*T*:~GS*FA*A*B*20260101*1200*1*X*005010X231A1~"
	tests := []struct {
		name  string
		body  string // segments between ST and SE
		codes []string
	}{
		{"no AK1", "AK2*837*0001~IK5*A~AK9*A*1*1*1~", []string{"missing_ak1"}},
		{"no AK9", "AK1*HC*1~AK2*837*0001~IK5*A~", []string{"missing_ak9"}},
		{"no IK5", "AK1*HC*1~AK2*837*0001~AK9*A*1*1*1~", []string{"missing_ik5"}},
		{"IK4 without IK3", "AK1*HC*1~AK2*837*0001~IK4*2**7~IK5*R*5~AK9*R*1*1*0~", []string{"outside_ik3"}},
		{"bad codes", "AK1*HC*1~AK2*837*0001~IK3*CLM*x**Q~IK4*2:a**99~IK5*Z*5~AK9*Y*1*1*0*77~", []string{"invalid_number", "ik304_code", "invalid_position", "ik403_code", "ik501_code", "ak901_code", "unknown_code"}},
		{"accepted with errors", "AK1*HC*1~AK2*837*0001~IK3*CLM*5**8~IK4*2**1~IK5*A~AK9*A*1*1*1~", []string{"ik501_inconsistent"}},
		{"group accepted but set rejected", "AK1*HC*1~AK2*837*0001~IK5*R*5~AK9*A*1*1*0~", []string{"ak9_inconsistent"}},
		{"foreign segment", "AK1*HC*1~CLM*1~AK9*A*0*0*0~", []string{"unexpected_segment"}},
		{"CTX before IK3", "AK1*HC*1~AK2*837*0001~CTX*CLM01:1~IK5*A~AK9*A*1*1*1~", []string{"ctx_misplaced"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := strings.Count(tt.body, "~") + 2
			in := isa + "ST*999*0001*005010X231A1~" + tt.body + "SE*" + itoa(n) + "*0001~GE*1*1~IEA*1*000000001~"
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
			if len(f.Acks) != 1 {
				t.Errorf("%d acks, want 1", len(f.Acks))
			}
		})
	}
}

func itoa(n int) string { return edi.Amount(n * 100).X12() }

func TestSentence(t *testing.T) {
	tests := []struct {
		e    SegmentError
		want string
	}{
		{SegmentError{SegmentID: "CLM", Position: 23, LoopID: "2300", Code: "8",
			Elements: []ElementError{{Position: Position{Element: 5, Component: 1}, Reference: "1331", Code: "7", BadValue: "XX"}}},
			"Segment CLM (position 23 in loop 2300) has data element errors: element CLM05-1 (1331) is an invalid code value 'XX'"},
		{SegmentError{SegmentID: "HI", Position: 30, LoopID: "2300", Code: "8", Contexts: []Context{{Name: "CLM01", Reference: "PCN1"}},
			Elements: []ElementError{{Position: Position{Element: 1, Component: 2}, Code: "I12"}, {Position: Position{Element: 13}, Code: "3"}}},
			"Segment HI (position 30 in loop 2300, claim PCN1) has data element errors: element HI01-2 does not match the pattern the guide requires; element HI13 is one element too many for the segment"},
		{SegmentError{SegmentID: "NM1", Position: 9, LoopID: "2010BA", Code: "3"}, "Segment NM1 (position 9 in loop 2010BA) is required but missing"},
		{SegmentError{Position: 4, Code: "Z"}, "Segment (unnamed) (position 4) is in error (segment error code Z)"},
		{SegmentError{SegmentID: "SV1", Position: 40, Code: "8", Elements: []ElementError{{Position: Position{Element: 1, Component: 2, Repetition: 1}, Code: "ZZ"}}},
			"Segment SV1 (position 40) has data element errors: element SV101-2 repeat 1 is in error (element error code ZZ)"},
	}
	for _, tt := range tests {
		if got := tt.e.Sentence(); got != tt.want {
			t.Errorf("Sentence() =\n%s\nwant\n%s", got, tt.want)
		}
	}
}

func TestPositionString(t *testing.T) {
	for _, tt := range []struct {
		p    Position
		want string
	}{{Position{Element: 2}, "2"}, {Position{Element: 5, Component: 3}, "5:3"}, {Position{Element: 2, Repetition: 1}, "2::1"}, {Position{Element: 1, Component: 2, Repetition: 3}, "1:2:3"}} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestLabels(t *testing.T) {
	if l, ok := SegmentCodeLabel("8"); !ok || l != "Segment has data element errors" {
		t.Errorf("SegmentCodeLabel(8) = %q, %v", l, ok)
	}
	if l, ok := ElementCodeLabel("7"); !ok || l != "Invalid code value" {
		t.Errorf("ElementCodeLabel(7) = %q, %v", l, ok)
	}
	if l, ok := GroupStatusLabel("P"); !ok || !strings.Contains(l, "Partly") {
		t.Errorf("GroupStatusLabel(P) = %q, %v", l, ok)
	}
	if l, ok := SetStatusLabel("Q"); ok || !strings.Contains(l, "not in the code list") {
		t.Errorf("SetStatusLabel(Q) = %q, %v", l, ok)
	}
	if l := SetCodeLabel("4"); !strings.Contains(l, "SE01") {
		t.Errorf("SetCodeLabel(4) = %q", l)
	}
	if l := GroupCodeLabel("5"); !strings.Contains(l, "GE01") {
		t.Errorf("GroupCodeLabel(5) = %q", l)
	}
	for code, txt := range ik304 {
		if txt.label == "" || txt.phrase == "" {
			t.Errorf("IK304 %s lacks words", code)
		}
	}
	for code, txt := range ik403 {
		if txt.label == "" || txt.phrase == "" {
			t.Errorf("IK403 %s lacks words", code)
		}
	}
}
