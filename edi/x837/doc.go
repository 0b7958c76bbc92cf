// Package x837 is claimgate's claim model and its 5010 837 forms: Render writes claims as 837P
// (005010X222A1) and 837I (005010X223A2) interchanges, and Reader parses 837P/837I files back
// into the same model, recording every problem it finds as a positioned *edi.Error.
//
// # Rendering
//
// An Interchange holds the envelope values and the claims for one payer. Render writes one
// ISA/IEA; professional claims go into one GS/ST (837P) and institutional claims into another
// (837I). Within a transaction set, claims with equal billing providers share a 2000A loop; each
// claim gets its own 2000B subscriber loop (and 2000C patient loop when the patient is not the
// subscriber). Layout tells, before rendering, which group and transaction set control number
// each claim gets, so the caller can record them.
//
//	err := x837.Render(f, &x837.Interchange{Sender: ..., Receiver: ..., Claims: claims})
//
// Render first runs Validate, which checks every claim against the TR3 rules that matter
// (required values per claim type, element lengths, code lists, NPI check digits, dates, the
// nine-digit ZIP code of billing provider and service facility, CLM02 equal to the sum of the
// lines, delimiters inside values). It refuses an interchange with any problem, writing nothing
// and returning ClaimErrors that name each claim (by index and patient control number, never by
// patient data) and field (by its JSON path, e.g. "service_lines[2].units").
//
// Rendering allocates nothing per segment: dates are appended as digits, amounts through
// edi.Amount, and the edi.Writer builds segments in place.
//
// # Reading
//
//	r := x837.NewReader(edi.NewReader(f))
//	ics, err := r.ReadAll() // err only for unreadable input
//	problems := r.Errors()  // envelope and 837 problems, positioned
//
// Each Interchange lists its claims and, in Transactions, the transaction sets they came from
// (type, ST02, guide version, BHT03, and the range of claims).
//
// The Reader tracks loops by HL hierarchy and segment ids, and reports missing required
// segments and loops, HL parents that do not exist, wrong HL04 child codes, ICD-9 diagnosis
// qualifiers, NPIs failing the check digit, diagnosis pointers past the claim's diagnoses,
// invalid dates and amounts and similar problems without stopping. It never panics on
// malformed input. Loops the model does not carry (2320/2330 coordination of benefits, 2430
// line adjudication, ambulance and supervising providers) are recognised and skipped.
package x837
