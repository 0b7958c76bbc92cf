// Package codes holds the code tables an X12 remittance and acknowledgment carry, with short
// labels written in claimgate's own words, and the rules that turn an adjustment or a rejection
// into a denial category and a work queue:
//
//   - CARC (claim adjustment reason codes), with effective and stop dates, a category and a
//     subcategory per code (data/carc.tsv);
//   - RARC (remittance advice remark codes), with the category hint a remark gives to a catch-all
//     CARC such as 16, 96, A1 or 252 (data/rarc.tsv);
//   - claim adjustment group codes (CO, OA, PI, PR), CLP02 claim status codes, and a category hint
//     for 277 claim status codes (data/status508.tsv).
//
// The official description texts of these lists belong to X12 and are not shipped. An operator
// who licenses them loads them with LoadCARCList and LoadRARCList (CSV or TSV: code,
// description[, start date[, stop date]]); the descriptions then appear beside our labels.
// Categories, remark hints and queues can be overridden from configuration.
//
// A Table is built by Default and is safe for concurrent reads once configured.
package codes
