// Package sim is claimgate's payer simulator: an SFTP server (payers/sftpd) that picks up the
// 837 files uploaded to its inbound folder and answers each, after configurable delays, in its
// outbound folder, the way a payer's EDI gateway does. It lets anyone run the whole claim loop
// on one machine (`claimgate payer-sim`, and `make run` in-process).
//
// # What it answers
//
// For every complete file in DIR/sftp/inbound ("/inbound" over SFTP; dotfiles and partial
// names such as *.part or *.tmp are ignored, and a file must be unchanged between two scans):
//
//   - a TA1 (TA1_<ISA13>.x12) when the interchange asks for one (ISA14 1) or its envelope is
//     broken; a rejected interchange gets nothing else;
//   - a 999 per inbound interchange (999_<ISA13>.x12), one 999 transaction set per functional
//     group: sets without problems are accepted (IK5 A), sets the 837 reader finds breaking
//     the envelope or the TR3 are rejected (IK5 R) with IK3/IK4 positions and CTX naming the
//     claim (edi/x999's Tracker and Acknowledge);
//   - a 277CA per inbound interchange with accepted sets (277CA_<ISA13>.x12), one 277 set per
//     accepted 837 set, listing each claim: accepted (A2:20, REF*1K with the payer claim
//     number, see PayerClaimNumber) or rejected by the scenario's rejection rules (for example
//     A7:33:IL, subscriber not found);
//   - an 835 per payee (billing provider) for the claims the 277CA accepted
//     (835_<trace>.x12): each claim adjudicated by the scenario (Scenario.Adjudicate),
//     replacements and voids of a claim the simulator paid answered with a reversal (CLP02 22,
//     amounts negated) before the corrected payment, the scenario's PLB items, and BPR02 =
//     sum of CLP04 - sum of PLB so that the 835 balances; TRN02 is a unique trace number.
//
// ISA13/GS06 of the simulator's own interchanges and the trace numbers come from counters in
// DIR/state.json. A processed inbound file is moved to DIR/processed (named by its sha256), a
// file that is not X12 at all to DIR/rejected; the state remembers each processed content, so
// the same bytes uploaded again, under any name, are not answered twice, and a restart
// reprocesses nothing. Answers wait in DIR/pending until due and are then renamed into the
// outbound folder, so a client never sees a partial file and a restart loses no answer.
//
// # Scenario file
//
// The payer's behaviour is a YAML file (unknown fields are errors). Every block is optional;
// DefaultScenario is used when no file is given. testdata/sim/scenarios.yaml at the repository
// root is a complete example.
//
//	payer:
//	  name: SIMULATED HEALTH PLAN     # 835 N1*PR, 277CA NM1*PR
//	  id: SIMPAYER                    # payer id; default: the 837's ISA08 receiver
//	  tax_id: "512345678"             # TRN03 is "1" + tax_id
//	  claim_number_prefix: SIM        # payer claim numbers: SIM + 12 digits
//	  trace_prefix: SIMEFT            # EFT trace numbers: SIMEFT + 9 digits
//	  address: {line1: 1 SIMULATION WAY, city: MINNEAPOLIS, state: MN, postal_code: "55401"}
//	  phone: "8005550199"             # 835 PER*BL
//	rejections:                       # 277CA: the first matching rule rejects the claim
//	  - member_id_prefix: BAD
//	    category: A7                  # A3, A4, A6, A7 or A8
//	    code: "33"                    # claim status code
//	    entity: IL                    # entity the status is about
//	adjudication:
//	  allowed_percent: "72"           # allowed = 72% of each line's charge; the rest is CO-45
//	  deductible: "50.00"             # PR-1, per claim, from the first lines' allowed amounts
//	  copay: "25.00"                  # PR-3, once per claim
//	  coinsurance_percent: "20"       # PR-2, of what is left of each line's allowed amount
//	claim_denials:                    # deny the whole claim: CLP02 4, claim-level CAS
//	  - member_id_prefix: NOCOV
//	    group: CO
//	    reason: "27"
//	    remarks: [N30]                # sent as MOA remark codes
//	line_denials:                     # deny a line: SVC03 0, line CAS, remarks as LQ*HE
//	  - procedure: "97530"
//	    group: CO
//	    reason: "197"
//	    remarks: [N54]
//	  - {procedure: "99215", diagnosis: Z0000, group: CO, reason: "11"}
//	  - {modifier: "59", group: CO, reason: "97", remarks: [M15]}
//	  - {procedure: "99499", group: CO, reason: "4", remarks: [M51]}
//	provider_adjustments:             # PLB items on every 835 (skipped if the payment would go negative)
//	  - {reason: WO, reference: OVERPAY0001, amount: "12.50"}   # recoupment: reduces the payment
//	  - {reason: L6, amount: "-1.25"}                           # interest: increases it
//	reversals:
//	  replacements: true              # frequency 7/8 naming a paid claim: CLP02 22 then the new payment
//
// A rule's match fields (member_id_prefix, patient_control_number_prefix, procedure,
// diagnosis, modifier, frequency, claim_type) must all match; codes are compared without dots,
// ignoring case. A line denial's procedure and modifier are tested on the line, its other
// fields on the claim. When every line of a claim is denied, the claim's CLP02 is 4.
//
// # Logging
//
// The simulator logs file names, hashes, control numbers and counts, never claim content.
package sim
