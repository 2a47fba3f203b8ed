package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// timeKeyLen is the length of the time key at the start of an index member.
const timeKeyLen = 24

// timeKey encodes t so that string order is time order: unix seconds with
// the sign bit flipped, then nanoseconds, both fixed-width hex.
func timeKey(t time.Time) string {
	return fmt.Sprintf("%016x%08x", uint64(t.Unix())^(1<<63), uint32(t.Nanosecond()))
}

// member is an order's entry in the index ZSETs.
func member(o *shop.Order) string { return timeKey(o.CreatedAt) + ":" + o.TradeNo }

// score is an order's score in the index ZSETs: unix milliseconds.
func score(t time.Time) float64 { return float64(t.UnixMilli()) }

// CreateOrder stores o under its TradeNo with SET NX unless an order has that
// TradeNo already, in which case it returns the stored order and
// created=false. The indexes are written first (the open index, on a single
// Redis, with the order: see open.go). A zero CreatedAt is set to
// Config.Now. With replicas required, each write is confirmed by them
// before the next (see replicas.go).
func (s *Store) CreateOrder(ctx context.Context, o shop.Order) (shop.Order, bool, error) {
	if o.TradeNo == "" {
		return shop.Order{}, false, shop.Errorf(shop.EINVALID, "redis: order has no tradeNo")
	}
	if err := s.check(); err != nil {
		return shop.Order{}, false, err
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.cfg.Now().UTC()
	}
	data, err := json.Marshal(o)
	if err != nil {
		return shop.Order{}, false, fmt.Errorf("redis: create order %s: %w", o.TradeNo, err)
	}
	m, sc := member(&o), score(o.CreatedAt)
	s.indexChanged(ctx, s.userKey(o.UserID))
	// Indexes first: a crash after them leaves an entry without an order,
	// which listing skips; the platform's retry then creates the order.
	indexes := []string{s.userKey(o.UserID), s.allKey()}
	if s.cluster() && o.Open() {
		indexes = append(indexes, s.openKey())
	}
	err = s.write(ctx, indexes, func(p goredis.Pipeliner, key string) {
		s.index(ctx, p, key, sc, m)
	})
	if err != nil {
		return shop.Order{}, false, unavailable("index order "+o.TradeNo, err)
	}
	created, stored, err := s.create(ctx, s.orderKey(o.TradeNo), data, "", &o)
	if err != nil {
		return shop.Order{}, false, unavailable("create order "+o.TradeNo, err)
	}
	var out shop.Order
	if err := json.Unmarshal(stored, &out); err != nil {
		return shop.Order{}, false, fmt.Errorf("redis: decode order %s: %w", o.TradeNo, err)
	}
	if !created {
		s.unindexLoser(ctx, &o, &out)
	}
	return out, created, nil
}

// index queues the addition of an index entry: with replicas required, as
// indexScript, a write even when the entry is there (see replicas.go).
func (s *Store) index(ctx context.Context, p goredis.Pipeliner, key string, score float64, member string) {
	if s.minReplicas > 0 {
		indexScript.Eval(ctx, p, []string{key}, score, member)
	} else {
		p.ZAdd(ctx, key, goredis.Z{Score: score, Member: member})
	}
}

