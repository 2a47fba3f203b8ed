package pay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// duplicateRefundTimeout bounds the refund call made for a duplicate payment
// while a notification or a dialog turn waits: past it the refund stays
// PROCESSING, stored under its refundTradeNo, and the Reconciler's refund
// retry settles it.
const duplicateRefundTimeout = 2 * time.Second

// deliver records a payment the platform reported (a ship notify, or an
// orderquery SUCCESS) and delivers the order, exactly once: the same
// payment reported again is a no-op that returns the order.
//
// A user is never charged net more than once for a one-time product: a
// payment for one the user already has through another order is a
// duplicate. It is recorded (the order becomes PAID: the money was taken),
// never delivered, and refunded in full through the platform, the order
// saying why (shop.Order.StartDuplicateRefund); an order of which only some
// lines are owned is delivered and those lines are refunded. Two payments
// reported at the same moment can both pass that check, so after a
// delivery the user's orders are looked at again and every order but the
// first delivered is refunded the same way (settleDuplicates).
func (s *Service) deliver(ctx context.Context, tradeNo, transactionID string, totalAmt shop.Fen, cause string) (shop.Order, error) {
	o, err := s.store().Order(ctx, tradeNo)
	if err != nil {
		return o, fmt.Errorf("pay: deliver %s: %w", tradeNo, err)
	}
	once := o.OnceItems(s.Ledger.Catalog)
	var keeper string
	var dups []string
	if len(once) > 0 && o.PaidAt.IsZero() {
		if keeper, dups, err = s.owned(ctx, o, once); err != nil {
			return o, fmt.Errorf("pay: deliver %s: %w", tradeNo, err)
		}
	}
	now := s.now()
	var started *shop.Refund
	paid, delivered := false, false
	o, err = s.store().UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
		started, paid, delivered = nil, false, false
		wasPaid := !o.PaidAt.IsZero()
		var err error
		if len(dups) == len(o.Details) {
			err = o.Pay(transactionID, totalAmt, cause, now) // nothing to deliver
		} else {
			err = o.Deliver(transactionID, totalAmt, cause, now)
			delivered = err == nil
		}
		paid = err == nil && !wasPaid
		if err != nil || len(dups) == 0 {
			return err
		}
		started, err = startDuplicate(o, keeper, dups, now)
		return err
	})
	if err != nil {
		return o, fmt.Errorf("pay: deliver %s: %w", tradeNo, err)
	}
	if paid {
		s.moved(MoneyCharged, totalAmt)
	}
	if delivered {
		s.moved(MoneyDelivered, totalAmt)
		s.event(ctx, "pay: order delivered", slog.String("trade_no", tradeNo), slog.String("transaction_id", transactionID),
			slog.Int64("total_amt", int64(totalAmt)), slog.Any("cause", cause), slog.String("state", string(o.State)))
	}
	if started != nil {
		o = s.refundDuplicate(ctx, o, *started)
	}
	if gives(o, once) {
		if err := s.settleDuplicates(ctx, o.UserID, once); err != nil {
			// Unanswered, the platform reports the payment again and the
			// check runs again.
			return o, fmt.Errorf("pay: deliver %s: %w", tradeNo, err)
		}
	}
	return o, nil
}

// owned returns which of the order's one-time items the user already has
// through another order, and the first such order.
func (s *Service) owned(ctx context.Context, o shop.Order, once []string) (keeper string, items []string, err error) {
	orders, err := s.Ledger.UserOrders(ctx, o.UserID)
	if err != nil {
		return "", nil, err
	}
	orders = slices.DeleteFunc(orders, func(x shop.Order) bool { return x.TradeNo == o.TradeNo })
	for _, id := range once {
		if k, _, ok := shop.Keeper(orders, id); ok {
			items = append(items, id)
			if keeper == "" {
				keeper = k.TradeNo
			}
		}
	}
	return keeper, items, nil
}

// SettleMoved refunds the duplicates that moving orders to owner left
// among its orders: account linking gives a platform user's orders to the
// account (shop.LinkStore.MoveOrders), and a one-time product bought under
// both, each delivered, is then paid twice. The orders after the first
// delivered are refunded exactly as after two payments reported at once
// (settleDuplicates), over the one-time products of owner's orders (those
// not moved were settled when they were delivered). A refund of a
// one-time product that failed leaves its order the same way (it gives the
// product again: shop.Order.Recheck), and is settled the same. Then the
// owner's Unsettled orders are marked settled (shop.Order.SettledMoved);
// until then they are open, and the Reconciler settles them again if this
// failed. Settling again changes nothing.
func (s *Service) SettleMoved(ctx context.Context, owner string) error {
	orders, err := s.Ledger.UserOrders(ctx, owner)
	if err != nil {
		return fmt.Errorf("pay: duplicates of %s: %w", owner, err)
	}
	var once []string
	for _, o := range orders {
		for _, id := range o.OnceItems(s.Ledger.Catalog) {
			if !slices.Contains(once, id) {
				once = append(once, id)
			}
		}
	}
	if len(once) > 0 {
		if err := s.settleAmong(ctx, orders, once); err != nil {
			return err
		}
	}
	// Checked: the moved orders are no longer open for it.
	for _, o := range orders {
		if !o.Unsettled {
			continue
		}
		read := o.UnsettledSince()
		settled := func(now *shop.Order) error {
			if now.UserID != owner || !now.UnsettledSince().Equal(read) {
				return shop.ErrNoChange // moved away, or marked again, since read: not what was checked
			}
			return now.SettledMoved()
		}
		if _, err := s.store().UpdateOrder(ctx, o.TradeNo, settled); err != nil && !errors.Is(err, shop.ErrNoChange) {
			return fmt.Errorf("pay: duplicates of %s: %w", owner, err)
		}
	}
	return nil
}

