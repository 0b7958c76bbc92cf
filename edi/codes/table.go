package codes

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

//go:embed data/*.tsv
var data embed.FS

// CARC is a claim adjustment reason code.
type CARC struct {
	Code        string   `json:"code"`
	Label       string   `json:"label"`                 // claimgate's short wording
	Description string   `json:"description,omitempty"` // official text, when the operator loaded it
	Category    Category `json:"category"`
	Subcategory string   `json:"subcategory"`
	// NeedsRemark is true for catch-all codes whose real cause is given by a remark code
	// (16, 96, A1, 252...); ByGroup is true when the group code changes the category (45, 119...).
	NeedsRemark bool   `json:"needs_remark,omitempty"`
	ByGroup     bool   `json:"by_group,omitempty"`
	Start       string `json:"start,omitempty"` // YYYY-MM-DD
	Stop        string `json:"stop,omitempty"`  // YYYY-MM-DD; empty while active
}

// ActiveOn reports whether the code may be used on day d.
func (c CARC) ActiveOn(d time.Time) bool { return activeOn(c.Start, c.Stop, d) }

// RARC is a remittance advice remark code.
type RARC struct {
	Code        string   `json:"code"`
	Label       string   `json:"label,omitempty"`
	Description string   `json:"description,omitempty"`
	Alert       bool     `json:"alert,omitempty"` // informational: never changes the category
	Hint        Category `json:"category_hint,omitempty"`
	Start       string   `json:"start,omitempty"`
	Stop        string   `json:"stop,omitempty"`
}

// Text is the best words available for the remark: the official description when loaded,
// else our label, else a pointer to the official list.
func (r RARC) Text() string {
	switch {
	case r.Description != "":
		return r.Description
	case r.Label != "":
		return r.Label
	default:
		return "remark code " + r.Code + " (load the official remark code list for its text)"
	}
}

// ActiveOn reports whether the code may be used on day d.
func (r RARC) ActiveOn(d time.Time) bool { return activeOn(r.Start, r.Stop, d) }

func activeOn(start, stop string, d time.Time) bool {
	day := d.Format("2006-01-02")
	if start != "" && day < start {
		return false
	}
	return stop == "" || day < stop
}

// Table holds the code lists, categories and queues. Build it with Default, adjust it with the
// Set and Load methods at start-up, then share it read-only.
type Table struct {
	carc   map[string]*CARC
	rarc   map[string]*RARC
	status map[string]string // 277 status code -> hint
	queues map[Category]string
}

// Default returns a new table built from the lists embedded in the binary.
func Default() *Table {
	t := &Table{
		carc:   map[string]*CARC{},
		rarc:   map[string]*RARC{},
		status: map[string]string{},
		queues: DefaultQueues(),
	}
	mustRows("data/carc.tsv", 7, func(f []string) {
		t.carc[f[0]] = &CARC{
			Code: f[0], Category: Category(f[1]), Subcategory: f[2],
			NeedsRemark: f[3] == "Y", ByGroup: f[3] == "G", Start: f[4], Stop: f[5], Label: f[6],
		}
	})
	mustRows("data/rarc.tsv", 6, func(f []string) {
		t.rarc[f[0]] = &RARC{Code: f[0], Alert: f[1] == "Y", Hint: Category(f[2]), Start: f[3], Stop: f[4], Label: f[5]}
	})
	mustRows("data/status508.tsv", 2, func(f []string) { t.status[f[0]] = f[1] })
	return t
}

// mustRows reads an embedded TSV. The files are part of the binary and covered by tests, so a
// malformed one is a build defect, reported by panic at start-up rather than silently skipped.
func mustRows(name string, cols int, fn func([]string)) {
	b, err := data.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("codes: embedded %s: %v", name, err))
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < cols {
			panic(fmt.Sprintf("codes: embedded %s line %d has %d columns, want %d", name, n, len(f), cols))
		}
		fn(f)
	}
}

// CARC looks up a claim adjustment reason code.
func (t *Table) CARC(code string) (CARC, bool) {
	c, ok := t.carc[strings.TrimSpace(code)]
	if !ok {
		return CARC{Code: code}, false
	}
	return *c, true
}

// RARC looks up a remark code.
func (t *Table) RARC(code string) (RARC, bool) {
	r, ok := t.rarc[strings.TrimSpace(code)]
	if !ok {
		return RARC{Code: code}, false
	}
	return *r, true
}

// CARCs returns every CARC, ordered by code.
func (t *Table) CARCs() []CARC {
	out := make([]CARC, 0, len(t.carc))
	for _, c := range t.carc {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return codeLess(out[i].Code, out[j].Code) })
	return out
}

