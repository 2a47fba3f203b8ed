package redis_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/store/redis"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
	goredis "github.com/redis/go-redis/v9"
)

// openCluster returns a Store on the cluster with a prefix of its own.
func openCluster(tb testing.TB, c *redistest.Cluster, cfg redis.Config) *redis.Store {
	tb.Helper()
	if cfg.Prefix == "" {
		cfg.Prefix = fmt.Sprintf("c%d:", prefixes.Add(1))
	}
	if cfg.ReplicaTimeout == 0 {
		cfg.ReplicaTimeout = replicaTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := redis.New(ctx, c.URL()+"?read_timeout=5s", cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// replicaTimeout bounds the tests' WAITs: a machine running every test at
// once can take a while to have a replica confirm a write.
const replicaTimeout = 3 * time.Second

// TestCluster runs every conformance suite on a real Redis Cluster of three
// masters with a replica each, every order and offer write confirmed by a
// replica (WAIT). A command or script naming keys of several hash slots
// fails there with CROSSSLOT, so the suites passing prove the key layout
// slot-safe.
func TestCluster(t *testing.T) {
	t.Parallel()
	c := redistest.StartCluster(t)
	for _, url := range []string{c.URL(), "redis://" + strings.Join(c.Addrs()[:2], ","), "redis+cluster://" + c.Addrs()[0] + "?read_timeout=2s"} {
		s, err := redis.New(context.Background(), url, redis.Config{ReplicaTimeout: replicaTimeout})
		if err != nil {
			t.Fatalf("New(%q): %v", url, err)
		}
		if s.Topology() != redis.Cluster || s.MinReplicas() != 1 {
			t.Errorf("New(%q): topology %v, %d replicas required; want cluster, 1", url, s.Topology(), s.MinReplicas())
		}
		_ = s.Close()
	}
	t.Run("Orders", func(t *testing.T) {
		storetest.RunOrders(t, func(t *testing.T) shop.OrderStore { return openCluster(t, c, redis.Config{}) })
	})
	t.Run("State", func(t *testing.T) {
		storetest.RunState(t, func(t *testing.T) shop.StateStore { return openCluster(t, c, redis.Config{}) })
	})
	t.Run("Links", func(t *testing.T) {
		storetest.RunLinks(t, func(t *testing.T) storetest.LinkOrderStore { return openCluster(t, c, redis.Config{}) })
	})
	t.Run("Turns", func(t *testing.T) {
		storetest.RunTurns(t, func(t *testing.T) storetest.TurnStore { return openCluster(t, c, redis.Config{}) })
	})
	t.Run("TurnsReadingOrders", func(t *testing.T) {
		storetest.RunTurns(t, func(t *testing.T) storetest.TurnStore {
			return openCluster(t, c, redis.Config{TurnReadsOrders: true})
		})
		checkClusterTurnReadsOrders(t, c)
	})
	t.Run("OpenIndexExact", func(t *testing.T) {
		t.Parallel()
		checkOpenIndexExact(t, openCluster(t, c, redis.Config{}))
	})
	t.Run("OpenIndexPruned", func(t *testing.T) {
		t.Parallel()
		var now atomic.Int64
		now.Store(base.UnixNano())
		clock := func() time.Time { return time.Unix(0, now.Load()) }
		checkOpenIndexPruned(t, openCluster(t, c, redis.Config{Now: clock}), func(d time.Duration) { now.Add(int64(d)) })
	})
	t.Run("PruneRacesReopen", func(t *testing.T) {
		t.Parallel()
		checkPruneRacesReopen(t, openCluster(t, c, redis.Config{}))
	})
	t.Run("OpenUpgrade", func(t *testing.T) {
		storetest.RunOpenUpgrade(t, upgradeHook(func(t *testing.T, cfg redis.Config) *redis.Store { return openCluster(t, c, cfg) }))
	})
	t.Run("OpenRebuilt", func(t *testing.T) {
		t.Parallel()
		checkOpenIndexRebuilt(t, func(cfg redis.Config) *redis.Store { return openCluster(t, c, cfg) })
	})
	t.Run("OpenRebuiltConcurrently", func(t *testing.T) {
		t.Parallel()
		checkRebuildConcurrent(t, func(cfg redis.Config) (*redis.Store, error) {
			cfg.ReplicaTimeout = replicaTimeout
			return redis.New(context.Background(), c.URL()+"?read_timeout=5s", cfg)
		})
	})
}

// TestClusterFailover crashes the master holding the index of every order
// in the middle of a ship-notify storm (each order created, then delivered
// by several notifications at once, as the platform's retries arrive), and
// has its replica take over. Afterwards every acknowledged order is there
// and listed, every acknowledged delivery happened exactly once, and the
// platform's retries settle the rest, each order delivered once.
func TestClusterFailover(t *testing.T) {
	const (
		workers    = 6
		duplicates = 3 // notifications of one payment in flight at once
	)
	t.Parallel()
	ctx := context.Background()
	c := redistest.StartCluster(t)
	s := openCluster(t, c, redis.Config{Prefix: "f:"})

	var (
		mu        sync.Mutex
		created   = map[string]shop.Order{} // acknowledged creates
		delivered = map[string]bool{}       // acknowledged deliveries
		failures  atomic.Int64
		acks      atomic.Int64
		stop      = make(chan struct{})
		stopOnce  sync.Once
		wg        sync.WaitGroup
	)
	halt := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
	defer halt()
	deliver := func(tradeNo string) error {
		_, err := s.UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
			return o.Deliver("tx-"+tradeNo, o.TotalAmt, "ship notify", base)
		})
		return err
	}
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				o := storetest.NewOrder(fmt.Sprintf("W%d-%05d", w, i), fmt.Sprintf("u%d", i%7), base.Add(time.Duration(i)*time.Millisecond))
				stored, _, err := s.CreateOrder(ctx, o)
				if err != nil {
					checkUnavailable(t, err)
					failures.Add(1)
					continue
				}
				mu.Lock()
				created[o.TradeNo] = stored
				mu.Unlock()
				acks.Add(1)
				var storm sync.WaitGroup
				for range duplicates {
					storm.Go(func() {
						if err := deliver(o.TradeNo); err != nil {
							checkUnavailable(t, err)
							failures.Add(1)
							return
						}
						mu.Lock()
						delivered[o.TradeNo] = true
						mu.Unlock()
						acks.Add(1)
					})
				}
				storm.Wait()
			}
		})
	}
	waitFor(t, func() bool { return acks.Load() >= 200 })
	victim := c.MasterOf("f:orders")
	start := time.Now()
	c.Failover(victim)
	t.Logf("failover of %s took %v", victim.Addr(), time.Since(start).Round(time.Millisecond))
	// Without a replica, the promoted master's writes are refused (the
	// calls fail, nothing is acknowledged) until the crashed node comes
	// back as its replica.
	time.Sleep(300 * time.Millisecond)
	start = time.Now()
	c.Rejoin(victim)
	t.Logf("%s rejoined as a replica in %v", victim.Addr(), time.Since(start).Round(time.Millisecond))
	after := acks.Load()
	waitFor(t, func() bool { return acks.Load() >= after+200 })
	halt()

	listed, err := s.Orders(ctx, shop.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	inList := map[string]bool{}
	for _, o := range listed {
		inList[o.TradeNo] = true
		if o.Deliveries > 1 || (o.State == shop.StateDelivered) != (o.Deliveries == 1) {
			t.Errorf("inconsistent order %s: %s with %d deliveries", o.TradeNo, o.State, o.Deliveries)
		}
	}
	for tradeNo := range created {
		got, err := s.Order(ctx, tradeNo)
		if err != nil {
			t.Fatalf("acknowledged order %s lost: %v", tradeNo, err)
		}
		if !inList[tradeNo] {
			t.Errorf("acknowledged order %s not listed", tradeNo)
		}
		if delivered[tradeNo] && (got.State != shop.StateDelivered || got.Deliveries != 1) {
			t.Errorf("acknowledged delivery of %s: %s with %d deliveries", tradeNo, got.State, got.Deliveries)
		}
	}
	// Every order still open (created, its delivery not acknowledged or
	// lost with the crashed master) is listed by the reconciler's listing.
	open, err := s.Orders(ctx, shop.OrderFilter{States: []shop.OrderState{shop.StateCreated, shop.StatePaid, shop.StateRefunding}})
	if err != nil {
		t.Fatal(err)
	}
	openListed := map[string]bool{}
	for _, o := range open {
		openListed[o.TradeNo] = true
	}
	stillOpen := 0
	for tradeNo := range created {
		got, err := s.Order(ctx, tradeNo)
		if err != nil {
			t.Fatal(err)
		}
		if got.State.Open() {
			stillOpen++
		}
		if got.State.Open() != openListed[tradeNo] {
			t.Errorf("order %s is %s; listed open: %v", tradeNo, got.State, openListed[tradeNo])
		}
	}
	t.Logf("%d acknowledged orders still open after the failover", stillOpen)
	// The platform retries every notification not answered SUCCESS.
	for tradeNo := range created {
		if err := deliver(tradeNo); err != nil {
			t.Fatalf("retried delivery of %s: %v", tradeNo, err)
		}
		if got, _ := s.Order(ctx, tradeNo); got.Deliveries != 1 {
			t.Errorf("after retries, %s has %d deliveries", tradeNo, got.Deliveries)
		}
	}
	t.Logf("%d orders acknowledged, %d deliveries acknowledged, %d calls failed around the failover", len(created), len(delivered), failures.Load())
}

