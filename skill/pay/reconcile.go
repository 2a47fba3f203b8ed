package pay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Reconciler defaults, used when the matching field is zero.
const (
	DefaultReconcileDelay    = 2 * time.Minute
	DefaultReconcileInterval = time.Minute
)

// Reconciler settles what the platform's callbacks missed, treating the
// platform's queries as the truth: unpaid-looking orders are asked about
// (delivered when paid, closed when unpaid past their expiry) and pending
// refunds are asked about (finished when final, re-sent with the same
// refundTradeNo when the platform never got them).
type Reconciler struct {
	Service  *Service      // with Ledger and Platform
	Delay    time.Duration // leave orders younger than this to the ship notify; 0 means DefaultReconcileDelay
	Interval time.Duration // between runs of Run; 0 means DefaultReconcileInterval
	Logger   *slog.Logger  // nil means the Service's logger
}

// ReconcileReport counts what one RunOnce did.
type ReconcileReport struct {
	Checked        int // orders and refunds asked about
	Delivered      int // orders delivered because orderquery said SUCCESS
	Closed         int // unpaid orders closed past their expiry
	RefundsSettled int // refunds finished (SUCCESS or FAIL)
	RefundsResent  int // refunds the platform did not know, sent again
	Errors         int // checks that failed and are left for the next run
}

func (r *Reconciler) log() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return r.Service.log()
}

// RunOnce checks every CREATED order older than Delay and every REFUNDING
// order once. Failures of single checks are counted and logged, not
// returned; the error is for listing the orders.
func (r *Reconciler) RunOnce(ctx context.Context) (ReconcileReport, error) {
	var rep ReconcileReport
	s := r.Service
	if s.Platform == nil {
		return rep, errors.New("pay: reconcile: no platform client configured")
	}
	delay := r.Delay
	if delay <= 0 {
		delay = DefaultReconcileDelay
	}
	created, err := s.store().Orders(ctx, shop.OrderFilter{States: []shop.OrderState{shop.StateCreated}, CreatedBefore: s.now().Add(-delay)})
	if err != nil {
		return rep, fmt.Errorf("pay: reconcile: list created orders: %w", err)
	}
	for _, o := range created {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		r.checkOrder(ctx, o, &rep)
	}
	refunding, err := s.store().Orders(ctx, shop.OrderFilter{States: []shop.OrderState{shop.StateRefunding}})
	if err != nil {
		return rep, fmt.Errorf("pay: reconcile: list refunding orders: %w", err)
	}
	for _, o := range refunding {
		for _, rf := range o.Refunds {
			if rf.Status != shop.RefundProcessing {
				continue
			}
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			r.checkRefund(ctx, o, rf, &rep)
		}
	}
	if rep != (ReconcileReport{}) {
		r.log().Info("pay: reconciled", "checked", rep.Checked, "delivered", rep.Delivered, "closed", rep.Closed,
			"refunds_settled", rep.RefundsSettled, "refunds_resent", rep.RefundsResent, "errors", rep.Errors)
	}
	return rep, nil
}

