// Package server is the skill's HTTP edge, on fiber (v2): the only package
// that imports fiber. New builds the application from a Config whose zero
// value works (defaults are filled in one place, Config.withDefaults).
//
// Requests are verified over their raw bytes before anything is decoded:
// /skill accepts TSK-RSA2 (the platform's public keys, several at once while
// keys rotate) and TSK-HMAC-SHA256-BASIC (the SkillSecret, when one is
// configured), bare or wrapped in a Tencent Cloud SCF envelope; the partner
// pay endpoints accept TSK-RSA2 only and sign every reply. The verification
// middleware (NewAuth, AuthConfig) is a thin layer over tsk.Verifier.
//
// Domain errors become HTTP statuses through one table (StatusOf). Each
// request is logged once, at the edge, with snake_case keys (request_id,
// intent, trade_no, status, reason); secrets never reach the log.
//
// The interfaces the server needs are defined here and kept small: Dialog
// (*intents.Dialog), Partner and Accounts (*pay.Service), QR (*qr.Codes),
// Offers (*pay.Offers), Store (shop.StateStore) and Ledger (shop.OrderStore).
package server
