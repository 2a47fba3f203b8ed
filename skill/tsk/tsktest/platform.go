package tsktest

import (
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// PlatformFor returns a fake platform with the TESTING keys and secret (skill
// id SkillID) that calls the skill at skillURL; its pay side is not served.
// Use it to send signed skill requests and pay calls to a skill under test.
func PlatformFor(skillURL string) *fakeplatform.Platform {
	return &fakeplatform.Platform{
		SkillID: SkillID, SkillURL: skillURL, Key: PlatformKey, SkillKey: &SkillKey.PublicKey, Secret: Secret,
	}
}

// NewPlatform starts a fake platform with the TESTING keys and secret (skill
// id SkillID) on 127.0.0.1 and closes it when the test ends. Set its
// SkillURL before it calls a skill.
func NewPlatform(tb testing.TB) *fakeplatform.Server {
	tb.Helper()
	s, err := fakeplatform.NewServer(PlatformFor(""))
	if err != nil {
		tb.Fatalf("tsktest: fake platform: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// PayClient returns a skill's pay.Client for the platform s: signing with
// SkillKey, verifying replies with PlatformKey, skill id SkillID, a 2s
// timeout and millisecond backoffs.
func PayClient(s *fakeplatform.Server) *pay.Client {
	return &pay.Client{
		BaseURL:    s.PayURL(),
		SkillID:    SkillID,
		Key:        SkillKey,
		Verifier:   PlatformVerifier(nil),
		HTTP:       s.Client(),
		Timeout:    2 * time.Second,
		Backoff:    2 * time.Millisecond,
		MaxBackoff: 20 * time.Millisecond,
	}
}

// MustShipNotify is Platform.NewShipNotify failing tb on error.
func MustShipNotify(tb testing.TB, p *fakeplatform.Platform, userToken, tradeNo string) pay.ShipNotifyRequest {
	tb.Helper()
	r, err := p.NewShipNotify(userToken, tradeNo)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// MustRefundNotify is Platform.NewRefundNotify failing tb on error.
func MustRefundNotify(tb testing.TB, p *fakeplatform.Platform, refundTradeNo string) pay.RefundNotifyRequest {
	tb.Helper()
	r, err := p.NewRefundNotify(refundTradeNo)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
