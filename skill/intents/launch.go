package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// launch welcomes a user who opened the skill without saying what they want
// ("打开叮当书店").
func (d *Dialog) launch(ctx context.Context, t *turn) (ui.View, error) {
	t.state = state{}
	return ask("欢迎来到叮当书店。" + examples), nil
}
