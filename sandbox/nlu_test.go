package sandbox_test

import (
	"reflect"
	"testing"

	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
)

func TestNLU(t *testing.T) {
	nlu, err := sandbox.NewNLU(intents.InteractionModel())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want sandbox.Understanding
	}{
		{"我要买三个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "三"}}},
		{"买2份听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "2"}}},
		{"我要买万古神帝第35集", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "万古神帝第35集"}}},
		{"是的", sandbox.Understanding{Intent: "yes"}},
		{"那就买吧", sandbox.Understanding{Intent: "yes"}},
		{"好的买吧", sandbox.Understanding{Intent: "yes"}},
		{"听一下万古神帝", sandbox.Understanding{Intent: "play", Slots: map[string]string{"product": "万古神帝"}}},
		{"我的订单", sandbox.Understanding{Intent: "my_purchases"}},
		{"没问题", sandbox.Understanding{Intent: "yes"}},
		{"是的是的", sandbox.Understanding{Intent: "yes"}},
		{"好的好的", sandbox.Understanding{Intent: "yes"}},
		// Complaints and questions are no yes (好贵啊 placed an order).
		{"好贵啊", sandbox.Understanding{}},
		{"是不是", sandbox.Understanding{}},
		{"可以吗", sandbox.Understanding{}},
		{"好不好", sandbox.Understanding{}},
		{"嗯…", sandbox.Understanding{}},
		{"好的呀", sandbox.Understanding{Intent: "yes"}},
		{"嗯？", sandbox.Understanding{}},
		{"五个吧", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"count": "五"}}},
		// A sum is no count: 二十块钱 is no 20 units.
		{"买二十块钱的会员", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "二十块钱的会员"}}},
		{"要", sandbox.Understanding{Intent: "yes"}},
		{"OK", sandbox.Understanding{Intent: "yes"}},
		{"对两个", sandbox.Understanding{Intent: "yes", Slots: map[string]string{"count": "两"}}},
		{"我不知道", sandbox.Understanding{}},
		{"放心吧", sandbox.Understanding{Intent: "yes"}},
		{"放万古神帝第35集", sandbox.Understanding{Intent: "play", Slots: map[string]string{"product": "万古神帝第35集"}}},
		{"把钱退回去", sandbox.Understanding{Intent: "refund"}},
		{"听书币退回来吧", sandbox.Understanding{Intent: "refund"}},
		{"买两个半听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "两个半听书币"}}},
		{"好的呀", sandbox.Understanding{Intent: "yes"}},
		{"嗯？", sandbox.Understanding{}},
		{"不要了", sandbox.Understanding{Intent: "no"}},
		{"我不要了", sandbox.Understanding{Intent: "no"}},
		{"还是算了", sandbox.Understanding{Intent: "no"}},
		{"那算了吧", sandbox.Understanding{Intent: "no"}},
		{"那我还是不买了", sandbox.Understanding{Intent: "no"}},
		{"放弃", sandbox.Understanding{Intent: "no"}},
		{"我要退款", sandbox.Understanding{Intent: "refund"}},
		{"我要退款会员月卡", sandbox.Understanding{Intent: "refund", Slots: map[string]string{"product": "会员月卡"}}},
		{"退掉听书币", sandbox.Understanding{Intent: "refund", Slots: map[string]string{"product": "听书币"}}},
		{"今天天气怎么样", sandbox.Understanding{}},
		{"打开叮当书店", sandbox.Understanding{Request: sandbox.RequestLaunch}},
		{"请打开叮当书店。", sandbox.Understanding{Request: sandbox.RequestLaunch}},
		{"第二个", sandbox.Understanding{}},
		{"听书币", sandbox.Understanding{}}, // a name alone answers a question; it is no "play 书币"
		{"买第35集", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "第35集"}}},
		{"买35集", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "第35集"}}},
		{"买三十五集", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "第三十五集"}}},
		{"我要买35集", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "第35集"}}},
		{"播放第35集", sandbox.Understanding{Intent: "play", Slots: map[string]string{"product": "第35集"}}},
		{"播放35集", sandbox.Understanding{Intent: "play", Slots: map[string]string{"product": "第35集"}}},
		{"播放三十五集", sandbox.Understanding{Intent: "play", Slots: map[string]string{"product": "第三十五集"}}},
		{"播放万古神帝35集", sandbox.Understanding{Intent: "play", Slots: map[string]string{"album": "万古神帝", "index": "35"}}},
		{"播放万古神帝第35集", sandbox.Understanding{Intent: "play", Slots: map[string]string{"album": "万古神帝", "index": "35"}}},
		{"我想听三十五集", sandbox.Understanding{Intent: "play", Slots: map[string]string{"index": "三十五"}}},
		{"再买两个听书必", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书必", "count": "两"}}},
		{"买一千个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "一千"}}},
		{"给我来一千二百个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "一千二百"}}},
		{"买两千份听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "两千"}}},
		{"我要买一万个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "一万"}}},
		{"买一千听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "一千"}}},
		{"买十二个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "十二"}}},
		{"帮我买两个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "两"}}},
		{"帮我买会员月卡", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "会员月卡"}}},
		{"开通会员", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "会员"}}},
		{"我要开通会员月卡", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "会员月卡"}}},
		{"买个会员", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "会员"}}},
		{"我要买个会员", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "会员"}}},
		{"我要买十个", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"count": "十"}}},
		{"买３个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "３"}}},
		{"买廿个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "廿"}}},
		{"买３５集", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "第３５集"}}},
		{"我想要买听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币"}}},
		{"请帮我买两个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "两"}}},
		{"买三个", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"count": "三"}}},
		{"买万古神帝", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "万古神帝"}}}, // 万 is no count
		{"买千百个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "千百个听书币"}}},
		{"放万古神帝第35集", sandbox.Understanding{Intent: "play", Slots: map[string]string{"product": "万古神帝第35集"}}},
		{"给我放第35集", sandbox.Understanding{Intent: "play", Slots: map[string]string{"index": "35"}}},
		{"我要退听书币", sandbox.Understanding{Intent: "refund", Slots: map[string]string{"product": "听书币"}}},
		{"退第35集", sandbox.Understanding{Intent: "refund", Slots: map[string]string{"product": "第35集"}}},
		{"退订会员", sandbox.Understanding{Intent: "refund", Slots: map[string]string{"product": "会员"}}},
		{"我要退货", sandbox.Understanding{Intent: "refund"}},
		{"退出", sandbox.Understanding{Intent: "cancel"}},
		{"我要退出", sandbox.Understanding{Intent: "cancel"}},
		{"怎么买", sandbox.Understanding{Intent: "help"}},
		{"有啥可以买的", sandbox.Understanding{Intent: "browse"}},
		{"别的呢", sandbox.Understanding{Intent: "browse_more"}},
		{"别买了", sandbox.Understanding{Intent: "no"}},
		{"有哪些可以买的", sandbox.Understanding{Intent: "browse"}},
		{"还有呢？", sandbox.Understanding{Intent: "browse_more"}},
		{"那还有其他的吗", sandbox.Understanding{Intent: "browse_more"}},
		{"还有哪些", sandbox.Understanding{Intent: "browse_more"}},
		{"下一页", sandbox.Understanding{Intent: "browse_more"}},
		{"换一个", sandbox.Understanding{Intent: "buy"}},
	}
	for _, tt := range tests {
		if got := nlu.Understand(tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Understand(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

// TestNLUAnswers: an answer such as "第二个" is understood only as the
// answer to the skill's question (Follow), and Answers sets it apart from
// utterances that make sense on their own; opening the skill is a launch
// even while a question is pending.
func TestNLUAnswers(t *testing.T) {
	nlu, err := sandbox.NewNLU(intents.InteractionModel())
	if err != nil {
		t.Fatal(err)
	}
	alone, answers := nlu.Answers([]string{"打开叮当书店", "第二个", "我要买万古神帝第35集", "3个", "是的"})
	if want := []string{"打开叮当书店", "我要买万古神帝第35集", "3个", "是的"}; !reflect.DeepEqual(alone, want) { // "3个" is a buy of a count (the model's sample {count}个)
		t.Errorf("alone = %q, want %q", alone, want)
	}
	if want := []string{"第二个"}; !reflect.DeepEqual(answers, want) {
		t.Errorf("answers = %q, want %q", answers, want)
	}
	got := nlu.Follow("第二个", "product", "play", map[string]string{"product": "第35集"})
	if want := (sandbox.Understanding{Intent: "play", Slots: map[string]string{"product": "第二个"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("Follow(第二个) = %+v, want %+v", got, want)
	}
	got = nlu.Follow("3个", "count", "buy", map[string]string{"product": "听书币"})
	if want := (sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "3"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("Follow(3个) = %+v, want %+v", got, want)
	}
	got = nlu.Follow("听书币", "product", "buy", map[string]string{"count": "一"})
	if want := (sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "一"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("Follow(听书币) = %+v, want %+v", got, want)
	}
	if got := nlu.Follow("打开叮当书店", "product", "play", nil); got.Request != sandbox.RequestLaunch || got.Intent != "" {
		t.Errorf("Follow(打开叮当书店) = %+v, want a launch", got)
	}
}
