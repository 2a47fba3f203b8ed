package intents

import (
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// enforce applies the platform's protocol rules to a rendered response, in
// one place, whatever the handler and renderer did:
//   - the speech is never empty;
//   - a reply that asks a question keeps the session open; one that does
//     not ends it, unless it starts audio the renderer chose to keep open;
//   - a screenless device gets no Display directive;
//   - a reply to a SessionEndedRequest ends the session and carries only
//     Display.RenderTemplate directives (and no card);
//   - a reply to a Connections.Response ends the session and carries no
//     Dialog directive.
func enforce(req *tsk.Request, v ui.View, resp *tsk.Response, screened bool) *tsk.Response {
	if resp == nil {
		resp = tsk.NewResponse("", true)
	}
	if resp.Version == "" {
		resp.Version = tsk.Version
	}
	body := &resp.Response
	body.OutputSpeech.Type = tsk.SpeechPlainText
	if strings.TrimSpace(body.OutputSpeech.Text) == "" {
		body.OutputSpeech.Text = fallbackSpeech
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
	if !screened {
		keep(func(d tsk.Directive) bool { return !strings.HasPrefix(d.DirectiveType(), "Display.") })
	}
	switch req.Request.Type {
	case tsk.TypeSessionEnded:
		keep(func(d tsk.Directive) bool { return d.DirectiveType() == tsk.DirectiveRenderTemplate })
		body.Card = nil
		body.ShouldEndSession = true
	case tsk.TypeConnectionsResponse:
		keep(func(d tsk.Directive) bool { return !strings.HasPrefix(d.DirectiveType(), "Dialog.") })
		body.ShouldEndSession = true
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
