package edi

import "fmt"

// Delimiters are the four separators an interchange declares in its ISA segment.
// Repetition is 0 when the interchange has none (ISA11 holds the 4010 standards identifier "U").
type Delimiters struct {
	Element    byte
	Component  byte
	Repetition byte
	Segment    byte
}

// DefaultDelimiters are the separators claimgate writes: * : ^ ~.
var DefaultDelimiters = Delimiters{Element: '*', Component: ':', Repetition: '^', Segment: '~'}

// isaElements is the number of data elements of an ISA segment.
const isaElements = 16

// DetectDelimiters reads the delimiters from the start of an ISA segment. b must begin with "ISA"
// (after any white space the caller skipped) and hold the whole ISA segment including its
// terminator. It does not assume fixed field widths: it finds the 16th element separator, takes
// ISA16 as the component separator and the byte after it as the segment terminator, so an ISA
// whose fields are not padded is still read. It returns the delimiters and the length of the ISA
// segment including its terminator.
func DetectDelimiters(b []byte) (Delimiters, int, error) {
	var d Delimiters
	if len(b) < 4 || b[0] != 'I' || b[1] != 'S' || b[2] != 'A' {
		return d, 0, fmt.Errorf("%w: the data does not start with an ISA segment", ErrSyntax)
	}
	d.Element = b[3]
	if isAlnum(d.Element) || d.Element == ' ' {
		return d, 0, fmt.Errorf("%w: ISA element separator %q is a letter, digit or space", ErrSyntax, d.Element)
	}
	n := 0
	i := 3
	elemStart := [isaElements + 1]int{}
	for ; i < len(b) && n < isaElements; i++ {
		if b[i] == d.Element {
			n++
			elemStart[n] = i + 1
		}
	}
	if n < isaElements {
		return d, 0, fmt.Errorf("%w: ISA segment is incomplete: found %d of its 16 elements", ErrSyntax, n)
	}
	// i is the position of ISA16 (one byte), then the terminator.
	if i+1 >= len(b) {
		return d, 0, fmt.Errorf("%w: ISA segment is incomplete: no component separator and terminator after ISA16", ErrSyntax)
	}
	d.Component = b[i]
	d.Segment = b[i+1]
	if d.Segment == d.Element || d.Segment == d.Component || d.Component == d.Element {
		return d, 0, fmt.Errorf("%w: ISA declares the same character %q for two delimiters", ErrSyntax, d.Segment)
	}
	if isAlnum(d.Component) || isAlnum(d.Segment) {
		return d, 0, fmt.Errorf("%w: ISA16 component separator %q or segment terminator %q is a letter or digit", ErrSyntax, d.Component, d.Segment)
	}
	// ISA11 is the repetition separator from version 00402 on; before that it is the standards
	// identifier, normally "U".
	isa11 := b[elemStart[11] : elemStart[12]-1]
	if len(isa11) == 1 && !isAlnum(isa11[0]) && isa11[0] != ' ' &&
		isa11[0] != d.Element && isa11[0] != d.Component && isa11[0] != d.Segment {
		d.Repetition = isa11[0]
	}
	return d, i + 2, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// Validate reports whether the delimiters can be used to write an interchange.
func (d Delimiters) Validate() error {
	set := []byte{d.Element, d.Component, d.Segment}
	if d.Repetition != 0 {
		set = append(set, d.Repetition)
	}
	for i, c := range set {
		if c == 0 || isAlnum(c) || c == ' ' {
			return fmt.Errorf("%w: delimiter %q must be a punctuation or control character", ErrWrite, c)
		}
		for _, o := range set[i+1:] {
			if o == c {
				return fmt.Errorf("%w: delimiter %q is declared twice", ErrWrite, c)
			}
		}
	}
	return nil
}
