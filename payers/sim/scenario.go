package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/claimgate/claimgate/edi"
)

// Scenario is how the simulated payer answers: who it is, which claims its front end rejects
// (277CA), and how it adjudicates the rest (835). The YAML form is documented in the package
// documentation; DefaultScenario is used when no scenario is given.
type Scenario struct {
	Payer PayerInfo `yaml:"payer"`
	// Rejections are 277CA rules: the first rule a claim matches rejects it with that status.
	Rejections []Rejection `yaml:"rejections"`
	// Adjudication is how accepted claims are paid.
	Adjudication Adjudication `yaml:"adjudication"`
	// ClaimDenials deny a whole claim (CLP02 4, claim-level CAS for the whole charge, no lines).
	ClaimDenials []Denial `yaml:"claim_denials"`
	// LineDenials deny a service line (SVC03 0, line CAS for the line's charge, RARCs as LQ*HE).
	LineDenials []Denial `yaml:"line_denials"`
	// ProviderAdjustments are PLB items added to every 835 (as long as the payment stays
	// positive).
	ProviderAdjustments []ProviderAdjustment `yaml:"provider_adjustments"`
	// Reversals says when the payer takes a payment back (CLP02 22) and pays again.
	Reversals Reversals `yaml:"reversals"`
}

// PayerInfo identifies the simulated payer in its answers.
type PayerInfo struct {
	// Name is N1*PR of the 835 and NM1*PR of the 277CA.
	Name string `yaml:"name"`
	// ID is the payer identifier (835 N1*PR XV, 277CA NM1*PR PI). Default: the 837's receiver.
	ID string `yaml:"id"`
	// TaxID is the payer's nine-digit TIN; TRN03 is "1" followed by it.
	TaxID string `yaml:"tax_id"`
	// ClaimNumberPrefix starts every payer claim control number (REF*1K, CLP07).
	ClaimNumberPrefix string `yaml:"claim_number_prefix"`
	// TracePrefix starts every check/EFT trace number (TRN02).
	TracePrefix string `yaml:"trace_prefix"`
	Address     struct {
		Line1      string `yaml:"line1"`
		City       string `yaml:"city"`
		State      string `yaml:"state"`
		PostalCode string `yaml:"postal_code"`
	} `yaml:"address"`
	// Phone is the technical contact number (835 PER*BL), digits only.
	Phone string `yaml:"phone"`
}

// Match selects claims or lines. Every field given must match; an empty Match matches
// everything. Codes are compared without dots and case-insensitively.
type Match struct {
	// MemberIDPrefix matches the subscriber's member id (2010BA NM109).
	MemberIDPrefix string `yaml:"member_id_prefix"`
	// PatientControlNumberPrefix matches CLM01.
	PatientControlNumberPrefix string `yaml:"patient_control_number_prefix"`
	// Procedure matches a line's procedure code (a claim when any line has it).
	Procedure string `yaml:"procedure"`
	// Diagnosis matches any of the claim's diagnoses.
	Diagnosis string `yaml:"diagnosis"`
	// Modifier matches any of a line's modifiers (a claim when any line has it).
	Modifier string `yaml:"modifier"`
	// Frequency matches CLM05-3 (1, 7, 8).
	Frequency string `yaml:"frequency"`
	// ClaimType matches professional or institutional.
	ClaimType string `yaml:"claim_type"`
}

// Rejection is a 277CA rule: claims matching it are rejected with the status (category A3,
// A6, A7 or A8, a claim status code and the entity the status is about).
type Rejection struct {
	Match    `yaml:",inline"`
	Category string `yaml:"category"`
	Code     string `yaml:"code"`
	Entity   string `yaml:"entity"`
}

// Denial denies a claim or a line with a claim adjustment group (CO, PI, OA, PR), a reason
// code (CARC) and optional remark codes (RARC).
type Denial struct {
	Match   `yaml:",inline"`
	Group   string   `yaml:"group"`
	Reason  string   `yaml:"reason"`
	Remarks []string `yaml:"remarks"`
}

// Adjudication are the payment rules for lines that are not denied.
type Adjudication struct {
	// AllowedPercent is the allowed amount as a share of the charge, in percent (0-100, up to
	// two decimals); the rest is written off as CO-45.
	AllowedPercent string `yaml:"allowed_percent"`
	// Deductible (PR-1) is taken from the allowed amounts of a claim's lines, in order, up to
	// this amount per claim.
	Deductible edi.Amount `yaml:"deductible"`
	// Copay (PR-3) is taken once per claim from the first paid line's remaining allowed amount.
	Copay edi.Amount `yaml:"copay"`
	// CoinsurancePercent (PR-2) is the patient's share, in percent, of what is left of each
	// line's allowed amount after deductible and copay.
	CoinsurancePercent string `yaml:"coinsurance_percent"`
}

