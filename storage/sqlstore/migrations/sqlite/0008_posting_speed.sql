-- 0008 posting speed (see the Postgres migration of the same number). SQLite keeps the
-- foreign keys of claim_payments and claim_events: dropping one means rebuilding the table,
-- and the embedded store has one writer and no posting-speed target.

DROP INDEX IF EXISTS claims_list_idx;

-- Denial routing marks a posted remittance with one row instead of one row per claim payment;
-- denial_route_payments stays for payments matched by hand later.
CREATE TABLE denial_route_remittances (
    remittance_id BIGINT PRIMARY KEY,
    next_seq      INTEGER NOT NULL
);

DROP TRIGGER claim_payments_denial_route;
CREATE TRIGGER claim_payments_denial_route AFTER INSERT ON claim_payments
WHEN NEW.claim_id IS NOT NULL
BEGIN
    INSERT INTO denial_route_remittances (remittance_id, next_seq) VALUES (NEW.remittance_id, NEW.seq)
    ON CONFLICT (remittance_id) DO UPDATE SET next_seq = MIN(next_seq, excluded.next_seq);
END;
