package redis_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/store/redis"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
	goredis "github.com/redis/go-redis/v9"
)

func TestTurns(t *testing.T) {
	srv := redistest.Start(t)
	storetest.RunTurns(t, func(t *testing.T) storetest.TurnStore { return open(t, srv, redis.Config{}) })
}

// trips counts the round trips a client makes: each command or pipeline
// sent is one.
type trips struct{ n atomic.Int64 }

func (c *trips) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (c *trips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}
func (c *trips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestTurnRoundTrips: a dialog turn costs one round trip to check the
// request id and read the state, and one to save the state; a replay costs
// one and reads nothing.
func TestTurnRoundTrips(t *testing.T) {
	srv := redistest.Start(t)
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	s := redis.NewWithClient(rdb, redis.Config{Prefix: "rt:"})
	key := shop.SessionKey{SessionID: "s1", UserID: "u1"}
	bg := context.Background()
	if err := s.SaveSession(bg, key, []byte("asked which product"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.BeginTurn(bg, "warm", key, time.Minute); err != nil { // loads the script
		t.Fatal(err)
	}
	c := &trips{}
	rdb.AddHook(c)

	ctx, fresh, err := s.BeginTurn(bg, "r1", key, time.Minute)
	if err != nil || !fresh {
		t.Fatal(fresh, err)
	}
	if got, err := s.Session(ctx, key); err != nil || string(got) != "asked which product" {
		t.Fatalf("Session = %q, %v", got, err)
	}
	if n := c.n.Load(); n != 1 {
		t.Errorf("request check and state read: %d round trips; want 1", n)
	}
	if err := s.SaveSession(ctx, key, []byte("asked how many"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if n := c.n.Load(); n != 2 {
		t.Errorf("a whole turn: %d round trips; want 2", n)
	}
	c.n.Store(0)
	if _, fresh, err := s.BeginTurn(bg, "r1", key, time.Minute); err != nil || fresh {
		t.Fatalf("replay: fresh %v, %v", fresh, err)
	}
	if n := c.n.Load(); n != 1 {
		t.Errorf("a replay: %d round trips; want 1", n)
	}
}
