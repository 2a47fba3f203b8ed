package bolt

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// ephemeral holds dialog sessions and remembered keys in memory, with
// expiry. They live minutes, and a bbolt file is held by one process (its
// file lock), so no other node could share them: writing them to disk would
// cost an fsync on every dialog turn and buy nothing but surviving a restart,
// after which a dialog simply starts over. Orders, which must survive
// anything, are the only thing written to the file.
type ephemeral struct {
	mu      sync.Mutex
	entries map[string]entry
}

type entry struct {
	value   []byte
	expires time.Time
}

func (e *ephemeral) get(key string, now time.Time) ([]byte, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.entries[key]
	if !ok || !now.Before(v.expires) {
		return nil, false
	}
	return v.value, true
}

// put stores value under key until expires; with onlyNew it stores nothing
// when a live entry exists, and reports whether it stored.
func (e *ephemeral) put(key string, value []byte, expires, now time.Time, onlyNew bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.entries == nil {
		e.entries = make(map[string]entry)
	}
	if v, ok := e.entries[key]; onlyNew && ok && now.Before(v.expires) {
		return false
	}
	e.entries[key] = entry{value: value, expires: expires}
	return true
}

func (e *ephemeral) delete(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.entries, key)
}

// sweep deletes expired entries and returns how many.
func (e *ephemeral) sweep(now time.Time) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for k, v := range e.entries {
		if !now.Before(v.expires) {
			delete(e.entries, k)
			n++
		}
	}
	return n
}

// Session returns a session's state, or an error wrapping shop.ErrNotFound
// if it is missing or expired.
func (s *Store) Session(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bolt: session: %w", err)
	}
	v, ok := s.sessions.get(id, s.now())
	if !ok {
		return nil, fmt.Errorf("bolt: session %q: %w", id, shop.ErrNotFound)
	}
	return append([]byte{}, v...), nil
}

// SaveSession stores a session's state for ttl, which must be positive.
func (s *Store) SaveSession(ctx context.Context, id string, state []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return shop.Errorf(shop.EINVALID, "bolt: session ttl %v must be positive", ttl)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: save session: %w", err)
	}
	now := s.now()
	s.sessions.put(id, append([]byte{}, state...), now.Add(ttl), now, false)
	return nil
}

// DeleteSession deletes a session; a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: delete session: %w", err)
	}
	s.sessions.delete(id)
	return nil
}

// Remember records key for ttl (positive) and reports whether it was new:
// false means it was remembered and has not expired.
func (s *Store) Remember(ctx context.Context, key string, ttl time.Duration) (fresh bool, err error) {
	if ttl <= 0 {
		return false, shop.Errorf(shop.EINVALID, "bolt: remember ttl %v must be positive", ttl)
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("bolt: remember: %w", err)
	}
	now := s.now()
	return s.remembered.put(key, nil, now.Add(ttl), now, true), nil
}
