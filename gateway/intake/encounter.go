package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/claimgate/claimgate/edi"
)

// Encounter is the intake document an EHR or billing system posts to /v1/encounters: one coded
// encounter that becomes one claim. Its JSON field names are the public contract (DESIGN.md,
// "Encounter JSON"): extend it, never rename. Dates are "YYYY-MM-DD"; amounts are decimal
// strings (numbers with at most two decimals are accepted too).
type Encounter struct {
	ExternalID        string           `json:"external_id"`
	ClaimType         string           `json:"claim_type"` // professional -> 837P, institutional -> 837I
	Payer             EncounterPayer   `json:"payer"`
	BillingProvider   BillingProvider  `json:"billing_provider"`
	PayToAddress      *Address         `json:"pay_to_address,omitempty"`
	RenderingProvider *Provider        `json:"rendering_provider,omitempty"`
	ReferringProvider *Provider        `json:"referring_provider,omitempty"`
	AttendingProvider *Provider        `json:"attending_provider,omitempty"` // 837I: required
	ServiceFacility   *ServiceFacility `json:"service_facility,omitempty"`
	Subscriber        Subscriber       `json:"subscriber"`
	Patient           *Patient         `json:"patient,omitempty"` // present when the relationship is not self
	Claim             EncounterClaim   `json:"claim"`
}

// Claim types.
const (
	Professional  = "professional"
	Institutional = "institutional"
)

// EncounterPayer names the payer the claim is billed to; ID must be a configured payer.
type EncounterPayer struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Address is a postal address. PostalCode is 5 or 9 digits.
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postal_code"`
}

// Contact is a person to call about the claim.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// BillingProvider is loop 2010AA: the organization (or person) billing and being paid.
type BillingProvider struct {
	NPI              string   `json:"npi"`
	TaxID            string   `json:"tax_id"`
	Taxonomy         string   `json:"taxonomy,omitempty"`
	OrganizationName string   `json:"organization_name,omitempty"`
	FirstName        string   `json:"first_name,omitempty"`
	LastName         string   `json:"last_name,omitempty"`
	Address          Address  `json:"address"`
	Contact          *Contact `json:"contact,omitempty"`
}

