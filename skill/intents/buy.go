package intents

import (
	"context"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

// Buy buys a product; slots product, or album and index (optional: asked
// for), and count (consumables: asked for; text like "3", "三", "3个", or a
// unit value). Sample utterances:
//
//	我要买{product}
//	购买{product}
//	购买{album}第{index}集
//	买{count}{product}
//	给我来{count}个{product}
//	续费{product}
//	我要买东西
//	换成{count}个 (while a purchase waits for its yes: another count)
//	改成{product} (the same, a length: "改成一年" of a membership)
//	换成{product}
const Buy = "buy"

// buy runs the purchase state machine: which product, how many, then the
// price and a confirmation question; an entitlement already owned plays
// instead of being charged again.
func (d *Dialog) buy(ctx context.Context, t *turn) (ui.View, error) {
	if t.slot(SlotProduct) == "" && t.slot(SlotAlbum) == "" && t.slot(SlotCount) != "" {
		switch {
		case t.state.Step == stepRefund && strings.Contains(t.req.Request.QueryText, "买"):
			// "买三个" to "退掉2个…，确定吗？" buys, and is no count of
			// the refund (it refunded three): the refund's question again.
			return refundPending(t), nil
		case t.state.Step == stepRefund: // "两个" to "退掉5个…，确定吗？"
			return d.refundCount(ctx, t)
		case t.state.Step == stepProduct && t.state.Intent != Buy:
			// A bare count said to a listening or a refund's "which
			// one?": not a purchase; that question again.
			return d.help(ctx, t)
		case t.state.Step == stepProduct && len(t.state.Candidates) == 1 && !t.state.Examples:
			// "三个" to "你是说听书币吗？": that one, that many.
			if p, ok := d.cfg.Catalog.Product(t.state.Candidates[0]); ok {
				return d.chosen(ctx, t, p)
			}
		case t.state.Step == stepProduct && len(t.state.Candidates) > 1 && !t.state.Examples:
			// "三个" to "先买A还是B？": that many, of the one still to say.
			if n, ok := t.slotCount(); ok {
				cands := d.candidates(t)
				v := d.askProduct(t, Buy, cands, whichOf(Buy, cands))
				t.state.Count = n
				return v, nil
			}
		}
	}
	if v, ok := d.priceAsked(t); ok {
		return v, nil
	}
	if thisOne(t.slot(SlotProduct)) && t.slot(SlotAlbum) == "" {
		switch {
		case t.state.Step == stepProduct && len(t.state.Candidates) == 1:
			// "买这个吧" to "你是说会员月卡吗？": that one (it asked what to buy).
			if p, ok := d.cfg.Catalog.Product(t.state.Candidates[0]); ok {
				return d.chosen(ctx, t, p)
			}
		case t.state.Step == stepCount:
			return d.help(ctx, t) // "买这个吧" to "要买几个？": how many, again
		}
	}
	if t.state.Step == stepConfirm && t.slot(SlotAlbum) == "" {
		product, count := t.slot(SlotProduct), t.slot(SlotCount)
		if strings.Trim(product, "买吧啊呀了！!就") == "" || thisOne(product) {
			product = "" // "买买买" heard as the product "买买", "买这个吧": a bare buy ("刚才那个" may be one before it)
		}
		pending, hasPending := d.cfg.Catalog.Product(t.state.ProductID)
		_, length, _ := d.lengthOf(t, pending)
		words, counted := t.countSaid() // "好的，两个", "换成五个" with no count slot
		if count != "" {
			counted = false // the slot's, read by sell
		}
		if next, none, said := d.nextEpisode(t, pending); said && hasPending {
			if none != "" { // "换成下一集" past the last: the question stands
				return ask(none + amount(pending, max(t.state.Count, 1), t.state.Total) + sure(pending)), nil
			}
			purpose, slots := t.state.Intent, t.state.Slots
			t.state = state{Intent: purpose, Slots: slots}
			return d.sell(ctx, t, next, purpose) // "换成下一集"
		}
		switch {
		case product == "" && count == "" && !counted && t.changesMind(), anotherOne(product): // "换一个", "换成别的"
			return d.askAnother(ctx, t), nil
		case product == "" && count == "" && strings.Contains(t.req.Request.QueryText, "东西") && hasPending && t.state.Total > 0:
			// "我想买点东西" asks for something, and says no yes: the question again.
			return ask(amount(pending, max(t.state.Count, 1), t.state.Total) + sure(pending)), nil
		case (product == "" && (count != "" || counted) || length || d.sumDiffers(t, pending)) && hasPending:
			// "换成两个", "改成一年", "对，要一年的", "二十块钱的": the same
			// purchase, another count (an episode, bought once, is asked
			// about again).
			purpose, slots := t.state.Intent, t.state.Slots
			t.state = state{Intent: purpose}
			if counted && !length {
				t.state.Count = words
			}
			v, err := d.sell(ctx, t, pending, purpose)
			if t.state.Step == stepConfirm && t.state.Slots == nil {
				t.state.Slots = slots // the intent to resume after payment is the first one
			}
			return v, err
		case product == "" && count == "" && bareBuy(t.req.Request.QueryText):
			return d.issue(ctx, t) // "买" to "确定购买吗？" is a yes
		case product == "" && count == "":
			// "买点别的", "买它干嘛", "买下一集" of coins: more than a yes
			// (each charged); the question again.
			t.unclear = true
			return d.help(ctx, t)
		}
	}
	t.continues(Buy)
	p, v, ok, err := d.pick(ctx, t, Buy)
	if err != nil || !ok {
		return v, err
	}
	return d.sell(ctx, t, p, Buy)
}

// bareBuy reports whether words heard as a buy with no slots say only
// that: "买", "买吧", "我买", "就买了", "买买买", "买这个", "确定购买", "好，
// 买吧" (a yes to the purchase asked about).
func bareBuy(said string) bool {
	const fillers = "我就要想那还是先吧啊呀了嗯哦！!。.，, "
	s := strings.Trim(said, fillers)
	for _, yes := range []string{"确定", "确认", "好的", "好", "行", "可以", "对"} {
		if rest, ok := strings.CutPrefix(s, yes); ok {
			s = strings.Trim(rest, fillers)
			break
		}
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "这个"), "它")
	return s == "" || strings.Trim(s, "买购") == ""
}

