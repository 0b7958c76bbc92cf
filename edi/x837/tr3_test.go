package x837

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi"
)

// This file is a small, independent TR3 checker for rendered output: it does not use Reader.
// Its tables are transcribed from the 005010X222A1 and 005010X223A2 implementation guides
// (segment positions, loop order, required segments, code lists, element lengths and usage),
// as published in the stupidedi and pyx12 guide definitions.

// segPos is the TR3 position of each segment within its loop; positions never decrease inside
// one loop instance.
var segPos = map[string]map[string]int{
	"HEADER": {"BHT": 100},
	"1000A":  {"NM1": 200, "PER": 450},
	"1000B":  {"NM1": 200},
	"2000A":  {"HL": 10, "PRV": 30, "CUR": 100},
	"2010AA": {"NM1": 150, "N3": 250, "N4": 300, "REF": 350, "PER": 400},
	"2010AB": {"NM1": 150, "N3": 250, "N4": 300},
	"2000B":  {"HL": 10, "SBR": 50, "PAT": 70},
	"2010BA": {"NM1": 150, "N3": 250, "N4": 300, "DMG": 320, "REF": 350, "PER": 400},
	"2010BB": {"NM1": 150, "N3": 250, "N4": 300, "REF": 350},
	"2000C":  {"HL": 10, "PAT": 70},
	"2010CA": {"NM1": 150, "N3": 250, "N4": 300, "DMG": 320, "REF": 350, "PER": 400},
	"2300": {"CLM": 1300, "DTP": 1350, "CL1": 1400, "PWK": 1550, "CN1": 1600, "AMT": 1750, "REF": 1800,
		"K3": 1850, "NTE": 1900, "CR1": 1950, "CR2": 2000, "CRC": 2200, "HI": 2310, "HCP": 2410},
	"2310": {"NM1": 2500, "PRV": 2550, "N3": 2650, "N4": 2700, "REF": 2710, "PER": 2750},
	"2400": {"LX": 3650, "SV1": 3700, "SV2": 3750, "PWK": 4200, "CR1": 4250, "CR3": 4350, "CRC": 4500, "DTP": 4550,
		"QTY": 4600, "MEA": 4620, "CN1": 4650, "REF": 4700, "AMT": 4750, "K3": 4800, "NTE": 4850, "PS1": 4880, "HCP": 4920},
	"2410": {"LIN": 4930, "CTP": 4940, "REF": 4950},
	"2420": {"NM1": 5000, "PRV": 5050, "N3": 5140, "N4": 5200, "REF": 5250},
}

// loop2310Rank orders the 2310 loops (by NM101) of each guide; loop2420Rank the 2420 loops.
var loop2310Rank = map[ClaimType]map[string]int{
	Professional:  {"DN": 1, "P3": 1, "82": 2, "77": 3, "DQ": 4, "PW": 5, "45": 6},
	Institutional: {"71": 1, "72": 2, "ZZ": 3, "82": 4, "77": 5, "DN": 6},
}
var loop2420Rank = map[ClaimType]map[string]int{
	Professional:  {"82": 1, "QB": 2, "77": 3, "DQ": 4, "DK": 5, "DN": 6, "PW": 7, "45": 8},
	Institutional: {"72": 1, "ZZ": 2, "82": 3, "DN": 4},
}

// hiOrder is the TR3 order of the 2300 HI segments, by the qualifier of their first composite.
var hiOrder = map[ClaimType][]string{
	Professional:  {"ABK", "BP", "BG"},
	Institutional: {"ABK", "ABJ", "APR", "ABN", "DR", "ABF", "BBR", "BBQ", "BI", "BH", "BE", "BG", "TC"},
}

type tr3Checker struct {
	t      ClaimType
	errs   []string
	seg    *edi.Segment
	loop   string
	last   int // last position in the loop
	seen   map[string]bool
	rank   int // last 2310/2420 rank in the claim/line
	hiRank int
	// HL bookkeeping
	hlLevel  map[string]string
	hlNext   int
	hlChild  map[string]string
	hlKids   map[string]int
	lxNext   int
	segCount int
	patient  bool // current 2000B has SBR02 18
	diags    int
}

