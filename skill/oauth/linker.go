package oauth

import (
	"context"
	"log/slog"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Mover moves a platform user's orders to the account they linked; every
// shop.LinkStore is one.
type Mover interface {
	MoveOrders(ctx context.Context, from, to string, at time.Time) (moved int, err error)
}

// Linker tells whose a skill request is: the account its access token
// names, if the token is valid. On each request that carries both a
// platform userId and a valid token, what that userId owned moves to the
// account (Mover.MoveOrders: idempotent, and each order atomically), so
// purchases made before linking, or while a token had lapsed, follow the
// person; a second linking finds nothing left to move. Tokens is
// required; without Orders nothing moves.
type Linker struct {
	Tokens *Tokens
	Orders Mover
	Now    func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: slog.Default()
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
	moved, err := l.Orders.MoveOrders(ctx, userID, shop.AccountOwner(account), now())
	switch {
	case err != nil:
		l.log().Error("oauth: moving the user's purchases to the account failed", "user_id", userID, "account", account, "err", err)
	case moved > 0:
		l.log().Info("oauth: purchases moved to the linked account", "user_id", userID, "account", account, "orders", moved)
	}
	return account
}
