package intents

import (
	"context"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// elementSelected handles Display.ElementSelected: tapping a product of a
// list ("product:<id>"). A tap on a product of the pending "which one?"
// answers it, for its purpose (play or buy); any other tap buys, as if the
// user had said "购买<name>".
func (d *Dialog) elementSelected(ctx context.Context, t *turn) (ui.View, error) {
	id, ok := strings.CutPrefix(t.req.Request.Token, ui.ProductTokenPrefix)
	p, found := d.cfg.Catalog.Product(id)
	if !ok || !found {
		return d.fallback(ctx, t)
	}
	if !t.offered(id) {
		t.state = state{Intent: Buy}
	}
	return d.chosen(ctx, t, p)
}
