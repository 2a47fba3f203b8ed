package device

import (
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// FallbackSpeech is said when a rendered response has no speech (the dialog
// always sets some; this keeps the platform's required field filled).
const FallbackSpeech = "好的。"

// Config configures the renderers of every kind. Its zero value works.
type Config struct {
	// QRURL returns the URL of the QR image on a screen's offer card, a
	// code leading a phone to the page of that offer and its order; nil
	// renders offer cards without a QR code.
	QRURL func(o *ui.Offer) string
}

// Renderers renders views for every kind of device under the protocol
// rules. It is safe for concurrent use.
type Renderers struct {
	cfg    Config
	byKind map[*Kind]ui.Renderer
}

// NewRenderers builds the renderer of every listed kind once.
func NewRenderers(c Config) *Renderers {
	r := &Renderers{cfg: c, byKind: make(map[*Kind]ui.Renderer, len(kinds))}
	for _, k := range kinds {
		r.byKind[k] = k.Renderer(c)
	}
	return r
}

// Render renders v for a device of kind k answering req, then applies the
// protocol rules (Enforce). A kind not in Kinds (a test's own) gets its
// renderer built on the spot.
func (r *Renderers) Render(req *tsk.Request, k *Kind, v ui.View) *tsk.Response {
	rr, ok := r.byKind[k]
	if !ok {
		rr = k.Renderer(r.cfg)
	}
	return Enforce(req, k, v, linkAccount(v, rr.Render(v)))
}

// linkAccount adds what every kind of device renders alike: the
// LinkAccount card (the Dingdang app shows it) and the afterword.
func linkAccount(v ui.View, resp *tsk.Response) *tsk.Response {
	if resp == nil {
		return nil
	}
	if v.LinkAccount {
		resp.WithLinkAccount()
	}
	if v.Afterword != "" {
		resp.Response.OutputSpeech.Text = ui.Join(resp.Response.OutputSpeech.Text, v.Afterword)
	}
	return resp
}

// Enforce applies the platform's protocol rules to a rendered response, in
// one place, whatever the dialog and the renderer did:
//   - the speech is never empty;
//   - a reply that asks a question keeps the session open; one that does
//     not ends it, unless it starts audio the renderer chose to keep open;
//   - a kind without Display (a screenless device) gets no Display directive;
//   - a reply to a SessionEndedRequest ends the session and carries only
//     Display.RenderTemplate directives (and no card);
//   - a reply to a Connections.Response ends the session and carries no
//     Dialog directive.
func Enforce(req *tsk.Request, k *Kind, v ui.View, resp *tsk.Response) *tsk.Response {
	if resp == nil {
		resp = tsk.NewResponse("", true)
	}
	if resp.Version == "" {
		resp.Version = tsk.Version
	}
	body := &resp.Response
	body.OutputSpeech.Type = tsk.SpeechPlainText
	if strings.TrimSpace(body.OutputSpeech.Text) == "" {
		body.OutputSpeech.Text = FallbackSpeech
	}
	switch {
	case v.KeepOpen():
		body.ShouldEndSession = false
	case !playing(body.Directives):
		body.ShouldEndSession = true
	}
	keep := func(ok func(tsk.Directive) bool) {
		out := body.Directives[:0:0]
		for _, d := range body.Directives {
			if ok(d) {
				out = append(out, d)
			}
		}
		body.Directives = out
	}
	if k == nil || !k.Display {
		keep(func(d tsk.Directive) bool { return !strings.HasPrefix(d.DirectiveType(), "Display.") })
	}
	if req != nil {
		switch req.Request.Type {
		case tsk.TypeSessionEnded:
			keep(func(d tsk.Directive) bool { return d.DirectiveType() == tsk.DirectiveRenderTemplate })
			body.Card = nil
			body.ShouldEndSession = true
		case tsk.TypeConnectionsResponse:
			keep(func(d tsk.Directive) bool { return !strings.HasPrefix(d.DirectiveType(), "Dialog.") })
			body.ShouldEndSession = true
		}
	}
	if len(body.Directives) == 0 {
		body.Directives = nil
	}
	return resp
}

// playing reports whether the directives start audio or video.
func playing(ds []tsk.Directive) bool {
	for _, d := range ds {
		switch d.DirectiveType() {
		case tsk.DirectiveAudioPlay, tsk.DirectiveVideoPlay:
			return true
		}
	}
	return false
}
