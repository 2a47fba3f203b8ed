package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// event answers a request that is not a turn of the conversation: a player
// event ("AudioPlayer.PlaybackStarted"), a display event other than a tap,
// or a request type the platform adds later. It says a word and ends the
// session, leaving the dialog state as it was: the event is not the user's
// answer to a pending question.
func (d *Dialog) event(ctx context.Context, t *turn) (ui.View, error) {
	return say(fallbackSpeech), nil
}
