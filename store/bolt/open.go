package bolt

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	bbolt "go.etcd.io/bbolt"
)

// bucketOpen indexes the open orders (shop.OrderState.Open: CREATED, PAID,
// REFUNDING), keyed like by_time (created-time key ‖ tradeNo → tradeNo).
// It changes in the same transaction as every write that creates an order
// or moves it into or out of the open states, so it always holds exactly
// the open orders; a listing of open states only (the reconciler's, on
// every pass) walks it instead of the whole ledger.
var bucketOpen = []byte("open_orders")

// indexOpen adds an order to the open index when it is open, or removes it
// when it is not, inside tx.
func indexOpen(tx *bbolt.Tx, st shop.OrderState, createdAt time.Time, tradeNo string) error {
	b := tx.Bucket(bucketOpen)
	if st.Open() {
		return b.Put(timeIndexKey(createdAt, tradeNo), []byte(tradeNo))
	}
	return b.Delete(timeIndexKey(createdAt, tradeNo))
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
		var o struct {
			State     shop.OrderState `json:"state"`
			CreatedAt time.Time       `json:"createdAt"`
		}
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("index open order %s: %w", k, err)
		}
		if !o.State.Open() {
			return nil
		}
		return indexOpen(tx, o.State, o.CreatedAt, string(k))
	})
}
