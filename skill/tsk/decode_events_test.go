package tsk_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// TestDecodeUserIDByType: userId is required where the request acts for a
// user (an intent, a payment's return, a tap that buys), not for a launch,
// the end of a session, a player event or a type not known yet.
func TestDecodeUserIDByType(t *testing.T) {
	body := func(typ, extra string) []byte {
		return []byte(`{"version":"1.0","session":{"new":true,"sessionId":"s"},
		"context":{"System":{"application":{"applicationId":"a"},"device":{"deviceId":"d"}}},
		"request":{"type":"` + typ + `","requestId":"r","timestamp":"20190520T193505Z"` + extra + `}}`)
	}
	for _, typ := range []string{tsk.TypeLaunch, tsk.TypeSessionEnded, "AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackFinished", "Some.FutureRequest"} {
		if _, err := tsk.Decode(body(typ, "")); err != nil {
			t.Errorf("%s without userId: %v", typ, err)
		}
	}
	for typ, extra := range map[string]string{
		tsk.TypeIntent:              `,"intent":{"name":"buy","confirmationStatus":"NONE","slots":{}}`,
		tsk.TypeConnectionsResponse: `,"name":"Charge","payload":{"partnerOrderId":"T1","dingdangOrderId":"D1"}`,
		tsk.TypeElementSelected:     `,"token":"product:ep35"`,
	} {
		_, err := tsk.Decode(body(typ, extra))
		if !errors.Is(err, tsk.ErrInvalidRequest) || !strings.Contains(err.Error(), "context.System.user.userId") {
			t.Errorf("%s without userId: %v, want it refused naming userId", typ, err)
		}
	}
}
