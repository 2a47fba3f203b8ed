package intents_test

import (
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// What users say to the confirmation question, from a speaker-user trial:
// a yes that repeats the count is a yes (it asked again, and again); a no
// that goes on to say what instead is that ("不要三个，要五个" cancelled);
// "我想买点东西" is no yes (it charged); a length said for a membership
// changes its months ("改成一年" dropped the purchase).
func TestAnswersAtTheConfirmation(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.session = "repeat"
		e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"})
		if ch, ok := find[tsk.Charge](e.intent(intents.Yes, map[string]string{"count": "三"}, fakeplatform.WithQuery("对，三个"))); !ok ||
			ch.Payload.ChargeInfo.Items[0].Count != 3 {
			t.Errorf("对，三个: Charge %+v, %v; want three", ch, ok)
		}

		e.session = "another count"
		e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"})
		r := e.intent(intents.Yes, map[string]string{"count": "两"}, fakeplatform.WithQuery("对，两个"))
		wantSpeech(t, r, true, "2个听书点数，共2元，确定购买吗？")

		for _, said := range []string{"不要三个，要五个", "不不，五个", "不用三个，五个就行"} {
			e.session = said
			e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"})
			wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery(said)), true, "5个听书点数，共5元，确定购买吗？")
		}
		for _, said := range []string{"不要了，谢谢", "不用了，三个都不要"} {
			e.session = said
			e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"})
			wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery(said)), false, "已取消")
		}

		e.session = "something"
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		r = e.intent(intents.Buy, nil, fakeplatform.WithQuery("我想买点东西"))
		if _, ok := find[tsk.Charge](r); ok {
			t.Error("我想买点东西 charged")
		}
		wantSpeech(t, r, true, "万古神帝第35集，2元，确定购买吗？")

		for said, want := range map[string]string{
			"改成一年":  "12个月的会员月卡，共238.8元",
			"换成半年的": "6个月的会员月卡，共119.4元",
			"改成七天":  "会员月卡按月买，一个月30天，要买几个月？",
		} {
			e.session = said
			e.intent(intents.Buy, map[string]string{"product": "会员月卡"})
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": said}, fakeplatform.WithQuery(said)), true, want)
		}
	})
}

// A count of a membership that cannot be sold is asked about, never sold
// as one month ("买一千个月卡", "买0个月卡", "两三个月" each charged 19.9元),
// and the answer to "要买几个月？" may be a length.
func TestMembershipCounts(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for said, want := range map[string]string{
			"一千": "会员月卡一次最多买12个月，要买几个月？",
			"0":  "一次至少买1个月，要买几个月？",
			"两三": "要买2个月还是3个月？",
		} {
			e.session = said
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "会员月卡", "count": said}), true, want)
		}
		e.session = "days"
		e.intent(intents.Buy, map[string]string{"product": "会员月卡"}, fakeplatform.WithQuery("买七天的会员"))
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "一个月"}, fakeplatform.WithQuery("一个月")), true, "会员月卡，19.9元")
	})
}

// "买三个" said to a refund's question buys, and is no count of the refund
// (it refunded three): the refund's question again.
func TestBuyCountAtARefund(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "听书点数", "count": "10"})
		e.session = "refund"
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数", "count": "2"}), true, "退还2元，确定吗？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "3"}, fakeplatform.WithQuery("买三个")), true, "现在是在退款。说“是的”就退还2元")
		wantSpeech(t, e.intent(intents.Yes, nil), false, "已申请退款2元")
	})
}

// Offered to play, a product that cannot be refunded says so before the
// yes, as a purchase does.
func TestPlayOfferSaysNoRefund(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		wantSpeech(t, e.intent(intents.Play, map[string]string{"product": "会员月卡"}), true, "会员月卡是付费内容，19.9元，购买后不能退款，要购买吗？")
	})
}

