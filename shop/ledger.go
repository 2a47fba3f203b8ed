package shop

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Ledger keeps the books: the ledger rules applied to the orders in an
// OrderStore. It says what a user owns, records uses, and decides whether a
// new order may be taken; the refund policy is Refundable. Store and
// Catalog are required; Now defaults to time.Now.
//
// Ledger is safe for concurrent use: every change to an order goes through
// OrderStore.UpdateOrder and the order's state machine.
type Ledger struct {
	Store   OrderStore
	Catalog *Catalog
	Now     func() time.Time
}

func (l *Ledger) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// UserOrders returns the user's orders, newest first.
func (l *Ledger) UserOrders(ctx context.Context, userID string) ([]Order, error) {
	if userID == "" {
		return nil, Coded(EINVALID, ENoUser, "no user")
	}
	orders, err := l.Store.Orders(ctx, OrderFilter{UserID: userID})
	if err != nil {
		return nil, fmt.Errorf("shop: orders of user: %w", err)
	}
	return orders, nil
}

// Entitlements returns what the user owns, one entry per product in catalog
// order, folded from their orders (see Entitlements).
func (l *Ledger) Entitlements(ctx context.Context, userID string) ([]Entitlement, error) {
	orders, err := l.UserOrders(ctx, userID)
	if err != nil {
		return nil, err
	}
	return Entitlements(orders, l.Catalog), nil
}

// Owns reports whether the user has access to the product now: an
// entitlement bought, a subscription running, or consumable units left.
func (l *Ledger) Owns(ctx context.Context, userID, productID string) (bool, error) {
	ents, err := l.Entitlements(ctx, userID)
	if err != nil {
		return false, err
	}
	now := l.now()
	for _, e := range ents {
		if e.ProductID == productID {
			return e.Active(now), nil
		}
	}
	return false, nil
}

// CheckOwned applies the rule of taking an order of lines (checked by
// CheckLines) from the owner of orders: no line is a one-time product the
// owner already has (ECONFLICT, EAlreadyOwned).
func (l *Ledger) CheckOwned(orders []Order, lines []Line) error {
	now := l.now()
	for _, e := range Entitlements(orders, l.Catalog) {
		if e.Active(now) && slices.ContainsFunc(lines, func(ln Line) bool {
			p, _ := l.Catalog.Product(ln.ItemID)
			return ln.ItemID == e.ProductID && p.Kind.Once()
		}) {
			return Coded(ECONFLICT, EAlreadyOwned, "already owned")
		}
	}
	return nil
}

// errNoUnits makes a Use attempt on one order give way to the next.
var errNoUnits = errors.New("shop: no units left on order")

// Use records one use of a product by the user. A consumable is used up one
// unit at a time, from the oldest delivered order with units left (units
// being refunded are not left; the others are, also while the refund is
// under way); using one
// with none left is ENoneLeft. For entitlements and subscriptions it
// records a play on the newest order that gives access (a played purchase
// can no longer be refunded when the policy says unused_only); a product the
// user does not own is ENotOwned. Both are ECONFLICT.
func (l *Ledger) Use(ctx context.Context, userID, productID string) error {
	p, ok := l.Catalog.Product(productID)
	if !ok {
		return Coded(ENOTFOUND, EUnknownProduct, "no product %s", productID)
	}
	orders, err := l.UserOrders(ctx, userID)
	if err != nil {
		return err
	}
	now := l.now()
	var candidates []Order
	for _, o := range orders {
		if !o.usable(p.Kind.UsedUp()) {
			continue
		}
		if _, ok := o.Line(productID); ok {
			candidates = append(candidates, o)
		}
	}
	// Oldest delivery first.
	slices.SortStableFunc(candidates, func(a, b Order) int { return a.DeliveredAt.Compare(b.DeliveredAt) })

	if p.Kind.UsedUp() {
		for _, c := range candidates {
			_, err := l.Store.UpdateOrder(ctx, c.TradeNo, func(o *Order) error {
				if !o.usable(true) {
					return errNoUnits
				}
				err := o.Use(productID, true, now)
				if ErrorClass(err) == ECONFLICT {
					return errNoUnits
				}
				return err
			})
			if errors.Is(err, errNoUnits) {
				continue
			}
			if err != nil {
				return fmt.Errorf("shop: use %s on %s: %w", productID, c.TradeNo, err)
			}
			return nil
		}
		return Coded(ECONFLICT, ENoneLeft, "no %s left", productID)
	}

	owns, err := l.Owns(ctx, userID, productID)
	if err != nil {
		return err
	}
	if !owns {
		return Coded(ECONFLICT, ENotOwned, "%s not owned", productID)
	}
	// Record the play on the newest order that still gives access.
	for i := len(candidates) - 1; i >= 0; i-- {
		c := candidates[i]
		if c.RefundedQuantity(productID) > 0 {
			continue
		}
		if _, err := l.Store.UpdateOrder(ctx, c.TradeNo, func(o *Order) error {
			return o.Use(productID, false, now)
		}); err != nil {
			if ErrorClass(err) == ECONFLICT {
				continue // moved on meanwhile (a refund started)
			}
			return fmt.Errorf("shop: use %s on %s: %w", productID, c.TradeNo, err)
		}
		return nil
	}
	// Access is given by an order that cannot record a use (a refund is
	// pending on it): the user may still play.
	return nil
}
