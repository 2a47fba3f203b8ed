package intents

import (
	"context"
	"slices"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// Cancel stops the conversation. Sample utterances:
//
//	取消
//	退出
//	停止
//	再见
const Cancel = "cancel"

// cancel ends the session and forgets anything pending.
func (d *Dialog) cancel(ctx context.Context, t *turn) (ui.View, error) {
	if v, ok := d.unpaidLeft(ctx, t); ok {
		return v, nil
	}
	return t.drop(), nil
}

// unpaidLeft answers "取消订单" (or a no) said with nothing pending while an
// order the user placed waits for payment: it stays, and costs nothing
// unpaid ("好的，再见。" left the user wondering whether it was cancelled).
func (d *Dialog) unpaidLeft(ctx context.Context, t *turn) (ui.View, bool) {
	said := t.req.Request.QueryText
	if t.begun() || t.user() == "" || !saysAny(said, "订单", "买", "要了") {
		return ui.View{}, false // "再见", "退出": a goodbye
	}
	waits := len(t.live()) > 0
	if !waits {
		orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
		if err != nil {
			return ui.View{}, false // the plain goodbye
		}
		waits = slices.ContainsFunc(orders, func(o shop.Order) bool {
			return o.State == shop.StateCreated && t.now.Before(payableUntil(t, o))
		})
	}
	if !waits {
		return ui.View{}, false
	}
	t.state = state{}
	return say("好的。订单不付款就不会扣款，过后会自动关闭。"), true
}

// drop forgets the pending question and ends the session: "不退了" for a
// refund, "已取消" for a purchase begun, else goodbye.
func (t *turn) drop() ui.View {
	begun, refund := t.begun(), t.state.Step == stepRefund || t.state.Intent == Refund
	t.state = state{}
	switch {
	case begun && refund:
		return say("好的，不退了。")
	case begun:
		return say(cancelled)
	}
	return say(goodbye)
}

// begun reports whether a purchase or a refund is under way: a question of
// the dialog waits, other than "which one?" after a list (no purchase
// begun: nothing to cancel, nothing to come back to).
func (t *turn) begun() bool {
	return t.state.Step != stepNone && (t.state.Step != stepProduct || t.browsed == 0)
}
