package tsktest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// The signers of the TESTING parties: the platform signs skill requests with
// PlatformKey (or Secret) and pay calls with PlatformKey; the skill signs
// its pay replies with SkillKey.
var (
	platformRSA2 = tsk.Signer{Key: PlatformKey}
	platformHMAC = tsk.Signer{Secret: Secret}
	skillRSA2    = tsk.Signer{Key: SkillKey}
)

// SignRSA2 marshals req and signs it as the platform does, TSK-RSA2 with
// PlatformKey at the request's timestamp (now if it does not parse). It
// returns the exact body and the Authorization header value. Like
// httptest.NewRequest it panics on failure, which the fixed key makes
// impossible short of an unmarshalable request.
func SignRSA2(req *tsk.Request) (body []byte, header string) {
	body = marshal(req)
	return body, SignBodyRSA2(body, requestTime(req))
}

// SignHMAC marshals req and signs it TSK-HMAC-SHA256-BASIC with Secret at
// the request's timestamp. It returns the exact body and the header value.
func SignHMAC(req *tsk.Request) (body []byte, header string) {
	body = marshal(req)
	return body, SignBodyHMAC(body, requestTime(req))
}

// SignBodyRSA2 signs raw body bytes with PlatformKey at the time and returns
// the Authorization header value: what the platform puts on skill requests,
// pay notifications and its own replies.
func SignBodyRSA2(body []byte, at time.Time) string {
	return mustSign(platformRSA2, body, at)
}

// SignBodyHMAC signs raw body bytes with Secret at the time and returns the
// Authorization header value.
func SignBodyHMAC(body []byte, at time.Time) string {
	return mustSign(platformHMAC, body, at)
}

// SignReply signs raw body bytes with SkillKey at the time, as the skill
// signs its replies to the pay interfaces.
func SignReply(body []byte, at time.Time) string {
	return mustSign(skillRSA2, body, at)
}

func mustSign(s tsk.Signer, body []byte, at time.Time) string {
	h, err := s.SignAt(body, at)
	if err != nil {
		panic("tsktest: " + err.Error())
	}
	return h
}

// MustSignRSA2 is SignRSA2 reporting failure through tb instead of a panic.
func MustSignRSA2(tb testing.TB, req *tsk.Request) (body []byte, header string) {
	tb.Helper()
	body = MustMarshal(tb, req)
	h, err := platformRSA2.SignAt(body, requestTime(req))
	if err != nil {
		tb.Fatalf("tsktest: sign rsa2: %v", err)
	}
	return body, h
}

// MustSignHMAC is SignHMAC reporting failure through tb instead of a panic.
func MustSignHMAC(tb testing.TB, req *tsk.Request) (body []byte, header string) {
	tb.Helper()
	body = MustMarshal(tb, req)
	h, err := platformHMAC.SignAt(body, requestTime(req))
	if err != nil {
		tb.Fatalf("tsktest: sign hmac: %v", err)
	}
	return body, h
}

// MustSignPay marshals v (a create order, ship notify or refund notify) and
// signs it as the platform does, TSK-RSA2 with PlatformKey, now. It returns
// the exact body and the Authorization header value.
func MustSignPay(tb testing.TB, v any) (body []byte, header string) {
	tb.Helper()
	body = MustMarshal(tb, v)
	h, err := platformRSA2.Sign(body)
	if err != nil {
		tb.Fatalf("tsktest: sign: %v", err)
	}
	return body, h
}

// MustMarshal marshals v to JSON, failing tb on error.
func MustMarshal(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("tsktest: marshal %T: %v", v, err)
	}
	return b
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("tsktest: marshal: " + err.Error())
	}
	return b
}

// requestTime is the request's timestamp, or now when it does not parse.
func requestTime(req *tsk.Request) time.Time {
	if t, err := tsk.ParseTimestamp(req.Request.Timestamp); err == nil {
		return t
	}
	return time.Now()
}
