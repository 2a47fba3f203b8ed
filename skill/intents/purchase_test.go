package intents_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// devices runs a conversation test on every kind of speaker.
func devices(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, k := range device.Kinds() {
		t.Run(k.Name, func(t *testing.T) { fn(t, newEnv(t, k)) })
	}
}

// wantDisplay checks that screens got a template of the type and
// screenless speakers none.
func wantDisplay(t *testing.T, e *env, r *tsk.Response, templateType string) {
	t.Helper()
	rt, ok := find[tsk.RenderTemplate](r)
	switch {
	case e.kind.Display && !ok:
		t.Errorf("no %s on a screen", templateType)
	case e.kind.Display && rt.Template.Type != templateType:
		t.Errorf("template %s, want %s", rt.Template.Type, templateType)
	}
}

func TestBuyOneTime(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		r := e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		wantSpeech(t, r, true, "万古神帝第35集，2元，确定购买吗？")

		r = e.intent(intents.Yes, nil)
		wantSpeech(t, r, false, "2元")
		ch, ok := find[tsk.Charge](r)
		if !ok {
			t.Fatal("no Charge")
		}
		it := ch.Payload.ChargeInfo.Items[0]
		if it.ItemID != "wgsd-35" || it.Price != 200 || it.TotalFee != 200 || it.Count != 1 {
			t.Errorf("charge item %+v", it)
		}
		ref := ch.Payload.ChargeInfo.UserID
		offer, err := e.pay.Offers.Resolve(e.ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		var original tsk.Intent
		if err := json.Unmarshal(offer.Intent, &original); err != nil || original.Name != intents.Buy {
			t.Errorf("offer intent %s (%v), want the buy intent", offer.Intent, err)
		}
		if offer.UserID != e.user || offer.TotalAmt != 200 {
			t.Errorf("offer %+v", offer)
		}
		if e.kind.Display {
			wantDisplay(t, e, r, tsk.NewsBodyTemplate)
			rt, _ := find[tsk.RenderTemplate](r)
			desc := rt.Template.TextContent.Description
			if rt.Template.BackgroundImage == nil || !strings.Contains(desc, "2元") || !strings.Contains(desc, "查看订单") ||
				strings.Contains(desc+speech(r), "扫码支付") {
				t.Errorf("offer card %q, speech %q", desc, speech(r))
			}
			// The QR code leads to the order page of this offer.
			if url := rt.Template.BackgroundImage.Source.URL; !strings.HasSuffix(url, "/qr/"+ref+".png") {
				t.Errorf("offer card QR %q", url)
			}
		} else if e.kind == device.Screenless && !strings.Contains(speech(r), "叮当App") {
			t.Errorf("screenless offer does not point to the app: %q", speech(r))
		}

		o := e.createOrder(r)
		e.payAndShip(o)
		r = e.paid(o)
		wantSpeech(t, r, false, "购买成功")
		play, ok := find[tsk.AudioPlayerPlay](r)
		if !ok || play.Playlist[0].Stream.Token != "wgsd-35" {
			t.Errorf("purchased content does not play: %+v", r.Response.Directives)
		}
		wantDisplay(t, e, r, tsk.NewsBodyTemplate1)
	})
}

func TestBuyConsumable(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		r := e.intent(intents.Buy, map[string]string{"product": "听书点数"})
		wantSpeech(t, r, true, "要买几个")
		if el, ok := find[tsk.ElicitSlot](r); !ok || el.SlotToElicit != "count" || el.UpdatedIntent != nil {
			t.Errorf("elicit %+v", el)
		}
		r = e.intent(intents.Buy, map[string]string{"count": "三个"})
		wantSpeech(t, r, true, "3个听书点数，共3元，确定购买吗？")
		r = e.intent(intents.Yes, nil)
		ch, _ := find[tsk.Charge](r)
		if it := ch.Payload.ChargeInfo.Items[0]; it.Count != 3 || it.TotalFee != 300 || it.Price != 100 {
			t.Errorf("charge item %+v", it)
		}
		o := e.createOrder(r)
		e.payAndShip(o)
		wantSpeech(t, e.paid(o), false, "听书点数现在有3个")
		wantSpeech(t, e.intent(intents.MyPurchases, nil), false, "听书点数还剩3个")
	})
}

func TestCountForms(t *testing.T) {
	tests := []struct {
		name string
		opt  fakeplatform.Option
		want string
	}{
		{"digits", fakeplatform.WithSlots(map[string]string{"count": "3"}), "3个听书点数，共3元"},
		{"chinese", fakeplatform.WithSlots(map[string]string{"count": "十二"}), "12个听书点数，共12元"},
		{"unit", fakeplatform.WithSlot("count", tsk.Value{Type: tsk.ValueUnit, Amount: "5", Unit: "个", Origin: "5个"}), "5个听书点数，共5元"},
		{"query", fakeplatform.WithQuery("两个"), "2个听书点数，共2元"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, device.Screenless)
			e.intent(intents.Buy, map[string]string{"product": "点数"})
			wantSpeech(t, e.intent(intents.Buy, nil, tt.opt), true, tt.want)
		})
	}
	t.Run("out of range", func(t *testing.T) {
		e := newEnv(t, device.Screenless)
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "点数", "count": "5000"}), true, "1到999")
	})
}

func TestRenewSubscription(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.buy(map[string]string{"product": "会员月卡"}), false, "购买成功", "有效期到")
		first := e.clock.Now().Add(30 * 24 * time.Hour)

		r := e.intent(intents.Buy, map[string]string{"product": "会员"})
		wantSpeech(t, r, true, "你的会员月卡有效期到"+date(first), "19.9元", "要续费吗？")
		o := e.createOrder(e.intent(intents.Yes, nil))
		e.payAndShip(o)
		wantSpeech(t, e.paid(o), false, "有效期到"+date(first.Add(30*24*time.Hour)))
	})
}

// date says a day as the dialog does.
func date(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("1月2日") }

// TestPriceChangedBeforeYes: a yes is to the price said. When the catalog
// changes between the question and the yes (a deploy, or a node with the
// new catalog taking the next turn), the new price is asked about first.
func TestPriceChangedBeforeYes(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"}), true, "万古神帝第35集，2元，确定购买吗？")
		dearer := demoCatalog()
		dearer.Products[0].Price = 300
		e.dialog = intents.New(e.config(func(c *intents.Config) { c.Catalog = dearer }))
		r := e.intent(intents.Yes, nil)
		wantSpeech(t, r, true, "价格有变化，现在万古神帝第35集，3元，确定购买吗？")
		if _, ok := find[tsk.Charge](r); ok {
			t.Fatal("charged 3元 after a yes to 2元")
		}
		r = e.intent(intents.Yes, nil)
		ch, ok := find[tsk.Charge](r)
		if !ok || ch.Payload.ChargeInfo.Items[0].TotalFee != 300 {
			t.Fatalf("a yes to 3元: %+v", r.Response)
		}
	})
}

