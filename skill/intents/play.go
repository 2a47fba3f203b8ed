package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// Play plays purchased content; slot product. Sample utterances:
//
//	播放{product}
//	我要听{product}
//	继续听{product}
//	放一下{product}
const Play = "play"

// play plays what the user owns (recording the use); for what they do not
// own it says the price and asks whether to buy it. After payment, the
// platform may replay this intent: the entitlement check makes it play.
func (d *Dialog) play(ctx context.Context, t *turn) (ui.View, error) {
	t.continues(Play)
	p, v, ok, err := d.pick(ctx, t, Play)
	if err != nil || !ok {
		return v, err
	}
	owns, err := d.owns(ctx, t, p.ID)
	if err != nil {
		return ui.View{}, err
	}
	if owns {
		return d.start(ctx, t, p, "")
	}
	return d.confirm(t, p, 1, Play, "这是付费内容，"+p.Price.Yuan()+"，要购买吗？")
}
