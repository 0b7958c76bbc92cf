package edi

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
		x12  string
		str  string
	}{
		{"125", 12500, "125", "125.00"},
		{"125.5", 12550, "125.5", "125.50"},
		{"125.25", 12525, "125.25", "125.25"},
		{"125.250", 12525, "125.25", "125.25"},
		{"-3.10", -310, "-3.1", "-3.10"},
		{".5", 50, "0.5", "0.50"},
		{"+1", 100, "1", "1.00"},
		{"0", 0, "0", "0.00"},
		{"-0.05", -5, "-0.05", "-0.05"},
		{"810.8", 81080, "810.8", "810.80"},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if err != nil {
			t.Fatalf("ParseAmount(%q): %v", tt.in, err)
		}
		if got != tt.want || got.X12() != tt.x12 || got.String() != tt.str {
			t.Errorf("ParseAmount(%q) = %d %q %q, want %d %q %q", tt.in, got, got.X12(), got.String(), tt.want, tt.x12, tt.str)
		}
	}
	for _, bad := range []string{"", "-", ".", "1.234", "1e3", "12,00", "1.2.3", " 1", "abc", "99999999999999999999999", "100000000000000000", "400000000000000000", "-92233720368547758.08"} {
		if _, err := ParseAmount(bad); !errors.Is(err, ErrAmount) {
			t.Errorf("ParseAmount(%q) error = %v, want ErrAmount", bad, err)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1", "1.5", "-2.25", ".1", "1.001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		if err != nil {
			return
		}
		b, err := ParseAmount(a.X12())
		if err != nil || b != a {
			t.Fatalf("round trip %q -> %q -> %v %v", s, a.X12(), b, err)
		}
		c, err := ParseAmount(a.String())
		if err != nil || c != a {
			t.Fatalf("round trip %q -> %q -> %v %v", s, a.String(), c, err)
		}
	})
}

func TestAmountJSON(t *testing.T) {
	var v struct {
		A Amount `json:"a"`
		B Amount `json:"b"`
		C Amount `json:"c"`
	}
	if err := json.Unmarshal([]byte(`{"a":"125.50","b":10.25,"c":null}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 12550 || v.B != 1025 || v.C != 0 {
		t.Fatalf("got %d %d %d", v.A, v.B, v.C)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"a":"125.50","b":"10.25","c":"0.00"}` {
		t.Fatalf("marshal: %s", out)
	}
	for _, bad := range []string{`{"a":1.005}`, `{"a":"x"}`, `{"a":1e3}`, `{"a":true}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
