package x837

import (
	"time"

	"github.com/claimgate/claimgate/edi"
)

// ClaimType says which 837 a claim is rendered as.
type ClaimType string

// Claim types. The values are the encounter JSON's claim_type words.
const (
	// Professional claims are rendered as 837P (005010X222A1).
	Professional ClaimType = "professional"
	// Institutional claims are rendered as 837I (005010X223A2).
	Institutional ClaimType = "institutional"
)

// TransactionType returns the transaction set name of the claim type as claimgate's JSON
// output uses it: "837P" or "837I" ("" for an unknown type).
func (t ClaimType) TransactionType() string {
	switch t {
	case Professional:
		return "837P"
	case Institutional:
		return "837I"
	}
	return ""
}

// Implementation guide versions (GS08 and ST03).
const (
	VersionProfessional  = "005010X222A1"
	VersionInstitutional = "005010X223A2"
)

// Claim frequency codes (CLM05-3).
const (
	FrequencyOriginal    = "1"
	FrequencyReplacement = "7"
	FrequencyVoid        = "8"
)

// Patient relationship to the subscriber (PAT01; SBR02 is 18 when the subscriber is the patient).
const (
	RelationshipSelf   = "18"
	RelationshipSpouse = "01"
	RelationshipChild  = "19"
	RelationshipOther  = "G8"
)

// Payer responsibility sequence codes (SBR01).
const (
	ResponsibilityPrimary   = "P"
	ResponsibilitySecondary = "S"
	ResponsibilityTertiary  = "T"
)

// Related-causes codes (CLM11-1).
const (
	AccidentAuto       = "AA"
	AccidentEmployment = "EM"
	AccidentOther      = "OA"
)

// Interchange is one 837 interchange: the envelope, the submitter and receiver, and the claims it
// carries. Render writes it; Reader returns it.
//
// Render writes one ISA/IEA. Professional claims go into one GS/ST (005010X222A1) and
// institutional claims into another GS/ST (005010X223A2), in that order; Layout tells which
// control numbers each claim gets.
type Interchange struct {
	Sender   Sender   `json:"sender"`
	Receiver Receiver `json:"receiver"`
	// Usage is ISA15: "T" (test) or "P" (production). Empty renders as T.
	Usage string `json:"usage"`
	// ControlNumbers are the ISA13, first GS06 and first ST02 of the interchange.
	ControlNumbers ControlNumbers `json:"control_numbers"`
	// Time is when the interchange was created (ISA09/10, GS04/05, BHT04/05), written in UTC.
	Time time.Time `json:"time"`
	// ReferenceID is BHT03, the originator's reference for the batch. Empty renders the ISA13
	// control number.
	ReferenceID string `json:"reference_id,omitempty"`
	// Claims are the claims, professional and institutional mixed.
	Claims []Claim `json:"claims"`

	// Transactions describes the transaction sets a Reader found (Render ignores it). Each
	// names the range of Claims it holds.
	Transactions []TransactionSet `json:"transactions,omitempty"`
}

// ControlNumbers are the envelope control numbers of an interchange. A second functional group
// (institutional after professional) uses GS+1, and each transaction set ST, ST+1.
type ControlNumbers struct {
	ISA int64 `json:"isa"` // ISA13, 1..999999999
	GS  int64 `json:"gs"`  // GS06 of the first group
	ST  int64 `json:"st"`  // ST02 of the first transaction set
}

// Sender is the submitter: the ISA/GS sender and loop 1000A.
type Sender struct {
	ISAQualifier string `json:"isa_qualifier"` // ISA05, e.g. ZZ
	ISAID        string `json:"isa_id"`        // ISA06, up to 15 characters
	GSID         string `json:"gs_id"`         // GS02
	Name         string `json:"name"`          // 1000A NM103
	// ID is the submitter id (1000A NM109, qualifier 46). Empty renders ISAID.
	ID      string  `json:"id,omitempty"`
	Contact Contact `json:"contact"` // 1000A PER (required by both guides)
}

// Receiver is the payer or clearinghouse receiving the file: the ISA/GS receiver and loop 1000B.
type Receiver struct {
	ISAQualifier string `json:"isa_qualifier"` // ISA07
	ISAID        string `json:"isa_id"`        // ISA08
	GSID         string `json:"gs_id"`         // GS03
	Name         string `json:"name"`          // 1000B NM103
	// ID is the receiver id (1000B NM109, qualifier 46). Empty renders ISAID.
	ID string `json:"id,omitempty"`
}

