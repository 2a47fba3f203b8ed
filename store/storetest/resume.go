package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// testUpdateConcurrentResume: 50 concurrent resends of one post-payment
// jump resume the order's request exactly once (shop.Ledger.Resume).
func testUpdateConcurrentResume(t *testing.T, s shop.OrderStore) {
	const n = 50
	o := NewOrder("T1", "u1", base)
	if err := o.Deliver("tx-1", o.TotalAmt, "test", base); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, o)
	l := &shop.Ledger{Store: s, Now: func() time.Time { return base.Add(time.Minute) }}
	firsts := make(chan bool, n)
	for range n {
		go func() {
			_, first, err := l.Resume(context.Background(), "T1")
			if err != nil {
				t.Errorf("Resume: %v", err)
			}
			firsts <- first
		}()
	}
	won := 0
	for range n {
		if <-firsts {
			won++
		}
	}
	got := mustGet(t, s, "T1")
	if won != 1 || got.ResumedAt.IsZero() || len(got.History) != 3 {
		t.Errorf("%d of %d concurrent resumes went first; order resumed at %v with %d history entries; want exactly one", won, n, got.ResumedAt, len(got.History))
	}
}
