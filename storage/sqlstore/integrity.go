package sqlstore

import (
	"context"
	"fmt"
)

// integrityChecks are the references the schema leaves unenforced for bulk speed (see
// migrations 0005 and 0008) and the claims_waiting table its trigger keeps (0009), each a
// query counting the rows that break it.
var integrityChecks = []struct{ name, query string }{
	{"claim events of no claim", `SELECT COUNT(*) FROM claim_events e
 WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = e.claim_id)`},
	{"claim payments matched to no claim", `SELECT COUNT(*) FROM claim_payments cp
 WHERE cp.claim_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = cp.claim_id)`},
	{"claim payments of no remittance", `SELECT COUNT(*) FROM claim_payments cp
 WHERE NOT EXISTS (SELECT 1 FROM remittances r WHERE r.id = cp.remittance_id)`},
	{"line payments of no claim payment", `SELECT COUNT(*) FROM line_payments l
 WHERE NOT EXISTS (SELECT 1 FROM claim_payments cp WHERE cp.remittance_id = l.remittance_id AND cp.seq = l.claim_seq)`},
	{"adjustments of no claim payment", `SELECT COUNT(*) FROM remit_adjustments a
 WHERE NOT EXISTS (SELECT 1 FROM claim_payments cp WHERE cp.remittance_id = a.remittance_id AND cp.seq = a.claim_seq)`},
	{"remarks of no claim payment", `SELECT COUNT(*) FROM remit_remarks m
 WHERE NOT EXISTS (SELECT 1 FROM claim_payments cp WHERE cp.remittance_id = m.remittance_id AND cp.seq = m.claim_seq)`},
	{"webhook deliveries of no claim", `SELECT COUNT(*) FROM webhook_outbox w
 WHERE w.claim_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = w.claim_id)`},
	{"claims waiting (queued, submitted, accepted_999) without a claims_waiting row", `SELECT COUNT(*) FROM claims c
 WHERE c.status IN ('queued', 'submitted', 'accepted_999')
 AND NOT EXISTS (SELECT 1 FROM claims_waiting w WHERE w.claim_id = c.id AND w.status = c.status)`},
	{"claims_waiting rows of a claim in another status", `SELECT COUNT(*) FROM claims_waiting w
 WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = w.claim_id AND c.status = w.status)`},
	{"claims whose last event is missing", `SELECT COUNT(*) FROM claims c WHERE c.last_event_seq > 0
 AND NOT EXISTS (SELECT 1 FROM claim_events e WHERE e.claim_id = c.id AND e.seq = c.last_event_seq)`},
}

// CheckIntegrity reports the rows that break a reference the schema does not enforce with a
// foreign key: one sentence per kind of problem, none when the data is whole. The contract
// suite runs it after every scenario; an operator can run it with `claimgate migrate -check`.
func (s *Store) CheckIntegrity(ctx context.Context) ([]string, error) {
	var out []string
	for _, c := range integrityChecks {
		var n int64
		if err := s.db.QueryRow(ctx, c.query).Scan(&n); err != nil {
			return nil, fmt.Errorf("integrity check %q: %w", c.name, mapErr(&s.d, err))
		}
		if n > 0 {
			out = append(out, fmt.Sprintf("%d %s", n, c.name))
		}
	}
	return out, nil
}
