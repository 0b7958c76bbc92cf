-- 0003 submission and polling: claims held out of batching because they cannot be rendered,
-- and each payer's last successful submit and poll runs.

CREATE TABLE claim_holds (
    claim_id   TEXT PRIMARY KEY REFERENCES claims (id),
    payer_id   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX claim_holds_payer_idx ON claim_holds (payer_id, created_at);

CREATE TABLE payer_state (
    payer_id       TEXT PRIMARY KEY,
    last_submit_at TEXT,
    last_poll_at   TEXT
);
