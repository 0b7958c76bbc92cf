package acks

import (
	"bytes"
	"strconv"

	"github.com/claimgate/claimgate/edi"

	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/gateway"
)

type ta1Unit struct{ ack ta1.Ack }

type x999Unit struct{ ack x999.FunctionalAck }

type x277Unit struct{ t x277.Transaction }

// parse reads a file as kind. A TA1 may stand before the first group of an interchange that
// carries 999s or 277CAs, so those kinds also pick up TA1 segments; they come first, as in the
// file. A file that cannot be read, or holds no unit of its kind, is to be quarantined.
func parse(kind gateway.FileKind, b []byte) parsed {
	var p parsed
	switch kind {
	case gateway.KindTA1:
		f, err := ta1.Read(bytes.NewReader(b))
		if f != nil {
			p.problems = f.Errors
			for i := range f.Acks {
				p.units = append(p.units, unit{ta1: &ta1Unit{ack: f.Acks[i]}})
			}
		}
		if err != nil || len(p.units) == 0 {
			p.quarantine = quarantineReason(kind, err, p.problems)
		}
	case gateway.Kind999:
		f, err := x999.Read(bytes.NewReader(b))
		if err != nil || f == nil || len(f.Acks) == 0 {
			if f != nil {
				p.problems = f.Errors
			}
			p.quarantine = quarantineReason(kind, err, p.problems)
			return p
		}
		p.problems = f.Errors
		p.units = embeddedTA1(b)
		for i := range f.Acks {
			p.units = append(p.units, unit{x999: &x999Unit{ack: f.Acks[i]}})
		}
	case gateway.Kind277CA:
		f, err := x277.Read(bytes.NewReader(b))
		if err != nil || f == nil || len(f.Transactions) == 0 {
			if f != nil {
				p.problems = f.Errors
			}
			p.quarantine = quarantineReason(kind, err, p.problems)
			return p
		}
		p.problems = f.Errors
		p.units = embeddedTA1(b)
		for i := range f.Transactions {
			p.units = append(p.units, unit{x277: &x277Unit{t: f.Transactions[i]}})
		}
	}
	if p.quarantine == "" {
		if e := damage(p.problems); e != nil {
			p.units = nil
			p.quarantine = "damaged or cut short: " + e.Error()
			if len(p.problems) > 1 {
				p.quarantine += " (" + strconv.Itoa(len(p.problems)) + " problems in all)"
			}
		}
	}
	return p
}

// damaging are the problem codes that mean the file is damaged or cut short: a transaction set,
// group or interchange without its trailer, or bytes that do not split into segments. Such a
// file's last set may be incomplete, so none of it is applied: it is quarantined. Other
// problems (a wrong count, a control number mismatch, a bad value) are recorded in the file's
// reason and the file is processed.
var damaging = map[string]bool{"missing_se": true, "missing_ge": true, "missing_iea": true,
	"missing_terminator": true, "segment_too_long": true}

// damage returns the first problem that makes the file unusable, or nil.
func damage(es edi.Errors) *edi.Error {
	for _, e := range es {
		if damaging[e.Code] {
			return e
		}
	}
	return nil
}

// embeddedTA1 returns the TA1 segments of an input read for another kind; its problems are
// already among the main reader's.
func embeddedTA1(b []byte) []unit {
	if !bytes.Contains(b, []byte("TA1")) {
		return nil
	}
	f, err := ta1.Read(bytes.NewReader(b))
	if err != nil || f == nil {
		return nil
	}
	var out []unit
	for i := range f.Acks {
		out = append(out, unit{ta1: &ta1Unit{ack: f.Acks[i]}})
	}
	return out
}
