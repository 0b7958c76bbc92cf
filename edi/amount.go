package edi

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Amount is a money amount in integer cents. claimgate never uses floating point for money.
type Amount int64

// maxWhole is the largest whole part whose cents still fit in an int64.
const maxWhole = (math.MaxInt64 - 99) / 100

// ErrAmount is wrapped by every amount parsing error.
var ErrAmount = errors.New("invalid amount")

// ParseAmount parses a decimal amount with at most two decimals: "125", "125.5", "125.25",
// "-3.10", ".5", "+1". X12 R-type values and JSON decimal strings both use this form.
// It allocates nothing and never rounds: a third decimal is an error.
func ParseAmount(s string) (Amount, error) {
	return parseAmount(s)
}

// ParseAmountBytes is ParseAmount over bytes, for the streaming readers' hot path.
func ParseAmountBytes(b []byte) (Amount, error) {
	return parseAmount(b)
}

func parseAmount[T string | []byte](s T) (Amount, error) {
	n := len(s)
	if n == 0 {
		return 0, fmt.Errorf("%w: empty", ErrAmount)
	}
	i := 0
	neg := false
	switch s[0] {
	case '-':
		neg = true
		i++
	case '+':
		i++
	}
	var whole int64
	digits := 0
	for ; i < n && s[i] >= '0' && s[i] <= '9'; i++ {
		if whole > (1<<62)/10 {
			return 0, fmt.Errorf("%w: %q is too large", ErrAmount, string(s))
		}
		whole = whole*10 + int64(s[i]-'0')
		digits++
	}
	var frac int64
	fd := 0
	if i < n && s[i] == '.' {
		i++
		for ; i < n && s[i] >= '0' && s[i] <= '9'; i++ {
			if fd == 2 {
				if s[i] != '0' {
					return 0, fmt.Errorf("%w: %q has more than two decimals", ErrAmount, string(s))
				}
				continue
			}
			frac = frac*10 + int64(s[i]-'0')
			fd++
		}
		digits += fd
	}
	if i != n || digits == 0 {
		return 0, fmt.Errorf("%w: %q is not a decimal number", ErrAmount, string(s))
	}
	if whole > maxWhole {
		return 0, fmt.Errorf("%w: %q is too large", ErrAmount, string(s))
	}
	if fd == 1 {
		frac *= 10
	}
	v := whole*100 + frac
	if neg {
		v = -v
	}
	return Amount(v), nil
}

// String formats the amount with exactly two decimals ("125.00", "-0.50"): the JSON and CSV form.
func (a Amount) String() string {
	var buf [24]byte
	return string(a.appendFixed(buf[:0]))
}

// X12 formats the amount as the TR3 prefers: no trailing zero noise ("125", "125.5", "125.25").
func (a Amount) X12() string {
	var buf [24]byte
	return string(a.AppendX12(buf[:0]))
}

// AppendX12 appends the X12 form of a to b.
func (a Amount) AppendX12(b []byte) []byte {
	v := int64(a)
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	c := v % 100
	switch {
	case c == 0:
	case c%10 == 0:
		b = append(b, '.', byte('0'+c/10))
	default:
		b = append(b, '.', byte('0'+c/10), byte('0'+c%10))
	}
	return b
}

func (a Amount) appendFixed(b []byte) []byte {
	v := int64(a)
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	c := v % 100
	return append(b, '.', byte('0'+c/10), byte('0'+c%10))
}

// MarshalText writes the two-decimal form, so JSON carries amounts as decimal strings.
func (a Amount) MarshalText() ([]byte, error) { return a.appendFixed(nil), nil }

// UnmarshalJSON accepts a JSON string ("125.50") or a JSON number with at most two decimals
// (125.5), parsed exactly, never through float64.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	} else if string(b) == "null" {
		return nil
	}
	return a.UnmarshalText(b)
}

// UnmarshalText accepts a decimal string with at most two decimals.
func (a *Amount) UnmarshalText(b []byte) error {
	v, err := ParseAmountBytes(b)
	if err != nil {
		return err
	}
	*a = v
	return nil
}
