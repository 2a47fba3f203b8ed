package bolt

import (
	"context"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/skill/skill"
	bbolt "go.etcd.io/bbolt"
)

// Session returns a session's state, or an error wrapping skill.ErrNotFound
// if it is missing or expired.
func (s *Store) Session(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bolt: session: %w", err)
	}
	now := s.now()
	var state []byte
	err := s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketSessions).Get([]byte(id))
		if v == nil || expired(v, now) {
			return skill.ErrNotFound
		}
		state = append([]byte{}, v[8:]...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: session %q: %w", id, err)
	}
	return state, nil
}

// SaveSession stores a session's state for ttl, which must be positive.
func (s *Store) SaveSession(ctx context.Context, id string, state []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return skill.Errorf(skill.EINVALID, "bolt: session ttl %v must be positive", ttl)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: save session: %w", err)
	}
	v := putExpiry(s.now().Add(ttl), state)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketSessions).Put([]byte(id), v)
	})
	if err != nil {
		return fmt.Errorf("bolt: save session %q: %w", id, err)
	}
	return nil
}

// DeleteSession deletes a session; a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bolt: delete session: %w", err)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("bolt: delete session %q: %w", id, err)
	}
	return nil
}

// Remember records key for ttl (positive) and reports whether it was new:
// false means it was remembered and has not expired.
func (s *Store) Remember(ctx context.Context, key string, ttl time.Duration) (fresh bool, err error) {
	if ttl <= 0 {
		return false, skill.Errorf(skill.EINVALID, "bolt: remember ttl %v must be positive", ttl)
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("bolt: remember: %w", err)
	}
	now := s.now()
	err = s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketRemember)
		if v := b.Get([]byte(key)); v != nil && !expired(v, now) {
			return errRollback // seen: nothing to write
		}
		fresh = true
		return b.Put([]byte(key), putExpiry(now.Add(ttl), nil))
	})
	if err == errRollback {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("bolt: remember %q: %w", key, err)
	}
	return fresh, nil
}
