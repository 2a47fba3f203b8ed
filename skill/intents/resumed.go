package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// resumeOnce marks the order's original request resumed (shop.Ledger.Resume)
// and reports whether this turn is the one to resume it: the post-payment
// jump resumes at most once per order, however often the platform (or
// anyone replaying its request) sends it. The order is returned as stored.
func (d *Dialog) resumeOnce(ctx context.Context, o shop.Order) (shop.Order, bool, error) {
	stored, first, err := d.cfg.Ledger.Resume(ctx, o.TradeNo)
	switch {
	case err == nil:
		return stored, first, nil
	case shop.ErrorClass(err) == shop.ECONFLICT:
		// It moved on meanwhile (a refund started): nothing to resume.
		return o, false, nil
	}
	return o, false, err
}

// resumed answers a post-payment jump for an order resumed already: the
// order's result again, with what it unlocked, using nothing (no play is
// recorded, no credit spent).
func (d *Dialog) resumed(ctx context.Context, t *turn, o shop.Order) (ui.View, error) {
	if o.State == shop.StateRefunding || o.State == shop.StateRefunded {
		return say("这笔订单已经退款了。"), nil
	}
	name := d.orderName(o)
	v := say("这笔订单已经完成了：" + name + "已购买成功。")
	v.Result = &ui.Result{Title: "购买成功", Text: name + "，" + o.TotalAmt.Yuan()}
	if len(o.Details) == 0 {
		return v, nil
	}
	p, ok := d.cfg.Catalog.Product(o.Details[0].ItemID)
	if !ok {
		return v, nil
	}
	e, err := d.entitlement(ctx, t, p.ID)
	if err != nil {
		return ui.View{}, err
	}
	switch {
	case p.Kind.UsedUp():
		left := int64(0)
		if e != nil {
			if left, err = d.usableUnits(ctx, t, p, *e); err != nil {
				return ui.View{}, err
			}
		}
		v.Speech += p.Name + "现在有" + itoa(left) + "个。"
	case p.Kind.Timed() && e != nil && e.Active(t.now):
		v.Speech += p.Name + "有效期到" + t.date(e.ExpiresAt) + "。"
	case p.Content.Audio != "" && e != nil && e.Active(t.now):
		v.Speech += "说“播放" + p.Name + "”就可以收听。"
	}
	return v, nil
}
