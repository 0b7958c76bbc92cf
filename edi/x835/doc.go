// Package x835 reads the 835 Health Care Claim Payment/Advice (005010X221A1) into a remittance
// model, checks that it balances, and computes the control totals `claimgate edi parse` prints.
//
// Reader streams: transaction sets one at a time (Next), and within a set claims one at a time
// (NextTransaction, then NextClaim), so memory does not grow with the size of a set. Every
// problem (envelope, structure, value, balancing) is recorded as a positioned *edi.Error on the
// underlying edi.Reader and reading goes on; amounts are reported, never corrected.
//
// The balancing checks are the TR3's:
//
//   - claim: CLP03 - CLP04 = the sum of the claim's CAS amounts, claim and line level;
//   - service line: SVC02 - SVC03 = the sum of the line's CAS amounts;
//   - transaction: BPR02 (negative when BPR03 is D, a debit) = sum of CLP04 - sum of PLB amounts.
//
// ReadTotals is the fast path: it computes only the Totals of each set, in constant memory,
// without building the model. Both paths compute the same totals.
//
// Amounts are edi.Amount (integer cents). A reversal (CLP02 = 22) carries the negated amounts
// of the payment it takes back; it is counted, flagged (ClaimPayment.IsReversal) and summed as
// sent.
package x835
