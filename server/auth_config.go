package server

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// AuthConfig defines the config of the TSK signature middleware (NewAuth),
// laid out like fiber's own middleware configs.
type AuthConfig struct {
	// Next defines a function to skip this middleware when it returns true.
	//
	// Optional. Default: nil
	Next func(c *fiber.Ctx) bool

	// Verifier checks the signature. With a nil Verifier every request is
	// refused as tsk.ErrAlgorithmNotAllowed (no keys configured).
	//
	// Required.
	Verifier *tsk.Verifier

	// Extract returns the bytes that were signed and the Authorization
	// header value that signs them. Extractors may also leave per-request
	// state in c.Locals (the SCF extractor does). An error from Extract is
	// handed to ErrorHandler as is.
	//
	// Optional. Default: FromRequest (the raw body and the Authorization header)
	Extract func(c *fiber.Ctx) (body []byte, header string, err error)

	// ErrorHandler answers a request whose signature does not verify. err
	// wraps one of the tsk sentinel errors (see AuthReason).
	//
	// Optional. Default: 401 with {"error": AuthReason(err)}
	ErrorHandler fiber.ErrorHandler

	// ContextKey is the c.Locals key under which the verified body and
	// header are stored (read them with Verified).
	//
	// Optional. Default: "server.tsk_auth"
	ContextKey string
}

// AuthConfigDefault is the default config of NewAuth.
var AuthConfigDefault = AuthConfig{
	Next:         nil,
	Extract:      FromRequest,
	ErrorHandler: defaultAuthErrorHandler,
	ContextKey:   "server.tsk_auth",
}

// authConfigDefault fills the zero fields of the given config with
// AuthAuthConfigDefault.
func authConfigDefault(config ...AuthConfig) AuthConfig {
	if len(config) < 1 {
		return AuthConfigDefault
	}
	cfg := config[0]
	if cfg.Extract == nil {
		cfg.Extract = AuthConfigDefault.Extract
	}
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = AuthConfigDefault.ErrorHandler
	}
	if cfg.ContextKey == "" {
		cfg.ContextKey = AuthConfigDefault.ContextKey
	}
	return cfg
}

// FromRequest is the default extractor: the raw request body, exactly as
// received (never decompressed or re-encoded), and the Authorization header.
func FromRequest(c *fiber.Ctx) ([]byte, string, error) {
	return c.BodyRaw(), c.Get(fiber.HeaderAuthorization), nil
}

func defaultAuthErrorHandler(c *fiber.Ctx, err error) error {
	return c.Status(fiber.StatusUnauthorized).JSON(fiber.Map{"error": AuthReason(err)})
}

// AuthReason returns the short, public reason of a verification failure: "not
// signed", "malformed authorization", "unknown algorithm", "algorithm not
// allowed", "bad signature", "stale" or "future". It never contains key
// material or the signature; any other error is "unauthorized".
func AuthReason(err error) string {
	switch {
	case errors.Is(err, tsk.ErrNotSigned):
		return "not signed"
	case errors.Is(err, tsk.ErrMalformedHeader):
		return "malformed authorization"
	case errors.Is(err, tsk.ErrUnknownAlgorithm):
		return "unknown algorithm"
	case errors.Is(err, tsk.ErrAlgorithmNotAllowed):
		return "algorithm not allowed"
	case errors.Is(err, tsk.ErrBadSignature):
		return "bad signature"
	case errors.Is(err, tsk.ErrStale):
		return "stale"
	case errors.Is(err, tsk.ErrFuture):
		return "future"
	}
	return "unauthorized"
}
