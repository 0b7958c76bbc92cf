-- 0008 posting speed: what a large 835 writes per claim payment, cut to what it needs.
--
-- 1. claim_payments.claim_id and claim_events.claim_id lose their foreign keys to claims. Each
--    per-row check costs an index probe and a KEY SHARE lock on the claim row (a heap write
--    and a WAL record), and together they were a third of the time of posting 20,000 claim
--    payments. Both columns are written only by storage/sqlstore, always with a claim id read
--    or updated in the same transaction (UPDATE ... RETURNING for events, the claims matched
--    for payments, an existence check for manual matches), and claims are never deleted. The
--    contract suite checks that no orphan rows exist after every scenario
--    (storetest.checkIntegrity).
--    The same holds for webhook_outbox.claim_id, written by the claim_events trigger below
--    (one delivery per event of a submitter with a webhook endpoint) with the event's claim id.
ALTER TABLE claim_payments DROP CONSTRAINT IF EXISTS claim_payments_claim_id_fkey;
ALTER TABLE claim_events DROP CONSTRAINT IF EXISTS claim_events_claim_id_fkey;
ALTER TABLE webhook_outbox DROP CONSTRAINT IF EXISTS webhook_outbox_claim_id_fkey;

-- 2. Listing claims is always per submitter (claims_submitter_idx) or per batch; the index over
--    every claim by creation time only cost an entry on every claim update.
DROP INDEX IF EXISTS claims_list_idx;

-- 3. Denial routing marks a whole posted remittance with one row (the routing run reads its
--    matched payments from next_seq on) instead of one queue row per claim payment.
--    denial_route_payments stays for payments matched by hand later.
CREATE TABLE denial_route_remittances (
    remittance_id BIGINT PRIMARY KEY,
    next_seq      INTEGER NOT NULL
);

CREATE OR REPLACE FUNCTION denial_route_new_payments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO denial_route_remittances (remittance_id, next_seq)
    SELECT n.remittance_id, MIN(n.seq) FROM denial_new_claim_payments n
    WHERE n.claim_id IS NOT NULL GROUP BY n.remittance_id
    ON CONFLICT (remittance_id) DO UPDATE
        SET next_seq = LEAST(denial_route_remittances.next_seq, EXCLUDED.next_seq);
    RETURN NULL;
END
$$;

-- 4. The webhook outbox trigger of 0006 joined claims to the new events. PL/pgSQL plans a
--    statement without parameters once per session and keeps the plan: after a bulk move of
--    thousands of claims (a hash join reading all of claims) every single-claim event of that
--    connection read all of claims again. The submitter now comes from a subquery per event,
--    which can only be a primary key lookup, whatever the number of events.
CREATE OR REPLACE FUNCTION webhook_outbox_claim_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_outbox (delivery_id, submitter_id, claim_id, claim_event_seq, event_type, state, created_at)
    SELECT 'whd_' || e.claim_id || '_' || e.seq, e.submitter_id, e.claim_id, e.seq, m.event_type, 'pending', e.at
    FROM (SELECT n.claim_id, n.seq, n.at, n.to_status,
                 (SELECT c.submitter_id FROM claims c WHERE c.id = n.claim_id) AS submitter_id
          FROM webhook_new_claim_events n OFFSET 0) e
    JOIN webhook_status_events m ON m.status = e.to_status
    JOIN submitters s ON s.id = e.submitter_id
    WHERE s.webhook_url IS NOT NULL AND s.webhook_url <> ''
    ORDER BY e.claim_id, e.seq;
    RETURN NULL;
END
$$;
