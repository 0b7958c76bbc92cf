package intake

import (
	"fmt"
	"testing"
)

func TestNPI(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1234567893", true},
		{"1245319599", true}, // the CMS example NPI
		{"1987654328", true},
		{"1111111112", true},
		{"1234567890", false}, // wrong check digit
		{"1234567839", false}, // transposed digits
		{"2234567893", false},
		{"123456789", false},   // 9 digits
		{"12345678931", false}, // 11 digits
		{"123456789X", false},
		{"12345 6789", false},
		{"", false},
		{"１２３４５６７８９３", false}, // full-width digits
	}
	for _, tt := range tests {
		if got := ValidNPI(tt.in); got != tt.want {
			t.Errorf("ValidNPI(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// luhnValid is the textbook Luhn check over a digit string, written independently of
// npiCheckDigit so the two can be compared.
func luhnValid(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func TestNPICheckDigitMatchesLuhnWithPrefix(t *testing.T) {
	for n := 100000000; n < 300000000; n += 7919 {
		first9 := fmt.Sprintf("%09d", n)
		npi := first9 + string(npiCheckDigit(first9))
		if !luhnValid("80840" + npi) {
			t.Fatalf("npiCheckDigit(%s) gives %s, which fails Luhn over 80840%s", first9, npi, npi)
		}
		if !ValidNPI(npi) {
			t.Fatalf("ValidNPI(%s) = false for a computed NPI", npi)
		}
		wrong := first9 + string('0'+(npi[9]-'0'+1)%10)
		if ValidNPI(wrong) {
			t.Fatalf("ValidNPI(%s) = true with a wrong check digit", wrong)
		}
	}
}

func FuzzNPI(f *testing.F) {
	for _, s := range []string{"1234567893", "1245319599", "1234567890", "", "12345678X3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ValidNPI(s)
		want := len(s) == 10 && isDigits(s) && luhnValid("80840"+s)
		if got != want {
			t.Fatalf("ValidNPI(%q) = %v, want %v", s, got, want)
		}
	})
}
