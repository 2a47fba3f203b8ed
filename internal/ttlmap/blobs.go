package ttlmap

import (
	"encoding/binary"
	"errors"
	"hash/maphash"
	"math"
	"sync"
	"time"
)

// ArenaSize is the size of the byte arenas a Blobs shard fills with its
// entries (smaller when Config.MaxBytes is small: an eighth of a shard's
// share); a larger entry gets an arena of its own.
const ArenaSize = 64 << 10

// BlobOverhead is what a Blobs entry costs beyond its record in an arena,
// as Config.MaxBytes counts it: its index slot and its expiry.
const BlobOverhead = 80

// recordHeader is the head of an entry's record in its arena: its key's
// digest, then the lengths of its key and its value (little-endian).
const recordHeader = 16

// ErrTooLarge is returned for a value that no arena can hold (4 GiB).
var ErrTooLarge = errors.New("ttlmap: value too large")

// Blobs maps string keys to byte values that expire, as a Map[[]byte]
// does, but keeps no pointer per entry: each entry is copied, as a record
// (digest, lengths, key, value), into large byte arenas, found through an
// index from a 64-bit digest of its key (keyed by a per-map random seed)
// to its place, and expires through a heap of plain numbers. The garbage
// collector then has almost nothing in a Blobs to scan, however many
// entries it holds: a Map of a hundred thousand dialogs made every
// collection mark them all, for tens of milliseconds in which requests
// waited.
//
// The key is kept in the record and compared on every read, so two keys of
// one digest never see each other's value; writing one of them forgets
// the other (odds of about one in 10^13 for a new key among a million).
//
// What a Blobs counts against Config.MaxBytes is the memory it holds: its
// arenas, whole, and BlobOverhead an entry. An overwritten, deleted or
// expired record keeps its place until its arena is freed (once nothing
// live is left in it, so an empty Blobs holds nothing) or compacted: when a
// shard needs a new arena and one of its own is at least half dead, the
// live records of that one are copied together instead. So at most about
// half of the arena bytes are dead, and a Blobs holds at least half as
// many live bytes as its bound. Use NewBlobs.
type Blobs struct {
	bounds
	clock
	arenaSize int
	seed      maphash.Seed
	shard     [shards]blobShard
}

// blobShard is a part of a Blobs, under its own lock.
type blobShard struct {
	mu     sync.Mutex
	index  map[uint64]blobSlot
	q      expiries[uint64]
	arenas []arena
	cur    int // the arena being filled, or -1
	seq    uint64
	_      [64]byte // keeps neighbouring shards' locks off one cache line
}

// arena is a byte arena of records; live counts the bytes of those still
// indexed. A nil buf is a freed arena whose number may be reused.
type arena struct {
	buf  []byte
	live int
}

// blobSlot is where an entry's record is, and when it expires.
type blobSlot struct {
	expires    int64 // clock nanoseconds
	seq        uint64
	arena, off uint32
}

// NewBlobs returns an empty Blobs.
func NewBlobs(c Config) *Blobs {
	if c.Max <= 0 {
		c.Max = DefaultMax
	}
	b := &Blobs{bounds: bounds{max: int64(c.Max), maxBytes: int64(c.MaxBytes)}, clock: newClock(c.Now), arenaSize: ArenaSize, seed: maphash.MakeSeed()}
	if c.MaxBytes > 0 {
		b.arenaSize = min(ArenaSize, c.MaxBytes/(shards*8))
	}
	for i := range b.shard {
		b.shard[i].index = make(map[uint64]blobSlot)
		b.shard[i].cur = -1
	}
	return b
}

// record is the record at off in a: its key's digest, key and value.
func record(a []byte, off uint32) (h uint64, key, value []byte) {
	r := a[off:]
	h = binary.LittleEndian.Uint64(r)
	kl, vl := binary.LittleEndian.Uint32(r[8:]), binary.LittleEndian.Uint32(r[12:])
	return h, r[recordHeader : recordHeader+kl], r[recordHeader+kl : recordHeader+kl+vl]
}

// recordSize is the size of a record of key and value.
func recordSize(key string, v []byte) int { return recordHeader + len(key) + len(v) }

// Get returns a copy of the value of a live key.
func (b *Blobs) Get(key string) ([]byte, bool) {
	h := maphash.String(b.seed, key)
	s := &b.shard[h%shards]
	s.mu.Lock()
	defer s.mu.Unlock()
	sl, ok := s.index[h]
	if !ok || b.nanos() >= sl.expires {
		return nil, false
	}
	_, k, v := record(s.arenas[sl.arena].buf, sl.off)
	if string(k) != key {
		return nil, false
	}
	return append([]byte(nil), v...), true
}

