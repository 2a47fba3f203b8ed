package device_test

import (
	"fmt"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
)

func ExampleOf() {
	fmt.Println(device.Of(fakeplatform.NewLaunch(fakeplatform.WithDeviceKind(device.Screened))))
	fmt.Println(device.Of(fakeplatform.NewLaunch(fakeplatform.WithDeviceKind(device.Screenless))))
	// Output:
	// screened
	// screenless
}

func ExampleRenderers_Render() {
	r := device.NewRenderers(device.Config{})
	req := fakeplatform.NewIntent("browse", nil)
	resp := r.Render(req, device.Of(req), ui.View{Speech: "想买哪个？", Ask: true})
	fmt.Println(resp.Response.OutputSpeech.Text, resp.Response.ShouldEndSession)
	// Output: 想买哪个？ false
}
