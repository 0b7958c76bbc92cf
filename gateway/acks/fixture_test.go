package acks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/acks"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/internal/samples"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
	"github.com/claimgate/claimgate/storage/storetest"
)

const payer = "SIMPAYER"

// quiet discards the ingester's log lines in tests.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// eachStore runs fn against a fresh, migrated SQLite store and a fresh Postgres schema (skipped
// loudly when Postgres is unreachable, a failure with CLAIMGATE_REQUIRE_POSTGRES=1).
func eachStore(t *testing.T, fn func(t *testing.T, s gateway.Store)) {
	t.Helper()
	openers := []struct {
		name string
		open func(t *testing.T) gateway.Store
	}{
		{"sqlite", func(t *testing.T) gateway.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "acks.db"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"postgres", func(t *testing.T) gateway.Store {
			s, err := postgres.Open(context.Background(), storetest.PostgresURL(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			s := o.open(t)
			t.Cleanup(func() { _ = s.Close() })
			if err := s.Migrate(context.Background()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			fn(t, s)
		})
	}
}

func openSQLite(t *testing.T) gateway.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "acks.db"))
	must(t, err)
	t.Cleanup(func() { _ = s.Close() })
	must(t, s.Migrate(context.Background()))
	return s
}

// openSQLiteF is openSQLite for a fuzz target.
func openSQLiteF(f *testing.F) gateway.Store {
	f.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	must(f, err)
	f.Cleanup(func() { _ = s.Close() })
	must(f, s.Migrate(context.Background()))
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// encounter loads a sample encounter of testdata/encounters.
func encounter(t testing.TB, name string) *intake.Encounter {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samples.MustRepoRoot(t), "testdata", "encounters", name))
	must(t, err)
	e, err := intake.DecodeEncounter(bytes.NewReader(b))
	must(t, err)
	return e
}

// sentBatch is a batch as submission leaves it: claims in the store, submitted, and the 837
// that carried them, rendered with edi/x837 and archived.
type sentBatch struct {
	batch  gateway.Batch
	claims []gateway.Claim // professional claims first, then institutional
	layout []x837.SetLayout
	ic     *x837.Interchange
	file   []byte // the 837 as archived
}

// claimsOfSet returns the claim ids the set with the given group control number carries.
func (b sentBatch) claimsOfSet(gs int64) []string {
	for _, l := range b.layout {
		if l.GroupControlNumber == gs {
			var out []string
			for _, i := range l.Claims {
				out = append(out, b.ic.Claims[i].PatientControlNumber)
			}
			return out
		}
	}
	return nil
}

func (b sentBatch) setOf(gs int64) x837.SetLayout {
	for _, l := range b.layout {
		if l.GroupControlNumber == gs {
			return l
		}
	}
	return x837.SetLayout{}
}

var extSeq int

// newSentBatch creates prof professional and inst institutional claims, renders them into one
// interchange with control numbers isa (ISA13 and GS06) and isa*10 (ST02), archives it, and
// moves the claims through batched to submitted.
func newSentBatch(t testing.TB, s gateway.Store, sub gateway.Submitter, isa int64, prof, inst int) sentBatch {
	t.Helper()
	return newSentBatchWith(t, s, sub, isa, prof, inst, nil, nil)
}

