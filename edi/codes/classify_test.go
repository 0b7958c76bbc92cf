package codes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClassifyCommonDenials(t *testing.T) {
	tab := Default()
	tests := []struct {
		group, carc string
		rarcs       []string
		kind        Kind
		category    Category
		queue       string
		action      Action
		decidedBy   string
	}{
		{"CO", "4", nil, KindDenial, Coding, "coding", CorrectAndResubmit, "carc:4"},
		{"CO", "11", nil, KindDenial, Coding, "coding", CorrectAndResubmit, "carc:11"},
		{"CO", "16", []string{"M76"}, KindDenial, Coding, "coding", CorrectAndResubmit, "rarc:M76"},
		{"CO", "16", []string{"N479"}, KindDenial, CoordinationOfBenefits, "billing", CorrectAndResubmit, "rarc:N479"},
		{"CO", "16", []string{"N290"}, KindDenial, MissingInformation, "billing", CorrectAndResubmit, "rarc:N290"},
		{"CO", "16", []string{"MA130", "M51"}, KindDenial, MissingInformation, "billing", CorrectAndResubmit, "rarc:MA130"},
		{"CO", "16", nil, KindDenial, MissingInformation, "billing", CorrectAndResubmit, "carc:16"},
		{"CO", "18", nil, KindDenial, Duplicate, "billing", WriteOff, "carc:18"},
		{"OA", "18", nil, KindDenial, Duplicate, "billing", WriteOff, "carc:18"},
		{"CO", "22", nil, KindDenial, CoordinationOfBenefits, "billing", CorrectAndResubmit, "carc:22"},
		{"CO", "27", nil, KindDenial, EligibilityRegistration, "front_desk", CorrectAndResubmit, "carc:27"},
		{"CO", "29", nil, KindDenial, TimelyFiling, "billing", Appeal, "carc:29"},
		{"CO", "45", nil, KindContractual, BundlingContractual, "billing", WriteOff, "carc:45"},
		{"CO", "50", nil, KindDenial, MedicalNecessity, "clinical_review", Appeal, "carc:50"},
		{"CO", "96", []string{"N115"}, KindDenial, MedicalNecessity, "clinical_review", Appeal, "rarc:N115"},
		{"CO", "97", nil, KindDenial, BundlingContractual, "coding", CorrectAndResubmit, "carc:97"},
		{"CO", "109", nil, KindDenial, EligibilityRegistration, "front_desk", CorrectAndResubmit, "carc:109"},
		{"CO", "151", nil, KindDenial, MedicalNecessity, "clinical_review", Appeal, "carc:151"},
		{"CO", "167", nil, KindDenial, MedicalNecessity, "clinical_review", Appeal, "carc:167"},
		{"CO", "197", nil, KindDenial, Authorization, "authorization", CorrectAndResubmit, "carc:197"},
		{"CO", "204", nil, KindDenial, Other, "billing", Appeal, "carc:204"},
		{"CO", "253", nil, KindContractual, BundlingContractual, "billing", WriteOff, "carc:253"},
		{"PR", "1", nil, KindPatient, PatientResponsibility, "billing", BillPatient, "group:PR"},
		{"PR", "2", nil, KindPatient, PatientResponsibility, "billing", BillPatient, "group:PR"},
		{"PR", "3", nil, KindPatient, PatientResponsibility, "billing", BillPatient, "group:PR"},
		{"PR", "204", nil, KindPatient, PatientResponsibility, "billing", BillPatient, "group:PR"},
		{"CO", "B7", nil, KindDenial, ProviderEnrollmentCredentialing, "credentialing", CorrectAndResubmit, "carc:B7"},
		{"CO", "ZZZ", nil, KindDenial, Other, "billing", Appeal, "carc:ZZZ"},
	}
	for _, tt := range tests {
		name := tt.group + "-" + tt.carc
		if len(tt.rarcs) > 0 {
			name += "+" + strings.Join(tt.rarcs, "+")
		}
		t.Run(name, func(t *testing.T) {
			d := tab.Classify(tt.group, tt.carc, tt.rarcs)
			if d.Kind != tt.kind || d.Category != tt.category || d.Queue != tt.queue || d.Action != tt.action || d.DecidedBy != tt.decidedBy {
				t.Fatalf("got kind=%s category=%s queue=%s action=%s by=%s; want %s %s %s %s %s",
					d.Kind, d.Category, d.Queue, d.Action, d.DecidedBy, tt.kind, tt.category, tt.queue, tt.action, tt.decidedBy)
			}
			if !strings.HasPrefix(d.Reason, tt.group+"-"+tt.carc+": ") || len(d.Reason) < 30 {
				t.Fatalf("reason %q does not explain the code", d.Reason)
			}
		})
	}
}

func TestClassifyClaimStatus(t *testing.T) {
	tab := Default()
	tests := []struct {
		category, status, entity string
		want                     Category
	}{
		{"A7", "33", "IL", EligibilityRegistration}, // subscriber not found-type rejection
		{"A3", "21", "", MissingInformation},
	}
	for _, tt := range tests {
		d := tab.ClassifyClaimStatus(tt.category, tt.status, tt.entity)
		if d.Kind != KindDenial || d.Queue == "" || d.Reason == "" {
			t.Errorf("%s:%s:%s -> %+v", tt.category, tt.status, tt.entity, d)
		}
		if tt.want != "" && d.Category != tt.want {
			t.Errorf("%s:%s:%s category = %s, want %s (%s)", tt.category, tt.status, tt.entity, d.Category, tt.want, d.DecidedBy)
		}
	}
}