// Coins asked for as a sum are as many as it buys ("买十块钱的听书币"
// ignored the sum; "十块钱的" to "要买几个？" was not heard); a sum that
// buys no whole number of them is asked about.
func TestCoinsBySum(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.session = "sum"
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数"}, fakeplatform.WithQuery("买十块钱的听书点数")), true,
			"10个听书点数，共10元，确定购买吗？")
		e.session = "answer"
		e.intent(intents.Buy, map[string]string{"product": "听书点数"})
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "十块钱的"}, fakeplatform.WithQuery("十块钱的")), true,
			"10个听书点数，共10元")
		e.session = "between"
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数"}, fakeplatform.WithQuery("买两块五的听书点数")), true,
			"听书点数按个买，每个1元，要买几个？")
	})
}

// "买这个吧" to the confirmation is a yes to it (it asked what to buy, the
// purchase dropped); "刚才那个" is not (after "换成会员" it was the coins
// before, and the membership was charged).
func TestThisOneIsAYes(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.session = "before"
		e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "3"})
		e.intent(intents.Buy, map[string]string{"product": "会员月卡"}, fakeplatform.WithQuery("换成会员"))
		if _, ok := find[tsk.Charge](e.intent(intents.Buy, map[string]string{"product": "刚才那个"})); ok {
			t.Error("我要买刚才那个 charged the membership")
		}
		// At "你是说会员月卡吗？" it is that one; at "要买几个？" the question again.
		e.session = "which"
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "月票"}), true, "会员月卡")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "这个吧"}), true, "会员月卡，19.9元，购买后不能退款，确定购买吗？")
		e.session = "count"
		e.intent(intents.Buy, map[string]string{"product": "听书点数"})
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "这个吧"}), true, "要买几个？")
		for _, said := range []string{"这个吧", "这个"} {
			e.session = said
			e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
			if _, ok := find[tsk.Charge](e.intent(intents.Buy, map[string]string{"product": said})); !ok {
				t.Errorf("买%s: no Charge", said)
			}
		}
	})
}

// "我要退款" right after ordering, before paying, says that nothing was
// taken (it said only that nothing could be refunded).
func TestRefundBeforePaying(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "5"})
		e.createOrder(e.intent(intents.Yes, nil))
		e.session = "refund"
		wantSpeech(t, e.intent(intents.Refund, nil), false, "你还没有可以退款的购买。5个听书点数的订单还没付款，没有扣钱")
		e.session = "named" // named: not "你没有买过听书点数"
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数", "count": "3"}), false, "5个听书点数的订单还没付款，没有扣钱")
	})
}

// "我要退款" when a duplicate payment's automatic refund failed says that
// money comes back without asking, and does not offer to refund the
// purchase the user keeps (a "是的" refunded it: paid twice, both given
// back, nothing owned).
func TestRefundSaysADuplicateIsOwed(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.intent(intents.Buy, ep35)
		charge := e.intent(intents.Yes, nil)
		first, second := e.createOrder(charge), e.createOrder(charge)
		e.payAndShip(first)
		e.platform.RefuseNext("refund", 1) // the duplicate's automatic refund
		e.payAndShip(second)
		if o, _ := e.pay.Ledger.Store.Order(e.ctx, second.tradeNo); !o.PaidAt.IsZero() && o.DuplicateOf == "" {
			t.Fatalf("second payment: %+v", o)
		}
		for _, slots := range []map[string]string{nil, ep35} {
			e.session = "refund"
			r := e.intent(intents.Refund, slots)
			wantSpeech(t, r, false, "你重复付款的2元没能自动退回，我们会人工退回，不用申请。")
			if strings.Contains(speech(r), "退掉") || strings.Contains(speech(r), "没有买过") {
				t.Errorf("the purchase kept is offered to refund, or said not bought: %q", speech(r))
			}
		}
		if o, _ := e.pay.Ledger.Store.Order(e.ctx, first.tradeNo); len(o.Refunds) != 0 {
			t.Errorf("the order kept: refunds %+v", o.Refunds)
		}
	})
}

