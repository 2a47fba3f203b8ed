package ttlmap

import (
	"hash/maphash"
	"math/bits"
	"sync"
	"time"
)

// DefaultSeenMax bounds a Seen whose Config.Max is 0: about 64 MB of
// digests at the worst load of its maps, far more request ids than two
// cores can be sent in a signature window.
const DefaultSeenMax = 4 << 20

// Seen is a set of keys that expire, held compactly for replay memory: each
// key is kept as a 64-bit digest (keyed by a per-set random seed, so ids
// cannot be chosen to collide; a new key shares the digest of one of a
// million live keys with odds of about one in 10^13), in time buckets by
// expiry. A bucket is dropped whole once everything in it has expired, so
// nothing is kept per key but its digest and nothing is swept one by one.
//
// Buckets have a width between a sixteenth and an eighth of the keys' ttl
// (a power of two milliseconds, one series of buckets per width in use), so
// a key is remembered until its ttl has passed and at most an eighth
// longer, and a lookup checks at most seventeen buckets per width in use.
// Use NewSeen.
type Seen struct {
	mu     sync.Mutex
	max    int
	now    func() time.Time
	seed   maphash.Seed
	n      int                   // digests held
	series map[uint8]*bucketList // by width exponent
}

// bucketList is the buckets of one width: 2^exp milliseconds.
type bucketList struct {
	exp     uint8
	buckets map[int64]*digestSet // by index: expiries in [i·w, (i+1)·w)
}

// NewSeen returns an empty Seen; Config.Max bounds the keys held.
func NewSeen(c Config) *Seen {
	if c.Max <= 0 {
		c.Max = DefaultSeenMax
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Seen{max: c.Max, now: c.Now, seed: maphash.MakeSeed(), series: map[uint8]*bucketList{}}
}

// widthExp is the width exponent for a ttl: the smallest power of two
// milliseconds above ttl/16 (at least 1ms).
func widthExp(ttl time.Duration) uint8 {
	return uint8(bits.Len64(uint64(max(ttl.Milliseconds()/16, 0))))
}

// Add records key for ttl (positive) unless it is live, and reports whether
// it did: false means key was added within its ttl. It fails with ErrFull
// when the set holds Config.Max live keys.
func (s *Seen) Add(key string, ttl time.Duration) (added bool, err error) {
	d := maphash.String(s.seed, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UnixMilli()
	found := false
	for exp, l := range s.series {
		w := int64(1) << exp
		for i, b := range l.buckets {
			if (i+1)*w <= now { // all of it expired
				s.n -= b.n
				delete(l.buckets, i)
				continue
			}
			if b.has(d) {
				found = true
			}
		}
		if len(l.buckets) == 0 {
			delete(s.series, exp)
		}
	}
	if found {
		return false, nil
	}
	if s.n >= s.max {
		return false, ErrFull
	}
	exp := widthExp(ttl)
	l := s.series[exp]
	if l == nil {
		l = &bucketList{exp: exp, buckets: map[int64]*digestSet{}}
		s.series[exp] = l
	}
	i := (now + ttl.Milliseconds()) >> exp
	b := l.buckets[i]
	if b == nil {
		// Sized for as many as the bucket before it holds (a steady load
		// fills buckets alike), so that it seldom grows.
		b = newDigestSet(l.buckets[i-1].len())
		l.buckets[i] = b
	}
	b.add(d)
	s.n++
	return true, nil
}

// Len returns how many digests are held, those of expired keys not yet
// dropped with their bucket included.
func (s *Seen) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// newDigestSet returns a set with room for n digests, and a sixteenth
// more, without growing.
func newDigestSet(n int) *digestSet {
	return &digestSet{slots: make([]uint64, max(64, (n+n/16)*4/3+1))}
}

// len returns how many digests s holds; a nil set holds none.
func (s *digestSet) len() int {
	if s == nil {
		return 0
	}
	return s.n
}

// digestSet is a set of digests in one array, open addressing with linear
// probing: 8 bytes a slot, kept at most three quarters full, of any size
// (a bucket is sized for what the one before it held, so a steady load
// keeps its sets about three quarters full: some 11 to 13 bytes a digest).
// Digests are uniformly random (maphash), so their high bits scaled to the
// size pick the slot. Zero marks an empty slot; a zero digest is stored as
// one.
type digestSet struct {
	slots []uint64
	n     int
}

// home is d's first slot: d scaled to [0, len(s.slots)).
func (s *digestSet) home(d uint64) int {
	hi, _ := bits.Mul64(d, uint64(len(s.slots)))
	return int(hi)
}

func (s *digestSet) has(d uint64) bool {
	if len(s.slots) == 0 {
		return false
	}
	d = max(d, 1)
	for i := s.home(d); ; i++ {
		if i == len(s.slots) {
			i = 0
		}
		switch s.slots[i] {
		case d:
			return true
		case 0:
			return false
		}
	}
}

// add inserts d, which is not in the set, growing it by half when it would
// pass three quarters full.
func (s *digestSet) add(d uint64) {
	if (s.n+1)*4 > len(s.slots)*3 {
		old := s.slots
		s.slots = make([]uint64, max(len(old)*3/2, 64))
		s.n = 0
		for _, o := range old {
			if o != 0 {
				s.put(o)
			}
		}
	}
	s.put(max(d, 1))
}

func (s *digestSet) put(d uint64) {
	i := s.home(d)
	for s.slots[i] != 0 {
		if i++; i == len(s.slots) {
			i = 0
		}
	}
	s.slots[i] = d
	s.n++
}
