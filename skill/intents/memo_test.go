package intents_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
)

// countingStore counts the listings of orders.
type countingStore struct {
	shop.OrderStore
	lists atomic.Int64
}

func (s *countingStore) Orders(ctx context.Context, f shop.OrderFilter) ([]shop.Order, error) {
	s.lists.Add(1)
	return s.OrderStore.Orders(ctx, f)
}

// TestOneReadPerTurn: a purchase turn asks what the user owns and what
// waits for payment from one read of their orders; a read after a write in
// the same turn (a confirmed purchase's use) sees the write.
func TestOneReadPerTurn(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "skill.db"), bolt.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cs := &countingStore{OrderStore: st}
	e := newEnvWithStore(t, device.Screenless, cs)

	r := e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
	wantSpeech(t, r, true, "确定购买吗？")
	if n := cs.lists.Load(); n != 1 {
		t.Errorf("a purchase turn listed the user's orders %d times; want 1", n)
	}
	cs.lists.Store(0)
	e.intent(intents.Yes, nil)
	if n := cs.lists.Load(); n != 1 {
		t.Errorf("the confirming turn listed the user's orders %d times; want 1", n)
	}
}
