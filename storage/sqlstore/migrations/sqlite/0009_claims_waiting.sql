-- 0009 claims waiting (see the Postgres migration of the same number): the claims queued for a
-- batch or waiting for a 999 or 277CA are found through claims_waiting, kept by a trigger on
-- claim_events, and claims.status leaves the indexes. SQLite has no heap-only updates, but
-- one index fewer on claims is one write fewer per status change, and both stores answer the
-- same queries.

CREATE TABLE claims_waiting (
    claim_id   TEXT PRIMARY KEY,
    payer_id   TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'accepted_999')),
    since      TEXT NOT NULL, -- the time of the event that moved the claim into status
    created_at TEXT NOT NULL  -- the claim's: batches take the oldest claims first
);
CREATE INDEX claims_waiting_queued_idx ON claims_waiting (payer_id, created_at, claim_id) WHERE status = 'queued';
CREATE INDEX claims_waiting_ack_idx ON claims_waiting (status, since, claim_id) WHERE status <> 'queued';

INSERT INTO claims_waiting (claim_id, payer_id, status, since, created_at)
SELECT c.id, c.payer_id, c.status, COALESCE(e.at, c.updated_at), c.created_at
FROM claims c LEFT JOIN claim_events e ON e.claim_id = c.id AND e.seq = c.last_event_seq
WHERE c.status IN ('queued', 'submitted', 'accepted_999');

-- Row triggers fire in the order the events are inserted, so the claim's latest event wins.
CREATE TRIGGER claim_events_claims_waiting AFTER INSERT ON claim_events
WHEN NEW.from_status IN ('queued', 'submitted', 'accepted_999') OR NEW.to_status IN ('queued', 'submitted', 'accepted_999')
BEGIN
    DELETE FROM claims_waiting
    WHERE claim_id = NEW.claim_id AND NEW.from_status IN ('queued', 'submitted', 'accepted_999');
    INSERT INTO claims_waiting (claim_id, payer_id, status, since, created_at)
    SELECT c.id, c.payer_id, NEW.to_status, NEW.at, c.created_at FROM claims c
    WHERE c.id = NEW.claim_id AND NEW.to_status IN ('queued', 'submitted', 'accepted_999')
    ON CONFLICT (claim_id) DO UPDATE SET status = excluded.status, since = excluded.since;
END;

DROP INDEX IF EXISTS claims_status_payer_idx;

-- The operator dashboard lists every claim, newest first (see the Postgres migration).
CREATE INDEX claims_list_idx ON claims (created_at DESC, id DESC);