// A count said that is no number of units ("几个", "二十多个", "两个半")
// asks how many of the product named (it asked "你是说听书点数吗？", and
// "二十多个" heard as count 二十 was quoted as 20).
func TestVagueCounts(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, c := range []struct{ said, product, count, want string }{
			{"买几个听书点数", "几个听书点数", "", "听书点数每个1元，要买几个？"},
			{"买两个半听书点数", "两个半听书点数", "", "听书点数每个1元，要买几个？"},
			{"买二十多个听书点数", "听书点数", "二十", "听书点数每个1元，要买几个？说个数就行"},
		} {
			e.session = c.said
			slots := map[string]string{"product": c.product}
			if c.count != "" {
				slots["count"] = c.count
			}
			wantSpeech(t, e.intent(intents.Buy, slots, fakeplatform.WithQuery(c.said)), true, c.want)
		}
	})
}

// "上一集"/"下一集" said to an episode's confirmation asks about the
// episode before or after it, or says there is none and asks again ("不
// 对，上一集" cancelled, "换成下一集" found nothing).
func TestNextEpisode(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			from, intent, said, want string
		}{
			{"万古神帝第36集", intents.No, "不对，上一集", "万古神帝第35集，2元，确定购买吗？"},
			{"万古神帝第36集", intents.No, "不对，下一集", "万古神帝没有第37集。万古神帝第36集，2元，确定购买吗？"},
			{"万古神帝第35集", intents.Buy, "换成下一集", "万古神帝第36集，2元，确定购买吗？"},
			{"万古神帝第35集", "unknown", "我要下一集", "万古神帝第36集，2元，确定购买吗？"},
		} {
			e.session = c.from + c.said
			e.intent(intents.Buy, map[string]string{"product": c.from})
			var slots map[string]string
			if c.intent == intents.Buy {
				slots = map[string]string{"product": "下一集"}
			}
			wantSpeech(t, e.intent(c.intent, slots, fakeplatform.WithQuery(c.said)), true, c.want)
		}
	})
}

// A yes that says a length or a sum is a yes only to the same purchase:
// "是的，一年" to one month charged one month; "对，一年" to twelve, "对，
// 十块钱" to ten coins are yeses (the question came again and again).
func TestYesWithALengthOrSum(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			buy    map[string]string
			query  string
			said   string
			count  string
			charge int64 // the count charged, 0: none
			want   string
		}{
			{map[string]string{"product": "会员月卡"}, "买会员", "是的，一年", "一", 0, "12个月的会员月卡，共238.8元"},
			{map[string]string{"product": "会员月卡"}, "买会员", "好的，买半年", "", 0, "6个月的会员月卡，共119.4元"},
			{map[string]string{"product": "会员月卡"}, "买一年会员", "对，一年", "一", 12, ""},
			{map[string]string{"product": "会员月卡"}, "买会员", "对，三十天", "", 1, ""},
			{map[string]string{"product": "听书点数"}, "买十块钱的听书点数", "对，十块钱", "", 10, ""},
			{map[string]string{"product": "听书点数"}, "买十块钱的听书点数", "对，二十块钱的", "", 0, "20个听书点数，共20元"},
		} {
			e.session = c.query + c.said
			e.intent(intents.Buy, c.buy, fakeplatform.WithQuery(c.query))
			var slots map[string]string
			if c.count != "" {
				slots = map[string]string{"count": c.count}
			}
			r := e.intent(intents.Yes, slots, fakeplatform.WithQuery(c.said))
			ch, charged := find[tsk.Charge](r)
			switch {
			case c.charge == 0 && charged:
				t.Errorf("%s: charged %+v, want the question again", c.said, ch.Payload.ChargeInfo.Items)
			case c.charge > 0 && (!charged || ch.Payload.ChargeInfo.Items[0].Count != c.charge):
				t.Errorf("%s: charged %v %+v, want %d", c.said, charged, ch.Payload.ChargeInfo.Items, c.charge)
			case c.want != "":
				wantSpeech(t, r, true, c.want)
			}
		}
	})
}

