package intents_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestWelcomeHelpBrowse(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.send(fakeplatform.NewLaunch(e.opts()...)), true, "欢迎")
		wantSpeech(t, e.intent(intents.Help, nil), true, "有什么可以买")
		r := e.intent(intents.Browse, nil)
		wantSpeech(t, r, true, "万古神帝第35集2元", "想买哪个？")
		wantDisplay(t, e, r, tsk.HorizontialListTemplate)
		if rt, ok := find[tsk.RenderTemplate](r); ok && (len(rt.Template.ListItems) != 5 ||
			rt.Template.ListItems[3].Token != "product:vip" || rt.Template.ListItems[3].TextContent.Description != "19.9元") {
			t.Errorf("list %+v", rt.Template.ListItems)
		}
		wantSpeech(t, e.intent(intents.Cancel, nil), false, "再见")
		wantSpeech(t, e.intent("no_such_intent", nil), true, "没听懂")
		e.intent(intents.Browse, nil)
		wantSpeech(t, e.intent(intents.No, nil), false, "好的，再见。") // "不用了" to a list: nothing was begun
	})
}

// TestBrowseMore: "还有呢" names the products a browse left out, then says
// that was all; the next one starts again. Help keeps the list; any other
// turn in between ends it: "还有呢" after it starts from the top. After a "which one?"
// that named the first products, it names the others and the question
// stays pending.
func TestBrowseMore(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		r := e.intent(intents.Browse, nil)
		wantSpeech(t, r, true, "现在有万古神帝第35集2元", "听书点数1元，还有2种", "想买哪个？")
		if hint := strings.Contains(speech(r), "说“还有呢”"); hint == e.kind.Display {
			t.Errorf("the hint to say 还有呢 on a display %v: %q", e.kind.Display, speech(r))
		}
		r = e.intent(intents.BrowseMore, nil)
		wantSpeech(t, r, true, "还有会员月卡19.9元、星辰变第35集3元。想买哪个？")
		if strings.Contains(speech(r), "万古神帝") {
			t.Errorf("the next page said the first again: %q", speech(r))
		}
		wantSpeech(t, e.intent(intents.BrowseMore, nil), true, "就这些了。想买哪个？")
		wantSpeech(t, e.intent(intents.BrowseMore, nil), true, "现在有万古神帝第35集2元")
		if e.kind.Display { // "最后一个": the last named, or the last on the screen
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "最后那个"}), true, "星辰变第35集，3元")
		} else {
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "最后那个"}), true, "听书点数每个1元，要买几个？")
		}
		e.intent(intents.Cancel, nil)
		wantSpeech(t, e.intent(intents.Browse, nil), true, "现在有万古神帝第35集2元")
		wantSpeech(t, e.intent(intents.Help, nil), true)
		wantSpeech(t, e.intent(intents.BrowseMore, nil), true, "还有会员月卡") // help keeps the list
		wantSpeech(t, e.intent(intents.MyPurchases, nil), true)
		wantSpeech(t, e.intent(intents.BrowseMore, nil), true, "现在有万古神帝第35集2元")

		// "我要买小王子": not found, the first three named; "还有呢" names
		// the others and asks again which to buy; a name answers it.
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "小王子"}), true, "没有找到“小王子”", "你想买哪个？")
		wantSpeech(t, e.intent(intents.BrowseMore, nil), true, "还有会员月卡19.9元、星辰变第35集3元。想买哪个？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "星辰变第35集"}), true, "星辰变第35集，3元，确定购买吗？")
		wantSpeech(t, e.intent(intents.No, nil), false)

		// "我要听小王子": the examples are what plays, not coins; "还有呢"
		// lists what is for sale, the question still one of listening.
		r = e.intent(intents.Play, map[string]string{"product": "小王子"})
		wantSpeech(t, r, true, "没有找到“小王子”", "星辰变第35集", "你想听哪个？")
		if strings.Contains(speech(r), "听书点数") {
			t.Errorf("a coin offered to listen to: %q", speech(r))
		}
		wantSpeech(t, e.intent(intents.BrowseMore, nil), true, "现在有万古神帝第35集2元", "想听哪个？")
		wantSpeech(t, e.intent(intents.Play, map[string]string{"product": "星辰变第35集"}), true, "星辰变第35集", "3元")
		wantSpeech(t, e.intent(intents.No, nil), false)

		// After the second page, a position counts in it ("第二个"), or
		// past it in everything named so far ("第五个": the fifth said,
		// not a question again); a screen shows that page (it showed the
		// whole list, and "第二个" was the list's second on a screen, the
		// second said without one).
		for said, want := range map[string]string{
			"第二个":  "星辰变第35集，3元，确定购买吗？",
			"第一个":  "会员月卡，19.9元，购买后不能退款，确定购买吗？",
			"第五个":  "星辰变第35集，3元，确定购买吗？",
			"第三个":  "听书点数每个1元，要买几个？",
			"最后一个": "星辰变第35集，3元，确定购买吗？",
		} {
			e.session = "session-" + said
			e.intent(intents.Browse, nil)
			r := e.intent(intents.BrowseMore, nil)
			if rt, ok := find[tsk.RenderTemplate](r); e.kind.Display && (!ok || len(rt.Template.ListItems) != 2 ||
				rt.Template.ListItems[0].TextContent.Title != "会员月卡") {
				t.Errorf("after 还有呢 the screen shows %+v, want the two said", rt.Template.ListItems)
			}
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": said}), true, want)
		}
	})
}

