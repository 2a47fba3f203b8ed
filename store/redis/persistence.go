package redis

import (
	"context"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"
)

// Unlogged returns the addresses of the servers (every master, on a
// cluster) that keep no append-only file (INFO persistence:
// aof_enabled:0): on their restart, writes since their last snapshot are
// gone, acknowledged orders among them. The store's promise that nothing
// acknowledged is lost needs appendonly yes with appendfsync always on
// each; a server that does not answer INFO is not listed.
func (s *Store) Unlogged(ctx context.Context) []string {
	var mu sync.Mutex
	var out []string
	check := func(ctx context.Context, c *goredis.Client) error {
		info, err := c.Info(ctx, "persistence").Result()
		if err == nil && strings.Contains(info, "aof_enabled:0") {
			mu.Lock()
			out = append(out, c.Options().Addr)
			mu.Unlock()
		}
		return nil
	}
	switch c := s.rdb.(type) {
	case *goredis.ClusterClient:
		_ = c.ForEachMaster(ctx, check)
	case *goredis.Client:
		_ = check(ctx, c)
	}
	return out
}
