// Package edi is claimgate's X12 core: delimiter detection, a streaming segment reader, envelope
// checks (ISA/IEA, GS/GE, ST/SE), a segment writer that counts and guards its own output, and
// Amount, the integer-cents money type every transaction package uses.
//
// It is a reusable library: it imports nothing else of claimgate, and the transaction packages
// (x837, x835, x999, x277, ta1) are built on it.
//
// # Reading
//
// A Scanner splits bytes into segments with a bounded buffer; it never loads a whole file. A
// Reader wraps a Scanner and checks the envelopes as segments go by, collecting every problem it
// finds as an *Error (with byte offset, segment index, line, segment id and element position)
// instead of stopping at the first:
//
//	r := edi.NewReader(f)
//	for {
//		seg, err := r.Next()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err // unreadable input (I/O, no ISA, a segment without terminator)
//		}
//		switch seg.ID {
//		case "CLP":
//			amt, err := seg.Amount(3)
//			...
//		}
//	}
//	for _, e := range r.Errors() { ... } // envelope problems, positioned
//
// A *Segment and the bytes it returns are valid only until the next call to Next; Clone keeps one.
//
// The reader tolerates what real files carry: a UTF-8 byte order mark, leading white space, CR/LF
// or indentation between segments, an ISA whose fields are not padded to their fixed widths, and
// several interchanges (each with its own delimiters) in one file.
//
// # Writing
//
// A Writer builds segments from typed values without allocating, trims trailing empty elements,
// counts segments for SE01, transaction sets for GE01 and groups for IEA01 itself, and refuses a
// value that contains a delimiter or a control character, with an error naming the segment and
// element, rather than write a corrupt file.
package edi
