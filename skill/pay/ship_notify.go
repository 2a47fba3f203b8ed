package pay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// ShipNotify handles the platform's ship notify: the user paid, deliver.
// Delivery happens exactly once however often, and however concurrently, the
// notify arrives; a repeat answers SUCCESS. An order closed as unpaid that
// the platform says was paid late is delivered too. A notify for an unknown
// order, or with another total, is FAIL and changes nothing.
func (s *Service) ShipNotify(ctx context.Context, req ShipNotifyRequest) Reply {
	if err := s.shipNotify(ctx, req); err != nil {
		switch {
		case transient(err), shop.ErrorCode(err) == EUserMismatch:
			// Our trouble, or a paid order refused for its userToken: the
			// platform retries; a person looks.
			s.log().ErrorContext(ctx, "pay: ship notify failed", "code", shop.ErrorCode(err), "trade_no", truncateBytes(req.TradeNo, 64), "err", err)
		default:
			s.log().WarnContext(ctx, "pay: ship notify refused", "code", shop.ErrorCode(err), "trade_no", truncateBytes(req.TradeNo, 64), "err", err)
		}
		return s.replied(EndpointShipNotify, FailReply(err))
	}
	return s.replied(EndpointShipNotify, Success())
}

func (s *Service) shipNotify(ctx context.Context, req ShipNotifyRequest) error {
	switch {
	case req.SkillID != s.SkillID || req.SkillID == "":
		return shop.Coded(shop.EINVALID, EWrongSkillID, "not our skillId")
	case !isAlnum(req.TradeNo, 32):
		return shop.Coded(shop.EINVALID, EBadTradeNo, "tradeNo must be 1..32 letters and digits")
	case req.UserToken == "":
		return shop.Coded(shop.EINVALID, ENoUserToken, "no userToken")
	case !isToken(req.TransactionID, 32):
		return shop.Coded(shop.EINVALID, EBadTransactionID, "transactionId must be 1..32 printable characters")
	case req.NonceStr == "" || len(req.NonceStr) > 32:
		return shop.Coded(shop.EINVALID, EBadNonce, "nonceStr must be 1..32 bytes")
	case req.TotalAmt <= 0:
		return shop.Coded(shop.EINVALID, shop.EBadTotal, "totalAmt must be > 0")
	}
	o, err := s.store().Order(ctx, req.TradeNo)
	switch {
	case errors.Is(err, shop.ErrNotFound):
		return shop.Coded(shop.ENOTFOUND, EUnknownOrder, "no such order")
	case err != nil:
		return fmt.Errorf("pay: ship notify %s: %w", req.TradeNo, err)
	}
	if !ownedBy(&o, req.UserToken) {
		return shop.Coded(shop.ECONFLICT, EUserMismatch, "userToken is not the order's")
	}
	if req.TotalAmt != o.TotalAmt {
		s.log().ErrorContext(ctx, "pay: ship notify total differs from order", "trade_no", req.TradeNo, "total_amt", int64(req.TotalAmt), "order_total_amt", int64(o.TotalAmt))
		return shop.Coded(shop.ECONFLICT, shop.ETotalMismatch, "totalAmt %d, order %d", req.TotalAmt, o.TotalAmt)
	}
	_, err = s.deliver(ctx, req.TradeNo, req.TransactionID, req.TotalAmt, "ship notify")
	return err
}

// ownedBy reports whether a notify's userToken names the order's buyer as
// create order did: the offer reference the order was placed with, or the
// user id (the order's owner, or the one it had before it moved to a
// linked account).
func ownedBy(o *shop.Order, token string) bool {
	if token == o.UserID {
		return true
	}
	if id, ok := offerIDOf(token); ok && o.OfferID != "" {
		return id == o.OfferID
	}
	moved := shop.CauseLinked + ": " + token + " → "
	return slices.ContainsFunc(o.History, func(t shop.Transition) bool { return strings.HasPrefix(t.Cause, moved) })
}