// checkOrder asks the platform about one CREATED order.
func (r *Reconciler) checkOrder(ctx context.Context, o shop.Order, rep *ReconcileReport) {
	s := r.Service
	rep.Checked++
	st, err := s.Platform.OrderQuery(ctx, OrderQuery{TradeNo: o.TradeNo})
	var perr *PlatformError
	unpaid := false
	switch {
	case errors.As(err, &perr):
		// The platform does not know the order: it was never paid.
		unpaid = true
	case err != nil:
		rep.Errors++
		r.log().Warn("pay: reconcile: orderquery failed", "trade_no", o.TradeNo, "err", err)
		return
	case st.TradeStatus == TradeSuccess:
		if st.TotalAmt != o.TotalAmt || (st.TradeNo != "" && st.TradeNo != o.TradeNo) {
			rep.Errors++
			r.log().Error("pay: reconcile: orderquery disagrees with order", "trade_no", o.TradeNo, "total_amt", int64(st.TotalAmt), "order_total_amt", int64(o.TotalAmt))
			return
		}
		got, err := s.deliver(ctx, o.TradeNo, st.TransactionID, st.TotalAmt, "orderquery SUCCESS (reconcile)")
		if err != nil {
			rep.Errors++
			r.log().Error("pay: reconcile: deliver", "trade_no", o.TradeNo, "err", err)
			return
		}
		if got.State == shop.StateDelivered && o.State != shop.StateDelivered {
			rep.Delivered++
		}
		return
	case st.TradeStatus == TradeNotPay || st.TradeStatus == TradeFail:
		unpaid = true
	}
	if !unpaid {
		return // PROCESSING or unknown: ask again next time
	}
	now := s.now()
	if now.Before(o.ExpiresAt) {
		return
	}
	closed := false
	_, err = s.store().UpdateOrder(ctx, o.TradeNo, func(o *shop.Order) error {
		closed = false
		if o.State != shop.StateCreated {
			return shop.ErrNoChange
		}
		if err := o.Close(now); err != nil {
			return err
		}
		closed = true
		return nil
	})
	if err != nil {
		rep.Errors++
		r.log().Error("pay: reconcile: close", "trade_no", o.TradeNo, "err", err)
		return
	}
	if closed {
		rep.Closed++
		r.log().Info("pay: order closed unpaid", "trade_no", o.TradeNo, "state", shop.StateClosed)
	}
}

// checkRefund asks the platform about one PROCESSING refund.
func (r *Reconciler) checkRefund(ctx context.Context, o shop.Order, rf shop.Refund, rep *ReconcileReport) {
	s := r.Service
	rep.Checked++
	st, err := s.Platform.RefundQuery(ctx, RefundQuery{RefundTradeNo: rf.RefundTradeNo})
	var perr *PlatformError
	switch {
	case errors.As(err, &perr):
		// The platform does not know the refund: our request never reached
		// it. Send it again, with the same refundTradeNo.
		rep.RefundsResent++
		_, err := s.sendRefund(ctx, o, rf)
		if err != nil && shop.ErrorCode(err) == ERefundRefused {
			rep.RefundsSettled++ // refused: recorded as FAIL
			return
		}
		if err != nil {
			rep.Errors++
			r.log().Error("pay: reconcile: resend refund", "trade_no", o.TradeNo, "refund_trade_no", rf.RefundTradeNo, "err", err)
			return
		}
		return
	case err != nil:
		rep.Errors++
		r.log().Warn("pay: reconcile: refundquery failed", "trade_no", o.TradeNo, "refund_trade_no", rf.RefundTradeNo, "err", err)
		return
	}
	if (st.RefundTradeNo != "" && st.RefundTradeNo != rf.RefundTradeNo) || st.RefundAmt != rf.Amount {
		rep.Errors++
		r.log().Error("pay: reconcile: refundquery disagrees with refund", "trade_no", o.TradeNo, "refund_trade_no", rf.RefundTradeNo, "refund_amt", int64(st.RefundAmt))
		return
	}
	switch st.RefundStatus {
	case shop.RefundSuccess, shop.RefundFail, shop.RefundProcessing:
	default:
		rep.Errors++
		r.log().Error("pay: reconcile: unknown refund status", "trade_no", o.TradeNo, "refund_trade_no", rf.RefundTradeNo, "refund_status", truncateBytes(string(st.RefundStatus), 16))
		return
	}
	if _, err := s.settleRefund(ctx, o.TradeNo, rf.RefundTradeNo, st.RefundTransactionID, st.RefundStatus, st.RefundStatusDesc, "refundquery (reconcile)"); err != nil {
		rep.Errors++
		r.log().Error("pay: reconcile: settle refund", "trade_no", o.TradeNo, "refund_trade_no", rf.RefundTradeNo, "err", err)
		return
	}
	if st.RefundStatus != shop.RefundProcessing {
		rep.RefundsSettled++
	}
}

// Run calls RunOnce every Interval until ctx is done.
func (r *Reconciler) Run(ctx context.Context) {
	every := r.Interval
	if every <= 0 {
		every = DefaultReconcileInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			r.log().Error("pay: reconcile", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
