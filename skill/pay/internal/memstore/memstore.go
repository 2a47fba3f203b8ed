// Package memstore is an in-memory shop.Store for the pay package's tests:
// a mutex and maps, with failure injection. Not for production.
package memstore

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// ErrDown is returned by every method while the store is Down.
var ErrDown = errors.New("memstore: down")

// Store is an in-memory shop.Store. Orders are deep-copied in and out.
type Store struct {
	mu       sync.Mutex
	orders   map[string][]byte
	sessions map[string][]byte
	seen     map[string]time.Time
	down     bool
}

var _ shop.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{orders: map[string][]byte{}, sessions: map[string][]byte{}, seen: map[string]time.Time{}}
}

// SetDown makes every method fail with ErrDown (true) or work again (false).
func (s *Store) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func decode(b []byte) shop.Order {
	var o shop.Order
	if err := json.Unmarshal(b, &o); err != nil {
		panic(err)
	}
	return o
}

// CreateOrder implements shop.Store.
func (s *Store) CreateOrder(ctx context.Context, o shop.Order) (shop.Order, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return shop.Order{}, false, ErrDown
	}
	if b, ok := s.orders[o.TradeNo]; ok {
		return decode(b), false, nil
	}
	b, err := json.Marshal(o)
	if err != nil {
		return shop.Order{}, false, err
	}
	s.orders[o.TradeNo] = b
	return decode(b), true, nil
}

// Order implements shop.Store.
func (s *Store) Order(ctx context.Context, tradeNo string) (shop.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return shop.Order{}, ErrDown
	}
	b, ok := s.orders[tradeNo]
	if !ok {
		return shop.Order{}, shop.ErrNotFound
	}
	return decode(b), nil
}

// UpdateOrder implements shop.Store.
func (s *Store) UpdateOrder(ctx context.Context, tradeNo string, fn func(*shop.Order) error) (shop.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return shop.Order{}, ErrDown
	}
	b, ok := s.orders[tradeNo]
	if !ok {
		return shop.Order{}, shop.ErrNotFound
	}
	o := decode(b)
	if err := fn(&o); err != nil {
		if errors.Is(err, shop.ErrNoChange) {
			return decode(b), nil
		}
		return decode(b), err
	}
	nb, err := json.Marshal(o)
	if err != nil {
		return shop.Order{}, err
	}
	s.orders[tradeNo] = nb
	return decode(nb), nil
}

// Orders implements shop.Store.
func (s *Store) Orders(ctx context.Context, f shop.OrderFilter) ([]shop.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return nil, ErrDown
	}
	var out []shop.Order
	for _, b := range s.orders {
		o := decode(b)
		if f.Match(&o) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b shop.Order) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return -compareStrings(a.TradeNo, b.TradeNo)
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Session implements shop.Store.
func (s *Store) Session(ctx context.Context, id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.sessions[id]
	if !ok {
		return nil, shop.ErrNotFound
	}
	return slices.Clone(b), nil
}

// SaveSession implements shop.Store; ttl is ignored.
func (s *Store) SaveSession(ctx context.Context, id string, state []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[id] = slices.Clone(state)
	return nil
}

// DeleteSession implements shop.Store.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, id)
	return nil
}

// Remember implements shop.Store.
func (s *Store) Remember(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if exp, ok := s.seen[key]; ok && now.Before(exp) {
		return false, nil
	}
	s.seen[key] = now.Add(ttl)
	return true, nil
}

// Ping implements shop.Store.
func (s *Store) Ping(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return ErrDown
	}
	return nil
}

// Close implements shop.Store.
func (s *Store) Close() error { return nil }
