package pay

import (
	"context"
	"errors"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// RefundNotify handles the platform's refund result notify: it applies the
// refund's final status once (a repeat answers SUCCESS), records the
// platform's refundTransactionId, and refuses (FAIL, nothing changes) an
// unknown order or refund, or amounts other than the stored ones.
func (s *Service) RefundNotify(ctx context.Context, req RefundNotifyRequest) Reply {
	switch {
	case req.SkillID != s.SkillID || req.SkillID == "":
		return s.refuseRefund(req, "wrong skillId")
	case !isAlnum(req.TradeNo, 32):
		return s.refuseRefund(req, "bad tradeNo")
	case !isAlnum(req.RefundTradeNo, 32):
		return s.refuseRefund(req, "bad refundTradeNo")
	case len(req.RefundTransactionID) > 32 || len(req.TransactionID) > 32 || len(req.NonceStr) > 32:
		return s.refuseRefund(req, "field too long")
	}
	switch req.RefundStatus {
	case shop.RefundProcessing, shop.RefundSuccess, shop.RefundFail:
	default:
		return s.refuseRefund(req, "bad refundStatus")
	}
	o, err := s.Store.Order(ctx, req.TradeNo)
	switch {
	case errors.Is(err, shop.ErrNotFound):
		return s.refuseRefund(req, "unknown tradeNo")
	case err != nil:
		s.log().Error("pay: refund notify: store", "trade_no", req.TradeNo, "err", err)
		return Fail("try again")
	}
	r, ok := o.Refund(req.RefundTradeNo)
	switch {
	case !ok:
		return s.refuseRefund(req, "unknown refund")
	case req.TotalAmt != o.TotalAmt:
		return s.refuseRefund(req, "totalAmt mismatch")
	case req.RefundAmt != r.Amount:
		return s.refuseRefund(req, "refundAmt mismatch")
	case req.RefundTransactionID != "" && r.RefundTransactionID != "" && req.RefundTransactionID != r.RefundTransactionID:
		return s.refuseRefund(req, "refundTransactionId mismatch")
	}
	if _, err := s.settleRefund(ctx, req.TradeNo, req.RefundTradeNo, req.RefundTransactionID, req.RefundStatus, req.RefundStatusDesc, "refund notify"); err != nil {
		if storeErr(err) {
			s.log().Error("pay: refund notify: store", "trade_no", req.TradeNo, "err", err)
			return Fail("try again")
		}
		return s.refuseRefund(req, shop.ErrorMessage(err))
	}
	return Success()
}

func (s *Service) refuseRefund(req RefundNotifyRequest, msg string) Reply {
	s.log().Warn("pay: refund notify refused", "reason", msg, "trade_no", truncateBytes(req.TradeNo, 64), "refund_trade_no", truncateBytes(req.RefundTradeNo, 64))
	return Fail(msg)
}

// settleRefund applies the platform's word on a refund: it records the
// refundTransactionId if new and, for SUCCESS or FAIL, finishes the refund.
// Applying the same word twice changes nothing.
func (s *Service) settleRefund(ctx context.Context, tradeNo, refundTradeNo, refundTransactionID string, status shop.RefundStatus, desc, cause string) (shop.Order, error) {
	now := s.now()
	changed := false
	o, err := s.Store.UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
		changed = false
		r, ok := o.Refund(refundTradeNo)
		if !ok {
			return shop.Errorf(shop.ENOTFOUND, "no refund %s on order %s", refundTradeNo, tradeNo)
		}
		// FinishRefund records a new refundTransactionId but returns
		// ErrNoChange for PROCESSING, which would drop it: record it here.
		newID := refundTransactionID != "" && r.RefundTransactionID == ""
		if newID {
			r.RefundTransactionID = refundTransactionID
			r.UpdatedAt = now.UTC()
		}
		err := o.FinishRefund(refundTradeNo, refundTransactionID, status, desc, now)
		if errors.Is(err, shop.ErrNoChange) && newID {
			err = nil
		}
		changed = err == nil
		return err
	})
	if err != nil {
		return o, err
	}
	if changed {
		s.log().Info("pay: refund updated", "trade_no", tradeNo, "refund_trade_no", refundTradeNo, "refund_status", status, "cause", cause, "state", o.State)
	}
	return o, nil
}
