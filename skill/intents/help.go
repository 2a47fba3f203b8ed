package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// Help says what the user can do. Sample utterances:
//
//	帮助
//	怎么用
//	你能做什么
//	怎么购买
const Help = "help"

// help says how to answer the pending question, which stays pending (the
// user asked for help with it, not to drop it); with none, it lists what
// can be said. The mic stays open.
func (d *Dialog) help(ctx context.Context, t *turn) (ui.View, error) {
	defer func() {
		if t.state.Step == stepProduct { // the list said before stays the one "还有呢" goes on with
			t.state.Browsed = t.browsed
		}
	}()
	st := t.state
	switch st.Step {
	case stepConfirm:
		const how = "说“是的”就购买，说“不要了”就取消。"
		if p, ok := d.cfg.Catalog.Product(st.ProductID); ok && st.Total > 0 {
			return ask(amount(p, max(st.Count, 1), st.Total) + "。" + how), nil // the price said, not recomputed
		}
		return ask(how), nil
	case stepRefund:
		return ask("说“是的”就退还" + st.RefundAmt.Yuan() + "，说“不要了”就不退。"), nil
	case stepCount:
		if p, ok := d.cfg.Catalog.Product(st.ProductID); ok {
			v := d.askCount(t, p, st.Intent, p.Name+"每个"+p.Price.Yuan()+"。说个数量就行，比如“3个”；说“不要了”就取消。要买几个？")
			t.state.Slots = st.Slots
			return v, nil
		}
	case stepProduct:
		defer func() { t.state.Count = st.Count }() // a count said before, for the answer
		if cands := d.candidates(t); len(cands) > 0 && st.Examples {
			return d.askExamples(t, st.Intent, cands, "说名字就行，比如"+names(cands, maxChoices, "或")+"；说“不要了”就取消。你想"+verb(st.Intent)+"什么？"), nil
		}
		if cands := d.candidates(t); len(cands) > 0 {
			return d.askProduct(t, st.Intent, cands, "说名字或者第几个就行，比如“第一个”；说“不要了”就取消。"+whichOf(st.Intent, cands)), nil
		}
		ex := d.examples(ctx, t, st.Intent)
		return d.askExamples(t, st.Intent, ex, "说名字就行，比如"+names(ex, maxChoices, "或")+"；说“不要了”就取消。你想"+verb(st.Intent)+"什么？"), nil
	}
	t.state = state{}
	link := ""
	if d.cfg.Link == LinkPurchase && t.account == "" {
		link = "购买前要先在叮当App里关联账号。" // else the first purchase says it, after the choosing
	}
	return ask("在这里可以用语音购买和收听内容，付款在叮当App或微信里完成。" + link + examples), nil
}
