package shop

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// CauseResumed is the history cause of an order's resume.
const CauseResumed = "resumed the original request"

// Resume marks that the order's original request (Intent) was resumed
// after payment, recording it in the history: the post-payment jump does
// it at most once per order. An order resumed already returns ErrNoChange;
// one that gives nothing (not DELIVERED or PARTIALLY_REFUNDED) is an
// ECONFLICT with code ENotDelivered. Either way nothing changes.
func (o *Order) Resume(at time.Time) error {
	if !o.ResumedAt.IsZero() {
		return ErrNoChange
	}
	if o.State != StateDelivered && o.State != StatePartiallyRefunded {
		return Coded(ECONFLICT, ENotDelivered, "order %s is %s", o.TradeNo, o.State)
	}
	at = at.UTC()
	o.ResumedAt, o.UpdatedAt = at, at
	o.History = append(o.History, Transition{From: o.State, To: o.State, At: at, Cause: CauseResumed})
	return nil
}

// Resume marks the order resumed, atomically (Order.Resume through the
// store's UpdateOrder), and reports whether this call did it: first is
// true for exactly one caller per order, however many send the same
// post-payment jump at once. The order is returned as stored.
func (l *Ledger) Resume(ctx context.Context, tradeNo string) (o Order, first bool, err error) {
	now := l.now()
	o, err = l.Store.UpdateOrder(ctx, tradeNo, func(o *Order) error {
		first = false // the store may run this more than once
		if err := o.Resume(now); err != nil {
			return err
		}
		first = true
		return nil
	})
	if err != nil {
		return o, false, fmt.Errorf("shop: resume %s: %w", tradeNo, err)
	}
	return o, first, nil
}

// CausePageClosed is the history cause of ClosePage.
const CausePageClosed = "pay page closed unpaid"

// ClosePage records that the order's pay page closed unpaid, in its
// history: only for an order still CREATED (one paid meanwhile, or closed,
// needs no page), once (then ErrNoChange).
func (o *Order) ClosePage(at time.Time) error {
	if o.State != StateCreated || !o.PageClosedAt.IsZero() {
		return ErrNoChange
	}
	at = at.UTC()
	o.PageClosedAt, o.UpdatedAt = at, at
	o.History = append(o.History, Transition{From: o.State, To: o.State, At: at, Cause: CausePageClosed})
	return nil
}

// ClosePage records that the order's pay page closed unpaid (Order.ClosePage,
// through the store's UpdateOrder); an order that needs no such record is
// left as it is, without an error.
func (l *Ledger) ClosePage(ctx context.Context, tradeNo string) error {
	now := l.now()
	_, err := l.Store.UpdateOrder(ctx, tradeNo, func(o *Order) error { return o.ClosePage(now) })
	if err != nil && !errors.Is(err, ErrNoChange) {
		return fmt.Errorf("shop: close page of %s: %w", tradeNo, err)
	}
	return nil
}
