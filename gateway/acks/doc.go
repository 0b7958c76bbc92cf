// Package acks ingests the acknowledgments a payer sends back for our 837 batches (TA1, 999
// and 277CA files) and moves the claims through their life cycle accordingly.
//
// The poll job (gateway/submission) archives each inbound file and hands it to an Ingester,
// by kind: Ingester.Ingest dispatches on File.Kind, and Ingester.For returns a value of one
// kind for a registry keyed by kind. Everything one file does (its acknowledgments, the claim
// transitions with their events, the claim acknowledgments, the unmatched parts, the rejection
// work items, and the file's status) is written in ONE transaction: a file is processed
// completely or not at all. A file already processed or quarantined is left alone, so the same
// file ingested twice changes nothing.
//
// # Matching
//
//   - 999: the acknowledged group's control number (AK102) and the file's payer find the batch
//     (gateway.AckTx.BatchesByGroupControl), and the batch's archived 837 is read back
//     (edi/x837) to find which claims each transaction set (AK202 = ST02) carried. An accepted
//     set (IK501 A or E) moves its claims to accepted_999; a rejected one (R, M, W, X) moves them
//     to rejected_999 with the IK3/IK4 errors turned into sentences. An error that names its
//     claim (CTX CLM01) is given to that claim; one that does not concerns every claim of the
//     set. A claim of a rejected set that has no error of its own is told so: it can be sent
//     again unchanged.
//   - TA1: TA101 is our ISA13. A rejected interchange (TA104 R) rejects the whole batch: every
//     claim of it moves to rejected_999 (there is no separate TA1 status in the life cycle; a
//     TA1 rejection means no set of the interchange was even read, which is what rejected_999
//     means to the submitter: correct the file and send the claim again) with the TA1's note
//     in words. An accepted TA1 is recorded and changes no claim.
//   - 277CA: each claim answer is matched by TRN02 (the patient control number, which is our
//     claim id, case- and Crockford-normalised), then by REF*1K (the payer's claim control
//     number), within the file's payer. REF*1K is kept as the claim's payer claim number.
//     Categories A1, A2 and A5 move the claim to accepted_277; A3, A4, A6, A7, A8, E3 and E4 to
//     rejected_277, with every STC code and its meaning; P* and R* to pended; A0 (forwarded)
//     and anything else is recorded and keeps the status (edi/x277 Classify decides).
//
// Every move respects gateway.CanTransition. When files arrive out of order (a 277CA before
// the 999) the later stage wins: a claim already accepted_277 keeps that status when the 999
// arrives, and the 999 is still recorded against the claim with a note. A claim that has moved
// to another batch since (it was corrected and sent again) is not moved by an acknowledgment of
// its earlier batch. A claim still batched (the payer answered before the upload was recorded)
// is not moved either: batched cannot become accepted_999; the acknowledgment is recorded with
// a note, and the claim shows up as stale if nothing else comes. A rejecting acknowledgment
// that arrives after a later acceptance (a 999 rejection after the 277CA accepted the claim)
// keeps the later stage and creates no work item.
//
// Whatever matches nothing (an unknown group, set, interchange or claim) is kept as a
// gateway.UnmatchedAcknowledgment with the identifiers it carried; nothing is dropped.
//
// # Rejection work items
//
// Every time an acknowledgment moves a claim into rejected_999 or rejected_277, a
// gateway.Rejection is written: the claim, the source (999, TA1, 277CA), the codes, the
// sentences, a denial category and its work queue from edi/codes (ClassifySyntaxError for a
// 999 error, ClassifyClaimStatus for a 277CA status; "other" for a TA1 rejection and for a
// claim rejected only because its set was). Denial routing (issue 8) reads these with
// ListRejections and resolves them; they start with status "open".
//
// # Staleness
//
// Claims that stay submitted without a 999, or accepted_999 without a 277CA, longer than the
// configured durations are "stale": Staleness.Filter builds the store query, StaleClaims lists
// them and Ingester.RefreshStale (or RunStaleMonitor) sets the claimgate_claims_stale gauge.
//
// # Metrics
//
// claimgate_acks_ingested_total{payer,kind,result} counts files (result processed,
// quarantined, duplicate or error), claimgate_claim_acks_total{payer,kind,outcome} claim
// acknowledgments, claimgate_unmatched_acks_total{payer,kind} unmatched parts, and
// claimgate_claims_stale{payer,waiting_for} the stale claims. Logs carry file, batch and ack
// ids, control numbers and counts, never patient data or X12 content.
package acks
