package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// CreateOffer stores o under its ID with SET NX PXAT, expiring when it may
// be forgotten (shop.OfferRetention past its ExpiresAt, by Redis's clock),
// unless an offer has that ID already, in which case it returns the stored
// offer and created=false. With replicas required, they confirm it first
// (see replicas.go).
func (s *Store) CreateOffer(ctx context.Context, o shop.Offer) (shop.Offer, bool, error) {
	if o.ID == "" {
		return shop.Offer{}, false, shop.Errorf(shop.EINVALID, "redis: offer has no id")
	}
	if err := s.check(); err != nil {
		return shop.Offer{}, false, err
	}
	data, err := json.Marshal(o)
	if err != nil {
		return shop.Offer{}, false, fmt.Errorf("redis: create offer %s: %w", o.ID, err)
	}
	// An instant before 1970 is already past: the offer is forgotten at once.
	forget := max(o.ExpiresAt.Add(shop.OfferRetention).UnixMilli(), 1)
	created, stored, err := s.create(ctx, s.offerKey(o.ID), data, strconv.FormatInt(forget, 10), nil)
	if err != nil {
		return shop.Offer{}, false, unavailable("create offer "+o.ID, err)
	}
	if !created && stored == nil {
		// Stored and forgotten within the script: as if never stored.
		return shop.Offer{}, false, fmt.Errorf("redis: offer %s: %w", o.ID, shop.ErrNotFound)
	}
	var out shop.Offer
	if err := json.Unmarshal(stored, &out); err != nil {
		return shop.Offer{}, false, fmt.Errorf("redis: decode offer %s: %w", o.ID, err)
	}
	return out, created, nil
}

// Offer returns the offer, or an error wrapping shop.ErrNotFound when it was
// never stored or Redis has expired it.
func (s *Store) Offer(ctx context.Context, id string) (shop.Offer, error) {
	if err := s.check(); err != nil {
		return shop.Offer{}, err
	}
	data, err := s.rdb.Get(ctx, s.offerKey(id)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return shop.Offer{}, fmt.Errorf("redis: offer %s: %w", id, shop.ErrNotFound)
	}
	if err != nil {
		return shop.Offer{}, unavailable("offer "+id, err)
	}
	var o shop.Offer
	if err := json.Unmarshal(data, &o); err != nil {
		return shop.Offer{}, fmt.Errorf("redis: decode offer %s: %w", id, err)
	}
	return o, nil
}
