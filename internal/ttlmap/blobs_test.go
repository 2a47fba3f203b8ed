package ttlmap_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/ttlmap"
)

func newBlobs(c ttlmap.Config) (*ttlmap.Blobs, *clock) {
	clk := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	c.Now = clk.Now
	return ttlmap.NewBlobs(c), clk
}

func TestBlobsGetSetDelete(t *testing.T) {
	b, c := newBlobs(ttlmap.Config{})
	if _, ok := b.Get("a"); ok {
		t.Fatal("Get of a missing key found it")
	}
	v := []byte("state of a")
	if err := b.Set("a", v, time.Minute); err != nil {
		t.Fatal(err)
	}
	v[0] = 'X' // Set copies
	got, ok := b.Get("a")
	if !ok || string(got) != "state of a" {
		t.Fatalf("Get = %q, %v", got, ok)
	}
	got[0] = 'Y' // Get copies
	if again, _ := b.Get("a"); string(again) != "state of a" {
		t.Fatalf("a caller's change reached the map: %q", again)
	}
	if err := b.Set("a", []byte("a2"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Get("a"); string(got) != "a2" || b.Len() != 1 {
		t.Fatalf("after an overwrite: Get = %q, Len = %d", got, b.Len())
	}
	if err := b.Set("empty", nil, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, ok := b.Get("empty"); !ok || len(got) != 0 {
		t.Fatalf("an empty value: Get = %q, %v", got, ok)
	}
	b.Delete("a")
	b.Delete("never set")
	if _, ok := b.Get("a"); ok || b.Len() != 1 {
		t.Fatalf("after Delete: found %v, Len = %d", ok, b.Len())
	}
	c.Add(time.Minute)
	if _, ok := b.Get("empty"); ok {
		t.Fatal("an expired key is still visible")
	}
}

// Expired entries go, and so do their arenas once nothing live is left
// in them: a Blobs written full and left to expire holds nothing.
func TestBlobsExpiryFreesArenas(t *testing.T) {
	b, c := newBlobs(ttlmap.Config{})
	value := bytes.Repeat([]byte("v"), 500)
	for i := range 2000 { // about 1 MB: arenas in every shard
		if err := b.Set(fmt.Sprint("key-", i), value, time.Duration(1+i%3)*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if b.Bytes() < 2000*500 {
		t.Fatalf("Bytes = %d for 2000 values of 500 bytes", b.Bytes())
	}
	c.Add(2 * time.Minute)
	n := b.Sweep()
	if n != 1334 || b.Len() != 666 {
		t.Fatalf("after 2 minutes: swept %d, Len %d; want 1334 and 666", n, b.Len())
	}
	c.Add(time.Minute)
	b.Sweep()
	if b.Len() != 0 || b.Bytes() != 0 {
		t.Fatalf("all expired: Len %d, Bytes %d; want 0 and 0", b.Len(), b.Bytes())
	}
	for i := range 10 { // and it is usable again
		if err := b.Set(fmt.Sprint("again-", i), value, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
}

// Rewriting keys over and over frees the arenas the old values filled.
func TestBlobsOverwritesStayBounded(t *testing.T) {
	b, _ := newBlobs(ttlmap.Config{MaxBytes: 4 << 20})
	value := bytes.Repeat([]byte("v"), 300)
	for i := range 100_000 { // 30 MB written in all, through 4 MB
		if err := b.Set(fmt.Sprint("k", i%10), value, time.Hour); err != nil {
			t.Fatalf("write %d: %v (%d bytes held)", i, err, b.Bytes())
		}
	}
	if b.Len() != 10 || b.Bytes() > 32*2*ttlmap.ArenaSize {
		t.Fatalf("Len %d, Bytes %d", b.Len(), b.Bytes())
	}
}

// Dialogs rewrite their state every turn, among others that never do: the
// dead copies are compacted away, so a bound of 6 MB holds 2 MB of live
// state written over and over (without compaction, the records never
// rewritten pin every arena, and it is full at a fifth of the writes).
func TestBlobsRewritesFitTheirBound(t *testing.T) {
	b, _ := newBlobs(ttlmap.Config{MaxBytes: 6 << 20})
	value := bytes.Repeat([]byte("v"), 1000)
	for turn := range 20 {
		for i := range 1000 {
			if err := b.Set(fmt.Sprint("dialog-", i), value, time.Hour); err != nil {
				t.Fatalf("turn %d of dialog %d: %v (%d bytes held)", turn, i, err, b.Bytes())
			}
			if i%20 == 0 {
				if err := b.Set(fmt.Sprint("idle-", turn, "-", i), value, time.Hour); err != nil {
					t.Fatalf("turn %d, idle %d: %v (%d bytes held)", turn, i, err, b.Bytes())
				}
			}
		}
	}
	if b.Len() != 2000 || b.Bytes() > 6<<20 {
		t.Fatalf("Len %d, Bytes %d", b.Len(), b.Bytes())
	}
}

// A small bound makes small arenas: it still holds what fits in it.
func TestBlobsSmallBound(t *testing.T) {
	b, _ := newBlobs(ttlmap.Config{MaxBytes: 1 << 20})
	for i := range 5000 { // some 100 bytes each, counted: half the bound
		if err := b.Set(fmt.Sprint("k", i), []byte("v"), time.Hour); err != nil {
			t.Fatalf("key %d: %v (%d bytes held)", i, err, b.Bytes())
		}
	}
}

// A ttl of centuries does not wrap around to the past.
func TestBlobsLongTTL(t *testing.T) {
	b, _ := newBlobs(ttlmap.Config{})
	if err := b.Set("k", []byte("v"), math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Get("k"); !ok {
		t.Fatal("a value with the longest ttl is gone at once")
	}
}

func TestBlobsBounds(t *testing.T) {
	b, c := newBlobs(ttlmap.Config{Max: 3})
	for i := range 3 {
		if err := b.Set(fmt.Sprint(i), nil, time.Duration(i+1)*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Set("new", nil, time.Hour); !errors.Is(err, ttlmap.ErrFull) {
		t.Errorf("Set when full = %v; want ErrFull", err)
	}
	if err := b.Set("1", []byte("again"), time.Hour); err != nil {
		t.Errorf("overwrite when full = %v", err)
	}
	c.Add(time.Minute) // "0" expires, in whichever shard
	if err := b.Set("new", nil, time.Hour); err != nil {
		t.Errorf("Set after an expiry = %v", err)
	}

	small, _ := newBlobs(ttlmap.Config{MaxBytes: 3 * ttlmap.ArenaSize})
	if err := small.Set("huge", make([]byte, 3*ttlmap.ArenaSize), time.Hour); !errors.Is(err, ttlmap.ErrFull) {
		t.Errorf("a value past MaxBytes = %v; want ErrFull", err)
	}
	if err := small.Set("big", make([]byte, 2*ttlmap.ArenaSize), time.Hour); err != nil {
		t.Errorf("a value larger than an arena: %v", err)
	}
	if got, ok := small.Get("big"); !ok || len(got) != 2*ttlmap.ArenaSize {
		t.Errorf("Get of a value larger than an arena: %d bytes, %v", len(got), ok)
	}
	small.Delete("big")
	if small.Bytes() != 0 {
		t.Errorf("%d bytes held after the only value's arena was deleted", small.Bytes())
	}
}

func TestBlobsConcurrent(t *testing.T) {
	b, _ := newBlobs(ttlmap.Config{Max: 500})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				key := fmt.Sprint(i % 700)
				v := []byte(fmt.Sprint(key, "/", g))
				if err := b.Set(key, v, time.Hour); err != nil && !errors.Is(err, ttlmap.ErrFull) {
					t.Error(err)
				}
				if got, ok := b.Get(key); ok && !bytes.HasPrefix(got, []byte(key+"/")) {
					t.Errorf("Get(%q) = %q: another key's value", key, got)
				}
				if i%7 == 0 {
					b.Delete(key)
				}
			}
		})
	}
	wg.Wait()
	if b.Len() > 500 {
		t.Errorf("Len = %d past the bound of 500", b.Len())
	}
}

// The point of Blobs: however many entries it holds, the garbage collector
// has next to nothing in it to scan (in a Map of as many, it had 31 MB).
func TestBlobsHoldNothingToScan(t *testing.T) {
	scannable := func() uint64 {
		runtime.GC()
		s := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	before := scannable()
	b := ttlmap.NewBlobs(ttlmap.Config{})
	value := bytes.Repeat([]byte("v"), 300)
	for i := range 200_000 {
		if err := b.Set(fmt.Sprint("session-", i), value, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	after := scannable()
	if grew := int64(after) - int64(before); grew > 1<<20 {
		t.Errorf("200,000 entries (%d MB) left %d KB of heap to scan; want under 1 MB", b.Bytes()>>20, grew>>10)
	}
	runtime.KeepAlive(b)
}