// TestAnswersUnderAnotherIntent: the platform keeps the intent of the turn
// that asked (help, a browse) for the answer: the answer is taken as such,
// not as that intent again (it used to loop on the help text, or on the
// list). A position picks among what the list said.
func TestAnswersUnderAnotherIntent(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数"}), true, "要买几个")
		wantSpeech(t, e.intent(intents.Help, nil), true, "说个数量就行")
		wantSpeech(t, e.intent(intents.Help, map[string]string{"count": "3"}), true, "3个听书点数，共3元，确定购买吗？")
		wantSpeech(t, e.intent(intents.No, nil), false)

		e.session = "session-2"
		wantSpeech(t, e.intent(intents.Browse, nil), true, "想买哪个？")
		wantSpeech(t, e.intent(intents.Browse, map[string]string{"product": "第二个"}), true, "万古神帝第36集，2元，确定购买吗？")
		wantSpeech(t, e.intent(intents.No, nil), false)

		e.session = "session-3"
		wantSpeech(t, e.intent(intents.Browse, nil), true, "想买哪个？")
		wantSpeech(t, e.intent(intents.BrowseMore, nil), true, "还有会员月卡")
		wantSpeech(t, e.intent(intents.BrowseMore, map[string]string{"product": "星辰变第35集"}), true, "星辰变第35集，3元，确定购买吗？")
		wantSpeech(t, e.intent(intents.No, nil), false)

		// After a list, "我要买东西" asks afresh (it was echoed as a product
		// not found); "两个听书点数" keeps its count.
		e.session = "session-4"
		wantSpeech(t, e.intent(intents.Browse, nil), true, "想买哪个？")
		wantSpeech(t, e.intent(intents.Buy, nil, fakeplatform.WithQuery("我要买东西")), true, "你想买什么？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "两个听书点数"}), true, "2个听书点数，共2元，确定购买吗？")
	})
}

// TestUnclearAnswerKeepsTheChoice: something that names nothing, said to
// "你是说A，还是B？", asks the same again (it echoed it as a product not
// found and forgot the two), and "第二个" then picks.
func TestUnclearAnswerKeepsTheChoice(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "第35集"}), true, "你是说万古神帝第35集，还是星辰变第35集？")
		r := e.intent(intents.Buy, map[string]string{"product": "今天天气怎么样"})
		wantSpeech(t, r, true, "抱歉，没听清。你是说万古神帝第35集，还是星辰变第35集？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "第二个"}), true, "星辰变第35集，3元，确定购买吗？")
	})
}

// TestRefundOfWhatWasNotBought: naming a product never bought says so and
// names what can be refunded (it said there was nothing to refund), to be
// asked for by name: a reflexive yes refunds nothing the user did not ask
// about.
func TestRefundOfWhatWasNotBought(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "听书点数", "count": "3"})
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "星辰变第35集"}), true,
			"你没有买过星辰变第35集。可以退款的是听书点数，要退哪个？")
		wantSpeech(t, e.intent(intents.Yes, nil), true, "你想退哪个？")
		if orders, _ := e.pay.Ledger.UserOrders(e.ctx, e.user); len(orders[0].Refunds) != 0 {
			t.Fatalf("a yes refunded what was not asked about: %+v", orders[0].Refunds)
		}
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数"}), true, "退掉3个听书点数，退还3元，确定吗？")
		wantSpeech(t, e.intent(intents.Yes, nil), false, "已申请退款3元")
	})
}

