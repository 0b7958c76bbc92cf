// Package ta1 reads and writes TA1 interchange acknowledgments.
//
// A TA1 segment answers one interchange (ISA/IEA) as a whole: it echoes the interchange's
// control number, date and time, and says whether the envelope was accepted (TA104 A), accepted
// with errors (E) or rejected (R), with a note code (TA105, 000 to 031) naming the envelope
// problem. TA1 segments stand between ISA and IEA without a functional group, either alone in
// their own interchange or before the first GS of an interchange that carries other
// acknowledgments.
//
// Read finds every TA1 of an input; Parse reads one segment for a caller that reads the input
// itself. Write emits a complete ISA/TA1/IEA interchange. Acknowledge builds the TA1 for an
// interchange from the envelope problems an edi.Reader found in it, and AcknowledgeAll does so
// for every interchange of an input.
package ta1
