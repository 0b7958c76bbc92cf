-- 0007 denials: denial and rejection work items routed to the queue of the team that can fix
-- them (gateway/denials), and the markers of what routing has looked at.

CREATE TABLE denials (
    id                   INTEGER PRIMARY KEY,
    claim_id             TEXT NOT NULL REFERENCES claims (id),
    submitter_id         BIGINT NOT NULL,
    payer_id             TEXT NOT NULL,
    line_number          INTEGER,                   -- our service line; NULL at claim level
    procedure_code       TEXT NOT NULL DEFAULT '',
    source               TEXT NOT NULL CHECK (source IN ('835', '277CA', '999', 'TA1')),
    source_ref           TEXT NOT NULL,             -- the source row: rem:12/clp:3/svc:2/cas:1, rej:7
    remittance_id        BIGINT REFERENCES remittances (id),
    rejection_id         BIGINT REFERENCES rejections (id),
    group_code           TEXT NOT NULL DEFAULT '',
    carc                 TEXT NOT NULL DEFAULT '',
    rarcs                BLOB NOT NULL,
    codes                BLOB NOT NULL,
    amount               BIGINT NOT NULL DEFAULT 0, -- denied amount, cents
    category             TEXT NOT NULL,
    queue                TEXT NOT NULL,
    action               TEXT NOT NULL,
    decided_by           TEXT NOT NULL DEFAULT '',
    reason               TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'resolved')),
    assignee             TEXT NOT NULL DEFAULT '',
    resolution           TEXT NOT NULL DEFAULT '',
    resolution_note      TEXT NOT NULL DEFAULT '',
    resolved_by_claim_id TEXT REFERENCES claims (id),
    resolved_at          TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (source, source_ref)
);
CREATE INDEX denials_queue_idx ON denials (queue, status, created_at);
CREATE INDEX denials_submitter_idx ON denials (submitter_id, id);
CREATE INDEX denials_claim_idx ON denials (claim_id, id);

-- The routing queue: claim payments matched to a claim, and rejection work items, that denial
-- routing has not looked at yet. Triggers fill it whichever code path writes them (835 posting,
-- a payment matched by hand later, acknowledgment ingest), so a routing run costs what is new,
-- not the whole history; the run deletes what it routed in the transaction that stores the
-- denials.
CREATE TABLE denial_route_payments (
    remittance_id BIGINT NOT NULL,
    seq           INTEGER NOT NULL,
    PRIMARY KEY (remittance_id, seq)
);
CREATE TABLE denial_route_rejections (
    rejection_id INTEGER PRIMARY KEY
);

CREATE TRIGGER claim_payments_denial_route AFTER INSERT ON claim_payments
WHEN NEW.claim_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO denial_route_payments (remittance_id, seq) VALUES (NEW.remittance_id, NEW.seq);
END;

CREATE TRIGGER claim_payments_denial_route_match AFTER UPDATE OF claim_id ON claim_payments
WHEN NEW.claim_id IS NOT NULL AND (OLD.claim_id IS NULL OR OLD.claim_id <> NEW.claim_id)
BEGIN
    INSERT OR IGNORE INTO denial_route_payments (remittance_id, seq) VALUES (NEW.remittance_id, NEW.seq);
END;

CREATE TRIGGER rejections_denial_route AFTER INSERT ON rejections
BEGIN
    INSERT OR IGNORE INTO denial_route_rejections (rejection_id) VALUES (NEW.id);
END;

-- What was posted before this migration is routed by the first run.
INSERT INTO denial_route_payments (remittance_id, seq)
SELECT remittance_id, seq FROM claim_payments WHERE claim_id IS NOT NULL;
INSERT INTO denial_route_rejections (rejection_id) SELECT id FROM rejections;

-- Corrections: the claims replacing or voiding a claim.
CREATE INDEX IF NOT EXISTS claims_replaces_idx ON claims (replaces_claim_id) WHERE replaces_claim_id IS NOT NULL;
