-- 0011 denial history (see the Postgres migration of the same number): who assigned, unassigned
-- and resolved each denial, and when.
CREATE TABLE denial_events (
    denial_id  BIGINT NOT NULL REFERENCES denials (id),
    seq        INTEGER NOT NULL,
    at         TEXT        NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('assigned', 'unassigned', 'resolved')),
    actor      TEXT NOT NULL,           -- "operator", "submitter:7", "claimgate"
    assignee   TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    claim_id   TEXT,                    -- the corrected claim of a resolution
    PRIMARY KEY (denial_id, seq)
);
