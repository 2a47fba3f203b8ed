// Package intents is the voice purchase dialog: what a person at a Dingdang
// speaker hears when they browse, buy, play, list and refund purchases.
//
// Dialog.Handle takes one decoded skill request and always answers: it never
// returns an error to the platform; a failure or a panic becomes a kind
// spoken apology. Each intent lives in its own file (its name, its handler
// and a doc comment with sample utterances) and is registered in one explicit
// list, Dialog.intents. The purchase is an explicit state machine whose state
// is saved per session and user in Config.Sessions (the same session id with
// another user is another dialog):
//
//	(none) ──buy/play──▶ product? ──▶ count? ──▶ confirm ──yes──▶ Charge (offer)
//	                        │            │          └──no───▶ cancelled
//	                        └── elicit ──┘
//	(none) ──refund──▶ refund confirm ──yes──▶ refund started
//
// What names a product (the product slot, or the album and index slots
// of the platform's audio-book model) is resolved by skill/resolve against
// an index of the catalog built once in New: numerals in any form,
// homophones, fillers. The dialog never guesses between products: when the
// resolver is unsure or finds several alike, it asks which ("你是说…，还是
// …？", a list to tap on a screen) and takes the next turn's answer.
//
// After payment the platform sends Connections.Response Charge: the dialog
// confirms the order with the pay service (asking the platform when the ship
// notify is late) and resumes the user's original intent from the order, so
// the purchased content plays. Content is never unlocked for an unpaid order.
//
// What the dialog says is device-neutral (a ui.View). The request's kind of
// device is decided once per turn (device.Of, or Config.Device) and
// device.Renderers renders the view for that kind and applies the protocol's
// rules in one place before any response leaves.
package intents