// At a refund's question "买吧" is no yes (it refunded), a sum said is that
// many, and "对，五个" that repeats the refund's count is a yes (it asked
// again, and again).
func TestYesAtARefund(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		e.buy(map[string]string{"product": "听书点数", "count": "5"})
		e.session = "refund"
		wantSpeech(t, e.intent(intents.Refund, nil), true, "退掉5个听书点数，退还5元，确定吗？")
		wantSpeech(t, e.intent(intents.Yes, nil, fakeplatform.WithQuery("买吧")), true, "现在是在退款。")
		// "退三块" to it: three of them (it found no purchase "三块" and ended).
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "三块"}, fakeplatform.WithQuery("退三块")), true, "退掉3个听书点数，退还3元，确定吗？")
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "五块钱"}, fakeplatform.WithQuery("退五块钱")), true, "退掉5个听书点数，退还5元，确定吗？")
		wantSpeech(t, e.intent(intents.Yes, map[string]string{"count": "五"}, fakeplatform.WithQuery("对，五个")), false, "已申请退款5元")
		e.buy(map[string]string{"product": "听书点数", "count": "2"})
		e.session = "refund-again"
		e.intent(intents.Refund, nil)
		wantSpeech(t, e.intent(intents.Yes, nil, fakeplatform.WithQuery("好的，退吧，买多了")), false, "已申请退款2元") // 退 said: a yes
	})
}

// Lengths said in a correction, or not lengths at all: the length after
// the no counts ("不要半年，要一年" cancelled, "不是三个月，是五个月" too);
// a no that gives a reason is a no ("不用了，我还有三个" offered three);
// "一年级" is no length, a week or half a month is no whole month.
func TestLengthsAndReasons(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		vip := map[string]string{"product": "会员月卡"}
		for _, c := range []struct{ buy, said, want string }{
			{"买半年的会员", "不要半年，要一年", "12个月的会员月卡"},
			{"买三个月的会员", "不是三个月，是五个月", "5个月的会员月卡"},
			{"买会员", "不要一个月，要三个月", "3个月的会员月卡"},
		} {
			e.session = c.said
			e.intent(intents.Buy, vip, fakeplatform.WithQuery(c.buy))
			wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery(c.said)), true, c.want)
		}
		for _, said := range []string{"不用了，我还有三个", "不用，我有会员"} {
			e.session = said
			e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "5"})
			wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery(said)), false, "已取消")
		}
		for said, want := range map[string]string{
			"买一年级的会员":       "会员月卡，19.9元",
			"买一周的会员":        "会员月卡按月买",
			"买半个月会员":        "会员月卡按月买",
			"买一个月会员，一年以后再说": "会员月卡，19.9元",
			"今年买一年的会员":      "12个月的会员月卡",
		} {
			e.session = said
			wantSpeech(t, e.intent(intents.Buy, vip, fakeplatform.WithQuery(said)), true, want)
		}
	})
}

// Numbers joined that go with their titles name those two products only
// ("买星辰变35和万古神帝36" asked about 万古神帝第35集 too).
func TestTitlesWithTheirNumbers(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		r := e.intent(intents.Buy, map[string]string{"product": "星辰变35和万古神帝36"})
		wantSpeech(t, r, true, "一次买一样吧")
		if strings.Contains(speech(r), "万古神帝第35集") {
			t.Errorf("asked about an episode not said: %q", speech(r))
		}
	})
}

