package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// The dialog's commands go through the automatic pipeline (autopipe.go).

// errNoSession is Session's error for a dialog with no state: one value,
// not one made per turn (most turns begin a dialog).
var errNoSession = fmt.Errorf("redis: session: %w", shop.ErrNotFound)

// Session returns a dialog's state, or an error wrapping shop.ErrNotFound.
// Within a turn begun by BeginTurn it answers from what BeginTurn read.
func (s *Store) Session(ctx context.Context, id shop.SessionKey) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	key := s.sessionKey(id)
	if state, found, ok := s.preloaded(ctx, key); ok {
		if !found {
			return nil, errNoSession
		}
		return state, nil
	}
	get := goredis.NewStringCmd(ctx, "get", key)
	_ = s.pipe.do(ctx, get)
	b, err := get.Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, unavailable("session", err)
	}
	return b, nil
}

// SaveSession stores a dialog's state for ttl (at least a millisecond).
func (s *Store) SaveSession(ctx context.Context, id shop.SessionKey, state []byte, ttl time.Duration) error {
	if ttl < time.Millisecond {
		return shop.Errorf(shop.EINVALID, "redis: session ttl %v must be at least 1ms", ttl)
	}
	if err := s.check(); err != nil {
		return err
	}
	key := s.sessionKey(id)
	s.changed(ctx, key)
	if err := s.pipe.do(ctx, goredis.NewStatusCmd(ctx, "set", key, state, "px", ttl.Milliseconds())); err != nil {
		return unavailable("save session", err)
	}
	return nil
}

// DeleteSession deletes a dialog's state; a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, id shop.SessionKey) error {
	if err := s.check(); err != nil {
		return err
	}
	key := s.sessionKey(id)
	s.changed(ctx, key)
	if err := s.pipe.do(ctx, goredis.NewIntCmd(ctx, "del", key)); err != nil {
		return unavailable("delete session", err)
	}
	return nil
}

// Remember records key for ttl (at least a millisecond) with SET NX PX and
// reports whether it was new.
func (s *Store) Remember(ctx context.Context, key string, ttl time.Duration) (fresh bool, err error) {
	if ttl < time.Millisecond {
		return false, shop.Errorf(shop.EINVALID, "redis: remember ttl %v must be at least 1ms", ttl)
	}
	if err := s.check(); err != nil {
		return false, err
	}
	set := goredis.NewStatusCmd(ctx, "set", s.rememberKey(key), "1", "nx", "px", ttl.Milliseconds())
	if err := s.pipe.do(ctx, set); err != nil && !errors.Is(err, goredis.Nil) {
		return false, unavailable("remember", err)
	}
	return set.Val() == "OK", nil
}
