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

// PayPlace is where an order is paid, as its offer was made: on a
// screened speaker the platform shows a pay page for minutes; from a
// screenless one the order goes to the Dingdang phone app and is paid
// there, within days.
type PayPlace string

// The places an order is paid.
const (
	PayOnScreen PayPlace = "screen" // the platform's pay page on the speaker
	PayInApp    PayPlace = "app"    // the Dingdang app on the user's phone
)

// Valid reports whether p is a place an order is paid, or "" (not said).
func (p PayPlace) Valid() bool { return p == "" || p == PayOnScreen || p == PayInApp }

// Or returns p, or def when p does not name a place (records made before
// it was recorded, or unknown to this version).
func (p PayPlace) Or(def PayPlace) PayPlace {
	if p == PayOnScreen || p == PayInApp {
		return p
	}
	return def
}

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
	Intent json.RawMessage `json:"intent,omitempty"`
	// PayIn is where the order placed from the offer is paid: decided by
	// the speaker the offer was said on ("" for offers made before it was
	// recorded).
	PayIn     PayPlace  `json:"payIn,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Expired reports whether the offer can no longer be ordered at now.
func (o Offer) Expired(now time.Time) bool { return !now.Before(o.ExpiresAt) }

// Forgotten reports whether a store may have dropped the offer by now:
// OfferRetention past its expiry.
func (o Offer) Forgotten(now time.Time) bool { return !now.Before(o.ExpiresAt.Add(OfferRetention)) }
