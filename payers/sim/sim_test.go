package sim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/claimgate/claimgate/edi"
	"github.com/claimgate/claimgate/edi/x277"
	"github.com/claimgate/claimgate/edi/x835"
	"github.com/claimgate/claimgate/edi/x837"
	"github.com/claimgate/claimgate/edi/x999"
	"github.com/claimgate/claimgate/gateway/intake"
	"github.com/claimgate/claimgate/internal/samples"
	"github.com/claimgate/claimgate/payers"
)

// encounterClaim maps testdata/encounters/<file> to a claim with id claimID, as the gateway's
// intake does.
func encounterClaim(t testing.TB, file, claimID string) x837.Claim {
	t.Helper()
	f, err := os.Open(filepath.Join(samples.MustRepoRoot(t), "testdata", "encounters", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc, err := intake.DecodeEncounter(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	c, err := enc.ToClaim(claimID)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return c
}

// render837 renders claims as one 837 interchange from CLAIMGATE01 to SIMPAYER.
func render837(t testing.TB, isa int64, claims ...x837.Claim) []byte {
	t.Helper()
	ic := &x837.Interchange{
		Sender: x837.Sender{ISAQualifier: "ZZ", ISAID: "CLAIMGATE01", GSID: "CLAIMGATE01", Name: "CLAIMGATE",
			Contact: x837.Contact{Name: "CLAIMGATE EDI", Email: "edi@claimgate.invalid"}},
		Receiver:       x837.Receiver{ISAQualifier: "ZZ", ISAID: "SIMPAYER", GSID: "SIMPAYER", Name: "Simulated Health Plan"},
		Usage:          "T",
		ControlNumbers: x837.ControlNumbers{ISA: isa, GS: isa, ST: 1},
		Time:           time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC),
		Claims:         claims,
	}
	var buf bytes.Buffer
	if err := x837.Render(&buf, ic); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// addLine appends a copy of the claim's first line with another procedure and charge, and
// recomputes CLM02.
func addLine(c *x837.Claim, procedure string, charge edi.Amount, modifiers ...string) {
	l := c.Lines[0]
	l.ProcedureCode, l.Charge, l.Modifiers = procedure, charge, modifiers
	l.ControlNumber = intake.LineControlNumber(c.PatientControlNumber, len(c.Lines)+1)
	c.Lines = append(c.Lines, l)
	c.TotalCharge += charge
}

type fixture struct {
	t          *testing.T
	dir        string
	srv        *Server
	client     *payers.Client
	keyFile    string
	knownHosts string
}

// clock is a settable clock for the delay tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// startSim starts a simulator on a free loopback port over dir, with a client key for user
// claimgate, and dials it with the payers transport.
func startSim(t *testing.T, dir string, modify func(*Config)) *fixture {
	t.Helper()
	keys := t.TempDir()
	keyFile := filepath.Join(keys, "id_ed25519")
	pub, err := EnsureClientKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Addr:         "127.0.0.1:0",
		Dir:          dir,
		Users:        []User{{Name: "claimgate", AuthorizedKeys: []ssh.PublicKey{pub}}},
		ScenarioFile: filepath.Join(samples.MustRepoRoot(t), "testdata", "sim", "scenarios.yaml"),
		PollInterval: 20 * time.Millisecond,
	}
	if modify != nil {
		modify(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, dir: dir, srv: srv, keyFile: keyFile, knownHosts: filepath.Join(keys, "known_hosts")}
	if err := srv.WriteKnownHosts(f.knownHosts); err != nil {
		t.Fatal(err)
	}
	settings := srv.ClientSettings("claimgate", keyFile, "", f.knownHosts)
	settings.Timeout = 5 * time.Second
	client, err := payers.Dial(ctx, settings, payers.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.client = client
	t.Cleanup(func() { f.stop() })
	return f
}

func (f *fixture) stop() {
	if f.client != nil {
		f.client.Close()
		f.client = nil
	}
	if f.srv != nil {
		f.srv.Close()
		f.srv = nil
	}
}

func (f *fixture) upload(name string, data []byte) {
	f.t.Helper()
	if err := f.client.Upload(context.Background(), f.srv.RemoteDir(InboundDir), name, data); err != nil {
		f.t.Fatal(err)
	}
}

// waitOutbound lists the outbound folder over SFTP until it holds want files (at most 10s).
func (f *fixture) waitOutbound(want int) []string {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, err := f.client.List(context.Background(), f.srv.RemoteDir(OutboundDir))
		if err != nil {
			f.t.Fatal(err)
		}
		var names []string
		for _, fl := range files {
			names = append(names, fl.Name)
		}
		if len(names) >= want || time.Now().After(deadline) {
			if len(names) != want {
				f.t.Fatalf("outbound holds %v, want %d files", names, want)
			}
			return names
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitInboundEmpty waits until the simulator has taken every inbound file (at most 10s).
func (f *fixture) waitInboundEmpty() {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, err := f.client.List(context.Background(), f.srv.RemoteDir(InboundDir))
		if err != nil {
			f.t.Fatal(err)
		}
		if len(files) == 0 {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("inbound still holds %v", files)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *fixture) download(name string) []byte {
	f.t.Helper()
	data, err := f.client.Download(context.Background(), f.srv.RemoteDir(OutboundDir), name)
	if err != nil {
		f.t.Fatal(err)
	}
	return data
}

// byKind splits answer file names by kind, in name order.
func byKind(names []string) map[string][]string {
	out := map[string][]string{}
	for _, n := range names {
		kind, _, _ := strings.Cut(n, "_")
		out[kind] = append(out[kind], n)
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

func read999(t *testing.T, data []byte) []x999.FunctionalAck {
	t.Helper()
	f, err := x999.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Errors) > 0 {
		t.Fatalf("999 has problems: %v", f.Errors)
	}
	return f.Acks
}

func read277(t *testing.T, data []byte) map[string]*x277.ClaimAck {
	t.Helper()
	f, err := x277.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Errors) > 0 {
		t.Fatalf("277CA has problems: %v", f.Errors)
	}
	out := map[string]*x277.ClaimAck{}
	for i := range f.Transactions {
		for _, c := range f.Transactions[i].Claims() {
			out[c.PatientControlNumber] = c
		}
	}
	return out
}

func read835(t *testing.T, data []byte) *x835.Remittance {
	t.Helper()
	r := x835.NewReader(edi.NewReader(bytes.NewReader(data)))
	rem, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors()) > 0 {
		t.Fatalf("835 has problems: %v", r.Errors())
	}
	if !rem.Totals.Balanced {
		t.Fatalf("835 does not balance: %+v", rem.Totals)
	}
	return rem
}

func claimsByPCN(rem *x835.Remittance) map[string][]*x835.ClaimPayment {
	out := map[string][]*x835.ClaimPayment{}
	for _, c := range rem.Claims {
		out[c.PatientControlNumber] = append(out[c.PatientControlNumber], c)
	}
	return out
}

func lineCARCs(c *x835.ClaimPayment) []string {
	var out []string
	for _, l := range c.Lines {
		for _, a := range l.Adjustments {
			if a.Group != "PR" && !(a.Group == "CO" && a.Reason == "45") {
				out = append(out, a.Group+"-"+a.Reason)
			}
		}
		for _, r := range l.Remarks {
			out = append(out, r.Qualifier+":"+r.Code)
		}
	}
	return out
}

// TestEndToEnd uploads an 837 made from the sample encounters over SFTP and checks the 999,
// the 277CA and the 835 the simulator answers with, then a replacement claim's reversal, then
// that neither a second upload of the same bytes nor a restart is answered again.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	f := startSim(t, dir, nil)

	paid := encounterClaim(t, "prof_one_line.json", "SIMA0001")
	bad := encounterClaim(t, "prof_one_line.json", "SIMB0001")
	bad.Subscriber.MemberID = "BAD000111"
	partial := encounterClaim(t, "prof_one_line.json", "SIMC0001")
	addLine(&partial, "97530", 10000)
	bundled := encounterClaim(t, "prof_one_line.json", "SIMD0001")
	bundled.Lines[0].Modifiers = []string{"59"}
	unlisted := encounterClaim(t, "prof_one_line.json", "SIME0001")
	unlisted.Lines[0].ProcedureCode = "99499"
	coding := encounterClaim(t, "prof_one_line.json", "SIMH0001")
	coding.Diagnoses[0] = "Z0000"
	coding.Lines[0].ProcedureCode = "99215"
	first := render837(t, 101, paid, bad, partial, bundled, unlisted, coding)
	f.upload("claims_000000101.x12", first)

	names := f.waitOutbound(3)
	kinds := byKind(names)
	if len(kinds["999"]) != 1 || len(kinds["277CA"]) != 1 || len(kinds["835"]) != 1 {
		t.Fatalf("answers %v, want one 999, one 277CA and one 835", names)
	}

	acks := read999(t, f.download(kinds["999"][0]))
	if len(acks) != 1 || acks[0].Status != "A" || acks[0].GroupControlNumber != "101" || len(acks[0].Sets) != 1 || !acks[0].Sets[0].Accepted() {
		t.Fatalf("999 = %+v, want the group and its set accepted", acks)
	}

	cas := read277(t, f.download(kinds["277CA"][0]))
	if len(cas) != 6 {
		t.Fatalf("277CA answers %d claims, want 6", len(cas))
	}
	for pcn, c := range cas {
		want := x277.Accepted
		if pcn == "SIMB0001" {
			want = x277.Rejected
		}
		if got := c.Outcome(); got != want {
			t.Errorf("277CA claim %s: outcome %s, want %s", pcn, got, want)
		}
		if want == x277.Accepted && (!strings.HasPrefix(c.PayerClaimNumber, "SIM") || len(c.PayerClaimNumber) != 15) {
			t.Errorf("277CA claim %s: REF*1K %q, want SIM + 12 digits", pcn, c.PayerClaimNumber)
		}
	}
	if st := cas["SIMB0001"].Statuses[0]; st.Category != "A7" || st.Code != "33" || st.Entity != "IL" {
		t.Errorf("rejected claim status = %+v, want A7:33:IL", st)
	}

	rem := read835(t, f.download(kinds["835"][0]))
	if rem.Trace == nil || !strings.HasPrefix(rem.Trace.Number, "SIMEFT") || kinds["835"][0] != "835_"+rem.Trace.Number+".x12" {
		t.Errorf("835 trace %+v in file %s", rem.Trace, kinds["835"][0])
	}
	got := claimsByPCN(rem)
	if _, ok := got["SIMB0001"]; ok || len(rem.Claims) != 5 {
		t.Fatalf("835 pays %d claims (%v); the 277CA-rejected claim must not be there", len(rem.Claims), got)
	}
	// 150.00 charged, 72% allowed = 108.00, CO-45 42.00; deductible 20, copay 10, 20% of 78.
	a := got["SIMA0001"][0]
	if a.Status != "1" || a.Charge != 15000 || a.Paid != 6240 || a.PatientResponsibility != 4560 || a.PayerClaimNumber != cas["SIMA0001"].PayerClaimNumber {
		t.Errorf("SIMA0001 = status %s charge %s paid %s patient %s CLP07 %s", a.Status, a.Charge, a.Paid, a.PatientResponsibility, a.PayerClaimNumber)
	}
	if l := a.Lines[0]; l.ControlNumber != "SIMA0001-1" {
		t.Errorf("line REF*6R = %q", l.ControlNumber)
	}
	wantAdj := []x835.Adjustment{{Group: "CO", Reason: "45", Amount: 4200}, {Group: "PR", Reason: "1", Amount: 2000}, {Group: "PR", Reason: "3", Amount: 1000}, {Group: "PR", Reason: "2", Amount: 1560}}
	if !slices.Equal(a.Lines[0].Adjustments, wantAdj) {
		t.Errorf("SIMA0001 line adjustments = %+v, want %+v", a.Lines[0].Adjustments, wantAdj)
	}
	tests := []struct {
		pcn    string
		status string
		carcs  []string
	}{
		{"SIMC0001", "1", []string{"CO-197", "HE:N54"}},
		{"SIMD0001", "4", []string{"CO-97", "HE:M15"}},
		{"SIME0001", "4", []string{"CO-4", "HE:M51"}},
		{"SIMH0001", "4", []string{"CO-11"}},
	}
	for _, tt := range tests {
		c := got[tt.pcn][0]
		if c.Status != tt.status || !slices.Equal(lineCARCs(c), tt.carcs) {
			t.Errorf("%s: status %s denials %v, want %s %v", tt.pcn, c.Status, lineCARCs(c), tt.status, tt.carcs)
		}
	}
	if len(rem.ProviderAdjustments) != 1 || rem.Totals.ProviderAdjustments != 1125 || rem.Totals.PaymentAmount != 6240+6240-1125 {
		t.Errorf("PLB %+v, totals %+v", rem.ProviderAdjustments, rem.Totals)
	}

	// A replacement of SIMA0001 with a higher charge: the 835 reverses the first payment and pays
	// the corrected claim.
	repl := encounterClaim(t, "prof_one_line.json", "SIMA0001")
	repl.Frequency = x837.FrequencyReplacement
	repl.PayerClaimNumber = cas["SIMA0001"].PayerClaimNumber
	repl.Lines[0].Charge, repl.TotalCharge = 20000, 20000
	f.upload("claims_000000102.x12", render837(t, 102, repl))
	names2 := f.waitOutbound(6)
	kinds2 := byKind(names2)
	var rem2 *x835.Remittance
	for _, n := range kinds2["835"] {
		if n != kinds["835"][0] {
			rem2 = read835(t, f.download(n))
		}
	}
	if rem2 == nil || len(rem2.Claims) != 2 {
		t.Fatalf("second 835: %+v", rem2)
	}
	rev, corr := rem2.Claims[0], rem2.Claims[1]
	if !rev.IsReversal() || rev.Charge != -15000 || rev.Paid != -6240 || rev.PayerClaimNumber != a.PayerClaimNumber {
		t.Errorf("reversal = status %s charge %s paid %s CLP07 %s", rev.Status, rev.Charge, rev.Paid, rev.PayerClaimNumber)
	}
	// 200 charged: 144 allowed, 20 + 10 + 20% of 114 = 52.80 patient, 91.20 paid.
	if corr.Status != "1" || corr.Charge != 20000 || corr.Paid != 9120 || corr.PayerClaimNumber == a.PayerClaimNumber || corr.Frequency != "7" {
		t.Errorf("corrected payment = status %s charge %s paid %s CLP07 %s", corr.Status, corr.Charge, corr.Paid, corr.PayerClaimNumber)
	}
	if rem2.Totals.ReversalCount != 1 || rem2.Totals.PaymentAmount != 9120-6240-1125 {
		t.Errorf("second 835 totals = %+v", rem2.Totals)
	}

	// The same bytes again, under the same name and another one: taken, not answered.
	f.upload("claims_000000101.x12", first)
	f.upload("again.x12", first)
	f.waitInboundEmpty()
	time.Sleep(100 * time.Millisecond)
	f.waitOutbound(6)

	// A restart keeps the host key, answers nothing again, and goes on counting.
	fingerprint := f.srv.HostKeyFingerprint()
	f.stop()
	st, err := loadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	nextControl := st.NextControl
	f = startSim(t, dir, nil)
	if f.srv.HostKeyFingerprint() != fingerprint {
		t.Error("the host key changed across a restart")
	}
	f.upload("again2.x12", first)
	f.waitInboundEmpty()
	f.waitOutbound(6)
	third := encounterClaim(t, "prof_one_line.json", "SIMG0001")
	f.upload("claims_000000103.x12", render837(t, 103, third))
	names3 := f.waitOutbound(9)
	for _, n := range names3 {
		if !slices.Contains(names2, n) && strings.HasPrefix(n, "999_") && n < "999_"+padControl(nextControl) {
			t.Errorf("after the restart the 999 %s reuses a control number below %d", n, nextControl)
		}
	}
}

func padControl(n int64) string {
	s := "000000000" + strconv.FormatInt(n, 10)
	return s[len(s)-9:]
}

// TestRejectsBrokenSet: an 837 whose institutional set breaks the TR3 (an ICD-9 diagnosis
// qualifier) gets a 999 that rejects that set with IK3/IK4 positions and accepts the
// professional set of the same file; only the professional claim is acknowledged and paid.
func TestRejectsBrokenSet(t *testing.T) {
	f := startSim(t, t.TempDir(), nil)
	prof := encounterClaim(t, "prof_one_line.json", "SIMP0001")
	inst := encounterClaim(t, "inst_outpatient_0131.json", "SIMI0001")
	data := render837(t, 201, prof, inst)
	i := bytes.LastIndex(data, []byte("HI*ABK:"))
	if i < 0 || i < bytes.Index(data, []byte("005010X223A2")) {
		t.Fatal("no institutional HI*ABK to break")
	}
	broken := append(append(append([]byte(nil), data[:i]...), []byte("HI*BK:")...), data[i+len("HI*ABK:"):]...)
	f.upload("broken.x12", broken)
	names := f.waitOutbound(3)
	kinds := byKind(names)
	acks := read999(t, f.download(kinds["999"][0]))
	if len(acks) != 2 {
		t.Fatalf("999 holds %d acknowledgments, want one per group (2)", len(acks))
	}
	if acks[0].Version != x837.VersionProfessional || acks[0].Status != "A" || !acks[0].Sets[0].Accepted() {
		t.Errorf("professional group: %+v", acks[0])
	}
	ia := acks[1]
	if ia.Version != x837.VersionInstitutional || ia.Status != "R" || ia.Sets[0].Status != "R" {
		t.Fatalf("institutional group: %+v", ia)
	}
	segs := ia.Sets[0].Segments
	if len(segs) == 0 || segs[0].SegmentID != "HI" || segs[0].Position <= 0 || len(segs[0].Elements) == 0 {
		t.Fatalf("rejected set's IK3/IK4 = %+v", segs)
	}
	if name, value, ok := segs[0].BusinessUnit(); !ok || name != "CLM01" || value != "SIMI0001" {
		t.Errorf("IK3 context = %s %s %v, want CLM01 SIMI0001", name, value, ok)
	}
	cas := read277(t, f.download(kinds["277CA"][0]))
	if len(cas) != 1 || cas["SIMP0001"] == nil {
		t.Errorf("277CA claims %v, want SIMP0001 only", cas)
	}
	rem := read835(t, f.download(kinds["835"][0]))
	if len(rem.Claims) != 1 || rem.Claims[0].PatientControlNumber != "SIMP0001" {
		t.Errorf("835 claims %+v", rem.Claims)
	}
}

// TestDelays: with delays, each answer waits in DIR/pending until the clock reaches its time,
// and a restart in between loses none.
func TestDelays(t *testing.T) {
	dir := t.TempDir()
	clock := newClock(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	delays := Delays{Ack999: time.Minute, Ack277: time.Hour, Remit835: 24 * time.Hour}
	cfg := func(c *Config) { c.Now, c.Delays = clock.Now, delays }
	f := startSim(t, dir, cfg)
	f.upload("claims.x12", render837(t, 301, encounterClaim(t, "prof_one_line.json", "SIMT0001")))
	f.waitInboundEmpty()
	f.waitOutbound(0)
	clock.Add(time.Minute)
	f.srv.Poke()
	if k := byKind(f.waitOutbound(1)); len(k["999"]) != 1 {
		t.Fatalf("after a minute: %v", k)
	}
	f.stop()
	f = startSim(t, dir, cfg)
	clock.Add(time.Hour)
	f.srv.Poke()
	if k := byKind(f.waitOutbound(2)); len(k["277CA"]) != 1 {
		t.Fatalf("after an hour: %v", k)
	}
	clock.Add(24 * time.Hour)
	f.srv.Poke()
	if k := byKind(f.waitOutbound(3)); len(k["835"]) != 1 {
		t.Fatalf("after a day: %v", k)
	}
}

// TestIgnoresPartialAndUnreadable: temporary names are left alone; a file that is not X12 is
// set aside without an answer.
func TestIgnoresPartialAndUnreadable(t *testing.T) {
	dir := t.TempDir()
	f := startSim(t, dir, nil)
	inbound := f.srv.LocalDir(InboundDir)
	for _, n := range []string{".claims.x12.part", "claims.x12.tmp", "claims.x12.filepart"} {
		if err := os.WriteFile(filepath.Join(inbound, n), render837(t, 401, encounterClaim(t, "prof_one_line.json", "SIMU0001")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f.upload("notes.txt", []byte("this is not an 837\n"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, _ := os.ReadDir(filepath.Join(dir, rejectedDir))
		if len(entries) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the unreadable file was not set aside")
		}
		time.Sleep(20 * time.Millisecond)
	}
	entries, err := os.ReadDir(inbound)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Errorf("inbound holds %d files, want the 3 partial ones untouched", len(entries))
	}
	f.waitOutbound(0)
}

// TestTA1: an interchange asking for a TA1 (ISA14 1) gets one besides its answers; an
// interchange whose IEA disagrees with its ISA is rejected by TA1 (note 001) and gets nothing
// else.
func TestTA1(t *testing.T) {
	f := startSim(t, t.TempDir(), nil)
	asked := render837(t, 601, encounterClaim(t, "prof_one_line.json", "SIMK0001"))
	asked = bytes.Replace(asked, []byte("*000000601*0*T*"), []byte("*000000601*1*T*"), 1)
	f.upload("asked.x12", asked)
	kinds := byKind(f.waitOutbound(4))
	if len(kinds["TA1"]) != 1 || len(kinds["999"]) != 1 || len(kinds["277CA"]) != 1 || len(kinds["835"]) != 1 {
		t.Fatalf("answers: %v", kinds)
	}
	if ta := string(f.download(kinds["TA1"][0])); !strings.Contains(ta, "TA1*000000601*") || !strings.Contains(ta, "*A*000~") {
		t.Errorf("TA1 = %q, want interchange 601 accepted", ta)
	}

	broken := render837(t, 602, encounterClaim(t, "prof_one_line.json", "SIMK0002"))
	broken = bytes.Replace(broken, []byte("IEA*1*000000602"), []byte("IEA*1*000000699"), 1)
	f.upload("broken.x12", broken)
	names := f.waitOutbound(5)
	var ta1 []byte
	for _, n := range names {
		if strings.HasPrefix(n, "TA1_") && n != kinds["TA1"][0] {
			ta1 = f.download(n)
		}
	}
	if !strings.Contains(string(ta1), "TA1*000000602*") || !strings.Contains(string(ta1), "*R*001~") {
		t.Errorf("TA1 = %q, want interchange 602 rejected with note 001", ta1)
	}
}
