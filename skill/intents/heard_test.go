package intents_test

import (
	"os"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// TestPlatformExampleRequest answers the platform's own pay example (play,
// album 万古神帝, index 35) with that episode, not "你想听什么？".
func TestPlatformExampleRequest(t *testing.T) {
	body, err := os.ReadFile("../../testdata/tsk/examples/request-pay-round1-intent.json")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, device.Screenless)
	r := e.send(tsktest.MustDecode(t, body))
	wantSpeech(t, r, true, "万古神帝第35集是付费内容，2元，要购买吗？")
	// Yes buys that episode.
	if c, ok := find[tsk.Charge](e.send(fakeplatform.NewIntent(intents.Yes, nil,
		fakeplatform.WithUser("uuuuuuuu....id"), fakeplatform.WithSession("sample-payment-session")))); !ok ||
		c.Payload.ChargeInfo.Items[0].ItemID != "wgsd-35" {
		t.Errorf("yes to the example: charge %+v", c)
	}
}

// TestHeardAsSaid: numbers in words, homophones, slots and fillers all
// name the product, and every purchase is confirmed with its full name and
// price.
func TestHeardAsSaid(t *testing.T) {
	tests := []struct {
		name   string
		intent string
		slots  map[string]string
		query  string
		want   string
	}{
		{"homophones and a numeral", intents.Buy, map[string]string{"product": "万股神地第三十五集"}, "", "万古神帝第35集，2元，确定购买吗？"},
		{"album and index", intents.Buy, map[string]string{"album": "完古神帝", "index": "三十六"}, "", "万古神帝第36集，2元，确定购买吗？"},
		{"episode slot", intents.Play, map[string]string{"album": "星辰变", "episode": "35"}, "", "星辰变第35集是付费内容，3元，要购买吗？"},
		{"one phrase", intents.Play, map[string]string{"product": "万古神帝卅五"}, "", "万古神帝第35集是付费内容，2元"},
		{"homophone, count asked", intents.Buy, map[string]string{"product": "听书点书"}, "", "听书点数每个1元，要买几个？"},
		{"count in the product slot", intents.Buy, map[string]string{"product": "两个听书点数"}, "", "2个听书点数，共2元，确定购买吗？"},
		{"fillers", intents.Buy, map[string]string{"product": "那个会员悦卡吧"}, "", "会员月卡，19.9元，购买后不能退款，确定购买吗？"},
		{"no slot: the utterance", intents.Play, nil, "播放万古神帝第三十五集", "万古神帝第35集是付费内容，2元"},
		{"no slot, nothing named", intents.Buy, nil, "我要买东西", "你想买什么？"},
		{"unrelated", intents.Buy, map[string]string{"product": "周杰伦的歌"}, "", "没有找到“周杰伦的歌”。现在有"},
		{"an episode it lacks", intents.Play, map[string]string{"album": "万古神帝", "index": "99"}, "",
			"没有找到“万古神帝第99集”。你是不是想要万古神帝第35集或万古神帝第36集？"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devices(t, func(t *testing.T, e *env) {
				wantSpeech(t, e.intent(tt.intent, tt.slots, fakeplatform.WithQuery(tt.query)), true, tt.want)
			})
		})
	}
}

