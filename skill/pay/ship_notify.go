package pay

import (
	"context"
	"errors"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// ShipNotify handles the platform's ship notify: the user paid, deliver.
// Delivery happens exactly once however often, and however concurrently, the
// notify arrives; a repeat answers SUCCESS. An order closed as unpaid that
// the platform says was paid late is delivered too. A notify for an unknown
// order, or with another total, is FAIL and changes nothing.
func (s *Service) ShipNotify(ctx context.Context, req ShipNotifyRequest) Reply {
	switch {
	case req.SkillID != s.SkillID || req.SkillID == "":
		return s.refuseShip(req, "wrong skillId")
	case !isAlnum(req.TradeNo, 32):
		return s.refuseShip(req, "bad tradeNo")
	case !isToken(req.TransactionID, 32):
		return s.refuseShip(req, "bad transactionId")
	case len(req.NonceStr) > 32:
		return s.refuseShip(req, "bad nonceStr")
	case req.TotalAmt <= 0:
		return s.refuseShip(req, "bad totalAmt")
	}
	o, err := s.Store.Order(ctx, req.TradeNo)
	switch {
	case errors.Is(err, shop.ErrNotFound):
		return s.refuseShip(req, "unknown tradeNo")
	case err != nil:
		s.log().Error("pay: ship notify: store", "trade_no", req.TradeNo, "err", err)
		return Fail("try again")
	}
	if req.TotalAmt != o.TotalAmt {
		s.log().Error("pay: ship notify total differs from order", "trade_no", req.TradeNo, "total_amt", int64(req.TotalAmt), "order_total_amt", int64(o.TotalAmt))
		return Fail("totalAmt mismatch")
	}
	if _, err := s.deliver(ctx, req.TradeNo, req.TransactionID, req.TotalAmt, "ship notify"); err != nil {
		if storeErr(err) {
			s.log().Error("pay: ship notify: store", "trade_no", req.TradeNo, "err", err)
			return Fail("try again")
		}
		s.log().Error("pay: ship notify refused", "trade_no", req.TradeNo, "transaction_id", req.TransactionID, "err", err)
		return Fail(shop.ErrorMessage(err))
	}
	return Success()
}

func (s *Service) refuseShip(req ShipNotifyRequest, msg string) Reply {
	s.log().Warn("pay: ship notify refused", "reason", msg, "trade_no", truncateBytes(req.TradeNo, 64))
	return Fail(msg)
}
