// Package payers holds the payer registry (each payer's identifiers, schedules, SFTP settings and
// payer-specific edits, from configuration), the SFTP transport that uploads 837 files and fetches
// acknowledgment and remittance files, and the cron schedules that enqueue submit and poll jobs.
package payers
