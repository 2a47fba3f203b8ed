package redis

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// go-redis's lines get the "redis: " prefix once, whether or not they
// carry it already.
func TestSlogLoggerPrefixOnce(t *testing.T) {
	var out bytes.Buffer
	l := slogLogger{slog.New(slog.NewTextHandler(&out, nil))}
	l.Printf(context.Background(), "redis: connection pool: failed to dial after %d attempts", 2)
	l.Printf(context.Background(), "pool: %s", "closed")
	got := out.String()
	if strings.Contains(got, "redis: redis:") || !strings.Contains(got, `msg="redis: connection pool: failed to dial after 2 attempts"`) ||
		!strings.Contains(got, `msg="redis: pool: closed"`) {
		t.Errorf("log:\n%s", got)
	}
}
