-- 0005 remittances: 835 payments (one row per transaction set), the claim payments (CLP), line
-- payments (SVC), their CAS adjustments and remark codes, and the provider-level adjustments
-- (PLB). Money is BIGINT cents. Dates from the 835 are TEXT YYYY-MM-DD.
-- line_payments, remit_adjustments and remit_remarks belong to a claim payment by
-- (remittance_id, claim_seq); they are written with it in one transaction (sqlstore
-- AddClaimPayments) and have no foreign key of their own: a per-row check would double the cost
-- of bulk posting.

CREATE TABLE remittances (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id          BIGINT NOT NULL REFERENCES files (id),
    payer_id         TEXT NOT NULL,
    payer_name       TEXT NOT NULL DEFAULT '',
    payer_identifier TEXT NOT NULL DEFAULT '',
    trace_number     TEXT NOT NULL DEFAULT '',
    control_number   TEXT NOT NULL DEFAULT '',
    handling_code    TEXT NOT NULL DEFAULT '',
    amount           BIGINT NOT NULL,
    credit_debit     TEXT NOT NULL DEFAULT '',
    method           TEXT NOT NULL DEFAULT '',
    effective_date   TEXT NOT NULL DEFAULT '',
    balanced         BOOLEAN NOT NULL DEFAULT TRUE,
    problems         TEXT NOT NULL DEFAULT '[]',
    duplicate_of     BIGINT REFERENCES remittances (id),
    claim_count      INTEGER NOT NULL DEFAULT 0,
    matched_count    INTEGER NOT NULL DEFAULT 0,
    unmatched_count  INTEGER NOT NULL DEFAULT 0,
    reversal_count   INTEGER NOT NULL DEFAULT 0,
    charged          BIGINT NOT NULL DEFAULT 0,
    paid             BIGINT NOT NULL DEFAULT 0,
    provider_total   BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL
);
-- One payment per payer and trace number; repeats are stored flagged with duplicate_of.
CREATE UNIQUE INDEX remittances_payment_uq ON remittances (payer_id, trace_number)
    WHERE duplicate_of IS NULL AND trace_number <> '';
CREATE INDEX remittances_file_idx ON remittances (file_id, id);
CREATE INDEX remittances_date_idx ON remittances (effective_date, payer_id);

-- claim_payments rows are written with their remittance in one transaction; like the line,
-- adjustment and remark rows they carry no per-row foreign key check on remittance_id (it
-- would dominate the cost of bulk posting). claim_id keeps its foreign key to claims.
CREATE TABLE claim_payments (
    remittance_id      BIGINT NOT NULL,
    seq                INTEGER NOT NULL,
    claim_id           TEXT REFERENCES claims (id),
    submitter_id       BIGINT,
    matched_by         TEXT NOT NULL DEFAULT '',
    pcn                TEXT NOT NULL DEFAULT '',
    status_code        TEXT NOT NULL DEFAULT '',
    reversal           BOOLEAN NOT NULL DEFAULT FALSE,
    charge             BIGINT NOT NULL,
    paid               BIGINT NOT NULL,
    patient_resp       BIGINT NOT NULL,
    filing_indicator   TEXT NOT NULL DEFAULT '',
    payer_claim_number TEXT NOT NULL DEFAULT '',
    facility_type      TEXT NOT NULL DEFAULT '',
    frequency          TEXT NOT NULL DEFAULT '',
    patient_name       TEXT NOT NULL DEFAULT '',
    member_id          TEXT NOT NULL DEFAULT '',
    service_date       TEXT NOT NULL DEFAULT '',
    crossover_payer    TEXT NOT NULL DEFAULT '',
    result             TEXT NOT NULL DEFAULT '',
    note               TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (remittance_id, seq)
);
CREATE INDEX claim_payments_claim_idx ON claim_payments (claim_id) WHERE claim_id IS NOT NULL;
CREATE INDEX claim_payments_submitter_idx ON claim_payments (submitter_id, remittance_id) WHERE submitter_id IS NOT NULL;

CREATE TABLE line_payments (
    remittance_id    BIGINT NOT NULL,
    claim_seq        INTEGER NOT NULL,
    seq              INTEGER NOT NULL,
    line_number      INTEGER NOT NULL DEFAULT 0,
    matched_by       TEXT NOT NULL DEFAULT '',
    control_number   TEXT NOT NULL DEFAULT '',
    proc_qualifier   TEXT NOT NULL DEFAULT '',
    procedure_code   TEXT NOT NULL DEFAULT '',
    modifiers        TEXT NOT NULL DEFAULT '',
    revenue_code     TEXT NOT NULL DEFAULT '',
    charge           BIGINT NOT NULL,
    paid             BIGINT NOT NULL,
    allowed          BIGINT NOT NULL DEFAULT 0,
    units            TEXT NOT NULL DEFAULT '',
    service_date     TEXT NOT NULL DEFAULT '',
    service_date_end TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (remittance_id, claim_seq, seq)
);

-- CAS triplets; line_seq 0 is claim level.
CREATE TABLE remit_adjustments (
    remittance_id BIGINT NOT NULL,
    claim_seq     INTEGER NOT NULL,
    line_seq      INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    group_code    TEXT NOT NULL,
    reason_code   TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    quantity      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (remittance_id, claim_seq, line_seq, seq)
);

-- Remark codes (RARC) from LQ*HE (line), MOA and MIA (claim); line_seq 0 is claim level.
CREATE TABLE remit_remarks (
    remittance_id BIGINT NOT NULL,
    claim_seq     INTEGER NOT NULL,
    line_seq      INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    source        TEXT NOT NULL,
    code          TEXT NOT NULL,
    PRIMARY KEY (remittance_id, claim_seq, line_seq, seq)
);

-- PLB adjustments, one row per reason/amount pair.
CREATE TABLE provider_adjustments (
    remittance_id      BIGINT NOT NULL REFERENCES remittances (id),
    seq                INTEGER NOT NULL,
    provider_id        TEXT NOT NULL DEFAULT '',
    fiscal_period_date TEXT NOT NULL DEFAULT '',
    reason             TEXT NOT NULL,
    reference          TEXT NOT NULL DEFAULT '',
    amount             BIGINT NOT NULL,
    PRIMARY KEY (remittance_id, seq)
);

-- Matching by CLP07 looks claims up by payer claim number.
CREATE INDEX IF NOT EXISTS claims_payer_claim_number_idx ON claims (payer_id, payer_claim_number)
    WHERE payer_claim_number <> '';
