package gateway

import "testing"

func TestSHA256Hex(t *testing.T) {
	// printf 'ISA~' | sha256sum
	if got := SHA256Hex([]byte("ISA~")); got != "2cea6fa4a811170a03591a770976e791389703c3094b756885ee48fad7151a11" {
		t.Fatalf("SHA256Hex = %q", got)
	}
}

func TestEnumsValid(t *testing.T) {
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"inbound", Inbound.Valid(), true},
		{"outbound", Outbound.Valid(), true},
		{"sideways", FileDirection("sideways").Valid(), false},
		{"277CA", Kind277CA.Valid(), true},
		{"TA1", KindTA1.Valid(), true},
		{"270", FileKind("270").Valid(), false},
		{"quarantined", FileQuarantined.Valid(), true},
		{"eaten", FileStatus("eaten").Valid(), false},
		{"uploaded", BatchUploaded.Valid(), true},
		{"lost", BatchStatus("lost").Valid(), false},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: Valid = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
