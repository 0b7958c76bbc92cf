package payers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"syscall"

	"github.com/pkg/sftp"
)

// Errors of the SFTP transport. Every error a [Client] returns is a *[TransportError] wrapping
// one of these, a [fs.ErrNotExist] / [fs.ErrPermission], a context error, or the underlying
// network or SFTP error; test them with errors.Is.
var (
	// ErrHostKeyMismatch: the server offered a host key other than the one pinned in
	// known_hosts (or a revoked one). Possibly a man-in-the-middle; never retried.
	ErrHostKeyMismatch = errors.New("sftp: host key mismatch")
	// ErrUnknownHost: known_hosts pins no key for the server's address. Never retried.
	ErrUnknownHost = errors.New("sftp: host key not pinned (unknown host)")
	// ErrAuth: the server refused every credential offered. Never retried.
	ErrAuth = errors.New("sftp: authentication failed")
	// ErrConfig: the SFTP settings or a file they name (key, password, known_hosts) are
	// unusable. Never retried.
	ErrConfig = errors.New("sftp: configuration error")
	// ErrRemoteExists: the target name exists on the server with other content; claimgate
	// never overwrites a file the payer may already have taken. Never retried.
	ErrRemoteExists = errors.New("sftp: remote file exists with different content")
	// ErrTooLarge: a remote file is bigger than the download size cap. Never retried.
	ErrTooLarge = errors.New("sftp: remote file too large")
	// ErrNotRegular: the remote name is a directory or another non-regular file.
	ErrNotRegular = errors.New("sftp: not a regular file")
	// ErrClientClosed: the Client was closed.
	ErrClientClosed = errors.New("sftp: client closed")
	// ErrTimeout: an attempt ran out of the per-operation timeout (SFTP.Timeout) while the
	// caller's context was still live. Retryable.
	ErrTimeout = errors.New("sftp: operation timed out")
)

// TransportError is the error every [Client] operation returns. Retryable says whether the
// failure is transient (network, connection lost, server temporarily away, timeout): the same
// call may succeed later, e.g. on the next scheduled run. Permanent failures (authentication,
// host key, permissions, missing files, configuration) need a person or a different request.
type TransportError struct {
	Op        string // dial, upload, stat, list, download, remove, move
	Addr      string // server host:port
	Path      string // remote path, when the operation has one
	Attempts  int    // attempts made (1 when not retried)
	Retryable bool
	Err       error
}

func (e *TransportError) Error() string {
	var b strings.Builder
	b.WriteString("sftp ")
	b.WriteString(e.Op)
	b.WriteString(" ")
	b.WriteString(e.Addr)
	if e.Path != "" {
		b.WriteString(" ")
		b.WriteString(e.Path)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (%d attempts)", e.Attempts)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *TransportError) Unwrap() error { return e.Err }

// IsRetryable reports whether err is a transient transport failure worth trying again later.
func IsRetryable(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return te.Retryable
	}
	return retryable(err)
}

// retryable classifies a raw error from one attempt.
func retryable(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrHostKeyMismatch), errors.Is(err, ErrUnknownHost), errors.Is(err, ErrAuth),
		errors.Is(err, ErrConfig), errors.Is(err, ErrRemoteExists), errors.Is(err, ErrTooLarge),
		errors.Is(err, ErrNotRegular), errors.Is(err, ErrClientClosed):
		return false
	case errors.Is(err, ErrTimeout):
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false // the caller's own context
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission), errors.Is(err, fs.ErrExist):
		return false
	}
	return connectionError(err)
}

// connectionError reports whether err means the connection (or the way to it) failed, as
// opposed to the server answering the request with an error.
func connectionError(err error) bool {
	var se *sftp.StatusError
	if errors.As(err, &se) {
		return se.FxCode() == sftp.ErrSSHFxConnectionLost || se.FxCode() == sftp.ErrSSHFxNoConnection
	}
	if errors.Is(err, sftp.ErrSSHFxConnectionLost) || errors.Is(err, sftp.ErrSSHFxNoConnection) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.ErrClosedPipe) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, ErrTimeout) {
		return true
	}
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED,
		syscall.EPIPE, syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN} {
		if errors.Is(err, errno) {
			return true
		}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var de *net.DNSError
	return errors.As(err, &de) && (de.IsTemporary || de.IsTimeout)
}

// Operation results passed to the observer (DialOptions.Observer), suitable as a metric label.
const (
	ResultOK        = "ok"                // done
	ResultNotFound  = "not_found"         // the remote file does not exist
	ResultCanceled  = "canceled"          // the caller's context ended
	ResultAuth      = "auth_failed"       // ErrAuth
	ResultHostKey   = "host_key_rejected" // ErrHostKeyMismatch or ErrUnknownHost
	ResultTransient = "transient_error"   // retryable failure, attempts exhausted
	ResultError     = "error"             // any other permanent failure
)

func resultOf(err error) string {
	switch {
	case err == nil:
		return ResultOK
	case errors.Is(err, ErrHostKeyMismatch), errors.Is(err, ErrUnknownHost):
		return ResultHostKey
	case errors.Is(err, ErrAuth):
		return ResultAuth
	case errors.Is(err, ErrConfig):
		return ResultError
	case errors.Is(err, fs.ErrNotExist):
		return ResultNotFound
	case errors.Is(err, ErrTimeout):
		return ResultTransient
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return ResultCanceled
	case IsRetryable(err):
		return ResultTransient
	default:
		return ResultError
	}
}
