// Package screen renders dialog views for Dingdang speakers with a screen:
// pay cards with a QR code, product lists, result cards, and the audio
// player. It never decides what to say; that is the dialog's job.
package screen

import (
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"strconv"
)

// CardChars is how much text a NewsBodyTemplate shows: 3 lines of about 18
// Chinese characters.
const CardChars = 54

// Template tokens, stable so a device can tell which card is showing.
const (
	TokenPayCard = "pay-card"
	TokenList    = "product-list"
	TokenResult  = "result"
)

// PayHint is said and shown with a pay card.
const PayHint = "微信扫码支付"

// Config configures the screen renderer. The zero value renders pay cards
// without a QR background.
type Config struct {
	// QRURL returns the URL of a QR PNG that leads a phone to the product
	// (typically the skill's /qr/<signed token>.png). It gets the product id:
	// one image per product, so the QR cache serves every user's pay card.
	QRURL func(productID string) string
}

// Renderer renders for screened speakers.
type Renderer struct {
	Config
}

var _ ui.Renderer = (*Renderer)(nil)

// New returns a screen renderer.
func New(c Config) *Renderer { return &Renderer{Config: c} }

// Render turns v into a response with the Charge directive and a pay card for
// an offer, a horizontal list for products, the audio player for a play, and
// a result card.
func (r *Renderer) Render(v ui.View) *tsk.Response {
	speech := v.SpeechText()
	if v.Play != nil {
		speech = ui.Join(speech, ui.PlaySpeech(v.Play))
	}
	if v.Offer != nil {
		speech = ui.Join(speech, "请用"+PayHint+"。")
	}
	resp := ui.Base(v, speech)
	add := func(d tsk.Directive) { resp.Response.Directives = append(resp.Response.Directives, d) }

	if v.Offer != nil {
		add(ui.Charge(v.Offer))
		add(r.payCard(v.Offer))
	}
	if len(v.Products) > 0 {
		add(list(v))
	}
	if play, ok := ui.AudioPlay(v.Play); ok {
		add(play)
	}
	if v.Result != nil {
		add(tsk.RenderTemplate{Token: TokenResult, Template: tsk.Template{
			Type:        tsk.NewsBodyTemplate1,
			TextContent: &tsk.TextContent{Title: v.Result.Title, Description: ui.Clip(v.Result.Text, CardChars)},
		}})
	}
	return resp
}

// payCard is the NewsBodyTemplate shown while the user pays: product, price
// and how to pay on top of the QR code.
func (r *Renderer) payCard(o *ui.Offer) tsk.RenderTemplate {
	text := o.Total.Yuan() + "，" + PayHint // the title already names the product
	if o.Count > 1 {
		text = strconv.FormatInt(o.Count, 10) + "个，共" + text
	}
	t := tsk.Template{
		Type:        tsk.NewsBodyTemplate,
		TextContent: &tsk.TextContent{Title: o.Product.Name, Description: ui.Clip(text, CardChars)},
	}
	if r.QRURL != nil {
		t.BackgroundImage = ui.Image(r.QRURL(o.Product.ID), PayHint+"二维码")
	}
	return tsk.RenderTemplate{Token: TokenPayCard, Template: t}
}

// list is the HorizontialListTemplate of the products to browse.
func list(v ui.View) tsk.RenderTemplate {
	items := make([]tsk.ListItem, 0, len(v.Products))
	for _, p := range v.Products {
		items = append(items, tsk.ListItem{
			Token:       ui.ProductTokenPrefix + p.ID,
			TextContent: &tsk.TextContent{Title: p.Name, Description: p.Price.Yuan()},
			Image:       ui.Image(p.Image, p.Name),
		})
	}
	return tsk.RenderTemplate{Token: TokenList, Template: tsk.Template{
		Type:      tsk.HorizontialListTemplate,
		ListItems: items,
	}}
}
