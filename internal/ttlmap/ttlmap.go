// Package ttlmap is THE in-memory map with expiry of the project: bounded
// (in entries and in bytes), safe for concurrent use, with an injected
// clock, its keys spread over shards with locks of their own. Two cousins
// keep no pointer per entry, so the garbage collector need not scan them
// however large they grow: Blobs, for byte values (kept in byte arenas),
// and Seen, a set for replay memory (a digest per key in time buckets). The
// in-memory dialog state (store/mem) and the server's default replay
// memory are built on them.
//
// Expired entries are invisible at once and deleted as later writes to
// their shard go by (a min-heap on expiry makes that O(log n) per write),
// and all at once when a write would not fit otherwise, so memory stays
// bounded by the live entries without a sweeping goroutine.
package ttlmap

import (
	"container/heap"
	"errors"
	"hash/maphash"
	"sync"
	"sync/atomic"
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

// shards is how many parts a Map's keys are spread over, each with its own
// lock: a goroutine that loses its CPU while it holds one (on a busy
// machine the system may take it away for several milliseconds) then
// stalls a thirty-second of the callers, not all of them.
const shards = 32

// Map maps string keys to values that expire. Use New.
//
// Its bounds hold across its shards: the entries and bytes held are
// counted once, for the whole map, and a write that would pass a bound
// first deletes whatever has expired in every shard before it gives up.
type Map[V any] struct {
	max, maxBytes  int64
	now            func() time.Time
	seed           maphash.Seed
	entries, bytes atomic.Int64 // held across the shards, as the bounds count them
	shard          [shards]shard[V]
}

// shard is a part of a Map: its own entries and expiry heap under its own
// lock.
type shard[V any] struct {
	mu  sync.Mutex
	m   map[string]entry[V]
	q   expiries
	seq uint64
	_   [64]byte // keeps the locks of neighbouring shards off one cache line
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
	m := &Map[V]{max: int64(c.Max), maxBytes: int64(c.MaxBytes), now: c.Now, seed: maphash.MakeSeed()}
	for i := range m.shard {
		m.shard[i].m = make(map[string]entry[V])
	}
	return m
}

// size is what an entry counts against MaxBytes.
func size[V any](key string, v V) int64 {
	n := len(key) + EntryOverhead
	switch x := any(v).(type) {
	case []byte:
		n += len(x)
	case string:
		n += len(x)
	}
	return int64(n)
}

// of returns key's shard.
func (m *Map[V]) of(key string) *shard[V] {
	return &m.shard[maphash.String(m.seed, key)%shards]
}

// Bytes returns the bytes held, as Config.MaxBytes counts them, expired
// entries not yet deleted included.
func (m *Map[V]) Bytes() int { return int(m.bytes.Load()) }

// Get returns the value of a live key.
func (m *Map[V]) Get(key string) (V, bool) {
	s := m.of(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
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
	_, err := m.write(key, v, ttl, true)
	return err
}

// Add stores v under key for ttl unless key is live, and reports whether it
// stored: false means the key was seen within its ttl.
func (m *Map[V]) Add(key string, v V, ttl time.Duration) (added bool, err error) {
	return m.write(key, v, ttl, false)
}

// write is Set (replace) and Add (!replace). When the value does not fit,
// it deletes what has expired in every shard and tries once more.
func (m *Map[V]) write(key string, v V, ttl time.Duration, replace bool) (stored bool, err error) {
	s := m.of(key)
	for swept := false; ; swept = true {
		stored, fits := m.put(s, key, v, ttl, replace)
		if fits {
			return stored, nil
		}
		if swept {
			return false, ErrFull
		}
		m.Sweep()
	}
}

// put stores v under key in s if it fits the map's bounds; fits is false
// when it does not.
func (m *Map[V]) put(s *shard[V], key string, v V, ttl time.Duration, replace bool) (stored, fits bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := m.now()
	m.expire(s, now)
	old, had := s.m[key]
	if had && !replace && now.Before(old.expires) {
		return false, true
	}
	var entries, bytes int64 = 1, size(key, v)
	if had {
		entries, bytes = 0, bytes-size(key, old.v)
	}
	if !m.reserve(entries, bytes) {
		return false, false
	}
	s.seq++
	s.m[key] = entry[V]{v: v, expires: now.Add(ttl), seq: s.seq}
	heap.Push(&s.q, expiry{at: now.Add(ttl), key: key, seq: s.seq})
	// Overwrites and deletes leave stale items: rebuild when they dominate.
	if len(s.q) > 2*len(s.m)+64 {
		s.q = s.q[:0]
		for k, e := range s.m {
			s.q = append(s.q, expiry{at: e.expires, key: k, seq: e.seq})
		}
		heap.Init(&s.q)
	}
	return true, true
}

// reserve counts entries and bytes more as held (either may be negative),
// unless that passes a bound.
func (m *Map[V]) reserve(entries, bytes int64) bool {
	if entries > 0 && m.entries.Add(entries) > m.max {
		m.entries.Add(-entries)
		return false
	}
	if held := m.bytes.Add(bytes); bytes > 0 && m.maxBytes > 0 && held > m.maxBytes {
		m.bytes.Add(-bytes)
		m.entries.Add(-entries)
		return false
	}
	return true
}

// Delete forgets key; a missing key is not an error.
func (m *Map[V]) Delete(key string) {
	s := m.of(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[key]; ok {
		m.forget(s, key, e)
	}
}

// Len returns the number of entries held, expired ones not yet deleted
// included.
func (m *Map[V]) Len() int { return int(m.entries.Load()) }

// Sweep deletes every expired entry now and returns how many it deleted.
func (m *Map[V]) Sweep() int {
	now, n := m.now(), 0
	for i := range m.shard {
		s := &m.shard[i]
		s.mu.Lock()
		n += m.expire(s, now)
		s.mu.Unlock()
	}
	return n
}

// forget deletes an entry of s; s.mu is held.
func (m *Map[V]) forget(s *shard[V], key string, e entry[V]) {
	m.entries.Add(-1)
	m.bytes.Add(-size(key, e.v))
	delete(s.m, key)
}

// expire deletes the entries of s expired at now and returns how many;
// s.mu is held.
func (m *Map[V]) expire(s *shard[V], now time.Time) (n int) {
	for len(s.q) > 0 && !now.Before(s.q[0].at) {
		it := heap.Pop(&s.q).(expiry)
		if e, ok := s.m[it.key]; ok && e.seq == it.seq {
			m.forget(s, it.key, e)
			n++
		}
	}
	return n
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
