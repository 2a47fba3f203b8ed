package intents

import (
	"context"
	"strings"

	"github.com/dingdang-voicepay/skill/device"
	"github.com/dingdang-voicepay/skill/skill"
)

// MyPurchases lists what the user owns. Sample utterances:
//
//	我买过什么
//	我的购买
//	查看已购
//	我还剩几个点数
//	会员什么时候到期
const MyPurchases = "my_purchases"

// myPurchases says what the user owns now: products bought, consumable
// units left, subscriptions with their end date; screens also get a card.
func (d *Dialog) myPurchases(ctx context.Context, t *turn) (device.View, error) {
	t.state = state{}
	ents, err := d.cfg.Pay.Entitlements(ctx, t.user())
	if err != nil {
		return device.View{}, err
	}
	var lines []string
	for _, e := range ents {
		p, ok := d.cfg.Catalog.Product(e.ProductID)
		if !ok || !e.Active(t.now) {
			continue
		}
		switch e.Kind {
		case skill.KindConsumable:
			lines = append(lines, p.Name+"还剩"+itoa(e.Quantity)+"个")
		case skill.KindSubscription:
			lines = append(lines, p.Name+"有效期到"+date(e.ExpiresAt))
		default:
			lines = append(lines, p.Name)
		}
	}
	if len(lines) == 0 {
		return say("你还没有购买过内容。可以说“有什么可以买”看看。"), nil
	}
	text := strings.Join(lines, "；")
	v := say("你已购买：" + text + "。")
	v.Result = &device.Result{Title: "我的购买", Text: text}
	return v, nil
}
