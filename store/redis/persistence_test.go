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

// TestUnsynced: a Redis whose append-only file is fsynced on every write is
// not listed; with appendfsync everysec it is; without the file at all it
// is Unlogged's, not this one's.
func TestUnsynced(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv, redis.Config{})
	if got := s.Unsynced(ctx); len(got) != 0 {
		t.Fatalf("Unsynced with appendfsync always: %v", got)
	}
	if err := s.Client().ConfigSet(ctx, "appendfsync", "everysec").Err(); err != nil {
		t.Fatal(err)
	}
	if got := s.Unsynced(ctx); !slices.Equal(got, []string{srv.Addr()}) {
		t.Errorf("Unsynced with appendfsync everysec: %v, want [%s]", got, srv.Addr())
	}
	if err := s.Client().ConfigSet(ctx, "appendonly", "no").Err(); err != nil {
		t.Fatal(err)
	}
	if got := s.Unsynced(ctx); len(got) != 0 {
		t.Errorf("Unsynced with appendonly no: %v", got)
	}
}