// Set stores a copy of v under key for ttl, replacing any value. It fails
// with ErrFull when the map is full of live entries (a new key past Max,
// or bytes past MaxBytes), and with ErrTooLarge for a record of 4 GiB.
func (b *Blobs) Set(key string, v []byte, ttl time.Duration) error {
	if uint64(recordSize(key, v)) > math.MaxUint32 {
		return ErrTooLarge
	}
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
	now := b.nanos()
	b.expire(s, now)
	_, had := s.index[h]
	if !had && !b.reserve(1, BlobOverhead) {
		return false
	}
	n := recordSize(key, v)
	i, off, ok := b.place(s, n)
	if !ok {
		if !had {
			b.reserve(-1, -BlobOverhead)
		}
		return false
	}
	r := s.arenas[i].buf[off:]
	binary.LittleEndian.PutUint64(r, h)
	binary.LittleEndian.PutUint32(r[8:], uint32(len(key)))
	binary.LittleEndian.PutUint32(r[12:], uint32(len(v)))
	copy(r[recordHeader:], key)
	copy(r[recordHeader+len(key):], v)
	// Counted before the old record's release, which may free an arena it
	// leaves empty; the old slot is read after place, as a compaction may
	// have moved it.
	s.arenas[i].live += n
	if old, had := s.index[h]; had {
		b.release(s, old)
	}
	s.seq++
	sl := blobSlot{expires: after(now, ttl), seq: s.seq, arena: uint32(i), off: uint32(off)}
	s.index[h] = sl
	s.q.add(expiry[uint64]{at: sl.expires, key: h, seq: sl.seq}, len(s.index), func(yield func(expiry[uint64]) bool) {
		for h, sl := range s.index {
			if !yield(expiry[uint64]{at: sl.expires, key: h, seq: sl.seq}) {
				return
			}
		}
	})
	return true
}

// place finds n bytes for a record in s: in the arena being filled, else
// in one of its arenas compacted when at least half of it is dead, else in
// a new arena; s.mu is held.
func (b *Blobs) place(s *blobShard, n int) (i, off int, ok bool) {
	if s.cur >= 0 {
		if a := &s.arenas[s.cur]; cap(a.buf)-len(a.buf) >= n {
			off := len(a.buf)
			a.buf = a.buf[:off+n]
			return s.cur, off, true
		}
	}
	if j := s.deadest(b.arenaSize); j >= 0 && s.arenas[j].live*2 <= b.arenaSize && b.arenaSize-s.arenas[j].live >= n {
		s.compact(j)
		s.cur = j
		return b.place(s, n)
	}
	size := max(b.arenaSize, n)
	if !b.reserve(0, int64(size)) {
		return 0, 0, false
	}
	i = len(s.arenas)
	for j, a := range s.arenas { // reuse a freed arena's number
		if a.buf == nil {
			i = j
			break
		}
	}
	if i == len(s.arenas) {
		s.arenas = append(s.arenas, arena{})
	}
	s.arenas[i] = arena{buf: make([]byte, n, size)}
	s.cur = i
	return i, 0, true
}

// deadest returns the filled arena of s of the given size with the fewest
// live bytes (arenas of one large record are freed when it goes), or -1.
func (s *blobShard) deadest(size int) int {
	best := -1
	for j, a := range s.arenas {
		if a.buf != nil && j != s.cur && cap(a.buf) == size && (best < 0 || a.live < s.arenas[best].live) {
			best = j
		}
	}
	return best
}

// compact copies the live records of arena j together into a buffer of
// its size, and points the index at their new places.
func (s *blobShard) compact(j int) {
	old := s.arenas[j].buf
	buf := make([]byte, 0, cap(old))
	for off := 0; off < len(old); {
		h, k, v := record(old, uint32(off))
		n := recordHeader + len(k) + len(v)
		if sl, ok := s.index[h]; ok && sl.arena == uint32(j) && sl.off == uint32(off) {
			sl.off = uint32(len(buf))
			s.index[h] = sl
			buf = append(buf, old[off:off+n]...)
		}
		off += n
	}
	s.arenas[j].buf = buf
}

// release counts sl's record as no longer live, and frees its arena when
// it was the last there; s.mu is held.
func (b *Blobs) release(s *blobShard, sl blobSlot) {
	a := &s.arenas[sl.arena]
	_, k, v := record(a.buf, sl.off)
	if a.live -= recordHeader + len(k) + len(v); a.live > 0 {
		return
	}
	b.reserve(0, -int64(cap(a.buf)))
	a.buf = nil
	if int(sl.arena) == s.cur {
		s.cur = -1
	}
}

// Delete forgets key; a missing key is not an error.
func (b *Blobs) Delete(key string) {
	h := maphash.String(b.seed, key)
	s := &b.shard[h%shards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl, ok := s.index[h]; ok {
		if _, k, _ := record(s.arenas[sl.arena].buf, sl.off); string(k) == key {
			b.forget(s, h, sl)
		}
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
	now, n := b.nanos(), 0
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

// expire deletes the entries of s expired at now and returns how many;
// s.mu is held.
func (b *Blobs) expire(s *blobShard, now int64) (n int) {
	for it := range s.q.due(now) {
		if sl, ok := s.index[it.key]; ok && sl.seq == it.seq {
			b.forget(s, it.key, sl)
			n++
		}
	}
	return n
}
