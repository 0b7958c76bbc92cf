package webhooks_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/gateway/webhooks"
)

// A receiver checks the signature over the raw body before anything else, then processes each
// delivery id once.
func ExampleVerify() {
	secret := "whsec_example_secret_0123456789"
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		if err := webhooks.Verify(secret, r.Header.Get(webhooks.HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		fmt.Println("verified", r.Header.Get(webhooks.HeaderEvent), r.Header.Get(webhooks.HeaderDelivery))
		w.WriteHeader(http.StatusNoContent)
	})

	body := []byte(`{"id":"whd_01JD3Q4M6Z8K2R5T7V9X_3","type":"claim.accepted","created_at":"2026-11-22T10:00:00Z","data":{}}`)
	for _, sig := range []string{webhooks.Sign(secret, time.Now(), body), webhooks.Sign("wrong", time.Now(), body)} {
		req := httptest.NewRequest(http.MethodPost, "/hooks/claimgate", bytes.NewReader(body))
		req.Header.Set(webhooks.HeaderEvent, "claim.accepted")
		req.Header.Set(webhooks.HeaderDelivery, "whd_01JD3Q4M6Z8K2R5T7V9X_3")
		req.Header.Set(webhooks.HeaderSignature, sig)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// verified claim.accepted whd_01JD3Q4M6Z8K2R5T7V9X_3
	// 204
	// 401
}

// readmeVerify is the standard-library verifier of README "Webhooks", copied verbatim, so the
// README's snippet is checked against Sign.
func readmeVerify(secret, header string, body []byte, now time.Time) error {
	var t string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			t = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	ts, err := strconv.ParseInt(t, 10, 64)
	if err != nil || len(sigs) == 0 {
		return errors.New("malformed signature header")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp outside tolerance (replay?)")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(t + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		if got, err := hex.DecodeString(s); err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("signature mismatch")
}

func TestReadmeVerifierAgreesWithSign(t *testing.T) {
	now := time.Unix(1795420800, 0)
	body := []byte(`{"id":"whd_1","type":"claim.paid","data":{"claim_id":"01ABC"}}`)
	sig := webhooks.Sign("s3cret", now, body)
	tests := []struct {
		name   string
		secret string
		body   []byte
		now    time.Time
		ok     bool
	}{
		{"valid", "s3cret", body, now, true},
		{"tampered", "s3cret", bytes.Replace(body, []byte("01ABC"), []byte("01ABD"), 1), now, false},
		{"wrong secret", "other", body, now, false},
		{"replay", "s3cret", body, now.Add(10 * time.Minute), false},
	}
	for _, tc := range tests {
		err := readmeVerify(tc.secret, sig, tc.body, tc.now)
		if (err == nil) != tc.ok {
			t.Errorf("%s: readme verifier = %v", tc.name, err)
		}
		if lib := webhooks.Verify(tc.secret, sig, tc.body, tc.now, 5*time.Minute); (lib == nil) != tc.ok {
			t.Errorf("%s: Verify = %v", tc.name, lib)
		}
	}
}
