package intents

import (
	"context"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// elementSelected handles Display.ElementSelected: tapping a product of a
// list ("product:<id>"). A tap on a product of the pending "which one?"
// answers it, for its purpose (play, buy or refund), and so does a tap on
// another of a refund's list while one waits for its yes; any other tap
// buys, as if the user had said "购买<name>". A tap on a card (no product)
// while a question waits asks it again.
func (d *Dialog) elementSelected(ctx context.Context, t *turn) (ui.View, error) {
	id, ok := strings.CutPrefix(t.req.Request.Token, ui.ProductTokenPrefix)
	p, found := d.cfg.Catalog.Product(id)
	if !ok || !found {
		if t.state.Step != stepNone { // a tap on a card, not a list: the question stands
			return d.help(ctx, t)
		}
		return d.fallback(ctx, t)
	}
	if t.state.Step == stepRefund {
		// Another of the refund list tapped while one waits for its yes:
		// that one's refund (it bought, or played, what was tapped). A
		// product the user does not own is a purchase, as ever.
		owns, err := d.owns(ctx, t, id)
		if err != nil {
			return ui.View{}, err
		}
		if owns {
			t.state = state{}
			return d.refundOf(ctx, t, []string{id}, 0)
		}
	}
	if !t.offered(id) {
		t.state = state{Intent: Buy}
	}
	return d.chosen(ctx, t, p)
}
