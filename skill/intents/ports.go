package intents

import (
	"context"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// The small interfaces the dialog depends on. The production types that
// satisfy them are named on each; tests may pass anything that does.

// Ledger is what the dialog reads and records in the books: what a user
// owns, their orders, one use of a product, the one resume of an order's
// original request after payment, and that an order's pay page closed
// unpaid. *shop.Ledger satisfies it.
type Ledger interface {
	Entitlements(ctx context.Context, userID string) ([]shop.Entitlement, error)
	UserOrders(ctx context.Context, userID string) ([]shop.Order, error)
	Use(ctx context.Context, userID, productID string) error
	Resume(ctx context.Context, tradeNo string) (o shop.Order, first bool, err error)
	ClosePage(ctx context.Context, tradeNo string) error
}

// Payments asks the platform: whether an order was paid (delivering it if
// so), and for a refund. *pay.Service satisfies it.
type Payments interface {
	Confirmed(ctx context.Context, tradeNo string) (o shop.Order, unpaid bool, err error)
	Refund(ctx context.Context, tradeNo string, amount shop.Fen, reason string) (shop.Order, error)
}

// OfferIssuer keeps an offer and returns its short reference, sent as a
// Charge's userId; Ref gives the reference of a kept offer again, from its
// id (an order's OfferID). *pay.Offers satisfies it.
type OfferIssuer interface {
	Issue(ctx context.Context, o shop.Offer) (string, error)
	Ref(id string) string
}

// Accounts says which linked account a request's access token names ("":
// none, or a token refused), moving what the platform user owned to it.
// *oauth.Linker satisfies it.
type Accounts interface {
	Account(ctx context.Context, userID, accessToken string) string
}

// Sessions keeps each dialog's state between turns, per session and user.
// Any shop.StateStore satisfies it.
type Sessions interface {
	Session(ctx context.Context, key shop.SessionKey) ([]byte, error)
	SaveSession(ctx context.Context, key shop.SessionKey, state []byte, ttl time.Duration) error
	DeleteSession(ctx context.Context, key shop.SessionKey) error
}

// owns reports whether the user has access to the product now.
func (d *Dialog) owns(ctx context.Context, t *turn, productID string) (bool, error) {
	e, err := d.entitlement(ctx, t, productID)
	if err != nil || e == nil {
		return false, err
	}
	return e.Active(t.now), nil
}
