package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// TurnStore is a Store that starts a dialog turn in one round trip: it
// remembers the request id within the request's dialog and reads the
// dialog's state together, returning a context that lets the dialog's
// Session read answer without asking again (the Redis store). Stores
// without it remember the request id alone (Remember).
type TurnStore interface {
	BeginTurn(ctx context.Context, requestID string, key shop.SessionKey, ttl time.Duration) (context.Context, bool, error)
}

// UserPrefetcher is a Ledger that can start reading a user's orders before
// the dialog asks for them, so that the read travels beside BeginTurn's
// instead of after it (the Redis store, when dialog state is on another
// Redis). The returned context carries the read.
type UserPrefetcher interface {
	PrefetchUser(ctx context.Context, userID string) context.Context
}

// beginTurn checks that a verified skill request is not a replay, and
// returns the context to answer it in. A request id is remembered until its
// signature's timestamp leaves the window (a replay is refused by the
// signature check after that), a second more for clocks read apart.
func (s *srv) beginTurn(c *fiber.Ctx, auth tsk.Auth, req *tsk.Request) (ctx context.Context, fresh bool, err error) {
	ctx = c.UserContext()
	ttl := 2 * s.cfg.Window
	if at, err := tsk.ParseTime(auth.Datetime); err == nil {
		ttl = at.Add(s.cfg.Window + time.Second).Sub(s.cfg.Now())
		ttl = min(max(ttl, time.Second), 2*s.cfg.Window+time.Second)
	}
	// A linked user's orders are their account's: the dialog lists those.
	if pf, ok := s.cfg.Ledger.(UserPrefetcher); ok && req.AccessToken() == "" {
		ctx = pf.PrefetchUser(ctx, req.UserID())
	}
	if ts, ok := s.cfg.Store.(TurnStore); ok {
		key := shop.SessionKey{SessionID: req.Session.SessionID, UserID: req.UserID()}
		return ts.BeginTurn(ctx, req.Request.RequestID, key, ttl)
	}
	fresh, err = s.cfg.Store.Remember(ctx, "skill-req:"+req.Request.RequestID, ttl)
	return ctx, fresh, err
}