// thisOne reports whether a product slot points at the product being
// talked about: "这个", "这个吧", "就这个", "它".
func thisOne(product string) bool {
	switch strings.Trim(product, "买吧啊呀了！!就") {
	case "这个", "它", "这个就行":
		return true
	}
	return false
}

// refundPending asks the pending refund's question again, for what was
// said about buying ("买三个", "买吧") while it waits: no count of it, and
// no yes to it.
func refundPending(t *turn) ui.View {
	return ask("现在是在退款。说“是的”就退还" + t.state.RefundAmt.Yuan() + "，说“不要了”就不退，再说要买什么。")
}

// priceWords ask what something costs.
var priceWords = []string{"多少钱", "几块钱", "多少块", "什么价", "价格", "价钱", "怎么卖", "贵不贵"}

// asksPrice reports whether what was said asks a price: "这个多少钱",
// "一共多少钱", "多少钱一个".
func asksPrice(text string) bool { return saysAny(text, priceWords...) }

// priceAsked answers a price asked while a purchase waits for its yes or
// its count, naming no other product: the price again, and the question
// again ("这个多少钱" to "确定购买吗？" was a bare "买", a yes, and charged;
// "一共多少钱" looked for a product "一共" and dropped the purchase).
func (d *Dialog) priceAsked(t *turn) (ui.View, bool) {
	if !asksPrice(t.req.Request.QueryText) || (t.state.Step != stepConfirm && t.state.Step != stepCount) {
		return ui.View{}, false
	}
	p, ok := d.cfg.Catalog.Product(t.state.ProductID)
	if !ok {
		return ui.View{}, false
	}
	if q := t.query(); named(q) {
		r := d.products.Resolve(q)
		if r.Decision == resolve.One && r.Candidates[0].Product.ID != p.ID ||
			t.state.Step == stepConfirm && r.Count > 0 && r.Count != max(t.state.Count, 1) {
			return ui.View{}, false // another product's price, or another count's: asked about that
		}
	}
	if n, ok := t.slotCount(); ok && t.state.Step == stepConfirm && n != max(t.state.Count, 1) {
		return ui.View{}, false // "两个多少钱": the price of two, re-quoted as "换成两个"
	}
	if t.state.Step == stepCount {
		v := ask(p.Name + "每个" + p.Price.Yuan() + "，要买几个？")
		v.ElicitSlot = SlotCount
		return v, true
	}
	if t.state.Total <= 0 {
		return ui.View{}, false
	}
	return ask(amount(p, max(t.state.Count, 1), t.state.Total) + sure(p)), true // the price said, not recomputed
}
