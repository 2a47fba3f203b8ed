package intents

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// No declines the pending question. An intent with confirmationStatus
// DENIED counts as no too. Sample utterances:
//
//	不用了
//	不要
//	算了
//	不买了
const No = "no"

// no cancels whatever is pending, politely, and ends the session; but
// "不是" to "你是说X吗？" (one product suggested for a name not found) says
// that X is not what was meant, not that nothing is: which one is asked.
func (d *Dialog) no(ctx context.Context, t *turn) (ui.View, error) {
	if t.state.Step == stepProduct && t.state.Examples && t.answers() {
		// The answer to the question "不是" asked, under the session's
		// intent (no); a no that names a product elsewhere ("不要X" to
		// "你是说X吗？") declines, as any no.
		return d.buyOrPlay(ctx, t)
	}
	st := t.state
	if st.Step == stepProduct && len(st.Candidates) == 1 && !st.Examples && t.browsed == 0 &&
		strings.HasPrefix(strings.TrimSpace(t.req.Request.QueryText), "不是") {
		others := slices.DeleteFunc(slices.Clone(d.examples(ctx, t, st.Intent)), func(p shop.Product) bool { return p.ID == st.Candidates[0] })
		return d.askExamples(t, cmp.Or(st.Intent, Buy), others, "那你想"+verb(cmp.Or(st.Intent, Buy))+"什么？比如"+names(others, maxChoices, "或")+"。"), nil
	}
	return t.drop(), nil
}