func TestElementSelected(t *testing.T) {
	e := newEnv(t, device.Screened)
	r := e.send(fakeplatform.NewElementSelected("product:credits", e.opts()...))
	wantSpeech(t, r, true, "要买几个")
	if el, ok := find[tsk.ElicitSlot](r); !ok || el.SlotToElicit != intents.SlotCount { // a tap has no intent to contradict
		t.Errorf("a tap's count question elicits %+v", el)
	}
	wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "2"}), true, "2个听书点数，共2元")
	e.session = "session-2"
	wantSpeech(t, e.send(fakeplatform.NewElementSelected("product:nope", e.opts()...)), true, "没听懂")

	// A tap on a card while a question waits asks it again (it said 没听懂).
	e.session = "session-3"
	e.intent(intents.Buy, map[string]string{"product": "听书点数"})
	wantSpeech(t, e.send(fakeplatform.NewElementSelected("pay-card", e.opts()...)), true, "要买几个？")

	// Another of a refund's list tapped while one waits for its yes: that
	// one's refund (it bought or played what was tapped).
	e.session = "session-4"
	for i := range e.pay.Ledger.Catalog.Products {
		e.pay.Ledger.Catalog.Products[i].Refund.UnusedOnly = false // the episodes play once paid
	}
	e.buy(map[string]string{"product": "万古神帝第35集"})
	e.buy(map[string]string{"product": "星辰变第35集"})
	e.intent(intents.Refund, nil)
	wantSpeech(t, e.send(fakeplatform.NewElementSelected("product:xcb-35", e.opts()...)), true, "退掉星辰变第35集")
	r = e.send(fakeplatform.NewElementSelected("product:wgsd-35", e.opts()...))
	wantSpeech(t, r, true, "退掉万古神帝第35集")
	if _, ok := find[tsk.AudioPlayerPlay](r); ok {
		t.Error("a tap on the refund list played")
	}
}

// failingStore fails every session read.
type failingStore struct{ intents.Sessions }

func (failingStore) Session(context.Context, shop.SessionKey) ([]byte, error) {
	return nil, errors.New("disk on fire")
}

// panicRenderer panics.
type panicRenderer struct{}

func (panicRenderer) Render(ui.View) *tsk.Response { panic("boom") }

// kindOf returns a Config.Device override that answers k for every request.
func kindOf(k *device.Kind) func(*tsk.Request) *device.Kind {
	return func(*tsk.Request) *device.Kind { return k }
}

func TestFailuresBecomeApologies(t *testing.T) {
	e := newEnv(t, device.Screenless)
	panicking := &device.Kind{Name: "panicking", Renderer: func(device.Config) ui.Renderer { return panicRenderer{} }}
	tests := map[string]intents.Config{
		"store down":     e.config(func(c *intents.Config) { c.Sessions = failingStore{e.state} }),
		"renderer panic": e.config(func(c *intents.Config) { c.Device = kindOf(panicking) }),
		"no ledger":      e.config(func(c *intents.Config) { c.Ledger, c.Payments = nil, nil }),
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			d := intents.New(cfg)
			resp := d.Handle(context.Background(), fakeplatform.NewIntent(intents.Buy, map[string]string{"product": "万古神帝第35集"}, e.opts()...))
			body, _ := json.Marshal(resp)
			tsktest.ValidateResponse(t, body)
			wantSpeech(t, resp, false, "抱歉，出了点小问题，请稍后再试")
		})
	}
	if resp := intents.New(tests["store down"]).Handle(context.Background(), nil); resp == nil || speech(resp) == "" {
		t.Errorf("nil request: %+v", resp)
	}
}

// rogueRenderer breaks every rule device.Enforce exists for.
type rogueRenderer struct{}

func (rogueRenderer) Render(v ui.View) *tsk.Response {
	r := tsk.NewResponse("", !v.Ask)
	r.Response.Directives = []tsk.Directive{
		tsk.ElicitSlot{SlotToElicit: "product"},
		tsk.RenderTemplate{Token: "t", Template: tsk.Template{Type: tsk.TextBodyTemplate}},
	}
	r.Response.Card = &tsk.Card{Type: tsk.CardLinkAccount}
	return r
}

// TestRulesApplied sends every kind of request through a dialog whose
// renderer breaks the protocol rules: what leaves the dialog keeps them.
func TestRulesApplied(t *testing.T) {
	for _, k := range device.Kinds() {
		t.Run(k.Name, func(t *testing.T) {
			e := newEnv(t, k)
			rogue := &device.Kind{Name: "rogue-" + k.Name, Display: k.Display,
				Renderer: func(device.Config) ui.Renderer { return rogueRenderer{} }}
			e.dialog = intents.New(e.config(func(c *intents.Config) { c.Device = kindOf(rogue) }))
			for _, req := range []*tsk.Request{
				fakeplatform.NewSessionEnded(tsk.ReasonError, e.opts()...),
				fakeplatform.NewConnectionsResponse("T1", "D1", e.opts()...),
				fakeplatform.NewIntent(intents.Help, nil, e.opts()...),
			} {
				r := e.send(req) // send checks the rules
				if req.Request.Type == tsk.TypeSessionEnded && r.Response.Card != nil {
					t.Error("card in a SessionEndedRequest reply")
				}
			}
		})
	}
}

