package gateway

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		tok, hash := NewToken()
		if !strings.HasPrefix(tok, TokenPrefix) || len(tok) != len(TokenPrefix)+43 {
			t.Fatalf("token %q", tok)
		}
		if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 || hash != HashToken(tok) {
			t.Fatalf("hash %q of %q", hash, tok)
		}
		if seen[tok] {
			t.Fatal("duplicate token")
		}
		seen[tok] = true
	}
}

func TestHashToken(t *testing.T) {
	// printf cg_test | sha256sum
	const want = "238d5545c4d9bac296193936ed00c28dc8cf1ead138f0e44cb4a740b091e766e"
	if got := HashToken("cg_test"); got != want {
		t.Fatalf("HashToken = %q, want %q", got, want)
	}
}
