// Package ttlmap is THE in-memory map with expiry of the project: bounded
// (in entries and in bytes), safe for concurrent use, with an injected
// clock; and Seen, its compact cousin for replay memory, which keeps a
// digest per key in time buckets. The in-memory dialog state (store/mem)
// and the server's default replay memory are built on them.
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

// EntryOverhead is what a Map entry costs beyond its key and value, as
// Config.MaxBytes counts it: the map slot, the expiry and its heap item.
const EntryOverhead = 96

// ErrFull is returned when a new key would exceed the bound while every
// entry is live: callers fail closed (refuse) rather than grow.
var ErrFull = errors.New("ttlmap: full")

// Config configures a Map. The zero value works.
type Config struct {
	// Max bounds the number of entries (default DefaultMax).
	Max int
	// MaxBytes bounds the bytes a Map holds: its keys, its values that are
	// byte slices or strings, and EntryOverhead a entry (default: no bound
	// but Max).
	MaxBytes int
	// Now is the clock that decides expiry (default time.Now).
	Now func() time.Time
}

// Map maps string keys to values that expire. Use New.
type Map[V any] struct {
	mu       sync.Mutex
	max      int
	maxBytes int
	bytes    int // held, as MaxBytes counts them
	now      func() time.Time
	m        map[string]entry[V]
	q        expiries
	seq      uint64
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
	return &Map[V]{max: c.Max, maxBytes: c.MaxBytes, now: c.Now, m: make(map[string]entry[V])}
}

// size is what an entry counts against MaxBytes.
func size[V any](key string, v V) int {
	n := len(key) + EntryOverhead
	switch x := any(v).(type) {
	case []byte:
		n += len(x)
	case string:
		n += len(x)
	}
	return n
}

// fits reports whether storing v under key keeps the map within its
// bounds; m.mu is held.
func (m *Map[V]) fits(key string, v V) bool {
	old, had := m.m[key]
	if !had && len(m.m) >= m.max {
		return false
	}
	if m.maxBytes <= 0 {
		return true
	}
	n := m.bytes + size(key, v)
	if had {
		n -= size(key, old.v)
	}
	return n <= m.maxBytes
}

// Bytes returns the bytes held, as Config.MaxBytes counts them.
func (m *Map[V]) Bytes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes
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
// when the map is full of live entries: a new key past Max, or a value past
// MaxBytes.
func (m *Map[V]) Set(key string, v V, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if !m.fits(key, v) {
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
	if !m.fits(key, v) {
		return false, ErrFull
	}
	m.put(key, v, now.Add(ttl))
	return true, nil
}

// Delete forgets key; a missing key is not an error.
func (m *Map[V]) Delete(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.m[key]; ok {
		m.bytes -= size(key, e.v)
		delete(m.m, key)
	}
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
	if old, ok := m.m[key]; ok {
		m.bytes -= size(key, old.v)
	}
	m.bytes += size(key, v)
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
			m.bytes -= size(it.key, e.v)
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
