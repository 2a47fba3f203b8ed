// Package bolt is the embedded default shop.OrderStore, on go.etcd.io/bbolt:
// one file, no server, one process (bbolt locks the file). Every commit is
// fsynced (bbolt's default), so a method that returns nil has made its write
// durable; concurrent writes share one transaction and one fsync (a group
// commit, commit.go). Dialog state is not kept here: it lives
// minutes, and beside this one-process store the in-memory store/mem holds
// it.
//
// Layout (one bucket each):
//
//	orders       tradeNo                           → order JSON
//	user_orders  uvarint(len(userID)) userID tradeNo → created-time key (12 bytes)
//	by_time      created-time key ‖ tradeNo          → tradeNo
//	offers       offer id                          → offer JSON
//	offer_forget forget-time key ‖ offer id          → (empty)
//	grants       grant key                          → grant JSON (account linking)
//	grant_expiry expiry-time key ‖ grant key         → (empty)
//	order_counts state                             → how many orders are in it (int64)
//	open_orders  created-time key ‖ tradeNo          → tradeNo, of the open orders only (see open.go)
//	meta         name                              → value (open_version: the open index's shop.OpenVersion)
//
// Every key is injective for arbitrary ids: the user index is
// length-prefixed, so no user id is a prefix of another's keys (a file
// written with the older "userID NUL tradeNo" index, by_user, has it
// rebuilt on Open), and the time key has a fixed length. The created-time
// key sorts like the time itself (sign-flipped unix seconds, then
// nanoseconds, big-endian), so a reverse cursor over by_time lists orders
// newest first. Offers are kept OfferRetention past their expiry: the
// offer_forget index (keyed like by_time, on that instant) lets each
// CreateOffer delete a few of those past it, oldest first.
package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("bolt: database file is locked by another process")

var (
	bucketOrders = []byte("orders")
	bucketByUser = []byte("user_orders")
	bucketByTime = []byte("by_time")
	// bucketOffers and bucketOfferForget hold the offers and when each may
	// be forgotten.
	bucketOffers      = []byte("offers")
	bucketOfferForget = []byte("offer_forget")
	// bucketGrants and bucketGrantExpiry hold account linking's codes and
	// refresh tokens (by the hash of each) and when each expires.
	bucketGrants      = []byte("grants")
	bucketGrantExpiry = []byte("grant_expiry")
	// bucketOldByUser is the index of older files, keyed "userID NUL
	// tradeNo": not injective, so Open replaces it.
	bucketOldByUser = []byte("by_user")
)

// Config configures a Store. The zero value works.
type Config struct {
	// Now is the clock that fills a zero CreatedAt; default time.Now.
	Now func() time.Time
	// Timeout is how long Open waits for the file lock held by another
	// process before failing with ErrLocked; default 1s (bbolt's own zero
	// would wait forever).
	Timeout time.Duration
	// Logger takes the line Open logs when it rebuilds the index of open
	// orders; default slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Timeout == 0 {
		c.Timeout = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Store is the bbolt shop.OrderStore. It is safe for concurrent use; bbolt
// serialises writers, so UpdateOrder is atomic without retries.
type Store struct {
	db  *bbolt.DB
	now func() time.Time
	w   *committer // every write goes through it (group commit)

	closeOnce sync.Once
	closeErr  error
}

var _ shop.OrderStore = (*Store)(nil)

// Open opens (creating if needed) the database file at path and creates the
// buckets, rebuilding an older file's user index, building the order
// counts it lacks, and rebuilding its index of open orders when that was
// built for an older shop.OpenVersion or not at all (each once, reading
// every order; a rebuild of the open index logs one line). A file
// held by another process fails with an error wrapping ErrLocked after
// Config.Timeout. Close the Store when done.
func Open(path string, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	// bbolt's freelist defaults are kept. With a million orders (a 2.2 GB
	// file) the freelist holds a few thousand pages at most, and the
	// hashmap freelist (FreelistMapType) measured no cheaper per commit.
	// NoFreelistSync saves writing those few pages on each commit, but
	// then every open, not only one after a crash, rebuilds the freelist by
	// reading every page: 2 s with the file in the page cache, 76 s from
	// disk, before the service can answer.
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: cfg.Timeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	var rebuilt *openRebuild
	if err := db.Update(func(tx *bbolt.Tx) (err error) {
		rebuilt, err = setup(tx)
		return err
	}); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bolt: set up %s: %w", path, err)
	}
	if rebuilt != nil && (rebuilt.from > 0 || rebuilt.read > 0) {
		cfg.Logger.Info("bolt: rebuilt the index of open orders", "path", path,
			"from_version", rebuilt.from, "version", shop.OpenVersion,
			"orders_read", rebuilt.read, "orders_open", rebuilt.open)
	}
	return &Store{db: db, now: cfg.Now, w: newCommitter(db)}, nil
}

// setup creates the buckets, brings the open index up to date (returning
// what setupOpen rebuilt) and, in a file written with the older user
// index, builds the new one from the orders and drops the old.
func setup(tx *bbolt.Tx) (*openRebuild, error) {
	hadOld := tx.Bucket(bucketOldByUser) != nil
	for _, b := range [][]byte{bucketOrders, bucketByUser, bucketByTime, bucketOffers, bucketOfferForget, bucketGrants, bucketGrantExpiry} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return nil, err
		}
	}
	if err := setupCounts(tx); err != nil {
		return nil, err
	}
	rebuilt, err := setupOpen(tx)
	if err != nil {
		return nil, err
	}
	if !hadOld {
		return rebuilt, nil
	}
	byUser := tx.Bucket(bucketByUser)
	err = tx.Bucket(bucketOrders).ForEach(func(k, v []byte) error {
		var o shop.Order
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("order %s: %w", k, err)
		}
		return byUser.Put(userKey(o.UserID, o.TradeNo), timeKey(o.CreatedAt))
	})
	if err != nil {
		return nil, fmt.Errorf("rebuild user index: %w", err)
	}
	return rebuilt, tx.DeleteBucket(bucketOldByUser)
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.db.Path() }

// Ping reports whether the database is open.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: ping: %w", err)
	}
	if err := s.db.View(func(*bbolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("bolt: ping: %w", err)
	}
	return nil
}

// Close closes the database. Calling it again returns the first result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.w.close()
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("bolt: close: %w", err)
		}
	})
	return s.closeErr
}
