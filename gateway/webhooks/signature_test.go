package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSignFormat(t *testing.T) {
	at := time.Unix(1795420800, 0)
	body := []byte(`{"id":"whd_1","type":"claim.paid"}`)
	got := Sign("s3cret", at, body)
	h := hmac.New(sha256.New, []byte("s3cret"))
	h.Write([]byte("1795420800." + string(body)))
	want := "t=1795420800,v1=" + hex.EncodeToString(h.Sum(nil))
	if got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret := "whsec_test"
	body := []byte(`{"id":"whd_01","type":"claim.accepted","data":{"claim_id":"01ABC"}}`)
	now := time.Unix(1795420800, 0)
	valid := Sign(secret, now, body)
	v1 := valid[strings.Index(valid, "v1=")+3:]
	ts := strconv.FormatInt(now.Unix(), 10)
	tests := []struct {
		name      string
		secret    string
		header    string
		body      []byte
		now       time.Time
		tolerance time.Duration
		want      error // nil: valid
	}{
		{"valid", secret, valid, body, now, time.Minute, nil},
		{"valid, clock skew inside tolerance", secret, valid, body, now.Add(4 * time.Minute), 0, nil},
		{"valid, receiver clock behind", secret, valid, body, now.Add(-time.Minute), 2 * time.Minute, nil},
		{"valid, spaces and upper-case hex", secret, "t=" + ts + ", v1=" + strings.ToUpper(v1), body, now, time.Minute, nil},
		{"valid, rotation: one of two v1 matches", secret, "t=" + ts + ",v1=" + strings.Repeat("0", 64) + ",v1=" + v1, body, now, time.Minute, nil},
		{"valid, unknown keys ignored", secret, "t=" + ts + ",v0=abc,v1=" + v1, body, now, time.Minute, nil},
		{"tampered body", secret, valid, []byte(strings.Replace(string(body), "01ABC", "01ABD", 1)), now, time.Minute, ErrSignatureMismatch},
		{"body with trailing newline", secret, valid, append(append([]byte{}, body...), '\n'), now, time.Minute, ErrSignatureMismatch},
		{"wrong secret", "whsec_other", valid, body, now, time.Minute, ErrSignatureMismatch},
		{"empty secret", "", valid, body, now, time.Minute, ErrSignatureMismatch},
		{"replay after the tolerance", secret, valid, body, now.Add(6 * time.Minute), 5 * time.Minute, ErrStaleSignature},
		{"replay, default tolerance", secret, valid, body, now.Add(DefaultTolerance + time.Second), 0, ErrStaleSignature},
		{"timestamp from the future", secret, valid, body, now.Add(-10 * time.Minute), 5 * time.Minute, ErrStaleSignature},
		{"timestamp changed (signature no longer matches)", secret, "t=" + strconv.FormatInt(now.Unix()+1, 10) + ",v1=" + v1, body, now, time.Minute, ErrSignatureMismatch},
		{"empty header", secret, "", body, now, time.Minute, ErrMalformedSignature},
		{"no t", secret, "v1=" + v1, body, now, time.Minute, ErrMalformedSignature},
		{"no v1", secret, "t=" + ts, body, now, time.Minute, ErrMalformedSignature},
		{"two t", secret, "t=" + ts + ",t=" + ts + ",v1=" + v1, body, now, time.Minute, ErrMalformedSignature},
		{"t not a number", secret, "t=abc,v1=" + v1, body, now, time.Minute, ErrMalformedSignature},
		{"t signed", secret, "t=+" + ts + ",v1=" + v1, body, now, time.Minute, ErrMalformedSignature},
		{"short v1", secret, "t=" + ts + ",v1=abcd", body, now, time.Minute, ErrMalformedSignature},
		{"not key=value", secret, "t=" + ts + ",garbage,v1=" + v1, body, now, time.Minute, ErrMalformedSignature},
		{"huge header", secret, "t=" + ts + ",x=" + strings.Repeat("a", 5000) + ",v1=" + v1, body, now, time.Minute, ErrMalformedSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.header, tc.body, tc.now, tc.tolerance)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzVerify: the header parser never panics, and never accepts a header that was not made
// with the secret for this body.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1795420800, 0)
	body := []byte(`{"id":"whd_01","type":"claim.paid"}`)
	f.Add(Sign("k", now, body), body)
	f.Add("t=1795420800,v1=", body)
	f.Add("t=1795420800, v1="+strings.Repeat("A", 64)+",v1=x", []byte("{}"))
	f.Add(",,,=,t==", []byte(""))
	f.Add("t=99999999999999999999,v1="+strings.Repeat("0", 64), body)
	f.Fuzz(func(t *testing.T, header string, b []byte) {
		err := Verify("k", header, b, now, time.Hour)
		if err != nil {
			return
		}
		// Accepted: some v1 in the header must be the true MAC of b at its t.
		var ts int64
		for _, part := range strings.Split(header, ",") {
			if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && k == "t" {
				ts, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		if !strings.Contains(strings.ToLower(header), string(mac("k", ts, b))) {
			t.Fatalf("accepted %q for body %q", header, b)
		}
	})
}
