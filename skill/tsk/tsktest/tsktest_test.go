package tsktest_test

import (
	"bytes"
	"crypto/rsa"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestBuildersDecode(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name     string
		req      *tsk.Request
		wantType string
		check    func(*tsk.Request) bool
	}{
		{"launch", fakeplatform.NewLaunch(), tsk.TypeLaunch,
			func(r *tsk.Request) bool { return r.Session.New && !r.Supports("Display") }},
		{"intent with slots", fakeplatform.NewIntent("buy", map[string]string{"product": "会员", "count": "2"},
			fakeplatform.WithDeviceKind(device.Screened), fakeplatform.WithConfirmation(tsk.Confirmed)), tsk.TypeIntent,
			func(r *tsk.Request) bool {
				v, ok := r.Request.Intent.Slot("product")
				return ok && v.Text() == "会员" && r.Supports("Display") && r.Request.Intent.ConfirmationStatus == tsk.Confirmed
			}},
		{"intent options", fakeplatform.NewIntent("buy", nil, fakeplatform.WithUser("u9"), fakeplatform.WithSession("s9"),
			fakeplatform.WithNewSession(false), fakeplatform.WithTime(at), fakeplatform.WithSlots(map[string]string{"x": "y"}),
			fakeplatform.WithAccessToken("tok"), fakeplatform.WithDevice("d9"), fakeplatform.WithQuery("买会员"),
			fakeplatform.WithDialogState(tsk.DialogCompleted), fakeplatform.WithRequestID("r9")), tsk.TypeIntent,
			func(r *tsk.Request) bool {
				v, _ := r.Request.Intent.Slot("x")
				return r.UserID() == "u9" && r.Session.SessionID == "s9" && !r.Session.New && r.Time().Equal(at) &&
					v.Text() == "y" && r.AccessToken() == "tok" && r.DeviceID() == "d9" && r.Request.QueryText == "买会员" &&
					r.Request.DialogState == tsk.DialogCompleted && r.Request.RequestID == "r9"
			}},
		{"connections response", fakeplatform.NewConnectionsResponse("T123", "DD456"), tsk.TypeConnectionsResponse,
			func(r *tsk.Request) bool {
				return r.Request.Name == tsk.ChargeName && r.Request.Payload.PartnerOrderID == "T123" && r.Request.Payload.DingdangOrderID == "DD456"
			}},
		{"session ended", fakeplatform.NewSessionEnded(tsk.ReasonError, fakeplatform.WithSessionError(tsk.SessionErrorInternal, "boom")), tsk.TypeSessionEnded,
			func(r *tsk.Request) bool {
				return r.Request.Reason == tsk.ReasonError && r.Request.Error.Type == tsk.SessionErrorInternal
			}},
		{"element selected", fakeplatform.NewElementSelected("item-1"), tsk.TypeElementSelected,
			func(r *tsk.Request) bool { return r.Request.Token == "item-1" && r.Supports("Display") }},
		{"screenless", fakeplatform.NewLaunch(fakeplatform.WithDeviceKind(device.Screened), fakeplatform.WithDeviceKind(device.Screenless)), tsk.TypeLaunch,
			func(r *tsk.Request) bool { return !r.Supports("Display") && r.Supports("AudioPlayer") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, header := tsktest.SignRSA2(tt.req)
			r := tsktest.MustDecode(t, body)
			if r.Request.Type != tt.wantType || r.SkillID() != tsktest.SkillID {
				t.Fatalf("type %q skill %q", r.Request.Type, r.SkillID())
			}
			if !tt.check(r) {
				t.Errorf("check failed for %s", body)
			}
			now := func() time.Time { return r.Time() }
			if _, err := tsktest.Verifier(now).Verify(body, header); err != nil {
				t.Errorf("RSA2 signature: %v", err)
			}
			hb, hh := tsktest.SignHMAC(tt.req)
			if !bytes.Equal(hb, body) {
				t.Error("SignHMAC and SignRSA2 produced different bodies")
			}
			if _, err := tsktest.Verifier(now).Verify(hb, hh); err != nil {
				t.Errorf("HMAC signature: %v", err)
			}
		})
	}
}