func TestSayNo(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "万古神帝35集"}), true, "确定购买吗？")
		r := e.intent(intents.No, nil)
		wantSpeech(t, r, false, "好的，已取消")
		if _, ok := find[tsk.Charge](r); ok {
			t.Error("charged after no")
		}
		// Nothing is pending any more: a later yes buys nothing.
		if r := e.intent(intents.Yes, nil); len(r.Response.Directives) != 0 {
			t.Errorf("yes after no: %+v", r.Response)
		}
		// DENIED counts as no.
		e.intent(intents.Buy, map[string]string{"product": "万古神帝35集"})
		wantSpeech(t, e.intent(intents.Buy, nil, fakeplatform.WithConfirmation(tsk.Denied)), false, "已取消")
	})
}

func TestElicitProduct(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		r := e.intent(intents.Buy, nil)
		wantSpeech(t, r, true, "你想买什么？")
		el, ok := find[tsk.ElicitSlot](r)
		if !ok || el.SlotToElicit != "product" || el.UpdatedIntent != nil { // the dialog state is ours
			t.Fatalf("elicit %+v", el)
		}
		r = e.intent(intents.Buy, map[string]string{"product": "万古神帝"})
		wantSpeech(t, r, true, "你是说万古神帝第35集，还是万古神帝第36集？")
		r = e.intent(intents.Buy, map[string]string{"product": "第二个"})
		wantSpeech(t, r, true, "万古神帝第36集，2元，确定购买吗？")
	})
}

func TestUnknownProduct(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		r := e.intent(intents.Buy, map[string]string{"product": "三体"})
		wantSpeech(t, r, true, "没有找到“三体”", "现在有万古神帝第35集")
		r = e.intent(intents.Buy, map[string]string{"product": "古神传"})
		wantSpeech(t, r, true, "没有找到“古神传”。你是不是想要万古神帝第35集或万古神帝第36集？")
		// The answer to the question is taken even from an unknown intent.
		r = e.send(fakeplatform.NewIntent("unknown", nil, e.opts(fakeplatform.WithQuery("会员月卡"))...))
		wantSpeech(t, r, true, "会员月卡，19.9元，购买后不能退款，确定购买吗？")
	})
}

func TestAlreadyOwned(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "万古神帝第35集"})
		r := e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		wantSpeech(t, r, false, "你已经购买过了")
		if _, ok := find[tsk.Charge](r); ok {
			t.Error("charged twice for an entitlement")
		}
		if _, ok := find[tsk.AudioPlayerPlay](r); !ok {
			t.Error("owned content does not play")
		}
		if r := e.intent(intents.Play, map[string]string{"product": "万古神帝第35集"}); len(r.Response.Directives) == 0 {
			t.Error("play of owned content does not play")
		}
	})
}

func TestPlayNotOwned(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		r := e.intent(intents.Play, map[string]string{"product": "万古神帝36集"})
		wantSpeech(t, r, true, "万古神帝第36集是付费内容，2元，要购买吗？")
		// CONFIRMED counts as yes.
		r = e.intent(intents.Play, map[string]string{"product": "万古神帝36集"}, fakeplatform.WithConfirmation(tsk.Confirmed))
		o := e.createOrder(r)
		stored, err := e.pay.Confirm(e.ctx, o.tradeNo)
		if err != nil {
			t.Fatal(err)
		}
		var original tsk.Intent
		if err := json.Unmarshal(stored.Intent, &original); err != nil || original.Name != intents.Play {
			t.Errorf("order intent %s, want the play intent", stored.Intent)
		}
		e.payAndShip(o)
		r = e.paid(o)
		if p, ok := find[tsk.AudioPlayerPlay](r); !ok || p.Playlist[0].Stream.Token != "wgsd-36" {
			t.Errorf("original play intent not resumed: %+v", r.Response)
		}
		// The platform replays the original intent: it plays now.
		r = e.intent(intents.Play, map[string]string{"product": "万古神帝36集"})
		if _, ok := find[tsk.AudioPlayerPlay](r); !ok {
			t.Errorf("replayed play intent: %+v", r.Response)
		}
	})
}

func TestShipNotifyLate(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		o := e.createOrder(e.intent(intents.Yes, nil))
		e.platform.Pay(o.tradeNo, o.total) // paid, but no ship notify yet
		r := e.paid(o)
		wantSpeech(t, r, false, "购买成功")
		if _, ok := find[tsk.AudioPlayerPlay](r); !ok {
			t.Errorf("paid content does not play: %+v", r.Response)
		}
		if e.platform.Calls("orderquery") == 0 {
			t.Error("the skill did not ask the platform")
		}
		// The late ship notify changes nothing.
		if reply := e.pay.ShipNotify(e.ctx, tsktest.MustShipNotify(t, e.platform.Platform, o.userToken, o.tradeNo)); !reply.OK() {
			t.Errorf("late ship notify: %+v", reply)
		}
	})
}

func TestUnpaid(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		o := e.createOrder(e.intent(intents.Yes, nil))
		r := e.paid(o)
		wantSpeech(t, r, false, "万古神帝第35集还没有收到付款。", "如果刚付过")
		if len(r.Response.Directives) != 0 {
			t.Errorf("directives for an unpaid order: %+v", r.Response.Directives)
		}
		if owns, _ := e.pay.Ledger.Owns(e.ctx, e.user, "wgsd-35"); owns {
			t.Error("unpaid content unlocked")
		}
		// Asked for, nothing plays: the order waits in the phone app, or,
		// its pay page closed, a screen offers it again.
		r = e.intent(intents.Play, map[string]string{"product": "万古神帝第35集"})
		if e.kind.Display {
			wantSpeech(t, r, true, "万古神帝第35集是付费内容，2元，要购买吗？")
		} else {
			wantWaiting(t, e, r)
		}
		// Someone else's order, or no order at all, unlocks nothing either.
		e.payAndShip(o)
		other := *e
		other.user, other.session = "user-2", "session-2"
		if r := other.paid(o); len(r.Response.Directives) != 0 || !strings.Contains(speech(r), "还没有收到付款") {
			t.Errorf("another user's order: %+v", r.Response)
		}
		wantSpeech(t, e.send(fakeplatform.NewConnectionsResponse("NOSUCHORDER", "dd", e.opts()...)), false, "还没有收到付款")
	})
}

func TestRefund(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "听书点数", "count": "3"})
		r := e.intent(intents.Refund, nil)
		wantSpeech(t, r, true, "退掉3个听书点数，退还3元，确定吗？")
		r = e.intent(intents.Yes, nil)
		wantSpeech(t, r, false, "已申请退款3元，会原路退回")
		orders, _ := e.pay.Ledger.UserOrders(e.ctx, e.user)
		if len(orders) != 1 || e.platform.Refunds(orders[0].TradeNo) != 1 {
			t.Errorf("refund not sent to the platform: %+v", orders)
		}
	})
}

