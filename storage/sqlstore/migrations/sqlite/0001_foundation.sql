-- 0001 foundation: submitters, claims, claim events, idempotency keys, files, batches,
-- control number counters, jobs and leases. Times are written from Go in UTC.

CREATE TABLE submitters (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    token_hash     TEXT NOT NULL UNIQUE,
    webhook_url    TEXT,
    webhook_secret TEXT,
    created_at     TEXT NOT NULL,
    revoked_at     TEXT
);

CREATE TABLE files (
    id         INTEGER PRIMARY KEY,
    direction  TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    payer_id   TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    size       BIGINT NOT NULL,
    status     TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (direction, sha256)
);
CREATE INDEX files_payer_idx ON files (payer_id, id);

CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    payer_id    TEXT NOT NULL,
    isa13       BIGINT NOT NULL,
    gs06        BIGINT NOT NULL,
    file_id     BIGINT REFERENCES files (id),
    status      TEXT NOT NULL,
    remote_name TEXT NOT NULL DEFAULT '',
    claim_count INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    uploaded_at TEXT,
    UNIQUE (payer_id, isa13)
);
CREATE INDEX batches_status_idx ON batches (status, payer_id);

CREATE TABLE claims (
    id                 TEXT PRIMARY KEY,
    submitter_id       BIGINT NOT NULL REFERENCES submitters (id),
    external_id        TEXT NOT NULL,
    claim_type         TEXT NOT NULL CHECK (claim_type IN ('professional', 'institutional')),
    payer_id           TEXT NOT NULL,
    frequency          TEXT NOT NULL,
    status             TEXT NOT NULL,
    total_charge       BIGINT NOT NULL,
    line_count         INTEGER NOT NULL,
    encounter          BLOB NOT NULL,
    content_hash       TEXT NOT NULL,
    payer_claim_number TEXT NOT NULL DEFAULT '',
    batch_id           BIGINT REFERENCES batches (id),
    replaces_claim_id  TEXT REFERENCES claims (id),
    last_event_seq     INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (submitter_id, external_id)
);
CREATE INDEX claims_list_idx ON claims (created_at DESC, id DESC);
CREATE INDEX claims_submitter_idx ON claims (submitter_id, created_at DESC, id DESC);
CREATE INDEX claims_status_payer_idx ON claims (status, payer_id, created_at);
CREATE INDEX claims_batch_idx ON claims (batch_id) WHERE batch_id IS NOT NULL;

CREATE TABLE claim_events (
    claim_id    TEXT NOT NULL REFERENCES claims (id),
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    detail      BLOB,
    PRIMARY KEY (claim_id, seq)
);

CREATE TABLE idempotency_keys (
    submitter_id BIGINT NOT NULL REFERENCES submitters (id),
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    claim_id     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (submitter_id, idem_key)
);

CREATE TABLE control_numbers (
    payer_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (payer_id, kind)
);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    unique_key   TEXT UNIQUE,
    payload      BLOB,
    state        TEXT NOT NULL CHECK (state IN ('available', 'running', 'completed', 'failed', 'discarded')),
    attempt      INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       TEXT NOT NULL,
    lease_owner  TEXT,
    lease_until  TEXT,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    attempted_at TEXT,
    finalized_at TEXT
);
-- Work claiming scans only the rows that can be claimed.
CREATE INDEX jobs_ready_idx ON jobs (run_at, id) WHERE state IN ('available', 'failed');
CREATE INDEX jobs_lease_idx ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_owner_idx ON jobs (lease_owner) WHERE state = 'running';

CREATE TABLE locks (
    lock_key    TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    lease_until TEXT NOT NULL
);
