package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	bbolt "go.etcd.io/bbolt"
)

// timeKeyLen is the length of a created-time key.
const timeKeyLen = 12

// timeKey encodes t so that byte order is time order: unix seconds with the
// sign bit flipped, then nanoseconds, big-endian.
func timeKey(t time.Time) []byte {
	k := make([]byte, timeKeyLen)
	binary.BigEndian.PutUint64(k, uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(k[8:], uint32(t.Nanosecond()))
	return k
}

// userPrefix is the start of every user_orders key of a user: the id's
// length as a uvarint, then the id. Uvarints are prefix-free, so no user's
// prefix starts another user's keys.
func userPrefix(userID string) []byte {
	return append(binary.AppendUvarint(nil, uint64(len(userID))), userID...)
}

func userKey(userID, tradeNo string) []byte {
	return append(userPrefix(userID), tradeNo...)
}

func timeIndexKey(t time.Time, tradeNo string) []byte {
	return append(timeKey(t), tradeNo...)
}

// CreateOrder stores o under its TradeNo unless an order has that TradeNo
// already, in which case it returns the stored order and created=false. A
// zero CreatedAt is set to the store's clock. The returned order is what a
// later Order call returns.
func (s *Store) CreateOrder(ctx context.Context, o shop.Order) (shop.Order, bool, error) {
	if o.TradeNo == "" {
		return shop.Order{}, false, shop.Errorf(shop.EINVALID, "bolt: order has no tradeNo")
	}
	if err := ctx.Err(); err != nil {
		return shop.Order{}, false, fmt.Errorf("bolt: create order %s: %w", o.TradeNo, err)
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.now().UTC()
	}
	data, err := json.Marshal(o)
	if err != nil {
		return shop.Order{}, false, fmt.Errorf("bolt: create order %s: %w", o.TradeNo, err)
	}
	var stored []byte
	created := false
	// The committer shares one transaction (and fsync) among concurrent
	// writers and may run fn more than once, so fn starts from scratch each time and
	// returns an error only for a real failure.
	err = s.w.do(func(tx *bbolt.Tx) error {
		stored, created = nil, false
		orders := tx.Bucket(bucketOrders)
		if v := orders.Get([]byte(o.TradeNo)); v != nil {
			stored = append([]byte{}, v...)
			return nil
		}
		if err := orders.Put([]byte(o.TradeNo), data); err != nil {
			return err
		}
		if err := tx.Bucket(bucketByUser).Put(userKey(o.UserID, o.TradeNo), timeKey(o.CreatedAt)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketByTime).Put(timeIndexKey(o.CreatedAt, o.TradeNo), []byte(o.TradeNo)); err != nil {
			return err
		}
		if err := addCount(tx, o.State, 1); err != nil {
			return err
		}
		if o.Open() {
			if err := indexOpen(tx, &o); err != nil {
				return err
			}
		}
		created = true
		return nil
	})
	if err != nil {
		return shop.Order{}, false, fmt.Errorf("bolt: create order %s: %w", o.TradeNo, err)
	}
	if !created {
		data = stored
	}
	var out shop.Order
	if err := json.Unmarshal(data, &out); err != nil {
		return shop.Order{}, false, fmt.Errorf("bolt: decode order %s: %w", o.TradeNo, err)
	}
	return out, created, nil
}

// Order returns the order, or an error wrapping shop.ErrNotFound.
func (s *Store) Order(ctx context.Context, tradeNo string) (shop.Order, error) {
	if err := ctx.Err(); err != nil {
		return shop.Order{}, fmt.Errorf("bolt: order %s: %w", tradeNo, err)
	}
	var o shop.Order
	err := s.db.View(func(tx *bbolt.Tx) error {
		return getOrder(tx, tradeNo, &o)
	})
	if err != nil {
		return shop.Order{}, fmt.Errorf("bolt: order %s: %w", tradeNo, err)
	}
	return o, nil
}

func getOrder(tx *bbolt.Tx, tradeNo string, o *shop.Order) error {
	v := tx.Bucket(bucketOrders).Get([]byte(tradeNo))
	if v == nil {
		return shop.ErrNotFound
	}
	if err := json.Unmarshal(v, o); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// errIdentity is returned when an UpdateOrder callback changes what the
// indexes are keyed on.
var errIdentity = errors.New("bolt: UpdateOrder may not change tradeNo, userId or createdAt")

// UpdateOrder applies fn to the stored order inside one write transaction:
// bbolt runs one writer at a time, so fn always sees the latest order and no
// retry is needed. fn returning shop.ErrNoChange writes nothing and returns
// the current order; any other error is returned as is and writes nothing.
// fn may not change TradeNo, UserID or CreatedAt.
func (s *Store) UpdateOrder(ctx context.Context, tradeNo string, fn func(*shop.Order) error) (shop.Order, error) {
	if err := ctx.Err(); err != nil {
		return shop.Order{}, fmt.Errorf("bolt: update order %s: %w", tradeNo, err)
	}
	var cur, next shop.Order
	var fnErr error
	// The committer shares one transaction (and fsync) among concurrent
	// writers and may run this more than once: it starts from the stored order each time,
	// and a refusal (fnErr) writes nothing without failing the batch.
	err := s.w.do(func(tx *bbolt.Tx) error {
		cur, next, fnErr = shop.Order{}, shop.Order{}, nil
		if err := getOrder(tx, tradeNo, &cur); err != nil {
			fnErr = err
			return nil
		}
		if err := getOrder(tx, tradeNo, &next); err != nil { // a deep copy for fn
			return err
		}
		if fnErr = fn(&next); fnErr != nil {
			return nil
		}
		if next.TradeNo != cur.TradeNo || next.UserID != cur.UserID || !next.CreatedAt.Equal(cur.CreatedAt) {
			fnErr = errIdentity
			return nil
		}
		data, err := json.Marshal(next)
		if err != nil {
			return err
		}
		if err := moveCount(tx, cur.State, next.State); err != nil {
			return err
		}
		if cur.Open() != next.Open() {
			if err := indexOpen(tx, &next); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketOrders).Put([]byte(tradeNo), data)
	})
	switch {
	case err != nil:
		return shop.Order{}, fmt.Errorf("bolt: update order %s: %w", tradeNo, err)
	case errors.Is(fnErr, shop.ErrNoChange):
		return cur, nil
	case errors.Is(fnErr, shop.ErrNotFound), fnErr == errIdentity:
		return shop.Order{}, fmt.Errorf("bolt: update order %s: %w", tradeNo, fnErr)
	case fnErr != nil:
		return shop.Order{}, fnErr
	}
	// Return the order as stored (a JSON round trip), like Order would.
	data, err := json.Marshal(next)
	if err == nil {
		var out shop.Order
		if err = json.Unmarshal(data, &out); err == nil {
			return out, nil
		}
	}
	return shop.Order{}, fmt.Errorf("bolt: update order %s: %w", tradeNo, err)
}

// Orders lists the orders matching f, newest first (ties by TradeNo,
// descending). With a UserID it reads that user's index; otherwise it walks
// the time index backwards from CreatedBefore, or the index of open orders
// (keyed the same way) when f asks for open orders only (OpenOnly).
func (s *Store) Orders(ctx context.Context, f shop.OrderFilter) ([]shop.Order, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bolt: orders: %w", err)
	}
	var out []shop.Order
	err := s.db.View(func(tx *bbolt.Tx) error {
		add := func(tradeNo string) (done bool, err error) {
			var o shop.Order
			if err := getOrder(tx, tradeNo, &o); err != nil {
				return false, fmt.Errorf("order %s: %w", tradeNo, err)
			}
			if f.Match(&o) {
				out = append(out, o)
			}
			return f.Limit > 0 && len(out) >= f.Limit, nil
		}
		if f.UserID != "" {
			for _, k := range userTimeKeys(tx, f.UserID) {
				if done, err := add(string(k[timeKeyLen:])); done || err != nil {
					return err
				}
			}
			return nil
		}
		index := bucketByTime
		if f.OpenOnly() {
			index = bucketOpen
		}
		c := tx.Bucket(index).Cursor()
		var k []byte
		if f.CreatedBefore.IsZero() {
			k, _ = c.Last()
		} else if k, _ = c.Seek(timeKey(f.CreatedBefore)); k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil; k, _ = c.Prev() {
			if len(k) < timeKeyLen {
				continue
			}
			if done, err := add(string(k[timeKeyLen:])); done || err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: orders: %w", err)
	}
	return out, nil
}

// userTimeKeys returns a user's orders as time-index keys, newest first.
func userTimeKeys(tx *bbolt.Tx, userID string) [][]byte {
	prefix := userPrefix(userID)
	var keys [][]byte
	c := tx.Bucket(bucketByUser).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		keys = append(keys, append(append([]byte{}, v...), k[len(prefix):]...))
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) > 0 })
	return keys
}
