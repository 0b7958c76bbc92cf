package sim

import (
	"testing"

	"github.com/claimgate/claimgate/payers/sftpd"
)

// TestOpenSSHBackend runs the simulator behind OpenSSH's sftp-server (the implementation most
// payers run): the client uses the absolute folders RemoteDir gives.
func TestOpenSSHBackend(t *testing.T) {
	if sftpd.FindSFTPServer() == "" {
		t.Skip("OpenSSH sftp-server is not installed (Debian package openssh-sftp-server)")
	}
	f := startSim(t, t.TempDir(), func(c *Config) { c.Backend = sftpd.BackendOpenSSH })
	if got := f.srv.RemoteDir(InboundDir); got != f.srv.LocalDir(InboundDir) {
		t.Fatalf("RemoteDir(inbound) = %q, want the absolute folder %q", got, f.srv.LocalDir(InboundDir))
	}
	f.upload("claims.x12", render837(t, 501, encounterClaim(t, "prof_one_line.json", "SIMO0001")))
	kinds := byKind(f.waitOutbound(3))
	acks := read999(t, f.download(kinds["999"][0]))
	if len(acks) != 1 || acks[0].Status != "A" {
		t.Errorf("999: %+v", acks)
	}
	rem := read835(t, f.download(kinds["835"][0]))
	if len(rem.Claims) != 1 || rem.Claims[0].PatientControlNumber != "SIMO0001" {
		t.Errorf("835 claims: %+v", rem.Claims)
	}
}
