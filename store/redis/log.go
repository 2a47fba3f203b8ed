package redis

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// SetLogger routes go-redis's own log lines (failed dials, pool and
// connection trouble) through log, at WARN with the message under "redis:
// ". Like go-redis's logger, it is one for the whole process.
func SetLogger(log *slog.Logger) { goredis.SetLogger(slogLogger{log}) }

// slogLogger is go-redis's Logging on a *slog.Logger.
type slogLogger struct{ log *slog.Logger }

// Printf logs one go-redis line.
func (l slogLogger) Printf(ctx context.Context, format string, v ...any) {
	if ctx == nil {
		ctx = context.Background()
	}
	msg := fmt.Sprintf(format, v...)
	if !strings.HasPrefix(msg, "redis: ") { // most of go-redis's lines say so already
		msg = "redis: " + msg
	}
	l.log.WarnContext(ctx, msg)
}
