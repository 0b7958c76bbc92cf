package submission

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/gateway"
)

// Sniff recognises what a response file holds from its envelopes, without parsing the
// transactions: a TA1 (interchange acknowledgment, with no transaction set), a 999
// (ST01 999), a 277CA (ST01 277 whose GS08 or ST03 is the 005010X214 guide) or an 835. It
// returns KindUnknown with a reason (no X12 content, only positions and codes) for anything
// else: not X12, no transaction set, a kind claimgate does not take (a 277 that is not a 277CA,
// an 837), or several kinds in one file.
func Sniff(data []byte) (gateway.FileKind, string) {
	if len(bytes.TrimSpace(data)) == 0 {
		return gateway.KindUnknown, "empty file"
	}
	r := edi.NewReader(bytes.NewReader(data))
	var (
		kinds   = map[gateway.FileKind]bool{}
		other   []string
		sawTA1  bool
		gs08    string
		sets    int
		lastErr error
	)
	for {
		seg, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			lastErr = err
			break
		}
		switch seg.ID {
		case "TA1":
			sawTA1 = true
		case "GS":
			gs08 = seg.String(8)
		case "ST":
			sets++
			st01, st03 := seg.String(1), seg.String(3)
			switch st01 {
			case "999":
				kinds[gateway.Kind999] = true
			case "835":
				kinds[gateway.Kind835] = true
			case "277":
				if strings.Contains(st03, "X214") || (st03 == "" && strings.Contains(gs08, "X214")) {
					kinds[gateway.Kind277CA] = true
				} else {
					other = append(other, "a 277 that is not a 277CA (guide "+safeCode(firstNonEmpty(st03, gs08))+")")
				}
			default:
				other = append(other, "transaction set "+safeCode(st01))
			}
		}
	}
	if lastErr != nil && sets == 0 && !sawTA1 {
		return gateway.KindUnknown, "not a readable X12 interchange: " + errCode(lastErr)
	}
	if len(other) > 0 {
		return gateway.KindUnknown, "not a response claimgate takes: " + strings.Join(dedupe(other), ", ")
	}
	switch len(kinds) {
	case 0:
		if sawTA1 {
			return gateway.KindTA1, ""
		}
		if lastErr != nil {
			return gateway.KindUnknown, "not a readable X12 interchange: " + errCode(lastErr)
		}
		return gateway.KindUnknown, "no transaction set and no TA1 segment"
	case 1:
		for k := range kinds {
			return k, ""
		}
	}
	var names []string
	for _, k := range []gateway.FileKind{gateway.Kind999, gateway.Kind277CA, gateway.Kind835} {
		if kinds[k] {
			names = append(names, string(k))
		}
	}
	return gateway.KindUnknown, "several kinds of transaction sets in one file: " + strings.Join(names, ", ")
}

// errCode describes a reader error by its code and position only.
func errCode(err error) string {
	var e *edi.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%s at byte %d", e.Code, e.Offset)
	}
	return "unreadable input"
}

// safeCode keeps an element value that should be a short code from carrying anything else
// into a reason.
func safeCode(s string) string {
	if len(s) > 16 {
		s = s[:16]
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return "?"
		}
	}
	if s == "" {
		return "(empty)"
	}
	return s
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