// create runs storeScript on key's master (and WAITs when replicas are
// required): it stores data unless the key exists, expiring at expireAt
// (unix milliseconds; "" for never), and returns what is stored. An order
// created (o, nil for an offer) is counted in its state count (see
// OrderCounts): in the same script on a single Redis, just after on a
// cluster, where the counts live in another slot. On a single Redis the
// script also adds an open order to the open index.
func (s *Store) create(ctx context.Context, key string, data []byte, expireAt string, o *shop.Order) (created bool, stored []byte, err error) {
	touch := "0"
	if s.minReplicas > 0 {
		touch = "1"
	}
	var count shop.OrderState
	if o != nil {
		count = o.State
	}
	var cmd *goredis.Cmd
	err = s.write(ctx, []string{key}, func(p goredis.Pipeliner, key string) {
		keys := []string{key}
		args := []any{data, touch, expireAt, string(count)}
		if count != "" && !s.cluster() {
			keys = append(keys, s.countsKey())
			if o.Open() {
				keys = append(keys, s.openKey())
				args = append(args, score(o.CreatedAt), member(o))
			}
		}
		cmd = storeScript.Eval(ctx, p, keys, args...)
	})
	if err != nil {
		return false, nil, err
	}
	if n, _ := cmd.Slice(); len(n) == 1 && count != "" && s.cluster() {
		_ = s.rdb.HIncrBy(ctx, s.countsKey(), string(count), 1).Err()
	}
	reply, err := cmd.Slice()
	if err != nil {
		return false, nil, err
	}
	if len(reply) == 1 {
		return true, data, nil
	}
	if len(reply) != 2 {
		return false, nil, fmt.Errorf("redis: create %s: unexpected reply %v", key, reply)
	}
	if v, ok := reply[1].(string); ok {
		return false, []byte(v), nil
	}
	return false, nil, nil
}

// unindexLoser removes the index entries that a create which lost to stored
// added and that stored does not use. Failing to is harmless: listing skips
// entries that do not match their order. (An entry of stored itself, added
// to the open index on a cluster when stored is no longer open, stays:
// removing it safely takes a write of the order, see open.go.)
func (s *Store) unindexLoser(ctx context.Context, loser, stored *shop.Order) {
	lm, sm := member(loser), member(stored)
	_, _ = s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		if lm != sm || loser.UserID != stored.UserID {
			p.ZRem(ctx, s.userKey(loser.UserID), lm)
		}
		if lm != sm {
			p.ZRem(ctx, s.allKey(), lm)
			if s.cluster() && loser.Open() {
				p.ZRem(ctx, s.openKey(), lm) // no order has lm: no update can need it
			}
		}
		return nil
	})
}

// Order returns the order, or an error wrapping shop.ErrNotFound.
func (s *Store) Order(ctx context.Context, tradeNo string) (shop.Order, error) {
	if err := s.check(); err != nil {
		return shop.Order{}, err
	}
	data, err := s.rdb.Get(ctx, s.orderKey(tradeNo)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return shop.Order{}, fmt.Errorf("redis: order %s: %w", tradeNo, shop.ErrNotFound)
	}
	if err != nil {
		return shop.Order{}, unavailable("order "+tradeNo, err)
	}
	var o shop.Order
	if err := json.Unmarshal(data, &o); err != nil {
		return shop.Order{}, fmt.Errorf("redis: decode order %s: %w", tradeNo, err)
	}
	return o, nil
}

var (
	// errFn marks an UpdateOrder callback error inside the transaction.
	errFn = errors.New("redis: callback failed")
	// errCodec marks a JSON error inside the transaction.
	errCodec = errors.New("redis: codec failed")
	// errIdentity is returned when an UpdateOrder callback changes what the
	// indexes are keyed on.
	errIdentity = errors.New("redis: UpdateOrder may not change tradeNo, userId or createdAt")
)

