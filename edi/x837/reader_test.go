package x837

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReaderReportsPositionedProblems breaks a rendered file one way at a time and checks the
// reader reports the problem at the broken segment.
func TestReaderReportsPositionedProblems(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "837p_patient_not_subscriber.golden"))
	if err != nil {
		t.Fatal(err)
	}
	good := string(golden)
	tests := []struct {
		name, from, to, code, segID string
	}{
		{"hl parent", "HL*3*2*23*0~", "HL*3*1*23*0~", "hl_parent", "HL"},
		{"hl sequence", "HL*3*2*23*0~", "HL*4*2*23*0~", "hl_sequence", "HL"},
		{"hl child code", "HL*2*1*22*1~", "HL*2*1*22*0~", "hl_child_code", "HL"},
		{"missing N3", "N3*100 MAIN ST~\n", "", "missing_segment", "NM1"},
		{"icd-9", "HI*ABK:E119*ABF:I10~", "HI*BK:2500*BF:4019~", "icd9_qualifier", "HI"},
		{"missing HI", "HI*ABK:E119*ABF:I10~\n", "", "missing_segment", "CLM"},
		{"bad amount", "CLM*PDEP001*235*", "CLM*PDEP001*23X5*", "invalid_amount", "CLM"},
		{"bad date", "DTP*472*D8*20261102~", "DTP*472*D8*20261132~", "invalid_date", "DTP"},
		{"repeated 2010AA", "PER*IC*BILLING OFFICE*TE*6125550199~", "PER*IC*BILLING OFFICE*TE*6125550199~\nNM1*85*2*X*****XX*1234567893~", "loop_repeat", "NM1"},
		{"unknown segment", "LX*1~", "ZZZ*1~\nLX*1~", "unexpected_segment", "ZZZ"},
		{"lx sequence", "LX*2~", "LX*3~", "lx_sequence", "LX"},
		{"pointer", "SV1*HC:36415*85*UN*1***1~", "SV1*HC:36415*85*UN*1***7~", "invalid_pointer", "SV1"},
		{"npi", "XX*1003000126~", "XX*1003000127~", "invalid_npi", "NM1"},
		{"unknown entity", "NM1*DN*1*JONES", "NM1*XY*1*JONES", "unexpected_entity", "NM1"},
		{"missing element", "NM1*IL*1*DOE", "NM1*IL**DOE", "missing_element", "NM1"},
		{"five digit billing zip", "N4*MINNEAPOLIS*MN*554010000~", "N4*MINNEAPOLIS*MN*55401~", "invalid_zip", "N4"},
		{"se count", "SE*46*5601~", "SE*45*5601~", "se_count_mismatch", "SE"},
		{"professional frequency", "11:B:1*", "11:B:9*", "invalid_code", "CLM"},
		{"missing service date", "DTP*472*D8*20261102~\nREF*6R*PDEP001-2~", "REF*6R*PDEP001-2~", "missing_segment", "LX"},
		{"bht", "BHT*0019*", "BHT*0020*", "invalid_code", "BHT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if bad == good {
				t.Fatalf("%q not found", tc.from)
			}
			ics, problems, err := ReadAll(strings.NewReader(bad))
			if err != nil {
				t.Fatal(err)
			}
			if len(ics) != 1 || len(ics[0].Claims) != 1 {
				t.Fatalf("the claim was not read: %d interchanges", len(ics))
			}
			for _, p := range problems {
				if p.Code != tc.code {
					continue
				}
				if p.SegmentID != tc.segID || p.Line == 0 || p.SegmentIndex == 0 {
					t.Fatalf("%s reported at %s (segment %d, line %d), want a %s segment", tc.code, p.SegmentID, p.SegmentIndex, p.Line, tc.segID)
				}
				lines := strings.Split(bad, "\n")
				if !strings.HasPrefix(lines[p.Line-1], tc.segID) {
					t.Fatalf("line %d is %q, not a %s segment", p.Line, lines[p.Line-1], tc.segID)
				}
				return
			}
			t.Fatalf("no %s problem; got %v", tc.code, problems)
		})
	}
}

func TestReaderSkipsOtherTransactionSets(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, testInterchange(testProfessional("P1"))); err != nil {
		t.Fatal(err)
	}
	x := strings.Replace(buf.String(), "ST*837*", "ST*835*", 1)
	x = strings.Replace(x, "005010X222A1~BHT", "005010X221A1~BHT", 1)
	ics, problems, err := ReadAll(strings.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	if len(ics) != 1 || len(ics[0].Claims) != 0 {
		t.Fatalf("claims read from an 835: %+v", ics)
	}
	found := false
	for _, p := range problems {
		found = found || p.Code == "not_837"
	}
	if !found {
		t.Fatalf("no not_837 problem: %v", problems)
	}
}

func TestReaderHandlesEmptyAndTruncatedInput(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, testInterchange(testInstitutional("I1"))); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	for _, n := range []int{0, 10, 106, 300, len(full) / 2, len(full) - 30} {
		_, problems, _ := ReadAll(bytes.NewReader(full[:n]))
		if len(problems) == 0 {
			t.Errorf("input cut at %d bytes read without a problem", n)
		}
	}
}
