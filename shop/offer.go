package shop

import (
	"encoding/json"
	"time"
)

// OfferRetention is how long past its expiry a store keeps an offer: the
// offer cannot be ordered any more, but its order page still shows what
// was offered and the order placed from it. After that a store may forget
// it (Offer then returns ErrNotFound).
const OfferRetention = 30 * 24 * time.Hour

// Offer is what the skill offered a user with a Charge: the durable record
// behind the short offer reference that travels as the charge's userId and
// comes back as create-order's userToken. Screenless speakers have the
// order placed later, in the phone app, so an offer lives days, and on any
// node: it is kept in the OrderStore.
type Offer struct {
	// ID names the offer in the store (the random part of its reference).
	ID     string `json:"id"`
	UserID string `json:"userId"`
	// Items and TotalAmt are what a create-order for the offer must ask.
	Items    []Line `json:"items"`
	TotalAmt Fen    `json:"totalAmt"`
	// Intent is the user's original request, resumed after payment.
	// Opaque to the ledger.
	Intent    json.RawMessage `json:"intent,omitempty"`
	CreatedAt time.Time       `json:"createdAt"`
	ExpiresAt time.Time       `json:"expiresAt"`
}

// Expired reports whether the offer can no longer be ordered at now.
func (o Offer) Expired(now time.Time) bool { return !now.Before(o.ExpiresAt) }

// Forgotten reports whether a store may have dropped the offer by now:
// OfferRetention past its expiry.
func (o Offer) Forgotten(now time.Time) bool { return !now.Before(o.ExpiresAt.Add(OfferRetention)) }
