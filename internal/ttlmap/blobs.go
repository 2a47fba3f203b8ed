package ttlmap

import (
	"container/heap"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// ArenaSize is the size of the byte arenas a Blobs shard fills with keys
// and values (less when Config.MaxBytes is too small for an arena a shard);
// a larger entry gets an arena of its own.
const ArenaSize = 64 << 10

// BlobOverhead is what a Blobs entry costs beyond its bytes in an arena, as
// Config.MaxBytes counts it: its index slot and its expiry.
const BlobOverhead = 64

// Blobs maps string keys to byte values that expire, as a Map[[]byte]
// does, but keeps no pointer per entry: keys and values are copied into
// large byte arenas, found through an index from a 64-bit digest of the key
// (keyed by a per-map random seed) to a place in an arena, and expire
// through a heap of plain numbers. The garbage collector then has almost
// nothing in a Blobs to scan, however many entries it holds: a Map of a
// hundred thousand dialogs made every collection mark them all, for tens
// of milliseconds in which requests waited.
//
// The key is kept beside its value and compared on every read, so two keys
// of one digest never see each other's value; writing one of them forgets
// the other (odds of about one in 10^13 at a million keys).
//
// An arena is freed whole once nothing live is left in it (so an empty
// Blobs holds nothing). An overwritten,
// deleted or expired value keeps its place until then, and counts against
// Config.MaxBytes until then: what a Blobs counts is the memory it holds.
// Entries of one ttl leave an arena at most that ttl after it filled.
// Use NewBlobs.
type Blobs struct {
	max, maxBytes  int64
	arenaSize      int
	now            func() time.Time
	seed           maphash.Seed
	entries, bytes atomic.Int64 // held across the shards, as the bounds count them
	shard          [shards]blobShard
}

// blobShard is a part of a Blobs, under its own lock.
type blobShard struct {
	mu     sync.Mutex
	index  map[uint64]blobSlot
	q      blobExpiries
	arenas [][]byte // nil: freed (its number is reused)
	live   []int    // entries in each arena that are still indexed
	cur    int      // the arena being filled, or -1
	seq    uint64
	_      [64]byte // keeps neighbouring shards' locks off one cache line
}

// blobSlot is where an entry is: its key's bytes, then its value's, at off
// in arena.
type blobSlot struct {
	expires          int64 // Unix nanoseconds
	seq              uint64
	arena, off       uint32
	keyLen, valueLen uint32
}

// NewBlobs returns an empty Blobs.
func NewBlobs(c Config) *Blobs {
	if c.Max <= 0 {
		c.Max = DefaultMax
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	b := &Blobs{max: int64(c.Max), maxBytes: int64(c.MaxBytes), arenaSize: ArenaSize, now: c.Now, seed: maphash.MakeSeed()}
	if c.MaxBytes > 0 {
		b.arenaSize = min(ArenaSize, c.MaxBytes/shards)
	}
	for i := range b.shard {
		b.shard[i].index = make(map[uint64]blobSlot)
		b.shard[i].cur = -1
	}
	return b
}

// Get returns a copy of the value of a live key.
func (b *Blobs) Get(key string) ([]byte, bool) {
	h := maphash.String(b.seed, key)
	s := &b.shard[h%shards]
	s.mu.Lock()
	defer s.mu.Unlock()
	sl, ok := s.index[h]
	if !ok || b.now().UnixNano() >= sl.expires || string(s.key(sl)) != key {
		return nil, false
	}
	return append([]byte(nil), s.value(sl)...), true
}

// Set stores a copy of v under key for ttl, replacing any value. It fails
// with ErrFull when the map is full of live entries: a new key past Max,
// or bytes past MaxBytes.
func (b *Blobs) Set(key string, v []byte, ttl time.Duration) error {
	h := maphash.String(b.seed, key)
	s := &b.shard[h%shards]
	for swept := false; ; swept = true {
		if b.put(s, h, key, v, ttl) {
			return nil
		}
		if swept {
			return ErrFull
		}
		b.Sweep()
	}
}

// put stores v under key in s, unless that passes a bound.
func (b *Blobs) put(s *blobShard, h uint64, key string, v []byte, ttl time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := b.now().UnixNano()
	b.expire(s, now)
	old, had := s.index[h]
	if !had && !b.reserve(1, BlobOverhead) {
		return false
	}
	arena, off, ok := b.place(s, len(key)+len(v))
	if !ok {
		if !had {
			b.reserve(-1, -BlobOverhead)
		}
		return false
	}
	copy(s.arenas[arena][off:], key)
	copy(s.arenas[arena][off+len(key):], v)
	s.live[arena]++ // before the old value's release, which may free an arena it leaves empty
	if had {
		b.release(s, old)
	}
	s.seq++
	sl := blobSlot{expires: now + int64(ttl), seq: s.seq, arena: uint32(arena), off: uint32(off), keyLen: uint32(len(key)), valueLen: uint32(len(v))}
	s.index[h] = sl
	heap.Push(&s.q, blobExpiry{at: sl.expires, h: h, seq: sl.seq})
	// Overwrites and deletes leave stale items: rebuild when they dominate.
	if len(s.q) > 2*len(s.index)+64 {
		s.q = s.q[:0]
		for h, sl := range s.index {
			s.q = append(s.q, blobExpiry{at: sl.expires, h: h, seq: sl.seq})
		}
		heap.Init(&s.q)
	}
	return true
}

// place finds n bytes in s's current arena, or in a new one; s.mu is held.
func (b *Blobs) place(s *blobShard, n int) (arena, off int, ok bool) {
	if s.cur >= 0 {
		a := s.arenas[s.cur]
		if off := len(a); cap(a)-off >= n {
			s.arenas[s.cur] = a[:off+n]
			return s.cur, off, true
		}
	}
	size := max(b.arenaSize, n)
	if !b.reserve(0, int64(size)) {
		return 0, 0, false
	}
	a := make([]byte, n, size)
	arena = len(s.arenas)
	for i, x := range s.arenas { // reuse a freed arena's number
		if x == nil {
			arena = i
			break
		}
	}
	if arena == len(s.arenas) {
		s.arenas, s.live = append(s.arenas, nil), append(s.live, 0)
	}
	s.arenas[arena], s.cur = a, arena
	return arena, 0, true
}

// release counts sl's place as no longer live, and frees its arena when it
// was the last there; s.mu is held.
func (b *Blobs) release(s *blobShard, sl blobSlot) {
	i := int(sl.arena)
	if s.live[i]--; s.live[i] > 0 {
		return
	}
	b.reserve(0, -int64(cap(s.arenas[i])))
	s.arenas[i] = nil
	if i == s.cur {
		s.cur = -1
	}
}

// reserve counts entries and bytes more as held (either may be negative),
// unless that passes a bound.
func (b *Blobs) reserve(entries, bytes int64) bool {
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

// Delete forgets key; a missing key is not an error.
func (b *Blobs) Delete(key string) {
	h := maphash.String(b.seed, key)
	s := &b.shard[h%shards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl, ok := s.index[h]; ok && string(s.key(sl)) == key {
		b.forget(s, h, sl)
	}
}

// Len returns the number of entries held, expired ones not yet deleted
// included.
func (b *Blobs) Len() int { return int(b.entries.Load()) }

// Bytes returns the bytes held, as Config.MaxBytes counts them: the
// arenas, and BlobOverhead an entry.
func (b *Blobs) Bytes() int { return int(b.bytes.Load()) }

// Sweep deletes every expired entry now and returns how many it deleted.
func (b *Blobs) Sweep() int {
	now, n := b.now().UnixNano(), 0
	for i := range b.shard {
		s := &b.shard[i]
		s.mu.Lock()
		n += b.expire(s, now)
		s.mu.Unlock()
	}
	return n
}

// forget deletes an entry of s; s.mu is held.
func (b *Blobs) forget(s *blobShard, h uint64, sl blobSlot) {
	delete(s.index, h)
	b.reserve(-1, -BlobOverhead)
	b.release(s, sl)
}

// expire deletes the entries of s expired at now (Unix nanoseconds) and
// returns how many; s.mu is held.
func (b *Blobs) expire(s *blobShard, now int64) (n int) {
	for len(s.q) > 0 && now >= s.q[0].at {
		it := heap.Pop(&s.q).(blobExpiry)
		if sl, ok := s.index[it.h]; ok && sl.seq == it.seq {
			b.forget(s, it.h, sl)
			n++
		}
	}
	return n
}

// key and value are an entry's bytes in its arena; s.mu is held.
func (s *blobShard) key(sl blobSlot) []byte {
	return s.arenas[sl.arena][sl.off : sl.off+sl.keyLen]
}

func (s *blobShard) value(sl blobSlot) []byte {
	start := sl.off + sl.keyLen
	return s.arenas[sl.arena][start : start+sl.valueLen]
}

// blobExpiry is a heap item: when the write seq of the key of digest h
// expires.
type blobExpiry struct {
	at  int64
	h   uint64
	seq uint64
}

// blobExpiries is a min-heap on expiry time.
type blobExpiries []blobExpiry

func (q blobExpiries) Len() int           { return len(q) }
func (q blobExpiries) Less(i, j int) bool { return q[i].at < q[j].at }
func (q blobExpiries) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *blobExpiries) Push(x any)        { *q = append(*q, x.(blobExpiry)) }
func (q *blobExpiries) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