func (c *tr3Checker) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf("segment %d %s: %s", c.seg.Index, c.seg.Text(), fmt.Sprintf(format, args...)))
}

// required lists the segments (by key) a loop instance must hold.
func (c *tr3Checker) required(loop string) []string {
	switch loop {
	case "1000A":
		return []string{"NM1", "PER"}
	case "2010AA":
		return []string{"NM1", "N3", "N4", "REF*EI"}
	case "2010AB", "2310*77":
		return []string{"NM1", "N3", "N4"}
	case "2000B":
		return []string{"HL", "SBR"}
	case "2010BA":
		if c.patient {
			return []string{"NM1", "N3", "N4", "DMG"}
		}
		return []string{"NM1"}
	case "2000C":
		return []string{"HL", "PAT"}
	case "2010CA":
		return []string{"NM1", "N3", "N4", "DMG"}
	case "2300":
		if c.t == Institutional {
			return []string{"CLM", "DTP*434", "CL1", "HI"}
		}
		return []string{"CLM", "HI"}
	case "2400":
		if c.t == Professional {
			return []string{"LX", "SV1", "DTP*472"}
		}
		return []string{"LX", "SV2"}
	case "2410":
		return []string{"LIN", "CTP"}
	}
	return nil
}

func (c *tr3Checker) enter(loop, sub string) {
	c.leave()
	c.loop = loop
	c.last = 0
	c.seen = map[string]bool{}
	if sub != "" {
		c.seen["@"+sub] = true
	}
}

func (c *tr3Checker) leave() {
	if c.loop == "" {
		return
	}
	name := c.loop
	if c.loop == "2310" && c.seen["@77"] {
		name = "2310*77"
	}
	for _, k := range c.required(name) {
		if !c.seen[k] {
			c.fail("loop %s ended without required segment %s", name, k)
		}
	}
	c.loop = ""
}

func (c *tr3Checker) check(seg *edi.Segment) {
	c.seg = seg
	id := seg.ID
	c.segCount++
	switch id {
	case "ISA", "GS", "GE", "IEA":
		return
	case "ST":
		c.segCount = 1
		c.loop = "HEADER"
		c.last = 0
		c.seen = map[string]bool{}
		c.hlLevel, c.hlChild, c.hlKids = map[string]string{}, map[string]string{}, map[string]int{}
		c.hlNext = 1
		switch seg.String(3) {
		case VersionProfessional:
			c.t = Professional
		case VersionInstitutional:
			c.t = Institutional
		default:
			c.fail("ST03 must be %s or %s", VersionProfessional, VersionInstitutional)
		}
		return
	case "SE":
		c.leave()
		if n, _ := strconv.Atoi(seg.String(1)); n != c.segCount {
			c.fail("SE01 %d, counted %d", n, c.segCount)
		}
		for id, child := range c.hlChild {
			if (child == "1") != (c.hlKids[id] > 0) {
				c.fail("HL %s has HL04 %s but %d children", id, child, c.hlKids[id])
			}
		}
		return
	}
	// Loop changes.
	switch {
	case id == "NM1" && (c.loop == "HEADER" || c.loop == "1000A") && seg.String(1) == "41":
		c.enter("1000A", "")
	case id == "NM1" && c.loop == "1000A" && seg.String(1) == "40":
		c.enter("1000B", "")
	case id == "HL":
		c.hl(seg)
	case id == "NM1" && strings.HasPrefix(c.loop, "20"):
		m := map[string]string{"85": "2010AA", "87": "2010AB", "IL": "2010BA", "PR": "2010BB", "QC": "2010CA"}
		l, ok := m[seg.String(1)]
		if !ok {
			c.fail("NM1*%s is not a 2010 loop", seg.String(1))
		}
		order := map[string]int{"2000A": 0, "2010AA": 1, "2010AB": 2, "2000B": 0, "2010BA": 1, "2010BB": 2, "2000C": 0, "2010CA": 1}
		if order[l] <= order[c.loop] && !strings.HasPrefix(c.loop, "2000") {
			c.fail("loop %s after loop %s", l, c.loop)
		}
		c.enter(l, "")
	case id == "CLM":
		c.enter("2300", "")
		c.rank, c.hiRank, c.lxNext, c.diags = 0, -1, 1, 0
	case id == "NM1" && (c.loop == "2300" || c.loop == "2310"):
		r, ok := loop2310Rank[c.t][seg.String(1)]
		if !ok {
			c.fail("NM1*%s is not a 2310 loop of this guide", seg.String(1))
		}
		if r <= c.rank {
			c.fail("2310 loop NM1*%s is out of order", seg.String(1))
		}
		c.rank = r
		c.enter("2310", seg.String(1))
	case id == "LX":
		c.enter("2400", "")
		c.rank = 0
		if n, _ := strconv.Atoi(seg.String(1)); n != c.lxNext {
			c.fail("LX01 %s, want %d", seg.String(1), c.lxNext)
		}
		c.lxNext++
	case id == "LIN":
		c.enter("2410", "")
	case id == "NM1" && (c.loop == "2400" || c.loop == "2410" || c.loop == "2420"):
		r, ok := loop2420Rank[c.t][seg.String(1)]
		if !ok || r <= c.rank {
			c.fail("2420 loop NM1*%s is unknown or out of order", seg.String(1))
		}
		c.rank = r
		c.enter("2420", seg.String(1))
	}
	pos, ok := segPos[c.loop][id]
	if !ok {
		c.fail("segment %s does not belong to loop %s", id, c.loop)
		return
	}
	if pos < c.last {
		c.fail("segment %s (position %d) after position %d in loop %s", id, pos, c.last, c.loop)
	}
	c.last = pos
	c.seen[id] = true
	if seg.Has(1) {
		c.seen[id+"*"+seg.String(1)] = true
	}
	c.elements(seg)
}

