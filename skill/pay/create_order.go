package pay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// CreateOrder handles the platform's create order. It checks the request's
// fields, resolves userToken (an offer reference, whose offer the order
// must match, or a plain user id), applies the rules that read the buyer's
// orders (checkOwners), derives the tradeNo from the request, and stores
// the order; it answers
// SUCCESS with the tradeNo only once the order is durably stored. The same
// request repeated returns the same tradeNo and never a second order. Every
// refusal is FAIL with a short code as retMsg (FailReply) and changes
// nothing.
func (s *Service) CreateOrder(ctx context.Context, req CreateOrderRequest) Reply {
	o, err := s.createOrder(ctx, req)
	if err != nil {
		if transient(err) {
			s.log().ErrorContext(ctx, "pay: create order failed", "trade_no", o.TradeNo, "err", err)
		} else {
			s.log().WarnContext(ctx, "pay: create order refused", "code", shop.ErrorCode(err), "skill_id", truncateBytes(req.SkillID, 64), "total_amt", int64(req.TotalAmt))
		}
		return s.replied(EndpointCreateOrder, FailReply(err))
	}
	return s.replied(EndpointCreateOrder, Reply{RetCode: RetSuccess, RetMsg: "OK", TradeNo: o.TradeNo})
}

// createOrder checks and stores the order, or says why not. The order is
// returned (with its TradeNo at least) when a refusal concerns it.
func (s *Service) createOrder(ctx context.Context, req CreateOrderRequest) (shop.Order, error) {
	b, err := s.checkCreateOrder(ctx, req)
	if err != nil {
		return shop.Order{}, err
	}
	now := s.now().UTC()
	o := shop.Order{
		TradeNo:   TradeNo(req),
		SkillID:   req.SkillID,
		UserID:    b.userID,
		State:     shop.StateCreated,
		TotalAmt:  req.TotalAmt,
		Details:   slices.Clone(req.Details),
		NonceStr:  req.NonceStr,
		OfferID:   b.offerID,
		PayIn:     b.payIn,
		Intent:    b.intent,
		CreatedAt: now,
		ExpiresAt: now.Add(s.orderTTL()),
		UpdatedAt: now,
		History:   []shop.Transition{{To: shop.StateCreated, At: now, Cause: "create order"}},
	}
	stored, created, err := s.store().CreateOrder(ctx, o)
	if err != nil {
		return o, fmt.Errorf("pay: create order %s: %w", o.TradeNo, err)
	}
	if !created {
		// The same request again: answer as before while the order still
		// waits for payment, never reopen a paid or closed one.
		if stored.State != shop.StateCreated {
			return stored, shop.Coded(shop.ECONFLICT, EOrderSettled, "order %s is already %s", stored.TradeNo, stored.State)
		}
		return stored, nil
	}
	s.event(ctx, "pay: order created", slog.String("trade_no", o.TradeNo), slog.String("user_id", o.UserID),
		slog.Int64("total_amt", int64(o.TotalAmt)), slog.String("state", string(o.State)))
	return o, nil
}

// buyer is whom a create order is for: the user, and the offer it was
// placed from with the request to resume after payment (none for a plain
// user id).
type buyer struct {
	userID  string
	offerID string
	intent  []byte
	payIn   shop.PayPlace
}

// checkCreateOrder validates a create order and returns whom it is for, or
// a coded error saying why not.
func (s *Service) checkCreateOrder(ctx context.Context, req CreateOrderRequest) (buyer, error) {
	switch {
	case req.SkillID == "" || len(req.SkillID) > 32:
		return buyer{}, shop.Coded(shop.EINVALID, EBadSkillID, "skillId must be 1..32 bytes")
	case req.SkillID != s.SkillID:
		return buyer{}, shop.Coded(shop.EINVALID, EWrongSkillID, "not our skillId")
	case req.NonceStr == "" || len(req.NonceStr) > 32:
		return buyer{}, shop.Coded(shop.EINVALID, EBadNonce, "nonceStr must be 1..32 bytes")
	case req.UserToken == "":
		return buyer{}, shop.Coded(shop.EINVALID, ENoUserToken, "no userToken")
	case len(req.UserToken) > MaxUserToken:
		return buyer{}, shop.Coded(shop.EINVALID, EUserTokenTooLong, "userToken past %d bytes", MaxUserToken)
	}
	if err := shop.CheckID("userToken", req.UserToken); err != nil {
		return buyer{}, shop.Coded(shop.EINVALID, EBadUserToken, "%s", shop.ErrorMessage(err))
	}
	// The lines first: a bad order is refused the same whoever asks.
	if err := shop.CheckLines(s.Ledger.Catalog, req.Details, req.TotalAmt); err != nil {
		return buyer{}, err
	}
	b := buyer{userID: req.UserToken}
	switch {
	case IsOfferRef(req.UserToken):
		var err error
		if b, err = s.offerBuyer(ctx, req); err != nil {
			return buyer{}, err
		}
	case looksLikeJWT(req.UserToken):
		return buyer{}, shop.Coded(shop.EINVALID, EBadOffer, "offer tokens are not accepted")
	}
	if err := s.checkOwners(ctx, b, req); err != nil {
		return buyer{}, err
	}
	return b, nil
}

