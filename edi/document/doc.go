// Package document reads any X12 file claimgate knows (835, 837P/I, 999, 277CA, TA1, others as
// generic sets) into one JSON-ready document: interchanges, groups, sets and every positioned
// problem, in input order. Its JSON is the output of `claimgate edi parse` (DESIGN.md,
// "claimgate edi parse JSON"); `claimgate edi validate` reads the same document for its problems
// and its 999 acknowledgment.
//
// Read takes a function that opens the input afresh, because it reads the input more than once:
// a structure pass (envelopes, set types and sizes, 999, 277CA and TA1 content, every envelope
// problem), then one pass per transaction type that has a reader of its own (x835, x837). The
// problems each transaction reader finds in its own sets join the envelope problems in one list,
// sorted by position and without duplicates.
//
//	doc, err := document.Read(ctx, func() (io.ReadCloser, error) { return os.Open(path) }, document.Options{})
//	if err != nil {
//		return err // the input could not be opened, or ctx ended
//	}
//	json.NewEncoder(os.Stdout).Encode(doc)
//	if doc.Unreadable != nil { ... } // the document holds what was read before the input broke off
//
// Like every package under edi, it imports nothing of claimgate outside edi/.
package document