// newSentBatchWith is newSentBatch with a change to each encounter before it is mapped
// (edit, may be nil) and to the rendered 837 before it is archived (tamper, may be nil: a
// file that breaks the TR3 can only be made after rendering, which refuses it).
func newSentBatchWith(t testing.TB, s gateway.Store, sub gateway.Submitter, isa int64, prof, inst int,
	edit func(i int, e *intake.Encounter), tamper func(ic *x837.Interchange, b []byte) []byte) sentBatch {
	t.Helper()
	ctx := context.Background()
	var claims []gateway.Claim
	var xs []x837.Claim
	for i := 0; i < prof+inst; i++ {
		name, typ := "prof_one_line.json", gateway.Professional
		if i >= prof {
			name, typ = "inst_outpatient_0131.json", gateway.Institutional
		}
		enc := encounter(t, name)
		if edit != nil {
			edit(i, enc)
		}
		extSeq++
		encJSON, err := json.Marshal(enc)
		must(t, err)
		c, err := s.CreateClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: fmt.Sprintf("EXT-%d", extSeq), Type: typ,
			PayerID: payer, TotalCharge: 10000, LineCount: 1, Encounter: encJSON}, gateway.EventInput{Source: "intake"})
		must(t, err)
		xc, err := enc.ToClaim(c.ID)
		must(t, err)
		claims = append(claims, c)
		xs = append(xs, xc)
	}
	ic := &x837.Interchange{
		Sender:         x837.Sender{ISAQualifier: "ZZ", ISAID: "CLAIMGATE01", GSID: "CLAIMGATE01", Name: "Lakeside Billing", Contact: x837.Contact{Name: "Ops", Phone: "6125550100"}},
		Receiver:       x837.Receiver{ISAQualifier: "ZZ", ISAID: payer, GSID: payer, Name: "Simulated Health Plan"},
		Usage:          "T",
		ControlNumbers: x837.ControlNumbers{ISA: isa, GS: isa, ST: isa * 10},
		Time:           time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
		Claims:         xs,
	}
	var buf bytes.Buffer
	must(t, x837.Render(&buf, ic))
	if tamper != nil {
		tampered := tamper(ic, buf.Bytes())
		buf.Reset()
		buf.Write(tampered)
	}
	var out sentBatch
	out.ic, out.claims, out.layout, out.file = ic, claims, ic.Layout(), append([]byte(nil), buf.Bytes()...)
	must(t, s.WithTx(ctx, func(tx gateway.Tx) error {
		f, _, err := tx.ArchiveFile(ctx, gateway.File{Direction: gateway.Outbound, PayerID: payer, Name: fmt.Sprintf("CG%09d.837", isa),
			Kind: gateway.Kind837, Status: gateway.FilePending, Bytes: buf.Bytes()})
		if err != nil {
			return err
		}
		b, err := tx.CreateBatch(ctx, gateway.Batch{PayerID: payer, ISA13: isa, GS06: isa, FileID: &f.ID, Status: gateway.BatchReady,
			RemoteName: f.Name, ClaimCount: len(claims)})
		if err != nil {
			return err
		}
		ids := make([]string, len(claims))
		for i, c := range claims {
			ids[i] = c.ID
		}
		if n, err := tx.MarkClaimsBatched(ctx, b.ID, ids, gateway.EventInput{Source: fmt.Sprintf("batch:%d", b.ID)}); err != nil || n != len(ids) {
			return fmt.Errorf("mark batched: %d, %v", n, err)
		}
		if n, _, err := tx.FinishBatchUpload(ctx, b.ID, time.Now(), gateway.EventInput{Source: fmt.Sprintf("batch:%d", b.ID)}); err != nil || n != len(ids) {
			return fmt.Errorf("finish upload: %d, %v", n, err)
		}
		out.batch, err = tx.GetBatch(ctx, b.ID)
		return err
	}))
	for i := range out.claims {
		c, err := s.GetClaim(ctx, out.claims[i].ID, 0)
		must(t, err)
		if c.Status != gateway.StatusSubmitted {
			t.Fatalf("claim %s is %s after upload", c.ID, c.Status)
		}
		out.claims[i] = c
	}
	return out
}

func newSubmitter(t testing.TB, s gateway.Store) gateway.Submitter {
	t.Helper()
	_, hash := gateway.NewToken()
	sub, err := s.CreateSubmitter(context.Background(), gateway.Submitter{Name: fmt.Sprintf("ehr-%d", time.Now().UnixNano()), TokenHash: hash})
	must(t, err)
	return sub
}