// "换一个" while a purchase waits for its yes asks which product instead,
// never buys (a bare buy intent there is a yes); something else asks the
// question again with how to answer it.
func TestChangeOfMind(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.Buy, ep35), true, "确定购买吗？")
		r := e.intent(intents.Buy, nil, fakeplatform.WithQuery("换一个"))
		wantSpeech(t, r, true, "好的，想换成哪个？")
		if _, charged := find[tsk.Charge](r); charged {
			t.Fatal("换一个 charged")
		}
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "星辰变第35集"}), true, "星辰变第35集，3元，确定购买吗？")
		wantSpeech(t, e.intent("no_such_intent", nil, fakeplatform.WithQuery("今天天气怎么样")), true,
			"星辰变第35集，3元。说“是的”就购买，说“不要了”就取消。")
		// "买买买" (heard as the product "买买") is a bare buy: a yes.
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "星辰变第35集"}), true, "确定购买吗？")
		if _, ok := find[tsk.Charge](e.intent(intents.Buy, map[string]string{"product": "买买"}, fakeplatform.WithQuery("买买买"))); !ok {
			t.Error("买买买 to the question did not buy")
		}
		e.session = "session-count"
		// Another count of the same, then another product by name.
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"}), true, "3个听书点数，共3元，确定购买吗？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "两"}, fakeplatform.WithQuery("换成两个")), true, "2个听书点数，共2元，确定购买吗？")
		r = e.intent(intents.Buy, map[string]string{"product": "别的"}, fakeplatform.WithQuery("换成别的"))
		wantSpeech(t, r, true, "好的，想换成哪个？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数"}), true, "要买几个？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "3"}), true, "确定购买吗？")
		r = e.intent(intents.Buy, map[string]string{"count": "2"}, fakeplatform.WithQuery("改成2个"))
		wantSpeech(t, r, true, "2个听书点数，共2元，确定购买吗？")
		if c, ok := find[tsk.Charge](e.intent(intents.Yes, nil)); !ok || c.Payload.ChargeInfo.Items[0].Count != 2 {
			t.Errorf("the yes after 改成2个 charged %+v", c)
		}

		// A position counts in the examples said ("比如万古神帝第36集、听书点数或
		// 会员月卡"); a product not among them answers too.
		e.session = "session-examples"
		e.intent(intents.Buy, ep35)
		wantSpeech(t, e.intent(intents.Buy, nil, fakeplatform.WithQuery("换一个")), true, "比如万古神帝第36集、听书点数或会员月卡")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "第三个"}), true, "会员月卡，19.9元，购买后不能退款，确定购买吗？")
		e.intent(intents.Buy, nil, fakeplatform.WithQuery("换一个"))
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "星辰变第35集"}), true, "星辰变第35集，3元，确定购买吗？")
		e.session = "session-anything"
		wantSpeech(t, e.intent(intents.Buy, nil, fakeplatform.WithQuery("我要买东西")), true, "你想买什么？比如万古神帝第35集")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "第二个"}), true, "万古神帝第36集，2元，确定购买吗？")
	})
}

// The count is read as people say it, "就一个" or "两个就行"; one that
// cannot be read is asked again with an example, one out of range with the
// range.
func TestCountAsSaid(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, tt := range []struct{ said, want string }{
			{"就一个", "听书点数，1元，确定购买吗？"},
			{"两个就行", "2个听书点数，共2元，确定购买吗？"},
			{"随便", "没听清，要买几个听书点数？比如“3个”。"},
			{"一千个", "一次可以买1到999个，要买几个？"},
			{"三四个", "要买3个还是4个？"}, // a range, no 34: which
			{"两千", "一次可以买1到999个，要买几个？"},
			{"一万个", "一次可以买1到999个，要买几个？"}, // 万 was not read: "没听清"
			{"一百二十个", "120个听书点数，共120元，确定购买吗？"},
			{"３个", "3个听书点数，共3元，确定购买吗？"},
		} {
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数"}), true, "要买几个？")
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": tt.said}), true, tt.want)
			wantSpeech(t, e.intent(intents.Cancel, nil), false)
		}
	})
}

// A refund confirmed while the platform does not answer in time is
// started and said so: the turn keeps the time to answer and to store the
// dialog (the refund call used to take the whole turn, and the user heard
// an error for a refund that went through).
func TestRefundWhilePlatformSlow(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "听书点数", "count": "3"})
		wantSpeech(t, e.intent(intents.Refund, nil), true, "确定吗？")
		e.platform.Delay(3 * time.Second)
		defer e.platform.Delay(0)
		bg := e.ctx
		ctx, cancel := context.WithTimeout(bg, time.Second) // the server's dialog deadline
		defer cancel()
		e.ctx = ctx
		wantSpeech(t, e.intent(intents.Yes, nil), false, "已申请退款3元，会原路退回")
		e.ctx = bg
		orders, _ := e.pay.Ledger.UserOrders(e.ctx, e.user)
		if len(orders) != 1 || orders[0].State != shop.StateRefunding || orders[0].Refunds[0].Status != shop.RefundProcessing {
			t.Errorf("refund not recorded for the reconciler: %+v", orders)
		}
	})
}

func TestRefundOutsidePolicy(t *testing.T) {
	tests := []struct {
		name    string
		product string
		advance time.Duration
		want    string
	}{
		{"not refundable", "会员月卡", 0, "抱歉，会员月卡不支持退款。"},
		{"too late", "听书点数", 8 * 24 * time.Hour, "抱歉，听书点数已超过7天退款期限。"},
		{"used", "万古神帝第35集", 0, "抱歉，万古神帝第35集已经用过了，不能退款。"}, // it played after payment
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, device.Screened)
			e.buy(map[string]string{"product": tt.product, "count": "1"})
			e.clock.Advance(tt.advance)
			r := e.intent(intents.Refund, map[string]string{"product": tt.product})
			wantSpeech(t, r, false, tt.want)
		})
	}
	t.Run("nothing bought", func(t *testing.T) {
		wantSpeech(t, newEnv(t, device.Screenless).intent(intents.Refund, nil), false, "没有可以退款")
	})
}

func TestSessionEndedMidPurchase(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		r := e.send(fakeplatform.NewSessionEnded(tsk.ReasonUserInitiated, e.opts()...))
		if !r.Response.ShouldEndSession || len(r.Response.Directives) != 0 {
			t.Errorf("session ended reply %+v", r.Response)
		}
		if _, err := e.state.Session(e.ctx, shop.SessionKey{SessionID: e.session, UserID: e.user}); err == nil {
			t.Error("session state kept after SessionEndedRequest")
		}
		if r := e.intent(intents.Yes, nil); len(r.Response.Directives) != 0 {
			t.Errorf("yes after the session ended charged: %+v", r.Response)
		}
	})
}

func TestMyPurchases(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.MyPurchases, nil), true, "还没有购买")
		e.buy(map[string]string{"product": "会员月卡"})
		r := e.intent(intents.MyPurchases, nil)
		wantSpeech(t, r, false, "会员月卡有效期到")
		wantDisplay(t, e, r, tsk.NewsBodyTemplate1)
	})
}

// The intent resumed after payment is the user's, rebuilt from what the
// session kept: its other slots, the chosen product and count.
func TestOfferResumesTheIntent(t *testing.T) {
	e := newEnv(t, device.Screenless)
	wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "点数", "count": "3", "voice": "慢一点"}), true, "3个听书点数，共3元，确定购买吗？")
	r := e.intent(intents.Yes, nil)
	ch, ok := find[tsk.Charge](r)
	if !ok {
		t.Fatalf("no Charge: %s", speech(r))
	}
	offer, err := e.pay.Offers.Resolve(e.ctx, ch.Payload.ChargeInfo.UserID)
	if err != nil {
		t.Fatal(err)
	}
	var got tsk.Intent
	if err := json.Unmarshal(offer.Intent, &got); err != nil {
		t.Fatal(err)
	}
	text := func(slot string) string { v, _ := got.Slot(slot); return v.Text() }
	if got.Name != intents.Buy || text("product") != "听书点数" || text("count") != "3" || text("voice") != "慢一点" || len(got.Slots) != 3 {
		t.Errorf("resumed intent %s", offer.Intent)
	}
}