func (c *tr3Checker) hl(seg *edi.Segment) {
	id, parent, level, child := seg.String(1), seg.String(2), seg.String(3), seg.String(4)
	if id != strconv.Itoa(c.hlNext) {
		c.fail("HL01 %s, want %d", id, c.hlNext)
	}
	c.hlNext++
	want := map[string]string{"20": "", "22": "20", "23": "22"}[level]
	if level == "20" {
		if parent != "" {
			c.fail("HL 20 has a parent")
		}
	} else if c.hlLevel[parent] != want || want == "" {
		c.fail("HL %s (level %s) has parent %q at level %q", id, level, parent, c.hlLevel[parent])
	}
	c.hlKids[parent]++
	c.hlLevel[id] = level
	c.hlChild[id] = child
	switch level {
	case "20":
		c.enter("2000A", "")
	case "22":
		c.enter("2000B", "")
		c.patient = false
	case "23":
		c.enter("2000C", "")
	default:
		c.fail("HL03 %q", level)
	}
}

type el struct {
	req      bool
	min, max int
	codes    []string
	unused   bool
}

func codes(s ...string) el { return el{req: true, codes: s} }
func opt(min, max int) el  { return el{min: min, max: max} }
func req(min, max int) el  { return el{req: true, min: min, max: max} }

var unused = el{unused: true}

func (c *tr3Checker) value(ref string, v string, e el) {
	switch {
	case e.unused:
		if v != "" {
			c.fail("%s is not used by the TR3 but holds %q", ref, v)
		}
	case v == "":
		if e.req {
			c.fail("%s is required", ref)
		}
	case len(e.codes) > 0:
		if !slices.Contains(e.codes, v) {
			c.fail("%s %q is not one of %v", ref, v, e.codes)
		}
	case len(v) < e.min || (e.max > 0 && len(v) > e.max):
		c.fail("%s %q must be %d to %d characters", ref, v, e.min, e.max)
	}
}

// elems checks the simple elements of seg against rules, and that no element past them is used.
func (c *tr3Checker) elems(seg *edi.Segment, rules ...el) {
	for i, r := range rules {
		c.value(edi.ElementRef(seg.ID, i+1), seg.String(i+1), r)
	}
	for i := len(rules) + 1; i <= seg.Len(); i++ {
		if seg.Has(i) {
			c.fail("%s is not used by the TR3", edi.ElementRef(seg.ID, i))
		}
	}
}

