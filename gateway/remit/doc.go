// Package remit posts 835 remittances and reconciles them for finance.
//
// # Posting
//
// Poster.Ingest is the gateway/submission Ingester for 835 files (and Poster.Upload posts a file
// uploaded by hand). It reads the file with the streaming edi/x835 reader and writes, in ONE
// store transaction together with the file's status, one gateway.Remittance per transaction
// set, its claim payments, line payments, adjustments, remarks and provider adjustments, and
// the claim transitions they cause. Claims are streamed and written in chunks, so a file of
// tens of thousands of claims is posted in bulk (COPY on Postgres) without being held whole.
//
// Matching. A claim payment (CLP) is matched to our claim by CLP01, the patient control
// number, which is our claim id (normalised: case and Crockford look-alikes), when that claim
// belongs to the remittance's payer; else by CLP07, the payer claim number recorded from a
// 277CA or an earlier 835, among the payer's claims (a replaced or voided claim only when it is
// the only candidate). What matches nothing goes to the unmatched list with the patient name,
// member id, service date and amounts needed to match it by hand (Poster.Match). A service
// line (SVC) is matched to our service line by REF*6R (our line control number "CLAIMID-n"),
// else by the same procedure code and service date.
//
// Claim status (CLP02), the rule:
//
//   - 1, 2, 3 (processed as primary, secondary, tertiary): denied when some adjustment of the
//     claim or its lines is a denial (edi/codes Classify, kind denial) and CLP04 is 0;
//     partially_paid when some adjustment is a denial and CLP04 > 0; otherwise paid: every
//     amount not paid is contractual, patient responsibility or informational, so the claim
//     was paid in full of what the payer owes;
//   - 4: denied;
//   - 19, 20, 21: forwarded (crossover, NM1*TT names the payer it went to);
//   - 22: reversed. The reversal's negative amounts are stored as sent and net out the payment
//     it takes back in every sum; the corrected payment that usually follows in the same or a
//     later 835 posts normally (reversed -> paid);
//   - 23, 25 and anything else: stored, moves no claim.
//
// A move gateway.CanTransition refuses (e.g. a claim still batched) is not made; the payment
// is still stored, matched, with a note. CLP07 is recorded on the claim with every move. A
// split claim (the same CLP01 twice) posts both payments; the second moves the claim only if
// its outcome differs.
//
// Duplicates: a file already ingested (same sha256, hence the same archived file) is a no-op;
// a payment already posted from another file (same payer and TRN02) is stored as a
// remittance flagged DuplicateOf, with no claim payments and no claim moves.
//
// Malformed files are quarantined, with the first fatal problem as the positioned reason:
// X12 the reader cannot split into segments, no 835 transaction set, a transaction set cut
// short (no SE), an amount that is not a valid amount, a missing BPR, or a missing BPR01-03, CLP01-04, CAS01-03 or PLB01-04. Other
// problems (text the scanner skipped, envelope counts, dates, codes, missing descriptive
// elements, and every balancing difference) are stored on the remittance (Problems;
// Balanced=false for balancing) and it posts: the money is real and finance must see what does
// not balance.
//
// # Who sees what
//
// Remittances are per payer, not per submitter: one check pays claims of many submitters.
// The operator (finance) sees everything. A submitter sees only the remittances that pay at
// least one of its claims, and in them only its own claim payments; payment-level figures
// (BPR amount, PLB adjustments, unmatched payments and counts of other submitters' claims)
// are never shown to a submitter. Reconciliation for a submitter adds up only its own claims.
//
// # Reconciliation
//
// Reconcile adds up, per payer, the remittances whose effective date (BPR16, or the posting
// day) falls in the period, duplicates excluded: billed (CLP03), paid (CLP04), the CAS amounts
// by kind (patient responsibility, contractual, denied, other), allowed = paid + patient
// responsibility, so that billed = paid + patient + contractual + denied + other; the
// payments (BPR02 signed) and the PLB adjustments by reason, so that payments = paid - PLB
// when everything balanced; and the A/R aging of the payer's open claims (gateway.OpenStatuses)
// by days since the claim was submitted to the payer, as of the period's end, balance = charge - net paid.
package remit
