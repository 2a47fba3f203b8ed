package pay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// DefaultOrderTTL is how long a created order waits for payment when
// Service.OrderTTL is 0.
const DefaultOrderTTL = 30 * time.Minute

// Service is the partner side of payment. Store, Catalog and SkillID are
// required; Offers is needed only to accept offer tokens as userToken;
// Platform only for Confirm, Refund and the Reconciler. The zero values of
// Now, OrderTTL and Logger are time.Now, DefaultOrderTTL and slog.Default().
//
// Service is safe for concurrent use: every change to an order goes through
// Store.UpdateOrder and the core's state machine.
type Service struct {
	Store    shop.Store
	Catalog  *shop.Catalog
	SkillID  string
	Offers   *Offers
	Platform *Client
	Now      func() time.Time
	OrderTTL time.Duration
	Logger   *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) orderTTL() time.Duration {
	if s.OrderTTL > 0 {
		return s.OrderTTL
	}
	return DefaultOrderTTL
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// UserOrders returns the user's orders, newest first.
func (s *Service) UserOrders(ctx context.Context, userID string) ([]shop.Order, error) {
	if userID == "" {
		return nil, shop.Errorf(shop.EINVALID, "no user")
	}
	orders, err := s.Store.Orders(ctx, shop.OrderFilter{UserID: userID})
	if err != nil {
		return nil, fmt.Errorf("pay: orders of user: %w", err)
	}
	return orders, nil
}

// Entitlements returns what the user owns, one entry per product in catalog
// order, folded from their orders (shop.Entitlements).
func (s *Service) Entitlements(ctx context.Context, userID string) ([]shop.Entitlement, error) {
	orders, err := s.UserOrders(ctx, userID)
	if err != nil {
		return nil, err
	}
	return shop.Entitlements(orders, s.Catalog), nil
}

// Owns reports whether the user has access to the product now: an
// entitlement bought, a subscription running, or consumable units left.
func (s *Service) Owns(ctx context.Context, userID, productID string) (bool, error) {
	ents, err := s.Entitlements(ctx, userID)
	if err != nil {
		return false, err
	}
	now := s.now()
	for _, e := range ents {
		if e.ProductID == productID {
			return e.Active(now), nil
		}
	}
	return false, nil
}

// errNoUnits makes a Use attempt on one order give way to the next.
var errNoUnits = errors.New("pay: no units left on order")

// Use records one use of a product by the user. A consumable is used up one
// unit at a time, from the oldest delivered order with units left; using one
// with none left is an ECONFLICT. For entitlements and subscriptions it
// records a play on the newest order that gives access (a played purchase
// can no longer be refunded when the policy says unused_only); a product the
// user does not own is an ECONFLICT.
func (s *Service) Use(ctx context.Context, userID, productID string) error {
	p, ok := s.Catalog.Product(productID)
	if !ok {
		return shop.Errorf(shop.ENOTFOUND, "no product %s", productID)
	}
	orders, err := s.UserOrders(ctx, userID)
	if err != nil {
		return err
	}
	now := s.now()
	var candidates []shop.Order
	for _, o := range orders {
		if o.State != shop.StateDelivered && o.State != shop.StatePartiallyRefunded {
			continue
		}
		if _, ok := o.Line(productID); ok {
			candidates = append(candidates, o)
		}
	}
	// Oldest delivery first.
	slices.SortStableFunc(candidates, func(a, b shop.Order) int { return a.DeliveredAt.Compare(b.DeliveredAt) })

	if p.Kind.UsedUp() {
		for _, c := range candidates {
			_, err := s.Store.UpdateOrder(ctx, c.TradeNo, func(o *shop.Order) error {
				if o.State != shop.StateDelivered && o.State != shop.StatePartiallyRefunded {
					return errNoUnits
				}
				err := o.Use(productID, true, now)
				if shop.ErrorCode(err) == shop.ECONFLICT {
					return errNoUnits
				}
				return err
			})
			if errors.Is(err, errNoUnits) {
				continue
			}
			if err != nil {
				return fmt.Errorf("pay: use %s on %s: %w", productID, c.TradeNo, err)
			}
			return nil
		}
		return shop.Errorf(shop.ECONFLICT, "no %s left", productID)
	}

	owns, err := s.Owns(ctx, userID, productID)
	if err != nil {
		return err
	}
	if !owns {
		return shop.Errorf(shop.ECONFLICT, "%s not owned", productID)
	}
	// Record the play on the newest order that still gives access.
	for i := len(candidates) - 1; i >= 0; i-- {
		c := candidates[i]
		if c.RefundedQuantity(productID) > 0 {
			continue
		}
		if _, err := s.Store.UpdateOrder(ctx, c.TradeNo, func(o *shop.Order) error {
			return o.Use(productID, false, now)
		}); err != nil {
			if shop.ErrorCode(err) == shop.ECONFLICT {
				continue // moved on meanwhile (a refund started)
			}
			return fmt.Errorf("pay: use %s on %s: %w", productID, c.TradeNo, err)
		}
		return nil
	}
	// Access is given by an order that cannot record a use (a refund is
	// pending on it): the user may still play.
	return nil
}

// Confirm is the post-payment check: it returns the order as the ledger has
// it and, when the order is not delivered yet (CREATED or CLOSED), asks the
// platform right now and delivers on a SUCCESS whose total matches. It never
// delivers an unpaid order. When the platform cannot be asked, it returns the
// stored order and the error.
func (s *Service) Confirm(ctx context.Context, tradeNo string) (shop.Order, error) {
	o, err := s.Store.Order(ctx, tradeNo)
	if err != nil {
		return shop.Order{}, fmt.Errorf("pay: confirm %s: %w", tradeNo, err)
	}
	if o.State != shop.StateCreated && o.State != shop.StateClosed {
		return o, nil
	}
	if s.Platform == nil {
		return o, nil
	}
	st, err := s.Platform.OrderQuery(ctx, OrderQuery{TradeNo: tradeNo})
	if err != nil {
		return o, fmt.Errorf("pay: confirm %s: %w", tradeNo, err)
	}
	if st.TradeStatus != TradeSuccess {
		return o, nil
	}
	if st.TradeNo != "" && st.TradeNo != tradeNo {
		return o, shop.Errorf(shop.ECONFLICT, "orderquery answered for %s, not %s", st.TradeNo, tradeNo)
	}
	if st.TotalAmt != o.TotalAmt {
		s.log().Error("pay: orderquery total differs from order", "trade_no", tradeNo, "total_amt", st.TotalAmt, "order_total_amt", o.TotalAmt)
		return o, shop.Errorf(shop.ECONFLICT, "platform total %d differs from order %d", st.TotalAmt, o.TotalAmt)
	}
	return s.deliver(ctx, tradeNo, st.TransactionID, st.TotalAmt, "orderquery SUCCESS")
}

// deliver records the payment and delivers the order, exactly once: a
// repeated delivery of the same payment is a no-op that returns the order.
func (s *Service) deliver(ctx context.Context, tradeNo, transactionID string, totalAmt shop.Fen, cause string) (shop.Order, error) {
	now := s.now()
	delivered := false
	o, err := s.Store.UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
		delivered = false
		if err := o.Deliver(transactionID, totalAmt, cause, now); err != nil {
			return err
		}
		delivered = true
		return nil
	})
	if err != nil {
		return o, fmt.Errorf("pay: deliver %s: %w", tradeNo, err)
	}
	if delivered {
		s.log().Info("pay: order delivered", "trade_no", tradeNo, "transaction_id", transactionID, "total_amt", int64(totalAmt), "cause", cause, "state", o.State)
	}
	return o, nil
}

// storeErr reports whether err is the store's own failure (as opposed to a
// domain refusal), after which the platform should retry.
func storeErr(err error) bool {
	var e *shop.Error
	return err != nil && !errors.As(err, &e) && !errors.Is(err, shop.ErrNotFound)
}
