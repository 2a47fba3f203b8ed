package ttlmap

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"testing"
	"time"
)

// Two keys of one digest (forced here: the seed makes it about one in
// 10^13) never see each other's value, and deleting one spares the other.
func TestBlobsDigestCollision(t *testing.T) {
	b := NewBlobs(Config{})
	h := maphash.String(b.seed, "a")
	s := &b.shard[h%shards]
	if !b.put(s, h, "b", []byte("b's value"), time.Hour) { // "b" stored where "a" would be
		t.Fatal("put refused")
	}
	if v, ok := b.Get("a"); ok {
		t.Fatalf("Get(a) = %q: another key's value", v)
	}
	b.Delete("a")
	if b.Len() != 1 {
		t.Fatalf("Delete(a) deleted b's entry (Len %d)", b.Len())
	}
	if err := b.Set("a", []byte("a's value"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, ok := b.Get("a"); !ok || string(v) != "a's value" || b.Len() != 1 {
		t.Fatalf("after writing a: Get = %q, %v, Len %d; want a's value, the other key forgotten", v, ok, b.Len())
	}
}

// Random writes, rewrites, deletes and expiries, with the counts, the
// arenas' live bytes and every value checked against a plain map.
func TestBlobsAccounting(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	b := NewBlobs(Config{MaxBytes: 2 << 20, Now: func() time.Time { return now }})
	type want struct {
		v       string
		expires time.Time
	}
	model := map[string]want{}
	r := rand.New(rand.NewPCG(1, 2))
	for op := range 60_000 {
		key := fmt.Sprint("k", r.IntN(3000))
		switch x := r.IntN(10); {
		case x < 6:
			v := fmt.Sprint(op, "-", string(make([]byte, r.IntN(400))))
			ttl := time.Duration(1+r.IntN(60)) * time.Second
			if err := b.Set(key, []byte(v), ttl); err != nil {
				t.Fatalf("op %d: Set: %v (%d bytes, %d entries held)", op, err, b.Bytes(), b.Len())
			}
			model[key] = want{v, now.Add(ttl)}
		case x < 8:
			b.Delete(key)
			delete(model, key)
		default:
			now = now.Add(time.Duration(r.IntN(500)) * time.Millisecond)
		}
		if op%1000 != 999 {
			continue
		}
		for k, w := range model {
			got, ok := b.Get(k)
			if live := now.Before(w.expires); ok != live || (ok && string(got) != w.v) {
				t.Fatalf("op %d: Get(%s) = %.20q, %v; want %.20q, %v", op, k, got, ok, w.v, live)
			}
		}
		checkBlobs(t, b)
	}
}

// checkBlobs checks what b counts against what it holds.
func checkBlobs(t *testing.T, b *Blobs) {
	t.Helper()
	var entries, bytes int64
	for i := range b.shard {
		s := &b.shard[i]
		s.mu.Lock()
		live := make([]int, len(s.arenas))
		for h, sl := range s.index {
			hh, k, v := record(s.arenas[sl.arena].buf, sl.off)
			if hh != h {
				t.Fatalf("shard %d: the record of digest %x says %x", i, h, hh)
			}
			live[sl.arena] += recordHeader + len(k) + len(v)
		}
		for j, a := range s.arenas {
			if a.live != live[j] {
				t.Fatalf("shard %d arena %d: %d live bytes counted, %d indexed", i, j, a.live, live[j])
			}
			if a.buf == nil && live[j] > 0 {
				t.Fatalf("shard %d arena %d: freed with records indexed", i, j)
			}
			bytes += int64(cap(a.buf))
		}
		entries += int64(len(s.index))
		s.mu.Unlock()
	}
	bytes += entries * BlobOverhead
	if entries != b.entries.Load() || bytes != b.bytes.Load() {
		t.Fatalf("counted %d entries and %d bytes; hold %d and %d", b.entries.Load(), b.bytes.Load(), entries, bytes)
	}
}
