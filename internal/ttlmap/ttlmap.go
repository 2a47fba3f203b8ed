// Package ttlmap is THE in-memory map with expiry of the project: bounded,
// safe for concurrent use, with an injected clock. The in-memory dialog
// state (store/mem) and the server's default replay memory are built on it.
//
// Expired entries are invisible at once and deleted as later writes go by
// (a min-heap on expiry makes that O(log n) per write), so memory stays
// bounded by the live entries without a sweeping goroutine.
package ttlmap

import (
	"container/heap"
	"errors"
	"sync"
	"time"
)

// DefaultMax bounds a Map whose Config.Max is 0.
const DefaultMax = 1 << 20

// ErrFull is returned when a new key would exceed the bound while every
// entry is live: callers fail closed (refuse) rather than grow.
var ErrFull = errors.New("ttlmap: full")

// Config configures a Map. The zero value works.
type Config struct {
	// Max bounds the number of entries (default DefaultMax).
	Max int
	// Now is the clock that decides expiry (default time.Now).
	Now func() time.Time
}

// Map maps string keys to values that expire. Use New.
type Map[V any] struct {
	mu  sync.Mutex
	max int
	now func() time.Time
	m   map[string]entry[V]
	q   expiries
	seq uint64
}

type entry[V any] struct {
	v       V
	expires time.Time
	seq     uint64 // which write made it; a heap item of another seq is stale
}

// New returns an empty Map.
func New[V any](c Config) *Map[V] {
	if c.Max <= 0 {
		c.Max = DefaultMax
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Map[V]{max: c.Max, now: c.Now, m: make(map[string]entry[V])}
}

// Get returns the value of a live key.
func (m *Map[V]) Get(key string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[key]
	if !ok || !m.now().Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Set stores v under key for ttl, replacing any value. It fails with ErrFull
// only for a new key when the map is full of live entries.
func (m *Map[V]) Set(key string, v V, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if _, ok := m.m[key]; !ok && len(m.m) >= m.max {
		return ErrFull
	}
	m.put(key, v, now.Add(ttl))
	return nil
}

// Add stores v under key for ttl unless key is live, and reports whether it
// stored: false means the key was seen within its ttl.
func (m *Map[V]) Add(key string, v V, ttl time.Duration) (added bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if e, ok := m.m[key]; ok && now.Before(e.expires) {
		return false, nil
	}
	if len(m.m) >= m.max {
		return false, ErrFull
	}
	m.put(key, v, now.Add(ttl))
	return true, nil
}

// Delete forgets key; a missing key is not an error.
func (m *Map[V]) Delete(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
}

// Len returns the number of entries held, expired ones not yet deleted
// included.
func (m *Map[V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}

// Sweep deletes every expired entry now and returns how many it deleted.
func (m *Map[V]) Sweep() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	before := len(m.m)
	m.expire(m.now())
	return before - len(m.m)
}

// put stores an entry and queues its expiry; m.mu is held.
func (m *Map[V]) put(key string, v V, expires time.Time) {
	m.seq++
	m.m[key] = entry[V]{v: v, expires: expires, seq: m.seq}
	heap.Push(&m.q, expiry{at: expires, key: key, seq: m.seq})
	// Overwrites and deletes leave stale items: rebuild when they dominate.
	if len(m.q) > 2*len(m.m)+64 {
		m.q = m.q[:0]
		for k, e := range m.m {
			m.q = append(m.q, expiry{at: e.expires, key: k, seq: e.seq})
		}
		heap.Init(&m.q)
	}
}

// expire deletes the entries expired at now; m.mu is held.
func (m *Map[V]) expire(now time.Time) {
	for len(m.q) > 0 && !now.Before(m.q[0].at) {
		it := heap.Pop(&m.q).(expiry)
		if e, ok := m.m[it.key]; ok && e.seq == it.seq {
			delete(m.m, it.key)
		}
	}
}

// expiry is a heap item: when a key's write expires.
type expiry struct {
	at  time.Time
	key string
	seq uint64
}

// expiries is a min-heap on expiry time.
type expiries []expiry

func (q expiries) Len() int           { return len(q) }
func (q expiries) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q expiries) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *expiries) Push(x any)        { *q = append(*q, x.(expiry)) }
func (q *expiries) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
