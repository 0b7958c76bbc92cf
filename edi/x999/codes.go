package x999

// The labels below are claimgate's own wording of the 999 code lists; the official texts belong
// to X12. Each entry has a label (a noun phrase, for lists and JSON) and, for segment and element
// errors, a phrase that completes a sentence ("Segment CLM ... has data element errors").

type codeText struct{ label, phrase string }

// ik304 is the implementation segment syntax error code list (IK304).
var ik304 = map[string]codeText{
	"1":  {"Segment id not recognized", "has an id that is not a known segment"},
	"2":  {"Segment not expected here", "is not expected at this place"},
	"3":  {"Required segment missing", "is required but missing"},
	"4":  {"Loop repeated too often", "starts a loop that repeats more often than allowed"},
	"5":  {"Segment repeated too often", "repeats more often than allowed"},
	"6":  {"Segment not defined for this transaction set", "does not belong to this transaction set"},
	"7":  {"Segment out of order", "is out of order"},
	"8":  {"Segment has data element errors", "has data element errors"},
	"I4": {"Segment the guide marks unused is present", "is present although the guide says not to send it"},
	"I6": {"Segment required by a condition is missing", "is missing although a condition of the guide requires it"},
	"I7": {"Loop occurs fewer times than the guide requires", "starts a loop that occurs fewer times than the guide requires"},
	"I8": {"Segment occurs fewer times than the guide requires", "occurs fewer times than the guide requires"},
	"I9": {"Segment forbidden by a condition is present", "is present although a condition of the guide forbids it"},
}

// ik403 is the implementation data element syntax error code list (IK403).
var ik403 = map[string]codeText{
	"1":   {"Required element missing", "is missing a required value"},
	"2":   {"Conditionally required element missing", "is missing a value another element makes required"},
	"3":   {"Too many elements", "is one element too many for the segment"},
	"4":   {"Value too short", "is too short"},
	"5":   {"Value too long", "is too long"},
	"6":   {"Invalid character", "holds a character that is not allowed"},
	"7":   {"Invalid code value", "is an invalid code value"},
	"8":   {"Invalid date", "is not a valid date"},
	"9":   {"Invalid time", "is not a valid time"},
	"10":  {"Mutually exclusive elements both present", "is present together with an element it excludes"},
	"12":  {"Too many repetitions", "repeats more often than allowed"},
	"13":  {"Too many components", "has more components than allowed"},
	"I6":  {"Code not used by this guide", "is a code this guide does not use"},
	"I9":  {"Element required by a condition is missing", "is missing although a condition of the guide requires it"},
	"I10": {"Element the guide marks unused is present", "is present although the guide says not to send it"},
	"I11": {"Too few repetitions", "repeats fewer times than the guide requires"},
	"I12": {"Value does not match the required pattern", "does not match the pattern the guide requires"},
	"I13": {"Element forbidden by a condition is present", "is present although a condition of the guide forbids it"},
}

// ik501 and ak901 are the acknowledgment codes of a transaction set and of a group.
var ik501 = map[string]string{
	"A": "Accepted",
	"E": "Accepted, with errors noted",
	"M": "Rejected: message authentication failed",
	"R": "Rejected",
	"W": "Rejected: failed assurance checks",
	"X": "Rejected: content could not be read after decryption",
}

var ak901 = map[string]string{
	"A": "Accepted",
	"E": "Accepted, with errors noted",
	"M": "Rejected: message authentication failed",
	"P": "Partly accepted: at least one transaction set was rejected",
	"R": "Rejected",
	"W": "Rejected: failed assurance checks",
	"X": "Rejected: content could not be read after decryption",
}

// ik502 is the implementation transaction set syntax error code list (IK502-IK506).
var ik502 = map[string]string{
	"1":  "Transaction set type not supported",
	"2":  "SE trailer missing",
	"3":  "ST02 and SE02 control numbers differ",
	"4":  "SE01 segment count is wrong",
	"5":  "One or more segments are in error",
	"6":  "Transaction set identifier missing or invalid",
	"7":  "Transaction set control number missing or invalid",
	"8":  "Authentication key name unknown",
	"9":  "Encryption key name unknown",
	"10": "Requested security service not available",
	"11": "Security recipient unknown",
	"12": "Message length wrong (encryption)",
	"13": "Message authentication code check failed",
	"15": "Security originator unknown",
	"16": "Decrypted text has a syntax error",
	"17": "Security not supported",
	"18": "Transaction set outside a functional group",
	"19": "Implementation guide reference (ST03) invalid",
	"23": "Transaction set control number used twice in the group",
	"24": "S3E security end segment without S3S start",
	"25": "S3S security start segment without S3E end",
	"26": "S4E security end segment without S4S start",
	"27": "S4S security start segment without S4E end",
	"I5": "One or more segments break the implementation guide",
	"I6": "Implementation guide not supported",
}

// ak905 is the functional group syntax error code list (AK905-AK909).
var ak905 = map[string]string{
	"1":  "Functional group type not supported",
	"2":  "Functional group version not supported",
	"3":  "GE trailer missing",
	"4":  "GS06 and GE02 control numbers differ",
	"5":  "GE01 transaction set count is wrong",
	"6":  "Group control number malformed",
	"10": "Authentication key name unknown",
	"11": "Encryption key name unknown",
	"12": "Requested security service not available",
	"13": "Security recipient unknown",
	"14": "Security originator unknown",
	"15": "Decrypted text has a syntax error",
	"16": "Security not supported",
	"17": "Message length wrong (encryption)",
	"18": "Message authentication code check failed",
	"19": "Group control number used twice in the interchange",
	"23": "S3E security end segment without S3S start",
	"24": "S3S security start segment without S3E end",
	"25": "S4E security end segment without S4S start",
	"26": "S4S security start segment without S4E end",
}

// SegmentCodeLabel describes an IK304 segment error code.
func SegmentCodeLabel(code string) (string, bool) {
	t, ok := ik304[code]
	return t.label, ok
}

// SegmentCodePhrase completes "Segment CLM (position 22) ..." for an IK304 code.
func SegmentCodePhrase(code string) string {
	if t, ok := ik304[code]; ok {
		return t.phrase
	}
	if code == "" {
		return "is in error"
	}
	return "is in error (segment error code " + code + ")"
}

// ElementCodeLabel describes an IK403 element error code.
func ElementCodeLabel(code string) (string, bool) {
	t, ok := ik403[code]
	return t.label, ok
}

// ElementCodePhrase completes "element CLM02 ..." for an IK403 code.
func ElementCodePhrase(code string) string {
	if t, ok := ik403[code]; ok {
		return t.phrase
	}
	if code == "" {
		return "is in error"
	}
	return "is in error (element error code " + code + ")"
}

// SetStatusLabel describes an IK501 transaction set acknowledgment code.
func SetStatusLabel(code string) (string, bool) { return lookup(ik501, code, "Transaction set status") }

// GroupStatusLabel describes an AK901 functional group acknowledgment code.
func GroupStatusLabel(code string) (string, bool) { return lookup(ak901, code, "Group status") }

// SetCodeLabel describes an IK502-IK506 transaction set error code.
func SetCodeLabel(code string) string {
	s, _ := lookup(ik502, code, "Transaction set error code")
	return s
}

// GroupCodeLabel describes an AK905-AK909 functional group error code.
func GroupCodeLabel(code string) string {
	s, _ := lookup(ak905, code, "Functional group error code")
	return s
}

func lookup(m map[string]string, code, what string) (string, bool) {
	if s, ok := m[code]; ok {
		return s, true
	}
	return what + " " + code + " (not in the code list)", false
}
