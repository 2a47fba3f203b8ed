package tsk_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// jsonEqual compares two JSON texts by value.
func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

func TestResponseExamplesRoundTrip(t *testing.T) {
	for name, body := range examples(t, "response-") {
		t.Run(name, func(t *testing.T) {
			r, err := tsk.DecodeResponse(body)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range r.Response.Directives {
				if _, raw := d.(tsk.RawDirective); raw {
					t.Errorf("directive %d (%s) not decoded into a concrete type", i, d.DirectiveType())
				}
			}
			out := mustJSON(t, r)
			if !jsonEqual(t, body, out) {
				t.Errorf("re-encoded response differs:\n in  %s\n out %s", bytes.Join(bytes.Fields(body), nil), out)
			}
			tsktest.ValidateResponse(t, out)
		})
	}
}

func TestDirectiveExamplesRoundTrip(t *testing.T) {
	wantTypes := map[string]reflect.Type{
		"directive-charge.json":      reflect.TypeOf(tsk.Charge{}),
		"directive-elicit-slot.json": reflect.TypeOf(tsk.ElicitSlot{}),
	}
	for name, body := range examples(t, "directive-") {
		t.Run(name, func(t *testing.T) {
			d, err := tsk.DecodeDirective(body)
			if err != nil {
				t.Fatal(err)
			}
			if reflect.TypeOf(d) != wantTypes[name] {
				t.Fatalf("decoded as %T", d)
			}
			if out := mustJSON(t, d); !jsonEqual(t, body, out) {
				t.Errorf("re-encoded differs:\n%s", out)
			}
		})
	}
}

