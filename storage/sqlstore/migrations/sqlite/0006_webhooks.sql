-- 0006 webhooks: the outbox of signed webhook deliveries (one row per event per submitter) and
-- the trigger that writes the claim.* events in the same transaction as the claim event that
-- causes them, whichever code path appended it (TransitionClaim, bulk batch moves, ...).

-- Which claim statuses emit which event (gateway.WebhookEventForStatus; the contract suite
-- checks that the two tables agree).
CREATE TABLE webhook_status_events (
    status     TEXT PRIMARY KEY,
    event_type TEXT NOT NULL
);
INSERT INTO webhook_status_events (status, event_type) VALUES
    ('submitted', 'claim.submitted'),
    ('accepted_999', 'claim.accepted'),
    ('accepted_277', 'claim.accepted'),
    ('rejected_999', 'claim.rejected'),
    ('rejected_277', 'claim.rejected'),
    ('paid', 'claim.paid'),
    ('partially_paid', 'claim.paid'),
    ('denied', 'claim.denied'),
    ('reversed', 'claim.reversed');

CREATE TABLE webhook_outbox (
    seq              INTEGER PRIMARY KEY,    -- delivery order
    delivery_id      TEXT NOT NULL UNIQUE,   -- X-Claimgate-Delivery, the same on every retry
    submitter_id     BIGINT NOT NULL REFERENCES submitters (id),
    claim_id         TEXT REFERENCES claims (id),
    claim_event_seq  INTEGER,                -- the claim event of a claim.* delivery
    event_type       TEXT NOT NULL,
    payload          TEXT,                   -- JSON object of an enqueued event (never PHI)
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,                   -- NULL: due now
    lease_owner      TEXT,
    lease_until      TEXT,
    last_status      INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    first_attempt_at TEXT,
    last_attempt_at  TEXT,
    delivered_at     TEXT
);
-- Work claiming: first attempts (NULL sorts first), then retries by due time.
CREATE INDEX webhook_outbox_due_idx ON webhook_outbox (next_attempt_at, seq) WHERE state = 'pending';
CREATE INDEX webhook_outbox_claim_pending_idx ON webhook_outbox (claim_id, seq) WHERE state = 'pending';
CREATE INDEX webhook_outbox_submitter_idx ON webhook_outbox (submitter_id, seq DESC);
CREATE INDEX webhook_outbox_owner_idx ON webhook_outbox (lease_owner) WHERE lease_owner IS NOT NULL;
-- Retention: finished rows by the time of their last attempt.
CREATE INDEX webhook_outbox_finished_idx ON webhook_outbox (last_attempt_at) WHERE state <> 'pending';

-- created_at is the claim event's time, written from Go.
CREATE TRIGGER claim_events_webhook_outbox AFTER INSERT ON claim_events
BEGIN
    INSERT INTO webhook_outbox (delivery_id, submitter_id, claim_id, claim_event_seq, event_type, state, created_at)
    SELECT 'whd_' || NEW.claim_id || '_' || NEW.seq, c.submitter_id, NEW.claim_id, NEW.seq, m.event_type, 'pending', NEW.at
    FROM claims c
    JOIN submitters s ON s.id = c.submitter_id
    JOIN webhook_status_events m ON m.status = NEW.to_status
    WHERE c.id = NEW.claim_id AND s.webhook_url IS NOT NULL AND s.webhook_url <> '';
END;
