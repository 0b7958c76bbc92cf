package sftpd

import (
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// runOpenSSH serves one SFTP session by running OpenSSH's sftp-server with in as its stdin and
// the channel as its stdout. The process is killed when the connection ends.
func (s *Server) runOpenSSH(in io.Reader, ch ssh.Channel, done <-chan struct{}) error {
	// sftp-server expands %d, %u and %% in the start directory.
	start := strings.ReplaceAll(s.cfg.Root, "%", "%%")
	args := []string{"-e", "-l", "ERROR", "-d", start}
	if s.readOnly() {
		args = append(args, "-R")
	}
	cmd := exec.Command(s.binary, args...)
	cmd.Dir = s.cfg.Root
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + s.cfg.Root, "LC_ALL=C"}
	cmd.Stdin = in
	cmd.Stdout = ch
	cmd.Stderr = ch.Stderr()
	// Once the process has exited, do not wait long for the copy goroutines: the one feeding
	// stdin may be blocked reading the channel.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("sftpd: start %s: %w", s.binary, err)
	}
	exited := make(chan struct{})
	go func() {
		select {
		case <-done:
			cmd.Process.Kill()
		case <-exited:
		}
	}()
	err := cmd.Wait()
	close(exited)
	if err != nil {
		select {
		case <-done: // killed because the connection ended: not an error of the session
			return nil
		default:
		}
		// The client closing its channel makes sftp-server exit cleanly; anything else is
		// worth a log line.
		return fmt.Errorf("sftpd: %s: %w", s.binary, err)
	}
	return nil
}