func TestClassifySyntaxError(t *testing.T) {
	tab := Default()
	for _, tt := range []struct {
		seg, loop string
		want      Category
	}{
		{"NM1", "2010BA", EligibilityRegistration},
		{"DMG", "", EligibilityRegistration},
		{"HI", "2300", Coding},
		{"SV1", "2400", Coding},
		{"PRV", "2000A", ProviderEnrollmentCredentialing},
		{"CLM", "2300", MissingInformation},
	} {
		if d := tab.ClassifySyntaxError(tt.seg, tt.loop); d.Category != tt.want || d.Queue == "" {
			t.Errorf("%s in %s -> %s, want %s", tt.seg, tt.loop, d.Category, tt.want)
		}
	}
}

func TestOverrides(t *testing.T) {
	tab := Default()
	if err := tab.SetCategory("204", Authorization); err != nil {
		t.Fatal(err)
	}
	if d := tab.Classify("CO", "204", nil); d.Category != Authorization || d.Queue != "authorization" {
		t.Fatalf("override not applied: %+v", d)
	}
	if err := tab.SetQueue(Coding, "coders_team_b"); err != nil {
		t.Fatal(err)
	}
	if d := tab.Classify("CO", "4", nil); d.Queue != "coders_team_b" {
		t.Fatalf("queue override not applied: %+v", d)
	}
	if d := tab.Classify("CO", "97", nil); d.Queue != "coders_team_b" {
		t.Fatalf("NCCI bundling does not follow the coding queue: %+v", d)
	}
	for _, q := range tab.Queues() {
		if q == "coding" {
			t.Fatalf("Queues() still lists the old coding queue: %v", tab.Queues())
		}
	}
	if err := tab.SetRemarkHint("N290", Coding); err != nil {
		t.Fatal(err)
	}
	if d := tab.Classify("CO", "16", []string{"N290"}); d.Category != Coding {
		t.Fatalf("remark override not applied: %+v", d)
	}
	if err := tab.SetCategory("4", "nonsense"); err == nil {
		t.Fatal("an unknown category was accepted")
	}
	// Default tables are independent.
	if d := Default().Classify("CO", "204", nil); d.Category != Other {
		t.Fatalf("override leaked into a new table: %+v", d)
	}
}

func TestLoadOfficialLists(t *testing.T) {
	tab := Default()
	n, err := tab.LoadCARCList(strings.NewReader("code,description,start,stop\n45,\"Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement.\",1995-01-01,\n"))
	if err != nil || n != 1 {
		t.Fatalf("LoadCARCList = %d, %v", n, err)
	}
	c, _ := tab.CARC("45")
	if !strings.HasPrefix(c.Description, "Charge exceeds") || c.Label == "" {
		t.Fatalf("after load: %+v", c)
	}
	if _, err := tab.LoadRARCList(strings.NewReader("M76\tMissing/incomplete/invalid diagnosis or condition.\n")); err != nil {
		t.Fatal(err)
	}
	r, _ := tab.RARC("M76")
	if r.Text() != "Missing/incomplete/invalid diagnosis or condition." {
		t.Fatalf("RARC text = %q", r.Text())
	}
}

// TestReferenceCoverage checks the embedded tables against the reference lists in
// ../shared/codes: every active reference CARC and RARC is known, and our categories agree with
// the proposed categorisation for the codes it categorises.
func TestReferenceCoverage(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "codes")
	b, err := os.ReadFile(filepath.Join(dir, "carc_categories.tsv"))
	if err != nil {
		t.Skipf("reference lists not found: %v", err)
	}
	tab := Default()
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	missing, differ := 0, 0
	for _, line := range lines[1:] {
		f := strings.Split(line, "\t")
		if len(f) < 4 || f[1] != "active" {
			continue
		}
		c, ok := tab.CARC(f[0])
		if !ok {
			missing++
			t.Errorf("active CARC %s is missing from data/carc.tsv", f[0])
			continue
		}
		if string(c.Category) != f[3] {
			differ++
			t.Logf("CARC %s: our category %s, reference proposes %s", f[0], c.Category, f[3])
		}
	}
	if differ > len(lines)/10 {
		t.Errorf("%d of %d categories differ from the reference proposal: too many to be deliberate", differ, len(lines))
	}
}

func TestEmbeddedTablesWellFormed(t *testing.T) {
	tab := Default()
	for _, c := range tab.CARCs() {
		if c.Label == "" {
			t.Errorf("CARC %s has no label", c.Code)
		}
		if _, err := ParseCategory(string(c.Category)); err != nil {
			t.Errorf("CARC %s: %v", c.Code, err)
		}
	}
	for _, c := range Categories {
		if tab.Queue(c) == "" {
			t.Errorf("category %s has no queue", c)
		}
	}
}
