// Package sftpd is a small SSH server that serves the "sftp" subsystem from one directory. The
// payer simulator (payers/sim) runs it in front of its inbound and outbound folders, and the
// payers transport tests run their client suite against it on loopback.
//
// # Listening
//
// [Server.Serve] accepts on a listener the caller passes in. [Listen] builds one and listens on
// loopback by default: an empty address means 127.0.0.1 on a free port and an address with no
// host (":2222") means 127.0.0.1:2222. Listening on another interface must be asked for
// explicitly ("0.0.0.0:2222").
//
// # Host key
//
// The server's ed25519 host key is generated on first start and kept in
// StateDir/ssh_host_ed25519_key (mode 0600, OpenSSH format). Later starts with the same StateDir
// reuse it, so clients that pinned it in their known_hosts keep connecting after a restart.
//
// # Users
//
// Each [User] logs in with a password, an authorized public key, or either. There are no
// shells, no exec, no port forwarding: a session can only open the sftp subsystem.
//
// # Backends
//
// [BackendInProcess] (the default) serves SFTP with github.com/pkg/sftp's RequestServer whose
// handlers resolve every path through an [os.Root] opened on Config.Root: "/" is the root
// directory and no path, "..", or symbolic link can reach outside it.
//
// [BackendOpenSSH] runs OpenSSH's sftp-server binary (Debian package openssh-sftp-server) once per
// session, with the SSH channel wired to its stdin and stdout and its working and start
// directory set to Config.Root. It exists so clients are tested against the implementation most
// payers run. OpenSSH's sftp-server does not chroot: clients reach files through absolute paths
// under Root ([Server.RemotePath] builds them) or paths relative to the start directory.
//
// # Faults
//
// [Server.SetFaults] injects the failures the transport tests need: a read-only server, rejected
// authentication, a connection cut after a number of bytes, a session that stops reading. They
// apply to both backends.
//
// # Stopping
//
// [Server.Close] stops accepting and cuts every connection at once (OpenSSH sftp-server processes
// are killed). [Server.Shutdown] stops accepting and waits for the open sessions to end, then
// closes whatever is left when its context is done.
package sftpd