// TestAmbiguousEpisode asks which series when two have a 第35集, and takes
// the next turn's answer: a position, a name, a tap, or a yes to the only
// product asked about.
func TestAmbiguousEpisode(t *testing.T) {
	const question = "你是说万古神帝第35集，还是星辰变第35集？"
	answers := map[string]func(e *env) *tsk.Response{
		"第二个": func(e *env) *tsk.Response {
			return e.send(fakeplatform.NewIntent("no_such_intent", nil, e.opts(fakeplatform.WithQuery("第二个"))...))
		},
		"第二吧": func(e *env) *tsk.Response {
			return e.send(fakeplatform.NewIntent("no_such_intent", nil, e.opts(fakeplatform.WithQuery("第二吧"))...))
		},
		"a position in the slot": func(e *env) *tsk.Response {
			return e.intent(intents.Play, map[string]string{"product": "第2个"})
		},
		"a name": func(e *env) *tsk.Response {
			return e.intent(intents.Play, map[string]string{"product": "星晨变的"})
		},
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			devices(t, func(t *testing.T, e *env) {
				r := e.intent(intents.Play, map[string]string{"product": "第三十五集"})
				wantSpeech(t, r, true, question)
				if el, ok := find[tsk.ElicitSlot](r); !ok || el.SlotToElicit != intents.SlotProduct {
					t.Errorf("no ElicitSlot product: %+v", r.Response.Directives)
				}
				if e.kind.Display {
					rt, _ := find[tsk.RenderTemplate](r)
					if len(rt.Template.ListItems) != 2 || rt.Template.ListItems[1].Token != "product:xcb-35" {
						t.Errorf("list to tap: %+v", rt.Template.ListItems)
					}
				}
				wantSpeech(t, answer(e), true, "星辰变第35集是付费内容，3元，要购买吗？")
			})
		})
	}
	t.Run("a tap", func(t *testing.T) {
		e := newEnv(t, device.Screened)
		wantSpeech(t, e.intent(intents.Play, map[string]string{"album": "", "index": "35"}), true, question)
		r := e.send(fakeplatform.NewElementSelected("product:xcb-35", e.opts()...))
		wantSpeech(t, r, true, "星辰变第35集是付费内容，3元，要购买吗？") // the question's purpose: play
	})
	t.Run("yes to the only one", func(t *testing.T) {
		devices(t, func(t *testing.T, e *env) {
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "星晨"}), true, "你是说星辰变第35集吗？")
			wantSpeech(t, e.intent(intents.Yes, nil), true, "星辰变第35集，3元，确定购买吗？")
		})
	})
	t.Run("not that one", func(t *testing.T) {
		// "不是" to "你是说X吗？" says X is not what was meant: which one
		// is asked (it cancelled), and the answer, which arrives as the
		// session's intent (no) with the slot, picks it; "不要了" still
		// cancels.
		devices(t, func(t *testing.T, e *env) {
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "星晨"}), true, "你是说星辰变第35集吗？")
			r := e.intent(intents.No, nil, fakeplatform.WithQuery("不是"))
			wantSpeech(t, r, true, "那你想买什么？比如万古神帝第35集、万古神帝第36集或听书点数")
			if strings.Contains(speech(r), "星辰变") {
				t.Errorf("the product said not to be meant suggested again: %q", speech(r))
			}
			wantSpeech(t, e.intent(intents.No, map[string]string{"product": "第二个"}), true, "万古神帝第36集，2元，确定购买吗？")
			e.session = "session-2"
			e.intent(intents.Buy, map[string]string{"product": "星晨"})
			wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery("不要了")), false, "已取消")
			e.session = "session-3" // a no that names the product declines it, never buys it
			e.intent(intents.Buy, map[string]string{"product": "星晨"})
			wantSpeech(t, e.intent(intents.No, map[string]string{"product": "星辰变第35集"}, fakeplatform.WithQuery("不要星辰变第35集")), false, "已取消")
		})
	})
	t.Run("the count said with it", func(t *testing.T) {
		// "我要买三个听书" asks "你是说听书点数吗？"; the yes buys three (it
		// asked how many again), and so does "三个" said to the question,
		// or a count said with the yes.
		devices(t, func(t *testing.T, e *env) {
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书", "count": "三"}), true, "你是说听书点数吗？")
			wantSpeech(t, e.intent(intents.Yes, nil), true, "3个听书点数，共3元，确定购买吗？")
			e.session = "session-2"
			e.intent(intents.Buy, map[string]string{"product": "听书"})
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "三"}, fakeplatform.WithQuery("三个")), true, "3个听书点数，共3元，确定购买吗？")
			e.session = "session-3"
			e.intent(intents.Buy, map[string]string{"product": "听书", "count": "三"})
			wantSpeech(t, e.intent(intents.Yes, map[string]string{"count": "两"}), true, "2个听书点数，共2元，确定购买吗？")
			e.session = "session-help"
			e.intent(intents.Buy, map[string]string{"product": "听书", "count": "三"})
			e.intent(intents.Help, nil)
			wantSpeech(t, e.intent(intents.Yes, nil), true, "3个听书点数，共3元，确定购买吗？")
			e.session = "session-4"
			e.intent(intents.Buy, map[string]string{"count": "三"}, fakeplatform.WithQuery("我要买三个"))
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数"}), true, "3个听书点数，共3元，确定购买吗？")
		})
	})
	t.Run("two at once", func(t *testing.T) {
		// Two products named in one breath: one purchase at a time, asked
		// as such (not "你是说…" as for a name not caught). Whose the count
		// was is not known: it goes with neither (it made the episode "买
		// 一次就够了", and three of whichever was picked).
		devices(t, func(t *testing.T, e *env) {
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集和三个听书点数"}), true, "一次买一样吧：先买万古神帝第35集还是听书点数？")
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数"}), true, "听书点数每个1元，要买几个？")
			e.session = "session-2"
			e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集和三个听书点数"})
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "三"}, fakeplatform.WithQuery("三个")), true, "想买哪个？万古神帝第35集还是听书点数？")
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数"}), true, "3个听书点数，共3元，确定购买吗？")
			e.session = "session-3"
			e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集和三个听书点数"})
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"}), true, "万古神帝第35集，2元，确定购买吗？")
			// A count kept for "你是说X吗？" is not for another product named instead.
			e.session = "session-4"
			e.intent(intents.Buy, map[string]string{"product": "听书", "count": "三"})
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "会员月卡"}), true, "会员月卡，19.9元，购买后不能退款，确定购买吗？")
		})
	})
	t.Run("something else instead", func(t *testing.T) {
		devices(t, func(t *testing.T, e *env) {
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "35"}), true, question)
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "会员月卡"}), true, "会员月卡，19.9元")
		})
	})
}

// TestRefundHeard finds the purchase to refund from what was heard.
func TestRefundHeard(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "万古神帝第35集"})
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "西游记"}), false, "没有找到“西游记”的购买记录")
		r := e.intent(intents.Refund, map[string]string{"album": "万古神地", "index": "三十五"})
		wantSpeech(t, r, false, "万古神帝第35集已经用过了，不能退款") // played right after payment: the policy's answer, about the right product
	})
}
