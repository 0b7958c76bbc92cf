package gateway

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// Submitter is an API client (an EHR system or billing system) with its own bearer token.
// Only the token's sha256 is stored.
type Submitter struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"` // unique
	TokenHash     string     `json:"-"`    // hex sha256 of the token
	WebhookURL    string     `json:"webhook_url,omitempty"`
	WebhookSecret string     `json:"-"`
	CreatedAt     time.Time  `json:"created_at"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
}

// TokenPrefix starts every API token, so leaked tokens are recognisable by secret scanners.
const TokenPrefix = "cg_"

// NewToken returns a new API token (TokenPrefix + 43 characters of unpadded base64url over 32
// random bytes) and its HashToken.
func NewToken() (token, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("gateway: crypto/rand failed: %v", err)) // never fails on supported platforms
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken returns the hex sha256 of a token: the form stored and looked up.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SubmitterTx is the submitter method group of Tx.
type SubmitterTx interface {
	// CreateSubmitter stores s (Name and TokenHash required). A duplicate name is ErrConflict.
	CreateSubmitter(ctx context.Context, s Submitter) (Submitter, error)
	// GetSubmitter returns a submitter by id, revoked or not.
	GetSubmitter(ctx context.Context, id int64) (Submitter, error)
	// SubmitterByName returns a submitter by name, revoked or not.
	SubmitterByName(ctx context.Context, name string) (Submitter, error)
	// ListSubmitters returns every submitter ordered by name.
	ListSubmitters(ctx context.Context) ([]Submitter, error)
	// RevokeSubmitter marks the submitter revoked: its token stops working at once.
	// Revoking an already revoked submitter keeps the first revocation time.
	RevokeSubmitter(ctx context.Context, name string) error
	// SetSubmitterWebhook sets (or, with url "", clears) the submitter's webhook URL and secret.
	SetSubmitterWebhook(ctx context.Context, name, url, secret string) error
	// SubmitterByTokenHash authenticates an API call. Unknown or revoked is ErrNotFound.
	SubmitterByTokenHash(ctx context.Context, hash string) (Submitter, error)
}
