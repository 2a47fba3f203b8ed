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
	var owned, status, lines []string // owned: plain products; status: sentences on what is left
	for _, e := range ents {
		p, ok := d.cfg.Catalog.Product(e.ProductID)
		if !ok {
			continue
		}
		var line string
		switch {
		case e.Kind.UsedUp() && e.Quantity > 0:
			line = p.Name + "还剩" + itoa(e.Quantity) + "个"
		case e.Kind.UsedUp():
			line = p.Name + "已经用完了"
		case e.Kind.Timed() && e.Active(t.now):
			line = p.Name + "有效期到" + date(e.ExpiresAt)
		case e.Kind.Timed():
			line = p.Name + "已于" + date(e.ExpiresAt) + "到期"
		default:
			owned = append(owned, p.Name)
			lines = append(lines, p.Name)
			continue
		}
		status = append(status, line)
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return say("你还没有购买过内容。可以说“有什么可以买”看看。"), nil
	}
	// "你已购买：万古神帝第35集。听书币还剩3个。": what is left of a product is
	// a sentence of its own, never "你已购买：听书币已经用完了".
	var speech strings.Builder
	if len(owned) > 0 {
		speech.WriteString("你已购买：" + strings.Join(owned, "、") + "。")
	}
	for _, s := range status {
		speech.WriteString(s + "。")
	}
	v := say(speech.String())
	v.Result = &ui.Result{Title: "我的购买", Text: strings.Join(lines, "；")}
	return v, nil
}