// Provider is a person provider: rendering, referring or attending.
type Provider struct {
	NPI       string `json:"npi"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Taxonomy  string `json:"taxonomy,omitempty"`
}

// ServiceFacility is where the service was rendered, when not the billing provider's address.
type ServiceFacility struct {
	NPI     string  `json:"npi,omitempty"`
	Name    string  `json:"name"`
	Address Address `json:"address"`
}

// Subscriber is the insured person (loop 2010BA).
type Subscriber struct {
	MemberID              string  `json:"member_id"`
	GroupNumber           string  `json:"group_number,omitempty"`
	GroupName             string  `json:"group_name,omitempty"`
	FirstName             string  `json:"first_name"`
	LastName              string  `json:"last_name"`
	MiddleName            string  `json:"middle_name,omitempty"`
	Suffix                string  `json:"suffix,omitempty"`
	BirthDate             string  `json:"birth_date"`
	Gender                string  `json:"gender"` // M | F | U
	Address               Address `json:"address"`
	RelationshipToPatient string  `json:"relationship_to_patient"`          // self | spouse | child | other
	ClaimFilingIndicator  string  `json:"claim_filing_indicator,omitempty"` // SBR09: CI, MB, MC, BL, HM, 16, ...
	PayerResponsibility   string  `json:"payer_responsibility,omitempty"`   // primary | secondary | tertiary
}

// Patient is the person treated, when not the subscriber (loop 2010CA).
type Patient struct {
	FirstName  string  `json:"first_name"`
	LastName   string  `json:"last_name"`
	MiddleName string  `json:"middle_name,omitempty"`
	Suffix     string  `json:"suffix,omitempty"`
	BirthDate  string  `json:"birth_date"`
	Gender     string  `json:"gender"`
	Address    Address `json:"address"`
}

// Relationship values.
const (
	RelSelf   = "self"
	RelSpouse = "spouse"
	RelChild  = "child"
	RelOther  = "other"
)

// Claim frequencies.
const (
	FrequencyOriginal    = "original"
	FrequencyReplacement = "replacement"
	FrequencyVoid        = "void"
)

// EncounterClaim is loop 2300 and its service lines.
type EncounterClaim struct {
	PatientControlNumber      string        `json:"patient_control_number,omitempty"` // default: the claim id
	Frequency                 string        `json:"frequency"`                        // original | replacement | void
	PayerClaimNumber          string        `json:"payer_claim_number,omitempty"`     // required for replacement and void (REF*F8)
	PlaceOfService            string        `json:"place_of_service,omitempty"`       // 837P: required
	TypeOfBill                string        `json:"type_of_bill,omitempty"`           // 837I: required, e.g. 0131
	PriorAuthorization        string        `json:"prior_authorization,omitempty"`
	ReferralNumber            string        `json:"referral_number,omitempty"`
	OnsetDate                 string        `json:"onset_date,omitempty"`
	Accident                  *Accident     `json:"accident,omitempty"`
	Diagnoses                 []string      `json:"diagnoses"` // ICD-10-CM; 837I: the first is principal
	AdmittingDiagnosis        string        `json:"admitting_diagnosis,omitempty"`
	Admission                 *Admission    `json:"admission,omitempty"`
	DischargeHour             string        `json:"discharge_hour,omitempty"`
	PatientStatus             string        `json:"patient_status,omitempty"`
	StatementPeriod           *Period       `json:"statement_period,omitempty"` // 837I: required
	Procedures                []CodedDate   `json:"procedures,omitempty"`       // 837I ICD-10-PCS
	ConditionCodes            []string      `json:"condition_codes,omitempty"`
	OccurrenceCodes           []CodedDate   `json:"occurrence_codes,omitempty"`
	ValueCodes                []ValueCode   `json:"value_codes,omitempty"`
	SignatureOnFile           *bool         `json:"signature_on_file,omitempty"`
	AssignmentOfBenefits      *bool         `json:"assignment_of_benefits,omitempty"`
	ReleaseOfInformation      string        `json:"release_of_information,omitempty"`      // Y | I
	ProviderAcceptsAssignment string        `json:"provider_accepts_assignment,omitempty"` // A | B | C
	Note                      string        `json:"note,omitempty"`
	ServiceLines              []ServiceLine `json:"service_lines"`
}

// Accident says the services relate to an accident (CLM11).
type Accident struct {
	Type  string `json:"type"` // auto | employment | other
	State string `json:"state,omitempty"`
	Date  string `json:"date,omitempty"`
}

// Admission is the inpatient admission (837I DTP*435 and CL1).
type Admission struct {
	Date   string `json:"date"`
	Hour   string `json:"hour,omitempty"`
	Type   string `json:"type"`
	Source string `json:"source"`
}

// Period is a from-to date range.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// CodedDate is a code with a date: an ICD-10-PCS procedure or an occurrence code.
type CodedDate struct {
	Code string `json:"code"`
	Date string `json:"date"`
}

// ValueCode is an 837I value code with its amount.
type ValueCode struct {
	Code   string     `json:"code"`
	Amount edi.Amount `json:"amount"`
}

// NDC is the national drug code of a drug line (LIN/CTP).
type NDC struct {
	Code     string  `json:"code"`
	Quantity Decimal `json:"quantity"`
	Unit     string  `json:"unit"` // F2 | GR | ME | ML | UN
}

// ServiceLine is one 2400 loop.
type ServiceLine struct {
	ProcedureCode     string     `json:"procedure_code,omitempty"` // CPT/HCPCS; 837I may give revenue_code alone
	RevenueCode       string     `json:"revenue_code,omitempty"`   // 837I
	Modifiers         []string   `json:"modifiers,omitempty"`      // up to 4
	Charge            edi.Amount `json:"charge"`
	Units             Decimal    `json:"units"`
	UnitType          string     `json:"unit_type,omitempty"` // UN | MJ | DA
	ServiceDate       string     `json:"service_date"`
	ServiceDateEnd    string     `json:"service_date_end,omitempty"`
	DiagnosisPointers []int      `json:"diagnosis_pointers,omitempty"` // 837P: 1..4 pointers into diagnoses
	PlaceOfService    string     `json:"place_of_service,omitempty"`
	NDC               *NDC       `json:"ndc,omitempty"`
	RenderingProvider *Provider  `json:"rendering_provider,omitempty"`
	Note              string     `json:"note,omitempty"`
}

// Decimal is a non-money decimal quantity (units, NDC quantity) kept as its canonical text.
// JSON accepts a string ("1.5") or a number (1.5); the text is checked by scrubbing.
type Decimal string

// UnmarshalJSON accepts a JSON string or number without going through float64.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = Decimal(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("must be a decimal number or string: %w", err)
	}
	*d = Decimal(n.String())
	return nil
}

// ErrEncounterJSON is wrapped by DecodeEncounter's errors.
var ErrEncounterJSON = errors.New("malformed encounter JSON")

// DecodeEncounter reads one encounter document. Unknown fields, trailing data and type
// mismatches are errors that name the field, so a sender learns which part of the document is
// wrong; the content itself is checked by scrubbing.
func DecodeEncounter(r io.Reader) (*Encounter, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var e Encounter
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrEncounterJSON, describeJSONError(err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: more than one JSON value in the body", ErrEncounterJSON)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the encounter object", ErrEncounterJSON)
	}
	return &e, nil
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(document)"
		}
		return fmt.Sprintf("field %q must be %s, not a JSON %s", field, jsonTypeName(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.EOF):
		return "the body is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON document is cut short"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field ") {
		return "unknown field " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	return strings.TrimPrefix(msg, "json: ")
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	case "int", "int64", "int32":
		return "a whole number"
	}
	return "a " + kind
}

// MarshalCanonical returns the encounter as compact JSON with a stable field order, for storage
// and for comparing a retried submission with the first one.
func (e *Encounter) MarshalCanonical() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
