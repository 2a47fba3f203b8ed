package intents

import (
	"context"
	"strings"

	"github.com/dingdang-voicepay/skill/device"
	"github.com/dingdang-voicepay/skill/device/screen"
)

// elementSelected handles Display.ElementSelected: tapping a product of a
// list ("product:<id>") buys it, as if the user had said "购买<name>".
func (d *Dialog) elementSelected(ctx context.Context, t *turn) (device.View, error) {
	id, ok := strings.CutPrefix(t.req.Request.Token, screen.ProductTokenPrefix)
	p, found := d.cfg.Catalog.Product(id)
	if !ok || !found {
		return d.fallback(ctx, t)
	}
	t.state = state{Intent: Buy}
	return d.sell(ctx, t, p, Buy)
}
