package acks_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/payers/sim"
)

// End to end over the payer simulator: a batch whose institutional set breaks the TR3 (a claim
// without its total charge) and whose professional set holds a claim the simulator's default
// scenario rejects (member id BAD...: A7:33:IL). The simulator's own 999 rejects the broken set
// and accepts the other; its 277CA accepts one claim with a payer claim number and rejects the
// other with A7. Ingesting both files moves every claim where the issue says.
func TestEndToEndOverTheSimulator(t *testing.T) {
	eachStore(t, func(t *testing.T, s gateway.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		srv, err := sim.New(sim.Config{Addr: "127.0.0.1:0", Dir: t.TempDir(), Users: []sim.User{{Name: "claimgate", Password: "secret"}},
			PollInterval: 20 * time.Millisecond})
		must(t, err)
		must(t, srv.Start(ctx))
		defer srv.Close()

		b := newSentBatchWith(t, s, newSubmitter(t, s), 2000, 2, 1,
			func(i int, e *intake.Encounter) {
				if i == 1 {
					e.Subscriber.MemberID = "BAD" + e.Subscriber.MemberID
				}
			},
			func(ic *x837.Interchange, file []byte) []byte {
				// Empty CLM02 of the institutional claim: a required element missing.
				id := ic.Claims[2].PatientControlNumber
				segs := bytes.Split(file, []byte("~"))
				for i, seg := range segs {
					if p := []byte("CLM*" + id + "*"); bytes.HasPrefix(seg, p) {
						rest := seg[len(p):]
						if j := bytes.IndexByte(rest, '*'); j >= 0 {
							segs[i] = append(append([]byte(nil), p...), rest[j:]...)
						}
					}
				}
				return bytes.Join(segs, []byte("~"))
			})
		good, bad, broken := b.claims[0].ID, b.claims[1].ID, b.claims[2].ID

		// Hand the 837 to the simulator and collect its answers.
		must(t, os.WriteFile(filepath.Join(srv.LocalDir(sim.InboundDir), "CG000002000.837"), b.file, 0o644))
		srv.Poke()
		answers := map[string][]byte{}
		deadline := time.Now().Add(20 * time.Second)
		for len(answers) < 2 && time.Now().Before(deadline) {
			entries, _ := os.ReadDir(srv.LocalDir(sim.OutboundDir))
			for _, e := range entries {
				for _, prefix := range []string{"999", "277CA"} {
					if strings.HasPrefix(e.Name(), prefix+"_") {
						body, err := os.ReadFile(filepath.Join(srv.LocalDir(sim.OutboundDir), e.Name()))
						must(t, err)
						answers[prefix] = body
					}
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		if answers["999"] == nil || answers["277CA"] == nil {
			t.Fatalf("the simulator answered %d files", len(answers))
		}

		in := newIngester(t, s, nil)
		r999 := ingest(t, in, receive(t, s, gateway.Kind999, "999", answers["999"]))
		r277 := ingest(t, in, receive(t, s, gateway.Kind277CA, "277CA", answers["277CA"]))
		if r999.Status != gateway.FileProcessed || r277.Status != gateway.FileProcessed || r999.Unmatched != 0 || r277.Unmatched != 0 {
			t.Fatalf("999 %+v, 277CA %+v", r999, r277)
		}
		want := map[string]gateway.ClaimStatus{good: gateway.StatusAccepted277, bad: gateway.StatusRejected277, broken: gateway.StatusRejected999}
		for id, st := range want {
			if got := status(t, s, id); got != st {
				t.Errorf("claim %s: %s, want %s", id, got, st)
			}
		}
		c, err := s.GetClaim(ctx, good, 0)
		must(t, err)
		if c.PayerClaimNumber == "" {
			t.Error("the accepted claim has no payer claim number")
		}
		cas := claimAcks(t, s, broken)
		if len(cas) != 1 || !strings.Contains(strings.Join(cas[0].Sentences, " "), "CLM02") {
			t.Errorf("the broken claim's 999: %+v", cas)
		}
		cas = claimAcks(t, s, bad)
		if len(cas) != 2 || cas[1].Codes[0] != "A7:33:IL" || cas[1].Outcome != gateway.AckRejected {
			t.Errorf("the A7 claim's acknowledgments: %+v", cas)
		}
		rejs, err := s.ListRejections(ctx, gateway.RejectionFilter{PayerID: payer})
		must(t, err)
		if len(rejs) != 2 {
			t.Errorf("rejections %+v", rejs)
		}
	})
}
