package bolt_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
)

func open(t testing.TB, path string, cfg bolt.Config) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) shop.Store {
		return open(t, filepath.Join(t.TempDir(), "skill.db"), bolt.Config{})
	})
}

var base = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "skill.db")
	s := open(t, path, bolt.Config{})
	want := storetest.Seed(t, s, 5, base)
	if err := s.SaveSession(ctx, "s1", []byte("state"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remember(ctx, "nonce", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path, bolt.Config{})
	storetest.CheckOrders(t, s, want)
	// Sessions and remembered keys are ephemeral: kept in memory, not in
	// the file (a dialog in progress starts over after a restart).
	if got, err := s.Session(ctx, "s1"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("after reopen, Session = %q, %v; want not found", got, err)
	}
	if fresh, err := s.Remember(ctx, "nonce", time.Hour); err != nil || !fresh {
		t.Errorf("after reopen, Remember = %v, %v; want fresh", fresh, err)
	}
}

// TestLocked: a second Open of a file in use fails after Timeout instead of
// hanging.
func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "skill.db")
	open(t, path, bolt.Config{})
	start := time.Now()
	s, err := bolt.Open(path, bolt.Config{Timeout: 100 * time.Millisecond})
	if err == nil {
		s.Close()
		t.Fatal("second Open of a locked file succeeded")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("second Open took %v", time.Since(start))
	}
}

// clock is a settable clock for expiry tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func TestExpiryWithClock(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: base}
	s := open(t, filepath.Join(t.TempDir(), "skill.db"), bolt.Config{Now: c.Now, SweepInterval: -1})
	if err := s.SaveSession(ctx, "s1", []byte("a"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSession(ctx, "s2", []byte("b"), time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"k1", "k2"} {
		if fresh, err := s.Remember(ctx, k, time.Minute); err != nil || !fresh {
			t.Fatalf("Remember(%s) = %v, %v", k, fresh, err)
		}
	}
	if n, err := s.Sweep(); err != nil || n != 0 {
		t.Errorf("Sweep before expiry = %d, %v; want 0", n, err)
	}

	c.Add(time.Minute - time.Nanosecond)
	if _, err := s.Session(ctx, "s1"); err != nil {
		t.Errorf("Session just before expiry: %v", err)
	}
	if fresh, _ := s.Remember(ctx, "k1", time.Minute); fresh {
		t.Error("Remember just before expiry was fresh")
	}

	c.Add(time.Nanosecond)
	if _, err := s.Session(ctx, "s1"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session at expiry error = %v; want ErrNotFound", err)
	}
	if fresh, err := s.Remember(ctx, "k1", time.Minute); err != nil || !fresh {
		t.Errorf("Remember at expiry = %v, %v; want fresh", fresh, err)
	}
	// k1 was renewed by the Remember above; s1 and k2 are expired.
	if n, err := s.Sweep(); err != nil || n != 2 {
		t.Errorf("Sweep = %d, %v; want 2 (s1, k2)", n, err)
	}
	if got, err := s.Session(ctx, "s2"); err != nil || string(got) != "b" {
		t.Errorf("Session(s2) after Sweep = %q, %v", got, err)
	}
	if fresh, _ := s.Remember(ctx, "k1", time.Minute); fresh {
		t.Error("Sweep removed a renewed key")
	}
}

// TestSweepLoop: the sweep started by Open deletes expired entries and stops
// at Close.
func TestSweepLoop(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: base}
	s := open(t, filepath.Join(t.TempDir(), "skill.db"), bolt.Config{Now: c.Now, SweepInterval: 10 * time.Millisecond})
	for i := range 1200 { // more than one sweep batch
		if _, err := s.Remember(ctx, fmt.Sprint("k", i), time.Second); err != nil {
			t.Fatal(err)
		}
	}
	c.Add(time.Hour)
	time.Sleep(500 * time.Millisecond) // 50 sweep intervals
	if n, err := s.Sweep(); err != nil || n != 0 {
		t.Errorf("after the sweep loop ran, Sweep = %d, %v; want 0 left", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkCreateOrder(b *testing.B) {
	ctx := context.Background()
	s := open(b, filepath.Join(b.TempDir(), "skill.db"), bolt.Config{})
	b.ResetTimer()
	for i := range b.N {
		o := storetest.NewOrder(fmt.Sprintf("T%09d", i), fmt.Sprintf("u%d", i%100), base.Add(time.Duration(i)*time.Millisecond))
		if _, _, err := s.CreateOrder(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdateOrder(b *testing.B) {
	ctx := context.Background()
	s := open(b, filepath.Join(b.TempDir(), "skill.db"), bolt.Config{})
	o := storetest.NewOrder("T1", "u1", base)
	if err := o.Deliver("tx", o.TotalAmt, "bench", base); err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.CreateOrder(ctx, o); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := s.UpdateOrder(ctx, "T1", func(o *shop.Order) error { return o.Use("album-1", false, base) }); err != nil {
			b.Fatal(err)
		}
	}
}
