package mem_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/store/mem"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
)

func TestStateStore(t *testing.T) {
	storetest.RunState(t, func(t *testing.T) shop.StateStore {
		s := mem.New(mem.Config{})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// Expiry follows the injected clock, and Sweep frees what expired.
func TestExpiryWithClock(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := mem.New(mem.Config{Now: c.Now})
	key := shop.SessionKey{SessionID: "s", UserID: "u"}
	if err := s.SaveSession(ctx, key, []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := s.Remember(ctx, "r", time.Minute); !fresh {
		t.Fatal("Remember not fresh")
	}
	c.Add(59 * time.Second)
	if _, err := s.Session(ctx, key); err != nil {
		t.Errorf("Session before expiry: %v", err)
	}
	c.Add(time.Second)
	if _, err := s.Session(ctx, key); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session at expiry: %v; want ErrNotFound", err)
	}
	if n := s.Sweep(); n != 1 {
		t.Errorf("Sweep = %d; want 1", n)
	}
	c.Add(time.Minute / 8) // remembered keys may last an eighth longer
	if fresh, _ := s.Remember(ctx, "r", time.Minute); !fresh {
		t.Error("Remember after expiry not fresh")
	}
}

// A full store refuses new state as unavailable (failing closed) and takes
// it again once some expires.
func TestBounded(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := mem.New(mem.Config{Max: 2, Now: c.Now})
	for _, id := range []string{"a", "b"} {
		if err := s.SaveSession(ctx, shop.SessionKey{SessionID: id}, nil, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Remember(ctx, id, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveSession(ctx, shop.SessionKey{SessionID: "c"}, nil, time.Minute); shop.ErrorClass(err) != shop.EUNAVAILABLE || shop.ErrorCode(err) != shop.EBusy {
		t.Errorf("SaveSession when full = %v; want unavailable, busy", err)
	}
	if _, err := s.Remember(ctx, "c", time.Minute); shop.ErrorClass(err) != shop.EUNAVAILABLE {
		t.Errorf("Remember when full = %v; want unavailable", err)
	}
	c.Add(time.Minute + time.Minute/8)
	if err := s.SaveSession(ctx, shop.SessionKey{SessionID: "c"}, nil, time.Minute); err != nil {
		t.Errorf("SaveSession after expiry = %v", err)
	}
	if _, err := s.Remember(ctx, "c", time.Minute); err != nil {
		t.Errorf("Remember after expiry = %v", err)
	}
}

// The sessions are bounded in bytes too: a state that does not fit is
// refused as busy, and a smaller one fits.
func TestBoundedBytes(t *testing.T) {
	ctx := context.Background()
	s := mem.New(mem.Config{MaxBytes: 1000})
	big := make([]byte, 1000)
	err := s.SaveSession(ctx, shop.SessionKey{SessionID: "a"}, big, time.Minute)
	if shop.ErrorCode(err) != shop.EBusy {
		t.Errorf("SaveSession of more than MaxBytes = %v; want busy", err)
	}
	if err := s.SaveSession(ctx, shop.SessionKey{SessionID: "a"}, big[:100], time.Minute); err != nil {
		t.Errorf("SaveSession of a small state = %v", err)
	}
}
