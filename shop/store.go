package shop

import (
	"context"
	"time"
)

// OrderFilter selects orders for listing. Zero fields match everything.
type OrderFilter struct {
	UserID        string
	States        []OrderState
	Open          bool      // only open orders (Order.Open), whatever their state
	CreatedBefore time.Time // only orders created strictly before
	Limit         int       // at most this many, newest first; 0 means no limit
}

// Match reports whether o passes the filter (Limit aside).
func (f OrderFilter) Match(o *Order) bool {
	if f.UserID != "" && o.UserID != f.UserID {
		return false
	}
	if f.Open && !o.Open() {
		return false
	}
	if !f.CreatedBefore.IsZero() && !o.CreatedAt.Before(f.CreatedBefore) {
		return false
	}
	if len(f.States) == 0 {
		return true
	}
	for _, s := range f.States {
		if o.State == s {
			return true
		}
	}
	return false
}

// OpenOnly reports whether the filter asks only for open orders (Open, or
// open states only: see OrderState.Open): then every order it matches is
// open (Order.Open), and a store may list it from its index of open
// orders.
func (f OrderFilter) OpenOnly() bool {
	if f.Open {
		return true
	}
	if len(f.States) == 0 {
		return false
	}
	for _, s := range f.States {
		if !s.Open() {
			return false
		}
	}
	return true
}

// OrderStore is the durable storage port: orders and their history, kept
// for years and never lost once acknowledged. Implementations: the embedded
// bbolt store (the default) and Redis; one conformance suite
// (store/storetest.RunOrders) runs against both. Every method is safe for
// concurrent use, and a method that returns nil has made its write durable.
//
// Keys are arbitrary strings (valid UTF-8, as JSON carries them): every
// encoding of them is injective, so no id can reach another's records.
// The other durable records, the offers a Charge refers to, are kept here
// too, apart from the orders (an offer and an order may share an id).
type OrderStore interface {
	// CreateOrder stores o if no order has its TradeNo and returns it with
	// created=true; otherwise it returns the stored order, created=false.
	CreateOrder(ctx context.Context, o Order) (stored Order, created bool, err error)
	// Order returns the order, or an error wrapping ErrNotFound.
	Order(ctx context.Context, tradeNo string) (Order, error)
	// UpdateOrder applies fn to the stored order atomically: fn sees the
	// current order, and its changes are written only if nothing changed the
	// order in between (implementations retry fn on contention). If fn
	// returns ErrNoChange nothing is written and the current order is
	// returned with a nil error; any other error is returned and nothing is
	// written. fn must not change TradeNo, UserID or CreatedAt: stores key
	// their indexes on them and refuse such an update.
	UpdateOrder(ctx context.Context, tradeNo string, fn func(*Order) error) (Order, error)
	// Orders lists orders matching the filter, newest first. A filter of
	// open orders only (OpenOnly) is answered from an index of the open
	// orders (Order.Open): its cost follows the open orders, not the
	// whole ledger.
	Orders(ctx context.Context, f OrderFilter) ([]Order, error)

	// CreateOffer stores o if no offer has its ID and returns it with
	// created=true; otherwise it returns the stored offer, created=false.
	// An empty ID is EINVALID. The store keeps the offer at least until
	// OfferRetention past its ExpiresAt.
	CreateOffer(ctx context.Context, o Offer) (stored Offer, created bool, err error)
	// Offer returns the offer, or an error wrapping ErrNotFound: never
	// stored, or forgotten (Offer.Forgotten by the store's clock).
	Offer(ctx context.Context, id string) (Offer, error)

	// Ping reports whether the store can serve requests (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// SessionKey names one dialog's saved state: a platform session of one
// user. The same session id with another user is another dialog, so no
// user ever continues someone else's purchase.
type SessionKey struct {
	SessionID string
	UserID    string
}

// StateStore is the ephemeral storage port: dialog state and the replay
// memory of request ids, each kept minutes under a TTL and worthless after.
// Implementations: the in-memory store (store/mem, beside bbolt, which is
// one process anyway) and Redis (shared by every node); one conformance
// suite (store/storetest.RunState) runs against both. Keys are arbitrary
// strings, encoded injectively. Every method is safe for concurrent use.
type StateStore interface {
	// Session returns a dialog's saved state, or an error wrapping
	// ErrNotFound.
	Session(ctx context.Context, key SessionKey) ([]byte, error)
	// SaveSession stores a dialog's state for ttl.
	SaveSession(ctx context.Context, key SessionKey, state []byte, ttl time.Duration) error
	// DeleteSession forgets a dialog's state; a missing one is not an error.
	DeleteSession(ctx context.Context, key SessionKey) error

	// Remember records key for ttl and reports whether it was new: false
	// means it was seen within ttl (a replayed request id or nonce). A store
	// may remember it a little longer (the in-memory one, up to ttl/8).
	Remember(ctx context.Context, key string, ttl time.Duration) (fresh bool, err error)

	// Ping reports whether the store can serve requests (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}
