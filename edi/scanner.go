package edi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

const (
	defaultBufSize = 64 << 10
	// DefaultMaxSegment is the longest segment a Scanner accepts before it gives up on finding
	// a terminator. The longest segments of the 5010 guides are a few hundred bytes.
	DefaultMaxSegment = 1 << 20
)

// Scanner splits an X12 byte stream into segments. It reads through a bounded buffer (64 KiB,
// grown only for a segment longer than that, up to MaxSegment), so memory does not grow with the
// input. It detects the delimiters from every ISA segment it meets and skips white space and
// line breaks between segments.
//
// Scanner does no envelope checking; Reader does.
type Scanner struct {
	r io.Reader
	// MaxSegment is the longest segment accepted; DefaultMaxSegment when zero.
	MaxSegment int

	buf        []byte
	start, end int
	base       int64 // input offset of buf[0]
	eof        bool
	readErr    error
	delim      Delimiters
	haveDelim  bool
	index      int
	line       int
	seg        Segment
	ids        map[string]string
	idCache    [idCacheSize]string
	idKeys     [idCacheSize]uint32 // 0: empty slot (a key always has its length bits set)
	warnings   []*Error
	fatal      error
	sniffed    bool
	// nlPos is a buffer index such that no line feed lies between the start of the last
	// segment it was looked up for and it (the next line feed then, or the end of the data);
	// -1 after the buffer moves. It spares counting line feeds inside most segments.
	nlPos int
}

// NewScanner returns a Scanner reading from r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: r, buf: make([]byte, defaultBufSize), line: 1, ids: make(map[string]string, 64)}
}

// Delimiters returns the delimiters of the current interchange (zero before the first ISA).
func (s *Scanner) Delimiters() Delimiters { return s.delim }

// Offset returns the input offset of the next unread byte.
func (s *Scanner) Offset() int64 { return s.base + int64(s.start) }

// TakeWarnings returns and clears the positioned problems the scanner tolerated (a last segment
// without terminator, stray bytes), for a Reader to collect.
func (s *Scanner) TakeWarnings() []*Error {
	w := s.warnings
	s.warnings = nil
	return w
}

// fill reads more input into the buffer, compacting and growing it as needed. It returns false
// when no more input can be read.
func (s *Scanner) fill() bool {
	if s.eof {
		return false
	}
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.base += int64(s.start)
		s.end = n
		s.start = 0
		s.nlPos = -1
	}
	if s.end == len(s.buf) {
		limit := s.maxSegment() + 1024
		if len(s.buf) >= limit {
			return false
		}
		nb := make([]byte, min(2*len(s.buf), limit))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.readErr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.eof = true
	s.readErr = io.ErrNoProgress
	return false
}

func (s *Scanner) maxSegment() int {
	if s.MaxSegment > 0 {
		return s.MaxSegment
	}
	return DefaultMaxSegment
}

// skippable reports whether c is white space (or padding) that may stand between segments.
func (s *Scanner) skippable(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', 0, 0x1a:
		if s.haveDelim && (c == s.delim.Element || c == s.delim.Segment) {
			return false
		}
		return true
	}
	return false
}

