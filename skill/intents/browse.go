package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// Browse lists what is for sale. Sample utterances:
//
//	有什么可以买
//	有什么好听的
//	看看商品
//	都卖些什么
const Browse = "browse"

// browse names what is for sale (up to three, with prices) and shows the
// whole list on screens; tapping an item buys it.
func (d *Dialog) browse(ctx context.Context, t *turn) (ui.View, error) {
	t.state = state{}
	ps := d.cfg.Catalog.Products
	speech := "现在有"
	for i, p := range ps {
		if i == maxChoices {
			speech += "等"
			break
		}
		if i > 0 {
			speech += "、"
		}
		speech += p.Name + p.Price.Yuan()
	}
	v := ask(speech + "。想买哪个？")
	v.Products = ps
	return v, nil
}