// codeLess orders numeric codes numerically, then alphanumeric codes.
func codeLess(a, b string) bool {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		return len(a) < len(b)
	}
	return a < b
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// SetCategory overrides the category of a CARC (operator configuration).
func (t *Table) SetCategory(carc string, c Category) error {
	if _, err := ParseCategory(string(c)); err != nil {
		return err
	}
	x, ok := t.carc[carc]
	if !ok {
		x = &CARC{Code: carc, Label: "Adjustment reason " + carc}
		t.carc[carc] = x
	}
	x.Category = c
	x.NeedsRemark = false
	return nil
}

// SetRemarkHint overrides which category a remark code gives a catch-all CARC.
func (t *Table) SetRemarkHint(rarc string, c Category) error {
	if _, err := ParseCategory(string(c)); err != nil {
		return err
	}
	x, ok := t.rarc[rarc]
	if !ok {
		x = &RARC{Code: rarc}
		t.rarc[rarc] = x
	}
	x.Hint = c
	x.Alert = false
	return nil
}

// SetQueue routes a category to a queue.
func (t *Table) SetQueue(c Category, queue string) error {
	if _, err := ParseCategory(string(c)); err != nil {
		return err
	}
	if queue == "" {
		return fmt.Errorf("queue for %s: empty name", c)
	}
	t.queues[c] = queue
	return nil
}

// Queue is the work queue of a category.
func (t *Table) Queue(c Category) string {
	if q, ok := t.queues[c]; ok {
		return q
	}
	return t.queues[Other]
}

// Queues lists the distinct queue names, sorted.
func (t *Table) Queues() []string {
	seen := map[string]bool{}
	for _, q := range t.queues {
		seen[q] = true
	}
	out := make([]string, 0, len(seen))
	for q := range seen {
		out = append(out, q)
	}
	sort.Strings(out)
	return out
}

// LoadCARCList loads official CARC descriptions from CSV or TSV rows of
// code, description[, start date[, stop date]] (a header row is skipped). It returns how many
// codes it read. Codes the table did not know are added, categorised "other" until configured.
func (t *Table) LoadCARCList(r io.Reader) (int, error) {
	return loadList(r, func(code, desc, start, stop string) {
		c, ok := t.carc[code]
		if !ok {
			c = &CARC{Code: code, Category: Other, Subcategory: "unlisted", Label: "Adjustment reason " + code}
			t.carc[code] = c
		}
		c.Description = desc
		if start != "" {
			c.Start = start
		}
		if stop != "" {
			c.Stop = stop
		}
	})
}

// LoadRARCList loads official remark code descriptions, in the same format as LoadCARCList.
// A description starting with "Alert:" marks the remark informational.
func (t *Table) LoadRARCList(r io.Reader) (int, error) {
	return loadList(r, func(code, desc, start, stop string) {
		x, ok := t.rarc[code]
		if !ok {
			x = &RARC{Code: code}
			t.rarc[code] = x
		}
		x.Description = desc
		if strings.HasPrefix(desc, "Alert:") {
			x.Alert = true
		}
		if start != "" {
			x.Start = start
		}
		if stop != "" {
			x.Stop = stop
		}
	})
}

func loadList(r io.Reader, set func(code, desc, start, stop string)) (int, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(4096)
	comma := ','
	if i := bytes.IndexByte(head, '\n'); i >= 0 && bytes.Count(head[:i], []byte{'\t'}) > 0 {
		comma = '\t'
	} else if i < 0 && bytes.IndexByte(head, '\t') >= 0 {
		comma = '\t'
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	n := 0
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, fmt.Errorf("code list line %d: %w", line, err)
		}
		if len(rec) < 2 {
			return n, fmt.Errorf("code list line %d: want code and description, got %d field(s)", line, len(rec))
		}
		code := strings.TrimSpace(rec[0])
		if code == "" || strings.EqualFold(code, "code") {
			continue
		}
		var start, stop string
		if len(rec) > 2 {
			start = normDate(rec[2])
		}
		if len(rec) > 3 {
			stop = normDate(rec[3])
		}
		set(code, strings.TrimSpace(rec[1]), start, stop)
		n++
	}
	return n, nil
}

// normDate accepts YYYY-MM-DD, MM/DD/YYYY and YYYYMMDD.
func normDate(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "01/02/2006", "1/2/2006", "20060102"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d.Format("2006-01-02")
		}
	}
	return ""
}
