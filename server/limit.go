package server

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/time/rate"

	"github.com/dingdang-voicepay/voicepay/internal/ttlmap"
)

// failLimiter keeps a token bucket per client IP for requests that fail
// authentication: each failure takes a token, and a client whose bucket is
// empty is refused (429). Requests that authenticate take nothing, and on
// the platform's routes they pass even from a client whose bucket is empty
// (see checkFailures): the platform may share an address with someone
// else's junk (a NAT, a load balancer without TrustedProxies). Buckets are
// forgotten once they would be full again; past the map's bound new
// clients go unlimited (failing open: a refusal costs no RSA work anyway).
type failLimiter struct {
	limit   rate.Limit
	burst   int
	refill  time.Duration // how long an empty bucket takes to fill
	buckets *ttlmap.Map[*rate.Limiter]
	now     func() time.Time
}

func newFailLimiter(perSecond float64, burst int, now func() time.Time) *failLimiter {
	refill := time.Duration(float64(burst) / perSecond * float64(time.Second))
	return &failLimiter{limit: rate.Limit(perSecond), burst: burst, refill: refill, now: now,
		buckets: ttlmap.New[*rate.Limiter](ttlmap.Config{Max: 100_000, Now: now})}
}

// blocked reports whether ip's bucket is empty, and how long until it has
// a token.
func (l *failLimiter) blocked(ip string) (time.Duration, bool) {
	b, ok := l.buckets.Get(ip)
	if !ok {
		return 0, false
	}
	tokens := b.TokensAt(l.now())
	if tokens >= 1 {
		return 0, false
	}
	return time.Duration((1 - tokens) / float64(l.limit) * float64(time.Second)), true
}

// failed takes a token from ip's bucket.
func (l *failLimiter) failed(ip string) {
	b, ok := l.buckets.Get(ip)
	if !ok {
		b = rate.NewLimiter(l.limit, l.burst)
	}
	b.AllowN(l.now(), 1)
	_ = l.buckets.Set(ip, b, l.refill) // full map: this client goes unlimited
}

// localBlocked marks a request from a client whose bucket is empty: the
// wait until it has a token (time.Duration).
const localBlocked = "server.blocked"

// limitFailures refuses a request from a client that failed authentication
// too often, before any verification (the admin API: nothing there comes
// from the platform).
func (s *srv) limitFailures(c *fiber.Ctx) error {
	if wait, blocked := s.failures.blocked(s.clientIP(c)); blocked {
		return s.rateLimited(c, wait)
	}
	return c.Next()
}

// checkFailures lets a request from a client that failed authentication
// too often go on to verification, marked: if it authenticates it is
// served like any other, if not it is refused as rate limited
// (authFailed). The platform's requests (/skill, /pay) are never refused
// for another's junk from the same address.
func (s *srv) checkFailures(c *fiber.Ctx) error {
	if wait, blocked := s.failures.blocked(s.clientIP(c)); blocked {
		c.Locals(localBlocked, wait)
	}
	return c.Next()
}

// rateLimited refuses the request with 429 and Retry-After, unsigned.
func (s *srv) rateLimited(c *fiber.Ctx, wait time.Duration) error {
	note(c, "reason", RejectRateLimited)
	setOutcome(c, OutcomeRejected)
	s.cfg.Observer.Rejected(s.metricRoute(c), RejectRateLimited)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(wait.Round(time.Second)/time.Second))))
	return fiber.NewError(fiber.StatusTooManyRequests, "too many failed authentications")
}

// authFailed counts a failed authentication against the client. For a
// client checkFailures marked it returns the 429 refusal to answer
// instead of the route's own; else nil.
func (s *srv) authFailed(c *fiber.Ctx) error {
	s.failures.failed(s.clientIP(c))
	if wait, blocked := c.Locals(localBlocked).(time.Duration); blocked {
		return s.rateLimited(c, wait)
	}
	return nil
}
