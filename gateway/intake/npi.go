package intake

// npiPrefixSum is the Luhn contribution of the "80840" prefix (the ISO 7812 card issuer
// identifier of the NPI) when it stands in front of the nine NPI digits the check digit covers:
// 8 + (0*2) + 8 + (4*2) + 0 = 24, the constant the NPI final rule publishes.
const npiPrefixSum = 24

// ValidNPI reports whether s is a well-formed National Provider Identifier: exactly ten ASCII
// digits whose last digit is the Luhn check digit computed over "80840" followed by the first
// nine digits. It does not say whether the NPI is enumerated in NPPES.
func ValidNPI(s string) bool {
	if !isDigits(s) || len(s) != 10 {
		return false
	}
	return npiCheckDigit(s[:9]) == s[9]
}

// npiCheckDigit returns the check digit (as an ASCII digit) for the first nine digits of an NPI.
// first9 must hold nine ASCII digits.
func npiCheckDigit(first9 string) byte {
	sum := npiPrefixSum
	// The check digit will sit to the right of first9, so Luhn doubles the rightmost of the nine
	// digits and every second digit to its left: indexes 8, 6, 4, 2, 0.
	for i := 0; i < 9; i++ {
		d := int(first9[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// isDigits reports whether s is non-empty and made only of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
