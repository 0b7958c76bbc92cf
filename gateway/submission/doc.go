// Package submission moves claims to payers and fetches what payers send back, over SFTP, on
// each payer's schedule: the submit and poll job handlers, the per-payer schedules that enqueue
// them, the operator's submit-now and poll-now triggers (gateway.PayerOps) and their metrics.
//
// # Submit (job kind "submit", payload {"payer_id": "..."})
//
// A run takes the payer's lease "submit:PAYERID" (gateway.LockTx) or, when another replica
// holds it, returns quietly. Then:
//
//  1. Resume: every batch of the payer that is not uploaded yet (status ready, or building or
//     failed left by an older version) is uploaded again with the bytes archived for it and
//     the remote name stored with it. payers.Client.Upload writes a temporary name and renames,
//     and succeeds without writing when the server already holds exactly those bytes under that
//     name; then, in one transaction, the batch becomes uploaded, its file processed and its
//     claims submitted (one event each, source "batch:ID").
//  2. Batch: in ONE transaction, select up to BatchLimit queued claims of the payer (FOR UPDATE
//     SKIP LOCKED on Postgres; claims on hold are skipped), map each stored encounter to an 837
//     claim (gateway/intake ToClaim: CLM01 is the claim id, REF*6R line control numbers),
//     allocate ISA13, GS06 and ST02 from the store's counters, render the interchange
//     (edi/x837) with the payer's receiver ids and ISA15 usage, archive the file (outbound,
//     kind 837, status pending), create the batch (status ready, remote name
//     CG_<PAYERID>_<ISA13>.837, derived from the never-reused ISA13) and mark the claims batched.
//     Then upload and finish as in 1. Repeat until no queued claim is left.
//
// The invariant: whatever point a run dies at, the next run resumes the batch with the same
// bytes and the same remote name, asks the server what it has, and no claim is ever in two
// different files (a claim is batched in the same transaction that fixes its file's bytes).
// One limit is inherent to SFTP: a payer that removes files the moment they arrive cannot be
// told apart from a lost upload, so a run that died between the rename and its commit sends
// that file again; the payer sees the same ISA13 twice and drops the duplicate interchange.
//
// # Claims that cannot be rendered
//
// Scrubbing at intake makes this rare, but a claim whose stored encounter ToClaim or the 837
// validation refuses (or whose claim type the payer does not take) must not block its batch.
// Such a claim stays queued and is put on hold (gateway.ClaimHold, with the failing fields as
// the reason): later runs skip it, the batch goes out without it, and the billing team corrects
// it with a replacement or void claim (or an operator releases the hold with DeleteClaimHold).
// The log line names the claim id and the failing fields, never their values.
//
// # Poll (job kind "poll")
//
// A run takes "poll:PAYERID", lists the payer's download folder and, for each file: downloads
// it, recognises its kind by sniffing (Sniff: TA1, 999, 277CA, 835), archives it (inbound; the
// same bytes twice is a no-op), hands it to the Ingester registered for its kind (files of a
// kind without an ingester are marked pending), quarantines what it cannot recognise with the
// reason, and only then deletes, moves or keeps the remote file (sftp.after_download). A
// successful run records the payer's last poll time.
//
// # Test hook
//
// Config.CrashHook is called at named points of a submit run ("after-archive": the batch
// transaction committed; "after-upload": the file is on the server, not yet recorded;
// "after-submit": recorded). cmd/claimgate sets it, for tests only, from
// CLAIMGATE_TEST_CRASHPOINT so that a crash test can kill the daemon exactly there.
//
// # Metrics
//
// claimgate_sftp_operations_total{payer,op,result}, claimgate_batches_submitted_total{payer},
// claimgate_claims_submitted_total{payer}, claimgate_files_received_total{payer,kind} and
// claimgate_last_poll_success_timestamp_seconds{payer}, registered on Config.Registerer.
//
// Logs carry payer ids, batch and file ids, control numbers and counts; never PHI or X12
// content.
package submission
