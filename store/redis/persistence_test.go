package redis_test

import (
	"context"
	"slices"
	"testing"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// TestDurability: a Redis with its append-only file fsynced on every
// write is listed nowhere; with appendfsync everysec it is unsynced; with
// appendonly turned off, unlogged.
func TestDurability(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv, redis.Config{})
	for _, tt := range []struct {
		set, to                    string
		wantUnlogged, wantUnsynced []string
	}{
		{"", "", nil, nil},
		{"appendfsync", "everysec", nil, []string{srv.Addr()}},
		{"appendonly", "no", []string{srv.Addr()}, nil},
	} {
		if tt.set != "" {
			if err := s.Client().ConfigSet(ctx, tt.set, tt.to).Err(); err != nil {
				t.Fatal(err)
			}
		}
		unlogged, unsynced := s.Durability(ctx)
		if !slices.Equal(unlogged, tt.wantUnlogged) || !slices.Equal(unsynced, tt.wantUnsynced) {
			t.Errorf("after %s %s: unlogged %v, unsynced %v; want %v, %v", tt.set, tt.to, unlogged, unsynced, tt.wantUnlogged, tt.wantUnsynced)
		}
	}
}
