package redis

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// Rebuilding the index of open orders.
//
// The field openInit of the counts hash holds the shop.OpenVersion that
// the open index was built for: "1" where older versions wrote it as a
// flag (they indexed the open states alone, and missed the duplicates
// whose refund failed). New compares it with the code's: when it is
// missing or older, New rebuilds the index (rebuildOpen), records its own
// version (never lowering a newer one), and logs one line. Until the
// version is current, open listings walk the global index (openIndexed).
//
// The rebuild reads every order by SCAN over the order keys, on every
// master of a cluster (SCAN returns every key that exists throughout the
// scan, whatever is written meanwhile), and adds the entry of each open
// one with the store's own write (ZADD, confirmed by replicas when they
// are required). Then it walks the index (ZSCAN) and removes the entries
// whose order is not open now, or is recorded under another entry, each
// in a transaction that watches the order: on a single Redis a
// MULTI/ZREM/EXEC that fails if the order was written since it was read;
// on a cluster pruneOpen, as a listing does (see open.go). An entry whose
// order is missing is removed on a single Redis, where a create writes
// the order and its entry in one script (a create since makes the EXEC
// fail); on a cluster it may be a create in flight, and listings remove
// it after missingGrace.
//
// Several processes may rebuild at once, beside others writing orders:
// each step is idempotent and none can lose an entry. An add of an order
// read open and settled since leaves an extra entry (the removal pass or
// listings drop it); a removal happens only where the order, read in the
// same watched transaction, is not open, and the writer that reopens it
// adds the entry itself. Processes of the versions before OpenVersion 2
// keep indexing by their own definition: upgrade every process.

// openInit is the field of the counts hash holding the shop.OpenVersion
// the open index was built for (see above).
const openInit = "_open"

// scanCount is the COUNT of each SCAN and ZSCAN of a rebuild.
const scanCount = 500

// versionScript sets field ARGV[1] of hash KEYS[1] to ARGV[2] unless it
// holds a number as large already.
var versionScript = goredis.NewScript(`
local v = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') or 0
if v < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return v
`)

// openVersion returns the shop.OpenVersion recorded for the open index, 0
// for none.
func (s *Store) openVersion(ctx context.Context) (int, error) {
	v, err := s.rdb.HGet(ctx, s.countsKey(), openInit).Result()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, _ := strconv.Atoi(v)
	return n, nil
}

// openIndexed reports whether the open index covers every open order by
// the current definition: New rebuilt it or found it current; a Store from
// NewWithClient reads the recorded version until it is current (until
// then, open listings walk the global index).
func (s *Store) openIndexed(ctx context.Context) bool {
	if s.openReady.Load() {
		return true
	}
	if v, err := s.openVersion(ctx); err == nil && v >= shop.OpenVersion {
		s.openReady.Store(true)
	}
	return s.openReady.Load()
}

// initOpen rebuilds the open index when the version recorded for it is
// missing or older than shop.OpenVersion, then records the version.
func (s *Store) initOpen(ctx context.Context) error {
	from, err := s.openVersion(ctx)
	if err != nil {
		return err
	}
	if from >= shop.OpenVersion {
		s.openReady.Store(true)
		return nil
	}
	r, err := s.rebuildOpen(ctx)
	if err != nil {
		return err
	}
	err = s.write(ctx, []string{s.countsKey()}, func(p goredis.Pipeliner, key string) {
		versionScript.Eval(ctx, p, []string{key}, openInit, shop.OpenVersion)
	})
	if err != nil {
		return err
	}
	s.openReady.Store(true)
	if from > 0 || r.read.Load() > 0 {
		s.cfg.Logger.InfoContext(ctx, "redis: rebuilt the index of open orders", "prefix", s.cfg.Prefix,
			"from_version", from, "version", shop.OpenVersion,
			"orders_read", r.read.Load(), "orders_open", r.open.Load(), "entries_removed", r.removed.Load())
	}
	return nil
}

// rebuilt counts what a rebuild did.
type rebuilt struct {
	read, open, removed atomic.Int64
}

