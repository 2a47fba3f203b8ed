package intents

import (
	"context"
	"encoding/json"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Play plays purchased content; slots product, or album and index (the
// platform's audio-book model: "播放万古神帝第35集" is album 万古神帝, index
// 35). Sample utterances:
//
//	播放{product}
//	我要听{product}
//	播放{album}第{index}集
//	我要听{album}第{index}集
//	继续听{product}
//	放一下{product}
const Play = "play"

// play plays what the user owns (recording the use); for what they do not
// own it says the price and asks whether to buy it, unless an order of it
// waits for payment. After payment, the platform may replay this intent,
// before or after its ship notify: the entitlement check, or the order
// query of the waiting order, makes it play.
func (d *Dialog) play(ctx context.Context, t *turn) (ui.View, error) {
	t.continues(Play)
	p, v, ok, err := d.pick(ctx, t, Play)
	if err != nil || !ok {
		return v, err
	}
	return d.playProduct(ctx, t, p)
}

// playProduct plays a chosen product if the user owns it, and otherwise
// offers it.
func (d *Dialog) playProduct(ctx context.Context, t *turn, p shop.Product) (ui.View, error) {
	owns, err := d.owns(ctx, t, p.ID)
	if err != nil {
		return ui.View{}, err
	}
	if !owns {
		return d.offerToPlay(ctx, t, p)
	}
	if o, ok, err := d.unresumed(ctx, t, p); err != nil || ok {
		if err != nil {
			return ui.View{}, err
		}
		return d.resume(ctx, t, o)
	}
	return d.start(ctx, t, p, "")
}

// unresumed finds the user's paid order of a product used up unit by unit
// whose original request was this very "play" and has not resumed yet:
// after payment the platform may replay that request (pic/pay3) as well as
// send the jump, and whichever comes first is the one resume, so that a
// unit is used once for it, not twice.
func (d *Dialog) unresumed(ctx context.Context, t *turn, p shop.Product) (shop.Order, bool, error) {
	if !p.Kind.UsedUp() {
		return shop.Order{}, false, nil // playing again uses nothing
	}
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return shop.Order{}, false, err
	}
	for _, o := range orders {
		if o.State != shop.StateDelivered || !o.ResumedAt.IsZero() || len(o.Details) == 0 || o.Details[0].ItemID != p.ID {
			continue
		}
		var original tsk.Intent
		if json.Unmarshal(o.Intent, &original) == nil && original.Name == Play {
			return o, true, nil
		}
	}
	return shop.Order{}, false, nil
}

// offerToPlay asks whether to buy content the user asked to hear, with its
// full name and price (a purchase is never confirmed without both), unless
// an order of it waits for payment.
func (d *Dialog) offerToPlay(ctx context.Context, t *turn, p shop.Product) (ui.View, error) {
	final := "，要购买吗？"
	if !p.Refund.Allowed {
		final = "，购买后不能退款，要购买吗？" // said before the yes, as a purchase says it (sure)
	}
	return d.offer(ctx, t, p, 1, Play, p.Name+"是付费内容，"+p.Price.Yuan()+final)
}
