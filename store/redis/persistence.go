package redis

import (
	"context"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"
)

// Durability returns the addresses of the servers (every master, on a
// cluster) that do not keep what the store acknowledges through a crash,
// in one pass over them. unlogged keep no append-only file (INFO
// persistence: aof_enabled:0): on their restart, writes since their last
// snapshot are gone. unsynced keep one without appendfsync always: a crash
// of their machine loses the writes not yet fsynced (about a second with
// everysec, up to some thirty with no). The store's promise that nothing
// acknowledged is lost needs appendonly yes with appendfsync always on
// each. A server that does not answer INFO, or CONFIG GET (managed Redis
// often renames it), is not listed.
func (s *Store) Durability(ctx context.Context) (unlogged, unsynced []string) {
	var mu sync.Mutex
	check := func(ctx context.Context, c *goredis.Client) error {
		info, err := c.Info(ctx, "persistence").Result()
		if err != nil {
			return nil
		}
		list := &unsynced
		if strings.Contains(info, "aof_enabled:0") {
			list = &unlogged
		} else if cfg, err := c.ConfigGet(ctx, "appendfsync").Result(); err != nil || cfg["appendfsync"] == "" || cfg["appendfsync"] == "always" {
			return nil
		}
		mu.Lock()
		*list = append(*list, c.Options().Addr)
		mu.Unlock()
		return nil
	}
	switch c := s.rdb.(type) {
	case *goredis.ClusterClient:
		_ = c.ForEachMaster(ctx, check)
	case *goredis.Client:
		_ = check(ctx, c)
	}
	return unlogged, unsynced
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
