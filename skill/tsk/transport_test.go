package tsk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// echoServer serves one signed endpoint with a Responder: it answers the
// verified body back, signed by reply (which may be a wrong signer), or
// 401 when the request does not verify; status forces another status.
func echoServer(t *testing.T, verifier *tsk.Verifier, reply tsk.Signer, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp := &tsk.Responder{Verifier: verifier, Signer: reply}
		body, _, err := resp.ReadRequest(r)
		code := status
		if err != nil {
			body, code = []byte(`{"error":"`+err.Error()+`"}`), http.StatusUnauthorized
		}
		if code == 0 {
			code = http.StatusOK
		}
		if code >= 500 {
			http.Error(w, "overloaded", code) // unsigned, as an overloaded peer answers
			return
		}
		if err := resp.WriteReply(w, code, body); err != nil {
			t.Error(err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTransport(t *testing.T) {
	platform := tsk.Signer{Key: tsktest.PlatformKey}
	skill := tsk.Signer{Key: tsktest.SkillKey}
	hmac := tsk.Signer{Secret: tsktest.Secret}
	body := []byte(`{"retCode":"SUCCESS","n":1}`)
	tests := []struct {
		name     string
		signer   tsk.Signer    // the client's
		verifier *tsk.Verifier // the server's
		reply    tsk.Signer    // the server's
		check    *tsk.Verifier // the client's, of replies
		status   int
		wantCode int
		wantErr  error
	}{
		// The skill's pay client calling the platform: signed by the skill,
		// answered by the platform.
		{"pay round trip", skill, tsktest.SkillVerifier(nil), platform, tsktest.PlatformVerifier(nil), 0, 200, nil},
		{"skill request by hmac, reply unchecked", hmac, tsktest.Verifier(nil), skill, nil, 0, 200, nil},
		{"refusal is signed too", hmac, tsktest.SkillVerifier(nil), platform, tsktest.PlatformVerifier(nil), 0, 401, nil},
		{"reply by the wrong key", skill, tsktest.SkillVerifier(nil), skill, tsktest.PlatformVerifier(nil), 0, 200, tsk.ErrBadSignature},
		{"reply by hmac to a pay client", skill, tsktest.SkillVerifier(nil), hmac, tsktest.PlatformVerifier(nil), 0, 200, tsk.ErrAlgorithmNotAllowed},
		{"HTTP 503 unsigned", skill, tsktest.SkillVerifier(nil), platform, tsktest.PlatformVerifier(nil), 503, 503, tsk.ErrTransport},
		{"client without key", tsk.Signer{}, tsktest.SkillVerifier(nil), platform, nil, 0, 0, tsk.ErrNoKey},
		{"server without verifier", skill, nil, platform, tsktest.PlatformVerifier(nil), 0, 401, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := echoServer(t, tt.verifier, tt.reply, tt.status)
			c := &tsk.Client{Signer: tt.signer, Verifier: tt.check}
			r, err := c.Post(context.Background(), srv.URL, body)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantCode == 0 {
				if r != nil {
					t.Fatalf("reply %+v, want none", r)
				}
				return
			}
			if r.Status != tt.wantCode {
				t.Fatalf("status %d %s, want %d", r.Status, r.Body, tt.wantCode)
			}
			if tt.wantCode == 200 && string(r.Body) != string(body) {
				t.Errorf("server verified %s, want the exact bytes sent %s", r.Body, body)
			}
			if tt.check != nil && err == nil && r.Auth.Algorithm != tsk.RSA2 {
				t.Errorf("reply auth %+v, want a verified RSA2 signature", r.Auth)
			}
		})
	}
}

func TestTransportUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := &tsk.Client{Signer: tsk.Signer{Key: tsktest.PlatformKey}}
	if _, err := c.Post(context.Background(), url, []byte(`{}`)); !errors.Is(err, tsk.ErrTransport) {
		t.Fatalf("err = %v, want ErrTransport", err)
	}
}

func TestSignerClock(t *testing.T) {
	at := time.Date(2019, 5, 20, 19, 35, 5, 0, time.UTC)
	s := tsk.Signer{Key: tsktest.PlatformKey, Now: func() time.Time { return at }}
	h, err := s.Sign(body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "Datetime=20190520T193505Z") {
		t.Fatalf("header %q is not signed at the signer's clock", h)
	}
	if _, err := tsk.PayVerifier(func() time.Time { return at }, &tsktest.PlatformKey.PublicKey).Verify(body, h); err != nil {
		t.Fatal(err)
	}
	if _, err := (tsk.Signer{}).SignAt(body, at); !errors.Is(err, tsk.ErrNoKey) {
		t.Fatalf("zero signer: err = %v, want ErrNoKey", err)
	}
	hm, err := tsk.Signer{Key: tsktest.PlatformKey, Secret: tsktest.Secret}.SignAt(body, at)
	if err != nil || !strings.HasPrefix(hm, tsk.RSA2+" ") {
		t.Fatalf("signer with key and secret: %q %v, want RSA2 (the key wins)", hm, err)
	}
}
