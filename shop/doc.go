// Package shop is the core of the voice-commerce skill: money, the catalog,
// orders and their state machine, refunds, entitlements, domain errors and the
// storage port. It imports only the standard library; every adapter (the TSK
// wire protocol, HTTP, bbolt, Redis, QR images, device renderers) depends on
// it, never the other way round.
package shop
