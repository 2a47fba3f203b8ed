// Package bolt is the embedded default shop.Store, on go.etcd.io/bbolt: one
// file, no server, one process (bbolt locks the file). Every commit is
// fsynced (bbolt's default), so an order method that returns nil has made its
// write durable; concurrent order writes are coalesced by bbolt's Batch into
// one transaction and one fsync.
//
// Layout (one bucket each):
//
//	orders    tradeNo                    → order JSON
//	by_user   userID \x00 tradeNo        → created-time key (12 bytes)
//	by_time   created-time key ‖ tradeNo → tradeNo
//
// The created-time key sorts like the time itself (sign-flipped unix seconds,
// then nanoseconds, big-endian), so a reverse cursor over by_time lists orders
// newest first. Dialog sessions and remembered keys (replayed request ids)
// live minutes and are kept in memory: see ephemeral. Expired ones are
// invisible to reads; a sweep started by Open deletes them periodically.
package bolt

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	bbolt "go.etcd.io/bbolt"
)

var (
	bucketOrders = []byte("orders")
	bucketByUser = []byte("by_user")
	bucketByTime = []byte("by_time")
)

// Config configures a Store. The zero value works.
type Config struct {
	// Now is the clock that decides expiry and fills a zero CreatedAt;
	// default time.Now.
	Now func() time.Time
	// Timeout is how long Open waits for the file lock held by another
	// process; default 1s (bbolt's own zero would wait forever).
	Timeout time.Duration
	// SweepInterval is how often expired sessions and remembered keys are
	// deleted; default 1m, negative disables the sweep (reads still hide
	// expired entries; call Sweep yourself).
	SweepInterval time.Duration
	// BatchDelay is how long a write waits for others to share its
	// transaction and fsync; default 1ms (bbolt's own is 10ms).
	BatchDelay time.Duration
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Timeout == 0 {
		c.Timeout = time.Second
	}
	if c.SweepInterval == 0 {
		c.SweepInterval = time.Minute
	}
	if c.BatchDelay == 0 {
		c.BatchDelay = time.Millisecond
	}
	return c
}

// Store is the bbolt shop.Store. It is safe for concurrent use; bbolt
// serialises writers, so UpdateOrder is atomic without retries.
type Store struct {
	db         *bbolt.DB
	now        func() time.Time
	sessions   ephemeral
	remembered ephemeral
	stop       chan struct{}
	wg         sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

var _ shop.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path, creates the
// buckets and starts the expiry sweep. Close the Store when done.
func Open(path string, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: cfg.Timeout})
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketOrders, bucketByUser, bucketByTime} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bolt: create buckets in %s: %w", path, err)
	}
	db.MaxBatchDelay = cfg.BatchDelay
	s := &Store{db: db, now: cfg.Now, stop: make(chan struct{})}
	if cfg.SweepInterval > 0 {
		s.wg.Add(1)
		go s.sweepLoop(cfg.SweepInterval)
	}
	return s, nil
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

// Close stops the sweep and closes the database. Calling it again returns
// the first result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		s.wg.Wait()
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("bolt: close: %w", err)
		}
	})
	return s.closeErr
}

func (s *Store) sweepLoop(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			_, _ = s.Sweep() // best effort; reads hide expired entries anyway
		}
	}
}

// Sweep deletes expired sessions and remembered keys and returns how many
// it deleted.
func (s *Store) Sweep() (removed int, err error) {
	now := s.now()
	return s.sessions.sweep(now) + s.remembered.sweep(now), nil
}
