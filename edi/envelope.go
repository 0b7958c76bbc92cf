package edi

// Interchange is what an ISA segment declares.
type Interchange struct {
	AuthQualifier     string     `json:"-"`
	SecurityQualifier string     `json:"-"`
	SenderQualifier   string     `json:"sender_qualifier"`
	SenderID          string     `json:"sender"`
	ReceiverQualifier string     `json:"receiver_qualifier"`
	ReceiverID        string     `json:"receiver"`
	Date              string     `json:"date"` // ISA09 YYMMDD
	Time              string     `json:"time"` // ISA10 HHMM
	Version           string     `json:"version"`
	ControlNumber     string     `json:"control_number"`
	AckRequested      string     `json:"ack_requested"`
	Usage             string     `json:"usage"` // ISA15: P production, T test
	Delimiters        Delimiters `json:"-"`
	Offset            int64      `json:"-"`
	SegmentIndex      int        `json:"-"`
	// GroupCount is the number of GS segments seen so far in the interchange.
	GroupCount int `json:"-"`
}

// Group is what a GS segment declares.
type Group struct {
	FunctionalID  string `json:"functional_id"` // GS01: HC (837), HP (835), FA (999), HN (277)
	Sender        string `json:"sender"`        // GS02
	Receiver      string `json:"receiver"`      // GS03
	Date          string `json:"date"`          // GS04 CCYYMMDD
	Time          string `json:"time"`          // GS05
	ControlNumber string `json:"control_number"`
	Agency        string `json:"-"`       // GS07
	Version       string `json:"version"` // GS08, e.g. 005010X222A1
	Offset        int64  `json:"-"`
	SegmentIndex  int    `json:"-"`
	// TransactionCount is the number of ST segments seen so far in the group.
	TransactionCount int `json:"-"`
}

// Transaction is what an ST segment declares.
type Transaction struct {
	ID            string `json:"id"`             // ST01: 837, 835, 999, 277, TA1 is not a transaction set
	ControlNumber string `json:"control_number"` // ST02
	Version       string `json:"version"`        // ST03 (implementation convention reference), may be empty
	Offset        int64  `json:"-"`
	SegmentIndex  int    `json:"-"`
	// Segments is the number of segments of the set read so far, ST included.
	Segments int `json:"-"`
	// Errors is the number of problems recorded against the set so far.
	Errors int `json:"-"`
}

// GuideVersion returns the implementation guide the set follows: ST03, or GS08 when ST03 is
// absent (a 4010 habit some senders keep).
func (t *Transaction) GuideVersion(g *Group) string {
	if t.Version != "" || g == nil {
		return t.Version
	}
	return g.Version
}
