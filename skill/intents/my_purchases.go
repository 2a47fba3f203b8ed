package intents

import (
	"context"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
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
		return d.nothingOwned(ctx, t)
	}
	refunding, err := d.refunding(ctx, t)
	if err != nil {
		return ui.View{}, err
	}
	status = append(status, refunding...)
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

// nothingOwned answers a user who owns nothing now, from their orders: one
// that waits for payment, a refund under way, a purchase whose product left
// the catalog, or purchases all refunded are said as such, not as "never
// bought anything" (nor a purchase delisted as refunded).
func (d *Dialog) nothingOwned(ctx context.Context, t *turn) (ui.View, error) {
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return ui.View{}, err
	}
	refunded, delisted := false, false
	for _, o := range orders { // newest first
		switch {
		case o.State == shop.StateCreated && t.now.Before(o.ExpiresAt):
			return say(d.orderName(o) + "的订单还在等待付款，付款后就能使用。"), nil
		case purchased(o) && o.State != shop.StateRefunded && d.delisted(o):
			delisted = true // paid for, not refunded, and not owned: its product left the catalog
		case purchased(o):
			refunded = true
		}
	}
	if refunding, err := d.refunding(ctx, t); err != nil || len(refunding) > 0 {
		return say(strings.Join(refunding, "。") + "，会原路退回。"), err
	}
	if delisted {
		return say("你买过的内容已经下架了，如需退款" + d.askSupport()), nil
	}
	if refunded {
		return say("你买过的内容都已经退款了。可以说“有什么可以买”看看。"), nil
	}
	return say("你还没有购买过内容。可以说“有什么可以买”看看。"), nil
}

// refunding says what the user's refunds under way take back, one clause
// each: "听书币3个正在退款". Those units are no longer owned
// (shop.Entitlements), so "我还剩几个" says where they went.
func (d *Dialog) refunding(ctx context.Context, t *turn) ([]string, error) {
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range orders {
		for _, r := range o.Refunds {
			if r.Status == shop.RefundProcessing {
				out = append(out, d.linesName(r.Details)+"正在退款")
			}
		}
	}
	return out, nil
}