// checkUnavailable fails the test unless err is a storage-unavailable error
// (the platform's retry then settles it).
func checkUnavailable(t *testing.T, err error) {
	if shop.ErrorClass(err) != shop.EUNAVAILABLE {
		t.Errorf("error %v has code %q; want %q", err, shop.ErrorClass(err), shop.EUNAVAILABLE)
	}
}

// openStates is a filter a store lists from its open index.
var openStates = shop.OrderFilter{States: []shop.OrderState{shop.StateCreated, shop.StatePaid, shop.StateRefunding}}

// checkOpenIndexPruned: a listing of the open index on a cluster skips its
// extra entries and removes those of settled orders and stale ones; the
// entry of a missing order (a create that may yet store it) goes only once
// listings have found it missing for ten minutes (advance moves the
// store's clock).
func checkOpenIndexPruned(t *testing.T, s *redis.Store, advance func(time.Duration)) {
	ctx := context.Background()
	settled := storetest.NewOrder("P-SETTLED", "u1", base)
	settled.State = shop.StateDelivered
	live := storetest.NewOrder("P-OPEN", "u1", base.Add(time.Second))
	for _, o := range []shop.Order{settled, live} {
		if _, _, err := s.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	index := s.Prefix() + "open:{orders}"
	members, err := s.Client().ZRange(ctx, s.Prefix()+"orders", 0, -1).Result()
	if err != nil || len(members) != 2 {
		t.Fatalf("global index %v, %v", members, err)
	}
	extra := []string{
		members[0], members[1], // settled's (extra) and live's (its own)
		"7fffffffffffffff00000000:P-OPEN",    // a stale entry of an open order
		"7fffffffffffffff00000001:P-MISSING", // an order never stored
	}
	for _, m := range extra {
		if err := s.Client().ZAdd(ctx, index, goredis.Z{Score: 1, Member: m}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Orders(ctx, openStates)
	if err != nil || len(got) != 1 || got[0].TradeNo != "P-OPEN" {
		t.Fatalf("open orders %v, %v; want P-OPEN alone", got, err)
	}
	left, err := s.Client().ZRange(ctx, index, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(left)
	want := []string{"7fffffffffffffff00000001:P-MISSING", members[0], members[1]}
	want = slices.DeleteFunc(want, func(m string) bool { return strings.HasSuffix(m, ":P-SETTLED") })
	slices.Sort(want)
	if fmt.Sprint(left) != fmt.Sprint(want) {
		t.Errorf("after a listing the open index holds %v; want %v", left, want)
	}

	missing := "7fffffffffffffff00000001:P-MISSING"
	for _, step := range []struct {
		after time.Duration
		kept  bool
	}{{9 * time.Minute, true}, {time.Minute, false}} {
		advance(step.after)
		if got, err := s.Orders(ctx, openStates); err != nil || len(got) != 1 {
			t.Fatalf("open orders %v, %v; want P-OPEN alone", got, err)
		}
		_, err := s.Client().ZScore(ctx, index, missing).Result()
		if kept := err == nil; kept != step.kept {
			t.Errorf("%v more after the first listing: missing order's entry kept %v (%v), want %v", step.after, kept, err, step.kept)
		}
	}
	// An order found missing that is stored in the end (a slow create)
	// keeps its entry, however long after.
	late := storetest.NewOrder("P-LATE", "u1", base.Add(2*time.Second))
	if _, _, err := s.CreateOrder(ctx, late); err != nil {
		t.Fatal(err)
	}
	key := s.Prefix() + "order:{P-LATE}"
	data, err := s.Client().Get(ctx, key).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Client().Del(ctx, key).Err(); err != nil { // as if not yet written
		t.Fatal(err)
	}
	if got, err := s.Orders(ctx, openStates); err != nil || len(got) != 1 {
		t.Fatalf("open orders %v, %v; want P-OPEN alone", got, err)
	}
	if err := s.Client().Set(ctx, key, data, 0).Err(); err != nil { // written at last
		t.Fatal(err)
	}
	advance(time.Hour)
	if got, err := s.Orders(ctx, openStates); err != nil || len(got) != 2 {
		t.Fatalf("open orders %v, %v; want P-OPEN and P-LATE", got, err)
	}
	advance(time.Hour)
	if got, err := s.Orders(ctx, openStates); err != nil || len(got) != 2 {
		t.Fatalf("open orders %v, %v; want P-OPEN and P-LATE still", got, err)
	}
}

// checkPruneRacesReopen runs listings (which prune the entry of a settled
// order) against updates that reopen that order, over and over: whenever
// the order ends open, its entry is in the index.
func checkPruneRacesReopen(t *testing.T, s *redis.Store) {
	ctx := context.Background()
	for i := range 40 {
		o := storetest.NewOrder(fmt.Sprintf("R%02d", i), "u1", base.Add(time.Duration(i)*time.Second))
		o.State = shop.StateDelivered
		if _, _, err := s.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		index := s.Prefix() + "open:{orders}"
		members, err := s.Client().ZRangeByScore(ctx, s.Prefix()+"orders", &goredis.ZRangeBy{Min: "-inf", Max: "+inf"}).Result()
		if err != nil {
			t.Fatal(err)
		}
		mine := members[slices.IndexFunc(members, func(x string) bool { return strings.HasSuffix(x, ":"+o.TradeNo) })]
		if err := s.Client().ZAdd(ctx, index, goredis.Z{Score: 1, Member: mine}).Err(); err != nil { // an extra entry, as a refused removal leaves
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			for range 3 {
				if _, err := s.Orders(ctx, openStates); err != nil {
					t.Error(err)
				}
			}
		})
		wg.Go(func() {
			if _, err := s.UpdateOrder(ctx, o.TradeNo, func(o *shop.Order) error { return o.Move(shop.StateRefunding, "test", base) }); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if _, err := s.Orders(ctx, openStates); err != nil { // and one more after
			t.Fatal(err)
		}
		if _, err := s.Client().ZScore(ctx, index, mine).Result(); err != nil {
			t.Fatalf("round %d: the reopened order's entry is gone from the open index: %v", i, err)
		}
	}
}

// checkClusterTurnReadsOrders: with TurnReadsOrders on a cluster, the
// user's order index (another slot than the dialog) is read in the turn's
// own pipeline: listing a new user's orders costs no round trip of its
// own; an order created within the turn is seen.
func checkClusterTurnReadsOrders(t *testing.T, c *redistest.Cluster) {
	rdb := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: c.Addrs(), ReadTimeout: 5 * time.Second})
	defer rdb.Close()
	s := redis.NewWithClient(rdb, redis.Config{Prefix: fmt.Sprintf("c%d:", prefixes.Add(1)), TurnReadsOrders: true,
		MinReplicas: -1})
	bg := context.Background()
	if _, _, err := s.CreateOrder(bg, storetest.NewOrder("T-old", "u1", base)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.BeginTurn(bg, "warm", shop.SessionKey{SessionID: "s0", UserID: "u0"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Orders(bg, shop.OrderFilter{UserID: "u1"}); err != nil { // every node dialled
		t.Fatal(err)
	}
	n := &redis.Sends{}
	rdb.AddHook(n)

	ctx, fresh, err := s.BeginTurn(bg, "r1", shop.SessionKey{SessionID: "s1", UserID: "new"}, time.Minute)
	if err != nil || !fresh {
		t.Fatal(fresh, err)
	}
	turn := n.Trips() // a pipeline to each node concerned, sent at once
	if got, err := s.Orders(ctx, shop.OrderFilter{UserID: "new"}); err != nil || len(got) != 0 {
		t.Fatalf("a new user's orders = %v, %v", got, err)
	}
	if got := n.Trips(); got != turn {
		t.Errorf("a new user's orders: %d round trips after the turn's; want none", got-turn)
	}
	ctx, _, err = s.BeginTurn(bg, "r2", shop.SessionKey{SessionID: "s2", UserID: "u1"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Orders(ctx, shop.OrderFilter{UserID: "u1"}); err != nil || len(got) != 1 || got[0].TradeNo != "T-old" {
		t.Fatalf("u1's orders = %v, %v", got, err)
	}
	if _, _, err := s.CreateOrder(ctx, storetest.NewOrder("T-new", "u1", base.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Orders(ctx, shop.OrderFilter{UserID: "u1"}); err != nil || len(got) != 2 || got[0].TradeNo != "T-new" {
		t.Errorf("after an order was created within the turn: %v, %v; want T-new, T-old", got, err)
	}
}