// ProviderAdjustment is one PLB item: a reason (WO overpayment recovery, L6 interest, ...), an
// optional reference, and an amount (positive reduces the payment, negative increases it).
type ProviderAdjustment struct {
	Reason    string     `yaml:"reason"`
	Reference string     `yaml:"reference"`
	Amount    edi.Amount `yaml:"amount"`
}

// Reversals says when a previous payment is reversed.
type Reversals struct {
	// Replacements, when true, answers a replacement claim (frequency 7) whose REF*F8 names a
	// claim this simulator paid with a reversal of that payment (CLP02 22, every amount
	// negated) followed by the corrected payment (CLP02 1), and a void (frequency 8) with the
	// reversal alone.
	Replacements bool `yaml:"replacements"`
}

// percent is a share in hundredths of a percent (7250 is 72.5%).
type percent int64

var percentRE = regexp.MustCompile(`^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$`)

func parsePercent(field, s string) (percent, error) {
	s = strings.TrimSpace(s)
	if !percentRE.MatchString(s) {
		return 0, fmt.Errorf("%s: %q must be a percentage from 0 to 100 with at most two decimals", field, s)
	}
	a, err := edi.ParseAmount(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	return percent(a), nil
}

// of returns p percent of a, rounded half up to the cent.
func (p percent) of(a edi.Amount) edi.Amount {
	n := int64(a) * int64(p)
	if n >= 0 {
		return edi.Amount((n + 5000) / 10000)
	}
	return -edi.Amount((-n + 5000) / 10000)
}

// DefaultScenario is the scenario used when none is given: 72% allowed, a 20% coinsurance,
// a few denials that show each denial queue, members whose id starts with BAD rejected as not
// found, and replacements answered with a reversal and a new payment.
func DefaultScenario() *Scenario {
	s, err := ParseScenario(strings.NewReader(defaultScenarioYAML))
	if err != nil {
		panic("sim: the built-in scenario is invalid: " + err.Error())
	}
	return s
}

// defaultScenarioYAML is the built-in scenario, in the scenario file's own form.
const defaultScenarioYAML = `
payer:
  name: SIMULATED HEALTH PLAN
  tax_id: "512345678"
  claim_number_prefix: SIM
  trace_prefix: SIMEFT
  address: {line1: 1 SIMULATION WAY, city: MINNEAPOLIS, state: MN, postal_code: "55401"}
  phone: "8005550199"
rejections:
  - member_id_prefix: BAD
    category: A7
    code: "33"
    entity: IL
adjudication:
  allowed_percent: "72"
  deductible: "0"
  copay: "0"
  coinsurance_percent: "20"
claim_denials:
  - member_id_prefix: NOCOV
    group: CO
    reason: "27"
    remarks: [N30]
line_denials:
  - procedure: "97530"
    group: CO
    reason: "197"
    remarks: [N54]
  - procedure: "99215"
    diagnosis: Z0000
    group: CO
    reason: "11"
  - modifier: "59"
    group: CO
    reason: "97"
    remarks: [M15]
  - procedure: "99499"
    group: CO
    reason: "4"
    remarks: [M51]
reversals:
  replacements: true
`

// LoadScenario reads a scenario file (see ParseScenario).
func LoadScenario(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sim: scenario: %w", err)
	}
	defer f.Close()
	s, err := ParseScenario(f)
	if err != nil {
		return nil, fmt.Errorf("sim: scenario %s: %w", path, err)
	}
	return s, nil
}

// ParseScenario reads a scenario in YAML. Unknown fields are errors, so a typo does not
// silently change the payer's behaviour. Fields left out take the built-in defaults of the
// payer block (name, prefixes) and of the adjudication block (100% allowed, no patient
// responsibility).
func ParseScenario(r io.Reader) (*Scenario, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if err := s.normalize(); err != nil {
		return nil, err
	}
	return &s, nil
}

var (
	carcRE   = regexp.MustCompile(`^[A-Z0-9]{1,5}$`)
	rarcRE   = regexp.MustCompile(`^[A-Z]{1,2}\d{1,4}$`)
	statusRE = regexp.MustCompile(`^\d{1,5}$`)
	digitsRE = regexp.MustCompile(`^\d+$`)
)

