package redis_test

import (
	"context"
	"errors"
	"fmt"
	"os"
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

var prefixes atomic.Int64

// quiet drops go-redis's own log lines (dial failures while a test has
// killed the server on purpose).
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	goredis.SetLogger(quiet{})
	os.Exit(m.Run())
}

// open returns a Store on srv with a prefix of its own, so tests sharing one
// server never see each other's keys.
func open(tb testing.TB, srv *redistest.Server, cfg redis.Config) *redis.Store {
	tb.Helper()
	if cfg.Prefix == "" {
		cfg.Prefix = fmt.Sprintf("t%d:", prefixes.Add(1))
	}
	s, err := redis.New(context.Background(), srv.URL(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestOrderStore(t *testing.T) {
	srv := redistest.Start(t)
	storetest.RunOrders(t, func(t *testing.T) shop.OrderStore { return open(t, srv, redis.Config{}) })
}

func TestStateStore(t *testing.T) {
	srv := redistest.Start(t)
	storetest.RunState(t, func(t *testing.T) shop.StateStore { return open(t, srv, redis.Config{}) })
}

var base = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestNewErrors(t *testing.T) {
	if _, err := redis.New(context.Background(), "http://nope", redis.Config{}); err == nil {
		t.Error("New with a bad URL succeeded")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := redis.New(ctx, "redis://127.0.0.1:1/0", redis.Config{})
	if err == nil || shop.ErrorClass(err) != shop.EUNAVAILABLE {
		t.Errorf("New with nothing listening = %v; want an unavailable error", err)
	}
}

// TestKeys pins the key layout: one order in one key with a hash tag,
// indexes by created time, the default prefix.
func TestKeys(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	s := redis.NewWithClient(rdb, redis.Config{})
	o := storetest.NewOrder("T1", "u1", base)
	if _, _, err := s.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSession(ctx, shop.SessionKey{SessionID: "s1", UserID: "u1"}, []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remember(ctx, "n1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, fresh, err := s.BeginTurn(ctx, "r1", shop.SessionKey{SessionID: "s1", UserID: "u1"}, time.Minute); err != nil || !fresh {
		t.Fatal(fresh, err)
	}
	offer := storetest.NewOffer("of1", "u1", time.Now())
	if _, _, err := s.CreateOffer(ctx, offer); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"skill:order:{T1}": true, "skill:user:{u1}:orders": true, "skill:orders": true, "skill:session:{2:s1:2:u1}": true,
		"skill:seen:{2:s1:2:u1}:r1": true, "skill:remember:n1": true, "skill:offer:{of1}": true, "skill:order_counts": true,
		"skill:open:{orders}": true}
	if len(keys) != len(want) {
		t.Errorf("keys = %v; want %v", keys, want)
	}
	for _, k := range keys {
		if !want[k] {
			t.Errorf("unexpected key %q", k)
		}
	}
	z, err := rdb.ZRangeWithScores(ctx, "skill:orders", 0, -1).Result()
	if err != nil || len(z) != 1 || z[0].Score != float64(base.UnixMilli()) {
		t.Errorf("orders index = %v, %v; want one entry scored %d", z, err, base.UnixMilli())
	}
	if open, err := rdb.ZRangeWithScores(ctx, "skill:open:{orders}", 0, -1).Result(); err != nil || len(open) != 1 || open[0] != z[0] {
		t.Errorf("open index = %v, %v; want the CREATED order's entry %v", open, err, z)
	}
	for _, k := range []string{"skill:session:{2:s1:2:u1}", "skill:seen:{2:s1:2:u1}:r1"} {
		if ttl := rdb.PTTL(ctx, k).Val(); ttl <= 0 || ttl > time.Minute {
			t.Errorf("%s TTL = %v", k, ttl)
		}
	}
	if ttl := rdb.PTTL(ctx, "skill:order:{T1}").Val(); ttl != -1 {
		t.Errorf("order TTL = %v; want none", ttl)
	}
	keep := time.Until(offer.ExpiresAt.Add(shop.OfferRetention))
	if ttl := rdb.PTTL(ctx, "skill:offer:{of1}").Val(); ttl <= keep-time.Minute || ttl > keep+time.Second {
		t.Errorf("offer TTL = %v; want about %v (its validity and the retention)", ttl, keep)
	}
	// Close leaves a client it was given open.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Errorf("client closed by Store.Close: %v", err)
	}
}

// TestDanglingIndex: index entries written before a crash, with no order or
// with an order that does not match them, are skipped.
func TestDanglingIndex(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv, redis.Config{Prefix: "x:"})
	rdb := s.Client()
	for i := range 3 {
		if _, _, err := s.CreateOrder(ctx, storetest.NewOrder(fmt.Sprintf("T%d", i), "u1", base.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	// An index entry whose order was never written (crash after the index).
	ghost := storetest.NewOrder("GHOST", "u1", base.Add(time.Hour))
	// A stale entry for T1 under the wrong time and user (a lost race).
	stale := storetest.NewOrder("T1", "u2", base.Add(2*time.Hour))
	for _, o := range []shop.Order{ghost, stale} {
		m := goredis.Z{Score: float64(o.CreatedAt.UnixMilli()), Member: fmt.Sprintf("%016x%08x:%s", uint64(o.CreatedAt.Unix())^(1<<63), o.CreatedAt.Nanosecond(), o.TradeNo)}
		rdb.ZAdd(ctx, "x:orders", m)
		rdb.ZAdd(ctx, "x:user:{"+o.UserID+"}:orders", m)
	}
	for _, f := range []shop.OrderFilter{{}, {UserID: "u1"}, {UserID: "u2"}, {Limit: 1}} {
		got, err := s.Orders(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, o := range got {
			names = append(names, o.TradeNo)
		}
		want := "[T2 T1 T0]"
		switch {
		case f.UserID == "u2":
			want = "[]"
		case f.Limit == 1:
			want = "[T2]"
		}
		if fmt.Sprint(names) != want {
			t.Errorf("Orders(%+v) = %v; want %s", f, names, want)
		}
	}
	// The platform's retry of the crashed create succeeds and is listed once.
	if _, created, err := s.CreateOrder(ctx, ghost); err != nil || !created {
		t.Fatalf("retried create = %v, %v", created, err)
	}
	if got, _ := s.Orders(ctx, shop.OrderFilter{Limit: 10}); len(got) != 4 || got[0].TradeNo != "GHOST" {
		t.Errorf("after the retry, %d orders listed, first %v", len(got), got)
	}
}

// TestPaging lists more orders than one page, with filters that skip most.
func TestPaging(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv, redis.Config{})
	const n = 250
	for i := range n {
		o := storetest.NewOrder(fmt.Sprintf("T%03d", i), fmt.Sprint("u", i%2), base.Add(time.Duration(i)*time.Microsecond))
		if i%50 == 0 {
			o.State = shop.StateClosed
		}
		if _, _, err := s.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Orders(ctx, shop.OrderFilter{})
	if err != nil || len(all) != n {
		t.Fatalf("Orders() = %d, %v; want %d", len(all), err, n)
	}
	for i, o := range all {
		if want := fmt.Sprintf("T%03d", n-1-i); o.TradeNo != want {
			t.Fatalf("Orders()[%d] = %s; want %s (exactly newest first within a millisecond)", i, o.TradeNo, want)
		}
	}
	closed, err := s.Orders(ctx, shop.OrderFilter{States: []shop.OrderState{shop.StateClosed}, Limit: 4})
	if err != nil || len(closed) != 4 || closed[0].TradeNo != "T200" || closed[3].TradeNo != "T050" {
		t.Errorf("closed orders = %v, %v", closed, err)
	}
	u1, err := s.Orders(ctx, shop.OrderFilter{UserID: "u1", CreatedBefore: base.Add(101 * time.Microsecond)})
	if err != nil || len(u1) != 50 || u1[0].TradeNo != "T099" {
		t.Errorf("u1 before T101: %d orders, %v", len(u1), err)
	}
}

// TestRestart: orders, offers, sessions and remembered keys survive a restart of
// redis-server, and the same Store reconnects.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv, redis.Config{})
	want := storetest.Seed(t, s, 10, base)
	offer := storetest.NewOffer("of1", "u1", time.Now())
	if _, _, err := s.CreateOffer(ctx, offer); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSession(ctx, shop.SessionKey{SessionID: "s1"}, []byte("state"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remember(ctx, "nonce", time.Hour); err != nil {
		t.Fatal(err)
	}

	srv.Restart()

	storetest.CheckOrders(t, s, want)
	if got, err := s.Offer(ctx, "of1"); err != nil || storetest.DiffOffer(offer, got) != "" {
		t.Errorf("after restart, Offer = %+v, %v; want %+v", got, err, offer)
	}
	if got, err := s.Session(ctx, shop.SessionKey{SessionID: "s1"}); err != nil || string(got) != "state" {
		t.Errorf("after restart, Session = %q, %v", got, err)
	}
	if fresh, err := s.Remember(ctx, "nonce", time.Hour); err != nil || fresh {
		t.Errorf("after restart, Remember = %v, %v; want not fresh", fresh, err)
	}
}

// TestKill kills redis-server while writers run: calls fail with
// EUNAVAILABLE errors instead of pretending to succeed, and after a restart
// every acknowledged create and delivery is there, listed once.
func TestKill(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv, redis.Config{Prefix: "k:"})

	var (
		mu        sync.Mutex
		acked     = map[string]shop.Order{}
		unsure    = map[string]bool{}
		failures  atomic.Int64
		successes atomic.Int64
		stop      = make(chan struct{})
		wg        sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tradeNo := fmt.Sprintf("W%d-%05d", w, i)
				created, err := storetest.NewOrder(tradeNo, "u1", base.Add(time.Duration(i)*time.Millisecond)), error(nil)
				if created, _, err = s.CreateOrder(ctx, created); err == nil {
					mu.Lock()
					acked[tradeNo] = created
					mu.Unlock()
					var delivered shop.Order
					delivered, err = s.UpdateOrder(ctx, tradeNo, func(o *shop.Order) error { return o.Deliver("tx", o.TotalAmt, "test", base) })
					mu.Lock()
					if err == nil {
						acked[tradeNo] = delivered
					} else {
						// A failed call may still have been applied (the
						// reply was lost): either outcome is consistent.
						unsure[tradeNo] = true
					}
					mu.Unlock()
				}
				if err != nil {
					if shop.ErrorClass(err) != shop.EUNAVAILABLE {
						t.Errorf("error code %q for %v; want %q", shop.ErrorClass(err), err, shop.EUNAVAILABLE)
					}
					failures.Add(1)
					time.Sleep(5 * time.Millisecond)
				} else {
					successes.Add(1)
				}
			}
		}()
	}
	waitFor(t, func() bool { return successes.Load() >= 40 })
	srv.Kill()
	before := failures.Load()
	waitFor(t, func() bool { return failures.Load() >= before+4 })
	if _, err := s.Order(ctx, "W0-00000"); err == nil {
		t.Error("Order succeeded while redis-server is down")
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping succeeded while redis-server is down")
	}
	srv.Restart()
	waitFor(t, func() bool { return successes.Load() >= 80 })
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	for tradeNo := range unsure {
		got, err := s.Order(ctx, tradeNo)
		if err != nil {
			t.Fatalf("Order(%s): %v", tradeNo, err)
		}
		if got.State == shop.StateDelivered && got.Deliveries == 1 {
			acked[tradeNo] = got // the lost-reply update was applied, once
		}
	}
	storetest.CheckOrders(t, s, acked)
	// Every order that exists (acknowledged or not) is listed.
	keys, err := s.Client().Keys(ctx, "k:order:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	listed, err := s.Orders(ctx, shop.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(keys) {
		t.Errorf("%d orders stored, %d listed", len(keys), len(listed))
	}
	t.Logf("%d acknowledged orders (%d with an unknown update outcome), %d failed calls", len(acked), len(unsure), failures.Load())
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestContention: with one attempt allowed, an update that keeps losing
// fails with EUNAVAILABLE instead of retrying forever, and writes nothing.
func TestContention(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv, redis.Config{Prefix: "c:", MaxAttempts: 1})
	other := open(t, srv, redis.Config{Prefix: "ignored:"}).Client()
	o := storetest.NewOrder("T1", "u1", base)
	if err := o.Deliver("tx", o.TotalAmt, "test", base); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	const key = "c:order:{T1}"
	_, err := s.UpdateOrder(ctx, "T1", func(o *shop.Order) error {
		// Another writer changes the order between WATCH and EXEC.
		if err := other.Append(ctx, key, " ").Err(); err != nil {
			t.Fatal(err)
		}
		return o.Use("album-1", false, base)
	})
	if !errors.Is(err, goredis.TxFailedErr) || shop.ErrorClass(err) != shop.EUNAVAILABLE {
		t.Errorf("contended UpdateOrder = %v; want EUNAVAILABLE wrapping TxFailedErr", err)
	}
	got, err := s.Order(ctx, "T1")
	if err != nil || got.Uses["album-1"] != 0 {
		t.Errorf("after a failed update: uses %v, %v", got.Uses, err)
	}
}

func BenchmarkCreateOrder(b *testing.B) {
	ctx := context.Background()
	s := open(b, redistest.Start(b), redis.Config{})
	b.ResetTimer()
	for i := range b.N {
		o := storetest.NewOrder(fmt.Sprintf("T%09d", i), fmt.Sprintf("u%d", i%100), base.Add(time.Duration(i)*time.Millisecond))
		if _, _, err := s.CreateOrder(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdateOrder(b *testing.B) {
	ctx := context.Background()
	s := open(b, redistest.Start(b), redis.Config{})
	o := storetest.NewOrder("T1", "u1", base)
	if err := o.Deliver("tx", o.TotalAmt, "bench", base); err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.CreateOrder(ctx, o); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := s.UpdateOrder(ctx, "T1", func(o *shop.Order) error { return o.Use("album-1", false, base) }); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCountsOfOlderStore: a store written before the order counts were kept
// has them counted once by the next New.
func TestCountsOfOlderStore(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv, redis.Config{})
	storetest.Seed(t, s, 7, base)
	want, err := s.OrderCounts(ctx)
	if err != nil || len(want) == 0 {
		t.Fatalf("counts = %v, %v", want, err)
	}
	if err := s.Client().Del(ctx, s.Prefix()+"order_counts").Err(); err != nil {
		t.Fatal(err)
	}
	again := open(t, srv, redis.Config{Prefix: s.Prefix()})
	got, err := again.OrderCounts(ctx)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("recounted %v, %v; want %v", got, err, want)
	}
	again2 := open(t, srv, redis.Config{Prefix: s.Prefix()}) // counted once only
	if got, _ := again2.OrderCounts(ctx); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after a second New: %v; want %v", got, want)
	}
}

// downgrade closes s and takes away its index of open orders, as a version
// before the index left the data, and returns a new Store on the data.
func downgrade(t *testing.T, s *redis.Store, reopen func(redis.Config) *redis.Store) *redis.Store {
	t.Helper()
	return downgradeTo(t, s, storetest.OldIndex{None: true}, reopen)
}

// openMember is the store's entry of an order in the index ZSETs.
func openMember(o shop.Order) string {
	return fmt.Sprintf("%016x%08x:%s", uint64(o.CreatedAt.Unix())^(1<<63), uint32(o.CreatedAt.Nanosecond()), o.TradeNo)
}

// writeOldIndex replaces the index of open orders of the store with
// prefix and its recorded version with old, as an older version of the
// store left them.
func writeOldIndex(t *testing.T, rdb goredis.UniversalClient, prefix string, old storetest.OldIndex) {
	t.Helper()
	ctx := context.Background()
	index := prefix + "open:{orders}"
	for _, k := range []string{index, prefix + "open:{orders}:gen"} {
		if err := rdb.Del(ctx, k).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rdb.HDel(ctx, prefix+"order_counts", "_open").Err(); err != nil {
		t.Fatal(err)
	}
	if old.None {
		return
	}
	if old.Version > 0 {
		if err := rdb.HSet(ctx, prefix+"order_counts", "_open", old.Version).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range old.Orders {
		if err := rdb.ZAdd(ctx, index, goredis.Z{Score: float64(o.CreatedAt.UnixMilli()), Member: openMember(o)}).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// downgradeTo closes s, replaces its index of open orders as old says,
// and returns a new Store on the data.
func downgradeTo(t *testing.T, s *redis.Store, old storetest.OldIndex, reopen func(redis.Config) *redis.Store) *redis.Store {
	t.Helper()
	writeOldIndex(t, s.Client(), s.Prefix(), old)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return reopen(redis.Config{Prefix: s.Prefix()})
}

// upgradeHook is storetest.RunOpenUpgrade's open for stores that reopen
// opens.
func upgradeHook(reopen func(t *testing.T, cfg redis.Config) *redis.Store) func(t *testing.T) (shop.OrderStore, func(t *testing.T, old storetest.OldIndex) shop.OrderStore) {
	return func(t *testing.T) (shop.OrderStore, func(t *testing.T, old storetest.OldIndex) shop.OrderStore) {
		s := reopen(t, redis.Config{})
		return s, func(t *testing.T, old storetest.OldIndex) shop.OrderStore {
			return downgradeTo(t, s, old, func(cfg redis.Config) *redis.Store { return reopen(t, cfg) })
		}
	}
}

// TestOpenIndexOfOlderStore: keys written before the store kept its index
// of open orders, or with one built for an older shop.OpenVersion, have it
// rebuilt by the next New (storetest.RunOpenUpgrade), once only; two
// stores rebuilding at once while orders move lose no open order.
func TestOpenIndexOfOlderStore(t *testing.T) {
	srv := redistest.Start(t)
	t.Run("Upgrade", func(t *testing.T) {
		storetest.RunOpenUpgrade(t, upgradeHook(func(t *testing.T, cfg redis.Config) *redis.Store { return open(t, srv, cfg) }))
	})
	t.Run("Once", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := open(t, srv, redis.Config{})
		storetest.Seed(t, s, 3, base)
		s = downgrade(t, s, func(cfg redis.Config) *redis.Store { return open(t, srv, cfg) })
		index := s.Prefix() + "open:{orders}"
		if n, err := s.Client().ZCard(ctx, index).Result(); err != nil || n != 2 {
			t.Fatalf("built index of %d entries, %v; want the 2 open orders", n, err)
		}
		// An index the next New finds built is left as it is.
		if err := s.Client().ZRemRangeByRank(ctx, index, 0, 0).Err(); err != nil {
			t.Fatal(err)
		}
		again := open(t, srv, redis.Config{Prefix: s.Prefix()})
		if n, err := again.Client().ZCard(ctx, index).Result(); err != nil || n != 1 {
			t.Fatalf("after a second New the index has %d entries, %v; want 1 (not built again)", n, err)
		}
	})
	t.Run("Rebuilt", func(t *testing.T) {
		t.Parallel()
		checkOpenIndexRebuilt(t, func(cfg redis.Config) *redis.Store { return open(t, srv, cfg) })
	})
	t.Run("RebuiltConcurrently", func(t *testing.T) {
		t.Parallel()
		checkRebuildConcurrent(t, func(cfg redis.Config) (*redis.Store, error) { return redis.New(context.Background(), srv.URL(), cfg) })
	})
}

// checkOpenIndexExact walks orders through every kind of move, none
// concurrent, and checks that the open index then holds exactly the open
// orders: on a single Redis it changes with them, and on a cluster a
// removal is refused only when an order was reopened meanwhile.
func checkOpenIndexExact(t *testing.T, s *redis.Store) {
	ctx := context.Background()
	orders := map[string]shop.OrderState{}
	for i, st := range []shop.OrderState{shop.StateCreated, shop.StateCreated, shop.StateDelivered, shop.StateClosed, shop.StatePaid} {
		o := storetest.NewOrder(fmt.Sprintf("E%d", i), "u1", base.Add(time.Duration(i)*time.Second))
		o.State = st
		if _, _, err := s.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		orders[o.TradeNo] = st
	}
	for _, mv := range []struct {
		no string
		to shop.OrderState
	}{
		{"E0", shop.StatePaid}, {"E0", shop.StateDelivered}, {"E1", shop.StateClosed}, {"E2", shop.StateRefunding},
		{"E3", shop.StatePaid}, {"E4", shop.StateRefunding}, {"E4", shop.StatePartiallyRefunded}, {"E2", shop.StateDelivered},
	} {
		if _, err := s.UpdateOrder(ctx, mv.no, func(o *shop.Order) error { return o.Move(mv.to, "test", base) }); err != nil {
			t.Fatal(err)
		}
		orders[mv.no] = mv.to
	}
	var want []string
	for no, st := range orders {
		if st.Open() {
			want = append(want, no)
		}
	}
	entries, err := s.Client().ZRange(ctx, s.Prefix()+"open:{orders}", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range entries {
		got = append(got, m[strings.IndexByte(m, ':')+1:])
	}
	slices.Sort(got)
	slices.Sort(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("open index holds %v; want the open orders %v", got, want)
	}
}

func TestOpenIndexExact(t *testing.T) {
	checkOpenIndexExact(t, open(t, redistest.Start(t), redis.Config{}))
}
