package intents

import (
	"context"
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

// browse names what is for sale, up to three with their prices and how
// many more there are, and shows the whole list on screens; tapping an
// item buys it.
func (d *Dialog) browse(ctx context.Context, t *turn) (ui.View, error) {
	return d.browseFrom(t, 0), nil
}

// browseMore names the next products after those the session's last
// browse named: a screenless speaker has no other way to hear them. Past
// the last it says so, and the next one starts again; with no browse
// before, it browses.
func (d *Dialog) browseMore(ctx context.Context, t *turn) (ui.View, error) {
	from := t.state.Browsed
	if from >= len(d.cfg.Catalog.Products) && from > 0 {
		t.state = state{}
		return ask("就这些了。想买哪个？"), nil
	}
	return d.browseFrom(t, from), nil
}

// browseFrom names the products from the from-th on, remembering how far
// it went for browseMore.
func (d *Dialog) browseFrom(t *turn, from int) ui.View {
	ps := d.cfg.Catalog.Products
	page := ps[from:min(from+maxChoices, len(ps))]
	t.state = state{Browsed: from + len(page)}
	speech := "现在有"
	if from > 0 {
		speech = "还有"
	}
	speech += priced(page)
	if rest := len(ps) - t.state.Browsed; rest > 0 {
		if from > 0 {
			speech += "，另外还有" + strconv.Itoa(rest) + "个"
		} else {
			speech += "，还有" + strconv.Itoa(rest) + "个"
		}
	}
	v := ask(speech + "。想买哪个？")
	v.Products = ps
	return v
}

// priced lists products with their prices: "A2元、B1元".
func priced(ps []shop.Product) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += "、"
		}
		s += p.Name + p.Price.Yuan()
	}
	return s
}
