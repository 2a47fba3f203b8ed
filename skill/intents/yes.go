package intents

import (
	"context"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// Yes confirms the pending question. An intent with confirmationStatus
// CONFIRMED counts as yes too. Sample utterances:
//
//	是的
//	确定
//	好的
//	买吧
//	可以
const Yes = "yes"

// yes carries out what was asked: the purchase (an offer and the Charge
// directive) or the refund; a yes to "你是说…吗？" takes that product; a
// pending question of several products, or of how many, is asked again.
// A yes that carries the slot asked for is the answer: the platform keeps
// the session's intent after a Dialog.ElicitSlot without updatedIntent, so
// "3个" said after a "是的" that was asked again arrives as yes{count}.
func (d *Dialog) yes(ctx context.Context, t *turn) (ui.View, error) {
	if t.answers() {
		return d.buyOrPlay(ctx, t)
	}
	// A yes intent that carries a product or a count ("对，两个") says
	// more than yes (a CONFIRMED intent carries its own slots, as asked).
	isYes := t.intent() != nil && t.intent().Name == Yes
	named := isYes && (t.slot(SlotProduct) != "" || t.slot(SlotAlbum) != "" || t.slot(SlotCount) != "")
	switch t.state.Step {
	case stepConfirm:
		if isYes && d.saysOther(t, named) { // "对，两个", "是的，一年": not a yes to the price said; buy asks again
			return d.buy(ctx, t)
		}
		return d.issue(ctx, t) // "对，三个" to "3个听书币，共3元，确定购买吗？" is a yes
	case stepRefund:
		if said := t.req.Request.QueryText; strings.Contains(said, "买") && !strings.Contains(said, "退") {
			return refundPending(t), nil // "买吧" (a yes to a purchase) to a refund's question refunded ("退吧，买多了" is a yes)
		}
		_, counted := t.countSaid()
		if _, sum := t.sumSaid(); named || counted || sum { // "对，两个", "对，退三块": the refund asked again, of that many
			st := t.state
			v, err := d.refundCount(ctx, t)
			if err != nil || t.state.Step != stepRefund || t.state.TradeNo != st.TradeNo || t.state.RefundAmt != st.RefundAmt {
				return v, err
			}
			t.state = st // "对，五个" to "退掉5个…": the same refund, a yes (it asked again, and again)
		}
		return d.refundConfirmed(ctx, t)
	case stepProduct:
		cands := d.candidates(t)
		if len(cands) == 1 {
			return d.chosen(ctx, t, cands[0])
		}
		t.unclear = true // a yes answers no "which one?"
		if len(cands) > 0 {
			return d.askProduct(t, t.state.Intent, cands, whichOf(t.state.Intent, cands)), nil
		}
		return d.askProduct(t, t.state.Intent, nil, "你想"+verb(t.state.Intent)+"哪个？"), nil
	case stepCount:
		t.unclear = true // nor "how many?"
		p, _ := d.cfg.Catalog.Product(t.state.ProductID)
		if p.Monthly() {
			return d.askCount(t, p, t.state.Intent, p.Name+"要买几个月？"), nil
		}
		return d.askCount(t, p, t.state.Intent, "要买几个"+p.Name+"？"), nil
	}
	return ask("你想做什么呢？" + examples), nil
}

// saysOther reports whether a yes to the confirmation says another
// purchase than the one asked about: another product, count, length
// ("是的，一年" to one month charged one month) or sum; named is whether
// it carries slots. The same count, length or sum said again is a yes ("对，
// 三个" to "3个…，确定购买吗？" asked the same question again, and again).
func (d *Dialog) saysOther(t *turn, named bool) bool {
	if t.slot(SlotProduct) != "" || t.slot(SlotAlbum) != "" {
		return true
	}
	count := max(t.state.Count, 1)
	p, ok := d.cfg.Catalog.Product(t.state.ProductID)
	if !ok {
		return named
	}
	if _, _, said := d.nextEpisode(t, p); said || t.changesMind() {
		return true // "好的，下一集", "对，换成五个"
	}
	if n, said, whole := d.lengthOf(t, p); said {
		return !whole || n != count
	}
	if _, ok := t.sumSaid(); ok && p.Kind.AsksCount() {
		return d.sumDiffers(t, p)
	}
	if n, ok := t.countSaid(); ok {
		return n != count // "好的，两个" to ten
	}
	return named
}

// sumDiffers reports whether the turn says a sum of money for the
// consumable p other than the total asked about ("二十块钱的" to "10个…，共
// 10元"): another count.
func (d *Dialog) sumDiffers(t *turn, p shop.Product) bool {
	sum, ok := t.sumSaid()
	return ok && p.Kind.AsksCount() && sum != t.state.Total
}

// answers reports whether the request carries the slot the pending
// product or count question asks for, whatever its intent.
func (t *turn) answers() bool {
	switch t.state.Step {
	case stepProduct:
		return named(t.query())
	case stepCount:
		_, ok := t.intent().Slot(SlotCount)
		return ok
	}
	return false
}

// buyOrPlay re-enters the pending dialog with its own purpose: buy, play
// or refund.
func (d *Dialog) buyOrPlay(ctx context.Context, t *turn) (ui.View, error) {
	switch t.state.Intent {
	case Play:
		return d.play(ctx, t)
	case Refund:
		return d.refund(ctx, t)
	}
	return d.buy(ctx, t)
}

// refundConfirmed starts the confirmed refund. A refusal is said as its
// message ("退款没有成功，请稍后再试…", or why the policy forbids it now),
// with the support contact.
func (d *Dialog) refundConfirmed(ctx context.Context, t *turn) (ui.View, error) {
	st := t.state
	t.state = state{}
	// The refund gets what the turn can spare, and its platform call a
	// part of that (the rest records the answer): a call not answered in
	// time is left to the reconciler, which asks and sends it again, and
	// the turn still has the time to answer and store the dialog.
	rctx, cancel := context.WithTimeout(ctx, confirmTimeout)
	defer cancel()
	_, err := d.cfg.Payments.Refund(rctx, st.TradeNo, st.RefundAmt, "用户语音申请退款")
	switch shop.ErrorClass(err) {
	case "":
		return say("已申请退款" + st.RefundAmt.Yuan() + "，会原路退回。"), nil
	case shop.EINVALID, shop.ECONFLICT:
		return say("抱歉，" + shop.ErrorMessage(err) + "。" + d.support()), nil
	}
	return ui.View{}, err
}
