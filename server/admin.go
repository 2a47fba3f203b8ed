package server

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// adminRoutes registers the admin API behind adminAuth.
func (s *srv) adminRoutes(app *fiber.App) {
	g := app.Group("/admin", s.limitFailures, s.adminAuth)
	g.Get("/orders", s.adminListOrders)
	g.Get("/orders/:tradeNo", s.adminShowOrder)
	g.Post("/orders/:tradeNo/refund", s.adminRefund)
	g.Get("/users/:userId/entitlements", s.adminEntitlements)
	g.Get("/accounts/:account/entitlements", s.adminAccountEntitlements)
	g.Get("/attention", s.adminAttention)
}

// adminAuth requires "Authorization: Bearer <JWT>" signed HS256 with the
// admin secret, for admin.Audience (tokens come from admin.NewOperatorToken),
// with an expiry in the future and at most admin.MaxTTL away (from its
// issue time, and from now). The token's subject is the operator: it goes
// into the request's context (shop.WithActor), so the order-history
// entries the request causes name them. Without a secret the admin API is
// disabled.
func (s *srv) adminAuth(c *fiber.Ctx) error {
	if len(s.cfg.AdminSecret) == 0 {
		return writeReason(c, fiber.StatusUnauthorized, "admin API disabled")
	}
	raw, ok := bearer(c.Get(fiber.HeaderAuthorization))
	if !ok {
		_ = s.authFailed(c) // checked before: limitFailures
		return writeReason(c, fiber.StatusUnauthorized, "missing bearer token")
	}
	// An admin token is an operator's credential, minted on the wall
	// clock (skill admin-token): checked on it too, not on Config.Now,
	// which the sandbox moves (after its clock went 2h ahead, every
	// token was "expired").
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(raw, &claims,
		func(*jwt.Token) (any, error) { return s.cfg.AdminSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithAudience(admin.Audience),
		jwt.WithIssuedAt(),          // not issued in the future
		jwt.WithLeeway(time.Minute), // for the clocks of the minting machine and ours (expiry too)
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		_ = s.authFailed(c) // checked before: limitFailures
		return writeReason(c, fiber.StatusUnauthorized, "token expired")
	case err != nil:
		_ = s.authFailed(c) // checked before: limitFailures
		note(c, "err", err.Error())
		return writeReason(c, fiber.StatusUnauthorized, "invalid token")
	}
	exp := claims.ExpiresAt.Time
	if exp.After(time.Now().Add(admin.MaxTTL+time.Minute)) ||
		(claims.IssuedAt != nil && exp.Sub(claims.IssuedAt.Time) > admin.MaxTTL) {
		_ = s.authFailed(c) // checked before: limitFailures
		return writeReason(c, fiber.StatusUnauthorized, "token lives too long")
	}
	operator := strings.ToValidUTF8(claims.Subject, "?")
	if len(operator) > 64 {
		operator = operator[:64]
	}
	if operator == "" {
		operator = admin.DefaultOperator
	}
	note(c, "operator", operator)
	c.SetUserContext(shop.WithActor(c.UserContext(), operator))
	return c.Next()
}

// bearer returns the token of a "Bearer <token>" header value.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}