// UpdateOrder applies fn to the stored order in an optimistic transaction:
// WATCH the order's key, GET it, run fn, then MULTI/SET/EXEC. If another
// writer changed the order in between, EXEC fails and the whole step runs
// again with the new order, up to Config.MaxAttempts times with a short
// random backoff. fn may therefore run more than once; only the last run's
// result is written. fn returning shop.ErrNoChange writes nothing and
// returns the current order; any other error is returned as is and writes
// nothing. fn may not change TradeNo, UserID or CreatedAt.
func (s *Store) UpdateOrder(ctx context.Context, tradeNo string, fn func(*shop.Order) error) (shop.Order, error) {
	if err := s.check(); err != nil {
		return shop.Order{}, err
	}
	key := s.orderKey(tradeNo)
	for attempt := range s.cfg.MaxAttempts {
		var result shop.Order
		var fnErr, codecErr error
		err := s.rdb.Watch(ctx, func(tx *goredis.Tx) error {
			data, err := tx.Get(ctx, key).Bytes()
			if err != nil {
				return err
			}
			var cur, next shop.Order
			if codecErr = json.Unmarshal(data, &cur); codecErr != nil {
				return errCodec
			}
			_ = json.Unmarshal(data, &next) // a deep copy for fn
			if fnErr = fn(&next); fnErr != nil {
				if !errors.Is(fnErr, shop.ErrNoChange) {
					return errFn
				}
				result = cur
				if s.minReplicas <= 0 {
					return nil
				}
				// Answering from a state another call wrote: write it
				// again, unchanged, so that WAIT covers that write too.
				if _, err := tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
					p.Set(ctx, key, data, goredis.KeepTTL)
					return nil
				}); err != nil {
					return err
				}
				return s.waited(s.waitTx(ctx, tx))
			}
			if next.TradeNo != cur.TradeNo || next.UserID != cur.UserID || !next.CreatedAt.Equal(cur.CreatedAt) {
				return errIdentity
			}
			nd, err := json.Marshal(next)
			if codecErr = err; err != nil {
				return errCodec
			}
			opens := !cur.Open() && next.Open()
			closes := cur.Open() && !next.Open()
			var gen string
			switch {
			case s.cluster() && opens:
				if err := s.reopen(ctx, &next); err != nil {
					return err
				}
			case s.cluster() && closes:
				if gen, err = s.openGen(ctx); err != nil {
					return err
				}
			}
			if _, err := tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
				p.Set(ctx, key, nd, 0)
				if !s.cluster() {
					s.moveCount(ctx, p, cur.State, next.State)
					switch {
					case opens:
						p.ZAdd(ctx, s.openKey(), goredis.Z{Score: score(next.CreatedAt), Member: member(&next)})
					case closes:
						p.ZRem(ctx, s.openKey(), member(&next))
					}
				}
				return nil
			}); err != nil {
				return err
			}
			if s.cluster() && cur.State != next.State {
				_, _ = s.side.TxPipelined(ctx, func(p goredis.Pipeliner) error {
					s.moveCount(ctx, p, cur.State, next.State)
					return nil
				})
			}
			if err := s.waited(s.waitTx(ctx, tx)); err != nil {
				return err
			}
			if s.cluster() && closes {
				// Only once the close is confirmed: a failover that lost
				// it would bring back an open order.
				s.unindexClosed(ctx, gen, &next)
			}
			if codecErr = json.Unmarshal(nd, &result); codecErr != nil {
				return errCodec
			}
			return nil
		}, key)
		switch {
		case err == nil:
			return result, nil
		case errors.Is(err, goredis.TxFailedErr):
			if err := backoff(ctx, attempt); err != nil {
				return shop.Order{}, unavailable("update order "+tradeNo, err)
			}
		case errors.Is(err, errFn):
			return shop.Order{}, fnErr
		case errors.Is(err, goredis.Nil):
			return shop.Order{}, fmt.Errorf("redis: update order %s: %w", tradeNo, shop.ErrNotFound)
		case errors.Is(err, errIdentity):
			return shop.Order{}, fmt.Errorf("redis: update order %s: %w", tradeNo, err)
		case errors.Is(err, errCodec):
			return shop.Order{}, fmt.Errorf("redis: update order %s: %w", tradeNo, codecErr)
		case s.retryable(ctx, err, attempt):
			// The cluster's slot map changed (a failover): try again on
			// the master that serves the order now.
		default:
			return shop.Order{}, unavailable("update order "+tradeNo, err)
		}
	}
	return shop.Order{}, &shop.Error{Code: shop.EUNAVAILABLE, Message: "order busy",
		Err: fmt.Errorf("redis: update order %s: %d attempts: %w", tradeNo, s.cfg.MaxAttempts, goredis.TxFailedErr)}
}

