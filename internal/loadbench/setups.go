package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dingdang-voicepay/voicepay/store/bolt"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// The store set-ups the bench measures, one phase each.

// phase is a store set-up to measure.
type phase struct {
	name string
	// setup starts what the phase needs and returns the skill's extra
	// environment and the store servers it started (their CPU is the
	// server's too; the phase stops them).
	setup func(b *bench, data string) (env []string, stores []*process, err error)
}

// phases are the store set-ups, in order.
func (b *bench) phases() []phase {
	return []phase{
		{"bbolt", func(*bench, string) ([]string, []*process, error) { return roomy, nil, nil }},
		{"redis", func(b *bench, _ string) ([]string, []*process, error) {
			r, err := startRedis(b.ctx, b.dir, redisOptions{fsync: "always"})
			if err != nil {
				return nil, nil, err
			}
			return []string{"SKILL_REDIS_URL=redis://" + r.addr + "/0"}, []*process{r}, nil
		}},
		{"redis + session redis", func(b *bench, _ string) ([]string, []*process, error) {
			r, err := startRedis(b.ctx, b.dir, redisOptions{fsync: "always"})
			if err != nil {
				return nil, nil, err
			}
			s, err := startRedis(b.ctx, b.dir, redisOptions{})
			if err != nil {
				r.stop()
				return nil, nil, err
			}
			return []string{"SKILL_REDIS_URL=redis://" + r.addr + "/0", "SKILL_SESSION_REDIS_URL=redis://" + s.addr + "/0"},
				[]*process{r, s}, nil
		}},
		{"cluster 3+3", func(b *bench, _ string) ([]string, []*process, error) {
			nodes, err := startCluster(b.ctx, b.dir)
			if err != nil {
				return nil, nil, err
			}
			var addrs []string
			for _, n := range nodes {
				addrs = append(addrs, n.addr)
			}
			return []string{"SKILL_REDIS_URL=redis+cluster://" + strings.Join(addrs, ",")}, nodes, nil
		}},
		{"cluster 3+3 + session redis", func(b *bench, _ string) ([]string, []*process, error) {
			nodes, err := startCluster(b.ctx, b.dir)
			if err != nil {
				return nil, nil, err
			}
			s, err := startRedis(b.ctx, b.dir, redisOptions{})
			if err != nil {
				for _, n := range nodes {
					n.stop()
				}
				return nil, nil, err
			}
			var addrs []string
			for _, n := range nodes {
				addrs = append(addrs, n.addr)
			}
			return []string{"SKILL_REDIS_URL=redis+cluster://" + strings.Join(addrs, ","), "SKILL_SESSION_REDIS_URL=redis://" + s.addr + "/0"},
				append(nodes, s), nil
		}},
		{"bbolt, 1M orders", func(b *bench, data string) ([]string, []*process, error) {
			// A long batch delay makes each transaction (and fsync) take
			// a thousand orders: seeding is not what is measured.
			st, err := bolt.Open(filepath.Join(data, "skill.db"), bolt.Config{})
			if err != nil {
				return nil, nil, err
			}
			start := time.Now()
			err = seedOrders(b.ctx, b.o.orders, 1024, st.CreateOrder)
			if cerr := st.Close(); err == nil {
				err = cerr
			}
			b.note("seeded %d orders in %v", b.o.orders, time.Since(start).Round(time.Second))
			settle()
			return roomy, nil, err
		}},
		{"redis, 1M orders", func(b *bench, _ string) ([]string, []*process, error) {
			// Seeded by many clients at once: Redis fsyncs once for all the
			// writes of an event loop turn.
			r, err := startRedis(b.ctx, b.dir, redisOptions{fsync: "always"})
			if err != nil {
				return nil, nil, err
			}
			url := "redis://" + r.addr + "/0"
			st, err := redis.New(b.ctx, url, redis.Config{})
			if err == nil {
				start := time.Now()
				err = seedOrders(b.ctx, b.o.orders, 256, st.CreateOrder)
				b.note("seeded %d orders in %v", b.o.orders, time.Since(start).Round(time.Second))
				_ = st.Close()
				settle()
			}
			if err != nil {
				r.stop()
				return nil, nil, err
			}
			return []string{"SKILL_REDIS_URL=" + url}, []*process{r}, nil
		}},
	}
}

// settle writes out what seeding left in the page cache and lets the disk
// go quiet, so that the loads after it do not share the disk with the
// seeding's write-back (measured: a fifth of the machine idle in iowait,
// create-order at half its rate).
func settle() {
	syscall.Sync()
	time.Sleep(5 * time.Second)
}
