package x837

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
)

type manifestRow struct {
	file, guide, notes, pyx12, pyx12Err string
}

func readManifest(t *testing.T, dir string) []manifestRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Skipf("MANIFEST.tsv: %v", err)
	}
	defer f.Close()
	var rows []manifestRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 10 || !strings.HasPrefix(cols[0], "837") {
			continue
		}
		rows = append(rows, manifestRow{file: cols[0], guide: cols[2], notes: cols[6], pyx12: cols[8], pyx12Err: cols[9]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// manifestOverrides names what the reader must report for files whose pyx12 first error is a
// "segment not found" or an out-of-order finding: the MANIFEST's words mapped to our codes.
var manifestOverrides = map[string][]string{
	"837P/imsweb__x12_bad_segment_identifier.txt": {"unexpected_segment"},
	"837P/imsweb__x12_bad_valid_code.txt":         {"unexpected_entity"},
	"837P/imsweb__x12_segments_out_of_order.txt":  {"segment_order"},
	"837P/oopfactory__MedicaidExample.txt":        {"invalid_code"},
	"837P/oopfactory__MissingEntityCode.txt":      {"invalid_code", "missing_element"},
}

// manifestReplacements replace the derived expectations where the MANIFEST's splitter read a
// file differently: imsweb__x12_bad_first_line.txt has an ISA02 one space short, which a
// fixed-width splitter misreads (separators *~\n*, control numbers ending in ~); claimgate's
// reader finds the 16th element separator instead and reads the real delimiters * : ~.
var manifestReplacements = map[string][]string{
	"837P/imsweb__x12_bad_first_line.txt": {"se_count_mismatch", "icd9_qualifier", "invalid_npi", "hl_parent"},
}

var (
	claimCountRe = regexp.MustCompile(`\bCLM=(\d+)`)
	icCountRe    = regexp.MustCompile(`(\d+) interchanges in one file`)
	stCountRe    = regexp.MustCompile(`(\d+) ST in 1 GS`)
)

// expectedCodes derives, from a MANIFEST row, the problem codes the reader must report.
func expectedCodes(row manifestRow) []string {
	var want []string
	n := row.notes
	add := func(cond bool, code string) {
		if cond {
			want = append(want, code)
		}
	}
	add(strings.Contains(n, "ICD-9 qualifiers"), "icd9_qualifier")
	add(strings.Contains(n, "SE01="), "se_count_mismatch")
	add(strings.Contains(n, "GE01="), "ge_count_mismatch")
	add(strings.Contains(n, "SE02="), "se_control_mismatch")
	add(strings.Contains(n, "GE02="), "ge_control_mismatch")
	add(strings.Contains(n, "IEA02="), "iea_control_mismatch")
	add(strings.Contains(n, "NPI check-digit FAIL"), "invalid_npi")
	add(strings.Contains(n, "NO ISA/GS envelope"), "no_envelope")
	add(strings.Contains(n, "UTF-16"), "utf16")
	add(strings.Contains(n, "free text before ISA"), "text_before_isa")
	add(strings.Contains(n, "!= GS08"), "version_mismatch")
	add(row.guide != VersionProfessional && row.guide != VersionInstitutional && row.guide != "-", "guide_version")
	e := row.pyx12Err
	add(strings.Contains(e, "Mandatory data element"), "missing_element")
	add(strings.Contains(e, "Mandatory loop"), "missing_loop")
	add(strings.Contains(e, "Mandatory segment") && !strings.Contains(row.file, "out_of_order"), "missing_segment")
	add(strings.Contains(e, "exceeded max count"), "loop_repeat")
	add(strings.Contains(e, "is not a valid parent"), "hl_parent")
	add(strings.Contains(e, "[0-9]{9}"), "invalid_zip")
	return append(want, manifestOverrides[row.file]...)
}

// TestSamplesReportWhatManifestSays reads every 837 sample: none may panic, every problem the
// MANIFEST notes must be reported, and claim, interchange and transaction set counts must agree.
func TestSamplesReportWhatManifestSays(t *testing.T) {
	dir := samplesDir(t)
	rows := readManifest(t, dir)
	if len(rows) < 80 {
		t.Fatalf("MANIFEST lists %d 837 files, expected 83", len(rows))
	}
	for _, row := range rows {
		t.Run(row.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, row.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			er := edi.NewReader(f)
			er.MaxErrors = 1 << 30
			r := NewReader(er)
			ics, err := r.ReadAll()
			problems := r.Errors()
			if err != nil && len(problems) == 0 {
				t.Fatalf("unreadable input without a positioned problem: %v", err)
			}
			codes := map[string]int{}
			for _, p := range problems {
				codes[p.Code]++
				if p.Msg == "" || p.Code == "" {
					t.Errorf("problem without code or message: %+v", p)
				}
			}
			want := expectedCodes(row)
			if w, ok := manifestReplacements[row.file]; ok {
				want = w
			}
			for _, c := range want {
				if codes[c] == 0 {
					t.Errorf("MANIFEST says %q; expected a %s problem, got %v", row.notes, c, codes)
				}
			}
			claims, sets := 0, 0
			for _, ic := range ics {
				claims += len(ic.Claims)
				sets += len(ic.Transactions)
			}
			if m := claimCountRe.FindStringSubmatch(row.notes); m != nil {
				if n, _ := strconv.Atoi(m[1]); n != claims {
					t.Errorf("read %d claims, MANIFEST says CLM=%d", claims, n)
				}
			}
			if m := icCountRe.FindStringSubmatch(row.notes); m != nil {
				if n, _ := strconv.Atoi(m[1]); n != len(ics) {
					t.Errorf("read %d interchanges, MANIFEST says %d", len(ics), n)
				}
			}
			if m := stCountRe.FindStringSubmatch(row.notes); m != nil {
				if n, _ := strconv.Atoi(m[1]); n != sets {
					t.Errorf("read %d transaction sets, MANIFEST says %d", sets, n)
				}
			}
			// A file the independent validators pass reads without structural problems. pyx12
			// does not check what claimgate adds: ICD-10 only, NPI check digits, the nine-digit
			// ZIP code of 5010 billing provider and service facility addresses, and diagnosis
			// pointers within the claim's diagnoses.
			if strings.HasPrefix(row.pyx12, "OK") {
				for _, p := range problems {
					switch p.Code {
					case "icd9_qualifier", "invalid_npi", "invalid_zip", "invalid_pointer":
					default:
						t.Errorf("pyx12 passes this file, but the reader reports %s", p)
					}
				}
			}
		})
	}
}

// TestSampleClaimValues spot-checks values read from two TR3 examples.
func TestSampleClaimValues(t *testing.T) {
	dir := samplesDir(t)
	read := func(name string) *Interchange {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Skip(err)
		}
		defer f.Close()
		ics, _, err := ReadAll(f)
		if err != nil || len(ics) != 1 {
			t.Fatalf("%s: %v, %d interchanges", name, err, len(ics))
		}
		return ics[0]
	}
	ic := read("837P/stupidedi__commercial-health-insurance.edi")
	if len(ic.Claims) != 1 {
		t.Fatalf("claims: %d", len(ic.Claims))
	}
	c := ic.Claims[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"type", c.Type, Professional},
		{"pcn", c.PatientControlNumber, "26463774"},
		{"total", c.TotalCharge.String(), "100.00"},
		{"pos", c.PlaceOfService, "11"},
		{"billing npi", c.BillingProvider.NPI, "9876543210"},
		{"billing taxonomy", c.BillingProvider.Taxonomy, "203BF0100Y"},
		{"tax id", c.BillingProvider.TaxID, "587654321"},
		{"pay-to city", c.BillingProvider.PayToAddress.City, "MIAMI"},
		{"member id", c.Subscriber.MemberID, "JS00111223333"},
		{"patient relationship", c.Patient.Relationship, RelationshipChild},
		{"patient birth", c.Patient.BirthDate, NewDate(1973, 5, 1)},
		{"payer", c.Payer.ID, "999996666"},
		{"diagnoses", strings.Join(c.Diagnoses, ","), "0340,V7389"},
		{"lines", len(c.Lines), 4},
		{"line 3 code", c.Lines[2].ProcedureCode, "99214"},
		{"line 3 pointers", c.Lines[2].DiagnosisPointers[0], 2},
		{"line 4 date", c.Lines[3].ServiceDate, NewDate(2006, 10, 10)},
		{"sender", ic.Sender.Name, "PREMIER BILLING SERVICE"},
		{"set", ic.Transactions[0].ControlNumber, "0021"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s: got %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	ic = read("837I/stupidedi__two-claims-for-the-same-provider.edi")
	if len(ic.Claims) != 2 || ic.Claims[0].Type != Institutional || ic.Claims[1].BillingProvider.NPI != ic.Claims[0].BillingProvider.NPI {
		t.Fatalf("837I claims: %+v", ic.Claims)
	}
	for _, c := range ic.Claims {
		if c.StatementPeriod == nil || c.Admission == nil || c.PatientStatus == "" || len(c.Lines) == 0 || c.Lines[0].RevenueCode == "" {
			t.Errorf("837I claim %s lacks institutional values: %+v", c.PatientControlNumber, c)
		}
	}
}