// backoff sleeps a random while, growing with the attempt, up to 10ms.
func backoff(ctx context.Context, attempt int) error {
	return sleep(ctx, time.Duration(rand.Int64N(int64(min(attempt+1, 10))*int64(time.Millisecond))))
}

// pageSize is how many index entries Orders reads per round trip.
const pageSize = 100

// Orders lists the orders matching f, newest first (ties by TradeNo,
// descending). It pages through the user's index (or the open index when f
// asks for open states only, or the global one) from CreatedBefore down,
// loads each page's orders with one pipelined GET per order, and skips
// entries whose order is missing or does not match them.
func (s *Store) Orders(ctx context.Context, f shop.OrderFilter) (orders []shop.Order, err error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	index := s.allKey()
	switch {
	case f.UserID != "":
		index = s.userKey(f.UserID)
	case f.OpenOnly() && s.openIndexed(ctx):
		index = s.openKey()
	}
	maxScore, before := "+inf", ""
	if !f.CreatedBefore.IsZero() {
		maxScore = strconv.FormatInt(f.CreatedBefore.UnixMilli(), 10)
		before = timeKey(f.CreatedBefore)
	}
	count := int64(pageSize)
	if f.Limit > 0 && f.Limit < pageSize && len(f.States) == 0 && f.CreatedBefore.IsZero() {
		count = int64(f.Limit)
	}
	var out []shop.Order
	seen := make(map[string]bool) // an insert during paging shifts offsets
	pruning := index == s.openKey() && s.cluster()
	var extra []extraEntry // entries of the open index to prune
	if pruning {
		defer func() {
			if err != nil {
				return
			}
			for _, e := range extra {
				if e.missing {
					s.pruneMissing(ctx, e.member, e.tradeNo)
				} else {
					s.pruneOpen(ctx, e.member, e.tradeNo)
				}
			}
		}()
	}
	for offset := int64(0); ; offset += count {
		members, ok := []string(nil), false
		if offset == 0 && count == pageSize && maxScore == "+inf" {
			members, ok = s.preloadedIndex(ctx, index) // read by BeginTurn
		}
		if !ok {
			page := indexPage(ctx, index, maxScore, offset, count)
			s.pipe.send(ctx, page)
			var err error
			if members, err = page.Result(); err != nil {
				return nil, unavailable("list orders", err)
			}
		}
		var want []string
		for _, m := range members {
			if len(m) <= timeKeyLen || m[timeKeyLen] != ':' || (before != "" && m[:timeKeyLen] >= before) {
				continue
			}
			want = append(want, m)
		}
		cmds := make([]goredis.Cmder, len(want))
		for i, m := range want {
			cmds[i] = goredis.NewStringCmd(ctx, "get", s.orderKey(m[timeKeyLen+1:]))
		}
		s.pipe.send(ctx, cmds...)
		for i, cmd := range cmds {
			data, err := cmd.(*goredis.StringCmd).Bytes()
			if errors.Is(err, goredis.Nil) { // indexed, not (yet) written
				if pruning && len(extra) < maxPrune && s.missing.expired(want[i], s.cfg.Now()) {
					extra = append(extra, extraEntry{want[i], want[i][timeKeyLen+1:], true})
				}
				continue
			}
			if err != nil {
				return nil, unavailable("list orders", err)
			}
			var o shop.Order
			if err := json.Unmarshal(data, &o); err != nil {
				return nil, fmt.Errorf("redis: decode order %s: %w", want[i][timeKeyLen+1:], err)
			}
			if member(&o) != want[i] || seen[o.TradeNo] || !f.Match(&o) {
				if pruning && (!o.Open() || member(&o) != want[i]) && len(extra) < maxPrune {
					extra = append(extra, extraEntry{want[i], o.TradeNo, false})
				}
				continue
			}
			seen[o.TradeNo] = true
			out = append(out, o)
			if f.Limit > 0 && len(out) >= f.Limit {
				return out, nil
			}
		}
		if int64(len(members)) < count {
			return out, nil
		}
	}
}
