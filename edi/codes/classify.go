package codes

import (
	"fmt"
	"strings"
)

// Kind says what an adjustment is to the people who work it.
type Kind string

// Adjustment kinds.
const (
	// KindDenial is money the provider loses unless someone fixes or appeals it: a work item.
	KindDenial Kind = "denial"
	// KindContractual is an expected write-off under the contract or a regulation.
	KindContractual Kind = "contractual"
	// KindPatient is the patient's share: bill the patient.
	KindPatient Kind = "patient_responsibility"
	// KindInformational changes nothing to be worked (prior payer impact, interest, notes).
	KindInformational Kind = "informational"
)

// Decision is how one adjustment or rejection is routed.
type Decision struct {
	Kind     Kind     `json:"kind"`
	Category Category `json:"category"`
	Queue    string   `json:"queue"`
	Action   Action   `json:"action"`
	// DecidedBy names what decided the category: "carc:16", "rarc:M76", "group:PR", "status:33".
	DecidedBy string `json:"decided_by"`
	// Reason is the plain-words explanation: group, reason, remarks and what to do.
	Reason string `json:"reason"`
}

// IsDenial reports whether the decision is a work item.
func (d Decision) IsDenial() bool { return d.Kind == KindDenial }

// subcategories whose CO/OA/PI adjustments are expected write-offs, not denials.
var contractualSub = map[string]bool{
	"contractual_adjustment": true, "payment_methodology": true, "regulatory_reduction": true,
	"withhold": true, "capitation": true, "fee": true, "fee_schedule": true, "incentive": true,
	"pharmacy_pricing": true, "network_adjustment": true, "wc_fee_schedule": true,
	"pip_fee_schedule": true, "liability_fee_schedule": true, "property_casualty_fee": true,
	"billing_split": true, "multiple_procedure_reduction": true, "included_elsewhere": true,
	"snf_consolidated_billing": true, "regulatory_pricing": true,
}

// subcategories that never need work.
var informationalSub = map[string]bool{
	"informational": true, "prior_payer_impact": true, "paid_to_patient": true, "predetermination": true,
}

// Classify routes one adjustment: its group code (CO, OA, PI, PR), reason code (CARC) and the
// remark codes (RARCs) given with it, at claim or line level.
func (t *Table) Classify(group, carc string, rarcs []string) Decision {
	group = strings.ToUpper(strings.TrimSpace(group))
	c, known := t.CARC(carc)
	if !known {
		c.Label = "Adjustment reason " + carc + " (not in the code list)"
		c.Category = Other
	}
	d := Decision{Category: c.Category, DecidedBy: "carc:" + c.Code}

	switch {
	case group == "PR":
		d.Kind = KindPatient
		d.Category = PatientResponsibility
		d.DecidedBy = "group:PR"
	case informationalSub[c.Subcategory]:
		d.Kind = KindInformational
	case contractualSub[c.Subcategory] && !(c.ByGroup && group == "PI"):
		d.Kind = KindContractual
	case c.Category == PatientResponsibility && group != "PR":
		// A patient-responsibility reason under CO/OA/PI means the provider may not bill the
		// patient: a loss to be worked (usually billing).
		d.Kind = KindDenial
	default:
		d.Kind = KindDenial
	}

	if c.NeedsRemark && d.Kind == KindDenial {
		for _, code := range rarcs {
			r, ok := t.RARC(code)
			if ok && !r.Alert && r.Hint != "" {
				d.Category = r.Hint
				d.DecidedBy = "rarc:" + r.Code
				break
			}
		}
	}

	d.Queue = t.Queue(d.Category)
	if d.Category == BundlingContractual && c.Subcategory == "bundling_ncci" && d.DecidedBy == "carc:"+c.Code {
		// An NCCI bundling edit is fixed by coders (a modifier, a different code): it follows
		// the coding queue, wherever the operator has put it.
		d.Queue = t.Queue(Coding)
	}
	d.Action = defaultAction(d.Category)
	switch d.Kind {
	case KindPatient:
		d.Action = BillPatient
	case KindContractual, KindInformational:
		d.Action = WriteOff
	}
	d.Reason = t.reason(group, c, rarcs, d)
	return d
}

func (t *Table) reason(group string, c CARC, rarcs []string, d Decision) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s-%s: %s", group, c.Code, c.Label)
	if len(rarcs) > 0 {
		b.WriteString(". Remarks: ")
		for i, code := range rarcs {
			if i > 0 {
				b.WriteString("; ")
			}
			r, _ := t.RARC(code)
			fmt.Fprintf(&b, "%s %s", r.Code, r.Text())
		}
	}
	b.WriteString(". ")
	switch d.Kind {
	case KindPatient:
		b.WriteString("This is the patient's share: bill the patient.")
	case KindContractual:
		b.WriteString("Contractual adjustment: post it as a write-off.")
	case KindInformational:
		b.WriteString("For information; nothing to work.")
	default:
		b.WriteString(advice(d.Category))
	}
	return b.String()
}