func isAmount(s string) bool {
	_, err := edi.ParseAmount(s)
	return err == nil && !strings.HasSuffix(s, ".") && (!strings.Contains(s, ".") || !strings.HasSuffix(s, "0"))
}

func (c *tr3Checker) date8(ref, v string) {
	if _, ok := ParseX12Date([]byte(v)); !ok {
		c.fail("%s %q is not CCYYMMDD", ref, v)
	}
}

func (c *tr3Checker) elements(seg *edi.Segment) {
	s := seg.String
	comp := seg.ComponentString
	name := el{min: 1, max: 60}
	switch seg.ID {
	case "BHT":
		c.elems(seg, codes("0019"), codes("00", "18"), req(1, 30), req(8, 8), req(4, 8), codes("CH", "RP", "31"))
		c.date8("BHT04", s(4))
	case "NM1":
		e := s(1)
		idq := map[string][]string{"41": {"46"}, "40": {"46"}, "85": {"XX"}, "IL": {"MI", "II"}, "PR": {"PI", "XV"},
			"DN": {"XX"}, "82": {"XX"}, "71": {"XX"}, "77": {"XX"}}[e]
		types := []string{"1", "2"}
		switch e {
		case "40", "PR", "77":
			types = []string{"2"}
		case "QC", "DN", "71":
			types = []string{"1"}
		case "82":
			if c.t == Institutional {
				types = []string{"1"}
			}
		}
		rules := []el{req(2, 3), codes(types...), name, opt(1, 35), opt(1, 25), unused, opt(1, 10), el{codes: idq}, opt(2, 80)}
		switch e {
		case "87":
			rules = rules[:2]
		case "QC":
			rules = rules[:7]
		case "41", "40", "PR":
			rules[7].req, rules[8].req = true, true
		}
		if s(2) == "2" && len(rules) > 6 {
			rules[3], rules[4], rules[6] = unused, unused, unused
		}
		if e != "87" {
			rules[2].req = true
		}
		c.elems(seg, rules...)
		if s(8) == "XX" && !ValidNPI(s(9)) {
			c.fail("NM109 %q is not a valid NPI", s(9))
		}
		if (s(8) == "") != (s(9) == "") {
			c.fail("NM108 and NM109 go together")
		}
	case "PER":
		c.elems(seg, codes("IC"), opt(1, 60), codes("EM", "FX", "TE"), req(1, 256), el{codes: []string{"EM", "EX", "FX", "TE"}}, opt(1, 256),
			el{codes: []string{"EM", "EX", "FX", "TE"}}, opt(1, 256))
	case "N3":
		c.elems(seg, req(1, 55), opt(1, 55))
	case "N4":
		c.elems(seg, req(2, 30), req(2, 2), req(3, 15))
		zip := s(3)
		if (c.loop == "2010AA" || c.loop == "2310") && len(zip) != 9 {
			c.fail("N403 in loop %s must be the nine-digit ZIP code", c.loop)
		}
		if _, err := strconv.Atoi(zip); err != nil || (len(zip) != 5 && len(zip) != 9) {
			c.fail("N403 %q is not a US ZIP code", zip)
		}
	case "REF":
		max := 50
		if s(1) == "6R" {
			max = 30
		}
		allowed := map[string][]string{"2010AA": {"EI", "SY", "0B", "1G"}, "2300": {"F8", "G1", "9F", "LU", "D9", "EA", "4N", "F5", "EW", "X4", "9A", "9C", "LX", "P4", "1J", "G4"},
			"2400": {"6R", "9B", "9D", "G1", "EW", "X4", "F4", "BT", "9F"}}[c.loop]
		c.elems(seg, el{req: true, codes: allowed}, req(1, max))
		if s(1) == "LU" && c.t != Institutional {
			c.fail("REF*LU is an 837I segment")
		}
	case "PRV":
		want := map[string]string{"2000A": "BI", "2310": "PE", "2420": "PE"}[c.loop]
		if c.loop == "2310" && c.t == Institutional {
			want = "AT"
		}
		c.elems(seg, codes(want), codes("PXC"), req(10, 10))
	case "HL":
		c.elems(seg, req(1, 12), opt(1, 12), codes("20", "22", "23"), codes("0", "1"))
	case "SBR":
		fil := []string{"11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"}
		c.elems(seg, codes("A", "B", "C", "D", "E", "F", "G", "H", "P", "S", "T", "U"), el{codes: []string{"18"}}, opt(1, 50), opt(1, 60),
			unused, unused, unused, unused, el{codes: fil})
		c.patient = s(2) == "18"
	case "PAT":
		c.elems(seg, codes("01", "19", "20", "21", "39", "40", "53", "G8"))
	case "DMG":
		c.elems(seg, codes("D8"), req(8, 8), codes("F", "M", "U"))
		c.date8("DMG02", s(2))
	case "CLM":
		c.clm(seg)
	case "DTP":
		c.dtp(seg)
	case "CL1":
		c.elems(seg, req(1, 1), opt(1, 1), req(1, 2))
	case "NTE":
		nc := map[string][]string{"2300P": {"ADD", "CER", "DCP", "DGN", "TPO"},
			"2300I": {"ADD", "ALG", "DCP", "DGN", "DME", "MED", "NTR", "ODT", "RHB", "RLH", "RNH", "SET", "SFM", "SPT", "UPI"},
			"2400P": {"ADD", "DCP", "TPO"}, "2400I": {"TPO"}}[c.loop+string(c.t[0]-32)]
		c.elems(seg, codes(nc...), req(1, 80))
	case "HI":
		c.hi(seg)
	case "LX":
		c.elems(seg, req(1, 6))
	case "SV1":
		c.procedure(seg, 1, []string{"ER", "HC", "IV", "WK"})
		if !isAmount(s(2)) {
			c.fail("SV102 %q is not an amount", s(2))
		}
		c.quantity("SV104", s(4))
		c.value("SV103", s(3), codes("MJ", "UN"))
		c.value("SV105", s(5), opt(1, 2))
		c.value("SV106", s(6), unused)
		if !seg.Has(7) {
			c.fail("SV107 is required")
		}
		for j := 1; j <= 4; j++ {
			p := comp(7, j)
			if p == "" {
				continue
			}
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > c.diags || n > 12 {
				c.fail("SV107-%d %q does not point at one of %d diagnoses", j, p, c.diags)
			}
		}
		if seg.Len() > 7 {
			c.fail("SV108+ are not written by claimgate")
		}
	case "SV2":
		c.value("SV201", s(1), req(4, 4))
		if seg.Has(2) {
			c.procedure(seg, 2, []string{"ER", "HC", "HP", "IV", "WK"})
		}
		if !isAmount(s(3)) {
			c.fail("SV203 %q is not an amount", s(3))
		}
		c.value("SV204", s(4), codes("DA", "UN"))
		c.quantity("SV205", s(5))
		if seg.Len() > 5 {
			c.fail("SV206+ are not written by claimgate")
		}
	case "LIN":
		c.elems(seg, unused, codes("N4"), req(11, 11))
	case "CTP":
		c.value("CTP01", s(1), unused)
		c.value("CTP02", s(2), unused)
		c.value("CTP03", s(3), unused)
		c.quantity("CTP04", s(4))
		c.value("CTP05-1", comp(5, 1), codes("F2", "GR", "ME", "ML", "UN"))
		if seg.Len() > 5 {
			c.fail("CTP06+ are not used")
		}
	}
}