// TestHelpKeepsTheQuestion: help in the middle of a purchase or refund says
// how to answer and keeps the question pending; the answer then works.
func TestHelpKeepsTheQuestion(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		wantSpeech(t, e.intent(intents.Help, nil), true, "万古神帝第35集，2元。说“是的”就购买，说“不要了”就取消。")
		if _, ok := find[tsk.Charge](e.intent(intents.Yes, nil)); !ok {
			t.Fatal("a yes after help charged nothing")
		}

		e.session = "session-count"
		e.intent(intents.Buy, map[string]string{"product": "听书点数"})
		r := e.intent(intents.Help, nil)
		wantSpeech(t, r, true, "听书点数每个1元。", "比如“3个”", "要买几个？") // the price too: "多少钱" is help
		if el, ok := find[tsk.ElicitSlot](r); !ok || el.SlotToElicit != intents.SlotCount {
			t.Errorf("help at the count question elicits %+v", el)
		}
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "3个"}), true, "3个听书点数，共3元，确定购买吗？")

		e.session = "session-which"
		e.intent(intents.Buy, map[string]string{"product": "万古神帝"})
		wantSpeech(t, e.intent(intents.Help, nil), true, "比如“第一个”", "想买哪个？万古神帝第35集还是万古神帝第36集？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "第二个"}), true, "万古神帝第36集，2元，确定购买吗？")

		e.session = "session-refund"
		e.buy(map[string]string{"product": "星辰变第35集"})
		e.intent(intents.Refund, nil)
		wantSpeech(t, e.intent(intents.Help, nil), true, "说“是的”就退还3元，说“不要了”就不退。")
		wantSpeech(t, e.intent(intents.Yes, nil), false, "已申请退款3元")

		e.session = "session-none"
		wantSpeech(t, e.intent(intents.Help, nil), true, "在这里可以用语音购买和收听内容")
	})
}

// TestBuyAtConfirmIsYes: "我要买" with nothing named, to "确定购买吗？", is a
// yes; naming another product starts over with it.
func TestBuyAtConfirmIsYes(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		r := e.intent(intents.Buy, nil)
		if ch, ok := find[tsk.Charge](r); !ok || ch.Payload.ChargeInfo.Items[0].ItemID != "wgsd-35" {
			t.Fatalf("我要买 to 确定购买吗: %+v", r.Response)
		}
		e.session = "session-2"
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "星辰变第35集"}), true, "星辰变第35集，3元，确定购买吗？")
	})
}

// TestMyPurchasesWithNothingOwned: a user who owns nothing now hears about
// an order waiting for payment, or that their purchases were refunded, not
// that they never bought anything.
func TestMyPurchasesWithNothingOwned(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "会员月卡"})
		e.createOrder(e.intent(intents.Yes, nil))
		wantSpeech(t, e.intent(intents.MyPurchases, nil), false, "会员月卡的订单还在等待付款")

		e.user, e.session = "user-2", "session-2"
		e.buy(map[string]string{"product": "听书点数", "count": "3"})
		e.intent(intents.Refund, nil)
		e.intent(intents.Yes, nil)
		r := e.intent(intents.MyPurchases, nil)
		wantSpeech(t, r, false, "3个听书点数正在退款，会原路退回。")
		if strings.Contains(speech(r), "还剩") { // the units being refunded are not said as left too
			t.Errorf("said as left and as being refunded: %q", speech(r))
		}
		e.refundSettles(t)
		wantSpeech(t, e.intent(intents.MyPurchases, nil), true, "你买过的内容都已经退款了")
	})
}

// TestRefundAsksWhich: with purchases of several products refundable, "我要
// 退款" asks which instead of taking the newest; the answer, a position or
// a name, picks it; a product named at once is not asked about.
func TestRefundAsksWhich(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "星辰变第35集"})
		e.clock.Advance(time.Minute)
		e.buy(map[string]string{"product": "听书点数", "count": "3"})
		r := e.intent(intents.Refund, nil)
		wantSpeech(t, r, true, "要退哪个？听书点数还是星辰变第35集？")
		if el, ok := find[tsk.ElicitSlot](r); !ok || el.SlotToElicit != intents.SlotProduct {
			t.Errorf("which refund: elicit %+v", el)
		}
		wantDisplay(t, e, r, tsk.HorizontialListTemplate)
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "第二个"}), true, "退掉星辰变第35集，退还3元，确定吗？")
		wantSpeech(t, e.intent(intents.No, nil), false, "好的，不退了。")

		e.intent(intents.Refund, nil)
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数"}), true, "退掉3个听书点数，退还3元，确定吗？")
		wantSpeech(t, e.intent(intents.Yes, nil), false, "已申请退款3元")

		// One refundable purchase left: no question.
		wantSpeech(t, e.intent(intents.Refund, nil), true, "退掉星辰变第35集，退还3元，确定吗？")
	})
}

// TestRefundQuestionStands: "要退哪个？" names every refundable purchase
// (past three, a few and how many; a screen lists them all) and takes any
// of them as the answer; an answer that is none of them asks again (it
// ended the session), and the third in a row gives up kindly. A name that
// fits several purchases asks which (it refunded the newest).
func TestRefundQuestionStands(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for i := range e.pay.Ledger.Catalog.Products {
			e.pay.Ledger.Catalog.Products[i].Refund.UnusedOnly = false // the episodes play once paid
		}
		for _, p := range []string{"万古神帝第35集", "万古神帝第36集", "星辰变第35集"} {
			e.buy(map[string]string{"product": p})
			e.clock.Advance(time.Minute)
		}
		e.buy(map[string]string{"product": "听书点数", "count": "3"})
		const which = "要退哪个？有听书点数、星辰变第35集、万古神帝第36集等4种。"
		r := e.intent(intents.Refund, nil)
		wantSpeech(t, r, true, which)
		if rt, ok := find[tsk.RenderTemplate](r); e.kind.Display && (!ok || len(rt.Template.ListItems) != 4) {
			t.Errorf("the screen does not list the 4 refundable purchases: %+v", r.Response.Directives)
		}
		wantSpeech(t, e.intent(intents.BrowseMore, nil), true, "还有万古神帝第35集。要退哪个？") // the rest of them, not the shop's list
		wantSpeech(t, e.intent(intents.BrowseMore, nil), true, "就这些了，一共4种。要退哪个？")
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "最后一个"}), true, "退掉万古神帝第35集，退还2元，确定吗？")
		wantSpeech(t, e.intent(intents.No, nil), false, "好的，不退了。")
		// Positions count in what was said last: the first few, or after
		// "还有呢" the rest (on a screen, the list).
		e.intent(intents.Refund, nil)
		last := "退掉万古神帝第36集" // the third said
		if e.kind.Display {
			last = "退掉万古神帝第35集" // the list's last
		}
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "最后一个"}), true, last)
		e.intent(intents.No, nil)
		e.intent(intents.Refund, nil)
		e.intent(intents.BrowseMore, nil)
		first := "退掉万古神帝第35集" // the first of the rest
		if e.kind.Display {
			first = "退掉3个听书点数"
		}
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "第一个"}), true, first)
		wantSpeech(t, e.intent(intents.No, nil), false, "好的，不退了。")
		wantSpeech(t, e.intent(intents.Refund, nil), true, which)
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "第五个"}), true, "抱歉，没听清。"+which)
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "西游记"}), true, "没有找到“西游记”的购买记录。"+which)
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "第四个"}), true, "退掉万古神帝第35集，退还2元，确定吗？")
		wantSpeech(t, e.intent(intents.No, nil), false, "好的，不退了。")

		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "万古神帝"}), true, "要退哪个？万古神帝第36集还是万古神帝第35集？")
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "第九个"}), true, "抱歉，没听清。")
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "西游记"}), true, "没有找到“西游记”的购买记录。")
		r = e.intent(intents.Refund, map[string]string{"product": "第九个"})
		wantSpeech(t, r, false)
		if _, ok := find[tsk.ElicitSlot](r); ok {
			t.Errorf("gave up, still eliciting: %q", speech(r))
		}
	})
}

