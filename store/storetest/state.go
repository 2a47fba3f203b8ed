package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// RunState runs the state store's conformance suite against the stores
// that open returns.
func RunState(t *testing.T, open func(t *testing.T) shop.StateStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s shop.StateStore)
	}{
		{"Sessions", testSessions},
		{"SessionPerUser", testSessionPerUser},
		{"SessionExpiry", testSessionExpiry},
		{"SessionKeysInjective", testSessionKeysInjective},
		{"Remember", testRemember},
		{"RememberExpiry", testRememberExpiry},
		{"BadTTL", testBadTTL},
		{"StateCanceledContext", testStateCanceledContext},
		{"StateClose", testStateClose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// sk is the key of session id of user u1.
func sk(id string) shop.SessionKey { return shop.SessionKey{SessionID: id, UserID: "u1"} }

func testSessions(t *testing.T, s shop.StateStore) {
	ctx := context.Background()
	if _, err := s.Session(ctx, sk("s1")); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session(missing) error = %v; want ErrNotFound", err)
	}
	if err := s.SaveSession(ctx, sk("s1"), []byte(`{"step":1}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSession(ctx, sk("s2"), []byte{}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, sk("s1")); err != nil || string(got) != `{"step":1}` {
		t.Errorf("Session(s1) = %q, %v", got, err)
	}
	if got, err := s.Session(ctx, sk("s2")); err != nil || len(got) != 0 {
		t.Errorf("Session(s2) = %q, %v; want empty", got, err)
	}
	if err := s.SaveSession(ctx, sk("s1"), []byte(`{"step":2}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, sk("s1")); err != nil || string(got) != `{"step":2}` {
		t.Errorf("Session(s1) after overwrite = %q, %v", got, err)
	}
	if err := s.DeleteSession(ctx, sk("s1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, sk("s1")); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session after DeleteSession error = %v; want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, sk("s1")); err != nil {
		t.Errorf("DeleteSession(missing) = %v; want nil", err)
	}
	if _, err := s.Session(ctx, sk("s2")); err != nil {
		t.Errorf("Session(s2) after deleting s1: %v", err)
	}
}

// testSessionPerUser: one session id of two users is two dialogs.
func testSessionPerUser(t *testing.T, s shop.StateStore) {
	ctx := context.Background()
	alice := shop.SessionKey{SessionID: "shared", UserID: "alice"}
	bob := shop.SessionKey{SessionID: "shared", UserID: "bob"}
	if err := s.SaveSession(ctx, alice, []byte("alice's offer"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, bob); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session(bob) = %q, %v; want ErrNotFound (alice's state is not bob's)", got, err)
	}
	if err := s.SaveSession(ctx, bob, []byte("bob's"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, alice); err != nil || string(got) != "alice's offer" {
		t.Errorf("Session(alice) after bob's delete = %q, %v", got, err)
	}
}

// shortTTL is the expiry used by the expiry tests; waitTTL outlasts it.
const (
	shortTTL = 300 * time.Millisecond
	waitTTL  = 600 * time.Millisecond
)

func testSessionExpiry(t *testing.T, s shop.StateStore) {
	ctx := context.Background()
	if err := s.SaveSession(ctx, sk("short"), []byte("a"), shortTTL); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSession(ctx, sk("long"), []byte("b"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, sk("short")); err != nil {
		t.Fatalf("Session before expiry: %v", err)
	}
	time.Sleep(waitTTL)
	if _, err := s.Session(ctx, sk("short")); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session after expiry error = %v; want ErrNotFound", err)
	}
	if got, err := s.Session(ctx, sk("long")); err != nil || string(got) != "b" {
		t.Errorf("Session(long) = %q, %v", got, err)
	}
	// Saving again revives it.
	if err := s.SaveSession(ctx, sk("short"), []byte("c"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, sk("short")); err != nil || string(got) != "c" {
		t.Errorf("Session after saving again = %q, %v", got, err)
	}
}

// testSessionKeysInjective: every (session, user) pair of awkward ids is its
// own dialog, and each awkward id its own remembered key.
func testSessionKeysInjective(t *testing.T, s shop.StateStore) {
	ctx := context.Background()
	var keys []shop.SessionKey
	for _, a := range awkwardIDs {
		for _, b := range []string{"", "u", ":u", "\x00u", a} {
			keys = append(keys, shop.SessionKey{SessionID: a, UserID: b}, shop.SessionKey{SessionID: b, UserID: a})
		}
	}
	want := map[shop.SessionKey]string{}
	for i, k := range keys {
		want[k] = fmt.Sprint(i) // the last save of a repeated key wins
		if err := s.SaveSession(ctx, k, []byte(fmt.Sprint(i)), time.Hour); err != nil {
			t.Fatalf("SaveSession(%q): %v", k, err)
		}
	}
	for k, w := range want {
		if got, err := s.Session(ctx, k); err != nil || string(got) != w {
			t.Errorf("Session(%q) = %q, %v; want %s", k, got, err, w)
		}
	}
	first := keys[0]
	if err := s.DeleteSession(ctx, first); err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if _, err := s.Session(ctx, k); k != first && errors.Is(err, shop.ErrNotFound) {
			t.Errorf("deleting %q deleted %q", first, k)
		}
	}
	for _, id := range awkwardIDs {
		if fresh, err := s.Remember(ctx, id, time.Hour); err != nil || !fresh {
			t.Errorf("Remember(%q) = %v, %v; want fresh", id, fresh, err)
		}
	}
}

func testRemember(t *testing.T, s shop.StateStore) {
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
	if _, err := s.Session(ctx, shop.SessionKey{SessionID: "req-1"}); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session(remembered key) error = %v; want ErrNotFound", err)
	}
}

// testRememberExpiry: a key is fresh again after its ttl; meanwhile, exactly one
// of many concurrent Remember calls for one key is fresh.
func testRememberExpiry(t *testing.T, s shop.StateStore) {
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

func testBadTTL(t *testing.T, s shop.StateStore) {
	ctx := context.Background()
	if err := s.SaveSession(ctx, sk("s"), []byte("x"), 0); err == nil {
		t.Error("SaveSession with ttl 0 succeeded")
	}
	if _, err := s.Remember(ctx, "k", -time.Second); err == nil {
		t.Error("Remember with a negative ttl succeeded")
	}
}

func testStateCanceledContext(t *testing.T, s shop.StateStore) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.SaveSession(ctx, sk("s"), []byte("x"), time.Hour); err == nil {
		t.Error("SaveSession with a canceled context succeeded")
	}
	if _, err := s.Session(context.Background(), sk("s")); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("after a canceled SaveSession, Session error = %v; want ErrNotFound", err)
	}
	if _, err := s.Remember(ctx, "k", time.Hour); err == nil {
		t.Error("Remember with a canceled context succeeded")
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping with a canceled context succeeded")
	}
}

func testStateClose(t *testing.T, s shop.StateStore) {
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.SaveSession(ctx, sk("s"), []byte("x"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping after Close succeeded")
	}
	if _, err := s.Session(ctx, sk("s")); err == nil {
		t.Error("Session after Close succeeded")
	}
	if _, err := s.Remember(ctx, "k", time.Hour); err == nil {
		t.Error("Remember after Close succeeded")
	}
}
