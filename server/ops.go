package server

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/pprof"
)

// NewOps returns the operations application, for a listener that operators
// and their tools reach and the platform does not (SKILL_OPS_ADDR, on
// loopback by default):
//
//	GET  /                                   this list, as text
//	GET  /healthz                            liveness: 200 while the process runs
//	GET  /readyz                             readiness: 503 while draining or while a store is unreachable
//	GET  /metrics                            Prometheus metrics (Config.Metrics)
//	GET  /debug/pprof/...                    Go profiles
//	GET  /admin/orders                       admin API (Bearer JWT, HS256)
//	GET  /admin/orders/:tradeNo
//	POST /admin/orders/:tradeNo/refund
//	GET  /admin/users/:userId/entitlements
//	GET  /admin/accounts/:account/entitlements
//	GET  /admin/attention                    what the reconciler cannot settle by itself
//
// It takes the same Config as New; what only the public side uses is
// ignored.
func NewOps(cfg Config) *fiber.App {
	s := newSrv(cfg)
	app := s.newApp()
	app.Get("/", s.opsIndex)
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	if s.cfg.Metrics != nil {
		app.Get("/metrics", adaptor.HTTPHandler(s.cfg.Metrics))
	}
	app.Use(pprof.New())
	s.adminRoutes(app)
	s.noteRoutes(app)
	return app
}

// quietRoutes are the polled routes of the ops application, logged at
// DEBUG rather than INFO so that probes and scrapes do not flood the log.
var quietRoutes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// opsIndex lists the operations endpoints, for someone who opens the
// listener's address in a browser or with curl.
func (s *srv) opsIndex(c *fiber.Ctx) error {
	var b strings.Builder
	b.WriteString("voicepay skill: operations endpoints\n\n" +
		"GET  /healthz            200 while the process runs\n" +
		"GET  /readyz             200 when ready; 503 while draining or while a store does not answer\n")
	if s.cfg.Metrics != nil {
		b.WriteString("GET  /metrics            Prometheus metrics\n")
	}
	b.WriteString("GET  /debug/pprof/       Go profiles\n\n")
	if len(s.cfg.AdminSecret) == 0 {
		b.WriteString("The admin API (/admin/...) is disabled: no admin secret (SKILL_ADMIN_SECRET).\n")
	} else {
		b.WriteString("Admin API, with Authorization: Bearer <token> (skill admin-token):\n" +
			"GET  /admin/orders[?user=U|?account=A][&state=S][&limit=N]\n" +
			"GET  /admin/orders/{tradeNo}\n" +
			"POST /admin/orders/{tradeNo}/refund      {\"amount\": fen, \"reason\": \"...\"}\n" +
			"GET  /admin/users/{userId}/entitlements\n" +
			"GET  /admin/accounts/{account}/entitlements\n" +
			"GET  /admin/attention\n")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(b.String())
}

// healthz answers 200 while the process runs.
func (s *srv) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 503 while the process drains before it stops (so a load
// balancer stops sending it requests), and while the stores (the state
// Store, and the Ledger when it can be pinged) do not answer a ping within
// a second; else 200.
func (s *srv) readyz(c *fiber.Ctx) error {
	if s.cfg.Draining != nil && s.cfg.Draining() {
		note(c, "reason", "draining")
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "draining"})
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), time.Second)
	defer cancel()
	store, err := "dialogs", s.cfg.Store.Ping(ctx)
	if p, ok := s.cfg.Ledger.(interface{ Ping(context.Context) error }); ok && err == nil {
		store, err = "orders", p.Ping(ctx)
	}
	if err != nil {
		note(c, "err", err.Error())
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "store": store})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}
