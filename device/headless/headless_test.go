package headless_test

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/skill/device/devicetest"

	"github.com/dingdang-voicepay/skill/device"
	"github.com/dingdang-voicepay/skill/device/headless"
	"github.com/dingdang-voicepay/skill/skill"
	"github.com/dingdang-voicepay/skill/skill/tsk"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestRenderGolden(t *testing.T) {
	devicetest.CompareGolden(t, headless.New(), filepath.Join("testdata", "golden.json"), *update)
}

func TestNoDisplay(t *testing.T) {
	p := device.Offer{Token: "tok", Count: 2, Total: 200}
	p.Product.ID, p.Product.Name, p.Product.Price = "credits", "听书点数", 100
	resp := headless.New().Render(device.View{Speech: "好的。", Offer: &p, Result: &device.Result{Title: "x", Text: "y"},
		Products: []skill.Product{p.Product}})
	for _, d := range resp.Response.Directives {
		if strings.HasPrefix(d.DirectiveType(), "Display.") {
			t.Errorf("headless sent %s", d.DirectiveType())
		}
	}
	if _, ok := resp.Response.Directives[0].(tsk.Charge); !ok || !strings.Contains(resp.Response.OutputSpeech.Text, "叮当App") {
		t.Errorf("offer not sent to the app: %+v", resp.Response)
	}
}
