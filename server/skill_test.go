package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestSkillAccepted(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		sign func(*tsk.Request) ([]byte, string)
		req  *tsk.Request
	}{
		{"rsa2 launch", tsktest.SignRSA2, fakeplatform.NewLaunch()},
		{"hmac launch", tsktest.SignHMAC, fakeplatform.NewLaunch()},
		{"rsa2 screened browse", tsktest.SignRSA2, fakeplatform.NewIntent("browse", nil, fakeplatform.WithDeviceKind(device.Screened))},
		{"hmac buy", tsktest.SignHMAC, fakeplatform.NewIntent("buy", map[string]string{"product": "coins"})},
		{"session ended", tsktest.SignRSA2, fakeplatform.NewSessionEnded(tsk.ReasonUserInitiated)},
		{"3 min old", tsktest.SignRSA2, fakeplatform.NewLaunch(fakeplatform.WithTime(time.Now().Add(-170 * time.Second)))},
		{"player event without user or session", tsktest.SignRSA2, fakeplatform.NewEvent("AudioPlayer.PlaybackStarted")},
		{"unknown request type", tsktest.SignRSA2, fakeplatform.NewEvent("Some.FutureRequest", fakeplatform.WithUser("u"))},
		{"launch without user", tsktest.SignRSA2, fakeplatform.NewLaunch(fakeplatform.WithUser(""))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, auth := tt.sign(tt.req)
			r := f.post(t, "/skill", body, auth)
			if r.status != http.StatusOK {
				t.Fatalf("status %d, body %s", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			tsktest.ValidateResponse(t, r.body)
		})
	}
}

func TestSkillRejected(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	launch := func(opts ...fakeplatform.Option) ([]byte, string) {
		return tsktest.SignRSA2(fakeplatform.NewLaunch(opts...))
	}
	replayBody, replayAuth := launch()
	if r := f.post(t, "/skill", replayBody, replayAuth); r.status != http.StatusOK {
		t.Fatalf("first send of the replayed request: %d %s", r.status, r.body)
	}
	body, _ := launch()
	otherBody, otherAuth := launch(fakeplatform.WithSkill("other-skill"))
	bad := []byte(`{"version":"1.0","request":`)
	missing := []byte(`{"version":"1.0","request":{"type":"LaunchRequest"}}`)
	big := append([]byte(`{"pad":"`), bytes.Repeat([]byte("x"), server.DefaultBodyLimit)...)
	big = append(big, `"}`...)
	tests := []struct {
		name       string
		body       []byte
		auth       string
		wantStatus int
		wantError  string
	}{
		{"unsigned", body, "", 401, "not signed"},
		{"wrong signature", body, tsk.SignHMAC(body, now, []byte("another secret")), 401, "bad signature"},
		{"signed by another key", body, tsktest.SignReply(body, now), 401, "bad signature"},
		{"tampered body", append(bytes.Clone(body[:len(body)-1]), ` }`...), tsktest.SignBodyRSA2(body, now), 401, "bad signature"},
		{"wrong algorithm", body, strings.Replace(tsktest.SignBodyRSA2(body, now), tsk.RSA2, "TSK-RSA1", 1), 401, "unknown algorithm"},
		{"malformed header", body, "TSK-RSA2 Signature", 401, "malformed authorization"},
		{"4 min old", body, tsktest.SignBodyRSA2(body, now.Add(-4*time.Minute)), 401, "stale"},
		{"4 min ahead", body, tsktest.SignBodyRSA2(body, now.Add(4*time.Minute)), 401, "future"},
		{"other skill", otherBody, otherAuth, 401, "wrong skill"},
		{"replayed", replayBody, replayAuth, 401, "replayed"},
		{"malformed JSON", bad, tsktest.SignBodyRSA2(bad, now), 400, "invalid request"},
		{"missing fields", missing, tsktest.SignBodyHMAC(missing, now), 400, "invalid request"},
		{"oversized", big, tsktest.SignBodyRSA2(big, now), 413, "body too large"},
	}
	base := f.listen(t) // app.Test cannot show a refused oversized body
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, base+"/skill", tt.body, tt.auth)
			if r.status != tt.wantStatus || r.errorText() != tt.wantError {
				t.Fatalf("got %d %s, want %d {\"error\":%q}", r.status, r.body, tt.wantStatus, tt.wantError)
			}
		})
	}
}

