package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// sessionEnded handles SessionEndedRequest (the user left, or the platform
// gave up on an error): the session's state is forgotten and the reply
// ends the session.
func (d *Dialog) sessionEnded(ctx context.Context, t *turn) (ui.View, error) {
	t.state = state{}
	t.saved = true // delete even if nothing was loaded: never leave a stale question
	return say(goodbye), nil
}
