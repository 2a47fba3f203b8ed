package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
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
	if owns {
		return d.start(ctx, t, p, "")
	}
	return d.offerToPlay(ctx, t, p)
}

// offerToPlay asks whether to buy content the user asked to hear, with its
// full name and price (a purchase is never confirmed without both), unless
// an order of it waits for payment.
func (d *Dialog) offerToPlay(ctx context.Context, t *turn, p shop.Product) (ui.View, error) {
	return d.offer(ctx, t, p, 1, Play, p.Name+"是付费内容，"+p.Price.Yuan()+"，要购买吗？")
}
