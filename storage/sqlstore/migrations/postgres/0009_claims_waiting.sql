-- 0009 claims waiting: the claims that wait for a step of ours get a table of their own, so that
-- claims.status is in no index and a claim's status change is a heap-only (HOT) update.
--
-- A status change used to write an entry into every index of claims (six of them), because
-- claims_status_payer_idx held the status: that was most of the time of posting an 835. Only
-- three statuses were ever looked up through that index, all for work we do ourselves:
--   queued        the next batch of a payer takes them, oldest first (QueuedClaimsForBatch);
--   submitted     waiting for a 999, watched by the stale-claims monitor;
--   accepted_999  waiting for a 277CA, watched the same way.
-- claims_waiting holds one row per claim in one of those statuses, with the time it entered
-- it. A trigger on claim_events keeps it: every status change of a claim appends an event in
-- the same statement as (or the statement after) its UPDATE, whatever the path (intake,
-- batching, acknowledgments, posting, corrections). Claims paid from accepted_277, the usual
-- case, never touch this table. The A/R of reconciliation reports reads claims by status with
-- a sequential scan: a finance report, not a hot path.
--
-- claims keeps room in each page (fillfactor 70) for the new versions of its rows, which a HOT
-- update needs on the same page. Pages written before this migration fill up as they are
-- rewritten.

CREATE TABLE claims_waiting (
    claim_id   TEXT PRIMARY KEY,
    payer_id   TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'accepted_999')),
    since      TIMESTAMPTZ NOT NULL, -- the time of the event that moved the claim into status
    created_at TIMESTAMPTZ NOT NULL  -- the claim's: batches take the oldest claims first
);
CREATE INDEX claims_waiting_queued_idx ON claims_waiting (payer_id, created_at, claim_id) WHERE status = 'queued';
CREATE INDEX claims_waiting_ack_idx ON claims_waiting (status, since, claim_id) WHERE status <> 'queued';

INSERT INTO claims_waiting (claim_id, payer_id, status, since, created_at)
SELECT c.id, c.payer_id, c.status, COALESCE(e.at, c.updated_at), c.created_at
FROM claims c LEFT JOIN claim_events e ON e.claim_id = c.id AND e.seq = c.last_event_seq
WHERE c.status IN ('queued', 'submitted', 'accepted_999');

-- The claims of the new events that leave a waiting status lose their row; then each claim's
-- latest event among those that touch a waiting status decides whether it has one, and since
-- when. Events of one claim form a chain (each from_status is the previous to_status), so the
-- latest event that touches a waiting status ends in one only if the claim is still there.
-- The claim ids go through an array and the payer and creation time through subqueries on the
-- primary key: the plan PL/pgSQL keeps can then only probe indexes, whatever the number of
-- events of the statement it was first planned for (see 0008, 4).
CREATE FUNCTION claims_waiting_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM claims_waiting WHERE claim_id = ANY (ARRAY(
        SELECT n.claim_id FROM claims_waiting_new_events n
        WHERE n.from_status IN ('queued', 'submitted', 'accepted_999')));
    INSERT INTO claims_waiting (claim_id, payer_id, status, since, created_at)
    SELECT l.claim_id,
           (SELECT c.payer_id FROM claims c WHERE c.id = l.claim_id),
           l.to_status, l.at,
           (SELECT c.created_at FROM claims c WHERE c.id = l.claim_id)
    FROM (SELECT DISTINCT ON (n.claim_id) n.claim_id, n.to_status, n.at
          FROM claims_waiting_new_events n
          WHERE n.from_status IN ('queued', 'submitted', 'accepted_999')
             OR n.to_status IN ('queued', 'submitted', 'accepted_999')
          ORDER BY n.claim_id, n.seq DESC) l
    WHERE l.to_status IN ('queued', 'submitted', 'accepted_999')
    ON CONFLICT (claim_id) DO UPDATE SET status = EXCLUDED.status, since = EXCLUDED.since;
    RETURN NULL;
END
$$;

CREATE TRIGGER claim_events_claims_waiting AFTER INSERT ON claim_events
    REFERENCING NEW TABLE AS claims_waiting_new_events
    FOR EACH STATEMENT EXECUTE FUNCTION claims_waiting_events();

DROP INDEX IF EXISTS claims_status_payer_idx;

-- The operator dashboard lists every claim, newest first. 0008 dropped this index because each
-- status change wrote an entry into it; a status change no longer touches the indexes of
-- claims, and created_at never changes, so it costs an entry per new claim only.
CREATE INDEX claims_list_idx ON claims (created_at DESC, id DESC);
ALTER TABLE claims SET (fillfactor = 70);

-- The webhook outbox trigger looked up the submitter of every new event before finding that no
-- submitter has an endpoint; with none configured it now returns at once.
CREATE OR REPLACE FUNCTION webhook_outbox_claim_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM submitters WHERE webhook_url IS NOT NULL AND webhook_url <> '') THEN
        RETURN NULL;
    END IF;
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
