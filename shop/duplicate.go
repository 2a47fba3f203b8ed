package shop

import (
	"slices"
	"strings"
	"time"
)

// A user is never charged net more than once for a one-time product. Two
// orders of it can both be paid: both were created before either was paid
// (two offers said yes to, or an order placed in the phone app while
// another waits). The platform has taken the money by then, so the second
// payment is recorded and refunded in full, and the order says why
// (DuplicateOf and its history). These are the rules; the pay service
// applies them when a payment is reported.

// DuplicateCause starts the history cause of a duplicate payment's refund;
// the keeper's tradeNo follows it.
const DuplicateCause = "duplicate payment: already owned via "

// DuplicateReason is the refund reason sent to the platform (refundDesc).
const DuplicateReason = "重复购买自动退款"

// Gives reports whether the order gives the user the item now: it was
// delivered, it has the item, and no refund took or is taking all of it
// back.
func (o *Order) Gives(itemID string) bool {
	if !owning(o) {
		return false
	}
	l, ok := o.Line(itemID)
	if !ok {
		return false
	}
	qty, _ := o.RefundCommitted(itemID)
	return qty < l.Quantity
}

// Keeper returns which of the orders gives the one-time product to the
// user: of those that give it (Gives), the first delivered (ties broken by
// tradeNo, so every caller picks the same one), and the others, which are
// duplicates. An order already recorded as a duplicate of this product
// comes after the others: one whose refund failed gives the product
// again, and must not turn its keeper into its duplicate (that would
// refund the keeper too). An order that was a duplicate of another product
// only ranks as any other for this one (ranked last, it kept a later order
// of this product, and neither was refunded).
// ok is false when none gives it.
func Keeper(orders []Order, productID string) (keeper Order, dups []Order, ok bool) {
	var givers []Order
	for _, o := range orders {
		if o.Gives(productID) {
			givers = append(givers, o)
		}
	}
	if len(givers) == 0 {
		return Order{}, nil, false
	}
	slices.SortFunc(givers, func(a, b Order) int {
		if ad, bd := a.duplicates(productID), b.duplicates(productID); ad != bd {
			if ad {
				return 1
			}
			return -1
		}
		if c := a.DeliveredAt.Compare(b.DeliveredAt); c != 0 {
			return c
		}
		return strings.Compare(a.TradeNo, b.TradeNo)
	})
	return givers[0], givers[1:], true
}

// duplicates reports whether o was found a duplicate payment for the
// product: a refund of it with DuplicateReason.
func (o *Order) duplicates(productID string) bool {
	return slices.ContainsFunc(o.Refunds, func(r Refund) bool {
		return r.Reason == DuplicateReason && slices.ContainsFunc(r.Details, func(l Line) bool { return l.ItemID == productID })
	})
}

// OnceItems returns the order's items that are one-time products.
func (o *Order) OnceItems(cat *Catalog) []string {
	var out []string
	for _, l := range o.Details {
		if p, ok := cat.Product(l.ItemID); ok && p.Kind.Once() {
			out = append(out, l.ItemID)
		}
	}
	return out
}

// StartDuplicateRefund records that the payment of the order's items is a
// duplicate of keeper's and starts their refund in full, numbered
// refundTradeNo: the order must be paid (PAID, not delivered: all its lines
// are duplicates) or give the items (delivered, a race lost to keeper). The
// history says why. An order already recorded as a duplicate returns
// ErrNoChange: the refund is started once, and retried under its number.
func (o *Order) StartDuplicateRefund(keeper string, items []string, refundTradeNo string, at time.Time) error {
	if o.DuplicateOf != "" {
		return ErrNoChange
	}
	if keeper == "" || keeper == o.TradeNo || len(items) == 0 {
		return Coded(EINVALID, EBadRefundLine, "no duplicate to refund")
	}
	r := Refund{RefundTradeNo: refundTradeNo, Reason: DuplicateReason}
	for _, id := range items {
		l, ok := o.Line(id)
		if !ok {
			return Coded(EINVALID, EBadRefundLine, "order %s has no item %s", o.TradeNo, id)
		}
		if o.State != StatePaid && !o.Gives(id) {
			return Coded(ECONFLICT, ENotOwned, "order %s does not give %s", o.TradeNo, id)
		}
		r.Details = append(r.Details, l)
		var err error
		if r.Amount, err = AddFen(r.Amount, l.Amount); err != nil {
			return err
		}
	}
	if err := o.joinRefund(r, DuplicateCause+keeper+"; refund "+refundTradeNo, at); err != nil {
		return err
	}
	o.DuplicateOf = keeper
	return nil
}

