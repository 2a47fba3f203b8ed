package redis_test

import (
	"context"
	"slices"
	"testing"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// TestUnlogged: a Redis with its append-only file is not listed; the same
// Redis with appendonly turned off is.
func TestUnlogged(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv, redis.Config{})
	if got := s.Unlogged(ctx); len(got) != 0 {
		t.Fatalf("Unlogged with appendonly yes: %v", got)
	}
	if err := s.Client().ConfigSet(ctx, "appendonly", "no").Err(); err != nil {
		t.Fatal(err)
	}
	if got := s.Unlogged(ctx); !slices.Equal(got, []string{srv.Addr()}) {
		t.Errorf("Unlogged with appendonly no: %v, want [%s]", got, srv.Addr())
	}
}
