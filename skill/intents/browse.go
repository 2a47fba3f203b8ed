package intents

import (
	"context"
	"slices"
	"strconv"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// Browse lists what is for sale. Sample utterances:
//
//	有什么可以买
//	有什么好听的
//	看看商品
//	都卖些什么
const Browse = "browse"

// BrowseMore names the next products after a Browse. Sample utterances:
//
//	还有呢
//	还有哪些
//	还有别的吗
//	下一页
const BrowseMore = "browse_more"

// browse names what is for sale, up to three with their prices (what the
// user owns as bought) and how many more there are, and shows the whole
// list on screens; tapping an item buys it.
func (d *Dialog) browse(ctx context.Context, t *turn) (ui.View, error) {
	t.state = state{}
	return d.browseFrom(ctx, t, 0)
}

// browseMore names the next products after those the turn before named (a
// browse, or a "which one?" that named the first few): a screenless
// speaker has no other way to hear them. Past the last it says so, and the
// next one starts again; with nothing named before, it browses. A pending
// "which one?" stays pending.
func (d *Dialog) browseMore(ctx context.Context, t *turn) (ui.View, error) {
	if t.state.Step == stepCount || t.state.confirming() {
		return d.help(ctx, t) // "还有呢" to "要买几个？": that question again, not the shop's list
	}
	if t.state.Step == stepProduct && t.state.Intent == Refund {
		// "还有呢" to "要退哪个？有A、B、C等4种。": the rest of what can
		// be refunded, not the shop's list.
		cands := d.candidates(t)
		switch {
		case len(cands) <= maxChoices:
			return d.askProduct(t, Refund, cands, "就这些了。"+whichRefund(cands)), nil
		case t.browsed >= len(cands): // the rest named already
			v := d.askProduct(t, Refund, cands, "就这些了，一共"+itoa(int64(len(cands)))+"种。要退哪个？")
			t.state.Browsed = len(cands)
			return v, nil
		}
		v := d.askProduct(t, Refund, cands, "还有"+names(cands[maxChoices:], len(cands), "和")+"。要退哪个？")
		t.state.Browsed = len(cands)
		return v, nil
	}
	if t.browsed >= len(d.cfg.Catalog.Products) {
		// The whole list stays the question's: "第二个" after it is the
		// catalog's second (it forgot the list), and a screen shows it.
		v := d.question(t, "就这些了。", d.cfg.Catalog.Products) // the next "还有呢" starts again
		if t.device.Display {
			v.Products = d.cfg.Catalog.Products
		}
		return v, nil
	}
	return d.browseFrom(ctx, t, t.browsed)
}

// browseFrom names the products from the from-th on, remembering how far
// it went for browseMore.
func (d *Dialog) browseFrom(ctx context.Context, t *turn, from int) (ui.View, error) {
	ps := d.cfg.Catalog.Products
	page := ps[from:min(from+maxChoices, len(ps))]
	owned, err := d.ownedOnce(ctx, t, ps)
	if err != nil { // the list without its marks, rather than no list
		d.cfg.Logger.WarnContext(ctx, "intents: what the user owns not read for a list", "err", err)
		owned = nil
	}
	speech := "现在有"
	if from > 0 {
		speech = "还有"
	}
	speech += priced(page, owned)
	if rest := len(ps) - from - len(page); rest > 0 {
		if from > 0 {
			speech += "，另外还有" + strconv.Itoa(rest) + "种"
		} else {
			speech += "，还有" + strconv.Itoa(rest) + "种"
		}
		if !t.device.Display { // a screen shows them
			speech += "，说“还有呢”接着听"
		}
	}
	// "第二个" counts in what was said; a screen shows the whole list at
	// first (the spoken three first), then, after "还有呢", the products
	// said (it showed all five: "第二个" was the screen's second on a
	// screen and the second said on a speaker without one).
	named := page
	if t.device.Display && from == 0 {
		named = ps
	}
	v := d.question(t, speech+"。", named)
	t.state.Browsed = from + len(page)
	v.Products, v.Owned = named, owned
	return v, nil
}

// ownedOnce returns the products of ps bought once that the user owns.
func (d *Dialog) ownedOnce(ctx context.Context, t *turn, ps []shop.Product) ([]string, error) {
	var owned []string
	for _, p := range ps {
		if !p.Kind.Once() {
			continue
		}
		has, err := d.owns(ctx, t, p.ID)
		if err != nil {
			return nil, err
		}
		if has {
			owned = append(owned, p.ID)
		}
	}
	return owned, nil
}

// question asks which product, after speech: the pending "which one?"
// when there is one (its purpose kept), else which to buy. The answer may
// be a name or a position among named ("第二个").
func (d *Dialog) question(t *turn, speech string, named []shop.Product) ui.View {
	purpose := Buy
	if t.state.Step == stepProduct {
		purpose = t.state.Intent
	}
	q := "想" + verb(purpose) + "哪个？"
	t.state = state{Step: stepProduct, Intent: purpose}
	for _, p := range named {
		t.state.Candidates = append(t.state.Candidates, p.ID)
	}
	v := ask(speech + q)
	v.ElicitSlot = SlotProduct
	return v
}

// priced lists products with their prices, those owned as bought:
// "A（已购买）、B1元".
func priced(ps []shop.Product, owned []string) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += "、"
		}
		if slices.Contains(owned, p.ID) {
			s += p.Name + "（" + ui.Bought + "）"
		} else {
			s += p.Name + p.Price.Yuan()
		}
	}
	return s
}
