package server

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/dingdang-voicepay/voicepay/internal/logctx"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// srv holds the configuration with its defaults and what is derived from it.
type srv struct {
	cfg           Config
	log           *slog.Logger
	skillVerifier *tsk.Verifier
	routes        map[string]string // the paths of the routes without parameters (metricRoute)
	pay           *tsk.Responder    // the pay endpoints' end of the signed transport
	admission     *gate             // pay requests in progress (admission.go)
	signing       *gate             // RSA signatures being made
	failures      *failLimiter      // token buckets of failed authentications, per client IP
}

// New returns the skill's public HTTP application, the one the platform
// and phones reach:
//
//	POST /skill                              skill requests (TSK-RSA2 or HMAC; SCF envelope too)
//	POST /pay/create-order                   partner pay endpoints (TSK-RSA2 both ways)
//	POST /pay/ship-notify
//	POST /pay/refund-notify
//	GET  /qr/:token.png                      QR images of signed tokens
//	GET  /products/:id                       a product's page
//	GET  /orders/:ref                        an offer's order page, where a card's QR code leads
//	GET  /favicon.ico                        204: the pages have no icon
//	GET, POST /oauth/authorize, /oauth/token  account linking (Config.OAuth)
//	GET  /oauth/callback                     the identity provider's return (OIDC login)
//
// Health checks, metrics, profiles and the admin API are on the operations
// application (NewOps) only, which is served on another listener.
//
// Serve it with Listener or Listen and stop it with ShutdownWithContext,
// which lets in-flight requests finish.
func New(cfg Config) *fiber.App {
	s := newSrv(cfg)
	app := s.newApp()
	s.skillRoutes(app)
	s.payRoutes(app)
	s.qrRoutes(app)
	s.oauthRoutes(app)
	s.noteRoutes(app)
	return app
}

// newSrv fills the configuration's defaults and derives what the handlers
// share.
func newSrv(cfg Config) *srv {
	cfg = cfg.withDefaults()
	return &srv{cfg: cfg, log: cfg.Logger, skillVerifier: cfg.skillVerifier(), pay: cfg.payResponder(),
		admission: newGate(cfg.PayInFlight, cfg.PayQueue, cfg.PayWait),
		signing:   newGate(cfg.SignSlots, cfg.PayInFlight, 0),
		failures:  newFailLimiter(cfg.FailRate, cfg.FailBurst, cfg.Now)}
}

// newApp is a fiber application with the server's limits, error handler,
// access log and panic recovery.
func (s *srv) newApp() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:               "dingdang-skill",
		BodyLimit:             s.cfg.BodyLimit,
		ReadTimeout:           s.cfg.ReadTimeout,
		WriteTimeout:          s.cfg.WriteTimeout,
		IdleTimeout:           s.cfg.IdleTimeout,
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
	})
	app.Use(s.accessLog)
	app.Use(recover.New())
	return app
}

// errorHandler answers errors returned by handlers and the server's own
// (unknown route, body too large, ...). Errors refused before any handler
// ran (body too large) are also logged here, as the access log never saw
// them.
func (s *srv) errorHandler(c *fiber.Ctx, err error) error {
	status, msg := fiberStatus(err)
	if errors.Is(err, fiber.ErrRequestEntityTooLarge) {
		msg = "body too large"
	}
	if _, logged := c.Locals(localLine).(*logctx.Line); !logged {
		s.log.LogAttrs(c.UserContext(), levelOf(status), "http request", slog.String("method", c.Method()),
			slog.String("route", routeOf(c)), slog.Int("status", status), slog.String("reason", msg))
	} else if status >= 500 {
		note(c, "err", err.Error())
	}
	if status >= 500 && !errors.As(err, new(*fiber.Error)) {
		msg = "internal error"
	}
	if strings.HasPrefix(c.Path(), "/pay/") {
		return s.payReply(c, status, pay.Fail(msg))
	}
	if envelope(c) {
		return s.skillReply(c, status, mustJSON(ErrorBody{Error: msg}))
	}
	return c.Status(status).JSON(ErrorBody{Error: msg})
}
