package screen_test

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device/devicetest"

	"github.com/dingdang-voicepay/voicepay/device/screen"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestRenderGolden(t *testing.T) {
	r := screen.New(screen.Config{QRURL: func(c string) string { return "https://skill.example.com/qr/" + c + ".png" }})
	devicetest.CompareGolden(t, r, filepath.Join("testdata", "golden.json"), *update)
}

func TestPayCard(t *testing.T) {
	r := screen.New(screen.Config{QRURL: func(c string) string { return "https://q.example/" + c + ".png" }})
	p := ui.Offer{Token: "tok", Count: 1, Total: 1990}
	p.Product.ID, p.Product.Name, p.Product.Price = "vip", "会员月卡", 1990
	resp := r.Render(ui.View{Speech: "好的。", Offer: &p})
	var charge, card bool
	for _, d := range resp.Response.Directives {
		switch d := d.(type) {
		case tsk.Charge:
			charge = d.Payload.ChargeInfo.UserID == "tok" && d.Payload.ChargeInfo.Items[0].TotalFee == 1990
		case tsk.RenderTemplate:
			desc := d.Template.TextContent.Description
			card = d.Template.Type == tsk.NewsBodyTemplate && strings.Contains(desc, "19.9元") &&
				strings.Contains(desc, "微信扫码支付") && d.Template.BackgroundImage.Source.URL == "https://q.example/vip.png"
			if n := len([]rune(desc)); n > screen.CardChars {
				t.Errorf("pay card text has %d characters, want ≤ %d", n, screen.CardChars)
			}
		}
	}
	if !charge || !card {
		t.Errorf("charge=%v card=%v in %+v", charge, card, resp.Response.Directives)
	}
	if !resp.Response.ShouldEndSession {
		t.Error("an offer ends the session")
	}
}
