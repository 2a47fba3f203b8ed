// Package pay is the partner side of Dingdang payment: the create-order,
// ship-notify and refund-notify endpoints' logic (Service), the signed client
// of the platform's orderquery, refund and refundquery interfaces (Client),
// signed purchase offers carried in userToken (Offers), refund policy, and the
// Reconciler that settles what callbacks missed.
//
// Money moves only through the core's order state machine (skill.Order) and
// the atomic Store.UpdateOrder, so every notification is applied exactly once
// however often it arrives, and nothing is answered SUCCESS before it is
// durably stored.
//
// The package speaks no HTTP framework: skill/server decodes and verifies the
// platform's requests and calls Service; Client uses net/http.
package pay
