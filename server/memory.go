package server

import (
	"context"
	"sync"
	"time"
)

// memMaxKeys bounds the in-memory store: past it, expired keys are swept and,
// if still full, the store refuses new keys as if they were replays (failing
// closed rather than growing without bound).
const memMaxKeys = 1 << 20

// memStore is the in-memory Store used when Config.Store is nil: good for
// tests and single-process tools, not for a deployment (it forgets on
// restart).
type memStore struct {
	mu   sync.Mutex
	now  func() time.Time
	keys map[string]time.Time // key → expiry
}

var _ Store = (*memStore)(nil)

func newMemStore(now func() time.Time) *memStore {
	return &memStore{now: now, keys: make(map[string]time.Time)}
}

// Remember records key for ttl and reports whether it was new.
func (m *memStore) Remember(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if exp, ok := m.keys[key]; ok && now.Before(exp) {
		return false, nil
	}
	if len(m.keys) >= memMaxKeys {
		for k, exp := range m.keys {
			if !now.Before(exp) {
				delete(m.keys, k)
			}
		}
		if len(m.keys) >= memMaxKeys {
			return false, nil
		}
	}
	m.keys[key] = now.Add(ttl)
	return true, nil
}

// Ping always succeeds.
func (m *memStore) Ping(context.Context) error { return nil }
