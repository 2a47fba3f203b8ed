package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	bbolt "go.etcd.io/bbolt"
)

var _ shop.LinkStore = (*Store)(nil)

// grantExpiryKey is a grant's entry in the grant_expiry index: when it
// expires (a fixed-length time key), then its key.
func grantExpiryKey(key string, g *shop.Grant) []byte {
	return append(timeKey(g.ExpiresAt), key...)
}

// PutGrant stores g under key, replacing what was there. In the same
// transaction it deletes up to pruneBatch expired grants, the oldest first.
func (s *Store) PutGrant(ctx context.Context, key string, g shop.Grant) error {
	if key == "" {
		return shop.Errorf(shop.EINVALID, "bolt: grant has no key")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: put grant: %w", err)
	}
	data, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("bolt: put grant: %w", err)
	}
	now := s.now()
	err = s.w.do(func(tx *bbolt.Tx) error {
		if err := pruneGrants(tx, now); err != nil {
			return err
		}
		grants, index := tx.Bucket(bucketGrants), tx.Bucket(bucketGrantExpiry)
		if old := grants.Get([]byte(key)); old != nil {
			var prev shop.Grant
			if json.Unmarshal(old, &prev) == nil {
				if err := index.Delete(grantExpiryKey(key, &prev)); err != nil {
					return err
				}
			}
		}
		if err := grants.Put([]byte(key), data); err != nil {
			return err
		}
		return index.Put(grantExpiryKey(key, &g), nil)
	})
	if err != nil {
		return fmt.Errorf("bolt: put grant: %w", err)
	}
	return nil
}

// pruneGrants deletes up to pruneBatch grants expired by now, the oldest
// first.
func pruneGrants(tx *bbolt.Tx, now time.Time) error {
	return pruneBefore(tx, now, bucketGrantExpiry, bucketGrants)
}

// Grant returns the grant under key, or an error wrapping shop.ErrNotFound
// when there is none or it has expired (by Config.Now).
func (s *Store) Grant(ctx context.Context, key string) (shop.Grant, error) {
	if err := ctx.Err(); err != nil {
		return shop.Grant{}, fmt.Errorf("bolt: grant: %w", err)
	}
	var data []byte
	err := s.db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketGrants).Get([]byte(key)); v != nil {
			data = append([]byte{}, v...)
		}
		return nil
	})
	if err != nil {
		return shop.Grant{}, fmt.Errorf("bolt: grant: %w", err)
	}
	return s.liveGrant(data)
}

// TakeGrant deletes the grant under key and returns it. bbolt runs one
// writer at a time, so of concurrent takers exactly one finds it.
func (s *Store) TakeGrant(ctx context.Context, key string) (shop.Grant, error) {
	if err := ctx.Err(); err != nil {
		return shop.Grant{}, fmt.Errorf("bolt: take grant: %w", err)
	}
	var data []byte
	err := s.w.do(func(tx *bbolt.Tx) error {
		data = nil
		grants := tx.Bucket(bucketGrants)
		v := grants.Get([]byte(key))
		if v == nil {
			return nil
		}
		data = append([]byte{}, v...)
		var g shop.Grant
		if json.Unmarshal(data, &g) == nil {
			if err := tx.Bucket(bucketGrantExpiry).Delete(grantExpiryKey(key, &g)); err != nil {
				return err
			}
		}
		return grants.Delete([]byte(key))
	})
	if err != nil {
		return shop.Grant{}, fmt.Errorf("bolt: take grant: %w", err)
	}
	return s.liveGrant(data)
}

// liveGrant decodes a stored grant; none, or an expired one, is
// shop.ErrNotFound.
func (s *Store) liveGrant(data []byte) (shop.Grant, error) {
	if data == nil {
		return shop.Grant{}, fmt.Errorf("bolt: grant: %w", shop.ErrNotFound)
	}
	var g shop.Grant
	if err := json.Unmarshal(data, &g); err != nil {
		return shop.Grant{}, fmt.Errorf("bolt: decode grant: %w", err)
	}
	if !s.now().Before(g.ExpiresAt) {
		return shop.Grant{}, fmt.Errorf("bolt: grant: %w", shop.ErrNotFound)
	}
	return g, nil
}

// MoveOrders gives every order of from to to, all in one transaction: the
// orders (with their history entry) and the user index change together.
// A read transaction first finds whether from has any order, so the common
// case (nothing left to move) writes and fsyncs nothing.
func (s *Store) MoveOrders(ctx context.Context, from, to string, at time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("bolt: move orders: %w", err)
	}
	if from == to {
		return 0, nil
	}
	var has bool
	if err := s.db.View(func(tx *bbolt.Tx) error {
		has = len(userTimeKeys(tx, from)) > 0
		return nil
	}); err != nil || !has {
		return 0, err
	}
	moved := 0
	err := s.w.do(func(tx *bbolt.Tx) error {
		moved = 0
		orders, byUser := tx.Bucket(bucketOrders), tx.Bucket(bucketByUser)
		for _, k := range userTimeKeys(tx, from) {
			tradeNo := string(k[timeKeyLen:])
			var o shop.Order
			if err := getOrder(tx, tradeNo, &o); err != nil {
				return fmt.Errorf("order %s: %w", tradeNo, err)
			}
			if o.UserID != from || o.MoveOwner(to, at) != nil {
				continue
			}
			data, err := json.Marshal(o)
			if err != nil {
				return err
			}
			if err := orders.Put([]byte(tradeNo), data); err != nil {
				return err
			}
			if err := indexOpen(tx, &o); err != nil { // open until settled
				return err
			}
			if err := byUser.Delete(userKey(from, tradeNo)); err != nil {
				return err
			}
			if err := byUser.Put(userKey(to, tradeNo), timeKey(o.CreatedAt)); err != nil {
				return err
			}
			moved++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("bolt: move orders: %w", err)
	}
	return moved, nil
}
