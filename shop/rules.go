package shop

import (
	"fmt"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// Codes of the ledger's refusals, in the *Error's Code. Each is short,
// stable and fits a pay reply's retMsg; the refusing function sets the
// class.
const (
	// Orders asked for.
	ENoItems        = "no_items"           // an order with no lines
	ETooManyItems   = "too_many_items"     // more lines than MaxLines
	EBadItemID      = "bad_item_id"        // an item id that is empty or too long
	EDuplicateItem  = "duplicate_item"     // one item on two lines
	EUnknownItem    = "unknown_item"       // an item that is not in the catalog
	EBadQuantity    = "bad_quantity"       // a quantity outside 1..Product.MaxUnits
	EQuantityNotOne = "quantity_must_be_1" // more than one of a one-time product
	EBadTotal       = "bad_total"          // a total that is not positive
	EAmountOverflow = "amount_overflow"    // a line total or sum that overflows int64
	EAmountMismatch = "amount_mismatch"    // a line amount other than price × quantity
	ETotalMismatch  = "total_mismatch"     // a total other than the sum of the lines (or the order's)
	EAlreadyOwned   = "already_owned"      // a one-time product the user has
	ENoUser         = "no_user"            // no user to keep the order for
	EBadID          = "bad_id"             // an id with control characters or not UTF-8
	EBusy           = "busy"               // the dialog or replay memory is full: too many at once

	// Using what was bought.
	EUnknownProduct = "unknown_product" // a product that is not in the catalog
	ENotOwned       = "not_owned"       // a product the user has no access to
	ENoneLeft       = "none_left"       // a consumable used up
	ENotDelivered   = "not_delivered"   // an order that gives nothing (yet)
	ENoSuchLine     = "no_such_item"    // an item that is not on the order

	// The order's state machine.
	EIllegalMove = "illegal_transition"        // a move the state machine forbids
	EPaidByOther = "paid_by_other_transaction" // a second payment of a delivered order
	ENotExpired  = "not_expired"               // closing an order still waiting for payment

	// Refunds.
	ENotPaid         = "not_paid"             // nothing paid, nothing to refund
	ERefundPending   = "refund_in_progress"   // a refund is being processed
	EFullyRefunded   = "already_refunded"     // all of it was refunded
	ENotRefundable   = "not_refundable"       // the product allows no refund
	ERefundWindow    = "refund_window_over"   // past the product's refund window
	EAlreadyUsed     = "already_used"         // used, and the product refunds only unused
	EBadRefundAmount = "bad_refund_amount"    // nothing, or more than is left
	EBadRefundLine   = "bad_refund_line"      // a refund line the order cannot give back
	ETooManyRefunds  = "too_many_refunds"     // past MaxRefunds
	EUnknownRefund   = "unknown_refund"       // no refund with that number
	ERefundFinal     = "refund_already_final" // a final refund told another outcome
	EBadRefundStatus = "bad_refund_status"    // a status the pay document does not define
	ENoDuplicate     = "no_duplicate_owed"    // no failed duplicate refund to send again
)

// Bounds of an order.
const (
	MaxLines   = 100 // lines of one order
	MaxItemID  = 32  // bytes of an item id (the pay document's bound)
	MaxRefunds = 99  // refunds of one order (refundTradeNo has two digits)
)

// CheckID refuses an id (a user, a session, a token) that holds a control
// character or is not valid UTF-8: such ids cannot be stored faithfully
// and have no business in a request. The error is EINVALID with code
// EBadID; what names the id (e.g. "userToken") leads its message.
func CheckID(what, id string) error {
	if !utf8.ValidString(id) {
		return Coded(EINVALID, EBadID, "%s is not UTF-8", what)
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return Coded(EINVALID, EBadID, "%s has a control character", what)
		}
	}
	return nil
}

// CheckLines checks order lines against the catalog: between 1 and
// MaxLines lines of distinct known items, each with a quantity within
// bounds (exactly 1 of a one-time product) and an amount of exactly price ×
// quantity, and a total that is their sum. The error is EINVALID with one
// of the codes above.
func CheckLines(cat *Catalog, lines []Line, total Fen) error {
	switch {
	case len(lines) == 0:
		return Coded(EINVALID, ENoItems, "no items")
	case len(lines) > MaxLines:
		return Coded(EINVALID, ETooManyItems, "more than %d items", MaxLines)
	case total <= 0:
		return Coded(EINVALID, EBadTotal, "total must be > 0")
	}
	seen := make(map[string]bool, len(lines))
	var sum Fen
	for _, l := range lines {
		if l.ItemID == "" || len(l.ItemID) > MaxItemID {
			return Coded(EINVALID, EBadItemID, "item id must be 1..%d bytes", MaxItemID)
		}
		if seen[l.ItemID] {
			return Coded(EINVALID, EDuplicateItem, "an item is on two lines")
		}
		seen[l.ItemID] = true
		p, ok := cat.Product(l.ItemID)
		if !ok {
			return Coded(EINVALID, EUnknownItem, "no such item")
		}
		if l.Quantity < 1 || l.Quantity > p.MaxUnits() {
			return Coded(EINVALID, EBadQuantity, "quantity must be 1..%d", p.MaxUnits())
		}
		if p.Kind.Once() && l.Quantity != 1 {
			return Coded(EINVALID, EQuantityNotOne, "a one-time product is bought once")
		}
		want, err := MulFen(p.Price, l.Quantity)
		if err != nil {
			return Coded(EINVALID, EAmountOverflow, "amount overflows")
		}
		if l.Amount != want {
			return Coded(EINVALID, EAmountMismatch, "amount is not price × quantity")
		}
		if sum, err = AddFen(sum, l.Amount); err != nil {
			return Coded(EINVALID, EAmountOverflow, "total overflows")
		}
	}
	if total != sum {
		return Coded(EINVALID, ETotalMismatch, "total is not the sum of the amounts")
	}
	return nil
}

