-- 0004 acknowledgments: what TA1, 999 and 277CA files said, per acknowledgment and per claim;
-- the acknowledgments that matched nothing of ours (kept, never dropped); and the rejection work
-- items that denial routing (issue 8) works from.

-- One row per acknowledgment unit of an inbound file: a 999 transaction set (one functional
-- group answered), a TA1 segment (one interchange answered) or a 277CA transaction set.
CREATE TABLE acknowledgments (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id            BIGINT NOT NULL REFERENCES files (id),
    ordinal            INTEGER NOT NULL,          -- position of the unit in its file, from 0
    kind               TEXT NOT NULL CHECK (kind IN ('999', 'TA1', '277CA')),
    payer_id           TEXT NOT NULL,
    batch_id           BIGINT REFERENCES batches (id),
    control_number     TEXT NOT NULL DEFAULT '', -- the acknowledgment's own ST02
    ref_control_number TEXT NOT NULL DEFAULT '', -- what it answers: AK102 (GS06), TA101 (ISA13), 277CA TRN02
    status             TEXT NOT NULL DEFAULT '', -- AK901, TA104, or the 277CA receiver's status category
    received_at        TIMESTAMPTZ NOT NULL,
    detail             JSONB,
    UNIQUE (file_id, ordinal)
);
CREATE INDEX acknowledgments_payer_idx ON acknowledgments (payer_id, id);
CREATE INDEX acknowledgments_batch_idx ON acknowledgments (batch_id) WHERE batch_id IS NOT NULL;

-- Every acknowledgment a claim received, in arrival order (seq 1, 2, ...).
CREATE TABLE claim_acknowledgments (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id           TEXT NOT NULL REFERENCES claims (id),
    seq                INTEGER NOT NULL,
    ack_id             BIGINT NOT NULL REFERENCES acknowledgments (id),
    kind               TEXT NOT NULL,
    outcome            TEXT NOT NULL,             -- accepted | rejected | pended | other
    codes              JSONB NOT NULL,            -- ["IK501:R", "IK304:8", ...] or ["A7:562:85", ...]
    payer_claim_number TEXT NOT NULL DEFAULT '',
    sentences          JSONB NOT NULL,
    from_status        TEXT NOT NULL,
    to_status          TEXT NOT NULL,             -- equal to from_status when the status was kept
    note               TEXT NOT NULL DEFAULT '',
    at                 TIMESTAMPTZ NOT NULL,
    UNIQUE (claim_id, seq)
);
CREATE INDEX claim_acknowledgments_ack_idx ON claim_acknowledgments (ack_id);

-- Acknowledgments (or parts of one) that name nothing of ours.
CREATE TABLE unmatched_acknowledgments (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ack_id      BIGINT NOT NULL REFERENCES acknowledgments (id),
    file_id     BIGINT NOT NULL REFERENCES files (id),
    payer_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    identifiers JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX unmatched_acknowledgments_payer_idx ON unmatched_acknowledgments (payer_id, id);

-- A rejection work item: a claim a TA1, 999 or 277CA rejected, with its codes, sentences,
-- denial category and work queue. Denial routing (issue 8) reads and resolves these.
CREATE TABLE rejections (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id           TEXT NOT NULL REFERENCES claims (id),
    payer_id           TEXT NOT NULL,
    claim_ack_id       BIGINT NOT NULL REFERENCES claim_acknowledgments (id),
    source             TEXT NOT NULL CHECK (source IN ('999', 'TA1', '277CA')),
    codes              JSONB NOT NULL,
    sentences          JSONB NOT NULL,
    category           TEXT NOT NULL,
    queue              TEXT NOT NULL,
    decided_by         TEXT NOT NULL DEFAULT '',
    reason             TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'open',
    created_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (claim_ack_id)
);
CREATE INDEX rejections_claim_idx ON rejections (claim_id, id);
CREATE INDEX rejections_queue_idx ON rejections (queue, status, id);

-- 277CA matching falls back to the payer's claim control number.
CREATE INDEX claims_payer_claim_number_idx ON claims (payer_id, payer_claim_number) WHERE payer_claim_number <> '';
