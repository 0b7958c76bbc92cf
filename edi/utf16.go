package edi

import (
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// utf16Reader transcodes UTF-16 (little or big endian) to UTF-8. Some Windows tools save X12 as
// UTF-16; the Scanner recognises it from the first bytes ("I\x00S\x00A\x00" or a byte order
// mark) and reads it through this.
type utf16Reader struct {
	r         io.Reader
	bigEndian bool
	in        [4096]byte
	inLen     int
	out       []byte
	err       error
	pending   uint16 // a high surrogate waiting for its pair
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		n, err := u.r.Read(u.in[u.inLen:])
		u.inLen += n
		if err != nil {
			u.err = err
		}
		units := u.inLen / 2
		buf := make([]byte, 0, units*3)
		for i := 0; i < units; i++ {
			var c uint16
			if u.bigEndian {
				c = uint16(u.in[2*i])<<8 | uint16(u.in[2*i+1])
			} else {
				c = uint16(u.in[2*i]) | uint16(u.in[2*i+1])<<8
			}
			switch {
			case u.pending != 0:
				r := utf16.DecodeRune(rune(u.pending), rune(c))
				u.pending = 0
				buf = utf8.AppendRune(buf, r)
			case utf16.IsSurrogate(rune(c)) && c < 0xDC00:
				u.pending = c
			default:
				buf = utf8.AppendRune(buf, rune(c))
			}
		}
		copy(u.in[:], u.in[2*units:u.inLen])
		u.inLen -= 2 * units
		u.out = buf
		if n == 0 && err == nil {
			continue
		}
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// sniffUTF16 reports whether b (the first bytes of the input) is UTF-16 X12, its byte order,
// and how many bytes of byte order mark to skip.
func sniffUTF16(b []byte) (is, bigEndian bool, bom int) {
	switch {
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return true, false, 2
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return true, true, 2
	case len(b) >= 6 && b[0] == 'I' && b[1] == 0 && b[2] == 'S' && b[3] == 0 && b[4] == 'A' && b[5] == 0:
		return true, false, 0
	case len(b) >= 6 && b[0] == 0 && b[1] == 'I' && b[2] == 0 && b[3] == 'S' && b[4] == 0 && b[5] == 'A':
		return true, true, 0
	}
	return false, false, 0
}
