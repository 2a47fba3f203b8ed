package bolt_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
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

func TestOrderStore(t *testing.T) {
	storetest.RunOrders(t, func(t *testing.T) shop.OrderStore {
		return open(t, filepath.Join(t.TempDir(), "skill.db"), bolt.Config{})
	})
}

var base = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "skill.db")
	s := open(t, path, bolt.Config{})
	want := storetest.Seed(t, s, 5, base)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path, bolt.Config{})
	storetest.CheckOrders(t, s, want)
	if _, err := s.Order(ctx, "T0"); err != nil {
		t.Error(err)
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
	if !errors.Is(err, bolt.ErrLocked) {
		t.Errorf("second Open error = %v; want ErrLocked", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("second Open took %v", time.Since(start))
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
