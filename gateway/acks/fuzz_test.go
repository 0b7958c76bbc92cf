package acks_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/claimgate/claimgate/edi/ta1"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/internal/samples"
)

// FuzzIngest feeds arbitrary bytes to ingestion as a TA1, 999 or 277CA file, against a store
// holding a real batch: it must never panic or fail, and must leave the file processed or
// quarantined (with a reason).
func FuzzIngest(f *testing.F) {
	kinds := []gateway.FileKind{gateway.Kind999, gateway.Kind277CA, gateway.KindTA1}
	// Seeds: generated files that match the batch, and the sample files.
	f.Add(uint8(0), write999(f, 1, x999.FunctionalAck{FunctionalID: "HC", GroupControlNumber: "1", Status: "R",
		Sets: []x999.SetResponse{{SetID: "837", ControlNumber: "10", Status: "R", Segments: []x999.SegmentError{{SegmentID: "NM1",
			Position: 9, LoopID: "2010BA", Code: "8", Elements: []x999.ElementError{{Position: x999.Position{Element: 9}, Code: "7", BadValue: "X"}}}}}}}))
	f.Add(uint8(1), write277(f, 2, batch277("1", x277.AcceptedClaim(patient, "ABC", "PCN", 100, "2026-11-02"))))
	f.Add(uint8(2), writeTA1(f, 3, ta1.Ack{ControlNumber: "000000001", Date: "261120", Time: "0900", Code: "R", Note: "006"}))
	for i, sub := range []string{"999", "277CA"} {
		if dir := samples.Dir(sub); dir != "" {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
					f.Add(uint8(i), b)
				}
			}
		}
	}
	s := openSQLiteF(f)
	newSentBatch(f, s, newSubmitter(f, s), 1, 2, 1)
	in := newIngester(f, s, nil)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, k uint8, body []byte) {
		kind := kinds[int(k)%len(kinds)]
		file, _, err := s.ArchiveFile(ctx, gateway.File{Direction: gateway.Inbound, PayerID: payer, Name: "fuzz", Kind: kind, Bytes: body})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.IngestAs(ctx, file, kind); err != nil {
			t.Fatalf("ingest: %v", err)
		}
		stored, err := s.GetFile(ctx, file.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch stored.Status {
		case gateway.FileProcessed:
		case gateway.FileQuarantined:
			if stored.Reason == "" {
				t.Fatal("quarantined without a reason")
			}
		default:
			t.Fatalf("file left %s", stored.Status)
		}
	})
}
