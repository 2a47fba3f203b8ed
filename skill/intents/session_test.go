package intents_test

import (
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// TestSessionBelongsToUser: the same sessionId with another userId is
// another dialog. Bob does not inherit (nor pay for) the purchase Alice was
// asked to confirm, and his turn leaves hers pending.
func TestSessionBelongsToUser(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.user = "alice"
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"}), true, "确定购买吗")

		e.user = "bob"
		for _, r := range []*tsk.Response{
			e.intent(intents.Yes, nil),
			e.send(confirmed(e)),
		} {
			if _, ok := find[tsk.Charge](r); ok {
				t.Fatalf("bob got alice's offer: %q", speech(r))
			}
			if strings.Contains(speech(r), "2元") {
				t.Errorf("bob was told alice's price: %q", speech(r))
			}
		}

		e.user = "alice"
		r := e.intent(intents.Yes, nil)
		ch, ok := find[tsk.Charge](r)
		if !ok {
			t.Fatalf("alice's confirmation lost: %q", speech(r))
		}
		if offer, err := e.pay.Offers.Resolve(e.ctx, ch.Payload.ChargeInfo.UserID); err != nil || offer.UserID != "alice" {
			t.Errorf("offer %+v, %v; want alice's", offer, err)
		}
	})
}

// confirmed is a Buy intent the platform marks CONFIRMED: the other way a
// pending confirmation is answered.
func confirmed(e *env) *tsk.Request {
	req := fakeplatform.NewIntent(intents.Buy, nil, e.opts()...)
	req.Request.Intent.ConfirmationStatus = tsk.Confirmed
	return req
}