// joinRefund starts r as startRefund does or, when another refund is
// pending (REFUNDING), adds r beside it: FinishRefund settles each.
func (o *Order) joinRefund(r Refund, cause string, at time.Time) error {
	if o.State != StateRefunding {
		return o.startRefund(r, cause, at)
	}
	if err := o.checkRefund(r); err != nil {
		return err
	}
	o.History = append(o.History, Transition{From: o.State, To: o.State, At: at.UTC(), Cause: cause})
	o.UpdatedAt = at.UTC()
	o.addRefund(r, at)
	return nil
}

// DuplicateOwed returns what the user still paid twice for on this order
// (UnrefundedDuplicate): the lines of the failed refund that no refund
// since took back, in full, and their amount. ok is false when nothing is
// owed.
func (o *Order) DuplicateOwed() (lines []Line, amount Fen, ok bool) {
	failed, owed := o.UnrefundedDuplicate()
	if !owed {
		return nil, 0, false
	}
	for _, l := range failed.Details {
		qty, amt := o.RefundCommitted(l.ItemID)
		if qty >= l.Quantity || amt >= l.Amount {
			continue
		}
		left := Line{ItemID: l.ItemID, Quantity: l.Quantity - qty, Amount: l.Amount - amt}
		lines = append(lines, left)
		amount += left.Amount // bounded by the failed refund's amount
	}
	return lines, amount, len(lines) > 0
}

// RefundDuplicateAgain starts again, numbered refundTradeNo, the refund of
// the duplicate payment the platform failed: in full, what DuplicateOwed
// says. The platform's FAIL is its last word on the first refund, so this
// is a person's decision (an operator's, or the user's asking for exactly
// that refund), never the system's, and no refund policy applies to it:
// the user paid twice, whatever the product's refund window or the
// order's state (PAID when nothing else was bought). The reason is
// DuplicateReason again, so a second failure is listed as the first was.
// An order that owes no duplicate refund returns an ENoDuplicate error.
func (o *Order) RefundDuplicateAgain(refundTradeNo string, at time.Time) (Refund, error) {
	lines, amount, owed := o.DuplicateOwed()
	if !owed {
		return Refund{}, Coded(EINVALID, ENoDuplicate, "order %s owes no duplicate refund", o.TradeNo)
	}
	r := Refund{RefundTradeNo: refundTradeNo, Reason: DuplicateReason, Details: lines, Amount: amount}
	if err := o.joinRefund(r, "duplicate payment refunded again by hand; refund "+refundTradeNo, at); err != nil {
		return Refund{}, err
	}
	return r, nil
}

// UnrefundedDuplicate returns the refund of the order's duplicate payment
// (StartDuplicateRefund) when the platform failed it and no refund of its
// lines succeeded or is pending since: the user paid twice for a one-time
// product. The platform's FAIL is final and nothing sends that refund
// again by itself (money is not moved again blindly): the order stays
// open (Order.Open), for a person to refund, whatever its state.
func (o *Order) UnrefundedDuplicate() (Refund, bool) {
	if o.DuplicateOf == "" {
		return Refund{}, false
	}
	for _, r := range o.Refunds {
		if r.Reason != DuplicateReason || r.Status != RefundFail {
			continue
		}
		for _, l := range r.Details {
			if qty, _ := o.RefundCommitted(l.ItemID); qty < l.Quantity {
				return r, true
			}
		}
	}
	return Refund{}, false
}
