package x835

import (
	"errors"
	"fmt"
	"io"

	"github.com/claimgate/claimgate/edi"
)

// Totals are the control totals of one 835 transaction set, exactly as `claimgate edi parse`
// prints them (DESIGN.md): amounts are decimal strings with two decimals in JSON.
type Totals struct {
	// ClaimCount is the number of CLP segments; ReversalCount those with CLP02 = 22.
	ClaimCount    int `json:"claim_count"`
	ReversalCount int `json:"reversal_count"`
	// Charged is the sum of CLP03, Paid the sum of CLP04.
	Charged edi.Amount `json:"charged"`
	Paid    edi.Amount `json:"paid"`
	// PaymentAmount is BPR02 signed by BPR03 (D, a debit, is negative).
	PaymentAmount edi.Amount `json:"payment_amount"`
	// ProviderAdjustmentCount is the number of PLB segments, ProviderAdjustments the sum of
	// their amounts (PLB04, 06, 08, 10, 12, 14).
	ProviderAdjustmentCount int        `json:"provider_adjustment_count"`
	ProviderAdjustments     edi.Amount `json:"provider_adjustments"`
	// Balanced reports whether PaymentAmount == Paid - ProviderAdjustments.
	Balanced bool `json:"balanced"`
}

// Add adds the counts and amounts of o to t (for file totals) and recomputes Balanced.
func (t *Totals) Add(o Totals) {
	t.ClaimCount += o.ClaimCount
	t.ReversalCount += o.ReversalCount
	t.Charged += o.Charged
	t.Paid += o.Paid
	t.PaymentAmount += o.PaymentAmount
	t.ProviderAdjustmentCount += o.ProviderAdjustmentCount
	t.ProviderAdjustments += o.ProviderAdjustments
	t.balance()
}

func (t *Totals) balance() { t.Balanced = t.PaymentAmount == t.Paid-t.ProviderAdjustments }

// TransactionInfo says which transaction set a Totals belongs to.
type TransactionInfo struct {
	// InterchangeControlNumber is ISA13 and GroupControlNumber GS06 ("" without envelope).
	InterchangeControlNumber string `json:"interchange_control_number,omitempty"`
	GroupControlNumber       string `json:"group_control_number,omitempty"`
	// ControlNumber is ST02.
	ControlNumber string `json:"control_number"`
	// Offset and SegmentIndex locate the ST segment in the input.
	Offset       int64 `json:"offset"`
	SegmentIndex int   `json:"segment_index"`
	// Complete is false when the set has no SE segment (the file is cut short or the next
	// envelope segment came first).
	Complete bool `json:"complete"`
	// InvalidAmounts counts the CLP03, CLP04, BPR02 and PLB amounts that could not be read
	// and were counted as zero (the full reader reports each one with its position).
	InvalidAmounts int `json:"invalid_amounts,omitempty"`
}

// endsSet reports whether a segment id closes an open transaction set: its own SE, or an
// envelope segment that shows the SE is missing.
func endsSet(id string) bool {
	switch id {
	case "SE", "ST", "GS", "GE", "ISA", "IEA":
		return true
	}
	return false
}

// ReadTotals streams every 835 transaction set of r (any number of interchanges, groups and
// sets, other transaction types skipped) and calls fn with the totals of each set as soon as
// the set ends. It builds no model and keeps nothing per claim, so memory does not grow with the
// input. It checks no envelopes and reports no positioned problems (use Reader for those); an
// amount that cannot be read counts as zero and in TransactionInfo.InvalidAmounts.
//
// It returns nil at the end of the input, an error when the input cannot be read or split into
// segments, or the first error fn returns, wrapped.
func ReadTotals(r io.Reader, fn func(TransactionInfo, Totals) error) error {
	sc := edi.NewScanner(r)
	var (
		isa, gs string
		in      bool
		bpr     bool
		info    TransactionInfo
		t       Totals
	)
	flush := func(complete bool) error {
		in = false
		info.Complete = complete
		t.balance()
		if err := fn(info, t); err != nil {
			return fmt.Errorf("x835 totals of transaction set %s: %w", info.ControlNumber, err)
		}
		return nil
	}
	for {
		seg, err := sc.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if in {
					return flush(false)
				}
				return nil
			}
			return err
		}
		id := seg.ID
		if in {
			// Most segments are three-byte ids of no interest here: settle them first.
			if len(id) == 3 && id[0] != 'I' {
				switch id[0] {
				case 'C':
					if id[1] != 'L' || id[2] != 'P' {
						break
					}
					// Only CLP02..04 are needed: find them without splitting the whole segment.
					var el [4][]byte
					leading(seg.Raw(), seg.Delimiters().Element, el[:])
					t.ClaimCount++
					if e := el[1]; len(e) == 2 && e[0] == '2' && e[1] == '2' {
						t.ReversalCount++
					}
					t.Charged += amountOf(el[2], &info)
					t.Paid += amountOf(el[3], &info)
				case 'P':
					if id[1] != 'L' || id[2] != 'B' {
						break
					}
					t.ProviderAdjustmentCount++
					for i := 4; i <= 14; i += 2 {
						t.ProviderAdjustments += amountOf(seg.Element(i), &info)
					}
				case 'B':
					if id[1] != 'P' || id[2] != 'R' || bpr {
						break
					}
					bpr = true
					t.PaymentAmount = amountOf(seg.Element(2), &info)
					if e := seg.Element(3); len(e) == 1 && e[0] == 'D' {
						t.PaymentAmount = -t.PaymentAmount
					}
				}
				continue
			}
			if !endsSet(id) {
				continue
			}
			if err := flush(id == "SE"); err != nil {
				return err
			}
			if id == "SE" {
				continue
			}
		}
		switch id {
		case "ISA":
			isa, gs = trimSpaces(seg.String(13)), ""
		case "IEA":
			isa, gs = "", ""
		case "GS":
			gs = seg.String(6)
		case "GE":
			gs = ""
		case "ST":
			if e := seg.Element(1); len(e) == 3 && e[0] == '8' && e[1] == '3' && e[2] == '5' {
				in, bpr = true, false
				t = Totals{}
				info = TransactionInfo{InterchangeControlNumber: isa, GroupControlNumber: gs, ControlNumber: seg.String(2),
					Offset: seg.Offset, SegmentIndex: seg.Index}
			}
		}
	}
}

// leading stores the first len(dst) data elements of a raw segment in dst (nil when absent).
// A byte loop: the elements wanted are short and near the start, where a call to
// bytes.IndexByte per element costs more than looking at each byte.
func leading(raw []byte, sep byte, dst [][]byte) {
	k, start := -1, 0 // element -1 is the segment id
	for i := 0; i < len(raw); i++ {
		if raw[i] != sep {
			continue
		}
		if k >= 0 {
			dst[k] = raw[start:i]
		}
		k++
		if k == len(dst) {
			return
		}
		start = i + 1
	}
	if k < 0 {
		k = 0 // no element at all
	} else {
		dst[k] = raw[start:]
		k++
	}
	for ; k < len(dst); k++ {
		dst[k] = nil
	}
}

// amountOf parses an element as an amount; empty is zero, unreadable is zero and counted.
func amountOf(e []byte, info *TransactionInfo) edi.Amount {
	if len(e) == 0 {
		return 0
	}
	a, err := edi.ParseAmountBytes(e)
	if err != nil {
		info.InvalidAmounts++
		return 0
	}
	return a
}

func trimSpaces(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] == ' ' {
		i++
	}
	for j > i && s[j-1] == ' ' {
		j--
	}
	return s[i:j]
}
