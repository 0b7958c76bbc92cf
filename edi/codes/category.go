package codes

import "fmt"

// Category is the root cause of a denial or rejection: it decides which team can fix it.
type Category string

// The denial categories.
const (
	Coding                          Category = "coding"
	EligibilityRegistration         Category = "eligibility_registration"
	Authorization                   Category = "authorization"
	MedicalNecessity                Category = "medical_necessity"
	TimelyFiling                    Category = "timely_filing"
	Duplicate                       Category = "duplicate"
	CoordinationOfBenefits          Category = "coordination_of_benefits"
	BundlingContractual             Category = "bundling_contractual"
	PatientResponsibility           Category = "patient_responsibility"
	MissingInformation              Category = "missing_information"
	ProviderEnrollmentCredentialing Category = "provider_enrollment_credentialing"
	Other                           Category = "other"
)

// Categories lists every category, in a stable order.
var Categories = []Category{
	Coding, EligibilityRegistration, Authorization, MedicalNecessity, TimelyFiling, Duplicate,
	CoordinationOfBenefits, BundlingContractual, PatientResponsibility, MissingInformation,
	ProviderEnrollmentCredentialing, Other,
}

// ParseCategory returns the category named s, or an error naming the valid ones.
func ParseCategory(s string) (Category, error) {
	for _, c := range Categories {
		if string(c) == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown denial category %q (valid: coding, eligibility_registration, authorization, medical_necessity, timely_filing, duplicate, coordination_of_benefits, bundling_contractual, patient_responsibility, missing_information, provider_enrollment_credentialing, other)", s)
}

// Label is the category in words.
func (c Category) Label() string {
	switch c {
	case Coding:
		return "Coding"
	case EligibilityRegistration:
		return "Eligibility and registration"
	case Authorization:
		return "Authorization and referral"
	case MedicalNecessity:
		return "Medical necessity"
	case TimelyFiling:
		return "Timely filing"
	case Duplicate:
		return "Duplicate"
	case CoordinationOfBenefits:
		return "Coordination of benefits"
	case BundlingContractual:
		return "Bundling and contract"
	case PatientResponsibility:
		return "Patient responsibility"
	case MissingInformation:
		return "Missing or invalid information"
	case ProviderEnrollmentCredentialing:
		return "Provider enrollment and credentialing"
	default:
		return "Other"
	}
}

// Action is the suggested next step for a denial.
type Action string

// The suggested next actions.
const (
	CorrectAndResubmit Action = "correct_and_resubmit"
	Appeal             Action = "appeal"
	BillPatient        Action = "bill_patient"
	WriteOff           Action = "write_off"
)

// DefaultQueues maps each category to the work queue of the team that fixes it.
func DefaultQueues() map[Category]string {
	return map[Category]string{
		Coding:                          "coding",
		EligibilityRegistration:         "front_desk",
		Authorization:                   "authorization",
		MedicalNecessity:                "clinical_review",
		ProviderEnrollmentCredentialing: "credentialing",
		TimelyFiling:                    "billing",
		Duplicate:                       "billing",
		CoordinationOfBenefits:          "billing",
		BundlingContractual:             "billing",
		PatientResponsibility:           "billing",
		MissingInformation:              "billing",
		Other:                           "billing",
	}
}

// defaultAction is the usual next step for a category.
func defaultAction(c Category) Action {
	switch c {
	case MedicalNecessity, TimelyFiling, Other:
		return Appeal
	case Duplicate:
		return WriteOff
	case PatientResponsibility:
		return BillPatient
	default:
		return CorrectAndResubmit
	}
}

// advice is a sentence telling the team what to do for a category.
func advice(c Category) string {
	switch c {
	case Coding:
		return "Review the codes, modifiers and diagnosis pointers, then send a corrected claim."
	case EligibilityRegistration:
		return "Check the patient's coverage and the member id, name and birth date on the claim, then resubmit or bill the right payer."
	case Authorization:
		return "Find or obtain the authorization or referral, put its number on the claim and resubmit, or appeal with proof it was obtained."
	case MedicalNecessity:
		return "Have clinical staff review the documentation; appeal with records that support the service."
	case TimelyFiling:
		return "Appeal only with proof of timely filing (e.g. an earlier acknowledgment); otherwise write it off."
	case Duplicate:
		return "Check whether the original claim was paid; if so no action is needed, otherwise send a corrected claim."
	case CoordinationOfBenefits:
		return "Confirm which payer is primary, bill it first, and send this payer its remittance."
	case BundlingContractual:
		return "Check the bundling edit; if a modifier applies, send a corrected claim, otherwise it is a contractual write-off."
	case PatientResponsibility:
		return "Bill the patient for this amount."
	case MissingInformation:
		return "Add or correct the missing information named in the remark codes and resubmit."
	case ProviderEnrollmentCredentialing:
		return "Check the provider's enrollment and NPI with this payer, then resubmit."
	default:
		return "Read the remark codes and the payer's remittance; appeal or write off as appropriate."
	}
}
