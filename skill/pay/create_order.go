package pay

import (
	"context"
	"errors"
	"slices"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// CreateOrder handles the platform's create order. It checks the request
// against the catalog (and, when userToken is an offer token, against the
// offer), derives the tradeNo from the request, and stores the order; it
// answers SUCCESS with the tradeNo only once the order is durably stored.
// The same request repeated returns the same tradeNo and never a second
// order. Every refusal is FAIL with a short retMsg and changes nothing.
func (s *Service) CreateOrder(ctx context.Context, req CreateOrderRequest) Reply {
	userID, intent, msg := s.checkCreateOrder(ctx, req)
	if msg != "" {
		s.log().Warn("pay: create order refused", "reason", msg, "skill_id", truncateBytes(req.SkillID, 64), "total_amt", int64(req.TotalAmt))
		return Fail(msg)
	}
	now := s.now().UTC()
	o := shop.Order{
		TradeNo:   TradeNo(req),
		SkillID:   req.SkillID,
		UserID:    userID,
		State:     shop.StateCreated,
		TotalAmt:  req.TotalAmt,
		Details:   slices.Clone(req.Details),
		NonceStr:  req.NonceStr,
		Intent:    intent,
		CreatedAt: now,
		ExpiresAt: now.Add(s.orderTTL()),
		UpdatedAt: now,
		History:   []shop.Transition{{To: shop.StateCreated, At: now, Cause: "create order"}},
	}
	stored, created, err := s.Store.CreateOrder(ctx, o)
	if err != nil {
		s.log().Error("pay: create order: store", "trade_no", o.TradeNo, "err", err)
		return Fail("try again")
	}
	if !created {
		// The same request again: answer as before while the order still
		// waits for payment, never reopen a paid or closed one.
		if stored.State != shop.StateCreated {
			s.log().Warn("pay: create order repeated for a settled order", "trade_no", stored.TradeNo, "state", stored.State)
			return Fail("order already " + string(stored.State))
		}
		return Reply{RetCode: RetSuccess, RetMsg: "OK", TradeNo: stored.TradeNo}
	}
	s.log().Info("pay: order created", "trade_no", o.TradeNo, "user_id", o.UserID, "total_amt", int64(o.TotalAmt), "state", o.State)
	return Reply{RetCode: RetSuccess, RetMsg: "OK", TradeNo: o.TradeNo}
}

// checkCreateOrder validates a create order and returns the user it is for,
// the intent carried by its offer, or a non-empty retMsg saying why not.
func (s *Service) checkCreateOrder(ctx context.Context, req CreateOrderRequest) (userID string, intent []byte, retMsg string) {
	switch {
	case req.SkillID == "" || len(req.SkillID) > 32:
		return "", nil, "bad skillId"
	case req.SkillID != s.SkillID:
		return "", nil, "wrong skillId"
	case req.NonceStr == "" || len(req.NonceStr) > 32:
		return "", nil, "bad nonceStr"
	case req.UserToken == "":
		return "", nil, "missing userToken"
	case len(req.UserToken) > MaxUserToken:
		return "", nil, "userToken too long"
	case len(req.Details) == 0:
		return "", nil, "empty details"
	case len(req.Details) > 100:
		return "", nil, "too many details"
	case req.TotalAmt <= 0:
		return "", nil, "bad totalAmt"
	}
	seen := make(map[string]bool, len(req.Details))
	kinds := make(map[string]shop.Kind, len(req.Details))
	var sum shop.Fen
	for _, l := range req.Details {
		if l.ItemID == "" || len(l.ItemID) > 32 {
			return "", nil, "bad itemId"
		}
		if seen[l.ItemID] {
			return "", nil, "duplicate itemId"
		}
		seen[l.ItemID] = true
		p, ok := s.Catalog.Product(l.ItemID)
		if !ok {
			return "", nil, "unknown item"
		}
		kinds[p.ID] = p.Kind
		if l.Quantity < 1 || l.Quantity > shop.MaxQuantity {
			return "", nil, "bad quantity"
		}
		if p.Kind.Once() && l.Quantity != 1 {
			return "", nil, "quantity must be 1"
		}
		want, err := shop.MulFen(p.Price, l.Quantity)
		if err != nil {
			return "", nil, "amount overflows"
		}
		if l.Amount != want {
			return "", nil, "amount does not match price"
		}
		if sum, err = shop.AddFen(sum, l.Amount); err != nil {
			return "", nil, "totalAmt overflows"
		}
	}
	if req.TotalAmt != sum {
		return "", nil, "totalAmt != sum of amounts"
	}

	userID = req.UserToken
	if looksLikeJWT(req.UserToken) {
		if s.Offers == nil {
			return "", nil, "bad userToken"
		}
		offer, err := s.Offers.Verify(req.UserToken)
		switch {
		case errors.Is(err, ErrOfferExpired):
			return "", nil, "offer expired"
		case err != nil:
			return "", nil, "bad offer"
		}
		if err := offer.Match(req); err != nil {
			return "", nil, "order does not match offer"
		}
		userID, intent = offer.UserID, offer.Intent
	}

	// A product owned once is never sold twice to a user who owns it.
	once := false
	for _, k := range kinds {
		once = once || k.Once()
	}
	if once {
		ents, err := s.Entitlements(ctx, userID)
		if err != nil {
			s.log().Error("pay: create order: entitlements", "err", err)
			return "", nil, "try again"
		}
		for _, e := range ents {
			if kinds[e.ProductID].Once() && e.Active(s.now()) {
				return "", nil, "already owned"
			}
		}
	}
	return userID, intent, ""
}
