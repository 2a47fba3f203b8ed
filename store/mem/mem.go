// Package mem is the in-memory shop.StateStore: dialog sessions and the
// replay memory of request ids, for one process. It goes beside the bbolt
// order store, which is one process anyway (bbolt locks its file): that
// state lives minutes, so writing it to disk would cost an fsync per dialog
// turn and buy nothing but surviving a restart, after which a dialog simply
// starts over. Use the Redis store when several processes share state.
//
// It is built on internal/ttlmap: sessions in its Blobs (byte arenas the
// garbage collector need not scan, however many dialogs are open), bounded
// by Config.MaxBytes (and Config.Max sessions); request ids and other
// remembered keys in its Seen, as 8-byte digests in time buckets dropped
// whole. Past a bound a write is refused as EUNAVAILABLE with code
// shop.EBusy (failing closed, never growing): the dialog then tells the
// user it is busy. Expired entries are invisible at once.
package mem

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/ttlmap"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// DefaultMaxBytes bounds the sessions of a State whose Config.MaxBytes
// is 0: some 35,000 dialogs waiting for an answer.
const DefaultMaxBytes = 16 << 20

// Config configures a State. The zero value works.
type Config struct {
	// Max bounds the sessions (default ttlmap.DefaultMax), and separately
	// the remembered keys (default ttlmap.DefaultSeenMax).
	Max int
	// MaxBytes bounds the bytes the sessions hold: the arenas their ids and
	// states are written in, and ttlmap.BlobOverhead each (default
	// DefaultMaxBytes).
	MaxBytes int
	// Now is the clock that decides expiry (default time.Now).
	Now func() time.Time
}

// State is the in-memory shop.StateStore. It is safe for concurrent use.
type State struct {
	sessions   *ttlmap.Blobs
	remembered *ttlmap.Seen
	closed     atomic.Bool
}

var _ shop.StateStore = (*State)(nil)

// New returns an empty State.
func New(cfg Config) *State {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	return &State{
		sessions:   ttlmap.NewBlobs(ttlmap.Config{Max: cfg.Max, MaxBytes: cfg.MaxBytes, Now: cfg.Now}),
		remembered: ttlmap.NewSeen(ttlmap.Config{Max: cfg.Max, Now: cfg.Now}),
	}
}

// sessionKey encodes a SessionKey injectively: the session id's length, a
// colon, the session id, then the user id.
func sessionKey(k shop.SessionKey) string {
	return strconv.Itoa(len(k.SessionID)) + ":" + k.SessionID + k.UserID
}

func (s *State) check(ctx context.Context, op string) error {
	if s.closed.Load() {
		return fmt.Errorf("mem: %s: store is closed", op)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mem: %s: %w", op, err)
	}
	return nil
}

// full reports a write refused because the store is at its bound.
func full(op string, err error) error {
	e := shop.Coded(shop.EUNAVAILABLE, shop.EBusy, "dialog state full")
	e.Err = fmt.Errorf("mem: %s: %w", op, err)
	return e
}

// errNoSession is Session's error for a dialog with no state: one value,
// not one made per turn (most turns begin a dialog).
var errNoSession = fmt.Errorf("mem: session: %w", shop.ErrNotFound)

// Session returns a dialog's state, or an error wrapping shop.ErrNotFound
// if it is missing or expired.
func (s *State) Session(ctx context.Context, key shop.SessionKey) ([]byte, error) {
	if err := s.check(ctx, "session"); err != nil {
		return nil, err
	}
	v, ok := s.sessions.Get(sessionKey(key))
	if !ok {
		return nil, errNoSession
	}
	return v, nil // a copy
}

// SaveSession stores a dialog's state for ttl, which must be positive.
func (s *State) SaveSession(ctx context.Context, key shop.SessionKey, state []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return shop.Errorf(shop.EINVALID, "mem: session ttl %v must be positive", ttl)
	}
	if err := s.check(ctx, "save session"); err != nil {
		return err
	}
	if err := s.sessions.Set(sessionKey(key), state, ttl); err != nil { // copies state
		return full("save session", err)
	}
	return nil
}

// DeleteSession forgets a dialog's state; a missing one is not an error.
func (s *State) DeleteSession(ctx context.Context, key shop.SessionKey) error {
	if err := s.check(ctx, "delete session"); err != nil {
		return err
	}
	s.sessions.Delete(sessionKey(key))
	return nil
}

// Remember records key for ttl (positive) and reports whether it was new:
// false means it was remembered and has not expired.
func (s *State) Remember(ctx context.Context, key string, ttl time.Duration) (fresh bool, err error) {
	if ttl <= 0 {
		return false, shop.Errorf(shop.EINVALID, "mem: remember ttl %v must be positive", ttl)
	}
	if err := s.check(ctx, "remember"); err != nil {
		return false, err
	}
	fresh, err = s.remembered.Add(key, ttl)
	if err != nil {
		return false, full("remember", err)
	}
	return fresh, nil
}

// Sweep deletes expired sessions now and returns how many. Expired entries
// are invisible anyway and deleted as writes go by; Sweep is for tests and
// for freeing memory at once. (Remembered keys go with their time bucket.)
func (s *State) Sweep() int { return s.sessions.Sweep() }

// Ping fails once the store is closed or ctx is done.
func (s *State) Ping(ctx context.Context) error { return s.check(ctx, "ping") }

// Close forgets nothing but refuses every later call. Calling it again is
// harmless.
func (s *State) Close() error {
	s.closed.Store(true)
	return nil
}
