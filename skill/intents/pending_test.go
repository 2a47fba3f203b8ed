package intents_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// devicesAndStores runs a conversation test on every kind of speaker, with
// orders on bbolt and on a real redis-server.
func devicesAndStores(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("bolt", func(t *testing.T) { devices(t, fn) })
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t)
		for _, k := range device.Kinds() {
			t.Run(k.Name, func(t *testing.T) {
				st, err := redis.New(context.Background(), srv.URL(), redis.Config{Prefix: t.Name()})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				fn(t, newEnvWithStore(t, k, st))
			})
		}
	})
}

var ep35 = map[string]string{"product": "万古神帝第35集"}

// wantWaiting checks the answer to a purchase while one waits for payment:
// it says so with the price, charges nothing, and shows the card again on
// a screen.
func wantWaiting(t *testing.T, e *env, r *tsk.Response) {
	t.Helper()
	wantSpeech(t, r, false, "还在等待付款", "2元")
	if _, ok := find[tsk.Charge](r); ok {
		t.Errorf("a second Charge while one waits for payment: %q", speech(r))
	}
	if _, ok := find[tsk.AudioPlayerPlay](r); ok {
		t.Errorf("unpaid content plays: %q", speech(r))
	}
	rt, ok := find[tsk.RenderTemplate](r)
	switch {
	case e.kind.Display && (!ok || rt.Token != "pay-card" || !strings.Contains(rt.Template.TextContent.Description, "2元")):
		t.Errorf("no offer card on a screen: %+v", r.Response.Directives)
	case e.kind.Display && !strings.Contains(speech(r), "付款页面关了的话"):
		t.Errorf("screen: does not say how to pay again: %q", speech(r))
	case e.kind == device.Screenless && !strings.Contains(speech(r), "叮当App"):
		t.Errorf("screenless: does not say where to pay: %q", speech(r))
	}
}

// Issue 9.1: "买万古神帝第35集" + "是的" twice before paying made two orders.
// The second time the dialog says the first waits for payment.
func TestSecondBuyWhileUnpaid(t *testing.T) {
	devicesAndStores(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, ep35)
		o := e.createOrder(e.intent(intents.Yes, nil))

		wantWaiting(t, e, e.intent(intents.Buy, ep35))
		r := e.intent(intents.Yes, nil)
		if _, ok := find[tsk.Charge](r); ok {
			t.Errorf("yes after the waiting answer charged: %q", speech(r))
		}
		// Asked for again in a new conversation, and as a play: the same.
		e.session = "session-2"
		wantWaiting(t, e, e.intent(intents.Buy, ep35))
		wantWaiting(t, e, e.intent(intents.Play, ep35))
		if orders, _ := e.pay.Ledger.UserOrders(e.ctx, e.user); len(orders) != 1 {
			t.Errorf("%d orders, want 1", len(orders))
		}
		// Once paid, it plays.
		e.payAndShip(o)
		if _, ok := find[tsk.AudioPlayerPlay](e.intent(intents.Play, ep35)); !ok {
			t.Error("paid content does not play")
		}
	})
}

// Units left unpaid hold back the same purchase, not another count: "我要买
// 五个" after three were left unpaid is a purchase of its own (it held the
// user back for the order's whole payment window).
func TestOtherCountWhileUnpaid(t *testing.T) {
	devicesAndStores(t, func(t *testing.T, e *env) {
		three := map[string]string{"product": "听书点数", "count": "3"}
		e.intent(intents.Buy, three)
		e.createOrder(e.intent(intents.Yes, nil))
		wantSpeech(t, e.intent(intents.Buy, three), false, "3个听书点数的订单还在等待付款，3元。")
		e.session = "session-2"
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "5"}), true, "你还有3个听书点数的订单没付款。5个听书点数，共5元，确定购买吗？")
		if c, ok := find[tsk.Charge](e.intent(intents.Yes, nil)); !ok || c.Payload.ChargeInfo.Items[0].Count != 5 {
			t.Errorf("five after three unpaid: charged %+v", c)
		}
	})
}

