package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

func testSessions(t *testing.T, s shop.Store) {
	ctx := context.Background()
	if _, err := s.Session(ctx, "s1"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session(missing) error = %v; want ErrNotFound", err)
	}
	if err := s.SaveSession(ctx, "s1", []byte(`{"step":1}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSession(ctx, "s2", []byte{}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, "s1"); err != nil || string(got) != `{"step":1}` {
		t.Errorf("Session(s1) = %q, %v", got, err)
	}
	if got, err := s.Session(ctx, "s2"); err != nil || len(got) != 0 {
		t.Errorf("Session(s2) = %q, %v; want empty", got, err)
	}
	if err := s.SaveSession(ctx, "s1", []byte(`{"step":2}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, "s1"); err != nil || string(got) != `{"step":2}` {
		t.Errorf("Session(s1) after overwrite = %q, %v", got, err)
	}
	if err := s.DeleteSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "s1"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session after DeleteSession error = %v; want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, "s1"); err != nil {
		t.Errorf("DeleteSession(missing) = %v; want nil", err)
	}
	if _, err := s.Session(ctx, "s2"); err != nil {
		t.Errorf("Session(s2) after deleting s1: %v", err)
	}
}

// shortTTL is the expiry used by the expiry tests; waitTTL outlasts it.
const (
	shortTTL = 300 * time.Millisecond
	waitTTL  = 600 * time.Millisecond
)

func testSessionExpiry(t *testing.T, s shop.Store) {
	ctx := context.Background()
	if err := s.SaveSession(ctx, "short", []byte("a"), shortTTL); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSession(ctx, "long", []byte("b"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "short"); err != nil {
		t.Fatalf("Session before expiry: %v", err)
	}
	time.Sleep(waitTTL)
	if _, err := s.Session(ctx, "short"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session after expiry error = %v; want ErrNotFound", err)
	}
	if got, err := s.Session(ctx, "long"); err != nil || string(got) != "b" {
		t.Errorf("Session(long) = %q, %v", got, err)
	}
	// Saving again revives it.
	if err := s.SaveSession(ctx, "short", []byte("c"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, "short"); err != nil || string(got) != "c" {
		t.Errorf("Session after saving again = %q, %v", got, err)
	}
}

func testRemember(t *testing.T, s shop.Store) {
	ctx := context.Background()
	for i, want := range []bool{true, false, false} {
		if fresh, err := s.Remember(ctx, "req-1", time.Hour); err != nil || fresh != want {
			t.Errorf("Remember #%d = %v, %v; want %v", i+1, fresh, err, want)
		}
	}
	if fresh, err := s.Remember(ctx, "req-2", time.Hour); err != nil || !fresh {
		t.Errorf("Remember(other key) = %v, %v; want fresh", fresh, err)
	}
	// Remembered keys and sessions do not share a namespace.
	if _, err := s.Session(ctx, "req-1"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session(remembered key) error = %v; want ErrNotFound", err)
	}
}

// testRememberExpiry: a key is fresh again after its ttl; meanwhile, exactly one
// of many concurrent Remember calls for one key is fresh.
func testRememberExpiry(t *testing.T, s shop.Store) {
	ctx := context.Background()
	if fresh, err := s.Remember(ctx, "nonce", shortTTL); err != nil || !fresh {
		t.Fatalf("Remember = %v, %v; want fresh", fresh, err)
	}
	const n = 50
	results := make(chan bool, n)
	for range n {
		go func() {
			fresh, err := s.Remember(ctx, "racy", time.Hour)
			if err != nil {
				t.Error(err)
			}
			results <- fresh
		}()
	}
	freshCount := 0
	for range n {
		if <-results {
			freshCount++
		}
	}
	if freshCount != 1 {
		t.Errorf("%d of %d concurrent Remember calls were fresh; want 1", freshCount, n)
	}

	if fresh, err := s.Remember(ctx, "nonce", shortTTL); err != nil || fresh {
		t.Errorf("Remember within ttl = %v, %v; want not fresh", fresh, err)
	}
	time.Sleep(waitTTL)
	if fresh, err := s.Remember(ctx, "nonce", shortTTL); err != nil || !fresh {
		t.Errorf("Remember after expiry = %v, %v; want fresh", fresh, err)
	}
	if fresh, err := s.Remember(ctx, "nonce", shortTTL); err != nil || fresh {
		t.Errorf("Remember again = %v, %v; want not fresh", fresh, err)
	}
}

func testBadTTL(t *testing.T, s shop.Store) {
	ctx := context.Background()
	if err := s.SaveSession(ctx, "s", []byte("x"), 0); err == nil {
		t.Error("SaveSession with ttl 0 succeeded")
	}
	if _, err := s.Remember(ctx, "k", -time.Second); err == nil {
		t.Error("Remember with a negative ttl succeeded")
	}
}

func testCanceledContext(t *testing.T, s shop.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.CreateOrder(ctx, NewOrder("T1", "u1", base)); err == nil {
		t.Error("CreateOrder with a canceled context succeeded")
	}
	if _, err := s.Order(context.Background(), "T1"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("after a canceled CreateOrder, Order error = %v; want ErrNotFound", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping with a canceled context succeeded")
	}
}

func testClose(t *testing.T, s shop.Store) {
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	mustCreate(t, s, NewOrder("T1", "u1", base))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping after Close succeeded")
	}
	if _, err := s.Order(ctx, "T1"); err == nil {
		t.Error("Order after Close succeeded")
	}
	if _, _, err := s.CreateOrder(ctx, NewOrder("T2", "u1", base)); err == nil {
		t.Error("CreateOrder after Close succeeded")
	}
}
