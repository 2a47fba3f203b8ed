package ttlmap_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/ttlmap"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func newMap(max int) (*ttlmap.Map[string], *clock) {
	c := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	return ttlmap.New[string](ttlmap.Config{Max: max, Now: c.Now}), c
}

func TestExpiry(t *testing.T) {
	m, c := newMap(0)
	if err := m.Set("a", "1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := m.Set("b", "2", time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, ok := m.Get("a"); !ok || v != "1" {
		t.Errorf("Get(a) = %q, %v", v, ok)
	}
	c.Add(time.Minute)
	if _, ok := m.Get("a"); ok {
		t.Error("a outlived its ttl")
	}
	if v, ok := m.Get("b"); !ok || v != "2" {
		t.Errorf("Get(b) = %q, %v", v, ok)
	}
	if n := m.Sweep(); n != 1 || m.Len() != 1 {
		t.Errorf("Sweep = %d, Len = %d; want 1, 1", n, m.Len())
	}
}

func TestOverwriteKeepsNewExpiry(t *testing.T) {
	m, c := newMap(0)
	_ = m.Set("k", "old", time.Minute)
	_ = m.Set("k", "new", time.Hour) // the first write's expiry must not delete this one
	c.Add(2 * time.Minute)
	_ = m.Set("other", "x", time.Hour) // runs the expiry
	if v, ok := m.Get("k"); !ok || v != "new" {
		t.Errorf("Get(k) = %q, %v; want new", v, ok)
	}
}

func TestAdd(t *testing.T) {
	m, c := newMap(0)
	for i, want := range []bool{true, false, false} {
		if added, err := m.Add("req", "", time.Minute); err != nil || added != want {
			t.Errorf("Add #%d = %v, %v; want %v", i, added, err, want)
		}
	}
	c.Add(time.Minute)
	if added, _ := m.Add("req", "", time.Minute); !added {
		t.Error("Add after expiry = false")
	}
}

func TestDelete(t *testing.T) {
	m, _ := newMap(0)
	_ = m.Set("k", "v", time.Hour)
	m.Delete("k")
	m.Delete("missing")
	if _, ok := m.Get("k"); ok {
		t.Error("deleted key still there")
	}
	if added, _ := m.Add("k", "v", time.Hour); !added {
		t.Error("Add after Delete = false")
	}
}

// A full map refuses new keys (failing closed), still takes overwrites, and
// takes new keys again once entries expire.
func TestBounded(t *testing.T) {
	m, c := newMap(3)
	for i := range 3 {
		if err := m.Set(fmt.Sprint(i), "", time.Duration(i+1)*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Set("new", "", time.Hour); !errors.Is(err, ttlmap.ErrFull) {
		t.Errorf("Set when full = %v; want ErrFull", err)
	}
	if _, err := m.Add("new", "", time.Hour); !errors.Is(err, ttlmap.ErrFull) {
		t.Errorf("Add when full = %v; want ErrFull", err)
	}
	if err := m.Set("1", "again", time.Hour); err != nil {
		t.Errorf("overwrite when full = %v", err)
	}
	c.Add(time.Minute) // "0" expires
	if err := m.Set("new", "", time.Hour); err != nil {
		t.Errorf("Set after an expiry = %v", err)
	}
	if m.Len() != 3 {
		t.Errorf("Len = %d; want 3", m.Len())
	}
}

// The bounds are the whole map's, though its keys are spread over shards
// with locks of their own: concurrent writers never pass them, and an
// expired entry in any shard makes room for a key of any other.
func TestBoundsAcrossShards(t *testing.T) {
	m, _ := newMap(100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				_ = m.Set(fmt.Sprint(g, "-", i), "", time.Minute)
			}
		})
	}
	wg.Wait()
	if m.Len() != 100 {
		t.Fatalf("Len = %d after 8000 keys written concurrently; want the bound, 100", m.Len())
	}
	one, c := newMap(1)
	for i := range 64 { // 64 keys: some surely fall in other shards than the one before
		if err := one.Set(fmt.Sprint("k", i), "", time.Minute); err != nil {
			t.Fatalf("key %d, once the key before expired: %v", i, err)
		}
		c.Add(time.Minute)
	}
}

// Rewriting one key forever keeps the expiry heap bounded.
func TestOverwritesStayBounded(t *testing.T) {
	m, _ := newMap(10)
	for i := range 100000 {
		if err := m.Set("k", fmt.Sprint(i), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := m.Get("k"); v != "99999" || m.Len() != 1 {
		t.Errorf("Get = %q, Len = %d", v, m.Len())
	}
}

func TestConcurrent(t *testing.T) {
	m := ttlmap.New[int](ttlmap.Config{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	added := 0
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				if ok, _ := m.Add(fmt.Sprint(i), g, time.Hour); ok {
					mu.Lock()
					added++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if added != 1000 {
		t.Errorf("%d keys added; want each of 1000 once", added)
	}
}

func TestMaxBytes(t *testing.T) {
	c := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	entry := ttlmap.EntryOverhead + 1 + 10 // a one-letter key, ten bytes
	m := ttlmap.New[[]byte](ttlmap.Config{MaxBytes: 2 * entry, Now: c.Now})
	ten := []byte("0123456789")
	for _, k := range []string{"a", "b"} {
		if err := m.Set(k, ten, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Set("c", ten, time.Minute); !errors.Is(err, ttlmap.ErrFull) {
		t.Errorf("Set past MaxBytes = %v; want ErrFull", err)
	}
	if err := m.Set("a", append(ten, 'x'), time.Minute); !errors.Is(err, ttlmap.ErrFull) {
		t.Errorf("growing a value past MaxBytes = %v; want ErrFull", err)
	}
	if err := m.Set("a", ten[:5], time.Minute); err != nil {
		t.Errorf("shrinking a value = %v", err)
	}
	m.Delete("b")
	if err := m.Set("c", ten, time.Minute); err != nil {
		t.Errorf("Set after a delete = %v", err)
	}
	c.Add(2 * time.Minute)
	if err := m.Set("d", ten, time.Minute); err != nil {
		t.Errorf("Set after expiry = %v", err)
	}
	m.Sweep() // expired entries of other shards go as writes reach them, or now
	if m.Bytes() != entry {
		t.Errorf("after expiry, %d bytes held; want %d", m.Bytes(), entry)
	}
}