var replyTime = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func replyISA(control int64) edi.ISAHeader {
	return edi.ISAHeader{SenderID: payer, ReceiverID: "CLAIMGATE01", Time: replyTime, ControlNumber: control, Usage: "T"}
}

// write999 renders 999 acknowledgments as a file, with edi/x999's writer.
func write999(t testing.TB, control int64, fas ...x999.FunctionalAck) []byte {
	t.Helper()
	var buf bytes.Buffer
	must(t, x999.Write(&buf, x999.Envelope{Interchange: replyISA(control),
		Group: edi.GSHeader{Sender: payer, Receiver: "CLAIMGATE01", Time: replyTime, ControlNumber: control}}, fas...))
	return buf.Bytes()
}

// write277 renders 277CA transactions built with edi/x277's Build.
func write277(t testing.TB, control int64, batches ...x277.Batch) []byte {
	t.Helper()
	var txs []x277.Transaction
	for _, b := range batches {
		txs = append(txs, x277.Build(b))
	}
	var buf bytes.Buffer
	must(t, x277.Write(&buf, x277.Envelope{Interchange: replyISA(control),
		Group: edi.GSHeader{Sender: payer, Receiver: "CLAIMGATE01", Time: replyTime, ControlNumber: control}}, txs...))
	return buf.Bytes()
}

func writeTA1(t testing.TB, control int64, as ...ta1.Ack) []byte {
	t.Helper()
	var buf bytes.Buffer
	must(t, ta1.Write(&buf, ta1.Envelope{Interchange: replyISA(control)}, as...))
	return buf.Bytes()
}

// batch277 is a 277CA answering a batch with the given claim answers.
func batch277(trace string, claims ...x277.ClaimAck) x277.Batch {
	b := x277.Batch{Reference: "SIMACK" + trace, Created: replyTime,
		Source:   x277.Entity{Code: "PR", Type: "2", Name: "Simulated Health Plan", IDQualifier: "PI", ID: payer},
		Receiver: x277.Entity{Code: "41", Type: "2", Name: "Lakeside Billing", IDQualifier: "46", ID: "CLAIMGATE01"},
		Trace:    trace}
	for _, c := range claims {
		b.Claims = append(b.Claims, x277.BatchClaim{Provider: x277.Entity{Code: "85", Type: "2", Name: "Lakeside Family Medicine",
			IDQualifier: "XX", ID: "1234567893"}, Claim: c})
	}
	return b
}

var patient = x277.Entity{Code: "QC", Type: "1", Name: "DOE", FirstName: "JANE", IDQualifier: "MI", ID: "XYZ1"}

// receive archives an inbound file as the poll job does.
func receive(t testing.TB, s gateway.Store, kind gateway.FileKind, name string, b []byte) gateway.File {
	t.Helper()
	f, _, err := s.ArchiveFile(context.Background(), gateway.File{Direction: gateway.Inbound, PayerID: payer, Name: name, Kind: kind, Bytes: b})
	must(t, err)
	return f
}

func newIngester(t testing.TB, s gateway.Store, reg prometheus.Registerer) *acks.Ingester {
	t.Helper()
	in, err := acks.New(s, acks.Config{Registerer: reg, Logger: quiet})
	must(t, err)
	return in
}

func ingest(t testing.TB, in *acks.Ingester, f gateway.File) acks.Result {
	t.Helper()
	res, err := in.IngestAs(context.Background(), f, f.Kind)
	must(t, err)
	return res
}

func status(t testing.TB, s gateway.Store, id string) gateway.ClaimStatus {
	t.Helper()
	c, err := s.GetClaim(context.Background(), id, 0)
	must(t, err)
	return c.Status
}

func claimAcks(t testing.TB, s gateway.Store, id string) []gateway.ClaimAcknowledgment {
	t.Helper()
	list, err := s.ClaimAcknowledgments(context.Background(), id)
	must(t, err)
	return list
}
