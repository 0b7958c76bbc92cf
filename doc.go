// Package claimgate is an X12 EDI claims clearinghouse gateway.
//
// claimgate takes coded encounters from an EHR or billing system over a JSON (or FHIR) API,
// scrubs them, batches them into 5010 837P/837I interchanges per payer on each payer's schedule,
// uploads them over SFTP, fetches the payer's 999, 277CA and 835 files, moves every claim through
// its life cycle, posts and reconciles payments, and routes each denial, with its CARC/RARC codes
// in plain words, to the team that can fix it.
//
// This root package holds no code: it documents the layout and its test enforces the direction
// of imports between the packages below.
//
//	cmd/claimgate     the one binary (serve, migrate, submitters, edi, payer-sim, version)
//	edi/...           the X12 library: reader, writer, envelopes, 837/835/999/277CA, code tables;
//	                  imports nothing else of claimgate
//	gateway/...       the application: claim life cycle, intake, batching, ingest, posting,
//	                  denials, webhooks, the Store interface, the job runner, the API, the dashboard
//	payers/...        payer configuration, SFTP transport, schedules, the payer simulator
//	storage/...       gateway.Store on PostgreSQL and on embedded SQLite, and their contract suite
//
// Dependencies point one way: cmd -> gateway, payers, storage, edi; gateway -> edi, payers;
// storage -> gateway; nothing imports cmd. See docs/ARCHITECTURE.md.
package claimgate
