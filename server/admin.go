package server

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"
)

// AdminAudience is the audience of admin API tokens, so that no other token
// signed with the same secret is ever taken for one.
const AdminAudience = "skill-admin"

// NewAdminToken returns an admin API token: an HS256 JWT for AdminAudience,
// subject "admin", issued at now and expiring after ttl.
func NewAdminToken(secret []byte, ttl time.Duration, now time.Time) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("server: admin token: no secret")
	}
	if ttl <= 0 {
		return "", errors.New("server: admin token: ttl must be > 0")
	}
	claims := jwt.RegisteredClaims{
		Subject:   "admin",
		Audience:  jwt.ClaimStrings{AdminAudience},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}

// adminRoutes registers the admin API behind adminAuth.
func (s *srv) adminRoutes(app *fiber.App) {
	g := app.Group("/admin", s.adminAuth)
	g.Get("/orders", s.adminListOrders)
	g.Get("/orders/:tradeNo", s.adminShowOrder)
	g.Post("/orders/:tradeNo/refund", s.adminRefund)
	g.Get("/users/:userId/entitlements", s.adminEntitlements)
}

// adminAuth requires "Authorization: Bearer <JWT>" signed HS256 with the
// admin secret, for AdminAudience, with an expiry in the future. Without a
// secret the admin API is disabled.
func (s *srv) adminAuth(c *fiber.Ctx) error {
	if len(s.cfg.AdminSecret) == 0 {
		return writeReason(c, fiber.StatusUnauthorized, "admin API disabled")
	}
	raw, ok := bearer(c.Get(fiber.HeaderAuthorization))
	if !ok {
		return writeReason(c, fiber.StatusUnauthorized, "missing bearer token")
	}
	_, err := jwt.ParseWithClaims(raw, &jwt.RegisteredClaims{},
		func(*jwt.Token) (any, error) { return s.cfg.AdminSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithAudience(AdminAudience),
		jwt.WithTimeFunc(s.cfg.Now),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return writeReason(c, fiber.StatusUnauthorized, "token expired")
	case err != nil:
		note(c, "err", err.Error())
		return writeReason(c, fiber.StatusUnauthorized, "invalid token")
	}
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
