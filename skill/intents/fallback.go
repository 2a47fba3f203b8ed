package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// fallback handles intents the dialog does not know. When a product or
// count question is pending, what was said is taken as the answer.
func (d *Dialog) fallback(ctx context.Context, t *turn) (ui.View, error) {
	if t.req.Request.QueryText != "" && (t.state.Step == stepProduct || t.state.Step == stepCount) {
		return d.buyOrPlay(ctx, t)
	}
	if t.state.confirming() {
		return ask("请说“确定”或者“取消”。"), nil
	}
	return ask("抱歉，我没听懂。" + examples), nil
}
