package server

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// srv holds the configuration with its defaults and what is derived from it.
type srv struct {
	cfg           Config
	log           *slog.Logger
	skillVerifier *tsk.Verifier
	pay           *tsk.Responder // the pay endpoints' end of the signed transport
}

// New returns the skill's HTTP application:
//
//	POST /skill                              skill requests (TSK-RSA2 or HMAC; SCF envelope too)
//	POST /pay/create-order                   partner pay endpoints (TSK-RSA2 both ways)
//	POST /pay/ship-notify
//	POST /pay/refund-notify
//	GET  /qr/:token.png                      QR images of signed tokens
//	GET  /products/:id                       a product's page
//	GET  /orders/:ref                        an offer's order page, where a card's QR code leads
//	GET  /admin/orders                       admin API (Bearer JWT, HS256)
//	GET  /admin/orders/:tradeNo
//	POST /admin/orders/:tradeNo/refund
//	GET  /admin/users/:userId/entitlements
//	GET  /admin/accounts/:account/entitlements  what a linked account owns
//	GET  /admin/attention                    what the reconciler cannot settle by itself
//	GET, POST /oauth/authorize, /oauth/token  account linking (Config.OAuth)
//	GET  /oauth/callback                     the identity provider's return (OIDC login)
//	GET  /healthz, /readyz                   liveness, readiness (Store.Ping)
//
// Serve it with Listener or Listen and stop it with ShutdownWithContext,
// which lets in-flight requests finish.
func New(cfg Config) *fiber.App {
	cfg = cfg.withDefaults()
	s := &srv{cfg: cfg, log: cfg.Logger, skillVerifier: cfg.skillVerifier(), pay: cfg.payResponder()}
	app := fiber.New(fiber.Config{
		AppName:               "dingdang-skill",
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
	})
	app.Use(s.accessLog)
	app.Use(recover.New())

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	s.skillRoutes(app)
	s.payRoutes(app)
	s.qrRoutes(app)
	s.adminRoutes(app)
	s.oauthRoutes(app)
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
	if _, logged := c.Locals(localEdge).(*edge); !logged {
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

// healthz answers 200 while the process runs.
func (s *srv) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 200 when the stores (the state Store, and the Ledger when
// it can be pinged) answer a ping within a second, else 503.
func (s *srv) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), time.Second)
	defer cancel()
	err := s.cfg.Store.Ping(ctx)
	if p, ok := s.cfg.Ledger.(interface{ Ping(context.Context) error }); ok && err == nil {
		err = p.Ping(ctx)
	}
	if err != nil {
		note(c, "err", err.Error())
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}