// An offer said yes to but not ordered yet is waiting too, in its session.
func TestSecondBuyWhileOffered(t *testing.T) {
	devicesAndStores(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, ep35)
		if _, ok := find[tsk.Charge](e.intent(intents.Yes, nil)); !ok {
			t.Fatal("no Charge")
		}
		wantWaiting(t, e, e.intent(intents.Buy, ep35))
		// Another product is offered as usual.
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "万古神帝第36集"}), true, "确定购买吗")
	})
}

// On a screen, an unpaid order waits only while its pay page may be up:
// once it has closed, asking again is how the user pays, and a new Charge
// goes out. Without a screen the order waits in the phone app. Should both
// orders be paid, the second payment is refunded as a duplicate.
func TestUnpaidOrderAfterItsPayPage(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, ep35)
		first := e.createOrder(e.intent(intents.Yes, nil))
		e.paid(first) // the pay page closed unpaid
		e.clock.Advance(6 * time.Minute)
		e.session = "session-2"
		r := e.intent(intents.Buy, ep35)
		if !e.kind.Display {
			wantWaiting(t, e, r)
			return
		}
		wantSpeech(t, r, true, "万古神帝第35集，2元，确定购买吗？")
		second := e.createOrder(e.intent(intents.Yes, nil))
		e.payAndShip(second)
		e.payAndShip(first)
		got, _ := e.pay.Ledger.Store.Order(e.ctx, first.tradeNo)
		if got.DuplicateOf != second.tradeNo || len(got.Refunds) != 1 || got.Refunds[0].Amount != 200 {
			t.Errorf("the first order, paid second: duplicate of %q, refunds %+v", got.DuplicateOf, got.Refunds)
		}
	})
}

// An unpaid order past its payment window no longer holds a new offer
// back.
func TestExpiredOrderIsNotWaiting(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, ep35)
		e.createOrder(e.intent(intents.Yes, nil))
		e.clock.Advance(pay.DefaultOrderTTL + time.Minute)
		e.session = "session-2"
		wantSpeech(t, e.intent(intents.Buy, ep35), true, "确定购买吗")
	})
}

// Issue 9.6 (pay3): after payment the platform replays the user's original
// request before the ship notify. The skill asks the platform, delivers
// once, and the content plays; the late ship notify is a harmless repeat.
func TestOriginalRequestReplayedBeforeShipNotify(t *testing.T) {
	for _, original := range []string{intents.Buy, intents.Play} {
		t.Run(original, func(t *testing.T) {
			devicesAndStores(t, func(t *testing.T, e *env) {
				e.intent(original, ep35)
				o := e.createOrder(e.intent(intents.Yes, nil))
				e.platform.Pay(o.tradeNo, o.total) // paid; no ship notify yet

				r := e.intent(original, ep35) // the replay
				wantSpeech(t, r, false, "购买成功")
				if _, ok := find[tsk.AudioPlayerPlay](r); !ok {
					t.Errorf("paid content does not play: %q", speech(r))
				}
				if _, ok := find[tsk.Charge](r); ok {
					t.Errorf("offered again: %q", speech(r))
				}
				if e.platform.Calls("orderquery") == 0 {
					t.Error("the platform was not asked")
				}
				got, _ := e.pay.Ledger.Store.Order(e.ctx, o.tradeNo)
				if got.State != shop.StateDelivered || got.Deliveries != 1 {
					t.Errorf("order %s, %d deliveries", got.State, got.Deliveries)
				}
				if reply := e.pay.ShipNotify(e.ctx, tsktest.MustShipNotify(e.t, e.platform.Platform, o.userToken, o.tradeNo)); !reply.OK() {
					t.Errorf("late ship notify: %+v", reply)
				}
				got, _ = e.pay.Ledger.Store.Order(e.ctx, o.tradeNo)
				if got.Deliveries != 1 || len(got.Refunds) != 0 {
					t.Errorf("after the late ship notify: %d deliveries, refunds %+v", got.Deliveries, got.Refunds)
				}
			})
		})
	}
}

