package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	bbolt "go.etcd.io/bbolt"
)

// pruneBatch bounds how many forgotten offers one CreateOffer deletes, so
// a write never waits on a long clean-up.
const pruneBatch = 16

// offerForgetKey is an offer's entry in the offer_forget index: when it may
// be forgotten (a fixed-length time key), then its id.
func offerForgetKey(o *shop.Offer) []byte {
	return append(timeKey(o.ExpiresAt.Add(shop.OfferRetention)), o.ID...)
}

// CreateOffer stores o under its ID unless an offer has that ID already, in
// which case it returns the stored offer and created=false. In the same
// transaction it deletes up to pruneBatch offers past their retention, the
// oldest first, so the file does not grow with every offer ever made.
func (s *Store) CreateOffer(ctx context.Context, o shop.Offer) (shop.Offer, bool, error) {
	if o.ID == "" {
		return shop.Offer{}, false, shop.Errorf(shop.EINVALID, "bolt: offer has no id")
	}
	if err := ctx.Err(); err != nil {
		return shop.Offer{}, false, fmt.Errorf("bolt: create offer %s: %w", o.ID, err)
	}
	data, err := json.Marshal(o)
	if err != nil {
		return shop.Offer{}, false, fmt.Errorf("bolt: create offer %s: %w", o.ID, err)
	}
	now := s.now()
	var stored []byte
	created := false
	err = s.w.do(func(tx *bbolt.Tx) error {
		stored, created = nil, false
		offers := tx.Bucket(bucketOffers)
		if v := offers.Get([]byte(o.ID)); v != nil {
			stored = append([]byte{}, v...)
			return nil
		}
		if err := pruneOffers(tx, now); err != nil {
			return err
		}
		if err := offers.Put([]byte(o.ID), data); err != nil {
			return err
		}
		if err := tx.Bucket(bucketOfferForget).Put(offerForgetKey(&o), nil); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return shop.Offer{}, false, fmt.Errorf("bolt: create offer %s: %w", o.ID, err)
	}
	if !created {
		data = stored
	}
	var out shop.Offer
	if err := json.Unmarshal(data, &out); err != nil {
		return shop.Offer{}, false, fmt.Errorf("bolt: decode offer %s: %w", o.ID, err)
	}
	return out, created, nil
}

// pruneOffers deletes up to pruneBatch offers forgotten by now, the
// oldest first (the index sorts by the time they may be forgotten).
func pruneOffers(tx *bbolt.Tx, now time.Time) error {
	return pruneBefore(tx, now, bucketOfferForget, bucketOffers)
}

// pruneBefore deletes up to pruneBatch records whose time in the index
// (keys: timeKey, then the record's key) is before now, the oldest first,
// from the records bucket and the index alike.
func pruneBefore(tx *bbolt.Tx, now time.Time, indexName, recordsName []byte) error {
	limit := timeKey(now)
	index := tx.Bucket(indexName)
	var due [][]byte
	c := index.Cursor()
	for k, _ := c.First(); k != nil && len(due) < pruneBatch; k, _ = c.Next() {
		if len(k) < timeKeyLen || bytes.Compare(k[:timeKeyLen], limit) >= 0 {
			break
		}
		due = append(due, append([]byte{}, k...))
	}
	records := tx.Bucket(recordsName)
	for _, k := range due {
		if err := records.Delete(k[timeKeyLen:]); err != nil {
			return err
		}
		if err := index.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Offer returns the offer, or an error wrapping shop.ErrNotFound when it was
// never stored or is past its retention (by Config.Now).
func (s *Store) Offer(ctx context.Context, id string) (shop.Offer, error) {
	if err := ctx.Err(); err != nil {
		return shop.Offer{}, fmt.Errorf("bolt: offer %s: %w", id, err)
	}
	var data []byte
	err := s.db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketOffers).Get([]byte(id)); v != nil {
			data = append([]byte{}, v...)
		}
		return nil
	})
	if err != nil {
		return shop.Offer{}, fmt.Errorf("bolt: offer %s: %w", id, err)
	}
	if data == nil {
		return shop.Offer{}, fmt.Errorf("bolt: offer %s: %w", id, shop.ErrNotFound)
	}
	var o shop.Offer
	if err := json.Unmarshal(data, &o); err != nil {
		return shop.Offer{}, fmt.Errorf("bolt: decode offer %s: %w", id, err)
	}
	if o.Forgotten(s.now()) {
		return shop.Offer{}, fmt.Errorf("bolt: offer %s: %w", id, shop.ErrNotFound)
	}
	return o, nil
}