// checkOwners applies, to the buyer's orders and to those of the account
// the buyer's orders last moved to (Moves), if any, the rules that need
// them, reading each owner's orders once:
//   - no one-time product either already has (already_owned; an offer made
//     before linking and paid after charged again for what the account
//     had, refunded only once a linked request moved the order);
//   - an offer is paid once (offer_paid; each create order with a new
//     nonceStr was a new order: paid again, coins were charged twice). An
//     order of it left unpaid does not stop a new one (the platform may
//     order again after a pay page that failed; two pay pages open at
//     once can still both be paid, and a one-time product's second payment
//     is refunded as a duplicate), nor does the same request again.
func (s *Service) checkOwners(ctx context.Context, b buyer, req CreateOrderRequest) error {
	once := slices.ContainsFunc(req.Details, func(l shop.Line) bool {
		p, ok := s.Ledger.Catalog.Product(l.ItemID)
		return ok && p.Kind.Once()
	})
	if !once && b.offerID == "" {
		return nil // nothing to check against orders
	}
	owners := []string{b.userID}
	if s.Moves != nil && !strings.HasPrefix(b.userID, shop.AccountPrefix) {
		owner, err := s.Moves.MovedTo(ctx, b.userID)
		if err != nil {
			return err
		}
		if owner != "" {
			owners = append(owners, owner)
		}
	}
	tradeNo := TradeNo(req)
	for _, owner := range owners {
		orders, err := s.Ledger.UserOrders(ctx, owner)
		if err != nil {
			return err
		}
		for _, o := range orders {
			if b.offerID != "" && o.OfferID == b.offerID && o.TradeNo != tradeNo && !o.PaidAt.IsZero() {
				return shop.Coded(shop.ECONFLICT, EOfferPaid, "offer already paid by order %s", o.TradeNo)
			}
		}
		if err := s.Ledger.CheckOwned(orders, req.Details); err != nil {
			return err
		}
	}
	return nil
}

// offerBuyer resolves the offer reference of a create order, which must ask
// for exactly what was offered. Unknown, expired and altered references
// are refused with a code of their own; a store that cannot answer is our
// trouble (the platform retries).
func (s *Service) offerBuyer(ctx context.Context, req CreateOrderRequest) (buyer, error) {
	if s.Offers == nil {
		return buyer{}, shop.Coded(shop.EINVALID, EBadOffer, "offers are not accepted")
	}
	offer, err := s.Offers.Resolve(ctx, req.UserToken)
	switch {
	case errors.Is(err, ErrOfferExpired):
		return buyer{}, shop.Coded(shop.EINVALID, EOfferExpired, "offer expired")
	case errors.Is(err, ErrOfferUnknown):
		return buyer{}, shop.Coded(shop.EINVALID, EUnknownOffer, "no such offer")
	case errors.Is(err, ErrOfferInvalid):
		return buyer{}, shop.Coded(shop.EINVALID, EBadOffer, "offer invalid")
	case err != nil:
		return buyer{}, err
	}
	if err := MatchOffer(offer, req); err != nil {
		return buyer{}, shop.Coded(shop.EINVALID, EOfferMismatch, "order does not match offer")
	}
	if err := shop.CheckID("offer user", offer.UserID); err != nil {
		return buyer{}, shop.Coded(shop.EINVALID, EBadOffer, "%s", shop.ErrorMessage(err))
	}
	return buyer{userID: offer.UserID, offerID: offer.ID, intent: offer.Intent, payIn: offer.PayIn}, nil
}
