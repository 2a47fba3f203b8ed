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

// TestReopenOffer: an offer survives closing and reopening the file (a
// restart of the skill).
func TestReopenOffer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "skill.db")
	s := open(t, path, bolt.Config{})
	offer := storetest.NewOffer("of1", "u1", time.Now())
	if _, _, err := s.CreateOffer(ctx, offer); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path, bolt.Config{})
	got, err := s.Offer(ctx, "of1")
	if err != nil || storetest.DiffOffer(offer, got) != "" {
		t.Errorf("after reopen, Offer = %+v, %v; want %+v", got, err, offer)
	}
}

// TestOfferPrune: creating offers deletes those past retention, a batch at
// a time, oldest first, and never one within it. The clock is moved back
// afterwards to see what is still in the file.
func TestOfferPrune(t *testing.T) {
	ctx := context.Background()
	now := base
	s := open(t, filepath.Join(t.TempDir(), "skill.db"), bolt.Config{Now: func() time.Time { return now }})
	for i := range 20 {
		if _, _, err := s.CreateOffer(ctx, storetest.NewOffer(fmt.Sprintf("old%02d", i), "u1", base.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	now = base.Add(7*24*time.Hour + shop.OfferRetention + time.Hour) // every old one is forgotten
	if _, _, err := s.CreateOffer(ctx, storetest.NewOffer("new", "u1", now)); err != nil {
		t.Fatal(err)
	}
	now = base // back: whatever was not deleted shows again
	kept := 0
	for i := range 20 {
		_, err := s.Offer(ctx, fmt.Sprintf("old%02d", i))
		switch {
		case err == nil:
			kept++
			if i < 16 {
				t.Errorf("old%02d kept while a younger one was pruned", i)
			}
		case !errors.Is(err, shop.ErrNotFound):
			t.Errorf("Offer(old%02d): %v", i, err)
		}
	}
	if kept != 4 {
		t.Errorf("%d old offers kept after one create, want 4 (16 pruned)", kept)
	}
	if _, err := s.Offer(ctx, "new"); err != nil {
		t.Errorf("the new offer: %v", err)
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