func TestMustHelpersAndReplies(t *testing.T) {
	req := fakeplatform.NewLaunch(fakeplatform.WithTime(time.Now().Add(-10 * time.Minute)))
	body, header := tsktest.MustSignRSA2(t, req)
	if _, err := tsktest.Verifier(nil).Verify(body, header); !errors.Is(err, tsk.ErrStale) {
		t.Fatalf("old request: err = %v, want ErrStale", err)
	}
	body, header = tsktest.MustSignHMAC(t, fakeplatform.NewLaunch())
	if _, err := tsktest.Verifier(nil).Verify(body, header); err != nil {
		t.Fatal(err)
	}
	reply := []byte(`{"retCode":"SUCCESS","retMsg":"OK"}`)
	tsktest.MustVerifyReply(t, reply, tsktest.SignReply(reply, time.Now()), nil)
	if _, err := tsktest.SkillVerifier(nil).Verify(reply, tsktest.SignBodyHMAC(reply, time.Now())); !errors.Is(err, tsk.ErrAlgorithmNotAllowed) {
		t.Errorf("skill verifier accepted HMAC: %v", err)
	}
	if _, err := tsktest.SkillVerifier(nil).Verify(reply, tsktest.SignBodyRSA2(reply, time.Now())); !errors.Is(err, tsk.ErrBadSignature) {
		t.Errorf("skill verifier accepted the platform key: %v", err)
	}
	hr := tsktest.NewHTTPRequest("http://skill.test/skill", body, header)
	if hr.Header.Get("Authorization") != header || hr.Method != "POST" {
		t.Errorf("http request = %v", hr)
	}
	if !tsktest.PlatformKey.PublicKey.Equal(&mustParse(t, tsktest.PlatformKeyPEM()).PublicKey) ||
		!tsktest.SkillKey.Equal(mustParse(t, tsktest.SkillKeyPEM())) || tsktest.PlatformKey.Equal(tsktest.SkillKey) {
		t.Error("key PEMs do not match the keys")
	}
	if tsktest.MustDecodeResponse(t, []byte(`{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"x"},"shouldEndSession":false}}`)).Response.ShouldEndSession {
		t.Error("MustDecodeResponse lost shouldEndSession")
	}
}

