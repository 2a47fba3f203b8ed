package screen_test

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device/devicetest"

	"github.com/dingdang-voicepay/voicepay/device/screen"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestRenderGolden(t *testing.T) {
	r := screen.New(screen.Config{QRURL: func(o *ui.Offer) string {
		return "https://skill.example.com/qr/" + o.Product.ID + ".png"
	}})
	devicetest.CompareGolden(t, r, filepath.Join("testdata", "golden.json"), *update)
}

// payClaims are phrases that would tell the user our QR code takes the
// payment: the platform shows its own pay page (pic/pay1 steps 11-13).
var payClaims = []string{"扫码支付", "扫码付", "微信支付", "支付二维码", "付款码", "扫码付款", "用微信扫"}

// TestOfferCard: the card sent with an offer is the product/confirmation
// card: name, price in yuan, what it unlocks, and a QR code leading the
// phone to the offer's order page; neither it nor the speech says the QR
// pays.
func TestOfferCard(t *testing.T) {
	var asked *ui.Offer
	r := screen.New(screen.Config{QRURL: func(o *ui.Offer) string { asked = o; return "https://q.example/" + o.Product.ID + ".png" }})
	for _, tt := range []struct {
		count int64
		total int64
		want  []string
	}{
		{1, 1990, []string{"19.9元", "30天畅听全部有声书", "扫码", "订单"}},
		{2, 3980, []string{"2个月，共39.8元", "30天畅听全部有声书"}}, // a monthly product counts months
	} {
		p := ui.Offer{Token: "tok", Count: tt.count}
		p.Total = shop.Fen(tt.total)
		p.Product = shop.Product{ID: "vip", Name: "会员月卡", Price: 1990, Description: "30天畅听全部有声书", Kind: shop.KindSubscription, Days: 30}
		resp := r.Render(ui.View{Speech: "好的。", Offer: &p})
		if asked == nil || asked.Token != "tok" || asked.Product.ID != "vip" {
			t.Errorf("QRURL got %+v, want the offer", asked)
		}
		texts := []string{resp.Response.OutputSpeech.Text}
		var charge, card bool
		for _, d := range resp.Response.Directives {
			switch d := d.(type) {
			case tsk.Charge:
				charge = d.Payload.ChargeInfo.UserID == "tok" && d.Payload.ChargeInfo.Items[0].TotalFee == p.Total
			case tsk.RenderTemplate:
				tc, img := d.Template.TextContent, d.Template.BackgroundImage
				card = d.Template.Type == tsk.NewsBodyTemplate && tc.Title == "会员月卡" && img.Source.URL == "https://q.example/vip.png"
				for _, w := range tt.want {
					if !strings.Contains(tc.Description, w) {
						t.Errorf("card %q does not say %q", tc.Description, w)
					}
				}
				if n := len([]rune(tc.Description)); n > screen.CardChars {
					t.Errorf("card text has %d characters, want ≤ %d", n, screen.CardChars)
				}
				texts = append(texts, tc.Title, tc.Description, img.ContentDescription)
			}
		}
		if !charge || !card {
			t.Errorf("charge=%v card=%v in %+v", charge, card, resp.Response.Directives)
		}
		for _, text := range texts {
			for _, claim := range payClaims {
				if strings.Contains(text, claim) {
					t.Errorf("%q says %q", text, claim)
				}
			}
		}
		if !resp.Response.ShouldEndSession {
			t.Error("an offer ends the session")
		}
	}
	// Without a QR code the card does not mention scanning.
	p := ui.Offer{Token: "tok", Count: 1, Total: 200, Product: shop.Product{ID: "ep", Name: "第1集", Price: 200}}
	for _, d := range screen.New(screen.Config{}).Render(ui.View{Offer: &p}).Response.Directives {
		if rt, ok := d.(tsk.RenderTemplate); ok && (rt.Template.BackgroundImage != nil || strings.Contains(rt.Template.TextContent.Description, "扫码")) {
			t.Errorf("card without QR: %+v", rt.Template)
		}
	}
}

// TestCardsClipAtTheirTemplateSize: each card's text fits the lines of its
// own template, ending in "…" when cut (a device cuts longer text with no
// "…"): the offer card (NewsBodyTemplate, 3 lines) at CardChars, a result
// card (NewsBodyTemplate1, 2 lines) at ResultChars. The 我的购买 card after
// buying the 5 demo products is 47 characters.
func TestCardsClipAtTheirTemplateSize(t *testing.T) {
	mine := "万古神帝第35集；万古神帝第36集；星辰变第35集；听书币还剩3个；会员月卡有效期到3月4日"
	long := strings.Repeat("很长的说明", 20)
	r := screen.New(screen.Config{})
	for _, tt := range []struct {
		name     string
		view     ui.View
		template string
		max      int
		whole    string // the text when it fits, "" when it must be cut
	}{
		{"result fits", ui.View{Speech: "好的。", Result: &ui.Result{Title: "购买成功", Text: "万古神帝第35集，2元"}}, tsk.NewsBodyTemplate1, screen.ResultChars, "万古神帝第35集，2元"},
		{"my purchases", ui.View{Speech: "好的。", Result: &ui.Result{Title: "我的购买", Text: mine}}, tsk.NewsBodyTemplate1, screen.ResultChars, ""},
		{"offer", ui.View{Speech: "好的。", Offer: &ui.Offer{Token: "tok", Count: 1, Total: 200,
			Product: shop.Product{ID: "ep", Name: "第1集", Price: 200, Description: long}}}, tsk.NewsBodyTemplate, screen.CardChars, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var found bool
			for _, d := range r.Render(tt.view).Response.Directives {
				rt, ok := d.(tsk.RenderTemplate)
				if !ok || rt.Template.Type != tt.template {
					continue
				}
				found = true
				text := rt.Template.TextContent.Description
				n := len([]rune(text))
				switch {
				case tt.whole != "" && text != tt.whole:
					t.Errorf("text %q, want %q", text, tt.whole)
				case tt.whole == "" && (n != tt.max || !strings.HasSuffix(text, "…")):
					t.Errorf("text %q (%d characters), want %d ending in …", text, n, tt.max)
				}
			}
			if !found {
				t.Errorf("no %s card", tt.template)
			}
		})
	}
}