// Next returns the next segment, io.EOF at the end of the input, or an error when the input
// cannot be read or split (the error is an *Error wrapping ErrSyntax, or the read error).
// After an error other than io.EOF, Next keeps returning it.
func (s *Scanner) Next() (*Segment, error) {
	if s.fatal != nil {
		return nil, s.fatal
	}
	if !s.sniffed {
		s.sniffed = true
		s.sniff()
	}
again:
	// Skip white space, a byte order mark and padding between segments.
	for {
		// Only bytes up to ' ' can be skippable: the first test settles nearly every segment.
		for s.start < s.end && s.buf[s.start] <= ' ' && s.skippable(s.buf[s.start]) {
			if s.buf[s.start] == '\n' {
				s.line++
			}
			s.start++
		}
		if s.start < s.end {
			if s.base == 0 && s.start == 0 && s.end >= 3 && s.buf[0] == 0xEF && s.buf[1] == 0xBB && s.buf[2] == 0xBF {
				s.start = 3
				continue
			}
			if s.base == 0 && s.start == 0 && s.end < 3 && s.buf[0] == 0xEF && !s.eof {
				s.fill()
				continue
			}
			break
		}
		if !s.fill() {
			if s.readErr != nil {
				s.fatal = fmt.Errorf("reading X12 input at byte %d: %w", s.Offset(), s.readErr)
				return nil, s.fatal
			}
			return nil, io.EOF
		}
	}
	// A new interchange declares its delimiters. (The loop above leaves s.start < s.end.)
	if s.buf[s.start] == 'I' && s.atISA() {
		for {
			d, n, err := DetectDelimiters(s.buf[s.start:s.end])
			if err == nil {
				s.delim = d
				s.haveDelim = true
				_ = n
				break
			}
			if s.end-s.start > 4096 || !s.fill() {
				s.fatal = &Error{Offset: s.Offset(), SegmentIndex: s.index + 1, Line: s.line, SegmentID: "ISA", Code: "isa_unreadable", Msg: err.Error(), Err: ErrSyntax}
				return nil, s.fatal
			}
		}
	}
	if !s.haveDelim && s.recoverStart() {
		goto again
	}
	if !s.haveDelim {
		s.fatal = &Error{Offset: s.Offset(), SegmentIndex: s.index + 1, Line: s.line, Code: "no_isa",
			Msg: fmt.Sprintf("the data does not start with an ISA segment (it starts with %q); this is not an X12 interchange", preview(s.buf[s.start:s.end])), Err: ErrSyntax}
		return nil, s.fatal
	}
	// Find the terminator.
	var raw []byte
	terminated := true
	searchFrom := 0
	for {
		i := bytes.IndexByte(s.buf[s.start+searchFrom:s.end], s.delim.Segment)
		if i >= 0 {
			raw = s.buf[s.start : s.start+searchFrom+i]
			break
		}
		searchFrom = s.end - s.start
		if searchFrom > s.maxSegment() {
			s.fatal = &Error{Offset: s.Offset(), SegmentIndex: s.index + 1, Line: s.line, Code: "segment_too_long",
				Msg: fmt.Sprintf("no segment terminator %q within %d bytes; the file is not X12 or its terminator is wrong", s.delim.Segment, s.maxSegment()), Err: ErrSyntax}
			return nil, s.fatal
		}
		if !s.fill() {
			if s.readErr != nil {
				s.fatal = fmt.Errorf("reading X12 input at byte %d: %w", s.Offset(), s.readErr)
				return nil, s.fatal
			}
			raw = s.buf[s.start:s.end]
			terminated = false
			break
		}
		// fill may have moved the data: searchFrom stays relative to s.start.
	}
	if len(raw) == 0 || (len(raw) == 1 && raw[0] == '\r') {
		// An empty segment (two terminators in a row, or a blank line when the terminator is a
		// line feed) carries nothing.
		s.start += len(raw)
		if terminated {
			s.start++
			if s.delim.Segment == '\n' {
				s.line++
			}
		}
		goto again
	}
	s.index++
	seg := &s.seg
	seg.Offset = s.base + int64(s.start)
	seg.Index = s.index
	seg.Line = s.line
	seg.delim = s.delim
	seg.split = false
	consumed := len(raw)
	if terminated {
		consumed++
	}
	segStart := s.start
	s.start += consumed
	if s.delim.Segment == '\n' {
		s.line++
	}
	// A CR before a LF terminator, or trailing line breaks, are not part of the segment.
	for len(raw) > 0 && raw[len(raw)-1] <= '\r' && (raw[len(raw)-1] == '\r' || raw[len(raw)-1] == '\n') && raw[len(raw)-1] != s.delim.Element {
		if raw[len(raw)-1] == '\n' {
			s.line++ // a line break before the terminator still moves later segments down
		}
		raw = raw[:len(raw)-1]
	}
	// Line feeds inside the segment: count them only when the next line feed is not past it.
	if s.nlPos < segStart {
		if i := bytes.IndexByte(s.buf[segStart:s.end], '\n'); i >= 0 {
			s.nlPos = segStart + i
		} else {
			s.nlPos = s.end
		}
	}
	if s.nlPos < segStart+len(raw) {
		if nl := bytes.Count(raw, []byte{'\n'}); nl > 0 {
			s.line += nl
		}
	}
	seg.raw = raw
	// The id is two or three bytes long: look for its end in the first bytes before asking
	// IndexByte to search the whole segment.
	idEnd := -1
	for i := 0; i < len(raw) && i < 4; i++ {
		if raw[i] == s.delim.Element {
			idEnd = i
			break
		}
	}
	if idEnd < 0 && len(raw) > 4 {
		if i := bytes.IndexByte(raw[4:], s.delim.Element); i >= 0 {
			idEnd = 4 + i
		}
	}
	if idEnd < 0 {
		idEnd = len(raw)
	}
	// The interned id: a cache hit, or internSlow.
	if id := raw[:idEnd]; len(id) == 2 || len(id) == 3 {
		if key, h := idKey(id); s.idKeys[h] == key {
			seg.ID = s.idCache[h]
		} else {
			seg.ID = s.internSlow(id)
		}
	} else {
		seg.ID = s.internMap(id)
	}
	if !terminated {
		s.warnings = append(s.warnings, &Error{Offset: seg.Offset, SegmentIndex: seg.Index, Line: seg.Line, SegmentID: seg.ID,
			Code: "missing_terminator", Msg: fmt.Sprintf("the last segment has no terminator %q", s.delim.Segment), Err: ErrSyntax})
	}
	return seg, nil
}

func (s *Scanner) atISA() bool {
	if s.end-s.start < 4 && !s.eof {
		s.fill()
	}
	b := s.buf[s.start:s.end]
	return len(b) >= 4 && b[0] == 'I' && b[1] == 'S' && b[2] == 'A' && !isAlnum(b[3]) && b[3] != ' '
}

