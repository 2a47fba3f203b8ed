// Package headless renders dialog views for voice-only Dingdang speakers.
// It never sends a Display directive: the list is spoken, the pay page goes
// to the Dingdang app on the user's phone, and content plays as audio.
package headless

import (
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// AppHint is said with an offer: on a screenless speaker the platform pushes
// the order to the Dingdang app on the phone.
const AppHint = "订单已发送到手机上的叮当App，请在App里完成支付。"

// MaxSpoken is how many products a spoken list names before "等".
const MaxSpoken = 3

// Renderer renders for screenless speakers. Its zero value is ready to use.
type Renderer struct{}

var _ ui.Renderer = Renderer{}

// New returns a headless renderer.
func New() Renderer { return Renderer{} }

// Render turns v into a voice-only response: speech, the Dialog and Charge
// directives, and the audio player; cards are dropped (an order waiting for
// payment is said to be in the app), lists are spoken when the dialog did
// not already name the products.
func (Renderer) Render(v ui.View) *tsk.Response {
	speech := v.SpeechText()
	if len(v.Products) > 0 && !names(speech, v) {
		speech = spokenList(v) + speech
	}
	if v.Play != nil {
		speech = ui.Join(speech, ui.PlaySpeech(v.Play))
	}
	if v.Offer != nil {
		speech = ui.Join(speech, AppHint)
	} else if v.Waiting != nil {
		speech = ui.Join(speech, ui.WaitingHint(v.Waiting, shop.PayInApp))
	}
	resp := ui.Base(v, speech)
	if v.Offer != nil {
		resp.Response.Directives = append(resp.Response.Directives, ui.Charge(v.Offer))
	}
	if play, ok := ui.AudioPlay(v.Play); ok {
		resp.Response.Directives = append(resp.Response.Directives, play)
	}
	return resp
}

// names reports whether speech already mentions a product of the list (the
// dialog may name a part of it: the next page of a browse).
func names(speech string, v ui.View) bool {
	for _, p := range v.Products {
		if strings.Contains(speech, p.Name) {
			return true
		}
	}
	return false
}

// spokenList names up to MaxSpoken products with their prices.
func spokenList(v ui.View) string {
	var b strings.Builder
	b.WriteString("有")
	for i, p := range v.Products {
		if i == MaxSpoken {
			b.WriteString("等")
			break
		}
		if i > 0 {
			b.WriteString("、")
		}
		if slices.Contains(v.Owned, p.ID) {
			b.WriteString(p.Name + "（" + ui.Bought + "）")
		} else {
			b.WriteString(p.Name + p.Price.Yuan())
		}
	}
	b.WriteString("。")
	return b.String()
}
