package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
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
	return t.drop(), nil
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
