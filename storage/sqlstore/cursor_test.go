package sqlstore

import (
	"errors"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway"
)

func TestClaimCursorRoundTrip(t *testing.T) {
	tests := []gateway.Claim{
		{ID: "01JD3XK7M2ABC9DEF", CreatedAt: time.Date(2026, 11, 22, 10, 5, 0, 123456000, time.UTC)},
		{ID: "A", CreatedAt: time.Unix(0, 0).UTC()},
	}
	for _, c := range tests {
		at, id, err := decodeClaimCursor(encodeClaimCursor(c))
		if err != nil || id != c.ID || !at.Equal(c.CreatedAt) {
			t.Errorf("round trip of %+v = %v, %q, %v", c, at, id, err)
		}
	}
}

func TestClaimCursorRejects(t *testing.T) {
	for _, s := range []string{"%%%", "", "bm9kb3Q", "MTIzLmFiYw", "eC5BQkM"} { // no dot, "123.abc", "x.ABC"
		if _, _, err := decodeClaimCursor(s); !errors.Is(err, gateway.ErrInvalid) {
			t.Errorf("decodeClaimCursor(%q) error = %v, want ErrInvalid", s, err)
		}
	}
}

func FuzzDecodeClaimCursor(f *testing.F) {
	f.Add(encodeClaimCursor(gateway.Claim{ID: "01JD3XK7M2ABC9DEF", CreatedAt: time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC)}))
	f.Add("%%%")
	f.Add("MTIzLmFiYw")
	f.Fuzz(func(t *testing.T, s string) {
		at, id, err := decodeClaimCursor(s)
		if err != nil {
			return
		}
		if !gateway.ValidClaimID(id) {
			t.Fatalf("accepted invalid id %q", id)
		}
		again, id2, err := decodeClaimCursor(encodeClaimCursor(gateway.Claim{ID: id, CreatedAt: at}))
		if err != nil || id2 != id || !again.Equal(at) {
			t.Fatalf("re-encoding %q: %v %q %v", s, again, id2, err)
		}
	})
}

func TestWhereNumbersPlaceholders(t *testing.T) {
	var w where
	set := "status = " + w.arg("paid")
	w.add("id = ?", "X")
	w.add("(a < ? OR (a = ? AND b < ?))", 1, 1, "z")
	if set != "status = $1" || w.sql() != " WHERE id = $2 AND (a < $3 OR (a = $4 AND b < $5))" {
		t.Fatalf("set %q, where %q", set, w.sql())
	}
	if len(w.args) != 5 {
		t.Fatalf("args = %v", w.args)
	}
}
