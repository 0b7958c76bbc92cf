package denials

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/intake"
)

// ErrNoPayerClaimNumber: the payer has not assigned its claim control number to the claim yet
// (277CA REF*1K or 835 CLP07), so a replacement or void cannot reference it. Wrapped with
// gateway.ErrConflict.
var ErrNoPayerClaimNumber = errors.New("the payer has not assigned its claim number yet")

// ErrFinal: the claim is replaced or voided already. Wrapped with gateway.ErrConflict.
var ErrFinal = errors.New("the claim is already replaced or voided")

// maxExternalID is intake's limit on external ids.
const maxExternalID = 64

// VoidSuffix ends the external id of a void claim built from an original.
const VoidSuffix = "-VOID"

// CheckCorrectable reports why a claim cannot be replaced or voided now: it is final already
// (ErrFinal), or the payer has not assigned its claim number (ErrNoPayerClaimNumber). Both wrap
// gateway.ErrConflict.
func CheckCorrectable(orig gateway.Claim) error {
	switch {
	case orig.Status == gateway.StatusReplaced || orig.Status == gateway.StatusVoided:
		return fmt.Errorf("claim %s: %w: %w (%s)", orig.ID, gateway.ErrConflict, ErrFinal, orig.Status)
	case strings.TrimSpace(orig.PayerClaimNumber) == "":
		return fmt.Errorf("claim %s: %w: %w", orig.ID, gateway.ErrConflict, ErrNoPayerClaimNumber)
	}
	return nil
}

// PrepareReplacement turns a corrected encounter into the replacement of orig: frequency
// replacement, the original's payer claim number (REF*F8), and, for an institutional claim,
// the type of bill's frequency digit 7. The corrected encounter must name the original's payer
// and claim type and its own external id; a problem is returned as an intake.Problem-shaped
// list (pointer, code, message) for a 422.
func PrepareReplacement(orig gateway.Claim, enc *intake.Encounter) []intake.Problem {
	var probs []intake.Problem
	if !strings.EqualFold(strings.TrimSpace(enc.Payer.ID), orig.PayerID) {
		probs = append(probs, intake.Problem{Pointer: "/payer/id", Code: "replacement_payer_differs",
			Message: "A replacement goes to the payer of the original claim (" + orig.PayerID + "); to bill another payer, send a new original claim."})
	}
	if enc.ClaimType != "" && enc.ClaimType != string(orig.Type) {
		probs = append(probs, intake.Problem{Pointer: "/claim_type", Code: "replacement_type_differs",
			Message: "A replacement keeps the claim type of the original claim (" + string(orig.Type) + ")."})
	}
	if strings.TrimSpace(enc.ExternalID) == orig.ExternalID {
		probs = append(probs, intake.Problem{Pointer: "/external_id", Code: "replacement_external_id_reused",
			Message: "The original claim has this external_id; give the replacement its own (for example the original's with a suffix such as -R1)."})
	}
	if f := strings.TrimSpace(enc.Claim.Frequency); f != "" && f != intake.FrequencyReplacement && f != intake.FrequencyOriginal {
		probs = append(probs, intake.Problem{Pointer: "/claim/frequency", Code: "replacement_frequency",
			Message: "A replacement has frequency \"replacement\"; to cancel the claim use POST /v1/claims/{id}/void."})
	}
	if n := strings.TrimSpace(enc.Claim.PayerClaimNumber); n != "" && n != orig.PayerClaimNumber {
		probs = append(probs, intake.Problem{Pointer: "/claim/payer_claim_number", Code: "replacement_payer_claim_number",
			Message: "The payer claim number is the original claim's (" + orig.PayerClaimNumber + "); leave it out or send that one."})
	}
	if len(probs) > 0 {
		return probs
	}
	setCorrection(enc, intake.FrequencyReplacement, "7", orig.PayerClaimNumber)
	return nil
}

// PrepareVoid builds the void of orig from its stored encounter: frequency void, the payer
// claim number (REF*F8), the type of bill's frequency digit 8 for an institutional claim, and
// the external id of the original with VoidSuffix (so a second void request finds the first).
func PrepareVoid(orig gateway.Claim) (*intake.Encounter, error) {
	enc, err := intake.DecodeEncounter(bytes.NewReader(orig.Encounter))
	if err != nil {
		return nil, fmt.Errorf("void of claim %s: the stored encounter: %w", orig.ID, err)
	}
	enc.ExternalID = VoidExternalID(orig.ExternalID)
	enc.Claim.PatientControlNumber = ""
	setCorrection(enc, intake.FrequencyVoid, "8", orig.PayerClaimNumber)
	return enc, nil
}

// VoidExternalID is the external id of the void of a claim with external id ext.
func VoidExternalID(ext string) string {
	if len(ext)+len(VoidSuffix) > maxExternalID {
		ext = ext[:maxExternalID-len(VoidSuffix)]
		for !utf8.ValidString(ext) {
			ext = ext[:len(ext)-1]
		}
	}
	return ext + VoidSuffix
}

func setCorrection(enc *intake.Encounter, freq, digit, payerClaimNumber string) {
	enc.Claim.Frequency = freq
	enc.Claim.PayerClaimNumber = payerClaimNumber
	if tob := strings.TrimSpace(enc.Claim.TypeOfBill); len(tob) >= 3 {
		enc.Claim.TypeOfBill = tob[:len(tob)-1] + digit
	}
}
