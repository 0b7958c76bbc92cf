package sim_test

import (
	"context"
	"fmt"
	"log"
	"path/filepath"

	"golang.org/x/crypto/ssh"

	"github.com/claimgate/claimgate/payers/sim"
)

// Example shows how a caller (`make run`, `claimgate serve` without configuration) runs the
// simulator in-process and points claimgate's payer at it with a pinned host key.
func Example() {
	ctx := context.Background()
	dir := "var/payer-sim"
	keyFile := filepath.Join(dir, "client_ed25519")
	pub, err := sim.EnsureClientKey(keyFile) // generated once, kept
	if err != nil {
		log.Fatal(err)
	}
	srv, err := sim.New(sim.Config{
		Addr:  "127.0.0.1:0",
		Dir:   dir,
		Users: []sim.User{{Name: "claimgate", AuthorizedKeys: []ssh.PublicKey{pub}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	knownHosts := filepath.Join(dir, "known_hosts")
	if err := srv.WriteKnownHosts(knownHosts); err != nil {
		log.Fatal(err)
	}
	settings := srv.ClientSettings("claimgate", keyFile, "", knownHosts) // a payers.SFTP
	fmt.Println(settings.UploadDir, settings.DownloadDir)
}