// idCacheSize is the number of slots of the Scanner's direct-mapped segment id cache. With
// the hash below, the ids of the 5010 guides claimgate reads (835, 837, 999, 277, 270/271,
// TA1 and the envelopes) fall in distinct slots but for three rare pairs (AMT/CR7, CL1/DN2,
// CR8/MEA); a collision only costs a map lookup.
const idCacheSize = 1024

// Segment ids are interned: Next returns the same string for the same id without allocating.
// A small direct-mapped cache (idKeys/idCache) answers for two- and three-byte ids (nearly
// every segment) before the map, whose lookup was the scanner's largest cost per segment.
// Next holds the cache hit path itself (a method would be too big to inline); internSlow
// fills the cache.

// idKey returns the cache key of a two- or three-byte id, which encodes the whole id (length
// and bytes) so one integer comparison decides, and its slot.
func idKey(b []byte) (key uint32, slot uint32) {
	var c2 uint32
	if len(b) == 3 {
		c2 = uint32(b[2])
	}
	key = uint32(len(b))<<24 | uint32(b[0])<<16 | uint32(b[1])<<8 | c2
	return key, (uint32(b[0])*961 + uint32(b[1])*31 + c2) & (idCacheSize - 1)
}

// internSlow interns an id the cache does not hold, and caches it.
func (s *Scanner) internSlow(b []byte) string {
	id := s.internMap(b)
	if n := len(b); n == 2 || n == 3 {
		key, h := idKey(b)
		s.idKeys[h] = key
		s.idCache[h] = id
	}
	return id
}

func (s *Scanner) internMap(b []byte) string {
	if id, ok := s.ids[string(b)]; ok {
		return id
	}
	id := string(b)
	if len(s.ids) < 4096 {
		s.ids[id] = id
	}
	return id
}

func preview(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return string(b)
}

// maxPreamble is how far into the input the scanner looks for an ISA behind free text.
const maxPreamble = 64 << 10

// recoverStart handles input that does not begin with an ISA: free text before the ISA (skipped,
// with a warning) or a bare transaction set starting at ST with no envelope (read with delimiters
// guessed from the ST segment, with a warning). It reports whether reading can go on.
func (s *Scanner) recoverStart() bool {
	for s.end-s.start < maxPreamble && s.fill() {
	}
	b := s.buf[s.start:s.end]
	if len(b) > maxPreamble {
		b = b[:maxPreamble]
	}
	for i := 0; i+7 <= len(b); i++ {
		if b[i] == 'I' && b[i+1] == 'S' && b[i+2] == 'A' && (i == 0 || !isAlnum(b[i-1])) {
			sep := b[i+3]
			if !isAlnum(sep) && sep != ' ' && b[i+6] == sep {
				s.warnings = append(s.warnings, &Error{Offset: s.Offset(), SegmentIndex: s.index + 1, Line: s.line, Code: "text_before_isa",
					Msg: fmt.Sprintf("%d bytes of text before the ISA segment were skipped", i), Err: ErrSyntax})
				s.line += bytes.Count(b[:i], []byte{'\n'})
				s.start += i
				return true
			}
		}
	}
	// A group or transaction set without interchange envelope: "GS*HC*..." or "ST*835*1234~".
	if len(b) > 4 && (b[0] == 'S' && b[1] == 'T' || b[0] == 'G' && b[1] == 'S') && !isAlnum(b[2]) && b[2] != ' ' {
		d := Delimiters{Element: b[2]}
		seps := 0
		for i := 3; i < len(b) && i < 64; i++ {
			c := b[i]
			if c == d.Element {
				seps++
				continue
			}
			if !isAlnum(c) && c != ' ' && c != '.' && c != '-' && c != '_' {
				d.Segment = c
				break
			}
		}
		if d.Segment == 0 || seps < 1 {
			return false
		}
		d.Component = ':'
		if d.Component == d.Element || d.Component == d.Segment {
			d.Component = '>'
		}
		s.delim = d
		s.haveDelim = true
		s.warnings = append(s.warnings, &Error{Offset: s.Offset(), SegmentIndex: s.index + 1, Line: s.line, SegmentID: string(b[:2]), Code: "no_envelope",
			Msg: fmt.Sprintf("the data starts at a %s segment with no ISA envelope; delimiters were guessed from it", b[:2]), Err: ErrEnvelope})
		return true
	}
	return false
}

// sniff looks at the first bytes of the input once: UTF-16 input is transcoded to UTF-8 from
// there on (offsets then count UTF-8 bytes).
func (s *Scanner) sniff() {
	for s.end < 6 && s.fill() {
	}
	is, be, bom := sniffUTF16(s.buf[:s.end])
	if !is {
		return
	}
	rest := append([]byte(nil), s.buf[bom:s.end]...)
	s.r = &utf16Reader{r: io.MultiReader(bytes.NewReader(rest), s.r), bigEndian: be}
	s.start, s.end = 0, 0
	s.eof = false
	s.readErr = nil
	s.warnings = append(s.warnings, &Error{Code: "utf16", Msg: "the file is UTF-16 encoded; it was read as text, but payers expect ASCII/UTF-8 X12", Err: ErrSyntax})
}
