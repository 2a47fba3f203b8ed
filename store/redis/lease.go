package redis

import (
	"context"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Lease is a named lease in Redis, held by one owner at a time until it
// expires or is released: SET NX PX to take it, PEXPIRE by its holder to
// renew it, DEL by its holder to release it (each check-and-act one
// script). The reconciler takes one so that a fleet runs it once.
type Lease struct {
	s   *Store
	key string
}

// Lease returns the lease called name (key lease:<name>).
func (s *Store) Lease(name string) *Lease {
	return &Lease{s: s, key: s.cfg.Prefix + "lease:" + name}
}

// acquireScript takes a free lease or extends the caller's own.
var acquireScript = goredis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`)

// releaseScript deletes the lease if the caller holds it.
var releaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)

// Acquire takes the lease for owner for ttl (at least a millisecond), or
// extends it when owner holds it; false when another owner holds it.
func (l *Lease) Acquire(ctx context.Context, owner string, ttl time.Duration) (bool, error) {
	if err := l.s.check(); err != nil {
		return false, err
	}
	n, err := acquireScript.Run(ctx, l.s.rdb, []string{l.key}, owner, max(ttl.Milliseconds(), 1)).Int()
	if err != nil {
		return false, unavailable("acquire lease", err)
	}
	return n == 1, nil
}

// Release gives the lease up if owner holds it.
func (l *Lease) Release(ctx context.Context, owner string) error {
	if err := l.s.check(); err != nil {
		return err
	}
	if err := releaseScript.Run(ctx, l.s.rdb, []string{l.key}, owner).Err(); err != nil {
		return unavailable("release lease", err)
	}
	return nil
}
