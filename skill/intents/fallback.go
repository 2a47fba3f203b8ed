package intents

import (
	"context"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// fallback handles intents the dialog does not know. When a product or
// count question is pending, what was said is taken as the answer; when a
// purchase waits for its yes, "换一个" asks for another product and
// anything else asks the question again.
func (d *Dialog) fallback(ctx context.Context, t *turn) (ui.View, error) {
	if t.req.Request.QueryText != "" && (t.state.Step == stepProduct || t.state.Step == stepCount) {
		return d.buyOrPlay(ctx, t)
	}
	if t.changesMind() {
		return d.askAnother(t), nil
	}
	if t.state.confirming() {
		// The question again, as help says it: what, how much, and how
		// to answer.
		return d.help(ctx, t)
	}
	return ask("抱歉，我没听懂。" + examples), nil
}

// changesMind reports whether the turn asks, while a purchase waits for its
// yes, for another product: "换一个", "换个别的".
func (t *turn) changesMind() bool {
	return t.state.Step == stepConfirm && strings.Contains(t.req.Request.QueryText, "换")
}

// anotherOne reports whether a product slot names no product but asks for
// another: "换成别的" heard as the product "别的".
func anotherOne(product string) bool {
	switch strings.TrimSuffix(strings.TrimSuffix(product, "吧"), "的") {
	case "别", "其他", "其它", "另一个", "另外一个", "别个":
		return true
	}
	return false
}

// askAnother asks which product instead, for the same purpose.
func (d *Dialog) askAnother(t *turn) ui.View {
	return d.askProduct(t, t.state.Intent, nil, "好的，想换成哪个？比如"+names(d.examples(t.state.Intent), maxChoices, "或")+"。")
}
