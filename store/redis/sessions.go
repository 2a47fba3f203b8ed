package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// Session returns a session's state, or an error wrapping shop.ErrNotFound.
func (s *Store) Session(ctx context.Context, id string) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	b, err := s.rdb.Get(ctx, s.sessionKey(id)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("redis: session %q: %w", id, shop.ErrNotFound)
	}
	if err != nil {
		return nil, unavailable("session "+id, err)
	}
	return b, nil
}

// SaveSession stores a session's state for ttl (at least a millisecond).
func (s *Store) SaveSession(ctx context.Context, id string, state []byte, ttl time.Duration) error {
	if ttl < time.Millisecond {
		return shop.Errorf(shop.EINVALID, "redis: session ttl %v must be at least 1ms", ttl)
	}
	if err := s.check(); err != nil {
		return err
	}
	if err := s.rdb.Set(ctx, s.sessionKey(id), state, ttl).Err(); err != nil {
		return unavailable("save session "+id, err)
	}
	return nil
}

// DeleteSession deletes a session; a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := s.check(); err != nil {
		return err
	}
	if err := s.rdb.Del(ctx, s.sessionKey(id)).Err(); err != nil {
		return unavailable("delete session "+id, err)
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
	fresh, err = s.rdb.SetNX(ctx, s.rememberKey(key), "1", ttl).Result()
	if err != nil {
		return false, unavailable("remember "+key, err)
	}
	return fresh, nil
}
