package server

import (
	"context"
	"errors"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/ttlmap"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// memStore is the Store used when Config.Store is nil: request ids
// remembered as digests in time buckets (ttlmap.Seen), good for tests
// and single-process tools, not for a deployment (it forgets on restart).
// Past the map's bound, new ids are refused as unavailable (failing closed
// rather than growing without bound).
type memStore struct{ seen *ttlmap.Seen }

var _ Store = memStore{}

func newMemStore(now func() time.Time) memStore {
	return memStore{seen: ttlmap.NewSeen(ttlmap.Config{Now: now})}
}

// Remember records key for ttl and reports whether it was new.
func (m memStore) Remember(_ context.Context, key string, ttl time.Duration) (bool, error) {
	fresh, err := m.seen.Add(key, ttl)
	if errors.Is(err, ttlmap.ErrFull) {
		return false, &shop.Error{Code: shop.EUNAVAILABLE, Message: "replay memory full", Err: err}
	}
	return fresh, err
}

// Ping always succeeds.
func (memStore) Ping(context.Context) error { return nil }