// Refundable returns what of the order may be refunded now, line by line,
// and its total: the refund policy. The order must be DELIVERED or
// PARTIALLY_REFUNDED; a line's product must allow refunds (catalog
// refund.allowed) and be within refund.within_days of delivery (0: no
// limit); what was refunded or is being refunded is not refundable again;
// with refund.unused_only, used units are not refundable: the unused
// credits of a consumable still are, a played episode is not. When nothing
// is refundable the error says why: an EINVALID *Error with a specific code
// and a message that can be said to the user as is.
func Refundable(o Order, cat *Catalog, now time.Time) ([]Line, Fen, error) {
	switch o.State {
	case StateDelivered, StatePartiallyRefunded:
	case StateRefunding:
		return nil, 0, Coded(EINVALID, ERefundPending, "这笔订单的退款正在处理中")
	case StateRefunded:
		return nil, 0, Coded(EINVALID, EFullyRefunded, "这笔订单已经全部退款了")
	default:
		return nil, 0, Coded(EINVALID, ENotPaid, "这笔订单还没有付款成功，不能退款")
	}
	var lines []Line
	var total Fen
	why := Coded(EINVALID, EFullyRefunded, "这笔订单已经全部退款了")
	for _, l := range o.Details {
		p, ok := cat.Product(l.ItemID)
		if !ok || !p.Refund.Allowed {
			why = Coded(EINVALID, ENotRefundable, "这个商品不支持退款")
			continue
		}
		if d := p.Refund.WithinDays; d > 0 && now.After(refundDeadline(o, l.ItemID, d)) {
			why = Coded(EINVALID, ERefundWindow, "%s", fmt.Sprintf("已超过%d天退款期限", d))
			continue
		}
		doneQty, doneAmt := o.RefundCommitted(l.ItemID)
		units := l.Quantity - doneQty
		if used := o.Uses[l.ItemID]; p.Refund.UnusedOnly && used > 0 {
			units = min(units, p.Kind.Unused(l.Quantity, o.RefundedQuantity(l.ItemID), used))
			switch {
			case units > 0:
			case doneQty > 0 && p.Kind.UsedUp(): // the unused ones were refunded, the rest used
				why = Coded(EINVALID, EAlreadyUsed, "%s", fmt.Sprintf("没用过的%d个已经退款，其余%d个已经用掉了", doneQty, l.Quantity-doneQty))
			default:
				why = Coded(EINVALID, EAlreadyUsed, "已经使用过的商品不能退款")
			}
		}
		if units <= 0 {
			continue
		}
		amount := l.Amount - doneAmt // all that is left of the line
		if units < l.Quantity-doneQty {
			some, err := MulFen(l.Amount/Fen(l.Quantity), units)
			if err != nil {
				return nil, 0, err
			}
			amount = min(amount, some)
		}
		lines = append(lines, Line{ItemID: l.ItemID, Quantity: units, Amount: amount})
		total += amount // bounded by the order total, which did not overflow
	}
	if total <= 0 {
		return nil, 0, why
	}
	return lines, total, nil
}

// refundDeadline is when the refund window of days of the order's item
// ends: that long after delivery, or, when a refund of it asked within it
// failed on the platform, that long after it failed: the user asked in
// time, and the platform's failure takes no right away (it said "已超过7天退
// 款期限" to the retry the dialog invited). Only refunds asked within the
// first window count: a retry that fails again gives no more time.
func refundDeadline(o Order, itemID string, days int) time.Time {
	window := time.Duration(days) * 24 * time.Hour
	first := o.DeliveredAt.Add(window)
	end := first
	for _, r := range o.Refunds {
		of := slices.ContainsFunc(r.Details, func(l Line) bool { return l.ItemID == itemID }) // the item's own refunds only
		if of && r.Status == RefundFail && !r.CreatedAt.After(first) && r.UpdatedAt.Add(window).After(end) {
			end = r.UpdatedAt.Add(window)
		}
	}
	return end
}
