-- 0010 webhook fairness (see the Postgres migration of the same number): each submitter's due
-- deliveries in claiming order. SQLite sorts NULL first in ascending order.
DROP INDEX IF EXISTS webhook_outbox_due_idx;
CREATE INDEX webhook_outbox_submitter_due_idx ON webhook_outbox (submitter_id, next_attempt_at, seq)
    WHERE state = 'pending';

-- The dashboard's overview lists the latest failed deliveries of every submitter: few rows
-- among the delivered ones of the whole retention period.
CREATE INDEX webhook_outbox_failed_idx ON webhook_outbox (seq) WHERE state = 'failed';
