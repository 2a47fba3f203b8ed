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
	// "Which one?" after a list is no purchase begun: nothing to cancel.
	pending := t.state.Step != stepNone && (t.state.Step != stepProduct || t.browsed == 0)
	t.state = state{}
	if pending {
		return say(cancelled), nil
	}
	return say(goodbye), nil
}
