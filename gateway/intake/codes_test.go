package intake

import (
	"strings"
	"testing"
)

func TestCodeICD10CM(t *testing.T) {
	tests := []struct {
		in   string
		want icdKind
		hint string
	}{
		{"E11.9", icdOK, ""},
		{"E119", icdOK, ""},
		{"I10", icdOK, ""},
		{"S52.521A", icdOK, ""},
		{"S52521A", icdOK, ""},
		{"M1A.0110", icdOK, ""},
		{"C4A.9", icdOK, ""},
		{"U07.1", icdOK, ""},
		{"Z00.00", icdOK, ""},
		{"E86.0", icdOK, ""}, // ICD-10-CM E8x, not an ICD-9 E code
		{"V00.01XA", icdOK, ""},
		{"T38.3X5A", icdOK, ""},
		{"e11.9", icdBadShape, "capital letters (E11.9)"},
		{"e11.9aaaaaaaaaaaa", icdBadShape, "3 to 7"}, // long values are not echoed back in capitals
		{"E1.19", icdBadShape, "after the third character"},
		{"E11.", icdBadShape, "trailing dot"},
		{"E11.9.1", icdBadShape, "at most one dot"},
		{"E1", icdBadShape, "3 to 7"},
		{"S52.521AB", icdBadShape, "3 to 7"},
		{"1E1", icdBadShape, "starts with a letter"},
		{"EE1", icdBadShape, "second character"},
		{"E1-9", icdBadShape, "only letters and digits"},
		{"E11 9", icdBadShape, "spaces"},
		{"250.00", icdNine, "ICD-9"},
		{"4019", icdNine, "ICD-9"},
		{"401.9", icdNine, "ICD-9"},
		{"V70.0", icdNine, "ICD-9"},
		{"V7231", icdNine, "ICD-9"},
		{"E849.0", icdNine, "ICD-9"},
		{"E9160", icdNine, "ICD-9"},
		{"", icdBadShape, "3 to 7"},
	}
	for _, tt := range tests {
		got, hint := checkICD10CM(tt.in)
		if got != tt.want || !strings.Contains(hint, tt.hint) {
			t.Errorf("checkICD10CM(%q) = %v %q, want %v containing %q", tt.in, got, hint, tt.want, tt.hint)
		}
	}
}

func TestCodeShapes(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) string
		in    string
		hint  string // "" = valid
	}{
		{"pcs", checkICD10PCS, "0DTJ4ZZ", ""},
		{"pcs", checkICD10PCS, "02HV33Z", ""},
		{"pcs", checkICD10PCS, "0dtj4zz", "capital letters"},
		{"pcs", checkICD10PCS, "0DTJ4Z", "exactly 7"},
		{"pcs", checkICD10PCS, "0DTJ4ZO", "letter O"},
		{"pcs", checkICD10PCS, "0DTI4ZZ", "letter I"},
		{"pcs", checkICD10PCS, "0DT.4ZZ", "no dot"},
		{"pcs", checkICD10PCS, "0DT-4ZZ", "only letters and digits"},
		{"cpt", checkProcedureCode, "99214", ""},
		{"cpt", checkProcedureCode, "0503F", ""},
		{"cpt", checkProcedureCode, "0042T", ""},
		{"cpt", checkProcedureCode, "J1100", ""},
		{"cpt", checkProcedureCode, "A0425", ""},
		{"cpt", checkProcedureCode, "V2020", ""},
		{"cpt", checkProcedureCode, "j1100", "capital letters"},
		{"cpt", checkProcedureCode, "9921", "exactly 5"},
		{"cpt", checkProcedureCode, "992145", "exactly 5"},
		{"cpt", checkProcedureCode, "99214-25", "modifiers"},
		{"cpt", checkProcedureCode, "9921X", "F (CPT Category II) or T"},
		{"cpt", checkProcedureCode, "W1234", "A to V"},
		{"cpt", checkProcedureCode, "O1234", "letter O"},
		{"cpt", checkProcedureCode, "I1234", "letter I"},
		{"cpt", checkProcedureCode, "JJ100", "a letter and 4 digits"},
		{"cpt", checkProcedureCode, "9 214", "spaces"},
		{"modifier", checkModifier, "25", ""},
		{"modifier", checkModifier, "LT", ""},
		{"modifier", checkModifier, "lt", "capital letters"},
		{"modifier", checkModifier, "2", "exactly 2"},
		{"modifier", checkModifier, "25X", "exactly 2"},
		{"modifier", checkModifier, "-5", "exactly 2"},
		{"revenue", checkRevenueCode, "0450", ""},
		{"revenue", checkRevenueCode, "1001", ""},
		{"revenue", checkRevenueCode, "450", "leading zero (0450)"},
		{"revenue", checkRevenueCode, "04500", "exactly 4"},
		{"revenue", checkRevenueCode, "045A", "exactly 4"},
		{"ndc", checkNDC, "00002140701", ""},
		{"ndc", checkNDC, "00002-1407-01", "without hyphens: 00002140701"},
		{"ndc", checkNDC, "0002-1407-01", "without hyphens: 00002140701"},    // 4-4-2
		{"ndc", checkNDC, "00002-407-01", "without hyphens: 00002040701"},    // 5-3-2
		{"ndc", checkNDC, "00002-1407-1", "without hyphens: 00002140701"},    // 5-4-1
		{"ndc", checkNDC, "0002140701", "10-digit NDC"},                      // ambiguous without hyphens
		{"ndc", checkNDC, "2-1-1", "11 digits in the 5-4-2 layout, without"}, // too short to pad
		{"ndc", checkNDC, "000021407011", "11 digits"},
		{"pos", checkPlaceOfService, "11", ""},
		{"pos", checkPlaceOfService, "02", ""},
		{"pos", checkPlaceOfService, "99", ""},
		{"pos", checkPlaceOfService, "1", "leading zero (01)"},
		{"pos", checkPlaceOfService, "30", "not on the CMS"},
		{"pos", checkPlaceOfService, "00", "not on the CMS"},
		{"pos", checkPlaceOfService, "1A", "2-digit"},
		{"taxonomy", checkTaxonomy, "207Q00000X", ""},
		{"taxonomy", checkTaxonomy, "363LF0000X", ""},
		{"taxonomy", checkTaxonomy, "207q00000x", "capital letters"},
		{"taxonomy", checkTaxonomy, "207Q00000", "10 characters ending in X"},
		{"taxonomy", checkTaxonomy, "207Q0000-X", "only letters and digits"},
		{"ub04", checkUB04Code, "01", ""},
		{"ub04", checkUB04Code, "A1", ""},
		{"ub04", checkUB04Code, "a1", "capital"},
		{"ub04", checkUB04Code, "1", "exactly 2"},
	}
	for _, tt := range tests {
		got := tt.check(tt.in)
		if (tt.hint == "") != (got == "") || !strings.Contains(got, tt.hint) {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.in, got, tt.hint)
		}
	}
}

