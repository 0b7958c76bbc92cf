// Package x277 reads and writes 277CA health care claim acknowledgments (ASC X12
// 005010X214).
//
// A 277CA is a payer's (or clearinghouse's) front-end answer to the claims of an 837: for every
// claim it says accepted into adjudication, rejected (with claim status codes saying why), or
// pended. Its hierarchy (HL) has four levels: the information source (20, the payer), the
// information receiver (21, the submitter; its TRN02 echoes the 837 batch), the billing provider
// (19) and the claim (PT, patient level; its TRN02 echoes the patient control number CLM01).
// Each level carries STC status segments; claims carry the payer's claim control number
// (REF*1K) and may carry service line (SVC) statuses.
//
// Transaction is that content with snake_case JSON tags; Classify is the one place that decides
// what a list of statuses means (accepted, rejected, pended, other). Read and Decoder read
// through an edi.Reader so every problem is positioned; Write emits a complete interchange and
// Build assembles a 277CA from a flat list of claim answers (what the payer simulator sends).
package x277
