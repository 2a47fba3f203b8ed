package shop

import (
	"context"
	"time"
)

// OrderFilter selects orders for listing. Zero fields match everything.
type OrderFilter struct {
	UserID        string
	States        []OrderState
	CreatedBefore time.Time // only orders created strictly before
	Limit         int       // at most this many, newest first; 0 means no limit
}

// Match reports whether o passes the filter (Limit aside).
func (f OrderFilter) Match(o *Order) bool {
	if f.UserID != "" && o.UserID != f.UserID {
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

// Store is the storage port. Implementations: the embedded bbolt store (the
// default) and Redis; one conformance suite (store/storetest) runs against
// both. Every method is safe for concurrent use, and a method that returns
// nil has made its write durable.
type Store interface {
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
	// Orders lists orders matching the filter, newest first.
	Orders(ctx context.Context, f OrderFilter) ([]Order, error)

	// Session returns a dialog session's saved state, or ErrNotFound.
	Session(ctx context.Context, id string) ([]byte, error)
	// SaveSession stores a dialog session's state for ttl.
	SaveSession(ctx context.Context, id string, state []byte, ttl time.Duration) error
	// DeleteSession forgets a session; a missing one is not an error.
	DeleteSession(ctx context.Context, id string) error

	// Remember records key for ttl and reports whether it was new: false
	// means it was seen within ttl (a replayed request id or nonce).
	Remember(ctx context.Context, key string, ttl time.Duration) (fresh bool, err error)

	// Ping reports whether the store can serve requests (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}
