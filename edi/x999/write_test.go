package x999

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
)

var testTime = time.Date(2026, 11, 22, 18, 30, 0, 0, time.UTC)

func testEnvelope() Envelope {
	return Envelope{
		Interchange: edi.ISAHeader{SenderID: "SIMPAYER", ReceiverID: "CLAIMGATE01", Time: testTime, ControlNumber: 42, Usage: "T"},
		Group:       edi.GSHeader{Sender: "SIMPAYER", Receiver: "CLAIMGATE01", Time: testTime, ControlNumber: 42},
		LineBreaks:  true,
	}
}

// sampleAck exercises every part of the model.
func sampleAck() FunctionalAck {
	return FunctionalAck{
		Type: "999", ControlNumber: "0001", GuideVersion: GuideVersion,
		FunctionalID: "HC", GroupControlNumber: "1001", Version: "005010X222A1",
		Sets: []SetResponse{
			{SetID: "837", ControlNumber: "0001", Version: "005010X222A1", Status: "A"},
			{SetID: "837", ControlNumber: "0002", Version: "005010X222A1", Status: "R", Codes: []string{"5"},
				Segments: []SegmentError{
					{SegmentID: "CLM", Position: 23, LoopID: "2300", Code: "8",
						Contexts: []Context{{Name: "CLM01", Reference: "CG0000042"}},
						Elements: []ElementError{
							{Position: Position{Element: 5, Component: 1}, Reference: "1331", Code: "7", BadValue: "XX"},
							{Position: Position{Element: 2}, Reference: "782", Code: "1"},
						}},
					{SegmentID: "REF", Position: 57, LoopID: "2300", Code: "3",
						Contexts: []Context{
							{Name: SituationalTrigger, SegmentID: "CLM", SegmentPosition: 23, LoopID: "2300", Position: &Position{Element: 5, Component: 3}, ElementReference: []string{"C023", "1325"}},
							{Name: "CLM01", Reference: "CG0000042"},
						}},
					{SegmentID: "HI", Position: 30, Code: "8",
						Elements: []ElementError{{Position: Position{Element: 1, Component: 2, Repetition: 1}, Code: "I12",
							Contexts: []Context{{Name: "HI01", Reference: "E119"}}}}},
				}},
		},
		Status: "P", Included: 2, Received: 2, Accepted: 1,
	}
}

func TestWriteGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, testEnvelope(), sampleAck()); err != nil {
		t.Fatal(err)
	}
	golden(t, "ack.golden.x12", b.Bytes())
}

func TestWriteRoundTrip(t *testing.T) {
	want := sampleAck()
	var b bytes.Buffer
	if err := Write(&b, testEnvelope(), want); err != nil {
		t.Fatal(err)
	}
	f, err := Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Errors) > 0 {
		t.Errorf("our own 999 has problems:\n%v", f.Errors)
	}
	if len(f.Acks) != 1 || !reflect.DeepEqual(f.Acks[0], want) {
		t.Errorf("read back\n%+v\nwant\n%+v", f.Acks, want)
	}
}

// TestSamplesRoundTrip writes every sample 999 back with our writer and reads it again: the
// model must not change.
func TestSamplesRoundTrip(t *testing.T) {
	dir := filepath.Join(samplesDir(t), "999")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Read(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := Write(&out, testEnvelope(), f.Acks...); err != nil {
				t.Fatal(err)
			}
			g, err := Read(&out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.Acks, g.Acks) {
				t.Errorf("round trip changed the model:\n%+v\n%+v", f.Acks, g.Acks)
			}
		})
	}
}

func TestWriteRefusesIncompleteAck(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*FunctionalAck)
	}{
		{"no AK101", func(a *FunctionalAck) { a.FunctionalID = "" }},
		{"no AK901", func(a *FunctionalAck) { a.Status = "" }},
		{"no IK501", func(a *FunctionalAck) { a.Sets[0].Status = "" }},
		{"six group codes", func(a *FunctionalAck) { a.Codes = []string{"1", "2", "3", "4", "5", "6"} }},
		{"IK3 without position", func(a *FunctionalAck) { a.Sets[1].Segments[0].Position = 0 }},
		{"IK4 without code", func(a *FunctionalAck) { a.Sets[1].Segments[0].Elements[0].Code = "" }},
		{"delimiter in value", func(a *FunctionalAck) { a.Sets[1].Segments[0].Elements[0].BadValue = "A*B" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sampleAck()
			tt.mod(&a)
			err := Write(io.Discard, testEnvelope(), a)
			if !errors.Is(err, edi.ErrWrite) {
				t.Errorf("Write = %v, want an edi.ErrWrite error", err)
			}
		})
	}
}

