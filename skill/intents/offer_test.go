package intents_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// offerRef is what a Charge's userId must look like: a platform may bound
// it at 32 characters.
var offerRef = regexp.MustCompile(`^[0-9A-Za-z_-]{1,32}$`)

// TestOfferOrderedLater: on a screenless speaker the order is placed later,
// in the phone app. The Charge's userId is a short offer reference, and an
// order placed two hours (or six days) after the offer goes through; one
// placed past the offer's validity is refused.
func TestOfferOrderedLater(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, later := range []time.Duration{2 * time.Hour, 6 * 24 * time.Hour} {
			e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "2"})
			r := e.intent(intents.Yes, nil)
			ch, ok := find[tsk.Charge](r)
			if !ok {
				t.Fatal("no Charge")
			}
			if ref := ch.Payload.ChargeInfo.UserID; !offerRef.MatchString(ref) {
				t.Errorf("chargeInfo.userId %q (%d characters) is not an offer reference of at most 32 [0-9A-Za-z_-]", ref, len(ref))
			}
			e.clock.Advance(later)
			o := e.createOrder(r)
			e.payAndShip(o)
			wantSpeech(t, e.paid(o), false, "购买成功")
		}
		if n := e.left("credits"); n != 4 {
			t.Errorf("%d credits, want 4", n)
		}

		e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "2"})
		ch, _ := find[tsk.Charge](e.intent(intents.Yes, nil))
		e.clock.Advance(8 * 24 * time.Hour)
		req := fakeplatform.NewCreateOrder(ch.Payload.ChargeInfo.UserID, shop.Line{ItemID: "credits", Quantity: 2, Amount: 200})
		if reply := e.pay.CreateOrder(e.ctx, req); reply.OK() || reply.RetMsg != "offer_expired" {
			t.Errorf("order 8 days after the offer: %+v, want FAIL offer_expired", reply)
		}
	})
}
