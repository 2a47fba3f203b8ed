package redis

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// countsInit is the field of the counts hash that says its counts cover
// every order (written by the first start that maintains them).
const countsInit = "_init"

// countsKey is the hash of how many orders are in each state.
func (s *Store) countsKey() string { return s.cfg.Prefix + "order_counts" }

// cluster reports whether the client is a Redis Cluster client, on which a
// transaction may touch one hash slot only.
func (s *Store) cluster() bool {
	_, ok := s.rdb.(*goredis.ClusterClient)
	return ok
}

// moveCount queues, in p, an order's move from one state to another.
func (s *Store) moveCount(ctx context.Context, p goredis.Pipeliner, from, to shop.OrderState) {
	if from == to {
		return
	}
	p.HIncrBy(ctx, s.countsKey(), string(from), -1)
	p.HIncrBy(ctx, s.countsKey(), string(to), 1)
}

// OrderCounts returns how many orders are in each state, from the counts
// the store keeps beside the orders (one HGETALL: its cost does not grow
// with the number of orders). On a single Redis the counts change in the
// same transaction as the orders and are exact; on a Cluster they follow
// each write and a process dying in between leaves one order miscounted.
func (s *Store) OrderCounts(ctx context.Context) (map[shop.OrderState]int64, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	m, err := s.rdb.HGetAll(ctx, s.countsKey()).Result()
	if err != nil {
		return nil, unavailable("order counts", err)
	}
	out := map[shop.OrderState]int64{}
	for k, v := range m {
		if k == countsInit || k == openInit {
			continue
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			out[shop.OrderState(k)] = n
		}
	}
	return out, nil
}

// initCounts counts the orders of a store written before the counts were
// kept, once: when the counts hash has no countsInit field. Orders written
// by another process while it counts may be counted twice; start one
// process first when upgrading a store that holds orders.
func (s *Store) initCounts(ctx context.Context) error {
	ok, err := s.rdb.HExists(ctx, s.countsKey(), countsInit).Result()
	if err != nil || ok {
		return err
	}
	counts := map[shop.OrderState]int64{}
	err = s.eachOrder(ctx, func(batch []*orderHead) error {
		for _, o := range batch {
			counts[o.State]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		for st, n := range counts {
			p.HIncrBy(ctx, s.countsKey(), string(st), n)
		}
		p.HSet(ctx, s.countsKey(), countsInit, 1)
		return nil
	})
	return err
}

// orderHead is what a scan of every order (eachOrder, rebuildOpen)
// decodes of each (decodeHead).
type orderHead struct {
	TradeNo   string
	State     shop.OrderState
	CreatedAt time.Time
	member    string // its entry in the indexes
	open      bool   // shop.Order.Open
}

// eachOrder calls fn with every order of the global index, a page at a
// time, skipping entries without an order or that do not match theirs (a
// scan for the one-off upgrades of older data: an entry removed while it
// pages may shift another past it).
func (s *Store) eachOrder(ctx context.Context, fn func([]*orderHead) error) error {
	for offset := int64(0); ; offset += pageSize {
		members, err := s.rdb.ZRange(ctx, s.allKey(), offset, offset+pageSize-1).Result()
		if err != nil {
			return err
		}
		var want []string
		for _, m := range members {
			if len(m) > timeKeyLen+1 && m[timeKeyLen] == ':' {
				want = append(want, m)
			}
		}
		cmds, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for _, m := range want {
				p.Get(ctx, s.orderKey(m[timeKeyLen+1:]))
			}
			return nil
		})
		if err != nil && !errors.Is(err, goredis.Nil) {
			return err
		}
		batch := make([]*orderHead, 0, len(cmds))
		for i, cmd := range cmds {
			data, err := cmd.(*goredis.StringCmd).Bytes()
			if errors.Is(err, goredis.Nil) {
				continue
			}
			if err != nil {
				return err
			}
			o, ok := decodeHead(data)
			if !ok || o.member != want[i] {
				continue
			}
			batch = append(batch, o)
		}
		if err := fn(batch); err != nil {
			return err
		}
		if int64(len(members)) < pageSize {
			return nil
		}
	}
}