func (c *tr3Checker) quantity(ref, v string) {
	if v == "" || len(v) > 15 || !isDecimal(v) {
		c.fail("%s %q is not a quantity", ref, v)
	}
}

func (c *tr3Checker) procedure(seg *edi.Segment, i int, quals []string) {
	ref := edi.ElementRef(seg.ID, i)
	c.value(ref+"-1", seg.ComponentString(i, 1), codes(quals...))
	c.value(ref+"-2", seg.ComponentString(i, 2), req(1, 48))
	for j := 3; j <= 6; j++ {
		c.value(ref+"-"+strconv.Itoa(j), seg.ComponentString(i, j), opt(2, 2))
	}
	if len(seg.Components(i)) > 6 {
		c.fail("%s has a description or more components than claimgate writes", ref)
	}
}

func (c *tr3Checker) clm(seg *edi.Segment) {
	s, comp := seg.String, seg.ComponentString
	c.value("CLM01", s(1), req(1, 20))
	if !isAmount(s(2)) {
		c.fail("CLM02 %q is not an amount", s(2))
	}
	c.value("CLM03", s(3), unused)
	c.value("CLM04", s(4), unused)
	c.value("CLM05-1", comp(5, 1), req(1, 2))
	c.value("CLM05-3", comp(5, 3), req(1, 1))
	if c.t == Professional {
		c.value("CLM05-2", comp(5, 2), codes("B"))
		c.value("CLM05-3", comp(5, 3), codes("1", "6", "7", "8"))
		c.value("CLM06", s(6), codes("N", "Y"))
		c.value("CLM07", s(7), codes("A", "B", "C"))
	} else {
		c.value("CLM05-2", comp(5, 2), codes("A"))
		c.value("CLM06", s(6), unused)
		c.value("CLM07", s(7), codes("A", "B", "C"))
		c.value("CLM11", s(11), unused)
	}
	c.value("CLM08", s(8), codes("N", "W", "Y"))
	c.value("CLM09", s(9), codes("I", "Y"))
	c.value("CLM10", s(10), el{codes: []string{"P"}})
	if seg.Has(11) {
		c.value("CLM11-1", comp(11, 1), codes("AA", "EM", "OA"))
		c.value("CLM11-3", comp(11, 3), unused)
		if comp(11, 1) == "AA" {
			c.value("CLM11-4", comp(11, 4), req(2, 2))
		}
	}
	if seg.Len() > 11 {
		c.fail("CLM12+ are not written by claimgate")
	}
}

