package headless_test

import (
	"fmt"

	"github.com/dingdang-voicepay/voicepay/device/headless"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
)

func ExampleRenderer() {
	p := shop.Product{ID: "wgsd-35", Name: "万古神帝第35集", Price: 200, Kind: shop.KindEntitlement}
	r := headless.New().Render(ui.View{Speech: "好的，万古神帝第35集，2元。",
		Offer: &ui.Offer{Token: "offer-token", Product: p, Count: 1, Total: 200}})
	fmt.Println(r.Response.OutputSpeech.Text)
	fmt.Println(r.Response.Directives[0].DirectiveType(), r.Response.ShouldEndSession)
	// Output:
	// 好的，万古神帝第35集，2元。订单已发送到手机上的叮当App，请在App里完成支付。
	// Connections.SendRequest true
}
