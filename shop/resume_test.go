package shop_test

import (
	"errors"
	"testing"

	"github.com/dingdang-voicepay/voicepay/shop"
)

func TestResumeOnce(t *testing.T) {
	o := newOrder()
	if err := o.Deliver("tx1", 600, "ship notify", t0); err != nil {
		t.Fatal(err)
	}
	if err := o.Resume(t0); err != nil {
		t.Fatalf("first resume: %v", err)
	}
	if !o.ResumedAt.Equal(t0) || o.State != shop.StateDelivered || len(o.History) != 3 {
		t.Fatalf("after resume: %+v", o)
	}
	if h := o.History[2]; h.From != shop.StateDelivered || h.To != shop.StateDelivered || h.Cause != shop.CauseResumed {
		t.Errorf("history entry %+v", h)
	}
	before := o
	if err := o.Resume(t0.Add(1)); !errors.Is(err, shop.ErrNoChange) {
		t.Fatalf("second resume: %v, want ErrNoChange", err)
	}
	if !o.ResumedAt.Equal(before.ResumedAt) || len(o.History) != 3 {
		t.Errorf("second resume changed the order: %+v", o)
	}
}

func TestResumeNeedsDelivery(t *testing.T) {
	for _, st := range []shop.OrderState{shop.StateCreated, shop.StatePaid, shop.StateClosed, shop.StateRefunding, shop.StateRefunded} {
		o := newOrder()
		o.State = st
		err := o.Resume(t0)
		if shop.ErrorClass(err) != shop.ECONFLICT || shop.ErrorCode(err) != shop.ENotDelivered {
			t.Errorf("%s: err %v, want %s", st, err, shop.ENotDelivered)
		}
		if !o.ResumedAt.IsZero() || len(o.History) != 0 {
			t.Errorf("%s: order changed: %+v", st, o)
		}
	}
	o := newOrder()
	o.State = shop.StatePartiallyRefunded
	if err := o.Resume(t0); err != nil {
		t.Errorf("partially refunded: %v", err)
	}
}

// A pay page closes once, and only for an order that waits for payment.
func TestClosePage(t *testing.T) {
	o := newOrder()
	o.State = shop.StateCreated
	if err := o.ClosePage(t0); err != nil {
		t.Fatalf("close: %v", err)
	}
	if !o.PageClosedAt.Equal(t0) || o.State != shop.StateCreated || len(o.History) != 1 || o.History[0].Cause != shop.CausePageClosed {
		t.Fatalf("after close: %+v", o)
	}
	if err := o.ClosePage(t0.Add(1)); !errors.Is(err, shop.ErrNoChange) || !o.PageClosedAt.Equal(t0) {
		t.Errorf("closed twice: %v, at %v", err, o.PageClosedAt)
	}
	for _, st := range []shop.OrderState{shop.StatePaid, shop.StateDelivered, shop.StateClosed, shop.StateRefunded} {
		o := newOrder()
		o.State = st
		if err := o.ClosePage(t0); !errors.Is(err, shop.ErrNoChange) || !o.PageClosedAt.IsZero() || len(o.History) != 0 {
			t.Errorf("%s: %v, order %+v", st, err, o)
		}
	}
}
