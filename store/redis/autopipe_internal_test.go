package redis

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	goredis "github.com/redis/go-redis/v9"
)

// Sends counts what a client sends: single commands, pipelines, and the
// largest pipeline. It is exported for the package's external tests too
// (a test hook: go-redis's AddHook).
type Sends struct{ single, pipelines, largest atomic.Int64 }

// Trips is the round trips counted: each command or pipeline sent is one.
func (c *Sends) Trips() int64 { return c.single.Load() + c.pipelines.Load() }

// Reset starts counting again.
func (c *Sends) Reset() { c.single.Store(0); c.pipelines.Store(0); c.largest.Store(0) }

func (c *Sends) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (c *Sends) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		c.single.Add(1)
		return next(ctx, cmd)
	}
}
func (c *Sends) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		c.pipelines.Add(1)
		for n := int64(len(cmds)); n > c.largest.Load(); {
			c.largest.CompareAndSwap(c.largest.Load(), n)
		}
		return next(ctx, cmds)
	}
}

// Commands sent while a pipeline is in flight go out together in the next
// one, each with its own answer; a lone command goes alone, at once.
func TestAutoPipeGroupsConcurrentCommands(t *testing.T) {
	srv := redistest.Start(t)
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	a := newAutoPipe(rdb)
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil { // connected: its handshake is not counted
		t.Fatal(err)
	}
	c := &Sends{}
	rdb.AddHook(c)

	if err := a.do(ctx, goredis.NewStatusCmd(ctx, "set", "k", "v")); err != nil {
		t.Fatal(err)
	}
	if c.single.Load() != 1 || c.pipelines.Load() != 0 {
		t.Fatalf("a lone command: %d single, %d pipelines; want it sent alone", c.single.Load(), c.pipelines.Load())
	}

	// A blocking pop holds the first pipeline in flight for 300ms.
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = a.do(ctx, goredis.NewStringSliceCmd(ctx, "blpop", "nothing", "0.3"))
	})
	for c.single.Load() != 2 { // the pop is in flight: its group runs
		time.Sleep(time.Millisecond)
	}
	const n = 50
	got := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprint("key-", i)
			if i%2 == 0 {
				errs[i] = a.do(ctx, goredis.NewStatusCmd(ctx, "set", key, i))
				return
			}
			cmd := goredis.NewStringCmd(ctx, "get", "k")
			errs[i] = a.do(ctx, cmd)
			got[i] = cmd.Val()
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || (i%2 == 1 && got[i] != "v") {
			t.Errorf("command %d: %q, %v", i, got[i], errs[i])
		}
		if i%2 == 0 {
			if v, err := rdb.Get(ctx, fmt.Sprint("key-", i)).Int(); err != nil || v != i {
				t.Errorf("SET %d: stored %d, %v", i, v, err)
			}
		}
	}
	if largest := c.largest.Load(); largest != n {
		t.Errorf("%d commands queued behind one in flight: the largest pipeline carried %d; want them together", n, largest)
	}
	if n := a.group.Pending(); n != 0 {
		t.Errorf("%d commands left pending", n)
	}
}

// An error answers its own command only.
func TestAutoPipeErrorsAreEachCommands(t *testing.T) {
	srv := redistest.Start(t)
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	a := newAutoPipe(rdb)
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Go(func() { _ = a.do(ctx, goredis.NewStringSliceCmd(ctx, "blpop", "nothing", "0.2")) })
	time.Sleep(50 * time.Millisecond)
	bad, good := goredis.NewCmd(ctx, "nosuchcommand"), goredis.NewStatusCmd(ctx, "ping")
	var badErr, goodErr error
	wg.Go(func() { badErr = a.do(ctx, bad) })
	wg.Go(func() { goodErr = a.do(ctx, good) })
	wg.Wait()
	if badErr == nil || goodErr != nil || good.Val() != "PONG" {
		t.Errorf("bad: %v; good: %q, %v", badErr, good.Val(), goodErr)
	}
}
