package server

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// localPayAuth is the c.Locals key of a verified pay request.
const localPayAuth = "server.pay_auth"

// payRoutes registers the partner pay endpoints. Each is TSK-RSA2 only,
// verified over the raw body, and every reply, refusals included, carries
// its own Authorization header signed over the exact reply bytes:
//
//	not a POST                → 405, Allow: POST
//	bad or missing signature  → 401, retCode FAIL
//	malformed or ambiguous JSON → 400, retCode FAIL
//	business refusal          → 200, retCode FAIL (the Partner's retMsg)
//	storage fault             → 200, retCode FAIL (the platform retries)
//	done and durably stored   → 200, retCode SUCCESS
func (s *srv) payRoutes(app *fiber.App) {
	auth := NewAuth(AuthConfig{
		Verifier:     s.pay.Verifier,
		ErrorHandler: s.payAuthError,
		ContextKey:   localPayAuth,
	})
	g := app.Group("/pay", postOnly, s.payReady, s.checkFailures, s.admit, auth)
	g.Post("/create-order", payHandler(s, func(ctx context.Context, p Partner, r pay.CreateOrderRequest) (pay.Reply, string) {
		reply := p.CreateOrder(ctx, r)
		return reply, reply.TradeNo
	}))
	g.Post("/ship-notify", payHandler(s, func(ctx context.Context, p Partner, r pay.ShipNotifyRequest) (pay.Reply, string) {
		return p.ShipNotify(ctx, r), r.TradeNo
	}))
	g.Post("/refund-notify", payHandler(s, func(ctx context.Context, p Partner, r pay.RefundNotifyRequest) (pay.Reply, string) {
		return p.RefundNotify(ctx, r), r.TradeNo
	}))
}

// postOnly answers any other method with 405 and Allow: POST, before
// anything else: the platform only POSTs.
func postOnly(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodPost {
		c.Set(fiber.HeaderAllow, fiber.MethodPost)
		return fiber.ErrMethodNotAllowed
	}
	return c.Next()
}

// payReady refuses pay requests while no Partner or PrivateKey is configured:
// without the key no reply could be signed.
func (s *srv) payReady(c *fiber.Ctx) error {
	if s.cfg.Partner == nil || s.cfg.PrivateKey == nil {
		note(c, "reason", "pay not configured")
		return s.payReply(c, fiber.StatusServiceUnavailable, pay.Fail("pay not configured"))
	}
	return c.Next()
}

// payAuthError answers a pay request whose signature did not verify:
// 401 FAIL, unsigned (payReply signs only verified requests' replies).
func (s *srv) payAuthError(c *fiber.Ctx, err error) error {
	reason := AuthReason(err)
	if err := s.authFailed(c); err != nil {
		return err
	}
	note(c, "reason", reason)
	s.cfg.Observer.SignatureFailed(s.metricRoute(c), reason)
	return s.payReply(c, fiber.StatusUnauthorized, pay.Fail(reason))
}

// payHandler decodes the verified body as a T, lets call answer it, and
// sends the signed reply. call also returns the trade number for the log.
func payHandler[T any](s *srv, call func(context.Context, Partner, T) (pay.Reply, string)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := Verified(c, localPayAuth)
		var req T
		if body := bytes.TrimSpace(v.Body); len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &req) != nil {
			note(c, "reason", "malformed JSON")
			return s.payReply(c, fiber.StatusBadRequest, pay.Fail("malformed JSON"))
		}
		if err := pay.CheckJSON(v.Body); err != nil { // readable two ways: a duplicate key, bad UTF-8
			note(c, "reason", "ambiguous JSON")
			note(c, "err", err.Error())
			return s.payReply(c, fiber.StatusBadRequest, pay.Fail("ambiguous JSON"))
		}
		reply, tradeNo := call(c.UserContext(), s.cfg.Partner, req)
		if tradeNo != "" {
			note(c, "trade_no", tradeNo)
		}
		note(c, "ret_code", reply.RetCode)
		if reply.OK() {
			setOutcome(c, OutcomeSuccess)
		} else {
			setOutcome(c, OutcomeFail)
		}
		if !reply.OK() {
			note(c, "reason", reply.RetMsg)
		}
		return s.payReply(c, fiber.StatusOK, reply)
	}
}

// payReply sends reply with an Authorization header signed by the signed
// transport (TSK-RSA2, our private key) over exactly the bytes sent, when
// the request's own signature verified. The replies to requests that did
// not authenticate (a bad signature, a body too large to be read) go
// unsigned: signing is the scarce resource, and it is spent only on the
// platform. Without a key every reply goes unsigned, which the platform
// will refuse: only a misconfiguration gets there, and payReady reports it.
func (s *srv) payReply(c *fiber.Ctx, status int, reply pay.Reply) error {
	body := mustJSON(reply)
	if s.cfg.PrivateKey != nil && Verified(c, localPayAuth) != nil {
		h, err := s.sign(c.UserContext(), body)
		if err != nil {
			note(c, "err", err.Error())
			return c.Status(fiber.StatusInternalServerError).JSON(pay.Fail("internal error"))
		}
		c.Set(fiber.HeaderAuthorization, h)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(status).Send(body)
}
