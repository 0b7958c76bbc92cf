-- 0007 denials: denial and rejection work items routed to the queue of the team that can fix
-- them (gateway/denials), and the markers of what routing has looked at.

CREATE TABLE denials (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    rarcs                JSONB NOT NULL,
    codes                JSONB NOT NULL,
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
    resolved_at          TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    UNIQUE (source, source_ref)
);
CREATE INDEX denials_queue_idx ON denials (queue, status, created_at);
CREATE INDEX denials_submitter_idx ON denials (submitter_id, id);
CREATE INDEX denials_claim_idx ON denials (claim_id, id);

-- The routing queue: claim payments matched to a claim, and rejection work items, that denial
-- routing has not looked at yet. Triggers fill it whichever code path writes them (835 posting
-- with COPY, a payment matched by hand later, acknowledgment ingest), so a routing run costs what
-- is new, not the whole history; the run deletes what it routed in the transaction that stores
-- the denials.
CREATE TABLE denial_route_payments (
    remittance_id BIGINT NOT NULL,
    seq           INTEGER NOT NULL,
    PRIMARY KEY (remittance_id, seq)
);
CREATE TABLE denial_route_rejections (
    rejection_id BIGINT PRIMARY KEY
);

-- Statement-level for inserts: a COPY of thousands of payments costs one INSERT ... SELECT.
CREATE FUNCTION denial_route_new_payments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO denial_route_payments (remittance_id, seq)
    SELECT n.remittance_id, n.seq FROM denial_new_claim_payments n WHERE n.claim_id IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER claim_payments_denial_route AFTER INSERT ON claim_payments
    REFERENCING NEW TABLE AS denial_new_claim_payments
    FOR EACH STATEMENT EXECUTE FUNCTION denial_route_new_payments();

-- Row-level for matches made later (rare: a person matching an unmatched payment).
CREATE FUNCTION denial_route_matched_payment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.claim_id IS NOT NULL AND NEW.claim_id IS DISTINCT FROM OLD.claim_id THEN
        INSERT INTO denial_route_payments (remittance_id, seq) VALUES (NEW.remittance_id, NEW.seq)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER claim_payments_denial_route_match AFTER UPDATE OF claim_id ON claim_payments
    FOR EACH ROW EXECUTE FUNCTION denial_route_matched_payment();

CREATE FUNCTION denial_route_new_rejections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO denial_route_rejections (rejection_id) SELECT n.id FROM denial_new_rejections n
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER rejections_denial_route AFTER INSERT ON rejections
    REFERENCING NEW TABLE AS denial_new_rejections
    FOR EACH STATEMENT EXECUTE FUNCTION denial_route_new_rejections();

-- What was posted before this migration is routed by the first run.
INSERT INTO denial_route_payments (remittance_id, seq)
SELECT remittance_id, seq FROM claim_payments WHERE claim_id IS NOT NULL;
INSERT INTO denial_route_rejections (rejection_id) SELECT id FROM rejections;

-- Corrections: the claims replacing or voiding a claim.
CREATE INDEX IF NOT EXISTS claims_replaces_idx ON claims (replaces_claim_id) WHERE replaces_claim_id IS NOT NULL;
