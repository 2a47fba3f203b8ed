package pay

import (
	"context"
	"errors"
	"strconv"

	"github.com/dingdang-voicepay/voicepay/internal/logctx"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// The reconciler's checks of refunds under way (see Reconciler).

// checkRefund asks the platform about one PROCESSING refund, and reports
// whether the platform could be reached.
func (r *Reconciler) checkRefund(ctx context.Context, o shop.Order, rf shop.Refund, rep *ReconcileReport) (reached bool) {
	ctx = logctx.WithTradeNo(ctx, o.TradeNo)
	s := r.Service
	rep.Checked++
	st, err := s.Platform.RefundQuery(ctx, RefundQuery{RefundTradeNo: rf.RefundTradeNo})
	var perr *PlatformError
	switch {
	case errors.As(err, &perr):
		r.refundQueryFailed(ctx, o, rf, perr.RetMsg, rep)
		return true
	case err != nil:
		rep.Errors++
		r.log().WarnContext(ctx, "pay: reconcile: refundquery failed", "trade_no", o.TradeNo, "refund_trade_no", rf.RefundTradeNo, "err", err)
		return !errors.Is(err, ErrTransient)
	case (st.RefundTradeNo != "" && st.RefundTradeNo != rf.RefundTradeNo) || st.RefundAmt != rf.Amount:
		r.log().ErrorContext(ctx, "pay: reconcile: refundquery disagrees with refund", "trade_no", o.TradeNo, "refund_trade_no", rf.RefundTradeNo, "refund_amt", int64(st.RefundAmt))
		r.refundUnanswered(ctx, o.TradeNo, rf.RefundTradeNo, WhyMismatch, "refundAmt "+strconv.FormatInt(int64(st.RefundAmt), 10), rep)
		return true
	}
	switch st.RefundStatus {
	case shop.RefundSuccess, shop.RefundFail, shop.RefundProcessing:
	default:
		r.refundUnanswered(ctx, o.TradeNo, rf.RefundTradeNo, WhyBadStatus, truncateBytes(string(st.RefundStatus), 16), rep)
		return true
	}
	if _, err := s.settleRefund(ctx, o.TradeNo, rf.RefundTradeNo, st.RefundTransactionID, st.RefundStatus, st.RefundStatusDesc, "refundquery (reconcile)"); err != nil {
		rep.Errors++
		r.log().ErrorContext(ctx, "pay: reconcile: settle refund", "trade_no", o.TradeNo, "refund_trade_no", rf.RefundTradeNo, "err", err)
		return true
	}
	if st.RefundStatus != shop.RefundProcessing {
		rep.RefundsSettled++
	}
	return true
}

// refundQueryFailed handles a refundquery FAIL: no answer, so the refund
// stays PROCESSING whatever happens here. A refund the platform never
// acknowledged, older than the reconciler's Delay, may never have reached
// it: it is sent again with the same refundTradeNo. The FAIL is counted
// unless that re-send was accepted.
func (r *Reconciler) refundQueryFailed(ctx context.Context, o shop.Order, rf shop.Refund, retMsg string, rep *ReconcileReport) {
	young := r.Service.now().Before(rf.CreatedAt.Add(positive(r.Delay, DefaultReconcileDelay)))
	if rf.RefundTransactionID != "" || young {
		// Acknowledged, or so young that its first send may still be on
		// its way (sent again then, a refusal of the first was taken for
		// the platform's word while it had refunded the copy).
		r.refundUnanswered(ctx, o.TradeNo, rf.RefundTradeNo, WhyRetFail, retMsg, rep)
		return
	}
	rep.RefundsResent++
	_, err := r.Service.postRefund(ctx, o, rf)
	var perr *PlatformError
	switch {
	case err == nil:
		r.log().InfoContext(ctx, "pay: refund sent again", "trade_no", o.TradeNo, "refund_trade_no", rf.RefundTradeNo)
	case errors.As(err, &perr):
		r.refundUnanswered(ctx, o.TradeNo, rf.RefundTradeNo, WhyResendRefused, perr.RetMsg, rep)
	default:
		rep.Errors++
		r.log().WarnContext(ctx, "pay: reconcile: resend refund", "trade_no", o.TradeNo, "refund_trade_no", rf.RefundTradeNo, "err", err)
		r.refundUnanswered(ctx, o.TradeNo, rf.RefundTradeNo, WhyRetFail, retMsg, rep)
	}
}

// refundUnanswered counts an answer about a refund that cannot be acted on.
func (r *Reconciler) refundUnanswered(ctx context.Context, tradeNo, refundTradeNo, why, retMsg string, rep *ReconcileReport) {
	rep.QueryFails++
	r.log().WarnContext(ctx, "pay: reconcile: refundquery answer not acted on", "trade_no", tradeNo, "refund_trade_no", refundTradeNo, "why", why, "ret_msg", truncateBytes(retMsg, 32))
	now := r.Service.now()
	_, err := r.Service.store().UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
		rf, ok := o.Refund(refundTradeNo)
		if !ok || rf.Status != shop.RefundProcessing {
			return shop.ErrNoChange
		}
		why, retMsg := why, retMsg
		if rf.QueryFails.Why == WhyMismatch && why == WhyRetFail {
			why, retMsg = WhyMismatch, rf.QueryFails.RetMsg // a disagreement stands until answered again
		}
		rf.QueryFails.Add(now, why, truncateBytes(retMsg, 32), false)
		o.UpdatedAt = now.UTC()
		return nil
	})
	if err != nil {
		rep.Errors++
		r.log().ErrorContext(ctx, "pay: reconcile: update refund", "trade_no", tradeNo, "refund_trade_no", refundTradeNo, "err", err)
	}
}