// TestMyPurchasesSaysRefundsUnderWay: units being refunded are not owned
// any more, and "我买过什么" says where they went.
func TestMyPurchasesSaysRefundsUnderWay(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "星辰变第35集"})
		e.clock.Advance(time.Minute)
		e.buy(map[string]string{"product": "听书点数", "count": "3"})
		e.intent(intents.Refund, map[string]string{"product": "听书点数"})
		e.intent(intents.Yes, nil)
		wantSpeech(t, e.intent(intents.MyPurchases, nil), false, "你已购买：星辰变第35集。", "3个听书点数正在退款。")
		// The platform fails it: said for a week, as news.
		e.refundSettlesAs(t, shop.RefundFail)
		wantSpeech(t, e.intent(intents.MyPurchases, nil), false, "3个听书点数的退款没有成功，可以再申请一次。")
		e.clock.Advance(8 * 24 * time.Hour)
		if s := speech(e.intent(intents.MyPurchases, nil)); strings.Contains(s, "没有成功") {
			t.Errorf("a refund failed 8 days ago still said: %q", s)
		}
	})
}

// TestRefundAgainKeepsTheQuestion: "我要退款" again to "要退哪个？" names
// nothing: the question is asked again, the mic open, and an answer to it
// still picks the purchase.
func TestRefundAgainKeepsTheQuestion(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "星辰变第35集"})
		e.clock.Advance(time.Minute)
		e.buy(map[string]string{"product": "听书点数", "count": "3"})
		const which = "要退哪个？听书点数还是星辰变第35集？"
		wantSpeech(t, e.intent(intents.Refund, nil, fakeplatform.WithQuery("我要退款")), true, which)
		for _, again := range []string{"我要退款", "退款", ""} {
			r := e.intent(intents.Refund, nil, fakeplatform.WithQuery(again))
			if got := speech(r); got != which {
				t.Errorf("%q to the question: %q, want %q", again, got, which)
			}
			wantSpeech(t, r, true)
			if el, ok := find[tsk.ElicitSlot](r); !ok || el.SlotToElicit != intents.SlotProduct {
				t.Errorf("%q to the question: elicit %+v", again, el)
			}
			wantDisplay(t, e, r, tsk.HorizontialListTemplate)
		}
		// Help and a bare yes keep the refund's wording.
		for _, in := range []string{intents.Help, intents.Yes} {
			r := e.intent(in, nil)
			if got := speech(r); !strings.HasSuffix(got, which) {
				t.Errorf("%s at the question: %q, want it to end in %q", in, got, which)
			}
			wantSpeech(t, r, true)
		}
		wantSpeech(t, e.intent(intents.Refund, nil, fakeplatform.WithQuery("第二个")), true, "退掉星辰变第35集，退还3元，确定吗？")
	})
}

// TestMyPurchasesSaysWhereUnitsWent: a consumable with none left is "用完了"
// only when all were used; units refunded are said as refunded.
func TestMyPurchasesSaysWhereUnitsWent(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for i, p := range e.pay.Ledger.Catalog.Products {
			if p.ID == "credits" {
				e.pay.Ledger.Catalog.Products[i].Refund.UnusedOnly = true // a used unit is not refunded
			}
		}
		e.buy(map[string]string{"product": "听书点数", "count": "3"})
		e.intent(intents.Play, map[string]string{"product": "听书点数"})
		wantSpeech(t, e.intent(intents.Refund, nil), true, "退掉2个听书点数，退还2元，确定吗？")
		wantSpeech(t, e.intent(intents.Yes, nil), false, "已申请退款2元")
		e.refundSettles(t)
		r := e.intent(intents.MyPurchases, nil)
		if got, want := speech(r), "听书点数用掉了1个，其余2个已经退款。"; got != want {
			t.Errorf("my purchases: %q, want %q", got, want)
		}

		e.user, e.session = "user-2", "session-2"
		e.buy(map[string]string{"product": "听书点数", "count": "1"})
		e.intent(intents.Play, map[string]string{"product": "听书点数"})
		if got, want := speech(e.intent(intents.MyPurchases, nil)), "听书点数已经用完了。"; got != want {
			t.Errorf("all used: %q, want %q", got, want)
		}
	})
}

// TestMyPurchasesSaysOrderWaiting: what the user owns is said, and then,
// briefly, an order still waiting for payment.
func TestMyPurchasesSaysOrderWaiting(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "星辰变第35集"})
		e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"})
		e.createOrder(e.intent(intents.Yes, nil))
		r := e.intent(intents.MyPurchases, nil)
		where := "请按音箱屏幕上的提示付款"
		if !e.kind.Display {
			where = "可以在手机上的叮当App里付款"
		}
		if got, want := speech(r), "你已购买：星辰变第35集。3个听书点数的订单还在等待付款，"+where+"。"; got != want {
			t.Errorf("my purchases: %q, want %q", got, want)
		}
		wantSpeech(t, r, false)
	})
}

// Answers the dialog does not understand are asked about again, but not
// for ever: the third in a row ends the session kindly; an answer it
// understands starts the count again.
func TestMisheardAnswersEnd(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数"}), true, "要买几个？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "随便"}), true, "没听清")
		wantSpeech(t, e.intent("no_such_intent", nil, fakeplatform.WithQuery("嗯嗯")), true, "要买几个听书点数")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "3"}), true, "3个听书点数，共3元，确定购买吗？")
		wantSpeech(t, e.intent("no_such_intent", nil, fakeplatform.WithQuery("今天天气怎么样")), true, "说“是的”就购买")
		wantSpeech(t, e.intent("no_such_intent", nil, fakeplatform.WithQuery("呃")), true, "说“是的”就购买")
		r := e.intent("no_such_intent", nil, fakeplatform.WithQuery("啊")) // the third in a row
		wantSpeech(t, r, false, "抱歉，还是没听明白。需要时再叫我吧。")
		if _, charged := find[tsk.Charge](e.intent(intents.Yes, nil)); charged {
			t.Error("a yes after giving up still charged")
		}
		// Not understood with nothing pending: the same.
		for range 2 {
			wantSpeech(t, e.intent("no_such_intent", nil, fakeplatform.WithQuery("唱首歌")), true, "抱歉，我没听懂。")
		}
		wantSpeech(t, e.intent("no_such_intent", nil, fakeplatform.WithQuery("唱首歌")), false, "还是没听明白")
		// A bare yes answers no "how many?" either.
		e.session = "session-yes"
		e.intent(intents.Buy, map[string]string{"product": "听书点数"})
		for range 2 {
			wantSpeech(t, e.intent(intents.Yes, nil), true, "要买几个听书点数？")
		}
		wantSpeech(t, e.intent(intents.Yes, nil), false, "还是没听明白")
	})
}