// TransactionSet describes one ST/SE a Reader read.
type TransactionSet struct {
	Type          ClaimType `json:"type"`           // from ST03/GS08
	ControlNumber string    `json:"control_number"` // ST02
	Version       string    `json:"version"`        // ST03 (or GS08 when ST03 is absent)
	GroupControl  string    `json:"group_control_number"`
	ReferenceID   string    `json:"reference_id"` // BHT03
	Purpose       string    `json:"purpose"`      // BHT02: 00 original, 18 reissue
	// FirstClaim is the index in Interchange.Claims of the set's first claim; ClaimCount how
	// many claims follow.
	FirstClaim int `json:"first_claim"`
	ClaimCount int `json:"claim_count"`
}

// Contact is a contact person and their numbers (PER).
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"` // digits only, e.g. 6125550100
	Email string `json:"email,omitempty"`
}

// Address is a postal address (N3/N4).
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	State      string `json:"state"`       // two-letter code
	PostalCode string `json:"postal_code"` // 5 or 9 digits
}

// IsZero reports whether no part of the address is set.
func (a Address) IsZero() bool { return a == Address{} }

// BillingProvider is loop 2000A/2010AA (and 2010AB for the pay-to address). Claims with equal
// billing providers share one 2000A loop in a transaction set.
type BillingProvider struct {
	NPI string `json:"npi"` // NM109 qualifier XX
	// TaxID is the employer identification number (REF*EI), 9 digits.
	TaxID string `json:"tax_id"`
	// Taxonomy is the provider taxonomy code (PRV*BI*PXC), optional.
	Taxonomy string `json:"taxonomy,omitempty"`
	// OrganizationName is set for an organization; otherwise FirstName/LastName name a person.
	OrganizationName string   `json:"organization_name,omitempty"`
	FirstName        string   `json:"first_name,omitempty"`
	LastName         string   `json:"last_name,omitempty"`
	MiddleName       string   `json:"middle_name,omitempty"`
	Address          Address  `json:"address"`
	Contact          *Contact `json:"contact,omitempty"` // 2010AA PER
	// PayToAddress is loop 2010AB, when payments go elsewhere than Address.
	PayToAddress *Address `json:"pay_to_address,omitempty"`
}

// Provider is a rendering, referring or attending provider (2310x/2420x loops).
type Provider struct {
	NPI string `json:"npi,omitempty"`
	// OrganizationName is set for an organization (rendering only); otherwise the person's name.
	OrganizationName string `json:"organization_name,omitempty"`
	FirstName        string `json:"first_name,omitempty"`
	LastName         string `json:"last_name,omitempty"`
	MiddleName       string `json:"middle_name,omitempty"`
	// Taxonomy is the provider taxonomy (PRV*PE for rendering, PRV*AT for attending).
	Taxonomy string `json:"taxonomy,omitempty"`
}

// ServiceFacility is loop 2310C (837P) / 2310E (837I): where the services were rendered.
type ServiceFacility struct {
	NPI     string  `json:"npi,omitempty"`
	Name    string  `json:"name"`
	Address Address `json:"address"`
}

// Payer is loop 2010BB.
type Payer struct {
	ID string `json:"id"` // NM109 qualifier PI
	// Name is NM103. Empty renders the interchange receiver's name.
	Name string `json:"name,omitempty"`
}

// Subscriber is loop 2000B/2010BA: the insured.
type Subscriber struct {
	MemberID    string `json:"member_id"`              // NM109 qualifier MI
	GroupNumber string `json:"group_number,omitempty"` // SBR03
	GroupName   string `json:"group_name,omitempty"`   // SBR04
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name"`
	MiddleName  string `json:"middle_name,omitempty"`
	Suffix      string `json:"suffix,omitempty"`
	// BirthDate and Gender (DMG) are written when the subscriber is the patient.
	BirthDate Date     `json:"birth_date"`
	Gender    string   `json:"gender"` // M, F or U
	Address   *Address `json:"address,omitempty"`
	// ClaimFilingIndicator is SBR09 (CI, MB, MC, BL, HM, 16, ...). Empty renders CI.
	ClaimFilingIndicator string `json:"claim_filing_indicator,omitempty"`
	// PayerResponsibility is SBR01: P, S, T (ResponsibilityPrimary...). Empty renders P.
	PayerResponsibility string `json:"payer_responsibility,omitempty"`
}

// Patient is loop 2000C/2010CA, present only when the patient is not the subscriber.
type Patient struct {
	// Relationship is PAT01, the patient's relationship to the subscriber: 01 spouse, 19 child,
	// G8 other (RelationshipSpouse...).
	Relationship string   `json:"relationship"`
	FirstName    string   `json:"first_name,omitempty"`
	LastName     string   `json:"last_name"`
	MiddleName   string   `json:"middle_name,omitempty"`
	Suffix       string   `json:"suffix,omitempty"`
	BirthDate    Date     `json:"birth_date"`
	Gender       string   `json:"gender"`
	Address      *Address `json:"address,omitempty"`
}

