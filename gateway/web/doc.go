// Package web is claimgate's operator dashboard: server-rendered HTML pages under /ui/
// (html/template and an embedded stylesheet, no JavaScript) over the same gateway.Store the
// JSON API reads, and the two forms a billing clerk needs to work denials and unmatched payments.
//
// Pages:
//
//	GET  /ui/                      overview: claims waiting too long for a 999 or a 277CA per payer,
//	                               unresolved denials per work queue, the latest remittances and
//	                               recent webhook delivery failures
//	GET  /ui/claims?id=            claim lookup (and the latest claims)
//	GET  /ui/claims/{id}           one claim: summary, event timeline, acknowledgments, payments, denials
//	GET  /ui/denials               the denial work queue (?queue=&category=&status=&cursor=)
//	GET  /ui/remittances           remittances, newest first (?before=)
//	GET  /ui/remittances/{id}      one remittance: claim payments, lines, adjustments, remarks, PLBs
//	GET  /ui/reconciliation        reconciliation per payer and A/R aging (?from=&to=&payer=)
//	GET  /ui/reconciliation.csv    the same as CSV (remit.Reconciliation.WriteCSV, as the API's ?format=csv)
//	GET  /ui/login, POST /ui/login, POST /ui/logout
//
// Actions (forms; 303 back to the page with ?done=, or a 400/404/409 page; see actions.go):
//
//	POST /ui/denials/{id}/assign                  assignee ("" unassigns): gateway.Store.AssignDenial
//	POST /ui/denials/{id}/resolve                 resolution, note, claim_id: gateway.Store.ResolveDenial
//	POST /ui/remittances/{id}/claims/{n}/match    claim_id: Matcher.Match (remit.Poster.Match)
//
// Only the operator may see the pages. POST /ui/login takes the operator token (the one of
// CLAIMGATE_OPERATOR_TOKEN_FILE, compared as gateway.HashToken in constant time) and sets the
// session cookie claimgate_session: an expiry and an HMAC-SHA256 over it, keyed by a key derived
// from the operator token hash, so every replica accepts it and rotating the token ends every
// session. Without an operator token every page answers 503 and says so. Unsafe methods are
// refused when the browser says the request is cross-site (http.CrossOriginProtection).
//
// The pages never show patient data (names, member ids, birth dates, addresses): claim ids,
// external ids, payers, statuses, amounts, codes and dates only. Logs carry ids and request ids.
package web
