package sqlstore

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/url"

	"github.com/claimgate/claimgate/gateway"
)

const submitterCols = `id, name, token_hash, COALESCE(webhook_url, ''), COALESCE(webhook_secret, ''), created_at, revoked_at`

func scanSubmitter(r scanner) (gateway.Submitter, error) {
	var s gateway.Submitter
	if err := r.Scan(&s.ID, &s.Name, &s.TokenHash, &s.WebhookURL, &s.WebhookSecret, &s.CreatedAt, &s.RevokedAt); err != nil {
		return gateway.Submitter{}, err
	}
	s.CreatedAt = s.CreatedAt.UTC()
	s.RevokedAt = utcPtr(s.RevokedAt)
	return s, nil
}

func validTokenHash(h string) bool {
	b, err := hex.DecodeString(h)
	return err == nil && len(b) == 32
}

func validWebhookURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return fmt.Errorf("%w: webhook url must be an absolute http(s) URL", gateway.ErrInvalid)
	}
	return nil
}

// CreateSubmitter stores a new submitter.
func (t *tx) CreateSubmitter(ctx context.Context, s gateway.Submitter) (gateway.Submitter, error) {
	if s.Name == "" {
		return gateway.Submitter{}, fmt.Errorf("create submitter: %w: name is required", gateway.ErrInvalid)
	}
	if !validTokenHash(s.TokenHash) {
		return gateway.Submitter{}, fmt.Errorf("create submitter: %w: token hash must be a hex sha256", gateway.ErrInvalid)
	}
	if s.WebhookURL != "" {
		if err := validWebhookURL(s.WebhookURL); err != nil {
			return gateway.Submitter{}, fmt.Errorf("create submitter: %w", err)
		}
	}
	s.CreatedAt = t.clock()
	s.RevokedAt = nil
	err := t.q.QueryRow(ctx, `INSERT INTO submitters (name, token_hash, webhook_url, webhook_secret, created_at)
VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		s.Name, s.TokenHash, nullString(s.WebhookURL), nullString(s.WebhookSecret), s.CreatedAt).Scan(&s.ID)
	if err != nil {
		return gateway.Submitter{}, fmt.Errorf("create submitter %q: %w", s.Name, mapErr(t.d, err))
	}
	return s, nil
}

// GetSubmitter returns a submitter by id.
func (t *tx) GetSubmitter(ctx context.Context, id int64) (gateway.Submitter, error) {
	s, err := scanSubmitter(t.q.QueryRow(ctx, `SELECT `+submitterCols+` FROM submitters WHERE id = $1`, id))
	if err != nil {
		return gateway.Submitter{}, fmt.Errorf("submitter %d: %w", id, mapErr(t.d, err))
	}
	return s, nil
}

// SubmitterByName returns a submitter by name.
func (t *tx) SubmitterByName(ctx context.Context, name string) (gateway.Submitter, error) {
	s, err := scanSubmitter(t.q.QueryRow(ctx, `SELECT `+submitterCols+` FROM submitters WHERE name = $1`, name))
	if err != nil {
		return gateway.Submitter{}, fmt.Errorf("submitter %q: %w", name, mapErr(t.d, err))
	}
	return s, nil
}

// ListSubmitters returns every submitter by name.
func (t *tx) ListSubmitters(ctx context.Context) ([]gateway.Submitter, error) {
	rows, err := t.q.Query(ctx, `SELECT `+submitterCols+` FROM submitters ORDER BY name`)
	out, err := collectRows(rows, err, scanSubmitter)
	if err != nil {
		return nil, fmt.Errorf("list submitters: %w", mapErr(t.d, err))
	}
	return out, nil
}

// RevokeSubmitter revokes a submitter's token.
func (t *tx) RevokeSubmitter(ctx context.Context, name string) error {
	n, err := t.q.Exec(ctx, `UPDATE submitters SET revoked_at = COALESCE(revoked_at, $2) WHERE name = $1`, name, t.clock())
	if err != nil {
		return fmt.Errorf("revoke submitter %q: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("revoke submitter %q: %w", name, gateway.ErrNotFound)
	}
	return nil
}

// SetSubmitterWebhook sets or clears a submitter's webhook.
func (t *tx) SetSubmitterWebhook(ctx context.Context, name, webhookURL, secret string) error {
	if webhookURL != "" {
		if err := validWebhookURL(webhookURL); err != nil {
			return fmt.Errorf("submitter %q webhook: %w", name, err)
		}
	} else {
		secret = ""
	}
	n, err := t.q.Exec(ctx, `UPDATE submitters SET webhook_url = $2, webhook_secret = $3 WHERE name = $1`,
		name, nullString(webhookURL), nullString(secret))
	if err != nil {
		return fmt.Errorf("submitter %q webhook: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("submitter %q webhook: %w", name, gateway.ErrNotFound)
	}
	return nil
}

// SubmitterByTokenHash returns the unrevoked submitter holding a token.
func (t *tx) SubmitterByTokenHash(ctx context.Context, hash string) (gateway.Submitter, error) {
	s, err := scanSubmitter(t.q.QueryRow(ctx, `SELECT `+submitterCols+` FROM submitters WHERE token_hash = $1 AND revoked_at IS NULL`, hash))
	if err != nil {
		return gateway.Submitter{}, fmt.Errorf("submitter by token: %w", mapErr(t.d, err))
	}
	return s, nil
}