// A buy or a yes that says more than yes is no yes: "买点别的", "买它干嘛",
// "买下一集" (of coins) each charged; "好的，两个" to ten coins, "对，换成五
// 个", "好的，下一集" charged what was asked before; at a refund, "对，退三
// 块" and "是的，三个" refunded all five.
func TestMoreThanAYes(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		coins := map[string]string{"product": "听书点数", "count": "10"}
		for _, c := range []struct {
			intent, said string
			buy          map[string]string
			want         string
		}{
			{intents.Buy, "买点别的", coins, "10个听书点数，共10元"},
			{intents.Buy, "买它干嘛", map[string]string{"product": "会员月卡"}, "会员月卡，19.9元"},
			{intents.Buy, "买下一集", coins, "10个听书点数，共10元"},
			{intents.Yes, "好的，两个", coins, "2个听书点数，共2元，确定购买吗？"},
			{intents.Yes, "对，换成五个", coins, "5个听书点数，共5元，确定购买吗？"},
			{intents.Yes, "好的，下一集", map[string]string{"product": "万古神帝第35集"}, "万古神帝第36集，2元，确定购买吗？"},
		} {
			e.session = c.said
			e.intent(intents.Buy, c.buy)
			r := e.intent(c.intent, nil, fakeplatform.WithQuery(c.said))
			if _, ok := find[tsk.Charge](r); ok {
				t.Errorf("%s: charged", c.said)
			}
			wantSpeech(t, r, true, c.want)
		}
		for _, said := range []string{"买", "买吧", "我买", "就买这个"} {
			e.session = "bare " + said
			e.intent(intents.Buy, coins)
			if _, ok := find[tsk.Charge](e.intent(intents.Buy, nil, fakeplatform.WithQuery(said))); !ok {
				t.Errorf("%s: no Charge", said)
			}
		}
		e.buy(map[string]string{"product": "听书点数", "count": "5"})
		for _, said := range []string{"对，退三块", "是的，三个"} {
			e.session = "refund " + said
			e.intent(intents.Refund, nil)
			wantSpeech(t, e.intent(intents.Yes, nil, fakeplatform.WithQuery(said)), true, "退掉3个听书点数，退还3元，确定吗？")
		}
	})
}

// Corrections said without a comma or with a no inside, and nos that are
// no corrections ("不要三个要五个", "不对，要一个月，不是一年" cancelled;
// "不对，一个都不要" offered one); a refund's count corrected ("不退五个，
// 退三个" kept five); lengths said with 整, 俩, or after a part that refuses
// one ("买会员，不要一年的，要半年的" quoted the year).
func TestCorrectionsSaidOtherwise(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		coins := map[string]string{"product": "听书点数", "count": "3"}
		vip := map[string]string{"product": "会员月卡"}
		for _, c := range []struct {
			buy   map[string]string
			query string
			said  string
			want  string
			open  bool
		}{
			{coins, "买三个听书点数", "不要三个要五个", "5个听书点数，共5元", true},
			{vip, "买一年会员", "不要一年要半年", "6个月的会员月卡", true},
			{vip, "买一年会员", "不对，要一个月，不是一年", "会员月卡，19.9元", true},
			{coins, "买三个听书点数", "不对，一个都不要", "已取消", false},
			{coins, "买三个听书点数", "不，一个也不要了", "已取消", false},
			{coins, "买三个听书点数", "不对，十块钱的", "10个听书点数，共10元", true},
			{coins, "买三个听书点数", "不要三块，五块的", "5个听书点数，共5元", true},
		} {
			e.session = c.said
			e.intent(intents.Buy, c.buy, fakeplatform.WithQuery(c.query))
			wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery(c.said)), c.open, c.want)
		}
		for said, want := range map[string]string{
			"买一整年的会员":        "12个月的会员月卡",
			"买会员，不要一年的，要半年的": "6个月的会员月卡",
			"买俩月会员":          "2个月的会员月卡",
		} {
			e.session = said
			wantSpeech(t, e.intent(intents.Buy, vip, fakeplatform.WithQuery(said)), true, want)
		}
		e.buy(map[string]string{"product": "听书点数", "count": "5"})
		e.session = "refund"
		e.intent(intents.Refund, nil)
		wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery("不退五个，退三个")), true, "退掉3个听书点数，退还3元，确定吗？")
	})
}

// A refund request said to the refund's own question answers it: "不退了"
// is a no (it asked again, and a "对" then refunded), "退吧，买多了" and
// "把钱退了" naming nothing else a yes (one ended the dialog: "没有找到
// “吧，买多了”的购买记录"; "确定退款" asked again and again); a "不" alone
// is a no anywhere (it panicked).
func TestRefundAnsweredByARefund(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, c := range []struct{ said, product, want string }{
			{"不退了", "", "好的，不退了。"},
			{"算了不退了", "", "好的，不退了。"},
			{"退吧，买多了", "吧，买多了", "已申请退款"},
			{"把钱退了", "钱", "已申请退款"},
			{"确定退款", "", "已申请退款"},
		} {
			e := newEnv(t, e.kind)
			e.buy(map[string]string{"product": "听书点数", "count": "9"})
			e.session = c.said
			wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数", "count": "1"}), true, "退掉1个听书点数")
			var slots map[string]string
			if c.product != "" {
				slots = map[string]string{"product": c.product}
			}
			wantSpeech(t, e.intent(intents.Refund, slots, fakeplatform.WithQuery(c.said)), false, c.want)
		}
		e.session = "bu"
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		wantSpeech(t, e.intent(intents.No, nil, fakeplatform.WithQuery("不")), false, "已取消")
	})
}

