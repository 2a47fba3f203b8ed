package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/dingdang-voicepay/voicepay/shop"
	bbolt "go.etcd.io/bbolt"
)

// bucketCounts holds how many orders are in each state: state → int64
// (big-endian), kept in the same transaction as every write that creates
// an order or changes its state, so it is always exact.
var bucketCounts = []byte("order_counts")

// OrderCounts returns how many orders are in each state. It reads the
// counts the store keeps, not the orders: its cost does not grow with the
// number of orders.
func (s *Store) OrderCounts(ctx context.Context) (map[shop.OrderState]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bolt: order counts: %w", err)
	}
	out := map[shop.OrderState]int64{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
			if len(v) == 8 {
				out[shop.OrderState(k)] = int64(binary.BigEndian.Uint64(v))
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: order counts: %w", err)
	}
	return out, nil
}

// addCount adds d to the count of orders in state, inside tx.
func addCount(tx *bbolt.Tx, state shop.OrderState, d int64) error {
	b := tx.Bucket(bucketCounts)
	var n int64
	if v := b.Get([]byte(state)); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(n+d))
	return b.Put([]byte(state), buf[:])
}

// moveCount records an order's move from one state to another, inside tx.
func moveCount(tx *bbolt.Tx, from, to shop.OrderState) error {
	if from == to {
		return nil
	}
	if err := addCount(tx, from, -1); err != nil {
		return err
	}
	return addCount(tx, to, 1)
}

// setupCounts creates the counts bucket; in a file written before it
// existed, it counts the orders once.
func setupCounts(tx *bbolt.Tx) error {
	if tx.Bucket(bucketCounts) != nil {
		return nil
	}
	if _, err := tx.CreateBucket(bucketCounts); err != nil {
		return err
	}
	return tx.Bucket(bucketOrders).ForEach(func(k, v []byte) error {
		var o struct {
			State shop.OrderState `json:"state"`
		}
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("count order %s: %w", k, err)
		}
		return addCount(tx, o.State, 1)
	})
}
