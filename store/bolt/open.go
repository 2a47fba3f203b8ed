package bolt

import (
	"encoding/json"
	"fmt"
	"strconv"

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

// bucketMeta holds what the file says about itself: under keyOpenVersion,
// the version of shop.Order.Open (shop.OpenVersion, in decimal) that the
// open index was built for.
var (
	bucketMeta     = []byte("meta")
	keyOpenVersion = []byte("open_version")
)

// indexOpen adds an order to the open index when it is open, or removes it
// when it is not, inside tx.
func indexOpen(tx *bbolt.Tx, o *shop.Order) error {
	b := tx.Bucket(bucketOpen)
	if o.Open() {
		return b.Put(timeIndexKey(o.CreatedAt, o.TradeNo), []byte(o.TradeNo))
	}
	return b.Delete(timeIndexKey(o.CreatedAt, o.TradeNo))
}

// openRebuild is what a rebuild of the open index did (for Open's log line).
type openRebuild struct {
	from       int // the version found (0: none)
	read, open int // orders read, and found open
}

// setupOpen creates the open index, or rebuilds it from every order when
// the file holds none or one built for an older shop.OpenVersion (a file
// written before the index, or before Order.Open last changed: it lacks
// orders open now, or holds some no longer open). It drops the old index
// and indexes each open order anew, all in tx, then records the version.
// It returns what it rebuilt, or nil when the index was current.
func setupOpen(tx *bbolt.Tx) (*openRebuild, error) {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return nil, err
	}
	r := &openRebuild{}
	if v, err := strconv.Atoi(string(meta.Get(keyOpenVersion))); err == nil {
		r.from = v
	}
	if tx.Bucket(bucketOpen) != nil {
		if r.from >= shop.OpenVersion {
			return nil, nil
		}
		if err := tx.DeleteBucket(bucketOpen); err != nil {
			return nil, err
		}
	}
	if _, err := tx.CreateBucket(bucketOpen); err != nil {
		return nil, err
	}
	err = tx.Bucket(bucketOrders).ForEach(func(k, v []byte) error {
		r.read++
		var o shop.Order
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("index open order %s: %w", k, err)
		}
		if !o.Open() {
			return nil
		}
		r.open++
		return indexOpen(tx, &o)
	})
	if err != nil {
		return nil, err
	}
	if err := meta.Put(keyOpenVersion, []byte(strconv.Itoa(shop.OpenVersion))); err != nil {
		return nil, err
	}
	return r, nil
}