// An order left unpaid for an episode the user then bought (on another
// speaker, or after its pay page closed) is not said to wait for payment:
// the user owns it.
func TestMyPurchasesOwnedNotAwaiting(t *testing.T) {
	e := newEnv(t, device.Screened) // (a screenless speaker sends the user to the order in the app instead)
	e.intent(intents.Buy, ep35)
	e.createOrder(e.intent(intents.Yes, nil)) // the pay page closed unpaid
	e.session = "session-2"
	e.clock.Advance(10 * time.Minute)
	e.buy(ep35)
	r := e.intent(intents.MyPurchases, nil)
	wantSpeech(t, r, false, "你已购买：万古神帝第35集。")
	wantUnsaid(t, r, "等待付款")
}

// A side question before the yes ("我买过什么") is answered, and the
// purchase is asked about again, not dropped (nor mixed with an invitation
// to browse).
func TestSideQuestionKeepsThePurchase(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"})
		r := e.intent(intents.MyPurchases, nil)
		wantSpeech(t, r, true, "你还没有购买过内容。3个听书点数，共3元。说“是的”就购买")
		if strings.Contains(speech(r), "有什么可以买") { // an invitation to browse, while a purchase is asked about
			t.Errorf("aside a purchase: %q", speech(r))
		}
		wantSpeech(t, e.intent(intents.MyAccount, nil), true, "3个听书点数，共3元。说“是的”就购买")
		if c, ok := find[tsk.Charge](e.intent(intents.Yes, nil)); !ok || c.Payload.ChargeInfo.Items[0].Count != 3 {
			t.Errorf("the yes after a side question charged %+v", c)
		}
	})
}

// A count said for what is bought once is not silently dropped: the
// question says one is enough, and one is charged.
func TestCountOfWhatIsBoughtOnce(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集", "count": "三"}), true, "买一次就够了。万古神帝第35集，2元，确定购买吗？")
		if c, ok := find[tsk.Charge](e.intent(intents.Yes, nil)); !ok || c.Payload.ChargeInfo.Items[0].Count != 1 {
			t.Errorf("charged %+v", c)
		}
	})
}

// A refund asked in time that failed may be asked again for the policy's
// days after the failure, also past the purchase's window (it said
// "已超过7天退款期限" to the retry it invited); past that too, it is not.
func TestFailedRefundPastThePolicy(t *testing.T) {
	e := newEnv(t, device.Screenless)
	e.buy(map[string]string{"product": "听书点数", "count": "3"})
	e.clock.Advance(6 * 24 * time.Hour)
	e.intent(intents.Refund, map[string]string{"product": "听书点数"})
	wantSpeech(t, e.intent(intents.Yes, nil), false, "已申请退款3元")
	e.refundSettlesAs(t, shop.RefundFail)
	e.clock.Advance(2 * 24 * time.Hour) // 8 days after the purchase: past the 7 the policy gives
	wantSpeech(t, e.intent(intents.MyPurchases, nil), false, "3个听书点数的退款没有成功，可以再申请一次。")
	wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数"}), true, "退掉3个听书点数，退还3元，确定吗？")
	e.intent(intents.No, nil)
	e.clock.Advance(6 * 24 * time.Hour) // 8 days after the failure
	wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数"}), false, "已超过7天退款期限")
}

// A yes that says more than yes ("对，两个") or a bare count said to a
// question it does not answer is never taken as a yes to what was asked:
// the old count is not charged, nor a refund made of what was not said.
func TestYesWithMoreThanYes(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"})
		r := e.intent(intents.Yes, map[string]string{"count": "2"}, fakeplatform.WithQuery("对，两个"))
		wantSpeech(t, r, true, "2个听书点数，共2元，确定购买吗？")
		if _, charged := find[tsk.Charge](r); charged {
			t.Fatal("对，两个 charged")
		}
		if c, ok := find[tsk.Charge](e.intent(intents.Yes, nil)); !ok || c.Payload.ChargeInfo.Items[0].Count != 2 {
			t.Errorf("the yes after 对，两个 charged %+v", c)
		}

		e.session = "session-refund"
		e.buy(map[string]string{"product": "听书点数", "count": "3"})
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数"}), true, "退掉3个听书点数，退还3元，确定吗？")
		// A count said to the refund's question asks again, of that many.
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "两"}, fakeplatform.WithQuery("两个")), true, "退掉2个听书点数，退还2元，确定吗？")
		wantSpeech(t, e.intent(intents.Yes, map[string]string{"count": "1"}), true, "退掉1个听书点数，退还1元，确定吗？")
		if orders, _ := e.pay.Ledger.UserOrders(e.ctx, e.user); len(orders[0].Refunds) != 0 {
			t.Errorf("refunded on a yes with a count: %+v", orders[0].Refunds)
		}
		wantSpeech(t, e.intent(intents.Yes, nil), false, "已申请退款1元")

		// Unclear answers to "which one?" give up too.
		e.session = "session-listen"
		wantSpeech(t, e.intent(intents.Play, map[string]string{"product": "万古神帝"}), true, "还是")
		for _, said := range []string{"啊", "哦"} {
			wantSpeech(t, e.intent(intents.Play, nil, fakeplatform.WithQuery(said)), true)
		}
		wantSpeech(t, e.intent(intents.Play, nil, fakeplatform.WithQuery("呃")), false, "还是没听明白")
	})
}

// "退掉两个听书币" refunds two, at the price paid for each; more than are
// left says how many can be, or that one purchase is refunded at a time.
func TestRefundSomeUnits(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "听书点数", "count": "5"})
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数", "count": "两"}), true, "退掉2个听书点数，退还2元，确定吗？")
		wantSpeech(t, e.intent(intents.Yes, nil), false, "已申请退款2元")
		wantSpeech(t, e.intent(intents.MyPurchases, nil), false, "听书点数还剩3个。2个听书点数正在退款。")
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数"}), false, "听书点数的退款正在处理中，处理完之后可以再试一次。")
		e.refundSettles(t)
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "两个听书点数"}), true, "退掉2个听书点数，退还2元，确定吗？")
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数", "count": "10"}), true, "最多可以退3个。退掉3个听书点数，退还3元，确定吗？")
		wantSpeech(t, e.intent(intents.No, nil), false)

		// Bought twice: a refund is of one purchase, and more than it
		// holds is not "at most" (the other can be refunded next).
		e.clock.Advance(time.Minute)
		e.buy(map[string]string{"product": "听书点数", "count": "2"})
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数", "count": "4"}), true, "一次只能退一笔购买，先退最近买的2个。退掉2个听书点数，退还2元，确定吗？")
		wantSpeech(t, e.intent(intents.Yes, nil), false, "已申请退款2元")
		wantSpeech(t, e.intent(intents.Refund, nil), true, "退掉3个听书点数，退还3元，确定吗？")
	})
}

