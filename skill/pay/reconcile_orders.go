package pay

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/logctx"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// The reconciler's checks of unpaid orders (see Reconciler): when each is
// due, the orderquery, and what its answer does to the order.

// due reports whether an order is asked about on the pass at now, the
// previous one having been at prev: young orders on every pass, orders
// older than SlowAfter when their age crosses a multiple of SlowInterval.
func (r *Reconciler) due(o shop.Order, now, prev time.Time) bool {
	slowAfter := positive(r.SlowAfter, DefaultSlowAfter)
	slow := positive(r.SlowInterval, DefaultSlowInterval)
	age := now.Sub(o.CreatedAt)
	if prev.IsZero() || !prev.Before(now) || age < slowAfter {
		return true
	}
	before := prev.Sub(o.CreatedAt)
	return before < slowAfter || age/slow != before/slow
}

// windowEnd is when an order's payment window is over.
func (r *Reconciler) windowEnd(o shop.Order) time.Time {
	end := o.CreatedAt.Add(positive(r.PaymentWindow, DefaultPaymentWindow))
	if o.ExpiresAt.After(end) {
		return o.ExpiresAt
	}
	return end
}

// checkOrder asks the platform about one CREATED order, and reports
// whether the platform could be reached.
func (r *Reconciler) checkOrder(ctx context.Context, o shop.Order, rep *ReconcileReport) (reached bool) {
	ctx = logctx.WithTradeNo(ctx, o.TradeNo)
	s := r.Service
	rep.Checked++
	st, err := s.Platform.OrderQuery(ctx, OrderQuery{TradeNo: o.TradeNo})
	now := s.now()
	late := !now.Before(r.windowEnd(o))
	var perr *PlatformError
	switch {
	case errors.As(err, &perr):
		// No answer: not "unpaid", not "unknown order". Count it.
		r.orderUnanswered(ctx, o.TradeNo, now, WhyRetFail, perr.RetMsg, late, rep)
	case err != nil:
		rep.Errors++
		r.log().WarnContext(ctx, "pay: reconcile: orderquery failed", "trade_no", o.TradeNo, "err", err)
		return !errors.Is(err, ErrTransient)
	case st.TradeNo != "" && st.TradeNo != o.TradeNo:
		r.orderUnanswered(ctx, o.TradeNo, now, WhyMismatch, "tradeNo "+truncateBytes(st.TradeNo, 32), false, rep)
	case st.TradeStatus == TradeSuccess:
		if st.TotalAmt != o.TotalAmt {
			r.log().ErrorContext(ctx, "pay: reconcile: orderquery disagrees with order", "trade_no", o.TradeNo, "total_amt", int64(st.TotalAmt), "order_total_amt", int64(o.TotalAmt))
			r.orderUnanswered(ctx, o.TradeNo, now, WhyMismatch, "totalAmt "+strconv.FormatInt(int64(st.TotalAmt), 10), false, rep)
			return true
		}
		got, err := s.deliver(ctx, o.TradeNo, st.TransactionID, st.TotalAmt, "orderquery SUCCESS (reconcile)")
		if err != nil {
			rep.Errors++
			r.log().ErrorContext(ctx, "pay: reconcile: deliver", "trade_no", o.TradeNo, "err", err)
			return true
		}
		if got.State == shop.StateDelivered && o.State != shop.StateDelivered {
			rep.Delivered++
		}
	case st.TradeStatus == TradeNotPay || st.TradeStatus == TradeFail:
		// The platform's word: not paid (or its payment failed).
		r.orderAnswered(ctx, o.TradeNo, now, late, "orderquery "+st.TradeStatus+" past the payment window", rep)
	case st.TradeStatus == TradeProcessing:
		r.orderAnswered(ctx, o.TradeNo, now, false, "", rep)
	default:
		r.orderUnanswered(ctx, o.TradeNo, now, WhyBadStatus, truncateBytes(st.TradeStatus, 16), false, rep)
	}
	return true
}

// orderAnswered records an answer that can be acted on: the order's
// QueryFails start again and, when close is set, it is closed with cause.
func (r *Reconciler) orderAnswered(ctx context.Context, tradeNo string, now time.Time, close bool, cause string, rep *ReconcileReport) {
	r.updateOrder(ctx, tradeNo, rep, func(o *shop.Order) (bool, error) {
		reset := o.QueryFails.Reset()
		if close {
			return true, r.close(o, cause, now)
		}
		if !reset {
			return false, shop.ErrNoChange
		}
		o.UpdatedAt = now.UTC()
		return false, nil
	})
}

// orderUnanswered counts an answer that cannot be acted on and closes the
// order when it is the CloseAfterFails-th retCode FAIL in a row past the
// payment window.
func (r *Reconciler) orderUnanswered(ctx context.Context, tradeNo string, now time.Time, why, retMsg string, late bool, rep *ReconcileReport) {
	rep.QueryFails++
	r.log().WarnContext(ctx, "pay: reconcile: orderquery answer not acted on", "trade_no", tradeNo, "why", why, "ret_msg", truncateBytes(retMsg, 32), "late", late)
	limit := r.CloseAfterFails
	if limit <= 0 {
		limit = DefaultCloseAfterFails
	}
	r.updateOrder(ctx, tradeNo, rep, func(o *shop.Order) (bool, error) {
		why, retMsg, late := why, retMsg, late
		if o.QueryFails.Why == WhyMismatch && why == WhyRetFail {
			// The platform said paid, with other amounts: that stands
			// until it answers again, and such an order is never closed
			// for answers that did not come (a busy FAIL hid it, and the
			// order was closed as unpaid).
			why, retMsg, late = WhyMismatch, o.QueryFails.RetMsg, false
		}
		o.QueryFails.Add(now, why, truncateBytes(retMsg, 32), late && why == WhyRetFail)
		o.UpdatedAt = now.UTC()
		if o.QueryFails.Late < limit {
			return false, nil
		}
		return true, r.close(o, "orderquery FAIL "+strconv.Itoa(o.QueryFails.Late)+" times past the payment window", now)
	})
}

// close closes an unpaid order whose payment window is over.
func (r *Reconciler) close(o *shop.Order, cause string, now time.Time) error {
	if now.Before(r.windowEnd(*o)) {
		return shop.Coded(shop.ECONFLICT, shop.ENotExpired, "order %s is inside its payment window", o.TradeNo)
	}
	return o.Move(shop.StateClosed, cause, now)
}

// updateOrder applies fn to a still CREATED order (anything else is left
// alone: a ship notify came first) and counts a close.
func (r *Reconciler) updateOrder(ctx context.Context, tradeNo string, rep *ReconcileReport, fn func(*shop.Order) (closing bool, err error)) {
	closed := false
	_, err := r.Service.store().UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
		closed = false
		if o.State != shop.StateCreated {
			return shop.ErrNoChange
		}
		closing, err := fn(o)
		closed = closing && err == nil
		return err
	})
	if err != nil {
		rep.Errors++
		r.log().ErrorContext(ctx, "pay: reconcile: update order", "trade_no", tradeNo, "err", err)
		return
	}
	if closed {
		rep.Closed++
		r.log().InfoContext(ctx, "pay: order closed unpaid", "trade_no", tradeNo, "state", shop.StateClosed)
	}
}
