package gateway

import (
	"context"
	"time"
)

// BatchStatus is where an outbound 837 batch is.
type BatchStatus string

// Batch statuses.
const (
	BatchBuilding BatchStatus = "building" // claims being assigned, file not written yet
	BatchReady    BatchStatus = "ready"    // file written and archived, waiting for upload
	BatchUploaded BatchStatus = "uploaded" // on the payer's SFTP server
	BatchFailed   BatchStatus = "failed"   // upload gave up; its claims were re-queued
)

// Valid reports whether s is a known status.
func (s BatchStatus) Valid() bool {
	switch s {
	case BatchBuilding, BatchReady, BatchUploaded, BatchFailed:
		return true
	}
	return false
}

// Batch is one outbound 837 interchange for one payer.
type Batch struct {
	ID         int64       `json:"id"`
	PayerID    string      `json:"payer_id"`
	ISA13      int64       `json:"isa13"` // interchange control number
	GS06       int64       `json:"gs06"`  // group control number
	FileID     *int64      `json:"file_id,omitempty"`
	Status     BatchStatus `json:"status"`
	RemoteName string      `json:"remote_name,omitempty"`
	ClaimCount int         `json:"claim_count"`
	CreatedAt  time.Time   `json:"created_at"`
	UploadedAt *time.Time  `json:"uploaded_at,omitempty"`
}

// BatchFilter selects batches for ListBatches. Zero fields do not filter.
type BatchFilter struct {
	PayerID string
	Status  BatchStatus
	Limit   int // default 50, at most 1000
}

// Control number counter kinds for NextControlNumbers.
const (
	CounterISA = "isa" // ISA13
	CounterGS  = "gs"  // GS06
	CounterST  = "st"  // ST02
)

// BatchTx is the batch and control number method group of Tx.
type BatchTx interface {
	// CreateBatch stores b (Status defaults to building).
	CreateBatch(ctx context.Context, b Batch) (Batch, error)
	// GetBatch returns a batch by id.
	GetBatch(ctx context.Context, id int64) (Batch, error)
	// UpdateBatch writes b's mutable fields: Status, FileID, RemoteName, ClaimCount, UploadedAt.
	UpdateBatch(ctx context.Context, b Batch) (Batch, error)
	// ListBatches returns batches newest first.
	ListBatches(ctx context.Context, f BatchFilter) ([]Batch, error)
	// NextControlNumbers reserves n consecutive control numbers of a kind (CounterISA,
	// CounterGS, CounterST or any other non-empty name) for a payer and returns the first.
	// Numbers start at 1 and are never handed out twice, even across replicas; a rolled back
	// transaction returns its numbers (nothing was sent with them).
	NextControlNumbers(ctx context.Context, payerID, kind string, n int) (first int64, err error)
}
