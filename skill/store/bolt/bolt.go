// Package bolt is the embedded default skill.Store, on go.etcd.io/bbolt: one
// file, no server. Every commit is fsynced (bbolt's default), so a method that
// returns nil has made its write durable.
//
// Layout (one bucket each):
//
//	orders    tradeNo                    → order JSON
//	by_user   userID \x00 tradeNo        → created-time key (12 bytes)
//	by_time   created-time key ‖ tradeNo → tradeNo
//	sessions  id                         → expiry (8 bytes, unix ns) ‖ state
//	remember  key                        → expiry (8 bytes, unix ns)
//
// The created-time key sorts like the time itself (sign-flipped unix seconds,
// then nanoseconds, big-endian), so a reverse cursor over by_time lists orders
// newest first. Expired sessions and remembered keys are invisible to reads;
// a sweep started by Open deletes them periodically.
package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dingdang-voicepay/skill/skill"
	bbolt "go.etcd.io/bbolt"
)

var (
	bucketOrders   = []byte("orders")
	bucketByUser   = []byte("by_user")
	bucketByTime   = []byte("by_time")
	bucketSessions = []byte("sessions")
	bucketRemember = []byte("remember")
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
	return c
}

// Store is the bbolt skill.Store. It is safe for concurrent use; bbolt
// serialises writers, so UpdateOrder is atomic without retries.
type Store struct {
	db   *bbolt.DB
	now  func() time.Time
	stop chan struct{}
	wg   sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

var _ skill.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path, creates the
// buckets and starts the expiry sweep. Close the Store when done.
func Open(path string, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: cfg.Timeout})
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketOrders, bucketByUser, bucketByTime, bucketSessions, bucketRemember} {
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

// sweepBatch bounds how many keys one sweep transaction deletes, so a large
// backlog never holds the writer lock for long.
const sweepBatch = 1000

// Sweep deletes expired sessions and remembered keys, in transactions of at
// most a thousand deletions, and returns how many it deleted.
func (s *Store) Sweep() (removed int, err error) {
	for _, name := range [][]byte{bucketSessions, bucketRemember} {
		for {
			n, more, err := s.sweepOnce(name)
			removed += n
			if err != nil {
				return removed, fmt.Errorf("bolt: sweep %s: %w", name, err)
			}
			if !more {
				break
			}
		}
	}
	return removed, nil
}

// sweepOnce deletes up to sweepBatch expired keys of one bucket.
func (s *Store) sweepOnce(name []byte) (n int, more bool, err error) {
	now := s.now()
	err = s.db.Update(func(tx *bbolt.Tx) error {
		c := tx.Bucket(name).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if !expired(v, now) {
				continue
			}
			if n == sweepBatch {
				more = true
				return nil
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, more, err
}

// putExpiry returns an 8-byte expiry prefix followed by rest.
func putExpiry(at time.Time, rest []byte) []byte {
	b := make([]byte, 8+len(rest))
	binary.BigEndian.PutUint64(b, uint64(at.UnixNano()))
	copy(b[8:], rest)
	return b
}

// expired reports whether a value written by putExpiry has expired at now.
// A malformed value counts as expired.
func expired(v []byte, now time.Time) bool {
	if len(v) < 8 {
		return true
	}
	return !now.Before(time.Unix(0, int64(binary.BigEndian.Uint64(v))))
}

var errRollback = errors.New("bolt: rollback")
