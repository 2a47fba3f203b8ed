package redis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// BeginTurn starts a dialog turn in one round trip: it remembers the
// request id for ttl (at least a millisecond) within the dialog named by key
// and, when the request is new, reads the dialog's state. fresh is false for
// a request id the dialog has seen within ttl (a replay); then nothing is
// read. The returned context carries the state read: Session, called with
// it (or a context derived from it) for the same key, answers from it
// instead of asking Redis again, until SaveSession or DeleteSession changes
// that dialog.
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
	keys := []string{s.seenKey(key, requestID), sk}
	p := &preload{store: s, key: sk}
	if s.cfg.TurnReadsOrders && !s.cluster() && key.UserID != "" {
		p.index = s.userKey(key.UserID)
		keys = append(keys, p.index)
	}
	reply, err := s.evalPiped(ctx, turnScript, keys, ttl.Milliseconds(), pageSize).Slice()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return ctx, false, unavailable("begin turn", err)
	}
	if len(reply) == 0 || reply[0] != int64(1) {
		return ctx, false, nil
	}
	if len(reply) > 1 && reply[1] != nil {
		v, ok := reply[1].(string)
		if !ok {
			return ctx, false, unavailable("begin turn", fmt.Errorf("unexpected reply %v", reply))
		}
		p.state, p.found = []byte(v), true
	}
	if p.index != "" {
		entries, ok := []any(nil), len(reply) > 2
		if ok {
			entries, ok = reply[2].([]any)
		}
		p.entries = make([]string, 0, len(entries))
		for _, e := range entries {
			m, isString := e.(string)
			ok = ok && isString
			p.entries = append(p.entries, m)
		}
		if !ok {
			return ctx, false, unavailable("begin turn", fmt.Errorf("unexpected reply %v", reply))
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

	index      string   // the user order index read too, if any
	entries    []string // its first page, newest first
	indexStale bool     // an order of the user was created or moved since
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

// preloadedIndex returns the first page of the user order index key that
// BeginTurn read into ctx, if it did and nothing changed that index since.
func (s *Store) preloadedIndex(ctx context.Context, key string) ([]string, bool) {
	p, _ := ctx.Value(preloadKey{}).(*preload)
	if p == nil || p.store != s || p.index == "" || p.index != key {
		return nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.indexStale {
		return nil, false
	}
	return slices.Clone(p.entries), true
}

// indexChanged marks the user order index BeginTurn read into ctx stale
// if it is key.
func (s *Store) indexChanged(ctx context.Context, key string) {
	if p, _ := ctx.Value(preloadKey{}).(*preload); p != nil && p.store == s && p.index == key {
		p.mu.Lock()
		p.indexStale = true
		p.mu.Unlock()
	}
}
