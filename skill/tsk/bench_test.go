package tsk_test

import (
	"crypto/rsa"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func benchBody(b *testing.B) []byte {
	b.Helper()
	return examples(b, "request-pay-round1")["request-pay-round1-intent.json"]
}

func BenchmarkVerifyHMAC(b *testing.B) {
	body := benchBody(b)
	h := tsk.SignHMAC(body, t0, tsktest.Secret)
	v := &tsk.Verifier{Secrets: [][]byte{tsktest.Secret}, Now: clock}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(body, h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyRSA2(b *testing.B) {
	body := benchBody(b)
	h := mustRSA2(b, body, t0, tsktest.PlatformKey)
	v := &tsk.Verifier{PublicKeys: []*rsa.PublicKey{&tsktest.PlatformKey.PublicKey}, Now: clock}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(body, h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignRSA2(b *testing.B) {
	body := benchBody(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tsk.SignRSA2(body, t0, tsktest.SkillKey); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode decodes the platform's own example of a purchase turn's
// request (nested context, an intent with slots), as /skill does per turn.
func BenchmarkDecode(b *testing.B) {
	body := benchBody(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := tsk.Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}
