// Package payers holds the payer registry (each payer's identifiers, schedules, SFTP settings and
// payer-specific edits, from configuration), the SFTP transport that uploads 837 files and fetches
// acknowledgment and remittance files, and the cron schedules that enqueue submit and poll jobs.
//
// # SFTP transport
//
// [Dial] opens a [Client] for one payer's [SFTP] settings; a job dials at the start of its run,
// does its operations ([Client.Upload], [Client.List], [Client.Download], [Client.Stat],
// [Client.Remove], [Client.Move]) and closes it. A Client rather than a connection per
// operation, because a poll run is a listing plus a download and a remove or move per file, and
// an SSH handshake and login for each would be slow and would trip payers' login rate limits.
// Each operation nevertheless stands alone: it reconnects when the connection is gone, runs
// under its own timeout (SFTP.Timeout), and is retried with exponential backoff
// (SFTP.Retries attempts, SFTP.RetryInterval doubled) when the failure is transient, never on
// authentication or host key failures. Every operation is safe to repeat: uploads are written
// under a temporary dot-name and renamed, and recognise their own finished upload.
//
// The server's host key must be pinned in a known_hosts file; an unknown or different key is
// refused with its SHA256 fingerprint and the line that would pin it. There is no option to
// skip the check. Secrets (password, key passphrase) come from files or environment variables.
// Errors are *[TransportError] values that say whether they are retryable ([IsRetryable]) and
// wrap [ErrAuth], [ErrHostKeyMismatch], [ErrUnknownHost] and the other sentinels of this
// package. DialOptions.Observer reports every operation's outcome for metrics.
//
// Package payers/sftpd is the SSH/SFTP server the payer simulator and the tests run.
package payers
