package main

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// openRedis opens the Redis stores: orders (and offers) on SKILL_REDIS_URL,
// each write confirmed by SKILL_REDIS_MIN_REPLICAS replicas, with the
// reconciler's lease; dialog state and request ids on
// SKILL_SESSION_REDIS_URL when set (a Redis that need not fsync: that state
// lives minutes), else on the same Redis.
func openRedis(ctx context.Context, cfg config, now func() time.Time, log *slog.Logger) (shop.OrderStore, shop.StateStore, pay.Lease, error) {
	if cfg.SessionRedis != "" && cfg.RedisURL == "" {
		return nil, nil, nil, badSetting("SKILL_SESSION_REDIS_URL", "needs SKILL_REDIS_URL (the embedded store keeps dialog state in memory)")
	}
	replicas, err := cfg.redisReplicas()
	if err != nil {
		return nil, nil, nil, err
	}
	wait, err := time.ParseDuration(cfg.RedisWait)
	if err != nil || wait < 10*time.Millisecond || wait > 10*time.Second {
		return nil, nil, nil, badSetting("SKILL_REDIS_REPLICA_TIMEOUT", "%q: want a duration from 10ms to 10s, e.g. 500ms", cfg.RedisWait)
	}
	// go-redis's own lines go through log once connected; a failure to
	// connect is the one line of the setting error.
	redis.SetLogger(slog.New(slog.DiscardHandler))
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	// One store for orders and dialogs: a turn reads the user's orders
	// index with the dialog's state, in the same round trip.
	orders, err := connect(cctx, cfg.RedisURL, redis.Config{Now: now, MinReplicas: replicas, ReplicaTimeout: wait, TurnReadsOrders: cfg.SessionRedis == "", Logger: log})
	if err != nil {
		return nil, nil, nil, unreachable("SKILL_REDIS_URL", redact(cfg.RedisURL), err)
	}
	if unlogged, unsynced := orders.Durability(cctx); log != nil {
		if len(unlogged) > 0 {
			log.Warn("redis: no append-only file (appendonly no): acknowledged orders can be lost when it restarts; set appendonly yes and appendfsync always",
				"addrs", unlogged)
		}
		if len(unsynced) > 0 {
			log.Warn("redis: appendfsync is not always: a crash of the machine can lose the acknowledged orders not yet fsynced; set appendfsync always",
				"addrs", unsynced)
		}
	}
	state := orders
	if cfg.SessionRedis != "" {
		if state, err = connect(cctx, cfg.SessionRedis, redis.Config{Now: now, MinReplicas: -1, Logger: log}); err != nil {
			_ = orders.Close()
			return nil, nil, nil, unreachable("SKILL_SESSION_REDIS_URL", redact(cfg.SessionRedis), err)
		}
	}
	if log != nil {
		redis.SetLogger(log)
	}
	return orders, state, orders.Lease("reconciler"), nil
}

// redisReplicas parses SKILL_REDIS_MIN_REPLICAS for redis.Config: 0 when
// unset (the topology's default), -1 for "0" (none, whatever the
// topology), else the number.
func (c config) redisReplicas() (int, error) {
	if c.RedisReplicas == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(c.RedisReplicas)
	if err != nil || n < 0 || n > 16 {
		return 0, badSetting("SKILL_REDIS_MIN_REPLICAS", "%q: want a number of replicas from 0 to 16", c.RedisReplicas)
	}
	if n == 0 {
		return -1, nil
	}
	return n, nil
}

// sessionMemory parses SKILL_SESSION_MEMORY: bytes, with a KB, MB or GB
// suffix (powers of 1024), from 1MB to 64GB.
func (c config) sessionMemory() (int, error) {
	s := strings.ToUpper(strings.TrimSpace(c.SessionMemory))
	unit := 1
	for _, u := range []struct {
		suffix string
		size   int
	}{{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, unit = strings.TrimSpace(rest), u.size
			break
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > (64<<30)/unit || n*unit < 1<<20 {
		return 0, badSetting("SKILL_SESSION_MEMORY", "%q: want a size from 1MB to 64GB, such as 16MB", c.SessionMemory)
	}
	return n * unit, nil
}

// connect opens the Redis store at url. A Redis that answers but cannot
// take writes yet (loading its data, electing a master, a cluster just
// formed whose replicas do not confirm yet) is tried again until ctx ends;
// any other error is returned at once.
func connect(ctx context.Context, url string, cfg redis.Config) (*redis.Store, error) {
	wait := 100 * time.Millisecond
	for {
		s, err := redis.New(ctx, url, cfg)
		if err == nil || shop.ErrorCode(err) != shop.EUNAVAILABLE {
			return s, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
			wait = min(2*wait, time.Second)
		}
	}
}
