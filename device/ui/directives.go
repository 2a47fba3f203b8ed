package ui

import (
	"strconv"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Base returns the response every renderer starts from: v's speech, whether
// the session stays open, and the Dialog.ElicitSlot directive when v asks
// for a slot. Renderers add their own directives after it.
func Base(v View, speech string) *tsk.Response {
	r := tsk.NewResponse(speech, !v.KeepOpen())
	if v.ElicitSlot != "" && v.KeepOpen() {
		r.Response.Directives = append(r.Response.Directives, tsk.ElicitSlot{SlotToElicit: v.ElicitSlot})
	}
	return r
}

// Charge builds the Connections.SendRequest Charge directive for an offer:
// one item, the offer reference as the charge's userId (it returns to the skill
// as create-order's userToken). Both renderers use it, so screened and
// screenless devices charge exactly the same way.
func Charge(o *Offer) tsk.Charge {
	desc := o.Product.Description
	if desc == "" {
		desc = "购买后即可使用"
	}
	count := o.Count
	if count <= 0 {
		count = 1
	}
	return tsk.Charge{Payload: tsk.ChargePayload{ChargeInfo: tsk.ChargeInfo{
		Name:        o.Product.Name,
		Description: desc,
		UserID:      o.Token,
		Items: []tsk.ChargeItem{{
			ItemID:   o.Product.ID,
			ItemName: ItemName(o.Product, count),
			Price:    o.Product.Price,
			TotalFee: o.Total,
			Count:    count,
		}},
	}}}
}

// ItemName is the product's name, with "×count" for more than one unit.
func ItemName(p shop.Product, count int64) string {
	if count > 1 {
		return p.Name + "×" + strconv.FormatInt(count, 10)
	}
	return p.Name
}

// AudioPlay builds the AudioPlayer.Play directive for purchased content;
// ok is false when the product has no audio (its content is speech only).
func AudioPlay(p *Play) (d tsk.AudioPlayerPlay, ok bool) {
	if p == nil || p.Product.Content.Audio == "" {
		return d, false
	}
	info := &tsk.AudioInfo{Title: p.Product.Name, Subtitle: p.Product.Description}
	if p.Product.Image != "" {
		info.Art = Image(p.Product.Image, p.Product.Name)
	}
	return tsk.AudioPlayerPlay{Playlist: []tsk.AudioItem{{
		Stream: tsk.Stream{URL: p.Product.Content.Audio, Token: p.Product.ID},
		Info:   info,
	}}}, true
}

// PlaySpeech is what is said when content starts: the play's own speech,
// else the product's content speech, else "现在为你播放<name>".
func PlaySpeech(p *Play) string {
	switch {
	case p.Speech != "":
		return p.Speech
	case p.Product.Content.Speech != "":
		return p.Product.Content.Speech
	}
	return "现在为你播放" + p.Product.Name
}

// Image is a template image, or nil without a URL.
func Image(url, description string) *tsk.Image {
	if url == "" {
		return nil
	}
	return &tsk.Image{ContentDescription: description, Source: tsk.Source{URL: url}}
}

// Clip shortens s to at most n characters (runes), ending it with "…" when
// cut: screen templates show a fixed number of lines.
func Clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n <= 0 {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Join appends sentences into one utterance, skipping empty ones.
func Join(parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		out += p
	}
	return out
}
