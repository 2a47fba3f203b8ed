// Package tskauth is a fiber middleware that verifies the platform's TSK
// signature (TSK-RSA2 or TSK-HMAC-SHA256-BASIC) over the raw request bytes.
// It is a thin layer over tsk.Verifier: all signing logic lives in skill/tsk,
// which knows nothing of fiber.
//
//	app.Post("/skill", tskauth.New(tskauth.Config{Verifier: v}), handler)
//
// A handler reads the exact bytes that were verified with Verified, so it
// never decodes anything other than what the signature covers.
package tskauth

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/skill/skill/tsk"
)

// Result is what the middleware leaves for the handler: the verified bytes
// and the parsed Authorization header.
type Result struct {
	Body []byte
	Auth tsk.Auth
}

// New creates a new middleware handler.
func New(config ...Config) fiber.Handler {
	cfg := configDefault(config...)
	return func(c *fiber.Ctx) error {
		if cfg.Next != nil && cfg.Next(c) {
			return c.Next()
		}
		body, header, err := cfg.Extract(c)
		if err != nil {
			return cfg.ErrorHandler(c, err)
		}
		if cfg.Verifier == nil {
			return cfg.ErrorHandler(c, fmt.Errorf("%w: no keys configured", tsk.ErrAlgorithmNotAllowed))
		}
		a, err := cfg.Verifier.Verify(body, header)
		if err != nil {
			return cfg.ErrorHandler(c, err)
		}
		c.Locals(cfg.ContextKey, &Result{Body: body, Auth: a})
		return c.Next()
	}
}

// Verified returns what the middleware stored under key (ConfigDefault's
// ContextKey when key is empty), or nil when the request was not verified.
func Verified(c *fiber.Ctx, key string) *Result {
	if key == "" {
		key = ConfigDefault.ContextKey
	}
	r, _ := c.Locals(key).(*Result)
	return r
}
