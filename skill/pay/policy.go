package pay

import (
	"fmt"
	"time"

	"github.com/dingdang-voicepay/skill/skill"
)

// RefundPolicy reports why the order cannot be refunded now, or nil when it
// can. The error is an EINVALID *skill.Error whose message can be said to the
// user as is. The order must be DELIVERED or PARTIALLY_REFUNDED, and each of
// its products must allow refunds (catalog refund.allowed), be within
// refund.within_days of delivery (0 means no limit) and, when
// refund.unused_only, never have been used.
func (s *Service) RefundPolicy(o skill.Order, now time.Time) error {
	switch o.State {
	case skill.StateDelivered, skill.StatePartiallyRefunded:
	case skill.StateRefunding:
		return skill.Errorf(skill.EINVALID, "这笔订单的退款正在处理中")
	case skill.StateRefunded:
		return skill.Errorf(skill.EINVALID, "这笔订单已经全部退款了")
	default:
		return skill.Errorf(skill.EINVALID, "这笔订单还没有付款成功，不能退款")
	}
	for _, l := range o.Details {
		p, ok := s.Catalog.Product(l.ItemID)
		if !ok || !p.Refund.Allowed {
			return skill.Errorf(skill.EINVALID, "这个商品不支持退款")
		}
		if d := p.Refund.WithinDays; d > 0 && now.After(o.DeliveredAt.Add(time.Duration(d)*24*time.Hour)) {
			return skill.Errorf(skill.EINVALID, "%s", fmt.Sprintf("已超过%d天退款期限", d))
		}
		if p.Refund.UnusedOnly && o.Uses[l.ItemID] > 0 {
			return skill.Errorf(skill.EINVALID, "已经使用过的商品不能退款")
		}
	}
	return nil
}
