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

// drop forgets the pending question and ends the session: "已取消" for a
// purchase or refund begun, else goodbye ("which one?" after a list is no
// purchase begun: nothing to cancel).
func (t *turn) drop() ui.View {
	begun := t.state.Step != stepNone && (t.state.Step != stepProduct || t.browsed == 0)
	t.state = state{}
	if begun {
		return say(cancelled)
	}
	return say(goodbye)
}
