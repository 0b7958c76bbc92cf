package x837

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// expectedAfterRoundTrip returns what reading back a rendered claim must give: the claim with
// the defaults Render writes filled in and the values the 837 does not carry cleared.
func expectedAfterRoundTrip(t *testing.T, c *Claim, ic *Interchange) Claim {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var e Claim
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&e, c) {
		t.Fatalf("claim %s does not survive a JSON round trip:\n%s", c.PatientControlNumber, b)
	}
	prof := e.Type == Professional
	if e.Patient != nil {
		e.Subscriber.BirthDate, e.Subscriber.Gender = Date{}, ""
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	if e.Frequency == FrequencyOriginal {
		e.PayerClaimNumber = "" // no REF*F8 on an original claim
	}
	def(&e.Subscriber.PayerResponsibility, "P")
	def(&e.Subscriber.ClaimFilingIndicator, "CI")
	def(&e.Payer.Name, ic.Receiver.Name)
	def(&e.AcceptAssignment, "A")
	def(&e.BenefitsAssignment, "Y")
	def(&e.ReleaseOfInformation, "Y")
	if a := e.Accident; a != nil && prof && a.Date.IsZero() && a.Type != AccidentEmployment {
		a.Date = e.OnsetDate
	}
	if a := e.Accident; a != nil && a.Type == AccidentEmployment {
		a.Date = Date{} // no DTP*439 for employment-related injuries
	}
	if e.ReferringProvider != nil {
		e.ReferringProvider.Taxonomy = ""
	}
	if !prof && e.RenderingProvider != nil {
		e.RenderingProvider.Taxonomy = ""
	}
	for i := range e.Lines {
		l := &e.Lines[i]
		if l.ProcedureCode != "" {
			def(&l.ProcedureQualifier, "HC")
		}
		def(&l.UnitType, "UN")
		if prof && len(l.DiagnosisPointers) == 0 {
			l.DiagnosisPointers = []int{1}
		}
		if l.ServiceDateEnd == l.ServiceDate {
			l.ServiceDateEnd = Date{}
		}
		if !prof && l.RenderingProvider != nil {
			l.RenderingProvider.Taxonomy = ""
		}
	}
	return e
}

func TestRoundTripRandomClaims(t *testing.T) {
	g := newClaimGen(20261122)
	counts := map[ClaimType]int{}
	for iter := 0; counts[Professional]+counts[Institutional] < 600; iter++ {
		ic := g.interchange(1 + g.r.IntN(20))
		var buf bytes.Buffer
		if err := Render(&buf, ic); err != nil {
			t.Fatalf("interchange %d: render: %v", iter, err)
		}
		ics, problems, err := ReadAll(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("interchange %d: read: %v", iter, err)
		}
		if len(problems) > 0 {
			t.Fatalf("interchange %d: reading rendered output reported %d problems, first: %v\n%s", iter, len(problems), problems[0], buf.String())
		}
		if len(ics) != 1 {
			t.Fatalf("interchange %d: read %d interchanges, want 1", iter, len(ics))
		}
		got := ics[0]
		checkEnvelope(t, iter, ic, got)
		var order []int
		for _, set := range ic.Layout() {
			order = append(order, set.Claims...)
		}
		if len(got.Claims) != len(order) {
			t.Fatalf("interchange %d: read %d claims, rendered %d", iter, len(got.Claims), len(order))
		}
		for k, ci := range order {
			want := expectedAfterRoundTrip(t, &ic.Claims[ci], ic)
			counts[want.Type]++
			if !reflect.DeepEqual(got.Claims[k], want) {
				gj, _ := json.MarshalIndent(got.Claims[k], "", " ")
				wj, _ := json.MarshalIndent(want, "", " ")
				t.Fatalf("interchange %d claim %s differs after the round trip\ngot:  %s\nwant: %s", iter, want.PatientControlNumber, gj, wj)
			}
		}
	}
	if counts[Professional] < 200 || counts[Institutional] < 200 {
		t.Fatalf("too few claims of a type: %v", counts)
	}
	t.Logf("round-tripped %v claims", counts)
}

func checkEnvelope(t *testing.T, iter int, want, got *Interchange) {
	t.Helper()
	ws := want.Sender
	if ws.ID == "" {
		ws.ID = ws.ISAID
	}
	wr := want.Receiver
	if wr.ID == "" {
		wr.ID = wr.ISAID
	}
	if got.Sender != ws || got.Receiver != wr {
		t.Fatalf("interchange %d: sender/receiver %+v %+v, want %+v %+v", iter, got.Sender, got.Receiver, ws, wr)
	}
	if got.Usage != want.Usage || got.ControlNumbers != want.ControlNumbers || !got.Time.Equal(want.Time) {
		t.Fatalf("interchange %d: usage %q control numbers %+v time %v, want %q %+v %v", iter,
			got.Usage, got.ControlNumbers, got.Time, want.Usage, want.ControlNumbers, want.Time)
	}
	layout := want.Layout()
	if len(got.Transactions) != len(layout) {
		t.Fatalf("interchange %d: %d transaction sets, want %d", iter, len(got.Transactions), len(layout))
	}
	first := 0
	for i, set := range layout {
		ts := got.Transactions[i]
		if ts.Type != set.Type || ts.ControlNumber != set.ControlNumber || ts.Version != set.Version ||
			ts.FirstClaim != first || ts.ClaimCount != len(set.Claims) || ts.Purpose != "00" {
			t.Fatalf("interchange %d: transaction set %+v, want %+v", iter, ts, set)
		}
		first += len(set.Claims)
	}
}
