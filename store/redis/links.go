package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// Account linking's keys (Config.Prefix in front of each):
//
//	grant:{<key>}    string: the grant's JSON, expiring at its ExpiresAt
//
// MoveOrders touches the keys of orders and user indexes already listed in
// the package doc, one order at a time (see MoveOrders).

var _ shop.LinkStore = (*Store)(nil)

func (s *Store) grantKey(key string) string { return s.cfg.Prefix + "grant:{" + key + "}" }

// PutGrant stores g under key with SET PXAT, expiring at g.ExpiresAt by
// Redis's clock; an existing grant is replaced.
func (s *Store) PutGrant(ctx context.Context, key string, g shop.Grant) error {
	if key == "" {
		return shop.Errorf(shop.EINVALID, "redis: grant has no key")
	}
	if err := s.check(); err != nil {
		return err
	}
	data, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("redis: put grant: %w", err)
	}
	// An instant before 1970 is already past: the grant is gone at once.
	err = s.write(ctx, []string{s.grantKey(key)}, func(p goredis.Pipeliner, k string) {
		p.Do(ctx, "set", k, data, "pxat", max(g.ExpiresAt.UnixMilli(), 1))
	})
	if err != nil {
		return unavailable("put grant", err)
	}
	return nil
}

// Grant returns the grant under key, or an error wrapping shop.ErrNotFound
// when there is none or it has expired (by Config.Now as well as Redis's
// clock).
func (s *Store) Grant(ctx context.Context, key string) (shop.Grant, error) {
	if err := s.check(); err != nil {
		return shop.Grant{}, err
	}
	return s.liveGrant(s.rdb.Get(ctx, s.grantKey(key)).Bytes())
}

// TakeGrant deletes the grant under key and returns it, with GETDEL: one
// command, so of concurrent takers exactly one gets it.
func (s *Store) TakeGrant(ctx context.Context, key string) (shop.Grant, error) {
	if err := s.check(); err != nil {
		return shop.Grant{}, err
	}
	// With replicas required, the delete is confirmed before the grant is
	// used: a failover must not bring a used code back.
	var take *goredis.StringCmd
	err := s.write(ctx, []string{s.grantKey(key)}, func(p goredis.Pipeliner, k string) { take = p.GetDel(ctx, k) })
	if err != nil && !errors.Is(err, goredis.Nil) {
		return shop.Grant{}, unavailable("take grant", err)
	}
	return s.liveGrant(take.Bytes())
}

// liveGrant decodes the reply of a GET of a grant; none, or an expired
// one, is shop.ErrNotFound.
func (s *Store) liveGrant(data []byte, err error) (shop.Grant, error) {
	if errors.Is(err, goredis.Nil) {
		return shop.Grant{}, fmt.Errorf("redis: grant: %w", shop.ErrNotFound)
	}
	if err != nil {
		return shop.Grant{}, unavailable("grant", err)
	}
	var g shop.Grant
	if err := json.Unmarshal(data, &g); err != nil {
		return shop.Grant{}, fmt.Errorf("redis: decode grant: %w", err)
	}
	if !s.cfg.Now().Before(g.ExpiresAt) {
		return shop.Grant{}, fmt.Errorf("redis: grant: %w", shop.ErrNotFound)
	}
	return g, nil
}

// MoveOrders gives every order in from's index to to. Each order moves in
// three steps that keep it listed under exactly one owner whatever fails
// between them: its entry is added to to's index (listing skips an entry
// whose order names another owner), the order itself changes owner in an
// optimistic transaction on its key alone (WATCH/MULTI, as UpdateOrder;
// the order's key is the truth, and a single-key transaction works on
// Redis Cluster), then the entry leaves from's index. A crash midway
// leaves the rest to the next call. The common case, nothing to move,
// costs one ZRANGE.
func (s *Store) MoveOrders(ctx context.Context, from, to string, at time.Time) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	if from == to {
		return 0, nil
	}
	entries, err := s.rdb.ZRangeWithScores(ctx, s.userKey(from), 0, -1).Result()
	if err != nil {
		return 0, unavailable("move orders", err)
	}
	moved := 0
	if len(entries) > 0 {
		s.indexChanged(ctx, s.userKey(from))
		s.indexChanged(ctx, s.userKey(to))
	}
	for _, z := range entries {
		m, ok := z.Member.(string)
		if !ok || len(m) <= timeKeyLen || m[timeKeyLen] != ':' {
			continue
		}
		if err := s.write(ctx, []string{s.userKey(to)}, func(p goredis.Pipeliner, k string) { s.index(ctx, p, k, z.Score, m) }); err != nil {
			return moved, unavailable("move orders", err)
		}
		ok, err := s.moveOrder(ctx, m[timeKeyLen+1:], from, to, at)
		if err != nil {
			return moved, err
		}
		if ok {
			moved++
		}
		// The entry is stale now (the order is to's, or was never from's):
		// failing to remove it is harmless, listing skips it.
		_ = s.rdb.ZRem(ctx, s.userKey(from), m).Err()
	}
	return moved, nil
}

// moveOrder changes the owner of one order from from to to, in an
// optimistic transaction on the order's key; false when the order is not
// from's (any more).
func (s *Store) moveOrder(ctx context.Context, tradeNo, from, to string, at time.Time) (bool, error) {
	key := s.orderKey(tradeNo)
	for attempt := range s.cfg.MaxAttempts {
		moved := false
		var codecErr error
		err := s.rdb.Watch(ctx, func(tx *goredis.Tx) error {
			data, err := tx.Get(ctx, key).Bytes()
			if errors.Is(err, goredis.Nil) {
				return nil // indexed, never written
			}
			if err != nil {
				return err
			}
			var o shop.Order
			if codecErr = json.Unmarshal(data, &o); codecErr != nil {
				return errCodec
			}
			wasOpen := o.Open()
			if o.UserID != from || o.MoveOwner(to, at) != nil {
				return nil
			}
			nd, err := json.Marshal(o)
			if codecErr = err; err != nil {
				return errCodec
			}
			// Open until settled (shop.Order.Unsettled), indexed as
			// UpdateOrder indexes an order that opens.
			opens := !wasOpen && o.Open()
			if s.cluster() && opens {
				if err := s.reopen(ctx, &o); err != nil {
					return err
				}
			}
			if _, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
				p.Set(ctx, key, nd, 0)
				if !s.cluster() && opens {
					p.ZAdd(ctx, s.openKey(), goredis.Z{Score: score(o.CreatedAt), Member: member(&o)})
				}
				return nil
			}); err != nil {
				return err
			}
			moved = true
			return s.waited(s.waitTx(ctx, tx))
		}, key)
		switch {
		case err == nil:
			return moved, nil
		case errors.Is(err, goredis.TxFailedErr):
			if err := backoff(ctx, attempt); err != nil {
				return false, unavailable("move order "+tradeNo, err)
			}
		case errors.Is(err, errCodec):
			return false, fmt.Errorf("redis: move order %s: %w", tradeNo, codecErr)
		default:
			return false, unavailable("move order "+tradeNo, err)
		}
	}
	return false, &shop.Error{Code: shop.EUNAVAILABLE, Message: "order busy",
		Err: fmt.Errorf("redis: move order %s: %d attempts: %w", tradeNo, s.cfg.MaxAttempts, goredis.TxFailedErr)}
}