// ClassifyClaimStatus routes a 277CA rejection from its STC composite: status category code
// (507, e.g. A7), status code (508, e.g. 33) and entity code (e.g. IL subscriber, 85 billing
// provider).
func (t *Table) ClassifyClaimStatus(category, status, entity string) Decision {
	hint := t.status[status]
	cat := MissingInformation
	decided := "status:" + status
	patientSide := entity == "IL" || entity == "QC" || entity == "PR" || entity == "03"
	switch {
	case hint == "entity_dependent":
		if patientSide {
			cat = EligibilityRegistration
		} else if entity != "" {
			cat = ProviderEnrollmentCredentialing
		}
	case strings.HasPrefix(hint, "entity_dependent:"):
		cat = Category(strings.TrimPrefix(hint, "entity_dependent:"))
		if patientSide {
			cat = EligibilityRegistration
		}
	case hint != "":
		cat = Category(hint)
	default:
		decided = "category:" + category
	}
	if _, err := ParseCategory(string(cat)); err != nil {
		cat = Other
	}
	d := Decision{Kind: KindDenial, Category: cat, Queue: t.Queue(cat), Action: CorrectAndResubmit, DecidedBy: decided}
	d.Reason = fmt.Sprintf("Rejected by the payer's front end (%s:%s%s). %s", category, status, entitySuffix(entity), advice(cat))
	return d
}

func entitySuffix(e string) string {
	if e == "" {
		return ""
	}
	return ":" + e
}

// ClassifySyntaxError routes a 999 rejection from where the error is: the segment id and, when
// known, the loop id from IK3 (e.g. "2010BA"). A subscriber or patient segment points to
// registration; a code segment to coding; anything else to missing information.
func (t *Table) ClassifySyntaxError(segmentID, loopID string) Decision {
	cat := MissingInformation
	switch {
	case strings.HasPrefix(loopID, "2010BA"), strings.HasPrefix(loopID, "2010CA"), strings.HasPrefix(loopID, "2000B"), strings.HasPrefix(loopID, "2000C"),
		segmentID == "SBR", segmentID == "PAT", segmentID == "DMG":
		cat = EligibilityRegistration
	case segmentID == "HI", segmentID == "SV1", segmentID == "SV2", segmentID == "SV3":
		cat = Coding
	case segmentID == "PRV":
		cat = ProviderEnrollmentCredentialing
	}
	d := Decision{Kind: KindDenial, Category: cat, Queue: t.Queue(cat), Action: CorrectAndResubmit, DecidedBy: "segment:" + segmentID}
	d.Reason = fmt.Sprintf("The file was rejected at segment %s%s. %s", segmentID, loopSuffix(loopID), advice(cat))
	return d
}

func loopSuffix(l string) string {
	if l == "" {
		return ""
	}
	return " in loop " + l
}

// GroupLabel describes a claim adjustment group code.
func GroupLabel(code string) (string, bool) {
	switch code {
	case "CO":
		return "Contractual obligation: the provider absorbs it and may not bill the patient", true
	case "OA":
		return "Other adjustment", true
	case "PI":
		return "Payer-initiated reduction", true
	case "PR":
		return "Patient responsibility: the patient may be billed", true
	case "CR":
		return "Correction or reversal (not valid in 5010)", true
	}
	return "", false
}

// ClaimStatus describes a CLP02 claim status code and what it means for the claim.
type ClaimStatus struct {
	Code    string `json:"code"`
	Label   string `json:"label"`
	Outcome string `json:"outcome"` // processed, denied, forwarded, reversal, not_ours, predetermination, pended
}

var clp02 = map[string]ClaimStatus{
	"1":  {"1", "Processed as primary", "processed"},
	"2":  {"2", "Processed as secondary", "processed"},
	"3":  {"3", "Processed as tertiary", "processed"},
	"4":  {"4", "Denied", "denied"},
	"19": {"19", "Processed as primary and forwarded to another payer", "forwarded"},
	"20": {"20", "Processed as secondary and forwarded to another payer", "forwarded"},
	"21": {"21", "Processed as tertiary and forwarded to another payer", "forwarded"},
	"22": {"22", "Reversal of an earlier payment", "reversal"},
	"23": {"23", "Not this payer's claim; forwarded to another payer", "not_ours"},
	"25": {"25", "Predetermination pricing only, no payment", "predetermination"},
}

// CLP02 looks up a 5010 835 claim status code.
func CLP02(code string) (ClaimStatus, bool) {
	s, ok := clp02[code]
	return s, ok
}
