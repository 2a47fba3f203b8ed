package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// No declines the pending question. An intent with confirmationStatus
// DENIED counts as no too. Sample utterances:
//
//	不用了
//	不要
//	算了
//	不买了
const No = "no"

// no cancels whatever is pending, politely, and ends the session.
func (d *Dialog) no(ctx context.Context, t *turn) (ui.View, error) {
	return t.drop(), nil
}
