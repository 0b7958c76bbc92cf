-- 0010 webhook fairness: the delivery worker can cap the deliveries of one submitter in flight
-- (webhooks.per_submitter), so that one submitter's backlog (an 835 paying 20,000 claims
-- queues 20,000 claim.paid deliveries) or slow receiver cannot hold every delivery slot while
-- other submitters' events wait. Claiming reads each submitter's due deliveries in order,
-- first attempts first, then retries by due time: this index replaces the one over all
-- pending deliveries in that order (0006), which nothing else reads.
DROP INDEX IF EXISTS webhook_outbox_due_idx;
CREATE INDEX webhook_outbox_submitter_due_idx ON webhook_outbox (submitter_id, next_attempt_at NULLS FIRST, seq)
    WHERE state = 'pending';

-- The dashboard's overview lists the latest failed deliveries of every submitter: few rows
-- among the delivered ones of the whole retention period.
CREATE INDEX webhook_outbox_failed_idx ON webhook_outbox (seq) WHERE state = 'failed';
