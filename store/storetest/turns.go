package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// TurnStore is a state store that starts a dialog turn in one round trip:
// the request id checked and the dialog's state read together (the Redis
// store; the server uses it when the state store has it).
type TurnStore interface {
	shop.StateStore
	BeginTurn(ctx context.Context, requestID string, key shop.SessionKey, ttl time.Duration) (context.Context, bool, error)
}

// RunTurns runs the conformance suite of BeginTurn against the stores that
// open returns.
func RunTurns(t *testing.T, open func(t *testing.T) TurnStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s TurnStore)
	}{
		{"Replay", testTurnReplay},
		{"ReadsState", testTurnReadsState},
		{"WritesWithin", testTurnWritesWithin},
		{"Expiry", testTurnExpiry},
		{"KeysInjective", testTurnKeysInjective},
		{"BadTTL", testTurnBadTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

func begin(t *testing.T, s TurnStore, requestID string, key shop.SessionKey) (context.Context, bool) {
	t.Helper()
	ctx, fresh, err := s.BeginTurn(context.Background(), requestID, key, time.Minute)
	if err != nil {
		t.Fatalf("BeginTurn(%q, %+v): %v", requestID, key, err)
	}
	return ctx, fresh
}

// testTurnReplay: a request id is fresh once per dialog.
func testTurnReplay(t *testing.T, s TurnStore) {
	if _, fresh := begin(t, s, "r1", sk("s1")); !fresh {
		t.Error("first turn not fresh")
	}
	if _, fresh := begin(t, s, "r1", sk("s1")); fresh {
		t.Error("replayed turn fresh")
	}
	if _, fresh := begin(t, s, "r2", sk("s1")); !fresh {
		t.Error("another request of the dialog not fresh")
	}
	if _, fresh := begin(t, s, "r1", sk("s2")); !fresh {
		t.Error("the same request id in another dialog not fresh")
	}
}

// testTurnReadsState: the turn's context answers Session for its dialog.
func testTurnReadsState(t *testing.T, s TurnStore) {
	bg := context.Background()
	if err := s.SaveSession(bg, sk("s1"), []byte("one"), time.Minute); err != nil {
		t.Fatal(err)
	}
	ctx, _ := begin(t, s, "r1", sk("s1"))
	if got, err := s.Session(ctx, sk("s1")); err != nil || string(got) != "one" {
		t.Errorf("Session in the turn = %q, %v; want one", got, err)
	}
	// Another dialog within the same context is read from the store.
	if err := s.SaveSession(bg, sk("s2"), []byte("two"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, sk("s2")); err != nil || string(got) != "two" {
		t.Errorf("Session of another dialog = %q, %v; want two", got, err)
	}
	// A dialog without state.
	ctx, _ = begin(t, s, "r1", sk("s3"))
	if _, err := s.Session(ctx, sk("s3")); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session of a dialog without state = %v; want ErrNotFound", err)
	}
}

// testTurnWritesWithin: after the turn saves or deletes its dialog's state,
// Session in the turn sees the change.
func testTurnWritesWithin(t *testing.T, s TurnStore) {
	bg := context.Background()
	if err := s.SaveSession(bg, sk("s1"), []byte("one"), time.Minute); err != nil {
		t.Fatal(err)
	}
	ctx, _ := begin(t, s, "r1", sk("s1"))
	if err := s.SaveSession(ctx, sk("s1"), []byte("two"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, sk("s1")); err != nil || string(got) != "two" {
		t.Errorf("Session after a save in the turn = %q, %v; want two", got, err)
	}
	if err := s.DeleteSession(ctx, sk("s1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, sk("s1")); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session after a delete in the turn = %v; want ErrNotFound", err)
	}
	if _, err := s.Session(bg, sk("s1")); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("Session after the turn = %v; want ErrNotFound", err)
	}
}

// testTurnExpiry: a request id is forgotten after its ttl.
func testTurnExpiry(t *testing.T, s TurnStore) {
	ctx := context.Background()
	const ttl = 100 * time.Millisecond
	if _, fresh, err := s.BeginTurn(ctx, "r1", sk("s1"), ttl); err != nil || !fresh {
		t.Fatalf("BeginTurn = %v, %v", fresh, err)
	}
	if _, fresh, err := s.BeginTurn(ctx, "r1", sk("s1"), ttl); err != nil || fresh {
		t.Fatalf("replay within ttl = %v, %v; want not fresh", fresh, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		time.Sleep(ttl)
		_, fresh, err := s.BeginTurn(ctx, "r1", sk("s1"), ttl)
		if err != nil {
			t.Fatal(err)
		}
		if fresh {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("request id never forgotten")
		}
	}
}

// testTurnKeysInjective: dialogs and request ids that a naive encoding
// would join into the same key stay apart.
func testTurnKeysInjective(t *testing.T, s TurnStore) {
	cases := []struct {
		req string
		key shop.SessionKey
	}{
		{"c", shop.SessionKey{SessionID: "a", UserID: "b"}},
		{"b:c", shop.SessionKey{SessionID: "a", UserID: ""}},
		{"c", shop.SessionKey{SessionID: "a:b", UserID: ""}},
		{"", shop.SessionKey{SessionID: "a", UserID: "b:c"}},
		{"c", shop.SessionKey{SessionID: "a}", UserID: "b"}},
		{"}:c", shop.SessionKey{SessionID: "a", UserID: "b"}},
		{"1:c", shop.SessionKey{SessionID: "a", UserID: "b}"}},
	}
	for _, c := range cases {
		if _, fresh := begin(t, s, c.req, c.key); !fresh {
			t.Errorf("request %q of %+v not fresh: its key collides with an earlier case", c.req, c.key)
		}
	}
}

func testTurnBadTTL(t *testing.T, s TurnStore) {
	for _, ttl := range []time.Duration{0, -time.Second} {
		_, _, err := s.BeginTurn(context.Background(), "r1", sk("s1"), ttl)
		if shop.ErrorClass(err) != shop.EINVALID {
			t.Errorf("BeginTurn with ttl %v = %v; want EINVALID", ttl, err)
		}
	}
}
