// Package denials routes every denial and rejection to the work queue of the team that can fix
// it, and prepares corrected (frequency 7) and void (frequency 8) claims.
//
// # Detection
//
// DetectPayment reads one posted 835 claim payment (gateway.ClaimPayment, as gateway/remit
// stored it): every CO, OA or PI adjustment, claim or line level, that edi/codes Table.Classify
// calls a denial becomes one gateway.Denial with its group, CARC, the remark codes given with
// it (MOA/MIA at claim level, plus LQ*HE at line level), the amount, the category, the queue,
// the suggested action and the reason in plain words. A claim denied with CLP02 4 and no denial
// adjustment becomes one claim-level denial (category other). Contractual write-offs (CO-45,
// CO-253, ...), informational adjustments and patient responsibility (PR) are not denials: the
// patient's share is billed from the remittance, it is not a work item. Reversals (CLP02 22)
// and unmatched payments yield nothing.
//
// DetectRejection turns a rejection work item of gateway/acks (a claim a TA1, 999 or 277CA
// rejected) into a denial: acks categorised it with the same table (ClassifySyntaxError,
// ClassifyClaimStatus); the queue is the table's for the category, so queue overrides apply.
//
// Each denial is keyed by its source row (source + source_ref: "rem:12/clp:3/svc:2/cas:1",
// "rej:7"), unique in the store, so detection is idempotent. FromRemittance and FromRejection
// store what they detect inside a transaction and write the denial.created webhook event
// (gateway/webhooks Enqueue) in the same transaction, only for denials they created.
//
// # Routing job
//
// Router.Sweep, run by the route_denials job (Router.Handle; Router.Schedule enqueues one per
// interval, deduplicated across replicas by its unique key), takes the claim payments and
// rejection work items off the store's routing queue (filled by triggers whichever code path
// writes them: 835 posting, a payment matched by hand later, acknowledgment ingest, and, at
// migration, everything posted before), stores their denials in one transaction per
// remittance or rejection that also takes them off the queue, and counts
// claimgate_denials_total{category,queue,payer} after the commit. A run costs what is new, not
// the history (BenchmarkSweepIdle). claimgate_denials_open{queue} is refreshed from the store
// after each run.
//
// Why a job rather than calls inside 835 posting and acknowledgment ingest: routing then covers
// every writer (a payment matched by hand, rows posted before this feature), posting and ingest
// do not depend on this package, and the metrics are counted after the commit. FromRemittance
// and FromRejection take a Tx, so they can also be called inside those transactions.
//
// # Corrections
//
// A replacement (frequency 7) or void (frequency 8) needs the payer's claim number (REF*F8),
// which the payer assigns with its 277CA (REF*1K) or 835 (CLP07): CheckCorrectable refuses
// earlier (the API answers 409: resubmit as a new original claim). PrepareReplacement and
// PrepareVoid set the frequency, the payer claim number and, for an 837I, the type of bill's
// frequency digit. The new claim carries ReplacesClaimID. The original is marked replaced or
// voided when the payer accepts the correction (a status in CorrectionAccepted), not when it is
// sent: a correction the payer rejects leaves the original as it was. When a replacement is
// accepted, the original's unresolved denials are resolved as "corrected" by it.
package denials
