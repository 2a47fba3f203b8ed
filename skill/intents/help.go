package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// Help says what the user can do. Sample utterances:
//
//	帮助
//	怎么用
//	你能做什么
//	怎么购买
const Help = "help"

// help lists what can be said and keeps the mic open; a pending question
// is dropped.
func (d *Dialog) help(ctx context.Context, t *turn) (ui.View, error) {
	t.state = state{}
	return ask("在这里可以用语音购买和收听内容，付款在叮当App或微信里完成。" + examples), nil
}