// brokenGroup has three 837 sets: 0001 with a wrong SE01, 0002 with a claim the test adds
// errors to, 0003 clean.
const brokenGroup = "ISA*00*          *00*          *ZZ*CLAIMGATE01    *ZZ*SIMPAYER       *261122*1200*^*00501*000000007*1*T*:~" +
	"GS*HC*CLAIMGATE01*SIMPAYER*20261122*1200*7*X*005010X222A1~" +
	"ST*837*0001*005010X222A1~BHT*0019*00*B1*20261122*1200*CH~HL*1**20*1~NM1*85*2*CLINIC~HL*2*1*22*0~CLM*PCN1*100~DTP*472*D8*20261101~SE*7*0001~" +
	"ST*837*0002*005010X222A1~BHT*0019*00*B2*20261122*1200*CH~HL*1**20*1~HL*2*1*22*0~CLM*PCN2*5O~REF*G1*X~HL*3*2*23*0~NM1*QC*1*DOE~SE*9*0002~" +
	"ST*837*0003*005010X222A1~BHT*0019*00*B3*20261122*1200*CH~SE*3*0003~" +
	"GE*3*7~IEA*1*000000007~"

func TestAcknowledge(t *testing.T) {
	r := edi.NewReader(strings.NewReader(brokenGroup))
	var tr Tracker
	var own []*edi.Error
	for {
		seg, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tr.Observe(r, seg)
		if tx := r.Transaction(); tx != nil && tx.ControlNumber == "0002" {
			switch seg.ID {
			case "CLM":
				_, _, err := seg.Amount(2)
				var e *edi.Error
				if !errors.As(err, &e) {
					t.Fatalf("CLM02 5O parsed as an amount")
				}
				e.Loop = "2300"
				own = append(own, e, &edi.Error{Offset: seg.Offset, SegmentIndex: seg.Index, SegmentID: "CLM", Element: 1, Code: "ik403_I12", Loop: "2300", Err: edi.ErrValue})
			case "REF":
				own = append(own, edi.ErrorAt(seg, 0, edi.ErrStructure, "segment_not_used", "REF*G1 is not used here"))
			case "NM1":
				own = append(own, edi.ErrorAt(seg, 0, edi.ErrStructure, "missing_n3", "patient address is required"))
			}
		}
	}
	acks := tr.Acknowledge(append(r.Errors(), own...))
	want := []FunctionalAck{{
		Type: "999", GuideVersion: GuideVersion, FunctionalID: "HC", GroupControlNumber: "7", Version: "005010X222A1",
		Sets: []SetResponse{
			{SetID: "837", ControlNumber: "0001", Version: "005010X222A1", Status: "R", Codes: []string{"4"}},
			{SetID: "837", ControlNumber: "0002", Version: "005010X222A1", Status: "R", Codes: []string{"5"},
				Segments: []SegmentError{
					{SegmentID: "CLM", Position: 5, LoopID: "2300", Code: "8", Contexts: []Context{{Name: "CLM01", Reference: "PCN2"}},
						Elements: []ElementError{{Position: Position{Element: 2}, Code: "6", BadValue: "5O"}, {Position: Position{Element: 1}, Code: "I12"}}},
					{SegmentID: "REF", Position: 6, Code: "I4", Contexts: []Context{{Name: "CLM01", Reference: "PCN2"}}},
					{SegmentID: "NM1", Position: 8, Code: "3"},
				}},
			{SetID: "837", ControlNumber: "0003", Version: "005010X222A1", Status: "A"},
		},
		Status: "P", Included: 3, Received: 3, Accepted: 1,
	}}
	if !reflect.DeepEqual(acks, want) {
		t.Errorf("Acknowledge =\n%+v\nwant\n%+v", acks, want)
	}
	groups := tr.Groups()
	if len(groups) != 1 || groups[0].InterchangeSender != "CLAIMGATE01" || groups[0].DeclaredSets != 3 || len(groups[0].Sets) != 3 {
		t.Fatalf("Groups() = %+v", groups)
	}
	// The acknowledgment goes back to the sender, and reads back as generated.
	env := Reply(groups[0], testTime, 900, 901)
	if env.Interchange.ReceiverID != "CLAIMGATE01" || env.Interchange.SenderID != "SIMPAYER" || env.Group.Receiver != "CLAIMGATE01" || env.Interchange.Usage != "T" {
		t.Errorf("Reply envelope = %+v", env)
	}
	var b bytes.Buffer
	if err := Write(&b, env, acks...); err != nil {
		t.Fatal(err)
	}
	f, err := Read(&b)
	if err != nil || len(f.Errors) > 0 {
		t.Fatalf("reading our 999: %v %v", err, f.Errors)
	}
	want[0].ControlNumber = "0001"
	if !reflect.DeepEqual(f.Acks, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", f.Acks, want)
	}
}

func TestAcknowledgeGroupErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		status string
		codes  []string
		sets   []string // IK501 per set
	}{
		{"GE count wrong", strings.Replace(brokenGroup, "GE*3*7", "GE*2*7", 1), "R", []string{"5"}, []string{"R", "A", "A"}},
		{"GE control wrong", strings.Replace(brokenGroup, "GE*3*7", "GE*3*8", 1), "R", []string{"4"}, []string{"R", "A", "A"}},
		{"GE missing", strings.Replace(brokenGroup, "GE*3*7~", "", 1), "R", []string{"3"}, []string{"R", "A", "A"}},
		{"SE missing", strings.Replace(brokenGroup, "SE*3*0003~", "", 1), "P", nil, []string{"R", "A", "R"}},
		{"all sets clean", strings.Replace(brokenGroup, "SE*7*0001", "SE*8*0001", 1), "A", nil, []string{"A", "A", "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := edi.NewReader(strings.NewReader(tt.in))
			var tr Tracker
			for {
				seg, err := r.Next()
				if err != nil {
					break
				}
				tr.Observe(r, seg)
			}
			acks := tr.Acknowledge(r.Errors())
			if len(acks) != 1 {
				t.Fatalf("%d acks", len(acks))
			}
			a := acks[0]
			var sets []string
			for _, s := range a.Sets {
				sets = append(sets, s.Status)
			}
			if a.Status != tt.status || !reflect.DeepEqual(a.Codes, tt.codes) || !reflect.DeepEqual(sets, tt.sets) {
				t.Errorf("AK9 %s %v sets %v, want %s %v sets %v\nproblems:\n%v", a.Status, a.Codes, sets, tt.status, tt.codes, tt.sets, r.Errors())
			}
		})
	}
}

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		code    string
		kind    error
		element int
		seg     string
		elem    string
	}{
		{"invalid_amount", edi.ErrValue, 2, "8", "6"},
		{"missing_element", edi.ErrValue, 1, "8", "1"},
		{"value_too_long", edi.ErrValue, 3, "8", "5"},
		{"invalid_date", edi.ErrValue, 3, "8", "8"},
		{"unknown_qualifier", edi.ErrValue, 1, "8", "7"},
		{"npi_check_digit", edi.ErrValue, 9, "8", "I12"},
		{"ik403_I9", edi.ErrValue, 4, "8", "I9"},
		{"ik304_I6", edi.ErrStructure, 0, "I6", ""},
		{"required_segment_missing", edi.ErrStructure, 0, "3", ""},
		{"segment_out_of_order", edi.ErrStructure, 0, "7", ""},
		{"loop_repeats_too_many", edi.ErrStructure, 0, "4", ""},
		{"segment_repeats_too_many", edi.ErrStructure, 0, "5", ""},
		{"unexpected_segment", edi.ErrStructure, 0, "2", ""},
		{"claim_unbalanced", edi.ErrBalance, 0, "8", ""},
		{"something_else", edi.ErrStructure, 0, "2", ""},
	}
	for _, tt := range tests {
		s, e := ErrorCodes(&edi.Error{Code: tt.code, Err: tt.kind, Element: tt.element})
		if s != tt.seg || e != tt.elem {
			t.Errorf("ErrorCodes(%s) = %q, %q; want %q, %q", tt.code, s, e, tt.seg, tt.elem)
		}
	}
}

// TestJSONGolden pins the JSON form `claimgate edi parse` prints for a 999.
func TestJSONGolden(t *testing.T) {
	b, err := json.MarshalIndent(sampleAck(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ack.golden.json", append(b, '\n'))
}
