package resolve_test

import (
	"fmt"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

func Example() {
	c := &shop.Catalog{Products: []shop.Product{
		{ID: "ep35", Name: "万古神帝第35集", Price: 200, Kind: shop.KindEntitlement},
		{ID: "xcb35", Name: "星辰变第35集", Price: 200, Kind: shop.KindEntitlement},
		{ID: "coins", Name: "听书币", Price: 100, Kind: shop.KindConsumable},
	}}
	x := resolve.New(c, resolve.Config{}) // once per catalog
	for _, q := range []resolve.Query{
		{Text: "我要买万股神地第三十五集吧"},        // homophones, numerals, fillers
		{Album: "万古神帝", Episode: "35"}, // the platform's album and index slots
		{Text: "两个听书必"},                // a count and a homophone
		{Text: "第35集"},                 // two series have one
		{Text: "西游记"},                  // not sold here
	} {
		r := x.Resolve(q)
		fmt.Print(r.Decision)
		for _, c := range r.Candidates {
			fmt.Print(" ", c.Product.Name)
		}
		if r.Count > 0 {
			fmt.Print(" ×", r.Count)
		}
		fmt.Println()
	}
	// Output:
	// one 万古神帝第35集
	// one 万古神帝第35集
	// one 听书币 ×2
	// ambiguous 万古神帝第35集 星辰变第35集
	// none
}
