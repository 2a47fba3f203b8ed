package redis

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// BeginTurn starts a dialog turn in one round trip: it remembers the
// request id for ttl (at least a millisecond) within the dialog named by key
// and reads the dialog's state. fresh is false for a request id the dialog
// has seen within ttl (a replay); what was read is then dropped. The
// returned context carries the state read: Session, called with it (or a
// context derived from it) for the same key, answers from it instead of
// asking Redis again, until SaveSession or DeleteSession changes that
// dialog. With Config.TurnReadsOrders it reads the first page of the user's
// order index too, for Orders.
//
// The commands are plain ones, one after the other in the same pipeline
// (SET NX PX, GET, and ZRANGE): the dialog's two keys share a hash slot, and
// Redis runs one connection's commands in order, so the state read is the
// one as of the request's check. They cost Redis about half what the same
// work as a Lua script did (EVALSHA runs a script: 110,000 a second on the
// development machine, against 175,000 pairs of SET NX and GET). On a
// cluster the index, in another slot, is read from its node at the same
// time.
//
// A request is remembered per dialog, not globally: a replay carries the
// same signed body, so the same session and user, and is found; another
// dialog cannot collide with it.
func (s *Store) BeginTurn(ctx context.Context, requestID string, key shop.SessionKey, ttl time.Duration) (context.Context, bool, error) {
	if ttl < time.Millisecond {
		return ctx, false, shop.Errorf(shop.EINVALID, "redis: turn ttl %v must be at least 1ms", ttl)
	}
	if err := s.check(); err != nil {
		return ctx, false, err
	}
	sk := s.sessionKey(key)
	seen := goredis.NewStatusCmd(ctx, "set", s.seenKey(key, requestID), "1", "nx", "px", ttl.Milliseconds())
	get := goredis.NewStringCmd(ctx, "get", sk)
	cmds := []goredis.Cmder{seen, get}
	var page *goredis.StringSliceCmd
	if s.cfg.TurnReadsOrders && key.UserID != "" {
		page = indexPage(ctx, s.userKey(key.UserID), "+inf", 0, pageSize)
		cmds = append(cmds, page)
	}
	s.pipe.send(ctx, cmds...)
	if err := seen.Err(); errors.Is(err, goredis.Nil) {
		return ctx, false, nil
	} else if err != nil {
		return ctx, false, unavailable("begin turn", err)
	}
	p := &preload{store: s, key: sk}
	switch state, err := get.Bytes(); {
	case err == nil:
		p.state, p.found = state, true
	case !errors.Is(err, goredis.Nil):
		return ctx, false, unavailable("begin turn", err)
	}
	if page != nil {
		if entries, err := page.Result(); err == nil { // else Orders reads it again
			p.index, p.entries = s.userKey(key.UserID), entries
		}
	}
	return context.WithValue(ctx, preloadKey{}, p), true, nil
}

func (s *Store) sessionKey(k shop.SessionKey) string { return s.cfg.Prefix + "session:" + dialogTag(k) }
func (s *Store) seenKey(k shop.SessionKey, requestID string) string {
	return s.cfg.Prefix + "seen:" + dialogTag(k) + ":" + requestID
}

// dialogTag is the hash tag of a dialog's keys: both its ids,
// length-prefixed, in braces.
func dialogTag(k shop.SessionKey) string {
	return "{" + strconv.Itoa(len(k.SessionID)) + ":" + k.SessionID + ":" + strconv.Itoa(len(k.UserID)) + ":" + k.UserID + "}"
}

// preloadKey is the context key of a turn's preload.
type preloadKey struct{}

// preload is a dialog's state as BeginTurn read it.
type preload struct {
	store *Store
	key   string // the session key it was read from

	mu    sync.Mutex
	stale bool // changed since it was read
	state []byte
	found bool

	index      string        // the user order index read too, if any
	ready      chan struct{} // closed once entries is read (PrefetchUser's only)
	entries    []string      // its first page, newest first
	indexStale bool          // an order of the user was created or moved since (or the read failed)
}

// preloaded returns the state BeginTurn read into ctx for key, if any and
// still current.
func (s *Store) preloaded(ctx context.Context, key string) (state []byte, found, ok bool) {
	p, _ := ctx.Value(preloadKey{}).(*preload)
	if p == nil || p.store != s || p.key != key {
		return nil, false, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stale {
		return nil, false, false
	}
	return append([]byte(nil), p.state...), p.found, true
}

// changed marks the state BeginTurn read into ctx for key stale.
func (s *Store) changed(ctx context.Context, key string) {
	if p, _ := ctx.Value(preloadKey{}).(*preload); p != nil && p.store == s && p.key == key {
		p.mu.Lock()
		p.stale = true
		p.mu.Unlock()
	}
}

// indexPage reads a page of the sorted-set index key, newest first, from
// score maxScore down.
func indexPage(ctx context.Context, key, maxScore string, offset, count int64) *goredis.StringSliceCmd {
	return goredis.NewStringSliceCmd(ctx, "zrange", key, maxScore, "-inf", "byscore", "rev", "limit", offset, count)
}

// prefetchKey is the context key of the user order index read that
// PrefetchUser started.
type prefetchKey struct{}

// PrefetchUser starts reading the first page of a user's order index and
// returns a context in which Orders for that user answers from it (waiting
// for it if it is still on its way) until an order of the user changes.
// A turn whose dialog state is on another Redis (SKILL_SESSION_REDIS_URL)
// starts it just before BeginTurn: the two reads travel side by side
// instead of one after the other. It does nothing when BeginTurn reads the
// index itself (Config.TurnReadsOrders: the same store keeps the dialogs,
// on one Redis or a cluster), or for no user.
func (s *Store) PrefetchUser(ctx context.Context, userID string) context.Context {
	if userID == "" || s.cfg.TurnReadsOrders || s.check() != nil {
		return ctx
	}
	p := &preload{store: s, index: s.userKey(userID), ready: make(chan struct{})}
	page := indexPage(ctx, p.index, "+inf", 0, pageSize)
	go func() {
		defer close(p.ready)
		s.pipe.send(ctx, page)
		entries, err := page.Result()
		p.mu.Lock()
		defer p.mu.Unlock()
		// A failed read is read again by Orders, which reports the error;
		// an index changed meanwhile stays stale.
		p.entries = entries
		p.indexStale = p.indexStale || err != nil
	}()
	return context.WithValue(ctx, prefetchKey{}, p)
}

// indexPreload returns the read of the user order index key that
// BeginTurn or PrefetchUser made for ctx, if any.
func (s *Store) indexPreload(ctx context.Context, key string) *preload {
	for _, k := range []any{preloadKey{}, prefetchKey{}} {
		if p, _ := ctx.Value(k).(*preload); p != nil && p.store == s && p.index != "" && p.index == key {
			return p
		}
	}
	return nil
}

// preloadedIndex returns the first page of the user order index key that
// BeginTurn or PrefetchUser read for ctx, if one did and nothing changed
// that index since.
func (s *Store) preloadedIndex(ctx context.Context, key string) ([]string, bool) {
	p := s.indexPreload(ctx, key)
	if p == nil {
		return nil, false
	}
	if p.ready != nil {
		select {
		case <-p.ready:
		case <-ctx.Done():
			return nil, false
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.indexStale {
		return nil, false
	}
	return slices.Clone(p.entries), true
}

// indexChanged marks the user order index read for ctx stale if it is key.
func (s *Store) indexChanged(ctx context.Context, key string) {
	if p := s.indexPreload(ctx, key); p != nil {
		p.mu.Lock()
		p.indexStale = true
		p.mu.Unlock()
	}
}