func TestNewResponseJSON(t *testing.T) {
	tests := []struct {
		name string
		r    *tsk.Response
		want string
	}{
		{"keep session open", tsk.NewResponse("请问你要去哪里", false),
			`{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"请问你要去哪里"},"shouldEndSession":false}}`},
		{"link account", tsk.NewResponse("请先登录", true).WithLinkAccount(),
			`{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"请先登录"},"shouldEndSession":true,"card":{"type":"LinkAccount"}}}`},
		{"elicit", tsk.NewResponse("买几份", false).WithDirectives(tsk.ElicitSlot{SlotToElicit: "count"}),
			`{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"买几份"},"shouldEndSession":false,"directives":[{"type":"Dialog.ElicitSlot","slotToElicit":"count"}]}}`},
		{"uri", tsk.NewResponse("", true).WithDirectives(&tsk.URIOpen{URL: "https://x"}),
			`{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":""},"shouldEndSession":true,"directives":[{"type":"URI.Open","url":"https://x"}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustJSON(t, tt.r)
			if string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			tsktest.ValidateResponse(t, got)
		})
	}
}

// everyDirective is one response with each directive type this package models.
func everyDirective() *tsk.Response {
	intent := &tsk.Intent{Name: "buy", ConfirmationStatus: tsk.NoConfirmation, Slots: map[string]tsk.Slot{
		"product": {Name: "product", ConfirmationStatus: tsk.NoConfirmation, Values: []tsk.SlotValue{{Value: tsk.TextValue("会员")}}},
		"amount":  {Name: "amount", ConfirmationStatus: tsk.Confirmed, Values: []tsk.SlotValue{{Value: tsk.Value{Type: tsk.ValueUnit, Amount: "2", Unit: "个", Origin: "两个"}}}},
		"where":   {Name: "where", ConfirmationStatus: tsk.Denied, Values: []tsk.SlotValue{{Value: tsk.Value{Type: tsk.ValueAddress, City: "深圳市", Origin: "深圳"}}}},
		"when": {Name: "when", ConfirmationStatus: tsk.NoConfirmation, Values: []tsk.SlotValue{{Value: tsk.Value{Type: tsk.ValueDateTime, Origin: "五月",
			DateTime: &tsk.DateTimeValue{Type: tsk.DateTimeInterval, Start: &tsk.DateTime{Date: "2019-05-01"}, End: &tsk.DateTime{Date: "2019-05-31"}}}}}},
	}}
	return tsk.NewResponse("好的", false).WithDirectives(
		tsk.AudioPlayerPlay{Playlist: []tsk.AudioItem{
			{Stream: tsk.Stream{URL: "https://cdn.example.com/1.mp3", Token: "ep-1"},
				Info: &tsk.AudioInfo{Title: "第1集", Subtitle: "万古神帝", Art: tsk.NewImage("https://img.example.com/1.jpg")}},
			{Stream: tsk.Stream{Token: "ep-2"}, Info: &tsk.AudioInfo{Title: "第2集"}, Pay: true},
		}},
		tsk.VideoPlayerPlay{PlayBehavior: tsk.PlayEnqueue, Playlist: []tsk.VideoItem{{Stream: tsk.Stream{URL: "https://v.example.com/1.mp4", Token: "v1"}}}},
		tsk.RenderTemplate{Token: "tpl", Template: tsk.Template{Type: tsk.NewsBodyTemplate, Title: "标题",
			TextContent:     &tsk.TextContent{Title: "会员", Description: "一个月"},
			BackgroundImage: tsk.NewImage("https://img.example.com/bg.jpg"),
			BackgroundAudio: &tsk.Audio{Source: tsk.Source{URL: "https://cdn.example.com/bg.mp3"}}}},
		tsk.RenderTemplate{Token: "list", Template: tsk.Template{Type: tsk.HorizontialListTemplate, ListItems: []tsk.ListItem{
			{Token: "a", TextContent: &tsk.TextContent{Title: "A"}, Image: &tsk.Image{ContentDescription: "A 封面", Source: tsk.Source{URL: "https://img.example.com/a.jpg"}}}}}},
		tsk.ElicitSlot{SlotToElicit: "product", UpdatedIntent: intent},
		tsk.Charge{Payload: tsk.ChargePayload{ChargeInfo: tsk.ChargeInfo{Name: "会员", Description: "一个月会员", UserID: "p-user",
			Items: []tsk.ChargeItem{{ItemID: "vip", ItemName: "会员", Price: 1990, TotalFee: 3980, Count: 2}}}}},
		tsk.URIOpen{URL: "https://example.com/help"},
		tsk.RawDirective{Type: "Future.Thing", JSON: json.RawMessage(`{"type":"Future.Thing","x":1}`)},
	)
}

func TestEveryDirectiveRoundTrip(t *testing.T) {
	r := everyDirective()
	r.FeedbackAttributes = map[string]any{"k": "v"}
	body := mustJSON(t, r)
	got, err := tsk.DecodeResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range r.Response.Directives {
		if !reflect.DeepEqual(got.Response.Directives[i], d) {
			t.Errorf("directive %d differs after round trip:\n got %s\nwant %s", i, mustJSON(t, got.Response.Directives[i]), mustJSON(t, d))
		}
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("round trip differs")
	}
	if c, ok := got.Response.Directives[5].(tsk.Charge); !ok || c.Payload.ChargeInfo.Items[0].TotalFee != 3980 {
		t.Errorf("Charge = %#v", got.Response.Directives[5])
	}
	var raw map[string]any
	json.Unmarshal(body, &raw)
	charge := raw["response"].(map[string]any)["directives"].([]any)[5].(map[string]any)
	if charge["type"] != "Connections.SendRequest" || charge["name"] != "Charge" {
		t.Errorf("Charge JSON = %v", charge)
	}
	// The unknown directive stays unknown but intact; remove it, and send
	// ElicitSlot as the skill does (without updatedIntent, whose slot values
	// the schema and the docs shape differently), and the rest is schema-valid.
	r.Response.Directives = r.Response.Directives[:len(r.Response.Directives)-1]
	r.Response.Directives[4] = tsk.ElicitSlot{SlotToElicit: "product"}
	tsktest.ValidateResponse(t, mustJSON(t, r))
}

func TestDecodeResponseDefaultsAndErrors(t *testing.T) {
	r, err := tsk.DecodeResponse([]byte(`{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"x"}}}`))
	if err != nil || !r.Response.ShouldEndSession {
		t.Errorf("missing shouldEndSession: got %v, %v; want the platform default true", r, err)
	}
	for _, bad := range []string{`{`, `{"response":{"directives":[1]}}`, `{"response":{"directives":[{"type":"AudioPlayer.Play","playlist":"x"}]}}`} {
		if _, err := tsk.DecodeResponse([]byte(bad)); err == nil {
			t.Errorf("DecodeResponse(%s) succeeded", bad)
		}
	}
	d, err := tsk.DecodeDirective([]byte(`{"type":"Connections.SendRequest","name":"Other","payload":{}}`))
	if err != nil || d.DirectiveType() != tsk.DirectiveSendRequest {
		t.Fatalf("non-Charge SendRequest: %v, %v", d, err)
	}
	if _, ok := d.(tsk.RawDirective); !ok {
		t.Errorf("non-Charge SendRequest decoded as %T, want RawDirective", d)
	}
}