// TestPriceAskedIsNoYes: a price asked while a purchase waits for its yes
// or its count says the price and asks again; nothing is charged ("这个多少钱"
// was a bare "买": a yes, and a Charge), nothing is dropped ("一共多少钱"
// looked for a product "一共"). Another product's price goes on to that one.
func TestPriceAskedIsNoYes(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			start       map[string]string
			said        string
			slots       map[string]string
			want        string
			wantElicits bool
		}{
			{map[string]string{"product": "会员月卡"}, "这个多少钱", map[string]string{"product": "这个"}, "会员月卡，19.9元，购买后不能退款，确定购买吗？", false},
			{map[string]string{"product": "万古神帝第35集"}, "它多少钱", map[string]string{"product": "它"}, "万古神帝第35集，2元，确定购买吗？", false},
			{map[string]string{"product": "听书点数", "count": "5"}, "一共多少钱", map[string]string{"product": "一共"}, "5个听书点数，共5元，确定购买吗？", false},
			{map[string]string{"product": "听书点数"}, "多少钱一个", map[string]string{"product": "一个"}, "听书点数每个1元，要买几个？", true},
			{map[string]string{"product": "万古神帝第35集"}, "星辰变第35集多少钱", map[string]string{"product": "星辰变第35集"}, "星辰变第35集，3元，确定购买吗？", false},
			// Another count's price: that count, quoted (a yes bought the old one).
			{map[string]string{"product": "听书点数", "count": "5"}, "两个多少钱", map[string]string{"count": "两个"}, "2个听书点数，共2元，确定购买吗？", false},
			{map[string]string{"product": "听书点数", "count": "5"}, "三个听书点数多少钱", map[string]string{"product": "三个听书点数"}, "3个听书点数，共3元，确定购买吗？", false},
		} {
			e.session = "price-" + c.said
			e.intent(intents.Buy, c.start)
			r := e.intent(intents.Buy, c.slots, fakeplatform.WithQuery(c.said))
			wantSpeech(t, r, true, c.want)
			if _, ok := find[tsk.Charge](r); ok {
				t.Errorf("%q charged", c.said)
			}
			if _, ok := find[tsk.ElicitSlot](r); ok != c.wantElicits {
				t.Errorf("%q: elicits a slot %v, want %v", c.said, ok, c.wantElicits)
			}
		}
	})
}

// TestNoThatCorrects: a no to "确定购买吗？" that goes on to say what
// instead is that, asked about again ("不对，三个" cancelled the purchase);
// a no that declines ("不要三个", "不对") still cancels.
func TestNoThatCorrects(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			start map[string]string
			said  string
			slots map[string]string
			want  string
		}{
			{map[string]string{"product": "听书点数", "count": "2"}, "不对，三个", nil, "3个听书点数，共3元，确定购买吗？"},
			{map[string]string{"product": "听书点数", "count": "2"}, "不是两个是三个", nil, "3个听书点数，共3元，确定购买吗？"},
			{map[string]string{"product": "听书点数", "count": "2"}, "", map[string]string{"count": "3"}, "3个听书点数，共3元，确定购买吗？"},
			{map[string]string{"product": "万古神帝第35集"}, "不是，我要第36集", nil, "万古神帝第36集，2元，确定购买吗？"},
			{map[string]string{"product": "万古神帝第35集"}, "算了，买星辰变吧", nil, "星辰变第35集，3元，确定购买吗？"},
			{map[string]string{"product": "听书点数", "count": "2"}, "不要三个", nil, "已取消"},
			{map[string]string{"product": "听书点数", "count": "2"}, "不对", nil, "已取消"},
			{map[string]string{"product": "万古神帝第35集"}, "不是，就万古神帝第35集", nil, "已取消"}, // the same: a no
		} {
			e.session = "correct-" + c.said
			e.intent(intents.Buy, c.start)
			r := e.intent(intents.No, c.slots, fakeplatform.WithQuery(c.said))
			ends := strings.Contains(c.want, "已取消")
			wantSpeech(t, r, !ends, c.want)
			if _, ok := find[tsk.Charge](r); ok {
				t.Errorf("%q charged", c.said)
			}
		}
	})
}

// TestCancelWithAnOrderUnpaid: "取消订单" after the Charge, the question
// answered, says the order costs nothing unpaid ("好的，再见。" left the
// user wondering); with nothing waiting it is a goodbye.
func TestCancelWithAnOrderUnpaid(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.Cancel, nil), false, "再见")
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		e.createOrder(e.intent(intents.Yes, nil))
		e.session = "later"
		wantSpeech(t, e.intent(intents.Cancel, nil, fakeplatform.WithQuery("取消订单")), false, "不付款就不会扣款")
		wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery("我不想买了")), false, "不付款就不会扣款")
		wantSpeech(t, e.intent(intents.Cancel, nil, fakeplatform.WithQuery("再见")), false, "再见") // a goodbye
	})
}

// TestRefundOfSomethingNotBought: a refund of a product never bought says
// so, also when nothing else can be refunded (it said why the user's
// membership could not be).
func TestRefundOfSomethingNotBought(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "会员月卡"})
		r := e.intent(intents.Refund, map[string]string{"product": "听书点数", "count": "2"})
		wantSpeech(t, r, false, "你没有买过听书点数。")
		if strings.Contains(speech(r), "会员") {
			t.Errorf("answered about the membership: %q", speech(r))
		}
	})
}

// TestRangeAsked: "两三个" asks which of the two (it was "没听清").
func TestRangeAsked(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "听书点数"})
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "两三个"}), true, "要买2个还是3个？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "三个"}), true, "3个听书点数，共3元")
	})
}

// TestZeroAndAllAsked: "零个" asks for at least one (it was "没听清");
// "都退了吧" to "要退哪个？" says one at a time.
func TestZeroAndAllAsked(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "听书点数"})
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "零个"}), true, "一次至少买1个，要买几个？")
		e.intent(intents.Cancel, nil)
		for i := range e.pay.Ledger.Catalog.Products {
			e.pay.Ledger.Catalog.Products[i].Refund.UnusedOnly = false
		}
		e.buy(map[string]string{"product": "万古神帝第35集"})
		e.buy(map[string]string{"product": "星辰变第35集"})
		e.intent(intents.Refund, nil)
		wantSpeech(t, e.intent(intents.Refund, nil, fakeplatform.WithQuery("都退了吧")), true, "一次退一个吧。要退哪个？")
	})
}

// TestMyPurchasesAboutOneProduct: a question about one product answers
// about it (it listed the episodes bought): how many left, until when
// and how many days, or that it was never bought.
func TestMyPurchasesAboutOneProduct(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "万古神帝第35集"})
		ask := func(q string) *tsk.Response {
			return e.intent(intents.MyPurchases, nil, fakeplatform.WithQuery(q))
		}
		wantSpeech(t, ask("会员什么时候到期"), false, "你还没有开通会员月卡。")
		wantSpeech(t, ask("我还剩几个听书点数"), false, "你还没有买过听书点数。")
		wantSpeech(t, ask("我买过什么"), false, "你已购买：万古神帝第35集。")
		e.buy(map[string]string{"product": "会员月卡"})
		wantSpeech(t, ask("会员还有几天"), false, "会员月卡有效期到", "还有30天。")
	})
}

