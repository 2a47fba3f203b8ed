package main

import (
	"context"
	"os"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// The ceiling: what any /skill handler on fiber can reach on this machine.
// It runs as a process of its own (this program, started again with
// -ceiling), like the skill server, and does what every /skill request
// needs and nothing else: it checks the same HMAC signature over the raw
// body, decodes the same JSON, and answers a fixed reply.

// ceilingReply is the ceiling's answer: a question, as the purchase turn's.
var ceilingReply = []byte(`{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"万古神帝第35集，2元，确定购买吗？"},"shouldEndSession":false}}`)

// serveCeiling serves the ceiling handler on addr until interrupted; the
// HMAC secret comes from LOADBENCH_SECRET.
func serveCeiling(addr string) error {
	v := &tsk.Verifier{Secrets: [][]byte{[]byte(os.Getenv("LOADBENCH_SECRET"))}, Window: tsk.DefaultWindow}
	app := fiber.New(fiber.Config{
		BodyLimit: 64 << 10, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute,
		DisableStartupMessage: true,
	})
	app.Get("/readyz", func(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusOK) })
	app.Post("/skill", func(c *fiber.Ctx) error {
		body := c.BodyRaw()
		if _, err := v.Verify(body, c.Get(fiber.HeaderAuthorization)); err != nil {
			return c.SendStatus(fiber.StatusUnauthorized)
		}
		if _, err := tsk.Decode(body); err != nil {
			return c.SendStatus(fiber.StatusBadRequest)
		}
		c.Set(fiber.HeaderContentType, "application/json;charset=UTF-8")
		return c.Send(ceilingReply)
	})
	go func() {
		<-interrupted()
		_ = app.Shutdown()
	}()
	return app.Listen(addr)
}

// startCeiling runs the ceiling server as a child process.
func startCeiling(ctx context.Context) (*process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	p, err := spawn(ctx, "ceiling", addr, []string{"LOADBENCH_SECRET=" + string(benchKeys.secret)}, self, "-ceiling", addr)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP("http://"+addr+"/readyz", p.done); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}
