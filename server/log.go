package server

import (
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/internal/logctx"
)

// localLine is the c.Locals key of the request's log line (a
// *logctx.Line, also in the request's context, where code beyond the
// handlers, such as the dialog, adds to it with logctx.Note).
const localLine = "server.line"

// note adds a key and value to the request's log line. Keys are snake_case;
// values must never be secrets (keys, tokens, signatures).
func note(c *fiber.Ctx, key string, value any) {
	if l, ok := c.Locals(localLine).(*logctx.Line); ok {
		l.Add(slog.Any(key, value))
	}
}

// HeaderRequestID carries a request's id: taken from the request when it
// has a fit one (logctx.CleanID), else made here, and sent back on the
// reply and on every platform call the request makes.
const HeaderRequestID = "X-Request-Id"

// accessLog is the edge: the only place a request is logged, once, after
// the handler (and the error handler) ran. It gives the request its id,
// carried in the request's context into every line logged for it.
func (s *srv) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	ctx, line := logctx.WithLine(c.UserContext())
	c.SetUserContext(ctx)
	c.Locals(localLine, line)
	setRequestID(c, strings.Clone(logctx.CleanID(c.Get(HeaderRequestID))))
	if err := c.Next(); err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	took := time.Since(start)
	s.cfg.Observer.Request(s.metricRoute(c), status, outcomeOf(c, status), took)
	noted := line.Attrs()
	attrs := append(make([]slog.Attr, 0, 7+len(noted)),
		slog.String("method", c.Method()),
		slog.String("route", routeOf(c)),
		slog.Int("status", status),
		slog.Duration("duration", took),
		slog.String(logctx.KeyRequestID, logctx.RequestID(c.UserContext())),
		slog.String("client_ip", s.clientIP(c)),
		slog.String("scheme", s.scheme(c)))
	attrs = append(attrs, noted...)
	level := levelOf(status)
	if outcomeOf(c, status) == OutcomeRejected {
		level = slog.LevelWarn // load shed on purpose, counted in the metrics
	}
	if quietRoutes[c.Path()] {
		level = min(level, slog.LevelWarn)
		if status < 400 {
			level = slog.LevelDebug
		}
	}
	s.log.LogAttrs(c.UserContext(), level, "http request", attrs...)
	return nil
}

// setRequestID makes id (a new one when empty) the request's id: in its
// context, for the log, and on the reply.
func setRequestID(c *fiber.Ctx, id string) {
	if id == "" {
		id = logctx.NewID()
	}
	c.SetUserContext(logctx.WithRequestID(c.UserContext(), id))
	c.Set(HeaderRequestID, id)
}

// routeOf is the matched route pattern when it has parameters (so tokens
// in URLs stay out of the log), else the path, cut short: it is
// caller-controlled.
func routeOf(c *fiber.Ctx) string {
	p := c.Path()
	if r := c.Route(); r != nil && strings.Contains(r.Path, ":") {
		p = r.Path
	}
	if len(p) > 64 {
		p = p[:64] + "..."
	}
	return strings.ToValidUTF8(p, "?")
}

// levelOf logs failures louder: 5xx as errors, 4xx as warnings, except
// 404 and 405: what a public listener gets from scanners all day is not
// worth a warning.
func levelOf(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status == fiber.StatusNotFound || status == fiber.StatusMethodNotAllowed:
		return slog.LevelInfo
	case status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
