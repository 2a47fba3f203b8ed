// Package tsktest holds the test-only helpers of the fake Dingdang platform
// (package fakeplatform), shaped like net/http/httptest: fixed TESTING keys
// and secret, a fake platform started with them for the length of a test,
// helpers that sign a request the way the platform does, Must* helpers that
// fail a testing.TB, and ValidateResponse, which checks a skill's answer
// against the platform's response schema.
//
//	req := fakeplatform.NewIntent("buy", map[string]string{"product": "vip"}, fakeplatform.WithDeviceKind(device.Screened))
//	body, header := tsktest.SignRSA2(req)
//	// POST body with "Authorization: "+header to the skill, then:
//	tsktest.ValidateResponse(t, respBody)
//
// Only _test.go files import it: nothing here is fit for production (the
// keys are public), and the skill binary never links it.
package tsktest

import (
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// SkillID is the skill id of the test platform and of every request the
// fakeplatform builders make.
const SkillID = fakeplatform.DefaultSkillID

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

// SkillResponder returns the skill's end of the signed pay transport:
// requests verified as the platform's (PlatformVerifier), replies signed
// with SkillKey. Tests that serve pay endpoints over net/http use it.
func SkillResponder() *tsk.Responder {
	return &tsk.Responder{Verifier: PlatformVerifier(nil), Signer: tsk.Signer{Key: SkillKey}}
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
