package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// TestLease: one holder at a time; the holder renews and releases, others
// cannot; an unrenewed lease expires and another takes it.
func TestLease(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv, redis.Config{})
	a, b := s.Lease("reconciler"), s.Lease("reconciler")
	steps := []struct {
		name  string
		do    func() (bool, error)
		want  bool
		sleep time.Duration
	}{
		{"a takes it", func() (bool, error) { return a.Acquire(ctx, "a", time.Minute) }, true, 0},
		{"b cannot", func() (bool, error) { return b.Acquire(ctx, "b", time.Minute) }, false, 0},
		{"a renews", func() (bool, error) { return a.Acquire(ctx, "a", 100*time.Millisecond) }, true, 0},
		{"b releases nothing", func() (bool, error) { return false, b.Release(ctx, "b") }, false, 0},
		{"b still cannot", func() (bool, error) { return b.Acquire(ctx, "b", time.Minute) }, false, 150 * time.Millisecond},
		{"after expiry b takes it", func() (bool, error) { return b.Acquire(ctx, "b", time.Minute) }, true, 0},
		{"b releases", func() (bool, error) { return false, b.Release(ctx, "b") }, false, 0},
		{"a takes it again", func() (bool, error) { return a.Acquire(ctx, "a", time.Minute) }, true, 0},
	}
	for _, st := range steps {
		got, err := st.do()
		if err != nil || got != st.want {
			t.Fatalf("%s: %v, %v; want %v", st.name, got, err, st.want)
		}
		time.Sleep(st.sleep)
	}
	if other := open(t, srv, redis.Config{}); other != nil {
		if ok, err := other.Lease("reconciler").Acquire(ctx, "c", time.Minute); !ok || err != nil {
			t.Fatalf("a lease under another prefix: %v, %v", ok, err)
		}
	}
}
