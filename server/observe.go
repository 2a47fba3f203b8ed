package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Observer is told what the server sees, for metrics; the metrics adapter
// satisfies it. Its label values are bounded: route patterns, reasons from
// AuthReason, the outcomes below.
type Observer interface {
	// Request is one answered request: its route pattern ("other" for an
	// unknown path), HTTP status, outcome and how long it took.
	Request(route string, status int, outcome string, took time.Duration)
	// SignatureFailed is a request refused because its signature did not
	// verify, with AuthReason's reason.
	SignatureFailed(route, reason string)
	// Rejected is a request refused before any work, to protect the
	// service: RejectOverload or RejectRateLimited.
	Rejected(route, reason string)
}

// Reasons of Observer.Rejected.
const (
	RejectOverload    = "overload"     // RSA signing saturated: 503 with Retry-After
	RejectRateLimited = "rate_limited" // too many failed authentications from one client: 429
)

// Outcomes of Observer.Request.
const (
	OutcomeOK           = "ok"           // answered as asked
	OutcomeSuccess      = "success"      // a pay endpoint answered retCode SUCCESS
	OutcomeFail         = "fail"         // a pay endpoint answered retCode FAIL (a refusal, or a fault the platform retries)
	OutcomeUnauthorized = "unauthorized" // the signature or token did not verify
	OutcomeRejected     = "rejected"     // refused before any work (Observer.Rejected)
	OutcomeClientError  = "client_error" // another 4xx
	OutcomeServerError  = "server_error" // a 5xx
)

// localOutcome is the c.Locals key of the outcome a handler set.
const localOutcome = "server.outcome"

// setOutcome records the request's outcome for Observer.Request.
func setOutcome(c *fiber.Ctx, outcome string) { c.Locals(localOutcome, outcome) }

// outcomeOf is the outcome a handler set, else the status's.
func outcomeOf(c *fiber.Ctx, status int) string {
	if o, ok := c.Locals(localOutcome).(string); ok {
		return o
	}
	switch {
	case status == fiber.StatusUnauthorized:
		return OutcomeUnauthorized
	case status >= 500:
		return OutcomeServerError
	case status >= 400:
		return OutcomeClientError
	}
	return OutcomeOK
}

// metricRoute is the route pattern of the request for a metric label: the
// matched route; for a request a middleware answered before its route ran
// (a refused signature), its path when that is a route's; else "other" (a
// label must not take arbitrary paths).
func (s *srv) metricRoute(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && strings.Contains(r.Path, ":") {
		return r.Path
	}
	// The route's own string, never c.Path(): fiber reuses that buffer.
	if p, ok := s.routes[c.Path()]; ok {
		return p
	}
	return "other"
}

// noteRoutes records the paths of the app's routes without parameters,
// for metricRoute.
func (s *srv) noteRoutes(app *fiber.App) {
	s.routes = map[string]string{}
	for _, r := range app.GetRoutes(true) {
		if !strings.Contains(r.Path, ":") {
			s.routes[r.Path] = r.Path
		}
	}
}

// noObserver observes nothing: the zero Config's.
type noObserver struct{}

func (noObserver) Request(string, int, string, time.Duration) {}
func (noObserver) SignatureFailed(string, string)             {}
func (noObserver) Rejected(string, string)                    {}