func (c *tr3Checker) dtp(seg *edi.Segment) {
	q, f, v := seg.String(1), seg.String(2), seg.String(3)
	allowed := map[string]map[string][]string{
		"2300P": {"431": {"D8"}, "439": {"D8"}, "454": {"D8"}, "304": {"D8"}, "453": {"D8"}, "484": {"D8"}},
		"2300I": {"096": {"TM"}, "434": {"RD8"}, "435": {"D8", "DT"}, "050": {"D8"}},
		"2400P": {"472": {"D8", "RD8"}},
		"2400I": {"472": {"D8", "RD8"}},
	}[c.loop+string(c.t[0]-32)]
	formats, ok := allowed[q]
	if !ok {
		c.fail("DTP*%s is not a DTP of loop %s", q, c.loop)
		return
	}
	if !slices.Contains(formats, f) {
		c.fail("DTP*%s format %q is not one of %v", q, f, formats)
	}
	switch f {
	case "D8":
		c.date8("DTP03", v)
	case "RD8":
		if len(v) != 17 || v[8] != '-' {
			c.fail("DTP03 %q is not CCYYMMDD-CCYYMMDD", v)
			return
		}
		c.date8("DTP03", v[:8])
		c.date8("DTP03", v[9:])
		if v[9:] < v[:8] {
			c.fail("DTP03 range %q ends before it starts", v)
		}
	case "DT":
		if len(v) != 12 || !validHour([]byte(v[8:])) {
			c.fail("DTP03 %q is not CCYYMMDDHHMM", v)
			return
		}
		c.date8("DTP03", v[:8])
	case "TM":
		if !validHour([]byte(v)) {
			c.fail("DTP03 %q is not HHMM", v)
		}
	}
	if seg.Len() > 3 {
		c.fail("DTP has more than 3 elements")
	}
}

