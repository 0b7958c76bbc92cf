package document

import (
	"strings"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/edi/x999"
)

// Document is one X12 input read whole. Its JSON is exactly the keys of the contract:
// {"interchanges": [...], "errors": [...]}.
type Document struct {
	Interchanges []*Interchange `json:"interchanges"`
	// Errors is every problem of the input, positioned, in input order: Problems in their JSON form.
	Errors []Error `json:"errors"`

	// Problems is the same list as Errors, as the readers reported them (with line, component
	// and sentinel error), for printing and for a 999.
	Problems edi.Errors `json:"-"`
	// Unreadable is why the input could not be read to its end (an I/O error, no ISA segment,
	// bytes that are not X12), or nil. The document then holds what was read before.
	Unreadable error `json:"-"`

	sets    []*setRecord // the transaction sets, in input order
	tracker x999.Tracker // fed with every segment of the structure pass
}

// Interchange is one ISA/IEA envelope. Segments found outside any interchange are listed in one
// with empty header fields.
type Interchange struct {
	Sender        string   `json:"sender"`
	Receiver      string   `json:"receiver"`
	ControlNumber string   `json:"control_number"`
	Usage         string   `json:"usage"`
	Groups        []*Group `json:"groups"`
}

// Group is a functional group. A TA1 interchange acknowledgment, which sits between ISA and the
// first GS, is listed as a group of its own with an empty FunctionalID holding the one "TA1"
// transaction.
//
// Each of Transactions is, by the set's type: *x835.Remittance (835), Totals835 (an 835 whose
// content could not be read), Set837 (837P, 837I), *x999.FunctionalAck (999),
// *x277.Transaction (277CA), ta1.Ack (TA1), GenericSet (every other type).
type Group struct {
	FunctionalID  string `json:"functional_id"`
	ControlNumber string `json:"control_number"`
	Version       string `json:"version"`
	Transactions  []any  `json:"transactions"`
}

// Error is one positioned problem in the JSON of the document.
type Error struct {
	Offset       int64  `json:"offset"`
	SegmentIndex int    `json:"segment_index"`
	Segment      string `json:"segment"`
	Element      int    `json:"element"`
	Code         string `json:"code"`
	Message      string `json:"message"`
}

// GenericSet is a transaction set whose type claimgate does not read (270, 271, 276, a 277 that
// is not a 277CA, ...), or whose content could not be read: its type and size.
type GenericSet struct {
	Type          string `json:"type"`
	ControlNumber string `json:"control_number"`
	Version       string `json:"version"`
	SegmentCount  int    `json:"segment_count"` // ST and SE included
}

// Totals835 is an 835 set the x835 reader could not return: its type and size, and the totals
// of the streaming totals reader.
type Totals835 struct {
	GenericSet
	Totals x835.Totals `json:"totals"`
}

// Set837 is one 837P or 837I transaction set with its claims.
type Set837 struct {
	Type          string       `json:"type"`
	ControlNumber string       `json:"control_number"`
	Version       string       `json:"version"`
	ReferenceID   string       `json:"reference_id,omitempty"`
	Purpose       string       `json:"purpose,omitempty"`
	SegmentCount  int          `json:"segment_count"`
	Claims        []x837.Claim `json:"claims"`
}

// Counts returns the number of interchanges, of groups (TA1 acknowledgments included, as they
// are listed) and of transaction sets (ST/SE, TA1 acknowledgments not included).
func (d *Document) Counts() (interchanges, groups, sets int) {
	for _, ic := range d.Interchanges {
		groups += len(ic.Groups)
	}
	return len(d.Interchanges), groups, len(d.sets)
}

// Acknowledge answers every functional group of the input with a 999 FunctionalAck placing the
// document's Problems in their sets, and returns the groups with their acknowledgments, one for
// one (see x999.Tracker.Acknowledge).
func (d *Document) Acknowledge() ([]x999.GroupInfo, []x999.FunctionalAck) {
	acks := d.tracker.Acknowledge(d.Problems)
	return d.tracker.Groups(), acks
}

// Transaction types as the document names them.
const (
	type835   = "835"
	type999   = "999"
	type277CA = "277CA"
	type837P  = "837P"
	type837I  = "837I"
)

// setType names a transaction set from ST01 and its guide (ST03, else GS08): 837 sets by
// X222 (professional) or X223 (institutional), 277 sets by X214 (claim acknowledgment).
func setType(id, guide string) string {
	g := strings.ToUpper(guide)
	switch id {
	case "837":
		switch {
		case strings.Contains(g, "X222"):
			return type837P
		case strings.Contains(g, "X223"):
			return type837I
		}
	case "277":
		if strings.Contains(g, "X214") {
			return type277CA
		}
	}
	return id
}

// setRecord is one transaction set found by the structure pass.
type setRecord struct {
	typ      string
	id       string // ST01
	control  string
	version  string
	start    int64 // ST offset
	end      int64 // SE offset, or the offset of the segment that cut the set short
	segments int   // ST and SE included
	group    *Group
	slot     int // index in group.Transactions
}
