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
	return s.masters(ctx, func(ctx context.Context, c *goredis.Client) bool {
		info, err := c.Info(ctx, "persistence").Result()
		return err == nil && strings.Contains(info, "aof_enabled:0")
	})
}

// Unsynced returns the addresses of the servers (every master, on a
// cluster) that keep an append-only file without appendfsync always: a
// crash of their machine loses the writes not yet fsynced (about a second
// with everysec, up to some thirty with no). A
// server that does not answer CONFIG GET (managed Redis often renames it)
// is not listed.
func (s *Store) Unsynced(ctx context.Context) []string {
	return s.masters(ctx, func(ctx context.Context, c *goredis.Client) bool {
		info, err := c.Info(ctx, "persistence").Result()
		if err != nil || strings.Contains(info, "aof_enabled:0") {
			return false
		}
		cfg, err := c.ConfigGet(ctx, "appendfsync").Result()
		return err == nil && cfg["appendfsync"] != "" && cfg["appendfsync"] != "always"
	})
}

// masters returns the addresses of the servers (every master, on a
// cluster) for which is answers true.
func (s *Store) masters(ctx context.Context, is func(context.Context, *goredis.Client) bool) []string {
	var mu sync.Mutex
	var out []string
	check := func(ctx context.Context, c *goredis.Client) error {
		if is(ctx, c) {
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

// Agree stores value as the store-wide setting name unless one is stored
// already, and returns the stored one: the nodes sharing a Redis check
// that they agree on what must be the same on all of them (the
// fingerprint of SKILL_TOKEN_SECRET). The key never expires; SettingKey
// names it for an operator who changes the setting on purpose.
func (s *Store) Agree(ctx context.Context, name, value string) (string, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	key := s.SettingKey(name)
	if err := s.rdb.SetNX(ctx, key, value, 0).Err(); err != nil {
		return "", unavailable("agree on "+name, err)
	}
	stored, err := s.rdb.Get(ctx, key).Result()
	if err != nil {
		return "", unavailable("agree on "+name, err)
	}
	return stored, nil
}

// SettingKey is the Redis key of the store-wide setting name (Agree).
func (s *Store) SettingKey(name string) string { return s.cfg.Prefix + "setting:" + name }
