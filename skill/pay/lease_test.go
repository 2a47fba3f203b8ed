package pay_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/logtest"
	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// passes counts a reconciler's passes and whether it leads.
type passes struct {
	n       atomic.Int64
	leading atomic.Bool
}

func (p *passes) Reconciled(pay.ReconcileReport, time.Time, error) { p.n.Add(1) }
func (p *passes) Leading(held bool)                                { p.leading.Store(held) }

// TestReconcilerLease: two reconcilers on one Redis, as two nodes of a
// fleet: exactly one makes passes, renewing its lease (300ms, renewed every
// 100ms) all along; when it stops it releases the lease and the other takes
// over.
func TestReconcilerLease(t *testing.T) {
	srv := redistest.Start(t)
	st, err := redis.New(context.Background(), srv.URL(), redis.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := newEnvWithStore(t, st)
	var obs [2]passes
	var logs [2]logtest.Buffer
	var cancel [2]context.CancelFunc
	var wg sync.WaitGroup
	for i := range 2 {
		r := &pay.Reconciler{Service: e.svc, Interval: 20 * time.Millisecond, Lease: st.Lease("reconciler"),
			LeaseTTL: 300 * time.Millisecond, Observer: &obs[i], Logger: slog.New(slog.NewTextHandler(&logs[i], nil))}
		var ctx context.Context
		ctx, cancel[i] = context.WithCancel(context.Background())
		wg.Add(1)
		go func() { defer wg.Done(); r.Run(ctx) }()
	}
	defer func() { cancel[0](); cancel[1](); wg.Wait() }()

	waitFor(t, func() bool { return obs[0].n.Load()+obs[1].n.Load() >= 5 })
	leader := 0
	if obs[1].leading.Load() {
		leader = 1
	}
	other := 1 - leader
	if !obs[leader].leading.Load() || obs[other].leading.Load() || obs[other].n.Load() != 0 {
		t.Fatalf("passes %d and %d, leading %v and %v: want exactly one running",
			obs[0].n.Load(), obs[1].n.Load(), obs[0].leading.Load(), obs[1].leading.Load())
	}
	// The follower says once that another node runs the reconciler.
	waitFor(t, func() bool { return strings.Contains(logs[other].String(), "another node runs the reconciler") })
	if n := strings.Count(logs[other].String(), "another node runs"); n != 1 {
		t.Errorf("the follower said %d times that another node runs the reconciler", n)
	}
	cancel[leader]()
	waitFor(t, func() bool { return !obs[leader].leading.Load() && obs[other].leading.Load() })
	before := obs[other].n.Load()
	waitFor(t, func() bool { return obs[other].n.Load() > before })
}

// waitFor polls cond for up to 5 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