// The replay of an order not paid yet, or that the platform cannot be
// asked about, gets the waiting answer, never a second offer.
func TestReplayWhileUnpaid(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, ep35)
		o := e.createOrder(e.intent(intents.Yes, nil))
		wantWaiting(t, e, e.intent(intents.Buy, ep35))
		e.platform.Pay(o.tradeNo, o.total)
		e.platform.Down()
		wantWaiting(t, e, e.intent(intents.Buy, ep35))
		e.platform.Up()
		wantSpeech(t, e.intent(intents.Buy, ep35), false, "购买成功")
	})
}

// Issue 9.6: a Connections.Response whose ids are swapped (as in the
// platform's own example) or missing finds the user's pending order.
func TestConnectionsResponseIDs(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  func(o order, opts []fakeplatform.Option) *tsk.Request
	}{
		{"swapped", func(o order, opts []fakeplatform.Option) *tsk.Request {
			return fakeplatform.NewConnectionsResponse("DD"+o.tradeNo[1:], o.tradeNo, opts...)
		}},
		{"missing", func(o order, opts []fakeplatform.Option) *tsk.Request {
			return fakeplatform.NewConnectionsResponse("", "", opts...)
		}},
		{"unknown", func(o order, opts []fakeplatform.Option) *tsk.Request {
			return fakeplatform.NewConnectionsResponse("TNOSUCHORDER", "DDNOSUCHORDER", opts...)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			devicesAndStores(t, func(t *testing.T, e *env) {
				e.intent(intents.Buy, ep35)
				o := e.createOrder(e.intent(intents.Yes, nil))
				// Not paid: nothing unlocks.
				r := e.send(tt.req(o, e.opts()))
				wantSpeech(t, r, false, "还没有收到付款")
				// Another user's pending order is never theirs.
				e.platform.Pay(o.tradeNo, o.total)
				other := *e
				other.user, other.session = "user-2", "session-2"
				if r := other.send(tt.req(o, other.opts())); strings.Contains(speech(r), "购买成功") {
					t.Errorf("another user got the order: %q", speech(r))
				}
				// Paid, the ship notify not here yet: it plays.
				r = e.send(tt.req(o, e.opts()))
				wantSpeech(t, r, false, "购买成功")
				if _, ok := find[tsk.AudioPlayerPlay](r); !ok {
					t.Errorf("paid content does not play: %q", speech(r))
				}
			})
		})
	}
}

// Issue 9.1: the platform took a second payment anyway (two orders placed
// from one offer). The jump back from the second says it is refunded and
// plays what the user owns.
func TestDuplicatePaymentJumpBack(t *testing.T) {
	devicesAndStores(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, ep35)
		charge := e.intent(intents.Yes, nil)
		first, second := e.createOrder(charge), e.createOrder(charge)
		e.payAndShip(first)
		e.payAndShip(second)
		got, _ := e.pay.Ledger.Store.Order(e.ctx, second.tradeNo)
		if got.DuplicateOf != first.tradeNo || got.State != shop.StateRefunding {
			t.Fatalf("second payment: %s, duplicate of %q", got.State, got.DuplicateOf)
		}
		r := e.paid(second)
		wantSpeech(t, r, false, "你已经购买过了", "自动退回")
		if _, ok := find[tsk.AudioPlayerPlay](r); !ok {
			t.Errorf("owned content does not play: %q", speech(r))
		}
	})
}

