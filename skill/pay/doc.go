// Package pay is the partner side of Dingdang payment: the create-order,
// ship-notify and refund-notify endpoints (Service), the signed client of
// the platform's orderquery, refund and refundquery interfaces (Client),
// signed purchase offers carried in userToken (Offers), the Reconciler that
// settles what callbacks missed and lists what it will not decide
// (Attention), and the one table from error code to reply (FailReply).
//
// The ledger rules (prices, ownership, uses, the refund policy) are the
// core's (shop.Ledger, shop.CheckLines, shop.Refundable); this package
// speaks the pay document around them. Money moves only through the core's
// order state machine and the atomic OrderStore.UpdateOrder, so every
// notification is applied exactly once however often it arrives, and
// nothing is answered SUCCESS before it is durably stored.
//
// The package speaks no HTTP framework: the server package decodes and
// verifies the platform's requests and calls Service; Client uses net/http.
package pay