func TestSkillHMACWithoutSecret(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.Secrets = nil })
	body, auth := tsktest.SignHMAC(fakeplatform.NewLaunch())
	if r := f.post(t, "/skill", body, auth); r.status != 401 || r.errorText() != "algorithm not allowed" {
		t.Fatalf("HMAC without a secret: %d %s", r.status, r.body)
	}
	body, auth = tsktest.SignRSA2(fakeplatform.NewLaunch())
	if r := f.post(t, "/skill", body, auth); r.status != 200 {
		t.Fatalf("RSA2: %d %s", r.status, r.body)
	}
}

func TestSkillKeyRotation(t *testing.T) {
	f := newFixture(t, func(c *server.Config) {
		c.PlatformKeys = append(c.PlatformKeys, &tsktest.SkillKey.PublicKey) // the "new" key
	})
	body, _ := tsktest.SignRSA2(fakeplatform.NewLaunch())
	if r := f.post(t, "/skill", body, tsktest.SignReply(body, time.Now())); r.status != 200 {
		t.Fatalf("second key: %d %s", r.status, r.body)
	}
}

func TestSCFEnvelope(t *testing.T) {
	f := newFixture(t)
	for _, sign := range []func(*tsk.Request) ([]byte, string){tsktest.SignHMAC, tsktest.SignRSA2} {
		inner, auth := sign(fakeplatform.NewLaunch())
		env, _ := json.Marshal(tsk.Envelope{Header: map[string]string{"Authorization": auth}, Body: string(inner)})
		r := f.post(t, "/skill", env, "")
		if r.status != 200 {
			t.Fatalf("envelope: %d %s", r.status, r.body)
		}
		out, err := tsk.DecodeEnvelope(r.body)
		if err != nil {
			t.Fatalf("reply is not an envelope: %v: %s", err, r.body)
		}
		if !strings.HasPrefix(out.Get("Content-Type"), "application/json") {
			t.Errorf("envelope header %v", out.Header)
		}
		tsktest.ValidateResponse(t, []byte(out.Body))
	}

	// A bad signature inside an envelope is refused, in an envelope.
	inner, _ := tsktest.SignRSA2(fakeplatform.NewLaunch())
	env, _ := json.Marshal(tsk.Envelope{Header: map[string]string{"Authorization": tsktest.SignReply(inner, time.Now())}, Body: string(inner)})
	r := f.post(t, "/skill", env, "")
	out, err := tsk.DecodeEnvelope(r.body)
	if r.status != 401 || err != nil || !strings.Contains(out.Body, "bad signature") {
		t.Fatalf("bad envelope signature: %d %s", r.status, r.body)
	}
	// The HTTP header does not sign an envelope's body.
	env, _ = json.Marshal(tsk.Envelope{Header: map[string]string{}, Body: string(inner)})
	if r := f.post(t, "/skill", env, tsktest.SignBodyRSA2(inner, time.Now())); r.status != 401 {
		t.Fatalf("envelope signed only by the HTTP header: %d %s", r.status, r.body)
	}
}

func TestZeroConfig(t *testing.T) {
	f := &fixture{app: server.New(server.Config{}), ops: server.NewOps(server.Config{})}
	body, auth := tsktest.SignRSA2(fakeplatform.NewLaunch())
	if r := f.post(t, "/skill", body, auth); r.status != 401 || r.errorText() != "algorithm not allowed" {
		t.Errorf("/skill without keys: %d %s", r.status, r.body)
	}
	if r := f.post(t, "/pay/create-order", []byte(`{}`), auth); r.status != 503 {
		t.Errorf("/pay without partner: %d %s", r.status, r.body)
	}
	if r := f.get(t, "/admin/orders"); r.status != 401 || r.errorText() != "admin API disabled" {
		t.Errorf("/admin without secret: %d %s", r.status, r.body)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := f.get(t, p); r.status != 200 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	if r := f.get(t, "/nope"); r.status != 404 || r.errorText() == "" {
		t.Errorf("unknown route: %d %s", r.status, r.body)
	}
}
