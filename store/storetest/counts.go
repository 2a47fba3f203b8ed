package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Counter is a store that keeps how many orders are in each state (the
// orders-by-state gauge reads it); the bolt and Redis stores are.
type Counter interface {
	OrderCounts(ctx context.Context) (map[shop.OrderState]int64, error)
}

// testCounts: the counts follow creates, repeated creates, state changes,
// refused updates and concurrent duplicate deliveries exactly.
func testCounts(t *testing.T, s shop.OrderStore) {
	c, ok := s.(Counter)
	if !ok {
		t.Skip("the store keeps no counts")
	}
	ctx := context.Background()
	for i := range 6 {
		mustCreate(t, s, NewOrder(fmt.Sprintf("C%d", i), "u1", base.Add(time.Duration(i)*time.Second)))
	}
	if _, created, err := s.CreateOrder(ctx, NewOrder("C0", "u1", base)); created || err != nil {
		t.Fatalf("repeated create: created=%v, %v", created, err)
	}
	var wg sync.WaitGroup
	for range 8 {
		for _, no := range []string{"C0", "C1", "C2"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.UpdateOrder(ctx, no, func(o *shop.Order) error {
					return o.Deliver("tx-"+no, o.TotalAmt, "ship notify", base.Add(time.Minute))
				})
				if err != nil {
					t.Errorf("deliver %s: %v", no, err)
				}
			}()
		}
	}
	wg.Wait()
	if _, err := s.UpdateOrder(ctx, "C3", func(o *shop.Order) error {
		return o.Move(shop.StateClosed, "expired", base.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	if _, err := s.UpdateOrder(ctx, "C4", func(o *shop.Order) error {
		o.State = shop.StateDelivered
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("refused update: %v", err)
	}
	got, err := c.OrderCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[shop.OrderState]int64{shop.StateCreated: 2, shop.StateDelivered: 3, shop.StateClosed: 1}
	for st, n := range got {
		if n != want[st] {
			t.Errorf("count of %s = %d, want %d (all: %v)", st, n, want[st], got)
		}
	}
	for st, n := range want {
		if got[st] != n {
			t.Errorf("count of %s = %d, want %d (all: %v)", st, got[st], n, got)
		}
	}
}