// rebuildOpen adds the entry of every open order to the open index, then
// removes the entries of orders not open (see the top of this file).
func (s *Store) rebuildOpen(ctx context.Context) (*rebuilt, error) {
	r := &rebuilt{}
	err := s.scanOrders(ctx, func(keys []string) error {
		heads, err := s.heads(ctx, keys)
		if err != nil {
			return err
		}
		r.read.Add(int64(len(heads)))
		var open []*orderHead
		for _, o := range heads {
			if o.open {
				open = append(open, o)
			}
		}
		if len(open) == 0 {
			return nil
		}
		r.open.Add(int64(len(open)))
		return s.write(ctx, []string{s.openKey()}, func(p goredis.Pipeliner, key string) {
			for _, o := range open {
				s.index(ctx, p, key, score(o.CreatedAt), o.member)
			}
		})
	})
	if err != nil {
		return nil, err
	}
	iter := s.rdb.ZScan(ctx, s.openKey(), 0, "", scanCount).Iterator()
	var members []string
	for iter.Next(ctx) {
		members = append(members, iter.Val())
		iter.Next(ctx) // the score
		if len(members) == scanCount {
			s.dropStale(ctx, members, r)
			members = members[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}
	s.dropStale(ctx, members, r)
	return r, nil
}

// scanOrders calls fn with the keys of every order, a SCAN page at a
// time: on a cluster, on every master at once.
func (s *Store) scanOrders(ctx context.Context, fn func(keys []string) error) error {
	match := globEscape(s.cfg.Prefix) + "order:{*}"
	scan := func(ctx context.Context, c goredis.Cmdable) error {
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, match, scanCount).Result()
			if err != nil {
				return err
			}
			if len(keys) > 0 {
				if err := fn(keys); err != nil {
					return err
				}
			}
			if next == 0 {
				return nil
			}
			cursor = next
		}
	}
	if cc, ok := s.rdb.(*goredis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, m *goredis.Client) error { return scan(ctx, m) })
	}
	return scan(ctx, s.rdb)
}

// globEscape escapes the characters special to SCAN's MATCH.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// heads reads the orders under keys (order keys), skipping those gone or
// not orders of this store.
func (s *Store) heads(ctx context.Context, keys []string) ([]*orderHead, error) {
	cmds, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, k := range keys {
			p.Get(ctx, k)
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, err
	}
	out := make([]*orderHead, 0, len(cmds))
	for i, cmd := range cmds {
		data, err := cmd.(*goredis.StringCmd).Bytes()
		if errors.Is(err, goredis.Nil) {
			continue
		}
		if err != nil {
			return nil, err
		}
		o, ok := decodeHead(data)
		if ok && s.orderKey(o.TradeNo) == keys[i] {
			out = append(out, o)
		}
	}
	return out, nil
}

// dropStale removes the entries among members of the open index whose
// order is not open, or recorded under another entry, or (on a single
// Redis) missing; see the top of this file. A removal that fails leaves
// an extra entry, which listings skip.
func (s *Store) dropStale(ctx context.Context, members []string, r *rebuilt) {
	var want []string
	for _, m := range members {
		if len(m) > timeKeyLen+1 && m[timeKeyLen] == ':' {
			want = append(want, m)
		}
	}
	if len(want) == 0 {
		return
	}
	cmds, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, m := range want {
			p.Get(ctx, s.orderKey(m[timeKeyLen+1:]))
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return
	}
	for i, cmd := range cmds {
		m, tradeNo := want[i], want[i][timeKeyLen+1:]
		data, err := cmd.(*goredis.StringCmd).Bytes()
		switch {
		case errors.Is(err, goredis.Nil):
			if s.cluster() {
				continue // perhaps a create in flight
			}
		case err != nil:
			continue
		default:
			if o, ok := decodeHead(data); ok && o.open && o.member == m {
				continue
			}
		}
		var removed bool
		if s.cluster() {
			removed = s.pruneOpen(ctx, m, tradeNo)
		} else {
			removed = s.unindexStale(ctx, m, tradeNo)
		}
		if removed {
			r.removed.Add(1)
		}
	}
}

// unindexStale removes the entry m of the open index, on a single Redis,
// if the order tradeNo is missing, or not open, or recorded under another
// entry, in a transaction that fails if the order is written meanwhile.
// It reports whether it removed the entry.
func (s *Store) unindexStale(ctx context.Context, m, tradeNo string) bool {
	key := s.orderKey(tradeNo)
	var n *goredis.IntCmd
	err := s.rdb.Watch(ctx, func(tx *goredis.Tx) error {
		data, err := tx.Get(ctx, key).Bytes()
		if err != nil && !errors.Is(err, goredis.Nil) {
			return err
		}
		if err == nil {
			if o, ok := decodeHead(data); !ok || (o.open && o.member == m) {
				return errStillOpen
			}
		}
		_, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			n = p.ZRem(ctx, s.openKey(), m)
			return nil
		})
		return err
	}, key)
	return err == nil && n.Val() > 0
}

// decodeHead decodes what a rebuild needs of an order.
func decodeHead(data []byte) (*orderHead, bool) {
	var o shop.Order
	if json.Unmarshal(data, &o) != nil {
		return nil, false
	}
	return &orderHead{TradeNo: o.TradeNo, State: o.State, CreatedAt: o.CreatedAt, member: timeKey(o.CreatedAt) + ":" + o.TradeNo, open: o.Open()}, true
}