// The speaker an order came from says where it is paid, not the one the
// user asks now: an order from a screenless speaker waits in the phone app
// for its payment window also when asked about on a screen, and one from a
// screen waits only while its pay page may be up also when asked about
// without one. Both were decided by the speaker asking: the screen said
// "付款页面关了的话…" of an order in the app (and then made a second order
// of it), and a screenless speaker held back for a day an order whose pay
// page had long closed.
func TestWaitingSaysWhereTheOrderIsPaid(t *testing.T) {
	t.Run("from screenless", func(t *testing.T) {
		e := newEnv(t, device.Screenless)
		e.intent(intents.Buy, ep35)
		o := e.createOrder(e.intent(intents.Yes, nil))
		if got, _ := e.pay.Ledger.Store.Order(e.ctx, o.tradeNo); got.PayIn != shop.PayInApp {
			t.Errorf("the order is paid in %q, want the app", got.PayIn)
		}
		e.kind, e.session = device.Screened, "session-2"
		e.clock.Advance(10 * time.Minute) // past a pay page's time: the order is in the app still
		r := e.intent(intents.Buy, ep35)
		wantSpeech(t, r, false, "万古神帝第35集的订单还在等待付款，2元。", "可以在手机上的叮当App里完成支付")
		if _, ok := find[tsk.Charge](r); ok || strings.Contains(speech(r), "付款页面") {
			t.Errorf("a screen asked about an order in the app: %q", speech(r))
		}
		if rt, ok := find[tsk.RenderTemplate](r); !ok || rt.Token != "pay-card" {
			t.Errorf("no card on the screen: %+v", r.Response.Directives)
		}
		e.kind, e.session = device.Screenless, "session-3"
		wantSpeech(t, e.intent(intents.Buy, ep35), false, "还在等待付款", "叮当App")
	})
	t.Run("from a screen", func(t *testing.T) {
		e := newEnv(t, device.Screened)
		e.intent(intents.Buy, ep35)
		o := e.createOrder(e.intent(intents.Yes, nil))
		if got, _ := e.pay.Ledger.Store.Order(e.ctx, o.tradeNo); got.PayIn != shop.PayOnScreen {
			t.Errorf("the order is paid in %q, want on the screen", got.PayIn)
		}
		e.kind, e.session = device.Screenless, "session-2"
		e.clock.Advance(time.Minute)
		r := e.intent(intents.Buy, ep35)
		wantSpeech(t, r, false, "还在等待付款", "付款页面在带屏幕的音箱上，关了的话，几分钟后可以重新购买。")
		if strings.Contains(speech(r), "App") {
			t.Errorf("the order of a screen said to be in the app: %q", speech(r))
		}
		e.clock.Advance(5 * time.Minute) // its pay page has closed
		e.session = "session-3"
		wantSpeech(t, e.intent(intents.Buy, ep35), true, "万古神帝第35集，2元，确定购买吗？")
		if _, ok := find[tsk.Charge](e.intent(intents.Yes, nil)); !ok {
			t.Error("no new Charge once the pay page closed")
		}
	})
}

// The platform's word that a screen's pay page closed unpaid (a
// post-payment jump without payment) lets the user buy again at once: it
// said to wait for minutes for a page that was gone. Without a screen the
// order waits in the app as before.
func TestPayPageClosedUnpaid(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, ep35)
		first := e.createOrder(e.intent(intents.Yes, nil))
		wantSpeech(t, e.paid(first), false, "还没有收到付款")
		e.session = "session-2"
		r := e.intent(intents.Buy, ep35)
		if !e.kind.Display {
			wantWaiting(t, e, r)
			return
		}
		wantSpeech(t, r, true, "万古神帝第35集，2元，确定购买吗？")
		got, _ := e.pay.Ledger.Store.Order(e.ctx, first.tradeNo)
		if got.PageClosedAt.IsZero() || got.State != shop.StateCreated || got.History[len(got.History)-1].Cause != shop.CausePageClosed {
			t.Errorf("the order whose page closed: %s, closed at %v, history %+v", got.State, got.PageClosedAt, got.History)
		}
	})
	// Only the platform's "not paid" closes the page: a PROCESSING, or a
	// platform that cannot be asked, may hide a payment, and a second
	// Charge could be paid too (for units, not refunded as a duplicate).
	for _, c := range []struct {
		name  string
		setup func(e *env, tradeNo string)
	}{
		{"processing", func(e *env, tradeNo string) { e.platform.ScriptTradeStatus(tradeNo, pay.TradeProcessing) }},
		{"platform down", func(e *env, _ string) { e.platform.Down() }},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, device.Screened)
			e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"})
			first := e.createOrder(e.intent(intents.Yes, nil))
			c.setup(e, first.tradeNo)
			wantSpeech(t, e.paid(first), false)
			e.platform.Up()
			e.platform.ScriptTradeStatus(first.tradeNo, pay.TradeProcessing)
			e.session = "session-2"
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"}), false, "还在等待付款")
			if got, _ := e.pay.Ledger.Store.Order(e.ctx, first.tradeNo); !got.PageClosedAt.IsZero() {
				t.Errorf("the page taken for closed on %s", c.name)
			}
		})
	}
}
