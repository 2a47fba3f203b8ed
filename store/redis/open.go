package redis

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// The index of open orders.
//
// open:{orders} is a ZSET like orders (same members, same scores) that
// holds the open orders (shop.Order.Open: CREATED, PAID, REFUNDING, and
// the duplicates whose refund failed), so that a listing of open orders
// only (the reconciler's, on every pass) reads them and not the whole
// ledger. It may hold extra entries (an order
// that is not open, or not written): listing skips them, as it skips
// entries of the other indexes that do not match their order. What it may
// never do is miss an open order. On data written before the index, or
// with one built for an older definition of open (shop.OpenVersion), New
// rebuilds it (rebuild.go). open:{orders}:gen shares the index's hash
// slot: on a cluster it counts the moves into the open states (see below).
//
// On a single Redis (or behind Sentinel) the index changes with the order:
// a create adds the entry in the script that stores the order, an update
// adds or removes it in the MULTI/EXEC that writes the order. It is exact.
//
// On a Redis Cluster the index is in another hash slot than the order, so
// it cannot change in the order's transaction. The order's key is the
// truth, and the index follows it so that an open order is never missing:
//
//   - A create of an open order adds its entry before storing the order,
//     with the other indexes (a crash in between leaves an entry without
//     an order; a create that finds the order there leaves, at worst, an
//     extra entry for it).
//   - An update that makes an order open (a closed order paid late, a
//     refund started on a delivered one), after reading the order and
//     before its EXEC, runs reopenScript: it increments gen and adds the
//     entry, and the EXEC follows only when that succeeded (and was
//     confirmed by the replicas, when they are required).
//   - An update that takes an order out of the open states reads gen
//     before its EXEC and, after the EXEC, removes the entry with
//     unindexScript only if gen is still what it read.
//
// Why a closer B cannot remove the entry of a reopener A: A's EXEC and B's
// EXEC both succeed, and each watched the order from its GET to its EXEC,
// so one of the two ran entirely after the other's EXEC. If B's EXEC came
// first (B closed, then A reopened), A's increment came after A's GET,
// hence after B's EXEC, hence after B read gen: when B's removal comes
// after A's increment it finds gen changed and removes nothing, and when
// it comes before, A's add (after the increment) puts the entry back. If
// A's EXEC came first (A reopened, then B closed it), the order is closed
// when B removes the entry; a third writer reopening it since then has
// incremented gen after B's EXEC, which again stops B's removal or re-adds
// the entry. A crash between the steps leaves an extra entry (a closer
// dying before its removal, a reopener dying before its EXEC), never a
// missing one. The simpler "remove, then read the order again and re-add
// it if it was reopened" has a window: a closer dying between its removal
// and its re-add loses the entry of an order a concurrent writer reopened.
//
// A failover loses only what replicas did not confirm: with replicas
// required, a reopener's add is confirmed before its EXEC, and a closer
// removes the entry only once its own write is confirmed, so a close lost
// with a master leaves its entry in place. The commands on gen and the
// index that an update sends while it holds the order's connection go
// through the store's second client (Store.side).
//
// A closer's removal refused because gen moved (any order was reopened in
// the few milliseconds of its update) leaves an extra entry; so do a crash
// and a create repeated after its order was settled. A listing of the open
// index skips them, and removes those whose order it found settled
// (pruneOpen, at most maxPrune a listing): it reads gen, then rewrites the
// order unchanged in a transaction that watches it (and, with replicas
// required, waits until they have it, so that the settled state it saw is
// theirs too), and removes the entry only if gen has not moved. The rewrite is what makes that safe against
// a reopener between its reopenScript and its EXEC, the one moment the
// order is still closed while its entry is already needed: that EXEC
// fails on the rewrite, and its retry runs reopenScript again, after the
// rewrite and so after this gen was read, which either refuses the removal
// (gen moved) or adds the entry back after it. A reopener whose EXEC came
// first makes the rewrite fail instead, and nothing is removed.
//
// An entry whose order is missing may be a create in flight (its entry is
// written first) or one that crashed. A listing notes when it first found
// it missing (missingSince, in the process) and removes it once it has
// been missing for missingGrace, far longer than a create can take (its
// writes are bounded by the client's timeouts): by then no create can
// still store that order under that entry. The removal reads the order
// once more first.

func (s *Store) openKey() string    { return s.cfg.Prefix + "open:{orders}" }
func (s *Store) openGenKey() string { return s.cfg.Prefix + "open:{orders}:gen" }

// reopenScript increments KEYS[2] (gen) and adds member ARGV[2] with score
// ARGV[1] to the open index KEYS[1].
var reopenScript = goredis.NewScript(`
redis.call('INCR', KEYS[2])
return redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
`)

