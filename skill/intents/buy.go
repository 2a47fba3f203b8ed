package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// Buy buys a product; slots product, or album and index (optional: asked
// for), and count (consumables: asked for; text like "3", "三", "3个", or a
// unit value). Sample utterances:
//
//	我要买{product}
//	购买{product}
//	购买{album}第{index}集
//	买{count}{product}
//	给我来{count}个{product}
//	续费{product}
//	我要买东西
const Buy = "buy"

// buy runs the purchase state machine: which product, how many, then the
// price and a confirmation question; an entitlement already owned plays
// instead of being charged again.
func (d *Dialog) buy(ctx context.Context, t *turn) (ui.View, error) {
	if t.state.Step == stepConfirm && t.slot(SlotProduct) == "" && t.slot(SlotAlbum) == "" && t.slot(SlotCount) == "" {
		if t.changesMind() { // "换一个" is no yes
			return d.askAnother(t), nil
		}
		return d.issue(ctx, t) // "买" to "确定购买吗？" is a yes
	}
	t.continues(Buy)
	p, v, ok, err := d.pick(ctx, t, Buy)
	if err != nil || !ok {
		return v, err
	}
	return d.sell(ctx, t, p, Buy)
}
