package device_test

import (
	"fmt"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func ExampleOf() {
	fmt.Println(device.Of(tsktest.NewLaunch(tsktest.WithDeviceKind(device.Screened))))
	fmt.Println(device.Of(tsktest.NewLaunch(tsktest.WithDeviceKind(device.Screenless))))
	// Output:
	// screened
	// screenless
}

func ExampleRenderers_Render() {
	r := device.NewRenderers(device.Config{})
	req := tsktest.NewIntent("browse", nil)
	resp := r.Render(req, device.Of(req), ui.View{Speech: "想买哪个？", Ask: true})
	fmt.Println(resp.Response.OutputSpeech.Text, resp.Response.ShouldEndSession)
	// Output: 想买哪个？ false
}
