package device_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// rogue is a rendered response that breaks every rule Enforce exists for.
func rogue(endSession bool) *tsk.Response {
	r := tsk.NewResponse(" ", endSession)
	r.Version = ""
	r.Response.Directives = []tsk.Directive{
		tsk.ElicitSlot{SlotToElicit: "product"},
		tsk.RenderTemplate{Token: "t", Template: tsk.Template{Type: tsk.TextBodyTemplate}},
	}
	r.Response.Card = &tsk.Card{Type: tsk.CardLinkAccount}
	return r
}

func types(r *tsk.Response) string {
	var out []string
	for _, d := range r.Response.Directives {
		out = append(out, d.DirectiveType())
	}
	return strings.Join(out, ",")
}

func TestEnforce(t *testing.T) {
	ask := ui.View{Speech: "?", Ask: true}
	tests := []struct {
		name       string
		req        *tsk.Request
		kind       *device.Kind
		view       ui.View
		resp       *tsk.Response
		directives string
		end        bool
		card       bool
	}{
		{"question on a screen", fakeplatform.NewIntent("help", nil), device.Screened, ask, rogue(true),
			tsk.DirectiveElicitSlot + "," + tsk.DirectiveRenderTemplate, false, true},
		{"question without a screen", fakeplatform.NewIntent("help", nil), device.Screenless, ask, rogue(true),
			tsk.DirectiveElicitSlot, false, true},
		{"statement ends the session", fakeplatform.NewIntent("help", nil), device.Screened, ui.View{Speech: "."}, rogue(false),
			tsk.DirectiveElicitSlot + "," + tsk.DirectiveRenderTemplate, true, true},
		{"session ended: templates only", fakeplatform.NewSessionEnded(tsk.ReasonError), device.Screened, ask, rogue(false),
			tsk.DirectiveRenderTemplate, true, false},
		{"session ended without a screen", fakeplatform.NewSessionEnded(tsk.ReasonError), device.Screenless, ask, rogue(false),
			"", true, false},
		{"connections response: no Dialog", fakeplatform.NewConnectionsResponse("T1", "D1"), device.Screened, ask, rogue(false),
			tsk.DirectiveRenderTemplate, true, true},
		{"no kind: no Display", fakeplatform.NewIntent("help", nil), nil, ask, rogue(true),
			tsk.DirectiveElicitSlot, false, true},
		{"nil response", nil, device.Screenless, ui.View{}, nil, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := device.Enforce(tt.req, tt.kind, tt.view, tt.resp)
			b := r.Response
			if r.Version != tsk.Version || b.OutputSpeech.Type != tsk.SpeechPlainText || b.OutputSpeech.Text != device.FallbackSpeech {
				t.Errorf("version %q speech %+v", r.Version, b.OutputSpeech)
			}
			if got := types(r); got != tt.directives {
				t.Errorf("directives %q, want %q", got, tt.directives)
			}
			if b.ShouldEndSession != tt.end || (b.Card != nil) != tt.card {
				t.Errorf("end %v card %v, want %v %v", b.ShouldEndSession, b.Card, tt.end, tt.card)
			}
			body, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			tsktest.ValidateResponse(t, body)
		})
	}
}

// TestEnforceKeepsAudioOpen: a statement that starts audio may keep the
// session open if the renderer says so.
func TestEnforceKeepsAudioOpen(t *testing.T) {
	resp := tsk.NewResponse("play", false)
	resp.Response.Directives = []tsk.Directive{tsk.AudioPlayerPlay{Playlist: []tsk.AudioItem{{Stream: tsk.Stream{URL: "https://a.example.com/x.mp3", Token: "x"}}}}}
	r := device.Enforce(fakeplatform.NewIntent("play", nil), device.Screenless, ui.View{Speech: "play"}, resp)
	if r.Response.ShouldEndSession {
		t.Error("audio reply forced to end the session")
	}
}

// TestRender renders with each kind's own renderer, then the rules.
func TestRender(t *testing.T) {
	r := device.NewRenderers(device.Config{QRURL: func(o *ui.Offer) string { return "https://skill.example.com/qr/" + o.Product.ID + ".png" }})
	v := ui.View{Speech: "好的。", Result: &ui.Result{Title: "购买成功", Text: "x"}}
	for _, k := range device.Kinds() {
		resp := r.Render(fakeplatform.NewIntent("help", nil, fakeplatform.WithDeviceKind(k)), k, v)
		if got, want := strings.Contains(types(resp), "Display."), k.Display; got != want {
			t.Errorf("%s: Display directives %v, want %v", k, got, want)
		}
	}
	// A kind that is not listed renders with its own renderer.
	quiet := &device.Kind{Name: "quiet", Renderer: func(device.Config) ui.Renderer { return fixed{} }}
	if resp := r.Render(fakeplatform.NewLaunch(), quiet, v); resp.Response.OutputSpeech.Text != "fixed" {
		t.Errorf("unlisted kind: %+v", resp.Response)
	}
}

// fixed always says "fixed".
type fixed struct{}

func (fixed) Render(ui.View) *tsk.Response { return tsk.NewResponse("fixed", true) }