// unindexScript removes member ARGV[2] from the open index KEYS[1] if gen
// (KEYS[2]) is still ARGV[1] ("" for none), and returns how many it
// removed.
var unindexScript = goredis.NewScript(`
local gen = redis.call('GET', KEYS[2]) or ''
if gen ~= ARGV[1] then return 0 end
return redis.call('ZREM', KEYS[1], ARGV[2])
`)

// reopen adds an order's entry to the open index before the update that
// makes it open, on a cluster (see the top of this file).
func (s *Store) reopen(ctx context.Context, o *shop.Order) error {
	return s.writeVia(ctx, s.side, []string{s.openKey()}, func(p goredis.Pipeliner, key string) {
		reopenScript.Eval(ctx, p, []string{key, s.openGenKey()}, score(o.CreatedAt), member(o))
	})
}

// openGen reads gen before an update that takes an order out of the open
// states, on a cluster.
func (s *Store) openGen(ctx context.Context) (string, error) {
	gen, err := s.side.Get(ctx, s.openGenKey()).Result()
	if errors.Is(err, goredis.Nil) {
		return "", nil
	}
	return gen, err
}

// unindexClosed removes a closed order's entry from the open index if gen
// is still what was read before the update that closed it, on a cluster.
// Failing is harmless: the entry stays, and listing skips it.
func (s *Store) unindexClosed(ctx context.Context, gen string, o *shop.Order) {
	_ = unindexScript.Run(ctx, s.side, []string{s.openKey(), s.openGenKey()}, gen, member(o)).Err()
}

// extraEntry is an entry of the open index that a listing found extra:
// its order settled or recorded under another entry, or missing.
type extraEntry struct {
	member, tradeNo string
	missing         bool
}

// maxPrune bounds how many extra entries one listing removes (pruneOpen).
const maxPrune = 32

// pruneOpen removes the entry m of the open index, whose order tradeNo a
// listing found settled (or recorded under another entry), on a cluster
// (see the top of this file), and reports whether it did. Failing is
// harmless: the entry stays.
func (s *Store) pruneOpen(ctx context.Context, m, tradeNo string) bool {
	gen, err := s.openGen(ctx)
	if err != nil {
		return false
	}
	key := s.orderKey(tradeNo)
	err = s.rdb.Watch(ctx, func(tx *goredis.Tx) error {
		data, err := tx.Get(ctx, key).Bytes()
		if err != nil {
			return err
		}
		var o shop.Order
		if err := json.Unmarshal(data, &o); err != nil {
			return err
		}
		if o.Open() && member(&o) == m {
			return errStillOpen
		}
		if _, err := tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			p.Set(ctx, key, data, goredis.KeepTTL) // the same bytes: only watchers notice
			return nil
		}); err != nil {
			return err
		}
		// With replicas, only a settled state they have may lose its entry:
		// a close not yet confirmed could be lost with its master, and the
		// order would be open again without one.
		return s.waited(s.waitTx(ctx, tx))
	}, key)
	if err != nil {
		return false
	}
	n, err := unindexScript.Run(ctx, s.side, []string{s.openKey(), s.openGenKey()}, gen, m).Int()
	return err == nil && n > 0
}

// missingGrace is how long an entry of the open index must have been
// found without its order before a listing removes it.
const missingGrace = 10 * time.Minute

// maxMissing bounds how many missing orders' entries a process tracks.
const maxMissing = 1024

// missingSince remembers when listings first found the entries of the
// open index without their order.
type missingSince struct {
	mu    sync.Mutex
	since map[string]time.Time
}

// expired notes that the entry m was found without its order at now and
// reports whether it has been so for missingGrace.
func (ms *missingSince) expired(m string, now time.Time) bool {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if t, ok := ms.since[m]; ok {
		return now.Sub(t) >= missingGrace
	}
	if ms.since == nil {
		ms.since = make(map[string]time.Time)
	}
	if len(ms.since) >= maxMissing {
		// Entries not found missing again since (their order came) go.
		for k, t := range ms.since {
			if now.Sub(t) >= 2*missingGrace {
				delete(ms.since, k)
			}
		}
		if len(ms.since) >= maxMissing {
			return false
		}
	}
	ms.since[m] = now
	return false
}

// forget drops the entry m.
func (ms *missingSince) forget(m string) {
	ms.mu.Lock()
	delete(ms.since, m)
	ms.mu.Unlock()
}

// pruneMissing removes the entry m of the open index, whose order tradeNo
// listings have found missing for missingGrace, if it is still missing (see
// the top of this file).
func (s *Store) pruneMissing(ctx context.Context, m, tradeNo string) {
	n, err := s.rdb.Exists(ctx, s.orderKey(tradeNo)).Result()
	if err != nil {
		return
	}
	if n == 0 {
		if err := s.side.ZRem(ctx, s.openKey(), m).Err(); err != nil {
			return
		}
	}
	s.missing.forget(m)
}

// errStillOpen stops pruneOpen: the order was reopened since the listing.
var errStillOpen = errors.New("redis: order open again")
