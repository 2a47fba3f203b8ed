package pay

import (
	"context"
	"errors"
	"fmt"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// RefundNotify handles the platform's refund result notify: it applies the
// refund's final status once (a repeat answers SUCCESS), records the
// platform's refundTransactionId, and refuses (FAIL, nothing changes) an
// unknown order or refund, or amounts other than the stored ones.
func (s *Service) RefundNotify(ctx context.Context, req RefundNotifyRequest) Reply {
	if err := s.refundNotify(ctx, req); err != nil {
		switch {
		case transient(err):
			s.log().ErrorContext(ctx, "pay: refund notify failed", "trade_no", truncateBytes(req.TradeNo, 64), "err", err)
		case shop.ErrorCode(err) == shop.ERefundFinal && req.RefundStatus == shop.RefundSuccess:
			// The platform refunded money the books cannot take back (a
			// refund recorded FAIL, then done again): a person reconciles.
			s.log().ErrorContext(ctx, "pay: platform reports a refund the books cannot apply", "trade_no", truncateBytes(req.TradeNo, 64),
				"refund_trade_no", truncateBytes(req.RefundTradeNo, 64), "refund_amt", int64(req.RefundAmt), "err", err)
		default:
			s.log().WarnContext(ctx, "pay: refund notify refused", "code", shop.ErrorCode(err), "trade_no", truncateBytes(req.TradeNo, 64), "refund_trade_no", truncateBytes(req.RefundTradeNo, 64), "err", err)
		}
		return s.replied(EndpointRefundNotify, FailReply(err))
	}
	return s.replied(EndpointRefundNotify, Success())
}

func (s *Service) refundNotify(ctx context.Context, req RefundNotifyRequest) error {
	switch {
	case req.SkillID != s.SkillID || req.SkillID == "":
		return shop.Coded(shop.EINVALID, EWrongSkillID, "not our skillId")
	case !isAlnum(req.TradeNo, 32):
		return shop.Coded(shop.EINVALID, EBadTradeNo, "tradeNo must be 1..32 letters and digits")
	case !isAlnum(req.RefundTradeNo, 32):
		return shop.Coded(shop.EINVALID, EBadRefundTradeNo, "refundTradeNo must be 1..32 letters and digits")
	case !isToken(req.TransactionID, 32):
		return shop.Coded(shop.EINVALID, EBadTransactionID, "transactionId must be 1..32 printable characters")
	case len(req.RefundTransactionID) > 32:
		return shop.Coded(shop.EINVALID, EFieldTooLong, "an id past 32 bytes")
	case req.NonceStr == "" || len(req.NonceStr) > 32:
		return shop.Coded(shop.EINVALID, EBadNonce, "nonceStr must be 1..32 bytes")
	}
	switch req.RefundStatus {
	case shop.RefundProcessing, shop.RefundSuccess, shop.RefundFail:
	default:
		return shop.Coded(shop.EINVALID, shop.EBadRefundStatus, "unknown refundStatus")
	}
	o, err := s.store().Order(ctx, req.TradeNo)
	switch {
	case errors.Is(err, shop.ErrNotFound):
		return shop.Coded(shop.ENOTFOUND, EUnknownOrder, "no such order")
	case err != nil:
		return fmt.Errorf("pay: refund notify %s: %w", req.TradeNo, err)
	}
	r, ok := o.Refund(req.RefundTradeNo)
	switch {
	case !ok:
		return shop.Coded(shop.ENOTFOUND, shop.EUnknownRefund, "no such refund")
	case o.TransactionID != "" && req.TransactionID != o.TransactionID:
		return shop.Coded(shop.ECONFLICT, ETxMismatch, "another transactionId")
	case req.TotalAmt != o.TotalAmt:
		return shop.Coded(shop.ECONFLICT, shop.ETotalMismatch, "totalAmt %d, order %d", req.TotalAmt, o.TotalAmt)
	case req.RefundAmt != r.Amount:
		return shop.Coded(shop.ECONFLICT, ERefundAmtMismatch, "refundAmt %d, refund %d", req.RefundAmt, r.Amount)
	case req.RefundTransactionID != "" && r.RefundTransactionID != "" && req.RefundTransactionID != r.RefundTransactionID:
		return shop.Coded(shop.ECONFLICT, ERefundIDMismatch, "another refundTransactionId")
	}
	_, err = s.settleRefund(ctx, req.TradeNo, req.RefundTradeNo, req.RefundTransactionID, req.RefundStatus, req.RefundStatusDesc, "refund notify")
	return err
}

// settleRefund applies the platform's word on a refund: it records the
// refundTransactionId if new, forgets the refund's QueryFails (this is an
// answer that can be acted on) and, for SUCCESS or FAIL, finishes the
// refund. Applying the same word twice changes nothing. This is the only
// way a refund becomes FAIL: on the platform's explicit refundStatus FAIL
// (refundquery, refund notify) or its outright refusal of the refund call,
// never on a query that failed. The refund of a duplicate payment that
// fails is logged at ERROR here, once: the user paid twice, and the order
// is listed for attention (shop.Order.UnrefundedDuplicate) until a person
// refunds it.
func (s *Service) settleRefund(ctx context.Context, tradeNo, refundTradeNo, refundTransactionID string, status shop.RefundStatus, desc, cause string) (shop.Order, error) {
	now := s.now()
	changed, dupFailed, late := false, false, false
	var refunded shop.Fen // the amount of a refund this update finishes with SUCCESS
	o, err := s.store().UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
		changed, dupFailed, late, refunded = false, false, false, 0
		r, ok := o.Refund(refundTradeNo)
		if !ok {
			return shop.Coded(shop.ENOTFOUND, shop.EUnknownRefund, "no refund %s on order %s", refundTradeNo, tradeNo)
		}
		late = r.Status == shop.RefundFail && status == shop.RefundSuccess
		// FinishRefund records a new refundTransactionId but returns
		// ErrNoChange for PROCESSING, which would drop it: record it here.
		newID := refundTransactionID != "" && r.RefundTransactionID == ""
		if newID {
			r.RefundTransactionID = refundTransactionID
			r.UpdatedAt = now.UTC()
		}
		news := r.QueryFails.Reset() || newID
		if r.Status != shop.RefundSuccess && status == shop.RefundSuccess {
			refunded = r.Amount
		}
		dupFailed = r.Status == shop.RefundProcessing && status == shop.RefundFail && r.Reason == shop.DuplicateReason
		ofDuplicate := r.Reason == shop.DuplicateReason
		defer shop.StampActor(ctx, o, len(o.History))
		err := o.FinishRefund(refundTradeNo, refundTransactionID, status, desc, now)
		if errors.Is(err, shop.ErrNoChange) && news {
			err = nil
		}
		changed = err == nil
		if changed && status == shop.RefundFail && !ofDuplicate && gives(*o, o.OnceItems(s.Ledger.Catalog)) {
			// The order gives again what the refund was taking back, and
			// another order may have been delivered meanwhile with it (the
			// duplicate check passed this one over while its refund was
			// under way): the user would have paid twice. Open until the
			// check is done (SettleMoved below, else the reconciler's).
			o.Recheck(now)
		}
		return err
	})
	if err != nil {
		return o, err
	}
	if changed {
		s.moved(MoneyRefunded, refunded)
		s.log().InfoContext(ctx, "pay: refund updated", "trade_no", tradeNo, "refund_trade_no", refundTradeNo, "refund_status", status, "cause", cause, "state", o.State)
	}
	if changed && dupFailed {
		r, _ := o.Refund(refundTradeNo)
		s.log().ErrorContext(ctx, "pay: refund of a duplicate payment failed: the user paid twice; refund it by hand", "trade_no", tradeNo,
			"refund_trade_no", refundTradeNo, "refund_amt", int64(r.Amount), "duplicate_of", o.DuplicateOf, "user_id", o.UserID,
			"refund_status_desc", desc, "cause", cause, "state", o.State)
	}
	if changed && late {
		// Applied: the money went back. Whether the user kept what it paid
		// for (coins used since the refusal, or refunded again by a
		// retry, or another order refunded as its duplicate meanwhile)
		// only a person can tell.
		s.log().ErrorContext(ctx, "pay: the platform refunded late a refund it had refused; check what the user kept",
			"trade_no", tradeNo, "refund_trade_no", refundTradeNo, "refund_amt", int64(refunded), "cause", cause)
	}
	if o.Unsettled && status == shop.RefundFail {
		// Checked at each FAIL reported while it is not done: a report
		// answered with an error checks again when retried, and the
		// reconciler checks open Unsettled orders after its Delay.
		if err := s.SettleMoved(ctx, o.UserID); err != nil {
			return o, fmt.Errorf("pay: refund %s failed, duplicates not checked yet: %w", refundTradeNo, err)
		}
	}
	return o, nil
}