// An answer that puts the question off is a no, whatever intent the
// platform heard it as: "先不买", "再说吧" at "确定购买吗？" asked the question
// again; "再说一遍" (say it again) still asks it again.
func TestPutOff(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, said := range []string{"先不买", "再说吧", "以后再说", "下次吧", "我再想想", "不想买了", "改天吧"} {
			e.session = "confirm" + said
			e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
			wantSpeech(t, e.intent("unknown", nil, fakeplatform.WithQuery(said)), false, "已取消")

			e.session = "count" + said
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "听书点数"}), true, "几个")
			wantSpeech(t, e.intent("unknown", nil, fakeplatform.WithQuery(said)), false, "已取消")
		}
		e.session = "again"
		e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
		wantSpeech(t, e.intent("unknown", nil, fakeplatform.WithQuery("再说一遍")), true, "万古神帝第35集，2元", "说“是的”就购买")

		e.buy(map[string]string{"product": "听书点数", "count": "9"})
		e.session = "refund"
		wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数", "count": "1"}), true, "退掉1个听书点数")
		wantSpeech(t, e.intent("unknown", nil, fakeplatform.WithQuery("再说吧")), false, "好的，不退了。")
	})
}

// A buy that says only a yes and "买" is a yes to the purchase asked about
// ("确定购买" heard as a buy asked the question again); episodes spanned
// ("35到36集", "第35集到第36集") are several wanted, as joined ones are (it
// offered the last alone).
func TestYesBuyAndSpans(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, said := range []string{"确定购买", "好，买吧", "确认购买"} {
			e.session = said
			e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
			if _, ok := find[tsk.Charge](e.intent(intents.Buy, nil, fakeplatform.WithQuery(said))); !ok {
				t.Errorf("%s to the question did not buy", said)
			}
		}
		for _, said := range []string{"万古神帝35到36集", "万古神帝第35集到第36集", "万古神帝三十五至三十六集"} {
			e.session = said
			wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": said}), true, "先买万古神帝第35集还是万古神帝第36集？")
		}
	})
}

// A length or count said alone to "确定购买吗？" changes it, whatever intent
// the platform heard ("一年的" to one month, "五个吧" to three coins asked
// the question again); "买几个月会员" asks how many months (it sold one);
// "两月" is two months (it was none).
func TestLengthsAnswered(t *testing.T) {
	devices(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			buy        map[string]string
			said, want string
		}{
			{map[string]string{"product": "会员月卡"}, "一年的", "12个月的会员月卡，共238.8元"},
			{map[string]string{"product": "会员月卡"}, "三个月吧", "3个月的会员月卡，共59.7元"},
			{map[string]string{"product": "会员月卡"}, "两月的", "2个月的会员月卡，共39.8元"},
			{map[string]string{"product": "听书点数", "count": "3"}, "五个吧", "5个听书点数，共5元"},
		} {
			e.session = c.said
			e.intent(intents.Buy, c.buy)
			wantSpeech(t, e.intent("unknown", nil, fakeplatform.WithQuery(c.said)), true, c.want, "确定购买吗？")
		}
		e.session = "vague"
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "会员"}, fakeplatform.WithQuery("买几个月会员")), true, "要买几个月？")
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"count": "3"}, fakeplatform.WithQuery("三个月")), true, "3个月的会员月卡，共59.7元")
		e.session = "two"
		wantSpeech(t, e.intent(intents.Buy, map[string]string{"product": "会员"}, fakeplatform.WithQuery("买两月会员")), true, "2个月的会员月卡")
	})
}
