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
// empty is refused (429) before its request is even verified. Requests
// that authenticate take nothing, so the platform is never slowed by
// someone else's junk. Buckets are forgotten once they would be full again;
// past the map's bound new clients go unlimited (failing open: a refusal
// costs no RSA work anyway).
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

// limitFailures refuses a request from a client that failed authentication
// too often, with 429 and Retry-After, unsigned and before any verification.
func (s *srv) limitFailures(c *fiber.Ctx) error {
	wait, blocked := s.failures.blocked(s.clientIP(c))
	if !blocked {
		return c.Next()
	}
	note(c, "reason", RejectRateLimited)
	setOutcome(c, OutcomeRejected)
	s.cfg.Observer.Rejected(s.metricRoute(c), RejectRateLimited)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(wait.Round(time.Second)/time.Second))))
	return fiber.NewError(fiber.StatusTooManyRequests, "too many failed authentications")
}

// authFailed counts a failed authentication against the client.
func (s *srv) authFailed(c *fiber.Ctx) { s.failures.failed(s.clientIP(c)) }