// settleDuplicates refunds every order of the user that gives one of the
// one-time items but was not the first to: what two payments reported at
// once leave behind. Every caller picks the same first order
// (shop.Keeper), and an order is marked a duplicate once, so concurrent
// callers agree and refund once.
func (s *Service) settleDuplicates(ctx context.Context, userID string, once []string) error {
	orders, err := s.Ledger.UserOrders(ctx, userID)
	if err != nil {
		return fmt.Errorf("pay: duplicates of %s: %w", userID, err)
	}
	return s.settleAmong(ctx, orders, once)
}

// settleAmong is settleDuplicates over one user's orders.
func (s *Service) settleAmong(ctx context.Context, orders []shop.Order, once []string) error {
	type dup struct {
		keeper string
		items  []string
	}
	found := map[string]*dup{}
	for _, id := range once {
		keeper, dups, _ := shop.Keeper(orders, id)
		for _, d := range dups {
			if found[d.TradeNo] == nil {
				found[d.TradeNo] = &dup{keeper: keeper.TradeNo}
			}
			found[d.TradeNo].items = append(found[d.TradeNo].items, id)
		}
	}
	var errs []error
	for _, no := range slices.Sorted(maps.Keys(found)) {
		d := found[no]
		if err := s.markDuplicate(ctx, no, d.keeper, d.items); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// markDuplicate records a delivered order's items as a duplicate of
// keeper's and refunds them.
func (s *Service) markDuplicate(ctx context.Context, tradeNo, keeper string, items []string) error {
	now := s.now()
	var started *shop.Refund
	o, err := s.store().UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
		started = nil
		var err error
		started, err = startDuplicate(o, keeper, items, now)
		if shop.ErrorCode(err) == shop.ENotOwned {
			return shop.ErrNoChange // refunded meanwhile
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("pay: duplicate %s: %w", tradeNo, err)
	}
	if started != nil {
		s.refundDuplicate(ctx, o, *started)
	} else if o.DuplicateOf != "" && o.DuplicateOf != keeper && gives(o, items) {
		s.log().ErrorContext(ctx, "pay: order duplicates two orders; refund it by hand", "trade_no", tradeNo, "keeper", keeper, "duplicate_of", o.DuplicateOf)
	}
	return nil
}

// startDuplicate starts the refund of o's duplicate items under the
// order's next refundTradeNo and returns it.
func startDuplicate(o *shop.Order, keeper string, items []string, now time.Time) (*shop.Refund, error) {
	seq := len(o.Refunds) + 1
	if seq > shop.MaxRefunds {
		return nil, shop.Coded(shop.ECONFLICT, shop.ETooManyRefunds, "order %s has too many refunds", o.TradeNo)
	}
	no := RefundTradeNo(o.TradeNo, seq)
	if err := o.StartDuplicateRefund(keeper, items, no, now); err != nil {
		return nil, err
	}
	r, _ := o.Refund(no)
	started := *r
	return &started, nil
}

// refundDuplicate sends the refund of a duplicate payment, stored
// PROCESSING on o, and returns the order as it then stands. Whatever
// happens, the report of the payment is answered: a refund the platform
// did not get is re-sent by the Reconciler under the same refundTradeNo,
// and one it refused is logged at ERROR and listed for attention.
func (s *Service) refundDuplicate(ctx context.Context, o shop.Order, r shop.Refund) shop.Order {
	s.log().WarnContext(ctx, "pay: duplicate payment, refunding", "trade_no", o.TradeNo, "duplicate_of", o.DuplicateOf,
		"refund_trade_no", r.RefundTradeNo, "refund_amt", int64(r.Amount), "user_id", o.UserID)
	if s.Platform == nil {
		s.log().ErrorContext(ctx, "pay: duplicate payment not refunded: no platform client", "trade_no", o.TradeNo, "refund_trade_no", r.RefundTradeNo)
		return o
	}
	rctx, cancel := context.WithTimeout(ctx, duplicateRefundTimeout)
	defer cancel()
	got, err := s.sendRefund(rctx, o, r)
	switch {
	case shop.ErrorCode(err) == ERefundRefused:
		// Recorded FAIL and logged at ERROR (settleRefund); listed for
		// attention until a person refunds it.
	case err != nil:
		s.log().WarnContext(ctx, "pay: duplicate refund left for the reconciler", "trade_no", o.TradeNo, "refund_trade_no", r.RefundTradeNo, "err", err)
	}
	if got.TradeNo == "" {
		return o
	}
	return got
}

// gives reports whether o gives the user one of the items.
func gives(o shop.Order, items []string) bool {
	for _, id := range items {
		if o.Gives(id) {
			return true
		}
	}
	return false
}
