package headless_test

import (
	"fmt"

	"github.com/dingdang-voicepay/skill/device"
	"github.com/dingdang-voicepay/skill/device/headless"
	"github.com/dingdang-voicepay/skill/skill"
)

func ExampleRenderer() {
	p := skill.Product{ID: "wgsd-35", Name: "万古神帝第35集", Price: 200, Kind: skill.KindEntitlement}
	r := headless.New().Render(device.View{Speech: "好的，万古神帝第35集，2元。",
		Offer: &device.Offer{Token: "offer-token", Product: p, Count: 1, Total: 200}})
	fmt.Println(r.Response.OutputSpeech.Text)
	fmt.Println(r.Response.Directives[0].DirectiveType(), r.Response.ShouldEndSession)
	// Output:
	// 好的，万古神帝第35集，2元。订单已发送到手机上的叮当App，请在App里完成支付。
	// Connections.SendRequest true
}
