package x837

import (
	"fmt"
	"time"
)

// Date is a calendar date without time zone. The zero Date means "not given". JSON carries it as
// "YYYY-MM-DD" (or "" when zero); X12 as CCYYMMDD.
type Date struct {
	Year  int        `json:"-"`
	Month time.Month `json:"-"`
	Day   int        `json:"-"`
}

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether the date exists on the calendar (and has a four-digit year).
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Year, d.Month)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// AppendX12 appends the date as CCYYMMDD.
func (d Date) AppendX12(b []byte) []byte {
	b = append4(b, d.Year)
	b = append2(b, int(d.Month))
	return append2(b, d.Day)
}

// X12 returns the date as CCYYMMDD.
func (d Date) X12() string {
	var buf [8]byte
	return string(d.AppendX12(buf[:0]))
}

// String returns the date as YYYY-MM-DD, or "" when zero.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	var buf [10]byte
	b := append4(buf[:0], d.Year)
	b = append(b, '-')
	b = append2(b, int(d.Month))
	b = append(b, '-')
	return string(append2(b, d.Day))
}

// MarshalText writes YYYY-MM-DD, or nothing for the zero date.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("invalid date %04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads YYYY-MM-DD; an empty string is the zero date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return fmt.Errorf("date %q is not YYYY-MM-DD", b)
	}
	v, ok := parseDigits(b[0:4], b[5:7], b[8:10])
	if !ok || !v.Valid() {
		return fmt.Errorf("date %q is not a calendar date", b)
	}
	*d = v
	return nil
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	var d Date
	err := d.UnmarshalText([]byte(s))
	return d, err
}

// ParseX12Date parses CCYYMMDD (a D8 date).
func ParseX12Date(b []byte) (Date, bool) {
	if len(b) != 8 {
		return Date{}, false
	}
	d, ok := parseDigits(b[0:4], b[4:6], b[6:8])
	if !ok || !d.Valid() {
		return Date{}, false
	}
	return d, true
}

func parseDigits(y, m, d []byte) (Date, bool) {
	yy, ok1 := atoi(y)
	mm, ok2 := atoi(m)
	dd, ok3 := atoi(d)
	return Date{yy, time.Month(mm), dd}, ok1 && ok2 && ok3
}

func atoi(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10%10), byte('0'+n%10))
}

func append4(b []byte, n int) []byte {
	return append(b, byte('0'+n/1000%10), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}
