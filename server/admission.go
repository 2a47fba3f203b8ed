package server

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// The admission control of the pay endpoints. RSA signing is their scarce
// resource: at most SignSlots signatures are made at once. In front of
// that, at most PayInFlight pay requests are in progress (verified,
// handled, signed) at once, PayQueue more wait for a place (each at most
// PayWait), and any more are answered 503 with Retry-After at once,
// unsigned and before any RSA work. So an overloaded server keeps
// answering the requests it admits quickly, and refuses the rest cheaply;
// the platform retries those.

// gate is a counting semaphore with a bounded, time-limited queue.
type gate struct {
	slots   chan struct{}
	queue   int64
	wait    time.Duration // 0: wait as long as ctx allows
	waiting atomic.Int64
}

func newGate(slots, queue int, wait time.Duration) *gate {
	return &gate{slots: make(chan struct{}, slots), queue: int64(queue), wait: wait}
}

// acquire takes a slot: at once if one is free, else after waiting in the
// queue for at most the gate's wait. false means refused.
func (g *gate) acquire(ctx context.Context) bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	if g.waiting.Add(1) > g.queue {
		g.waiting.Add(-1)
		return false
	}
	defer g.waiting.Add(-1)
	var timeout <-chan time.Time
	if g.wait > 0 {
		t := time.NewTimer(g.wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case g.slots <- struct{}{}:
		return true
	case <-timeout:
		return false
	case <-ctx.Done():
		return false
	}
}

// release frees a slot taken by acquire.
func (g *gate) release() { <-g.slots }

// admit lets a pay request in when there is room (see above), else
// answers 503.
func (s *srv) admit(c *fiber.Ctx) error {
	if !s.admission.acquire(c.UserContext()) {
		return s.overloaded(c)
	}
	defer s.admission.release()
	return c.Next()
}

// sign signs a pay reply within the signing slots.
func (s *srv) sign(ctx context.Context, body []byte) (string, error) {
	if !s.signing.acquire(ctx) {
		return "", ctx.Err()
	}
	defer s.signing.release()
	return s.pay.Sign(body)
}

// overloaded answers 503 with Retry-After and no signature: the platform
// treats it as a failed call and retries, as it does for a transient FAIL
// (a signed FAIL would be read as a business refusal).
func (s *srv) overloaded(c *fiber.Ctx) error {
	note(c, "reason", RejectOverload)
	setOutcome(c, OutcomeRejected)
	s.cfg.Observer.Rejected(s.metricRoute(c), RejectOverload)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(s.cfg.RetryAfter/time.Second))))
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(fiber.StatusServiceUnavailable).Send(mustJSON(pay.Fail(RejectOverload)))
}
