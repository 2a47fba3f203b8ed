package intents

import (
	"context"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// MyPurchases lists what the user owns. Sample utterances:
//
//	我买过什么
//	我的购买
//	查看已购
//	我还剩几个点数
//	会员什么时候到期
const MyPurchases = "my_purchases"

// myPurchases says what the user has bought and not had refunded: products,
// consumable units left (or used up), subscriptions with their end date (or
// when they ended); screens also get a card.
func (d *Dialog) myPurchases(ctx context.Context, t *turn) (ui.View, error) {
	t.state = state{}
	ents, err := d.cfg.Ledger.Entitlements(ctx, t.user())
	if err != nil {
		return ui.View{}, err
	}
	var lines []string
	for _, e := range ents {
		p, ok := d.cfg.Catalog.Product(e.ProductID)
		if !ok {
			continue
		}
		switch {
		case e.Kind.UsedUp() && e.Quantity > 0:
			lines = append(lines, p.Name+"还剩"+itoa(e.Quantity)+"个")
		case e.Kind.UsedUp():
			lines = append(lines, p.Name+"已经用完了")
		case e.Kind.Timed() && e.Active(t.now):
			lines = append(lines, p.Name+"有效期到"+date(e.ExpiresAt))
		case e.Kind.Timed():
			lines = append(lines, p.Name+"已于"+date(e.ExpiresAt)+"到期")
		default:
			lines = append(lines, p.Name)
		}
	}
	if len(lines) == 0 {
		return say("你还没有购买过内容。可以说“有什么可以买”看看。"), nil
	}
	text := strings.Join(lines, "；")
	v := say("你已购买：" + text + "。")
	v.Result = &ui.Result{Title: "我的购买", Text: text}
	return v, nil
}
