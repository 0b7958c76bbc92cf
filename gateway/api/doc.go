// Package api is claimgate's HTTP JSON API under /v1: encounter intake (POST /v1/encounters)
// with scrubbing, idempotency and per-submitter isolation, the claim read side (GET
// /v1/claims, GET /v1/claims/{id}), the payer list and the operator's payer operations, and the
// OpenAPI 3.1 document describing all of it (GET /v1/openapi.json).
//
// Routes are registered on a caller's net/http ServeMux with full method patterns
// ("POST /v1/encounters"), so the server's middleware labels metrics and access logs by them.
// Every answer that is not 2xx is an RFC 9457 application/problem+json document; unknown paths
// under /v1 are 404 and known paths with another method are 405 with an Allow header, in the
// same form.
//
// Authentication is a bearer token: a submitter's token (claimgate submitters add) sees and
// changes only that submitter's claims (another submitter's claim is a 404); the operator token
// (Config.OperatorTokenHash, from a file) may only list payers and trigger submit-now and
// poll-now.
//
// Logs carry ids, codes and counts, never an encounter or any part of it.
package api
