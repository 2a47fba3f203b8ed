package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// BenchmarkSkillRoundTrip is a full in-process /skill exchange: RSA2
// verification, decode, replay check (bbolt write), a LaunchRequest through
// the real dialog, and the JSON answer. Signing (the platform's work) is
// not timed.
func BenchmarkSkillRoundTrip(b *testing.B) {
	f := newFixture(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		b.StopTimer()
		body, auth := tsktest.SignRSA2(fakeplatform.NewLaunch(fakeplatform.WithRequestID(fmt.Sprintf("bench-%d", i))))
		b.StartTimer()
		resp, err := f.app.Test(tsktest.NewHTTPRequest("http://skill.test/skill", body, auth), -1)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%v %v", resp, err)
		}
		resp.Body.Close()
	}
}

// BenchmarkEcho is the baseline: a bare fiber app echoing a JSON body, the
// cost of app.Test and fiber alone.
func BenchmarkEcho(b *testing.B) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Post("/echo", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(c.Body())
	})
	body, _ := tsktest.SignRSA2(fakeplatform.NewLaunch())
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, "http://skill.test/echo", bytes.NewReader(body))
		resp, err := app.Test(req, -1)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%v %v", resp, err)
		}
		resp.Body.Close()
	}
}

// BenchmarkQRCached serves the same QR image again and again: after the
// first render, token verification and the cache.
func BenchmarkQRCached(b *testing.B) {
	f := newFixture(b)
	path := "http://skill.test/qr/" + f.codes.Token("https://skill.example/products/bench") + ".png"
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, path, nil)
		resp, err := f.app.Test(req, -1)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%v %v", resp, err)
		}
		resp.Body.Close()
	}
}

// BenchmarkCreateOrder is a full in-process /pay/create-order: RSA2
// verification, the order checks, a durable bbolt write and the RSA2-signed
// reply. The platform's signatures are made before the timer starts.
func BenchmarkCreateOrder(b *testing.B) {
	f := newFixture(b)
	const n = 4096
	bodies, auths := make([][]byte, n), make([]string, n)
	for i := range n {
		req := fakeplatform.NewCreateOrder(fmt.Sprintf("bench-user-%d", i), shop.Line{ItemID: "coins", Quantity: 2, Amount: 200})
		bodies[i], auths[i] = tsktest.MustSignPay(b, req)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == n {
			b.Fatalf("more than %d iterations: raise n", n)
		}
		resp, err := f.app.Test(tsktest.NewHTTPRequest("http://skill.test/pay/create-order", bodies[i], auths[i]), -1)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%v %v", resp, err)
		}
		resp.Body.Close()
		i++
	}
}
