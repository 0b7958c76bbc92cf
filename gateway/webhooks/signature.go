package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Request headers of every delivery.
const (
	HeaderEvent     = "X-Claimgate-Event"     // the event type, e.g. claim.paid
	HeaderDelivery  = "X-Claimgate-Delivery"  // the delivery id, the same on every retry
	HeaderSignature = "X-Claimgate-Signature" // t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
)

// DefaultTolerance is how far a signature's timestamp may be from the receiver's clock when
// Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// Verification errors; Verify wraps them.
var (
	ErrMalformedSignature = errors.New("webhooks: malformed signature header")
	ErrSignatureMismatch  = errors.New("webhooks: signature does not match")
	ErrStaleSignature     = errors.New("webhooks: signature timestamp outside the tolerance")
)

// mac returns the hex HMAC-SHA256 of "<t>.<body>" under secret.
func mac(secret string, t int64, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(strconv.FormatInt(t, 10)))
	h.Write([]byte{'.'})
	h.Write(body)
	sum := h.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// Sign returns the X-Claimgate-Signature value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := t.Unix()
	return "t=" + strconv.FormatInt(ts, 10) + ",v1=" + string(mac(secret, ts, body))
}

// maxHeader bounds the header Verify reads.
const maxHeader = 4096

// Verify checks an X-Claimgate-Signature header against the raw request body: the header must
// hold one t=<unix seconds> within tolerance of now (either side; tolerance <= 0 means
// DefaultTolerance), so a captured request cannot be replayed later, and at least one v1= that
// equals the HMAC-SHA256 of "<t>.<body>" under secret (compared in constant time). Several v1
// values are accepted so a sender may sign with an old and a new secret during a rotation;
// unknown keys are ignored. Receivers must verify the bytes as received, before parsing them.
func Verify(secret string, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		return fmt.Errorf("%w: empty secret", ErrSignatureMismatch)
	}
	if len(header) > maxHeader {
		return fmt.Errorf("%w: longer than %d bytes", ErrMalformedSignature, maxHeader)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var ts int64
	haveT := false
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: %q is not key=value", ErrMalformedSignature, clip(part))
		}
		switch k {
		case "t":
			if haveT {
				return fmt.Errorf("%w: more than one t", ErrMalformedSignature)
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 || v[0] == '+' {
				return fmt.Errorf("%w: t is not unix seconds", ErrMalformedSignature)
			}
			ts, haveT = n, true
		case "v1":
			if len(v) != sha256.Size*2 {
				return fmt.Errorf("%w: v1 is not a hex HMAC-SHA256", ErrMalformedSignature)
			}
			sigs = append(sigs, []byte(strings.ToLower(v)))
		}
	}
	if !haveT {
		return fmt.Errorf("%w: no t", ErrMalformedSignature)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%w: no v1", ErrMalformedSignature)
	}
	sent := time.Unix(ts, 0)
	if d := now.Sub(sent); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed at %s, now %s", ErrStaleSignature, sent.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// SecretPrefix starts every secret NewSecret makes, so leaked secrets are recognisable.
const SecretPrefix = "whsec_"

// MinSecretLen is the shortest secret the CLI accepts from a file.
const MinSecretLen = 24

// NewSecret returns a new webhook signing secret: SecretPrefix + 43 characters of unpadded
// base64url over 32 random bytes.
func NewSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("webhooks: crypto/rand failed: %v", err)) // never fails on supported platforms
	}
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}
