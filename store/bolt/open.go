package bolt

import (
	"encoding/json"
	"fmt"

	"github.com/dingdang-voicepay/voicepay/shop"
	bbolt "go.etcd.io/bbolt"
)

// bucketOpen indexes the open orders (shop.Order.Open: CREATED, PAID,
// REFUNDING, and the duplicates whose refund failed), keyed like by_time
// (created-time key ‖ tradeNo → tradeNo). It changes in the same
// transaction as every write that creates an order or moves it into or out
// of the open ones, so it always holds exactly the open orders; a listing
// of open orders only (the reconciler's, on every pass) walks it instead of
// the whole ledger.
var bucketOpen = []byte("open_orders")

// indexOpen adds an order to the open index when it is open, or removes it
// when it is not, inside tx.
func indexOpen(tx *bbolt.Tx, o *shop.Order) error {
	b := tx.Bucket(bucketOpen)
	if o.Open() {
		return b.Put(timeIndexKey(o.CreatedAt, o.TradeNo), []byte(o.TradeNo))
	}
	return b.Delete(timeIndexKey(o.CreatedAt, o.TradeNo))
}

// setupOpen creates the open index; in a file written before it existed,
// it indexes the open orders once.
func setupOpen(tx *bbolt.Tx) error {
	if tx.Bucket(bucketOpen) != nil {
		return nil
	}
	if _, err := tx.CreateBucket(bucketOpen); err != nil {
		return err
	}
	return tx.Bucket(bucketOrders).ForEach(func(k, v []byte) error {
		var head struct {
			State       shop.OrderState `json:"state"`
			DuplicateOf string          `json:"duplicateOf"`
		}
		if err := json.Unmarshal(v, &head); err != nil {
			return fmt.Errorf("index open order %s: %w", k, err)
		}
		if !head.State.Open() && head.DuplicateOf == "" {
			return nil // settled, and no duplicate: not open (decoded no further)
		}
		var o shop.Order
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("index open order %s: %w", k, err)
		}
		if !o.Open() {
			return nil
		}
		return indexOpen(tx, &o)
	})
}
