package gateway

import "errors"

// Sentinel errors. Store implementations and domain functions wrap them with %w; the HTTP API
// maps them to 404, 409 and 422 problem+json responses.
var (
	// ErrNotFound: the record does not exist, or it belongs to another submitter.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique constraint was violated, a claim status transition is not allowed,
	// or a job or lease is no longer held by the caller.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input is malformed (empty required field, unknown enum value, ...).
	ErrInvalid = errors.New("invalid")
)
