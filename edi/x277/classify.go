package x277

import (
	"strings"

	"github.com/claimgate/claimgate/edi/codes"
)

// Outcome is what a 277CA says happened to a claim (or a service line).
type Outcome string

// Outcomes.
const (
	// Accepted: the payer took the claim into adjudication; the claim moves to accepted_277.
	Accepted Outcome = "accepted"
	// Rejected: the claim did not enter adjudication; it must be corrected and sent again
	// (rejected_277).
	Rejected Outcome = "rejected"
	// Pended: the claim is held (pending review or waiting for information).
	Pended Outcome = "pended"
	// Other: the statuses say nothing about acceptance (forwarded elsewhere, finalized, no
	// answer possible, unknown codes); the claim stays where it is.
	Other Outcome = "other"
)

// Classify decides what a list of statuses (the STC composites of one claim, or of one line)
// means, from their claim status category codes (STC01-1, code list 507). Each category counts
// as:
//
//   - accepted: A1 (received), A2 (accepted into adjudication) and A5 (split on acceptance into
//     adjudication) - the life cycle treats A1 and A2 alike (accepted_277);
//   - rejected: A3 (returned unprocessable), A4 (not found), A6 (missing information), A7
//     (invalid information), A8 (relational field in error), E3 (correction required: relational
//     fields) and E4 (trading partner requirement not met);
//   - pended: P0-P5 (pending) and R0-R17 (information requested; the claim is held until it is
//     sent);
//   - other: A0 (forwarded to another entity, whose own acknowledgment is to come), F* (finalized:
//     the 835 says the rest), E0-E2 and D0 (no answer possible), and any unknown category.
//
// When the list mixes outcomes, the first of rejected, pended, accepted, other present wins: a
// claim received (A1) and rejected (A7) in the same answer is rejected. An empty list is Other.
func Classify(statuses []Status) Outcome {
	var rejected, pended, accepted bool
	for _, s := range statuses {
		c := strings.ToUpper(strings.TrimSpace(s.Category))
		switch {
		case c == "A1", c == "A2", c == "A5":
			accepted = true
		case c == "A3", c == "A4", c == "A6", c == "A7", c == "A8", c == "E3", c == "E4":
			rejected = true
		case strings.HasPrefix(c, "P") && len(c) == 2 && c[1] >= '0' && c[1] <= '5':
			pended = true
		case strings.HasPrefix(c, "R") && c != "RQ":
			if _, ok := codes.LookupStatusCategory(c); ok {
				pended = true
			}
		}
	}
	switch {
	case rejected:
		return Rejected
	case pended:
		return Pended
	case accepted:
		return Accepted
	}
	return Other
}

// Outcome classifies the claim from its claim-level statuses (see Classify). Line statuses do
// not change it: a payer that rejects one line of an accepted claim still adjudicates the claim,
// and LineAck.Outcome tells about the line.
func (c *ClaimAck) Outcome() Outcome { return Classify(c.Statuses) }

// Outcome classifies the service line from its statuses (see Classify).
func (l *LineAck) Outcome() Outcome { return Classify(l.Statuses) }

// Label describes the status in words: the category's label, then the status code and the
// entity, e.g. "Rejected: information the status code names is not valid (status 562, entity 85)".
func (s Status) Label() string {
	c, ok := codes.LookupStatusCategory(s.Category)
	label := c.Label
	if !ok {
		label = "Status category " + s.Category + " (not in the code list)"
	}
	var extra []string
	if s.Code != "" {
		extra = append(extra, "status "+s.Code)
	}
	if s.Entity != "" {
		extra = append(extra, "entity "+s.Entity)
	}
	if len(extra) > 0 {
		label += " (" + strings.Join(extra, ", ") + ")"
	}
	if s.Text != "" {
		label += ": " + s.Text
	}
	return label
}
