// Package x999 reads, writes and generates 999 implementation acknowledgments (ASC X12
// 005010X231A1).
//
// A 999 answers one functional group: AK1 names the group, one AK2 loop per transaction set
// reports its errors (IK3 segment errors with CTX context, IK4 element errors) and its verdict
// (IK5), and AK9 gives the group's verdict and counts. FunctionalAck is that content as a Go
// value with snake_case JSON tags; SegmentError.Sentence turns an error into words a billing
// clerk can act on.
//
// Reading goes through an edi.Reader, so envelope problems and 999 content problems land in one
// positioned list:
//
//	f, err := x999.Read(file) // every 999 set of the input, and every problem found
//
// or, for a caller that dispatches on ST01 itself, a Decoder fed segment by segment.
//
// Generating: a Tracker watches the segments of any X12 input as an edi.Reader returns them
// (the functional groups, transaction sets, and for 837s the claim each segment belongs to);
// Tracker.Acknowledge then turns the reader's problems, plus any the caller found itself,
// into one FunctionalAck per group. Write emits acknowledgments as a complete interchange.
package x999
