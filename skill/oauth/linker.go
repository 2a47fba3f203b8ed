package oauth

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Settler refunds the duplicates that moving orders to an owner left
// among its orders (the same one-time product delivered under the
// platform user and under the account); *pay.Service is one.
type Settler interface {
	SettleMoved(ctx context.Context, owner string) error
}

// Linker tells whose a skill request is: the account its access token
// names, if the token is valid. On each request that carries both a
// platform userId and a valid token, what that userId owned moves to the
// account (Mover.MoveOrders: idempotent, and each order atomically), so
// purchases made before linking, or while a token had lapsed, follow the
// person; a second linking finds nothing left to move. When orders moved,
// Duplicates refunds what the account now has twice, as after a payment
// race, and the store remembers where they went (MovedTo), for the pages
// that know only the platform user. Tokens is required; without Orders
// nothing moves.
type Linker struct {
	Tokens     *Tokens
	Orders     shop.LinkStore
	Duplicates Settler          // nil: nothing is settled after a move
	Now        func() time.Time // nil: time.Now
	Logger     *slog.Logger     // nil: slog.Default()
}

func (l *Linker) log() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.Default()
}

// Account returns the account of a request from userID carrying
// accessToken, or "" when the token is absent or refused. A refused token
// (malformed, expired, forged, for another audience) counts as no token:
// it is logged at WARN and the request goes on as the platform user's.
// A failure to move the user's orders is logged and retried on the next
// request; the account is returned all the same.
func (l *Linker) Account(ctx context.Context, userID, accessToken string) string {
	if accessToken == "" || l == nil || l.Tokens == nil {
		return ""
	}
	account, err := l.Tokens.Verify(accessToken)
	if err != nil {
		l.log().Warn("oauth: access token refused, going on unlinked", "user_id", userID, "reason", err.Error())
		return ""
	}
	if userID == "" || l.Orders == nil {
		return account
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	owner := shop.AccountOwner(account)
	moved, err := l.Orders.MoveOrders(ctx, userID, owner, now())
	switch {
	case err != nil:
		l.log().Error("oauth: moving the user's purchases to the account failed", "user_id", userID, "account", account, "err", err)
	case moved > 0:
		l.log().Info("oauth: purchases moved to the linked account", "user_id", userID, "account", account, "orders", moved)
	}
	if moved > 0 {
		l.remember(ctx, userID, owner, now())
	}
	if moved > 0 && l.Duplicates != nil {
		// A later move finds nothing to move and does not settle again;
		// the moved orders stay open (shop.Order.Unsettled) and the
		// reconciler settles them if this fails.
		if err := l.Duplicates.SettleMoved(ctx, owner); err != nil {
			l.log().Warn("oauth: checking the account for products bought twice failed after moving purchases; the reconciler will retry",
				"user_id", userID, "account", account, "err", err)
		}
	}
	return account
}

// MovedMemory is how long the store remembers to which account a platform
// user's orders moved (MovedTo): longer than an order page stays useful
// (an offer's longest life and shop.OfferRetention after it).
const MovedMemory = 400 * 24 * time.Hour

// movedKey is the grant key under which the account a platform user's
// orders moved to is remembered. Token keys are "code:", "refresh:",
// "rotated:" or "revoked:" and a hash: they cannot collide.
func movedKey(userID string) string { return "moved:" + userID }

// remember records that userID's orders moved to owner. A failure is
// logged: the move itself stands, and only the order pages of offers made
// before it lose track of their order (they say it waits for payment).
func (l *Linker) remember(ctx context.Context, userID, owner string, now time.Time) {
	g := shop.Grant{Account: owner, CreatedAt: now, ExpiresAt: now.Add(MovedMemory)}
	if err := l.Orders.PutGrant(ctx, movedKey(userID), g); err != nil {
		l.log().Error("oauth: remembering where the user's purchases moved failed", "user_id", userID, "owner", owner, "err", err)
	}
}

// MovedTo returns the owner (shop.AccountOwner) to which the platform
// user's orders last moved, or "" when they never moved (or it was
// forgotten, MovedMemory after). The order page of an offer made before
// linking finds the order there.
func (l *Linker) MovedTo(ctx context.Context, userID string) (string, error) {
	if l == nil || l.Orders == nil || userID == "" {
		return "", nil
	}
	g, err := l.Orders.Grant(ctx, movedKey(userID))
	if errors.Is(err, shop.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return g.Account, nil
}
