// Package shop is the core of the voice-commerce skill: money, the catalog,
// orders and their state machine, refunds, entitlements, the ledger rules
// (Ledger, CheckLines, Refundable) with coded domain errors, and the two
// storage ports (OrderStore, durable; StateStore, ephemeral). It imports only the standard library; every adapter (the TSK
// wire protocol, HTTP, bbolt, Redis, QR images, device renderers) depends on
// it, never the other way round.
package shop
