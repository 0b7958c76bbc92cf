package web

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/codes"
	"github.com/claimgate/claimgate/gateway/remit"
)

// funcs are the template helpers.
var funcs = template.FuncMap{
	"money":    money,
	"when":     when,
	"whenp":    whenPtr,
	"age":      age,
	"join":     strings.Join,
	"catLabel": categoryLabel,
	"query":    query,
}

// money formats cents as dollars with edi.Amount's exact decimal form: "$1,234.50", "-$0.50".
// No float is involved.
func money(a edi.Amount) string {
	sign := ""
	if a < 0 {
		sign, a = "-", -a
	}
	s := a.String() // "1234.50"
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + "$" + b.String() + "." + frac
}

// when formats a time in UTC to the minute.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func whenPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return when(*t)
}

// age is a duration in the largest whole unit: "3 days", "5 hours", "12 minutes".
func age(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	case d >= 2*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	case d >= 2*time.Minute:
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	case d > 0:
		return "just now"
	}
	return ""
}

func categoryLabel(c string) string {
	if cat, err := codes.ParseCategory(c); err == nil {
		return cat.Label()
	}
	return c
}

// query builds "path?k=v&..." from pairs, leaving out empty values.
func query(path string, pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			v.Set(pairs[i], pairs[i+1])
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// codeLabel is a code with claimgate's short words for it.
type codeLabel struct {
	Code  string
	Label string
}

// adjustmentView is a CAS adjustment with its labels.
type adjustmentView struct {
	Group, GroupLabel   string
	Reason, ReasonLabel string
	Kind                string
	Amount              edi.Amount
}

// carcLabel is the short label of a CARC ("" when unknown).
func (d *Dashboard) carcLabel(code string) string {
	if c, ok := d.codes.CARC(code); ok {
		return c.Label
	}
	return ""
}

// rarcLabel is the short label of a RARC (our label, else the official text when loaded).
func (d *Dashboard) rarcLabel(code string) string {
	if rc, ok := d.codes.RARC(code); ok {
		if rc.Label != "" {
			return rc.Label
		}
		if rc.Description != "" {
			return rc.Description
		}
	}
	return ""
}

func (d *Dashboard) rarcLabels(cs []string) []codeLabel {
	out := make([]codeLabel, len(cs))
	for i, c := range cs {
		out[i] = codeLabel{Code: c, Label: d.rarcLabel(c)}
	}
	return out
}

func plbLabel(code string) string { return remit.PLBLabel(code) }
