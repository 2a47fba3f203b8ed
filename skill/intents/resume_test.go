package intents_test

import (
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// left is how many units of a consumable the user has.
func (e *env) left(productID string) int64 {
	e.t.Helper()
	ents, err := e.pay.Ledger.Entitlements(e.ctx, e.user)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, en := range ents {
		if en.ProductID == productID {
			return en.Quantity
		}
	}
	return 0
}

// TestResumeAtMostOnce: the post-payment jump resumes the user's original
// request once per order. With no credits, "play credits", yes, pay: the
// resume uses the credit bought. Three more bought, the same
// Connections.Response sent again (a new requestId each time) answers with
// the order's result and uses nothing.
func TestResumeAtMostOnce(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		r := e.intent(intents.Play, map[string]string{"product": "听书点数"})
		wantSpeech(t, r, true, "是付费内容")
		o := e.createOrder(e.intent(intents.Yes, nil))
		e.payAndShip(o)
		wantSpeech(t, e.paid(o), false, "购买成功")
		if n := e.left("credits"); n != 0 {
			t.Fatalf("after the first resume: %d credits left, want 0 (the one bought was used)", n)
		}

		wantSpeech(t, e.buy(map[string]string{"product": "听书点数", "count": "3"}), false, "听书点数现在有3个")
		for i := range 3 {
			r := e.paid(o)
			wantSpeech(t, r, false, "这笔订单已经完成了", "听书点数")
			if _, ok := find[tsk.AudioPlayerPlay](r); ok {
				t.Errorf("resend %d plays again", i+1)
			}
			if n := e.left("credits"); n != 3 {
				t.Errorf("resend %d: %d credits left, want 3 (nothing used)", i+1, n)
			}
		}
		stored, err := e.store.Order(e.ctx, o.tradeNo)
		if err != nil {
			t.Fatal(err)
		}
		if stored.ResumedAt.IsZero() || stored.Uses["credits"] != 1 {
			t.Errorf("order resumed at %v with %d uses, want resumed once with 1 use", stored.ResumedAt, stored.Uses["credits"])
		}
		resumes := 0
		for _, h := range stored.History {
			if strings.Contains(h.Cause, "resumed") {
				resumes++
			}
		}
		if resumes != 1 {
			t.Errorf("history has %d resume entries, want 1: %+v", resumes, stored.History)
		}
	})
}

// TestResumeResendOfOneTime: a resent jump for a bought episode says it is
// bought and how to play it, without playing (which would record a use).
func TestResumeResendOfOneTime(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		o := e.createOrder(e.intent(intents.Yes, nil))
		e.payAndShip(o)
		if _, ok := find[tsk.AudioPlayerPlay](e.paid(o)); !ok {
			t.Fatal("first jump does not play")
		}
		r := e.paid(o)
		wantSpeech(t, r, false, "这笔订单已经完成了", "万古神帝第35集")
		if _, ok := find[tsk.AudioPlayerPlay](r); ok {
			t.Error("a resent jump plays again")
		}
		stored, _ := e.store.Order(e.ctx, o.tradeNo)
		if stored.Uses["wgsd-35"] != 1 || stored.State != shop.StateDelivered {
			t.Errorf("uses %v, state %s; want one use, DELIVERED", stored.Uses, stored.State)
		}
	})
}

// TestReplayedRequestIsTheResume: after payment the platform may replay the
// user's original request (pic/pay3) and also send the jump. The replayed
// "play credits" is the resume: it uses the credit bought, and the jump that
// follows says the result and uses nothing more.
func TestReplayedRequestIsTheResume(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.buy(map[string]string{"product": "听书点数", "count": "3"}), false, "听书点数现在有3个")
		r := e.intent(intents.Play, map[string]string{"product": "听书点数"})
		wantSpeech(t, r, false)
		if n := e.left("credits"); n != 2 {
			t.Fatalf("before the purchase under test: %d credits, want 2", n)
		}
		for e.left("credits") > 0 {
			e.intent(intents.Play, map[string]string{"product": "听书点数"})
		}

		e.intent(intents.Play, map[string]string{"product": "听书点数"})
		o := e.createOrder(e.intent(intents.Yes, nil))
		e.payAndShip(o)
		wantSpeech(t, e.intent(intents.Play, map[string]string{"product": "听书点数"}), false, "点数可以用来兑换有声书")
		if n := e.left("credits"); n != 0 {
			t.Fatalf("after the replayed request: %d credits, want 0", n)
		}
		r = e.paid(o)
		wantSpeech(t, r, false, "这笔订单已经完成了")
		stored, err := e.store.Order(e.ctx, o.tradeNo)
		if err != nil {
			t.Fatal(err)
		}
		if stored.ResumedAt.IsZero() || stored.Uses["credits"] != 1 {
			t.Errorf("order resumed at %v with %d uses, want resumed once with 1 use", stored.ResumedAt, stored.Uses["credits"])
		}
	})
}