// Accident is CLM11 (related causes) with DTP*439 on a professional claim. On an
// institutional claim (which has no CLM11) only an auto accident's state is carried, as REF*LU.
type Accident struct {
	// Type is CLM11-1: AA auto, EM employment, OA other (AccidentAuto...).
	Type string `json:"type"`
	// State is CLM11-4, the state of an auto accident.
	State string `json:"state,omitempty"`
	// Date is the accident date (DTP*439), for 837P auto (AA) and other (OA) accidents, where it
	// is required; OnsetDate is sent when it is zero. The TR3 sends no DTP*439 for an
	// employment-related injury (EM), so Date is not written then (give it as OnsetDate), nor on
	// institutional claims (use occurrence codes 01-05).
	Date Date `json:"date,omitzero"`
}

// Admission is the 837I admission (DTP*435, CL101 type, CL102 source).
type Admission struct {
	Date Date `json:"date"`
	// Hour is the admission time, HHMM (written in DTP*435 as DT CCYYMMDDHHMM); empty writes D8.
	Hour   string `json:"hour,omitempty"`
	Type   string `json:"type,omitempty"`   // CL101 priority (type) of admission
	Source string `json:"source,omitempty"` // CL102 point of origin
}

// Period is a date range (RD8).
type Period struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// Procedure is an ICD-10-PCS procedure (837I HI BBR principal, BBQ other).
type Procedure struct {
	Code string `json:"code"`
	Date Date   `json:"date"`
}

// Occurrence is an occurrence code with its date (837I HI BH).
type Occurrence struct {
	Code string `json:"code"`
	Date Date   `json:"date"`
}

// ValueCode is a value code with its amount (837I HI BE).
type ValueCode struct {
	Code   string     `json:"code"`
	Amount edi.Amount `json:"amount"`
}

// NDC is a national drug code for a service line (LIN*N4 + CTP, loop 2410).
type NDC struct {
	Code     string `json:"code"`     // 11 digits, 5-4-2, no dashes
	Quantity string `json:"quantity"` // CTP04, decimal
	Unit     string `json:"unit"`     // CTP05-1: F2, GR, ME, ML, UN
}

