// Package screen renders dialog views for Dingdang speakers with a screen:
// offer cards with a QR code, product lists, result cards, and the audio
// player. It never decides what to say; that is the dialog's job.
package screen

import (
	"slices"
	"strconv"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// How much text a card template shows, in lines of about 18 Chinese
// characters (PROTOCOL.md §2). A device cuts longer text with no "…", so
// each card's text is clipped here at its own template's size, with one.
const (
	// CardChars is how much text a NewsBodyTemplate (the offer card) shows:
	// 3 lines.
	CardChars = 54
	// ResultChars is how much text a NewsBodyTemplate1 (a result card)
	// shows: 2 lines.
	ResultChars = 36
	// TitleChars is how much of a card's title shows: a line.
	TitleChars = 18
)

// Template tokens, stable so a device can tell which card is showing.
const (
	TokenPayCard = "pay-card" // the offer card sent with a Charge
	TokenList    = "product-list"
	TokenResult  = "result"
)

// Said and shown with an offer. The platform, not the skill, shows the pay
// page once the user orders (pic/pay1 steps 11-13): nothing here says that
// our QR code pays.
const (
	// PayHint is said after the offer's price.
	PayHint = "请按屏幕提示完成支付。"
	// QRHint ends the offer card when it has a QR code.
	QRHint = "手机扫码可查看订单和售后"
	// QRDescription describes the QR image.
	QRDescription = "订单详情二维码"
)

// Config configures the screen renderer. The zero value renders offer cards
// without a QR code.
type Config struct {
	// QRURL returns the URL of the QR PNG shown on an offer's card (typically
	// the skill's /qr/<signed token>.png): a code that leads a phone to the
	// page about that offer and the order placed from it.
	QRURL func(o *ui.Offer) string
}

// Renderer renders for screened speakers.
type Renderer struct {
	Config
}

var _ ui.Renderer = (*Renderer)(nil)

// New returns a screen renderer.
func New(c Config) *Renderer { return &Renderer{Config: c} }

// Render turns v into a response with the Charge directive and the offer
// card for an offer (the card alone for one waiting for payment), a
// horizontal list for products, the audio player for a play, and a result
// card.
func (r *Renderer) Render(v ui.View) *tsk.Response {
	speech := v.SpeechText()
	if v.Play != nil {
		speech = ui.Join(speech, ui.PlaySpeech(v.Play))
	}
	if v.Offer != nil {
		speech = ui.Join(speech, PayHint)
	} else if v.Waiting != nil {
		speech = ui.Join(speech, ui.WaitingHint(v.Waiting, shop.PayOnScreen))
	}
	resp := ui.Base(v, speech)
	add := func(d tsk.Directive) { resp.Response.Directives = append(resp.Response.Directives, d) }

	if v.Offer != nil {
		add(ui.Charge(v.Offer))
		add(r.offerCard(v.Offer))
	}
	if v.Waiting != nil && v.Offer == nil {
		add(r.offerCard(v.Waiting)) // the card again, nothing charged
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
			TextContent: &tsk.TextContent{Title: v.Result.Title, Description: ui.Clip(v.Result.Text, ResultChars)},
		}})
	}
	return resp
}

// offerCard is the NewsBodyTemplate sent with the Charge: the product and
// its price in yuan as the title and first line, with a QR code on it
// where the phone can follow the order, then what it unlocks, which alone
// is cut short when the card is full (cut before the QR's hint, it read
// as part of the description: "…支持…手机扫码").
func (r *Renderer) offerCard(o *ui.Offer) tsk.RenderTemplate {
	text := o.Total.Yuan() + "。" // the title already names the product
	if o.Count > 1 {
		unit := "个" // "3个，共3元"; a monthly product's count is months
		if o.Product.Monthly() {
			unit = "个月"
		}
		text = strconv.FormatInt(o.Count, 10) + unit + "，共" + text
	}
	t := tsk.Template{Type: tsk.NewsBodyTemplate, TextContent: &tsk.TextContent{Title: ui.Clip(o.Product.Name, TitleChars)}}
	if r.QRURL != nil {
		if url := r.QRURL(o); url != "" {
			t.BackgroundImage = ui.Image(url, QRDescription)
			text += QRHint + "。"
		}
	}
	if o.Product.Description != "" {
		text += o.Product.Description + "。"
	}
	t.TextContent.Description = ui.Clip(text, CardChars)
	return tsk.RenderTemplate{Token: TokenPayCard, Template: t}
}

// list is the HorizontialListTemplate of the products to browse.
func list(v ui.View) tsk.RenderTemplate {
	items := make([]tsk.ListItem, 0, len(v.Products))
	for _, p := range v.Products {
		desc := p.Price.Yuan()
		if slices.Contains(v.Owned, p.ID) {
			desc = ui.Bought
		}
		items = append(items, tsk.ListItem{
			Token:       ui.ProductTokenPrefix + p.ID,
			TextContent: &tsk.TextContent{Title: p.Name, Description: desc},
			Image:       ui.Image(p.Image, p.Name),
		})
	}
	return tsk.RenderTemplate{Token: TokenList, Template: tsk.Template{
		Type:      tsk.HorizontialListTemplate,
		ListItems: items,
	}}
}
