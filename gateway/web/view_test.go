package web

import (
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi"
)

func TestMoney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cents edi.Amount
		want  string
	}{
		{0, "$0.00"}, {5, "$0.05"}, {-50, "-$0.50"}, {12345, "$123.45"}, {100000, "$1,000.00"},
		{123456789, "$1,234,567.89"}, {-100000000, "-$1,000,000.00"},
	} {
		if got := money(tc.cents); got != tc.want {
			t.Errorf("money(%d) = %q, want %q", int64(tc.cents), got, tc.want)
		}
	}
}

func TestCheckSession(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	key, other := sessionKey("hash-a"), sessionKey("hash-b")
	good := signSession(key, now.Add(SessionLifetime))
	for _, tc := range []struct {
		name  string
		key   []byte
		value string
		at    time.Time
		want  bool
	}{
		{"valid", key, good, now, true},
		{"just before expiry", key, good, now.Add(SessionLifetime - time.Second), true},
		{"expired", key, good, now.Add(SessionLifetime), false},
		{"other key", other, good, now, false},
		{"no key", nil, good, now, false},
		{"too far ahead", key, signSession(key, now.Add(48*time.Hour)), now, false},
		{"tampered expiry", key, "v1.9999999999" + good[len("v1.")+10:], now, false},
		{"other version", key, "v2" + good[2:], now, false},
		{"too long", key, good + string(make([]byte, 200)), now, false},
		{"empty", key, "", now, false},
	} {
		if got := checkSession(tc.key, tc.value, tc.at); got != tc.want {
			t.Errorf("%s: checkSession = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestQuery(t *testing.T) {
	t.Parallel()
	if got := query("/ui/denials", "queue", "", "status", "open", "cursor", "a b"); got != "/ui/denials?cursor=a+b&status=open" {
		t.Errorf("query = %q", got)
	}
	if got := query("/ui/denials", "queue", ""); got != "/ui/denials" {
		t.Errorf("query = %q", got)
	}
}
