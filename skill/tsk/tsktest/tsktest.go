// Package tsktest is the skill side of a fake Dingdang platform, shaped like
// net/http/httptest: fixed TESTING keys and secret, builders for every kind
// of skill request, helpers that sign a request the way the platform does,
// and ValidateResponse, which checks a skill's answer against the platform's
// response schema.
//
//	req := tsktest.NewIntent("buy", map[string]string{"product": "vip"}, tsktest.WithDeviceKind(device.Screened))
//	body, header := tsktest.SignRSA2(req)
//	// POST body with "Authorization: "+header to the skill, then:
//	tsktest.ValidateResponse(t, respBody)
//
// Nothing here is fit for production: the keys are public.
package tsktest

import (
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// SkillID is the applicationId of every request built here.
const SkillID = "test-skill"

// Defaults of the request builders.
const (
	DefaultUserID    = "test-user"
	DefaultDeviceID  = "test-device"
	DefaultSessionID = "test-session"
)

// Secret is the TESTING SkillSecret for TSK-HMAC-SHA256-BASIC.
var Secret = tsk.Secret("tsktest-skill-secret-not-for-production")

// Verifier returns a Verifier that accepts what this package signs: RSA2 by
// PlatformKey and HMAC with Secret, checked against the clock now (nil
// means time.Now).
func Verifier(now func() time.Time) *tsk.Verifier {
	return &tsk.Verifier{
		Secrets:    [][]byte{Secret},
		PublicKeys: []*rsa.PublicKey{&PlatformKey.PublicKey},
		Now:        now,
	}
}

// SkillVerifier returns the Verifier the fake platform uses on the skill's
// pay requests and replies: RSA2 only, by SkillKey.
func SkillVerifier(now func() time.Time) *tsk.Verifier {
	return tsk.PayVerifier(now, &SkillKey.PublicKey)
}

// PlatformVerifier returns the Verifier the skill uses on the platform's
// pay calls and replies: RSA2 only, by PlatformKey.
func PlatformVerifier(now func() time.Time) *tsk.Verifier {
	return tsk.PayVerifier(now, &PlatformKey.PublicKey)
}

// NewHTTPRequest returns a POST of body to target with the Authorization
// header set and a JSON content type, like httptest.NewRequest (it panics
// on a malformed target).
func NewHTTPRequest(target string, body []byte, header string) *http.Request {
	r, err := http.NewRequest(http.MethodPost, target, strings.NewReader(string(body)))
	if err != nil {
		panic("tsktest: " + err.Error())
	}
	r.Header.Set("Content-Type", "application/json;charset=UTF-8")
	if header != "" {
		r.Header.Set("Authorization", header)
	}
	return r
}

// MustDecode decodes a skill request body, failing tb on error.
func MustDecode(tb testing.TB, body []byte) *tsk.Request {
	tb.Helper()
	r, err := tsk.Decode(body)
	if err != nil {
		tb.Fatalf("tsktest: decode request: %v", err)
	}
	return r
}

// MustDecodeResponse decodes a skill response body, failing tb on error.
func MustDecodeResponse(tb testing.TB, body []byte) *tsk.Response {
	tb.Helper()
	r, err := tsk.DecodeResponse(body)
	if err != nil {
		tb.Fatalf("tsktest: decode response: %v", err)
	}
	return r
}

// MustVerifyReply checks that header is SkillKey's RSA2 signature over a
// reply body made at about now, failing tb otherwise.
func MustVerifyReply(tb testing.TB, body []byte, header string, now func() time.Time) tsk.Auth {
	tb.Helper()
	a, err := SkillVerifier(now).Verify(body, header)
	if err != nil {
		tb.Fatalf("tsktest: reply signature: %v", err)
	}
	return a
}
