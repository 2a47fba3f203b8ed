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
// and all at once when a write would not fit otherwise, so what a map
// holds stays within its bounds without a sweeping goroutine.
package ttlmap

import (
	"container/heap"
	"errors"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMax bounds a Map or Blobs whose Config.Max is 0.
const DefaultMax = 1 << 20

// EntryOverhead is what a Map entry costs beyond its key and value, as
// Config.MaxBytes counts it: the map slot, the expiry and its heap item.
const EntryOverhead = 96

// ErrFull is returned when a new key would exceed the bound while every
// entry is live: callers fail closed (refuse) rather than grow.
var ErrFull = errors.New("ttlmap: full")

// Config configures a Map, a Blobs or a Seen. The zero value works.
type Config struct {
	// Max bounds the number of entries (default DefaultMax; for a Seen,
	// DefaultSeenMax).
	Max int
	// MaxBytes bounds the bytes held (default: no bound but Max): for a
	// Map, its keys, its values that are byte slices or strings, and
	// EntryOverhead an entry; for a Blobs, its arenas and BlobOverhead an
	// entry.
	MaxBytes int
	// Now is the clock that decides expiry (default time.Now).
	Now func() time.Time
}

// shards is how many parts a Map's or a Blobs' keys are spread over, each
// with its own lock: a goroutine that loses its CPU while it holds one (on
// a busy machine the system may take it away for several milliseconds)
// then stalls a thirty-second of the callers, not all of them.
const shards = 32

// bounds counts what a sharded map holds, across its shards, against its
// Max and MaxBytes.
type bounds struct {
	max, maxBytes int64
	// The counters change on every write: padded off the cache lines of
	// the fields every read uses, before and after them.
	_       [48]byte
	entries atomic.Int64
	bytes   atomic.Int64
	_       [48]byte
}

// reserve counts entries and bytes more as held (either may be negative),
// unless that passes a bound. Two writers near a bound may both be refused
// where one would have fitted: the bounds fail closed.
func (b *bounds) reserve(entries, bytes int64) bool {
	if entries > 0 && b.entries.Add(entries) > b.max {
		b.entries.Add(-entries)
		return false
	}
	if entries < 0 {
		b.entries.Add(entries)
	}
	if held := b.bytes.Add(bytes); bytes > 0 && b.maxBytes > 0 && held > b.maxBytes {
		b.bytes.Add(-bytes)
		if entries > 0 {
			b.entries.Add(-entries)
		}
		return false
	}
	return true
}

// clock reads time as nanoseconds since the map was made: monotonic when
// Now is (time.Now is), so a step of the wall clock moves no expiry.
type clock struct {
	now   func() time.Time
	epoch time.Time
}

func newClock(now func() time.Time) clock {
	if now == nil {
		now = time.Now
	}
	return clock{now: now, epoch: now()}
}

// nanos is now, in nanoseconds since the epoch.
func (c clock) nanos() int64 { return int64(c.now().Sub(c.epoch)) }

// after is ttl after at, saturating (a ttl of a century is "never").
func after(at int64, ttl time.Duration) int64 {
	if ttl > 0 && at > math.MaxInt64-int64(ttl) {
		return math.MaxInt64
	}
	return at + int64(ttl)
}

// Map maps string keys to values that expire. Use New.
//
// Its bounds hold across its shards: the entries and bytes held are
// counted once, for the whole map, and a write that would pass a bound
// first deletes whatever has expired in every shard before it gives up.
type Map[V any] struct {
	bounds
	clock
	seed  maphash.Seed
	shard [shards]shard[V]
}

// shard is a part of a Map: its own entries and expiry heap under its own
// lock.
type shard[V any] struct {
	mu  sync.Mutex
	m   map[string]entry[V]
	q   expiries[string]
	seq uint64
	_   [64]byte // keeps the locks of neighbouring shards off one cache line
}

type entry[V any] struct {
	v       V
	expires int64  // clock nanoseconds
	seq     uint64 // which write made it; a heap item of another seq is stale
}

// New returns an empty Map.
func New[V any](c Config) *Map[V] {
	if c.Max <= 0 {
		c.Max = DefaultMax
	}
	m := &Map[V]{bounds: bounds{max: int64(c.Max), maxBytes: int64(c.MaxBytes)}, clock: newClock(c.Now), seed: maphash.MakeSeed()}
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

// Len returns the number of entries held, expired ones not yet deleted
// included.
func (m *Map[V]) Len() int { return int(m.entries.Load()) }

// Get returns the value of a live key.
func (m *Map[V]) Get(key string) (V, bool) {
	s := m.of(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok || m.nanos() >= e.expires {
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
	now := m.nanos()
	m.expire(s, now)
	old, had := s.m[key]
	if had && !replace && now < old.expires {
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
	e := entry[V]{v: v, expires: after(now, ttl), seq: s.seq}
	s.m[key] = e
	s.q.add(expiry[string]{at: e.expires, key: key, seq: e.seq}, len(s.m), func(yield func(expiry[string]) bool) {
		for k, e := range s.m {
			if !yield(expiry[string]{at: e.expires, key: k, seq: e.seq}) {
				return
			}
		}
	})
	return true, true
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

// Sweep deletes every expired entry now and returns how many it deleted.
func (m *Map[V]) Sweep() int {
	now, n := m.nanos(), 0
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
	m.reserve(-1, -size(key, e.v))
	delete(s.m, key)
}

// expire deletes the entries of s expired at now and returns how many;
// s.mu is held.
func (m *Map[V]) expire(s *shard[V], now int64) (n int) {
	for it := range s.q.due(now) {
		if e, ok := s.m[it.key]; ok && e.seq == it.seq {
			m.forget(s, it.key, e)
			n++
		}
	}
	return n
}

// expiry is a heap item: when the write seq of key expires (clock
// nanoseconds).
type expiry[K any] struct {
	at  int64
	key K
	seq uint64
}

// expiries is a min-heap on expiry time. An entry overwritten or deleted
// leaves its item behind (stale: its seq is not the entry's); add rebuilds
// the heap from the live entries when stale items dominate.
type expiries[K any] []expiry[K]

func (q expiries[K]) Len() int           { return len(q) }
func (q expiries[K]) Less(i, j int) bool { return q[i].at < q[j].at }
func (q expiries[K]) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *expiries[K]) Push(x any)        { *q = append(*q, x.(expiry[K])) }
func (q *expiries[K]) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// add queues it; live is how many entries there are, and all yields the
// item of each, for a rebuild.
func (q *expiries[K]) add(it expiry[K], live int, all func(yield func(expiry[K]) bool)) {
	heap.Push(q, it)
	if len(*q) > 2*live+64 {
		*q = (*q)[:0]
		for it := range all {
			*q = append(*q, it)
		}
		heap.Init(q)
	}
}

// due pops the items due at now.
func (q *expiries[K]) due(now int64) func(yield func(expiry[K]) bool) {
	return func(yield func(expiry[K]) bool) {
		for len(*q) > 0 && now >= (*q)[0].at {
			if !yield(heap.Pop(q).(expiry[K])) {
				return
			}
		}
	}
}
