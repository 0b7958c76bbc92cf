package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// FileDirection says whether claimgate received a file or sent it.
type FileDirection string

// File directions.
const (
	Inbound  FileDirection = "inbound"
	Outbound FileDirection = "outbound"
)

// Valid reports whether d is a known direction.
func (d FileDirection) Valid() bool { return d == Inbound || d == Outbound }

// FileKind is the X12 content of a file.
type FileKind string

// File kinds.
const (
	Kind837     FileKind = "837"
	Kind999     FileKind = "999"
	Kind277CA   FileKind = "277CA"
	Kind835     FileKind = "835"
	KindTA1     FileKind = "TA1"
	KindUnknown FileKind = "unknown"
)

// Valid reports whether k is a known kind.
func (k FileKind) Valid() bool {
	switch k {
	case Kind837, Kind999, Kind277CA, Kind835, KindTA1, KindUnknown:
		return true
	}
	return false
}

// FileStatus is how far a file's processing got.
type FileStatus string

// File statuses.
const (
	FileReceived    FileStatus = "received"    // archived, not processed yet
	FileProcessed   FileStatus = "processed"   // its effects are stored
	FileQuarantined FileStatus = "quarantined" // unparseable or unmatched; Reason says why
	FilePending     FileStatus = "pending"     // outbound: waiting for upload
)

// Valid reports whether s is a known status.
func (s FileStatus) Valid() bool {
	switch s {
	case FileReceived, FileProcessed, FileQuarantined, FilePending:
		return true
	}
	return false
}

// File is one archived X12 file, inbound or outbound, with its exact bytes.
type File struct {
	ID        int64         `json:"id"`
	Direction FileDirection `json:"direction"`
	PayerID   string        `json:"payer_id"`
	Name      string        `json:"name"` // remote file name
	Kind      FileKind      `json:"kind"`
	SHA256    string        `json:"sha256"` // hex; computed by ArchiveFile
	Bytes     []byte        `json:"-"`      // nil in ListFiles results
	Size      int64         `json:"size"`
	Status    FileStatus    `json:"status"`
	Reason    string        `json:"reason,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
}

// SHA256Hex returns the hex sha256 of b, the form File.SHA256 holds.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// FileFilter selects files for ListFiles. Zero fields do not filter.
type FileFilter struct {
	Direction FileDirection
	PayerID   string
	Kind      FileKind
	Status    FileStatus
	BeforeID  int64 // page: files with ID < BeforeID
	Limit     int   // default 50, at most 1000
}

// FileTx is the file archive method group of Tx.
type FileTx interface {
	// ArchiveFile stores f, computing SHA256 and Size from Bytes (Status defaults to received,
	// Kind to unknown). The same bytes in the same direction are stored once: a second call
	// returns the FIRST record, unchanged, with created=false.
	ArchiveFile(ctx context.Context, f File) (stored File, created bool, err error)
	// GetFile returns a file with its bytes.
	GetFile(ctx context.Context, id int64) (File, error)
	// SetFileStatus records the outcome of processing a file.
	SetFileStatus(ctx context.Context, id int64, status FileStatus, reason string) error
	// ListFiles returns files newest first, without their bytes.
	ListFiles(ctx context.Context, f FileFilter) ([]File, error)
}