func (c *tr3Checker) hi(seg *edi.Segment) {
	first := seg.ComponentString(1, 1)
	order := hiOrder[c.t]
	r := slices.Index(order, first)
	if r < 0 {
		c.fail("HI qualifier %q is not one claimgate writes for this guide", first)
		return
	}
	if r < c.hiRank || (r == c.hiRank && (first == "ABK" || first == "ABJ" || first == "BBR")) {
		c.fail("HI %s is out of the TR3 order", first)
	}
	c.hiRank = r
	max := 12
	if first == "ABK" && c.t == Institutional || first == "ABJ" || first == "BBR" {
		max = 1
	}
	if seg.Len() > max {
		c.fail("HI %s holds %d composites, at most %d", first, seg.Len(), max)
	}
	for i := 1; i <= seg.Len(); i++ {
		q, code := seg.ComponentString(i, 1), seg.ComponentString(i, 2)
		want := first
		if first == "ABK" && i > 1 {
			want = "ABF"
		}
		if first == "BBR" {
			want = "BBR"
		}
		if q != want {
			c.fail("HI%02d-1 %q, want %q", i, q, want)
		}
		c.value(fmt.Sprintf("HI%02d-2", i), code, req(1, 30))
		if strings.Contains(code, ".") {
			c.fail("HI%02d-2 %q holds a dot", i, code)
		}
		parts := seg.Components(i)
		switch q {
		case "BBR", "BBQ", "BH":
			if len(parts) != 4 || parts[2] != "D8" {
				c.fail("HI%02d must be %s:code:D8:date", i, q)
			} else {
				c.date8(fmt.Sprintf("HI%02d-4", i), parts[3])
			}
		case "BE":
			if len(parts) != 5 || parts[2] != "" || parts[3] != "" || !isAmount(parts[4]) {
				c.fail("HI%02d must be BE:code:::amount", i)
			}
		default:
			if len(parts) > 2 {
				c.fail("HI%02d has components past the code", i)
			}
		}
		if q == "ABK" || q == "ABF" {
			c.diags++
		}
	}
}

// checkTR3 runs the checker over a rendered interchange and returns its findings.
func checkTR3(t *testing.T, x12 []byte) []string {
	t.Helper()
	sc := edi.NewScanner(bytes.NewReader(x12))
	c := &tr3Checker{}
	for {
		seg, err := sc.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("scanning rendered output: %v", err)
		}
		c.check(seg)
	}
	return c.errs
}

func TestRenderedOutputFollowsTR3(t *testing.T) {
	g := newClaimGen(5010)
	inputs := []*Interchange{
		testInterchange(testProfessional("P1"), testInstitutional("I1"), testProfessional("P2")),
	}
	for i := 0; i < 60; i++ {
		inputs = append(inputs, g.interchange(1+g.r.IntN(12)))
	}
	for _, tc := range goldenCases() {
		inputs = append(inputs, tc.ic)
	}
	for i, ic := range inputs {
		var buf bytes.Buffer
		if err := Render(&buf, ic); err != nil {
			t.Fatalf("interchange %d: %v", i, err)
		}
		if errs := checkTR3(t, buf.Bytes()); len(errs) > 0 {
			t.Errorf("interchange %d breaks the TR3 in %d places:\n%s", i, len(errs), strings.Join(errs[:min(len(errs), 20)], "\n"))
		}
	}
}

// The checker must itself catch what it is there to catch.
func TestTR3CheckerCatchesViolations(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, testInterchange(testProfessional("P1"))); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	tests := []struct{ name, from, to, want string }{
		{"segment order", "HI*ABK:E119*ABF:I10~", "", "required segment HI"},
		{"bad code", "*11:B:1*Y*", "*11:B:1*X*", "CLM06"},
		{"too long", "CLM*P1*", "CLM*P123456789012345678901*", "CLM01"},
		{"unused element", "DMG*D8*19800401*M~", "DMG*D8*19800401*M*S~", "DMG04"},
		{"zip", "554010000", "55401", "nine-digit"},
		{"pointer", "***1:2~", "***1:3~", "SV107"},
		{"hl child", "HL*2*1*22*0~", "HL*2*1*22*1~", "HL 2 has HL04 1"},
		{"position", "REF*EI*123456789~PER*IC*BILLING OFFICE*TE*6125550199~", "PER*IC*BILLING OFFICE*TE*6125550199~REF*EI*123456789~", "position"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			if bad == good {
				t.Fatalf("%q not found in the rendered output", tc.from)
			}
			errs := checkTR3(t, []byte(bad))
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tc.want) }) {
				t.Fatalf("checker did not report %q; it reported %v", tc.want, errs)
			}
		})
	}
}