// TestDeviceOverride: the rule that decides the kind of device is
// overridden in one place, and the turn is rendered for the kind it picks.
func TestDeviceOverride(t *testing.T) {
	e := newEnv(t, device.Screened)
	cfg := e.config(func(c *intents.Config) { c.Device = kindOf(device.Screenless) })
	r := intents.New(cfg).Handle(context.Background(), fakeplatform.NewIntent(intents.Browse, nil, fakeplatform.WithDeviceKind(device.Screened)))
	if slices.ContainsFunc(r.Response.Directives, func(d tsk.Directive) bool { return strings.HasPrefix(d.DirectiveType(), "Display.") }) ||
		!strings.Contains(speech(r), "听书点数") {
		t.Errorf("override ignored: %+v", r.Response)
	}
}

func BenchmarkPurchaseTurn(b *testing.B) {
	e := newEnv(b, device.Screened)
	req := fakeplatform.NewIntent(intents.Buy, map[string]string{"product": "万古神帝第35集"}, e.opts()...)
	ctx := context.Background()
	for b.Loop() {
		if r := e.dialog.Handle(ctx, req); r.Response.ShouldEndSession {
			b.Fatalf("unexpected %+v", r.Response)
		}
	}
}

// BenchmarkPurchaseTurnJSON is BenchmarkPurchaseTurn with the answer
// encoded, as /skill sends it.
func BenchmarkPurchaseTurnJSON(b *testing.B) {
	e := newEnv(b, device.Screened)
	req := fakeplatform.NewIntent(intents.Buy, map[string]string{"product": "万古神帝第35集"}, e.opts()...)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(e.dialog.Handle(ctx, req)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBrowseSaysWhatIsOwned: what the user owns is said and shown as
// bought in a list, not priced as for sale again, nor given as an example
// of what to buy.
func TestBrowseSaysWhatIsOwned(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "万古神帝第35集"})
		e.session = "session-examples"
		wantSpeech(t, e.intent(intents.Buy, nil, fakeplatform.WithQuery("我要买东西")), true, "你想买什么？比如万古神帝第36集、听书点数或会员月卡等。")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "第一个"}), true, "万古神帝第36集，2元，确定购买吗？")
		wantSpeech(t, e.intent(intents.Buy, nil, fakeplatform.WithQuery("换一个")), true, "好的，想换成哪个？比如听书点数、会员月卡或星辰变第35集。")
		e.session = "session-2"
		r := e.intent(intents.Browse, nil)
		wantSpeech(t, r, true, "现在有万古神帝第35集（已购买）、万古神帝第36集2元")
		if rt, ok := find[tsk.RenderTemplate](r); e.kind.Display {
			if !ok || len(rt.Template.ListItems) == 0 || rt.Template.ListItems[0].TextContent.Description != "已购买" ||
				rt.Template.ListItems[1].TextContent.Description != "2元" {
				t.Errorf("the list on the screen: %+v", rt.Template.ListItems)
			}
		}
	})
}

// TestPositionPastTheList: "第六个" of a list of five says how many there
// are and keeps the list (it asked afresh with three examples, and the
// fifth was out of reach).
func TestPositionPastTheList(t *testing.T) {
	e := newEnv(t, device.Screened)
	e.intent(intents.Browse, nil)
	wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "第六个"}), true, "只有5个。")
	wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "第五个"}), true, "星辰变第35集，3元")
}

// TestOffTopicAtAQuestion: a question for another skill said to "你想买什
// 么？" is not said back as a product not found.
func TestOffTopicAtAQuestion(t *testing.T) {
	e := newEnv(t, device.Screenless)
	e.intent(intents.Buy, nil)
	r := e.intent(intents.Buy, map[string]string{"product": "今天天气怎么样"})
	wantSpeech(t, r, true, "这个我回答不了。", "你想买哪个？")
	wantUnsaid(t, r, "没有找到")
}

// TestWhichListMarksOwned: the list of a "which one?" marks what the user
// owns, as a browse does (it showed the owned episode's price).
func TestWhichListMarksOwned(t *testing.T) {
	e := newEnv(t, device.Screened)
	e.buy(map[string]string{"product": "万古神帝第35集"})
	r := e.intent(intents.Buy, map[string]string{"product": "第35集"})
	rt, ok := find[tsk.RenderTemplate](r)
	if !ok || len(rt.Template.ListItems) != 2 {
		t.Fatalf("no list of two: %+v", r.Response.Directives)
	}
	for _, it := range rt.Template.ListItems {
		owned := it.Token == "product:wgsd-35"
		if (it.TextContent.Description == ui.Bought) != owned {
			t.Errorf("%s: %q", it.Token, it.TextContent.Description)
		}
	}
}
