package pay

import (
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// RefundPolicy reports why nothing of the order can be refunded now, or nil
// when something can (see Refundable). The error is an EINVALID *shop.Error
// whose message can be said to the user as is.
func (s *Service) RefundPolicy(o shop.Order, now time.Time) error {
	_, _, err := s.Refundable(o, now)
	return err
}

// Refundable returns what of the order may be refunded now, line by line,
// and its total. The order must be DELIVERED or PARTIALLY_REFUNDED; a line's
// product must allow refunds (catalog refund.allowed) and be within
// refund.within_days of delivery (0: no limit); what was refunded or is
// being refunded is not refundable again; with refund.unused_only, used units
// are not refundable: the unused credits of a consumable still are, a played
// episode is not. When nothing is refundable the error says why, as an
// EINVALID *shop.Error whose message can be said to the user as is.
func (s *Service) Refundable(o shop.Order, now time.Time) ([]shop.Line, shop.Fen, error) {
	switch o.State {
	case shop.StateDelivered, shop.StatePartiallyRefunded:
	case shop.StateRefunding:
		return nil, 0, shop.Errorf(shop.EINVALID, "这笔订单的退款正在处理中")
	case shop.StateRefunded:
		return nil, 0, shop.Errorf(shop.EINVALID, "这笔订单已经全部退款了")
	default:
		return nil, 0, shop.Errorf(shop.EINVALID, "这笔订单还没有付款成功，不能退款")
	}
	var lines []shop.Line
	var total shop.Fen
	why := shop.Errorf(shop.EINVALID, "这笔订单已经全部退款了")
	for _, l := range o.Details {
		p, ok := s.Catalog.Product(l.ItemID)
		if !ok || !p.Refund.Allowed {
			why = shop.Errorf(shop.EINVALID, "这个商品不支持退款")
			continue
		}
		if d := p.Refund.WithinDays; d > 0 && now.After(o.DeliveredAt.Add(time.Duration(d)*24*time.Hour)) {
			why = shop.Errorf(shop.EINVALID, "%s", fmt.Sprintf("已超过%d天退款期限", d))
			continue
		}
		doneQty, doneAmt := o.RefundCommitted(l.ItemID)
		units := l.Quantity - doneQty
		if used := o.Uses[l.ItemID]; p.Refund.UnusedOnly && used > 0 {
			units = min(units, p.Kind.Unused(l.Quantity, o.RefundedQuantity(l.ItemID), used))
			if units <= 0 {
				why = shop.Errorf(shop.EINVALID, "已经使用过的商品不能退款")
			}
		}
		if units <= 0 {
			continue
		}
		amount, err := shop.MulFen(l.Amount/shop.Fen(l.Quantity), units)
		if err != nil {
			return nil, 0, err
		}
		amount = min(amount, l.Amount-doneAmt)
		lines = append(lines, shop.Line{ItemID: l.ItemID, Quantity: units, Amount: amount})
		total += amount // bounded by the order total, which did not overflow
	}
	if total <= 0 {
		return nil, 0, why
	}
	return lines, total, nil
}