func TestCodeTypeOfBill(t *testing.T) {
	tests := []struct {
		tob, freq string
		want      tobFrequencyProblem
		hint      string
	}{
		{"0131", FrequencyOriginal, tobOK, ""},
		{"0111", FrequencyOriginal, tobOK, ""},
		{"0112", FrequencyOriginal, tobOK, ""}, // interim first claim is an original submission
		{"0117", FrequencyReplacement, tobOK, ""},
		{"0138", FrequencyVoid, tobOK, ""},
		{"0137", FrequencyOriginal, tobMismatch, "(0131)"},
		{"0131", FrequencyReplacement, tobMismatch, "(0137)"},
		{"0131", FrequencyVoid, tobMismatch, "(0138)"},
		{"0131", "", tobOK, ""}, // the frequency is reported on its own
		{"131", FrequencyOriginal, tobFormat, "leading zero (0131)"},
		{"1131", FrequencyOriginal, tobFormat, "starts with 0"},
		{"0931", FrequencyOriginal, tobFormat, "facility type"},
		{"0101", FrequencyOriginal, tobFormat, "classification"},
		{"0136", FrequencyOriginal, tobFormat, "claim frequency"},
		{"01A1", FrequencyOriginal, tobFormat, "4 digits"},
		{"", FrequencyOriginal, tobFormat, "4 digits"},
	}
	for _, tt := range tests {
		got, hint := checkTypeOfBill(tt.tob, tt.freq)
		if got != tt.want || !strings.Contains(hint, tt.hint) {
			t.Errorf("checkTypeOfBill(%q, %q) = %v %q, want %v containing %q", tt.tob, tt.freq, got, hint, tt.want, tt.hint)
		}
	}
}

func TestCodeStatePostalPOBox(t *testing.T) {
	for _, s := range []string{"MN", "DC", "PR", "GU", "VI", "AE", "WY"} {
		if !validState(s) {
			t.Errorf("validState(%q) = false", s)
		}
	}
	for _, s := range []string{"mn", "XX", "M", "MNN", "", "ON"} {
		if validState(s) {
			t.Errorf("validState(%q) = true", s)
		}
	}
	postal := []struct {
		in    string
		need9 bool
		code  string
		hint  string
	}{
		{"55401", false, "", ""},
		{"554010000", false, "", ""},
		{"554010000", true, "", ""},
		{"55401", true, codePostalCodeZip4, "4-digit ZIP+4"},
		{"55401-0000", false, codePostalCodeFormat, "(554010000)"},
		{"5540", false, codePostalCodeFormat, "5 digits or 9"},
		{"K1A 0B1", false, codePostalCodeFormat, "5 digits or 9"},
	}
	for _, tt := range postal {
		code, hint := checkPostalCode(tt.in, tt.need9)
		if code != tt.code || !strings.Contains(hint, tt.hint) {
			t.Errorf("checkPostalCode(%q, %v) = %q %q, want %q %q", tt.in, tt.need9, code, hint, tt.code, tt.hint)
		}
	}
	for _, s := range []string{"PO Box 123", "P.O. Box 9", "p o box 1", "POBox 77", "Post Office Box 5", "Lockbox 4411", "Lock Box 12", "POB 12", "PO 4411", "Suite 5, PO Box 1"} {
		if !isPOBox(s) {
			t.Errorf("isPOBox(%q) = false", s)
		}
	}
	for _, s := range []string{"100 Main St", "1 Boxwood Ln", "77 Depot Rd", "12 Poplar Ave", "Suite 400", "PO Plaza"} {
		if isPOBox(s) {
			t.Errorf("isPOBox(%q) = true", s)
		}
	}
}

func TestCodeQuantity(t *testing.T) {
	for _, ok := range []string{"1", "2.5", ".5", "0.125", "100", "999999999999999"} {
		if got := checkQuantity(ok); got != "" {
			t.Errorf("checkQuantity(%q) = %q, want valid", ok, got)
		}
	}
	for in, hint := range map[string]string{
		"0": "more than 0", "0.000": "more than 0", "-1": "plain positive", "1e3": "plain positive", "": "plain positive",
		".": "plain positive", "1.": "plain positive", "1.2345": "3 decimals", "1234567890123456": "15 characters", "12345678901234.5": "15 characters", "1,5": "plain positive", "+1": "plain positive",
	} {
		if got := checkQuantity(in); !strings.Contains(got, hint) || got == "" {
			t.Errorf("checkQuantity(%q) = %q, want %q", in, got, hint)
		}
	}
}