func mustParse(t *testing.T, pem []byte) *rsa.PrivateKey {
	t.Helper()
	k, err := tsk.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestEmbeddedSchemaIsCurrent fails when the embedded copy of the platform's
// schema drifts from shared/tsk/response.schema.json (skipped without it).
func TestEmbeddedSchemaIsCurrent(t *testing.T) {
	shared, err := os.ReadFile("../../../../shared/tsk/response.schema.json")
	if err != nil {
		tsktest.Missing(t, "the platform's schema is not beside the project: "+err.Error())
	}
	if !bytes.Equal(shared, tsktest.ResponseSchema) {
		t.Fatal("testdata/response.schema.json differs from ../shared/tsk/response.schema.json: copy it again")
	}
}

const okSpeech = `{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"x"},"shouldEndSession":true%s}}`

func withDirectives(ds ...string) []byte {
	if len(ds) == 0 {
		return []byte(strings.Replace(okSpeech, "%s", "", 1))
	}
	return []byte(strings.Replace(okSpeech, "%s", `,"directives":[`+strings.Join(ds, ",")+`]`, 1))
}

func charge(items string) string {
	return `{"type":"Connections.SendRequest","name":"Charge","payload":{"chargeInfo":{"name":"会员","description":"d","userId":"u","items":[` + items + `]}}}`
}

func TestCheckResponse(t *testing.T) {
	good := `{"itemId":"vip","itemName":"会员","price":200,"totalFee":400,"count":2}`
	tests := []struct {
		name    string
		body    []byte
		wantErr string // "" for valid
	}{
		{"plain", withDirectives(), ""},
		{"charge", withDirectives(charge(good)), ""},
		{"pay item with empty url", withDirectives(`{"type":"AudioPlayer.Play","playlist":[{"stream":{"url":"","token":"ep2"},"info":{"title":"t"},"pay":true}]}`), ""},
		{"video", withDirectives(`{"type":"VideoPlayer.Play","playlist":[{"stream":{"url":"https://v/1.mp4","token":"v"}}]}`), ""},
		{"elicit", withDirectives(`{"type":"Dialog.ElicitSlot","slotToElicit":"a"}`), ""},
		{"elicit with the docs' wrapped values", withDirectives(`{"type":"Dialog.ElicitSlot","slotToElicit":"a","updatedIntent":{"name":"i","confirmationStatus":"NONE","slots":{"a":{"name":"a","confirmationStatus":"NONE","values":[{"value":{"type":"text","value":"v","origin":"v"}}]}}}}`), "values"},
		{"elicit without slot", withDirectives(`{"type":"Dialog.ElicitSlot","slotToElicit":""}`), "anyOf"},
		{"not json", []byte(`{`), "not JSON"},
		{"no shouldEndSession", []byte(`{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"x"}}}`), "shouldEndSession"},
		{"unknown top-level field", []byte(`{"version":"1.0","x":1,"response":{"outputSpeech":{"type":"PlainText","text":"x"},"shouldEndSession":true}}`), "additional properties 'x'"},
		{"bad version", []byte(`{"version":"2.0","response":{"outputSpeech":{"type":"PlainText","text":"x"},"shouldEndSession":true}}`), "version"},
		{"unpaid item with empty url", withDirectives(`{"type":"AudioPlayer.Play","playlist":[{"stream":{"url":"","token":"ep2"}}]}`), "url"},
		{"pay item without token", withDirectives(`{"type":"AudioPlayer.Play","playlist":[{"stream":{"url":"","token":""},"pay":true}]}`), "token"},
		{"video without url", withDirectives(`{"type":"VideoPlayer.Play","playlist":[{"stream":{"token":"v"}}]}`), "url"},
		{"unknown directive", withDirectives(`{"type":"Foo.Bar"}`), "anyOf"},
		{"template without token", withDirectives(`{"type":"Display.RenderTemplate","template":{}}`), "token"},
		{"charge wrong total", withDirectives(charge(`{"itemId":"vip","itemName":"会员","price":200,"totalFee":200,"count":2}`)), "totalFee"},
		{"charge zero price", withDirectives(charge(`{"itemId":"vip","itemName":"会员","price":0,"totalFee":0,"count":1}`)), "price"},
		{"charge zero count", withDirectives(charge(`{"itemId":"vip","itemName":"会员","price":100,"totalFee":0,"count":0}`)), "count"},
		{"charge no items", withDirectives(charge(``)), "items is empty"},
		{"charge no item id", withDirectives(charge(`{"itemName":"会员","price":1,"totalFee":1,"count":1}`)), "itemId"},
		{"charge unknown field", withDirectives(charge(`{"itemId":"v","itemName":"n","price":1,"totalFee":1,"count":1,"fee":1}`)), "fee"},
		{"charge fractional price", withDirectives(charge(`{"itemId":"v","itemName":"n","price":1.5,"totalFee":1.5,"count":1}`)), "price"},
		{"charge no user", withDirectives(strings.Replace(charge(good), `"userId":"u"`, `"userId":""`, 1)), "userId"},
		{"two charges", withDirectives(charge(good), charge(good)), "more than one Charge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tsktest.CheckResponse(tt.body)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("CheckResponse: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("CheckResponse accepted %s", tt.body)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %v\ndoes not mention %q", err, tt.wantErr)
			}
		})
	}
}