// normalize fills defaults and checks the scenario.
func (s *Scenario) normalize() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	p := &s.Payer
	if p.Name == "" {
		p.Name = "SIMULATED HEALTH PLAN"
	}
	if p.ClaimNumberPrefix == "" {
		p.ClaimNumberPrefix = "SIM"
	}
	if p.TracePrefix == "" {
		p.TracePrefix = "SIMEFT"
	}
	if p.TaxID == "" {
		p.TaxID = "512345678"
	}
	if len(p.TaxID) != 9 || !digitsRE.MatchString(p.TaxID) {
		bad("payer.tax_id %q must be nine digits", p.TaxID)
	}
	if len(p.ClaimNumberPrefix) > 10 || len(p.TracePrefix) > 20 {
		bad("payer.claim_number_prefix (at most 10) or payer.trace_prefix (at most 20) is too long")
	}
	for _, v := range []string{p.Name, p.ID, p.ClaimNumberPrefix, p.TracePrefix, p.Address.Line1, p.Address.City, p.Address.State, p.Address.PostalCode, p.Phone} {
		if strings.ContainsAny(v, "*:^~\r\n") {
			bad("payer: %q holds an X12 separator", v)
		}
	}
	for i := range s.Rejections {
		r := &s.Rejections[i]
		r.Match.normalize()
		r.Category = strings.ToUpper(r.Category)
		switch r.Category {
		case "A3", "A4", "A6", "A7", "A8":
		default:
			bad("rejections[%d].category %q must be A3, A4, A6, A7 or A8 (a rejection)", i, r.Category)
		}
		if !statusRE.MatchString(r.Code) {
			bad("rejections[%d].code %q must be a claim status code (digits)", i, r.Code)
		}
		if r.Entity != "" && !carcRE.MatchString(strings.ToUpper(r.Entity)) {
			bad("rejections[%d].entity %q is not an entity identifier code", i, r.Entity)
		}
		r.Entity = strings.ToUpper(r.Entity)
	}
	check := func(list string, ds []Denial) {
		for i := range ds {
			d := &ds[i]
			d.Match.normalize()
			d.Group = strings.ToUpper(d.Group)
			switch d.Group {
			case "CO", "OA", "PI", "PR":
			default:
				bad("%s[%d].group %q must be CO, OA, PI or PR", list, i, d.Group)
			}
			d.Reason = strings.ToUpper(d.Reason)
			if !carcRE.MatchString(d.Reason) {
				bad("%s[%d].reason %q is not a claim adjustment reason code", list, i, d.Reason)
			}
			for j, r := range d.Remarks {
				d.Remarks[j] = strings.ToUpper(r)
				if !rarcRE.MatchString(d.Remarks[j]) {
					bad("%s[%d].remarks[%d] %q is not a remittance advice remark code", list, i, j, r)
				}
			}
		}
	}
	check("claim_denials", s.ClaimDenials)
	check("line_denials", s.LineDenials)
	a := &s.Adjudication
	if a.AllowedPercent == "" {
		a.AllowedPercent = "100"
	}
	if a.CoinsurancePercent == "" {
		a.CoinsurancePercent = "0"
	}
	if _, err := parsePercent("adjudication.allowed_percent", a.AllowedPercent); err != nil {
		errs = append(errs, err)
	}
	if _, err := parsePercent("adjudication.coinsurance_percent", a.CoinsurancePercent); err != nil {
		errs = append(errs, err)
	}
	if a.Deductible < 0 || a.Copay < 0 {
		bad("adjudication.deductible and adjudication.copay must not be negative")
	}
	if len(s.ProviderAdjustments) > 6 {
		bad("provider_adjustments: at most 6 (one PLB segment)")
	}
	for i, pa := range s.ProviderAdjustments {
		if pa.Reason == "" || !carcRE.MatchString(strings.ToUpper(pa.Reason)) {
			bad("provider_adjustments[%d].reason %q is not an adjustment reason code", i, pa.Reason)
		}
		if strings.ContainsAny(pa.Reference, "*:^~\r\n") {
			bad("provider_adjustments[%d].reference holds an X12 separator", i)
		}
		if pa.Amount == 0 {
			bad("provider_adjustments[%d].amount must not be zero", i)
		}
		s.ProviderAdjustments[i].Reason = strings.ToUpper(pa.Reason)
	}
	return errors.Join(errs...)
}

func (m *Match) normalize() {
	up := func(s string) string { return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), ".", "")) }
	m.MemberIDPrefix = strings.ToUpper(strings.TrimSpace(m.MemberIDPrefix))
	m.PatientControlNumberPrefix = strings.ToUpper(strings.TrimSpace(m.PatientControlNumberPrefix))
	m.Procedure = up(m.Procedure)
	m.Diagnosis = up(m.Diagnosis)
	m.Modifier = up(m.Modifier)
	m.Frequency = strings.TrimSpace(m.Frequency)
	m.ClaimType = strings.ToLower(strings.TrimSpace(m.ClaimType))
}

func (s *Scenario) allowed() percent {
	p, _ := parsePercent("", s.Adjudication.AllowedPercent)
	return p
}

func (s *Scenario) coinsurance() percent {
	p, _ := parsePercent("", s.Adjudication.CoinsurancePercent)
	return p
}
