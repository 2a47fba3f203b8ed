package server

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// AuthResult is what the middleware leaves for the handler: the verified bytes
// and the parsed Authorization header.
type AuthResult struct {
	Body []byte
	Auth tsk.Auth
}

// NewAuth returns the TSK signature middleware: it verifies the platform's signature
// (TSK-RSA2 or TSK-HMAC-SHA256-BASIC) over the raw request bytes. It is a
// thin layer over tsk.Verifier: all signing logic lives in skill/tsk, which
// knows nothing of fiber.
//
//	app.Post("/skill", server.NewAuth(server.AuthConfig{Verifier: v}), handler)
//
// A handler reads the exact bytes that were verified with Verified, so it
// never decodes anything other than what the signature covers. (It lives in
// package server rather than a subpackage of its own because only
// skill/server may import fiber, and nothing but cmd may import
// skill/server/...: see internal/archtest.)
func NewAuth(config ...AuthConfig) fiber.Handler {
	cfg := authConfigDefault(config...)
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
		c.Locals(cfg.ContextKey, &AuthResult{Body: body, Auth: a})
		return c.Next()
	}
}

// Verified returns what the middleware stored under key (AuthConfigDefault's
// ContextKey when key is empty), or nil when the request was not verified.
func Verified(c *fiber.Ctx, key string) *AuthResult {
	if key == "" {
		key = AuthConfigDefault.ContextKey
	}
	r, _ := c.Locals(key).(*AuthResult)
	return r
}