// TestPaidSaysBoughtWithTheNotifyLate: "我付过了" with the ship notify late
// asks the platform, which says paid: the order is delivered and said as
// bought (it said "还在等待付款"); unpaid, "我要付款" says what and where to
// pay, with the card on a screen (it named a prompt no screen showed).
func TestPaidSaysBoughtWithTheNotifyLate(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		o := e.createOrder(e.intent(intents.Yes, nil))
		e.session = "later"
		where := "付款页面关了的话" // and its card again, to pay from
		if !e.kind.Display {
			where = "可以在手机上的叮当App里完成支付"
		}
		r := e.intent(intents.MyPurchases, nil, fakeplatform.WithQuery("我要付款"))
		wantSpeech(t, r, false, "万古神帝第35集的订单还在等待付款，2元。"+where)
		if _, card := find[tsk.RenderTemplate](r); card != e.kind.Display {
			t.Errorf("the card shown %v on a display %v", card, e.kind.Display)
		}
		e.platform.Pay(o.tradeNo, o.total) // no ship notify
		wantSpeech(t, e.intent(intents.MyPurchases, nil, fakeplatform.WithQuery("我付过了")), false, "你已购买：万古神帝第35集。")
	})
}

// TestNoThatCorrectsARefund: a no to a refund's "确定吗？" that says what
// instead is that, asked again ("不对，一个" cancelled the refund).
func TestNoThatCorrectsARefund(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for i := range e.pay.Ledger.Catalog.Products {
			e.pay.Ledger.Catalog.Products[i].Refund.UnusedOnly = false
		}
		e.buy(map[string]string{"product": "听书点数", "count": "5"})
		e.buy(map[string]string{"product": "万古神帝第35集"})
		e.intent(intents.Refund, map[string]string{"product": "听书点数", "count": "3"})
		wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery("不对，一个")), true, "退掉1个听书点数，退还1元，确定吗？")
		wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery("不是，我要退万古神帝第35集")), true, "退掉万古神帝第35集，退还2元，确定吗？")
		wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery("不用了")), false, "好的，不退了。")
	})
}

// TestRefundAsideAPurchase: "我要退款" while a purchase waits for its yes,
// with nothing to refund, says so and asks the purchase's question again
// (the purchase was dropped); with something to refund, the refund goes on.
func TestRefundAsideAPurchase(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "5"})
		wantSpeech(t, e.intent(intents.Refund, nil), true, "你还没有可以退款的购买。5个听书点数，共5元。")
		if _, ok := find[tsk.Charge](e.intent(intents.Yes, nil)); !ok {
			t.Error("the purchase was dropped")
		}
	})
}

// TestMembershipForALength: a length said for a monthly membership is
// its months ("买一年会员" sold one month), days are whole months or asked
// about, and a length beyond what one order may buy is said so.
func TestMembershipForALength(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for said, want := range map[string]string{
			"买一年会员":     "12个月的会员月卡，共238.8元",
			"买半年会员":     "6个月的会员月卡，共119.4元",
			"买一个季度的会员":  "3个月的会员月卡，共59.7元",
			"买三个月会员":    "3个月的会员月卡，共59.7元",
			"买两年会员":     "会员月卡一次最多买12个",
			"买个今年的会员":   "会员月卡，19.9元", // no length
			"买2026年的会员": "会员月卡，19.9元",
			"买一年半会员":    "会员月卡一次最多买12个月",         // 18 months: said, and too many (it sold one)
			"买十一年会员":    "会员月卡一次最多买12个月",         // (it sold 11 months)
			"买七天的会员":    "会员月卡按月买，一个月30天，要买几个月？", // (it sold 7 months)
			"买30天会员":    "会员月卡，19.9元",
			"买六十天的会员":   "2个月的会员月卡，共39.8元",
		} {
			e.session = "length-" + said
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "会员月卡"}, fakeplatform.WithQuery(said)), true, want)
		}
	})
}

// TestRefundOfASumOrZero: a refund asked as a sum is that many units
// ("退掉三块钱的…" quoted them all), a sum between units says refunds are
// by units, and "零个" asks about one.
func TestRefundOfASumOrZero(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "听书点数", "count": "5"})
		for said, want := range map[string]string{
			"退掉三块钱的听书点数": "退掉3个听书点数，退还3元，确定吗？",
			"退掉两块五的听书点数": "退款按个数算，每个1元。退掉2个听书点数，退还2元，确定吗？",
			"退10个听书点数":   "退掉5个听书点数", // no zero in 10: no "至少要退1个"
			"退零个听书点数":    "至少要退1个。退掉1个听书点数，退还1元，确定吗？",
		} {
			e.session = "refund-" + said
			wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数"}, fakeplatform.WithQuery(said)), true, want)
		}
	})
}

// TestPayWhenThePageClosed: "我要付款" after a screen's pay page closed says
// so and how to buy again (it said "还在等待付款", with nowhere to pay).
func TestPayWhenThePageClosed(t *testing.T) {
	e := newEnv(t, device.Screened)
	e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
	e.createOrder(e.intent(intents.Yes, nil))
	e.clock.Advance(10 * time.Minute)
	e.session = "later"
	wantSpeech(t, e.intent(intents.MyPurchases, nil, fakeplatform.WithQuery("我要付款")), false,
		"万古神帝第35集的付款页面已经关了，没有扣款。想买的话，请再说一次“我要买万古神帝第35集”。")
}

// TestSeveralWithOneOwned: two things asked at once, one owned for good:
// the other is the purchase ("一次买一样吧" asked about the owned one too).
func TestSeveralWithOneOwned(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "万古神帝第35集"})
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集和星辰变第35集"}), true, "星辰变第35集，3元，确定购买吗？")
	})
}

// TestMoreAtACountAndAnEndedMembership: "还有呢" to "要买几个？" asks that
// again (it read the shop's list, dropping the coins); a membership that
// ended is said to have ended before it is sold anew.
func TestMoreAtACountAndAnEndedMembership(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "听书点数"})
		wantSpeech(t, e.intent(intents.BrowseMore, nil), true, "听书点数每个1元。", "要买几个？")
		e.intent(intents.Cancel, nil)
		e.buy(map[string]string{"product": "会员月卡"})
		e.clock.Advance(40 * 24 * time.Hour)
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "会员月卡"}), true, "你的会员月卡已于", "到期。会员月卡，19.9元")
	})
}

// TestDatesOfAnotherYear: a day months away in another year, ahead or
// past, says its year ("已于1月3日到期" said a year on read as next week).
func TestDatesOfAnotherYear(t *testing.T) {
	e := newEnv(t, device.Screenless)
	e.buy(map[string]string{"product": "会员月卡"})
	e.clock.Advance(385 * 24 * time.Hour)
	wantSpeech(t, e.intent(intents.MyPurchases, nil), false, "年")
}