// Claim is one claim: everything loops 2000B through 2400 carry, with the billing provider.
type Claim struct {
	Type ClaimType `json:"type"`

	BillingProvider BillingProvider `json:"billing_provider"`
	Subscriber      Subscriber      `json:"subscriber"`
	// Patient is set only when the patient is not the subscriber (then 2000C/2010CA is written
	// and SBR02 is empty; otherwise SBR02 is 18).
	Patient *Patient `json:"patient,omitempty"`
	Payer   Payer    `json:"payer"`

	// PatientControlNumber is CLM01, at most 20 (claimgate: 17) characters.
	PatientControlNumber string     `json:"patient_control_number"`
	TotalCharge          edi.Amount `json:"total_charge"` // CLM02
	// Frequency is CLM05-3: 1 original, 7 replacement, 8 void (FrequencyOriginal...).
	Frequency string `json:"frequency"`
	// PlaceOfService is CLM05-1 of a professional claim (two digits, e.g. 11).
	PlaceOfService string `json:"place_of_service,omitempty"`
	// FacilityType is CLM05-1 of an institutional claim: the type of bill without its leading
	// zero and frequency digit (facility type + classification, e.g. 13 for type of bill 0131).
	FacilityType string `json:"facility_type,omitempty"`

	// ProviderSignatureOnFile is CLM06 (837P): Y when true, N otherwise.
	ProviderSignatureOnFile bool `json:"signature_on_file"`
	// AcceptAssignment is CLM07: A assigned, B lab services only (837P), C not assigned.
	// Empty renders A.
	AcceptAssignment string `json:"provider_accepts_assignment,omitempty"`
	// BenefitsAssignment is CLM08: Y, N, or W (not applicable). Empty renders Y.
	BenefitsAssignment string `json:"assignment_of_benefits,omitempty"`
	// ReleaseOfInformation is CLM09: I (informed consent) or Y. Empty renders Y.
	ReleaseOfInformation string `json:"release_of_information,omitempty"`
	// Accident is CLM11 with DTP*439.
	Accident *Accident `json:"accident,omitempty"`

	OnsetDate Date `json:"onset_date,omitzero"` // 837P DTP*431
	// PayerClaimNumber is the payer's claim control number (REF*F8), required for a replacement
	// or void; it is not sent on an original claim (frequency 1), as the TR3s direct.
	PayerClaimNumber   string `json:"payer_claim_number,omitempty"`
	PriorAuthorization string `json:"prior_authorization,omitempty"` // REF*G1
	ReferralNumber     string `json:"referral_number,omitempty"`     // REF*9F
	Note               string `json:"note,omitempty"`                // NTE*ADD

	// Diagnoses are ICD-10-CM codes without dots: 837P 1..12 (ABK then ABF); 837I the first is
	// the principal diagnosis (ABK), the others ABF (up to 24).
	Diagnoses []string `json:"diagnoses"`
	// AdmittingDiagnosis is 837I HI ABJ.
	AdmittingDiagnosis string `json:"admitting_diagnosis,omitempty"`
	// Admission is 837I DTP*435 and CL101/CL102.
	Admission *Admission `json:"admission,omitempty"`
	// DischargeHour is 837I DTP*096 (HHMM).
	DischargeHour string `json:"discharge_hour,omitempty"`
	// PatientStatus is 837I CL103 (discharge status), e.g. 01.
	PatientStatus string `json:"patient_status,omitempty"`
	// StatementPeriod is 837I DTP*434 (required there).
	StatementPeriod *Period `json:"statement_period,omitempty"`
	// Procedures are 837I ICD-10-PCS procedures: the first is principal (BBR), others BBQ.
	Procedures []Procedure `json:"procedures,omitempty"`
	// ConditionCodes are 837I HI BG codes.
	ConditionCodes []string `json:"condition_codes,omitempty"`
	// OccurrenceCodes are 837I HI BH codes with dates.
	OccurrenceCodes []Occurrence `json:"occurrence_codes,omitempty"`
	// ValueCodes are 837I HI BE codes with amounts.
	ValueCodes []ValueCode `json:"value_codes,omitempty"`

	// ReferringProvider is 837P 2310A / 837I 2310F (NM1*DN, a person; Taxonomy is not sent).
	ReferringProvider *Provider `json:"referring_provider,omitempty"`
	// RenderingProvider is 837P 2310B (NM1*82 + PRV*PE) or 837I 2310D (NM1*82, a person; the
	// 837I has no PRV there, so Taxonomy is not sent).
	RenderingProvider *Provider `json:"rendering_provider,omitempty"`
	// AttendingProvider is 837I 2310A (NM1*71 + PRV*AT), required on institutional claims.
	AttendingProvider *Provider `json:"attending_provider,omitempty"`
	// ServiceFacility is 837P 2310C / 837I 2310E (NM1*77).
	ServiceFacility *ServiceFacility `json:"service_facility,omitempty"`

	// Lines are the service lines: 837P 1..50, 837I 1..999.
	Lines []ServiceLine `json:"service_lines"`
}

// ServiceLine is loop 2400 (with 2410 NDC and 2420A rendering provider).
type ServiceLine struct {
	// ControlNumber is the line item control number (REF*6R), echoed in 835 REF*6R. Required.
	ControlNumber string `json:"line_control_number"`
	// ProcedureCode is the CPT/HCPCS code (SV101-2 / SV202-2); 837I may give RevenueCode alone.
	ProcedureCode string `json:"procedure_code,omitempty"`
	// ProcedureQualifier is SV101-1 / SV202-1; empty renders HC.
	ProcedureQualifier string   `json:"procedure_qualifier,omitempty"`
	Modifiers          []string `json:"modifiers,omitempty"` // up to 4
	// RevenueCode is SV201 (837I, required there).
	RevenueCode string     `json:"revenue_code,omitempty"`
	Charge      edi.Amount `json:"charge"`
	// Units is the quantity (SV104 / SV205), a decimal string such as "1" or "2.5".
	Units string `json:"units"`
	// UnitType is SV103 / SV204: UN units, MJ minutes (837P), DA days (837I). Empty renders UN.
	UnitType       string `json:"unit_type,omitempty"`
	ServiceDate    Date   `json:"service_date"`
	ServiceDateEnd Date   `json:"service_date_end,omitzero"` // written as RD8 when set and different
	// DiagnosisPointers are 837P SV107: 1-based positions in Claim.Diagnoses, 1..4 of them.
	// Empty renders 1 (the principal diagnosis).
	DiagnosisPointers []int `json:"diagnosis_pointers,omitempty"`
	// PlaceOfService is 837P SV105, when it differs from the claim's.
	PlaceOfService    string    `json:"place_of_service,omitempty"`
	NDC               *NDC      `json:"ndc,omitempty"`
	RenderingProvider *Provider `json:"rendering_provider,omitempty"` // 837P 2420A (+PRV*PE), 837I 2420C
	Note              string    `json:"note,omitempty"`               // NTE*ADD (837P) / NTE*TPO (837I)
}
