// Package webhooks delivers claimgate's signed webhooks.
//
// Events are written to an outbox (gateway.WebhookTx) in the same transaction as the change
// that causes them: the store writes the claim.* events itself whenever a claim event moves a
// claim into a status gateway.WebhookEventForStatus maps, and other packages add
// remittance.received and denial.created with Enqueue inside their own transaction.
//
// A Worker (run by `claimgate serve`) claims due deliveries through the store (SKIP LOCKED on
// Postgres, so several replicas share the work), POSTs each as JSON to the submitter's URL
// and records the outcome: 2xx is delivered; anything else is retried with exponential
// backoff and jitter until RetryFor (24 hours by default) has passed since the first attempt,
// then the delivery is marked failed (visible in GET /v1/webhooks/deliveries). The events of
// one claim are delivered one at a time, in order; events of different claims flow
// independently. A delivery keeps its id (X-Claimgate-Delivery) on every retry, so receivers
// dedupe on it: delivery is at least once.
//
// Every request carries
//
//	Content-Type: application/json
//	X-Claimgate-Event: claim.accepted
//	X-Claimgate-Delivery: whd_01JD3Q4M6Z8K2R5T7V9X_3
//	X-Claimgate-Signature: t=1795420800,v1=5f0c...e1 (hex HMAC-SHA256(secret, "<t>.<body>"))
//
// and receivers check it with Verify.
package webhooks
