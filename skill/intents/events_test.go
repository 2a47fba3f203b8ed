package intents_test

import (
	"testing"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// TestEventsGetAShortAnswer: a player event or a request type the dialog
// does not know is not a conversation turn: it gets a short answer that
// ends the session, without directives, and leaves a pending question as
// it was. Requests that need no user work without one.
func TestEventsGetAShortAnswer(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"}), true, "确定购买吗")
		for _, typ := range []string{"AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackNearlyFinished",
			"AudioPlayer.PlaybackFinished", "Display.Rendered", "Some.FutureRequest"} {
			for _, user := range []string{"", e.user} {
				r := e.send(fakeplatform.NewEvent(typ, fakeplatform.WithUser(user), fakeplatform.WithSession(e.session)))
				if !r.Response.ShouldEndSession || len(r.Response.Directives) != 0 || len([]rune(speech(r))) > 10 {
					t.Errorf("%s (user %q): %q end=%v %d directives", typ, user, speech(r), r.Response.ShouldEndSession, len(r.Response.Directives))
				}
			}
		}
		// The question asked before the events still stands.
		r := e.intent(intents.Yes, nil)
		if _, ok := find[tsk.Charge](r); !ok {
			t.Errorf("the pending purchase was lost: %q", speech(r))
		}
		// No user needed to be welcomed or to leave.
		e.user = ""
		wantSpeech(t, e.send(fakeplatform.NewLaunch(e.opts()...)), true, "欢迎")
		wantSpeech(t, e.send(fakeplatform.NewSessionEnded(tsk.ReasonUserInitiated, e.opts()...)), false, "再见")
	})
}
