package submission_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/gateway"
	"github.com/claimgate/claimgate/gateway/submission"
	"github.com/claimgate/claimgate/internal/samples"
	"github.com/claimgate/claimgate/payers"
	"github.com/claimgate/claimgate/payers/sftpd"
	"github.com/claimgate/claimgate/storage/postgres"
	"github.com/claimgate/claimgate/storage/sqlite"
	"github.com/claimgate/claimgate/storage/storetest"
)

const (
	payerID      = "SIMPAYER"
	testUser     = "claimgate"
	testPassword = "correct horse battery staple"
)

func quietLogger() *slog.Logger {
	if os.Getenv("CLAIMGATE_TEST_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// storeKind is one of the two stores.
type storeKind string

const (
	sqliteStore   storeKind = "sqlite"
	postgresStore storeKind = "postgres"
)

// openStore opens and migrates a fresh store of the kind (Postgres: a private schema; skipped
// when unreachable unless CLAIMGATE_REQUIRE_POSTGRES=1).
func openStore(t testing.TB, kind storeKind) gateway.Store {
	t.Helper()
	ctx := context.Background()
	var s gateway.Store
	var err error
	switch kind {
	case sqliteStore:
		s, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "claimgate.db"))
	case postgresStore:
		s, err = postgres.Open(ctx, storetest.PostgresURL(t))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func forEachStore(t *testing.T, f func(t *testing.T, kind storeKind)) {
	for _, k := range []storeKind{sqliteStore, postgresStore} {
		t.Run(string(k), func(t *testing.T) { f(t, k) })
	}
}

// forEachBackend runs f against pkg/sftp's server and OpenSSH's sftp-server (skipped loudly
// when not installed, unless CLAIMGATE_REQUIRE_SFTP_SERVER=1).
func forEachBackend(t *testing.T, f func(t *testing.T, b sftpd.Backend)) {
	for _, b := range []sftpd.Backend{sftpd.BackendInProcess, sftpd.BackendOpenSSH} {
		t.Run(b.String(), func(t *testing.T) {
			if b == sftpd.BackendOpenSSH && sftpd.FindSFTPServer() == "" {
				msg := "OpenSSH sftp-server not installed: SKIPPING the OpenSSH backend"
				if os.Getenv("CLAIMGATE_REQUIRE_SFTP_SERVER") == "1" {
					t.Fatal(msg)
				}
				t.Skip(msg)
			}
			f(t, b)
		})
	}
}

// payerServer is a real SSH/SFTP server on loopback that can be stopped and started again on
// the same address, with the client-side files to reach it.
type payerServer struct {
	t       testing.TB
	backend sftpd.Backend
	root    string
	state   string
	addr    string
	secrets string

	mu  sync.Mutex
	srv *sftpd.Server

	passwordFile string
	knownHosts   string
}

func newPayerServer(t testing.TB, b sftpd.Backend) *payerServer {
	t.Helper()
	ps := &payerServer{t: t, backend: b, root: t.TempDir(), state: t.TempDir(), secrets: t.TempDir()}
	for _, d := range []string{"inbound", "outbound", "archive"} {
		if err := os.Mkdir(filepath.Join(ps.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ps.passwordFile = ps.writeSecret("password", []byte(testPassword+"\n"))
	l, err := sftpd.Listen("")
	if err != nil {
		t.Fatal(err)
	}
	ps.addr = l.Addr().String()
	ps.serve(l)
	ps.knownHosts = ps.writeSecret("known_hosts", []byte(ps.server().KnownHostsLine(ps.addr)+"\n"))
	t.Cleanup(ps.stop)
	return ps
}

func (ps *payerServer) writeSecret(name string, data []byte) string {
	ps.t.Helper()
	p := filepath.Join(ps.secrets, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		ps.t.Fatal(err)
	}
	return p
}

func (ps *payerServer) serve(l net.Listener) {
	srv, err := sftpd.New(sftpd.Config{Root: ps.root, StateDir: ps.state, Backend: ps.backend,
		Users: []sftpd.User{{Name: testUser, Password: testPassword}}})
	if err != nil {
		ps.t.Fatal(err)
	}
	ps.mu.Lock()
	ps.srv = srv
	ps.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

func (ps *payerServer) server() *sftpd.Server {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.srv
}

// stop closes the server: the address refuses connections until start.
func (ps *payerServer) stop() {
	ps.mu.Lock()
	srv := ps.srv
	ps.srv = nil
	ps.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// start serves again on the same address (same host key).
func (ps *payerServer) start() {
	ps.t.Helper()
	var l net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if l, err = net.Listen("tcp", ps.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		ps.t.Fatalf("listen again on %s: %v", ps.addr, err)
	}
	ps.serve(l)
}

func (ps *payerServer) setFaults(f sftpd.Faults) { ps.server().SetFaults(f) }

// payer returns the payer configuration pointing at this server.
func (ps *payerServer) payer() payers.Payer {
	srv := ps.server()
	return payers.Payer{
		ID:       payerID,
		Name:     "Simulated Health Plan",
		Receiver: payers.Receiver{ISAQualifier: "ZZ", ISAID: "SIMPAYER", GSID: "SIMPAYER"},
		Usage:    "T",
		SFTP: payers.SFTP{Addr: ps.addr, User: testUser, PasswordFile: ps.passwordFile, KnownHosts: ps.knownHosts,
			UploadDir: srv.RemotePath("inbound"), DownloadDir: srv.RemotePath("outbound"),
			MoveDir: srv.RemotePath("archive"), AfterDownload: "delete",
			Timeout: 5 * time.Second, Retries: 2, RetryInterval: 20 * time.Millisecond},
		Submit: "@every 1s",
		Poll:   "@every 1s",
	}
}

// uploaded returns the finished files in the upload folder (no temporary dot-names).
func (ps *payerServer) uploaded(t testing.TB) map[string][]byte {
	t.Helper()
	return readDir(t, filepath.Join(ps.root, "inbound"))
}

func readDir(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

var testSender = x837.Sender{ISAQualifier: "ZZ", ISAID: "CLAIMGATE01", GSID: "CLAIMGATE01", Name: "Lakeside Billing",
	Contact: x837.Contact{Name: "Billing Office", Phone: "6125550100"}}

// newService builds a Service for one payer.
func newService(t testing.TB, store gateway.Store, p payers.Payer, mod func(*submission.Config)) *submission.Service {
	t.Helper()
	reg, err := payers.NewRegistry([]payers.Payer{p})
	if err != nil {
		t.Fatal(err)
	}
	cfg := submission.Config{Store: store, Payers: reg, Sender: testSender, Logger: quietLogger(), LeaseTTL: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	s, err := submission.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// encounters returns the valid professional and institutional encounters of testdata.
func encounters(t testing.TB) []json.RawMessage {
	t.Helper()
	dir := filepath.Join(samples.MustRepoRoot(t), "testdata", "encounters")
	var out []json.RawMessage
	for _, name := range []string{"prof_one_line.json", "prof_four_modifiers.json", "prof_child_dependent.json",
		"prof_twelve_diagnoses.json", "inst_outpatient_0131.json", "prof_ndc_drug.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, json.RawMessage(b))
	}
	return out
}

// createClaims stores n queued claims for the payer (cycling through the test encounters), in
// one transaction, and returns their ids.
func createClaims(t testing.TB, s gateway.Store, n int, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	encs := encounters(t)
	sub, err := s.SubmitterByName(ctx, "ehr")
	if err != nil {
		_, hash := gateway.NewToken()
		sub, err = s.CreateSubmitter(ctx, gateway.Submitter{Name: "ehr", TokenHash: hash})
		if err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]string, 0, n)
	err = s.WithTx(ctx, func(tx gateway.Tx) error {
		for i := 0; i < n; i++ {
			enc := encs[i%len(encs)]
			var head struct {
				ClaimType string `json:"claim_type"`
			}
			if err := json.Unmarshal(enc, &head); err != nil {
				return err
			}
			c, err := tx.CreateClaim(ctx, gateway.Claim{SubmitterID: sub.ID, ExternalID: fmt.Sprintf("%s-%05d", prefix, i),
				Type: gateway.ClaimType(head.ClaimType), PayerID: payerID, TotalCharge: 15000, LineCount: 1,
				Encounter: enc}, gateway.EventInput{Source: "test"})
			if err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// delivery is what the payer's upload folder holds.
type delivery struct {
	files  map[string][]byte   // name -> bytes
	claims map[string][]string // claim id (CLM01) -> file names holding it
}

func parseDelivery(t testing.TB, files map[string][]byte) delivery {
	t.Helper()
	d := delivery{files: files, claims: map[string][]string{}}
	for name, b := range files {
		ics, _, err := x837.ReadAll(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: unreadable 837: %v", name, err)
		}
		for _, ic := range ics {
			for _, c := range ic.Claims {
				d.claims[c.PatientControlNumber] = append(d.claims[c.PatientControlNumber], name)
			}
		}
	}
	return d
}

// assertIntegrity fails the test when the store holds data its schema does not enforce and
// that is wrong (sqlstore.Store.CheckIntegrity: orphan rows, claims_waiting out of step with
// the claims), as crashes and concurrent replicas might leave it.
func assertIntegrity(t testing.TB, s gateway.Store) {
	t.Helper()
	c, ok := s.(interface {
		CheckIntegrity(context.Context) ([]string, error)
	})
	if !ok {
		t.Fatalf("%T has no CheckIntegrity", s)
	}
	problems, err := c.CheckIntegrity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("integrity: %s", p)
	}
}

// assertExactlyOnce checks the exactly-once delivery: every claim id in exactly one file, none
// missing, nothing else; every uploaded batch has exactly its one file on the server, with the
// archived bytes; every claim is submitted in the batch of that file.
func assertExactlyOnce(t testing.TB, s gateway.Store, files map[string][]byte, ids []string) {
	t.Helper()
	ctx := context.Background()
	d := parseDelivery(t, files)
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
		switch names := d.claims[id]; len(names) {
		case 1:
		case 0:
			t.Errorf("claim %s is in no file on the server", id)
		default:
			t.Errorf("claim %s is in %d files: %v", id, len(names), names)
		}
	}
	for id := range d.claims {
		if !want[id] {
			t.Errorf("unexpected claim %s on the server", id)
		}
	}
	batches, err := s.ListBatches(ctx, gateway.BatchFilter{PayerID: payerID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]gateway.Batch{}
	for _, b := range batches {
		if _, dup := byName[b.RemoteName]; dup {
			t.Errorf("two batches named %s", b.RemoteName)
		}
		byName[b.RemoteName] = b
		if b.Status != gateway.BatchUploaded {
			t.Errorf("batch %d is %s, want uploaded", b.ID, b.Status)
			continue
		}
		data, ok := files[b.RemoteName]
		if !ok {
			t.Errorf("uploaded batch %d: %s is not on the server", b.ID, b.RemoteName)
			continue
		}
		f, err := s.GetFile(ctx, *b.FileID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Bytes, data) {
			t.Errorf("batch %d: the server's %s differs from the archived bytes", b.ID, b.RemoteName)
		}
	}
	for name := range files {
		if _, ok := byName[name]; !ok {
			t.Errorf("file %s on the server belongs to no batch", name)
		}
	}
	for _, id := range ids {
		c, err := s.GetClaim(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != gateway.StatusSubmitted || c.BatchID == nil {
			t.Errorf("claim %s is %s (batch %v), want submitted", id, c.Status, c.BatchID)
			continue
		}
		if names := d.claims[id]; len(names) == 1 {
			if b := byName[names[0]]; b.ID != *c.BatchID {
				t.Errorf("claim %s: batch %d in the store, file %s (batch %d) on the server", id, *c.BatchID, names[0], b.ID)
			}
		}
	}
}

// statusCounts counts the claims of ids per status.
func statusCounts(t testing.TB, s gateway.Store, ids []string) map[gateway.ClaimStatus]int {
	t.Helper()
	out := map[gateway.ClaimStatus]int{}
	for _, id := range ids {
		c, err := s.GetClaim(context.Background(), id, 0)
		if err != nil {
			t.Fatal(err)
		}
		out[c.Status]++
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// otherHostKeyFile writes a known_hosts file pinning a different key for addr.
func otherHostKeyFile(t testing.TB, dir, addr string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	host := addr
	if h, port, err := net.SplitHostPort(addr); err == nil {
		host = "[" + h + "]:" + port
	}
	p := filepath.Join(dir, "known_hosts_wrong")
	if err := os.WriteFile(p, []byte(host+" "+string(bytes.TrimSpace(ssh.MarshalAuthorizedKey(sp)))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
