package intake

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimgate/claimgate/edi/x837"
)

// FuzzDecodeEncounter feeds arbitrary bodies to DecodeEncounter and, when one decodes, maps it
// with ToClaim. Neither may panic; a mapped claim must keep the invariants ToClaim promises
// (computed total, line control numbers, normalised codes); a failed mapping must say why.
func FuzzDecodeEncounter(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(claimRepoRoot(f), "testdata", "encounters", "*.json"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "ENC-1")
	}
	f.Add([]byte(`{}`), "C1")
	f.Add([]byte(`{"claim":{"service_lines":[{"charge":1e400,"units":-1}]}}`), "C1")
	f.Add([]byte(`{"claim_type":"institutional","claim":{"type_of_bill":"0","frequency":"void","service_lines":[{"charge":"92233720368547758.07"}]}}`), "")
	f.Add([]byte(`{"subscriber":{"relationship_to_patient":"child"},"patient":null}`), "A*B")
	f.Fuzz(func(t *testing.T, body []byte, claimID string) {
		e, err := DecodeEncounter(bytes.NewReader(body))
		if err != nil {
			if !errors.Is(err, ErrEncounterJSON) {
				t.Fatalf("DecodeEncounter error %v does not wrap ErrEncounterJSON", err)
			}
			return
		}
		if _, err := e.MarshalCanonical(); err != nil {
			t.Fatalf("MarshalCanonical of a decoded encounter: %v", err)
		}
		c, err := e.ToClaim(claimID)
		if err != nil {
			var me *MapError
			if !errors.As(err, &me) || len(me.Problems) == 0 || !errors.Is(err, ErrUnmappable) {
				t.Fatalf("ToClaim error %v is not a *MapError listing problems", err)
			}
			return
		}
		checkClaimInvariants(t, e, c, claimID)
	})
}

func checkClaimInvariants(t *testing.T, e *Encounter, c x837.Claim, claimID string) {
	t.Helper()
	if len(c.Lines) != len(e.Claim.ServiceLines) || len(c.Lines) == 0 {
		t.Fatalf("%d lines from %d service lines", len(c.Lines), len(e.Claim.ServiceLines))
	}
	var sum int64
	for i, l := range c.Lines {
		if l.Charge < 0 {
			t.Fatalf("line %d has a negative charge %s", i, l.Charge)
		}
		sum += int64(l.Charge)
		if want := LineControlNumber(claimID, i+1); l.ControlNumber != want {
			t.Fatalf("line %d control number %q, want %q", i, l.ControlNumber, want)
		}
		if l.Units == "" || strings.HasPrefix(l.Units, "-") {
			t.Fatalf("line %d units %q", i, l.Units)
		}
	}
	if int64(c.TotalCharge) != sum {
		t.Fatalf("TotalCharge %d, lines sum to %d", c.TotalCharge, sum)
	}
	for _, d := range c.Diagnoses {
		if d == "" || strings.ContainsAny(d, ". abcdefghijklmnopqrstuvwxyz") {
			t.Fatalf("diagnosis %q is not normalised", d)
		}
	}
	if c.PatientControlNumber == "" {
		t.Fatal("empty patient control number")
	}
	switch c.Frequency {
	case x837.FrequencyOriginal, x837.FrequencyReplacement, x837.FrequencyVoid:
	default:
		if c.Type != x837.Institutional {
			t.Fatalf("frequency %q on a professional claim", c.Frequency)
		}
	}
	if (c.Patient == nil) != (strings.EqualFold(strings.TrimSpace(e.Subscriber.RelationshipToPatient), RelSelf)) {
		t.Fatalf("patient %v with relationship %q", c.Patient, e.Subscriber.RelationshipToPatient)
	}
}
