package intents

import (
	"context"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// fallback handles intents the dialog does not know. When a product or
// count question is pending, what was said is taken as the answer; when a
// purchase waits for its yes, "换一个" asks for another product and
// anything else asks the question again.
func (d *Dialog) fallback(ctx context.Context, t *turn) (ui.View, error) {
	if t.state.Step != stepNone && putsOff(t.req.Request.QueryText) {
		return d.no(ctx, t) // "先不买", "再说吧": a no, not a word not understood
	}
	if t.req.Request.QueryText != "" && (t.state.Step == stepProduct || t.state.Step == stepCount) {
		return d.buyOrPlay(ctx, t)
	}
	if t.state.Step == stepConfirm {
		if p, ok := d.cfg.Catalog.Product(t.state.ProductID); ok {
			if _, _, said := d.nextEpisode(t, p); said {
				return d.buy(ctx, t) // "我要下一集": that episode asked about instead
			}
			_, length, _ := d.lengthOf(t, p)
			_, counted := t.countSaid()
			if length || counted && p.Kind.AsksCount() {
				return d.buy(ctx, t) // "一年的", "五个吧": the same, another length or count
			}
		}
	}
	if t.changesMind() {
		return d.askAnother(ctx, t), nil
	}
	t.unclear = true
	if t.state.confirming() {
		// The question again, as help says it: what, how much, and how
		// to answer.
		return d.help(ctx, t)
	}
	return ask("抱歉，我没听懂。" + examples), nil
}

// putsOff reports whether an answer puts the question off, which declines
// it: "先不买", "再说吧", "以后再说", "下次吧", "我再想想", "不想买". Not "再说一
// 遍" (say it again).
func putsOff(text string) bool {
	text = strings.TrimRight(strings.TrimSpace(text), "。！!？?，,吧啊呀了")
	for _, w := range []string{"再说", "以后", "下次", "改天", "回头"} {
		if strings.HasSuffix(text, w) {
			return true
		}
	}
	return saysAny(text, "先不买", "先不要", "先不用", "不想买", "不想要", "再想想", "想一想", "考虑一下", "再考虑",
		"下次再", "改天再", "以后再", "回头再")
}

// changesMind reports whether the turn asks, while a purchase waits for its
// yes, for another product: "换一个", "换个别的".
func (t *turn) changesMind() bool {
	return t.state.Step == stepConfirm && strings.Contains(t.req.Request.QueryText, "换")
}

// maxMisheard is how many answers in a row the dialog asks again about
// before it stops asking: a user it keeps not understanding is better
// let go than questioned for ever.
const maxMisheard = 3

// giveUp counts a turn that asks again because it did not understand the
// answer; the maxMisheard-th in a row, instead of v, says so and ends the
// session, the question dropped (offers sent stay payable).
func (t *turn) giveUp(v ui.View) ui.View {
	if t.misheard+1 < maxMisheard {
		t.state.Misheard = t.misheard + 1
		return v
	}
	t.state = state{}
	return say("抱歉，还是没听明白。需要时再叫我吧。")
}

// anotherOne reports whether a product slot names no product but asks for
// another: "换成别的" heard as the product "别的".
func anotherOne(product string) bool {
	switch strings.TrimSuffix(strings.TrimSuffix(product, "吧"), "的") {
	case "别", "其他", "其它", "另一个", "另外一个", "别个", "那个":
		return true
	}
	return false
}

// askAnother asks which product instead, for the same purpose; the one
// the user changes from is no example.
func (d *Dialog) askAnother(ctx context.Context, t *turn) ui.View {
	from := t.state.ProductID
	others := slices.DeleteFunc(slices.Clone(d.examples(ctx, t, t.state.Intent)), func(p shop.Product) bool { return p.ID == from })
	return d.askExamples(t, t.state.Intent, others, "好的，想换成哪个？比如"+names(others, maxChoices, "或")+"。")
}
