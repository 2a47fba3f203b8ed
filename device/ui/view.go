// Package ui holds what one turn of the dialog wants the user to hear and see
// (a View), before any device decides how, and the Renderer interface that
// each kind of device implements.
package ui

import (
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// View is what one turn of the dialog wants the user to hear and see, before
// any device decides how. The zero View ends the session in silence, which
// the dialog never sends: Speech is always set.
type View struct {
	// Speech is what the speaker says, complete for a voice-only device.
	Speech string `json:"speech,omitempty"`
	// Ask marks a question: the session stays open and the mic listens.
	Ask bool `json:"ask,omitempty"`
	// Reprompt is said when Speech is empty; TSK has no separate reprompt.
	Reprompt string `json:"reprompt,omitempty"`
	// ElicitSlot names the slot the question asks for (Dialog.ElicitSlot,
	// sent without updatedIntent: the dialog keeps its own state).
	ElicitSlot string `json:"elicitSlot,omitempty"`
	// Products is a list to browse.
	Products []shop.Product `json:"products,omitempty"`
	// Owned are the ids of Products the user owns now: shown and said as
	// Bought, not with a price.
	Owned []string `json:"owned,omitempty"`
	// Offer asks the platform to charge the user.
	Offer *Offer `json:"offer,omitempty"`
	// Waiting is an order (or offer) of the user still waiting for payment:
	// nothing is charged again; screens show its card again, and every
	// speaker says where to pay it (WaitingHint).
	Waiting *Offer `json:"waiting,omitempty"`
	// Play starts purchased content.
	Play *Play `json:"play,omitempty"`
	// Result is a short result card (screens only).
	Result *Result `json:"result,omitempty"`
	// End ends the session even if Ask is set.
	End bool `json:"end,omitempty"`
	// LinkAccount asks the user to link their account: the platform's
	// LinkAccount card, shown in the Dingdang app, on every kind of device.
	LinkAccount bool `json:"linkAccount,omitempty"`
	// Afterword is said last, after what the renderer adds (a pay hint).
	Afterword string `json:"afterword,omitempty"`
}

// Offer is a purchase ready to be paid.
type Offer struct {
	// Token is the offer's short reference (pay.Offers.Issue); it travels
	// as the charge's userId, comes back as create-order's userToken, and
	// names the page a card's QR code leads to.
	Token   string       `json:"token"`
	Product shop.Product `json:"product"`
	Count   int64        `json:"count"`
	Total   shop.Fen     `json:"total"`
	// PayIn is where the order is paid; set on Waiting, where it decides
	// what is said ("" is the renderer's own kind of speaker).
	PayIn shop.PayPlace `json:"payIn,omitempty"`
}

// Bought is said and shown of a product the user owns, instead of its
// price.
const Bought = "已购买"

// Said of an order waiting for payment, by where it is paid.
const (
	// WaitingInApp: an order from a screenless speaker went to the
	// Dingdang app on the phone, where it can be paid for days.
	WaitingInApp = "可以在手机上的叮当App里完成支付，不用重新购买。"
	// WaitingOnScreen: the pay page of an order from a screened speaker
	// may be up still; once it is closed, asking again shows a new one
	// (after a few minutes at most: see intents' payPageTTL).
	WaitingOnScreen = "付款页面关了的话，几分钟后可以重新购买。"
	// WaitingOnAScreen: the same, said by a speaker without a screen.
	WaitingOnAScreen = "付款页面在带屏幕的音箱上，关了的话，几分钟后可以重新购买。"
)

// WaitingHint says where the order o, waiting for payment, is paid; an
// order that does not say is paid where a renderer for speakers of kind
// def would have it paid.
func WaitingHint(o *Offer, def shop.PayPlace) string {
	switch {
	case o.PayIn.Or(def) == shop.PayInApp:
		return WaitingInApp
	case def == shop.PayInApp: // a screenless speaker's renderer
		return WaitingOnAScreen
	}
	return WaitingOnScreen
}

// Play is content to start playing.
type Play struct {
	Product shop.Product `json:"product"`
	// Speech is said before the content starts (the product's
	// Content.Speech when empty).
	Speech string `json:"speech,omitempty"`
}

// Result is a result card: a title and a line or two of text.
type Result struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// ProductTokenPrefix starts the token of a listed product: "product:<id>".
// A device that lets the user pick from a list sends it back in
// Display.ElementSelected, and the dialog sells that product.
const ProductTokenPrefix = "product:"

// Renderer renders a View for one kind of device.
type Renderer interface {
	Render(v View) *tsk.Response
}

// KeepOpen reports whether the session stays open after v: a question that
// does not also end the session.
func (v View) KeepOpen() bool { return v.Ask && !v.End }

// SpeechText returns what v says: Speech, else Reprompt.
func (v View) SpeechText() string {
	if v.Speech != "" {
		return v.Speech
	}
	return v.Reprompt
}
