package redis_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/store/redis"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
)

// openEntries returns the tradeNos of the store's open index, sorted.
func openEntries(t *testing.T, s *redis.Store) []string {
	t.Helper()
	entries, err := s.Client().ZRange(context.Background(), s.Prefix()+"open:{orders}", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range entries {
		got = append(got, m[strings.IndexByte(m, ':')+1:])
	}
	slices.Sort(got)
	return got
}

// owed makes the order tradeNo a duplicate whose refund failed: DELIVERED,
// and open.
func owed(t *testing.T, s shop.OrderStore, tradeNo string) {
	t.Helper()
	if _, err := s.UpdateOrder(context.Background(), tradeNo, func(o *shop.Order) error {
		if err := o.Deliver("tx-"+tradeNo, o.TotalAmt, "test", base); err != nil {
			return err
		}
		if err := o.StartDuplicateRefund("KEEPER", []string{o.Details[0].ItemID}, "R"+tradeNo, base); err != nil {
			return err
		}
		return o.FinishRefund("R"+tradeNo, "", shop.RefundFail, "test", base)
	}); err != nil {
		t.Fatal(err)
	}
}

// checkOpenIndexRebuilt: New on an index built for OpenVersion 1 (missing
// a duplicate whose refund failed, holding settled orders and an order
// never written) rebuilds it to the open orders (on a cluster the entry
// without an order stays, for listings to remove after missingGrace),
// records the version, logs one line, and the next New leaves it alone.
func checkOpenIndexRebuilt(t *testing.T, open func(redis.Config) *redis.Store) {
	ctx := context.Background()
	s := open(redis.Config{})
	var orders []shop.Order
	for i, st := range []shop.OrderState{shop.StateCreated, shop.StateDelivered, shop.StateRefunding, shop.StateClosed, shop.StateCreated} {
		o := storetest.NewOrder(fmt.Sprintf("E%d", i), "u1", base.Add(time.Duration(i)*time.Second))
		o.State = st
		o, _, err := s.CreateOrder(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	owed(t, s, "E4")
	ghost := storetest.NewOrder("G", "u1", base)
	old := storetest.OldIndex{Version: 1, Orders: []shop.Order{orders[0], orders[1], orders[3], ghost}}
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	s = downgradeTo(t, s, old, func(cfg redis.Config) *redis.Store { cfg.Logger = logger; return open(cfg) })

	want, removed := "[E0 E2 E4]", 3
	if s.Topology() == redis.Cluster {
		want, removed = "[E0 E2 E4 G]", 2
	}
	if got := fmt.Sprint(openEntries(t, s)); got != want {
		t.Errorf("rebuilt index holds %v; want %v", got, want)
	}
	for _, w := range []string{"rebuilt the index of open orders", "from_version=1", fmt.Sprintf(" version=%d", shop.OpenVersion),
		"orders_read=5", "orders_open=3", fmt.Sprintf("entries_removed=%d", removed)} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("log %q lacks %q", buf.String(), w)
		}
	}
	if v, err := s.Client().HGet(ctx, s.Prefix()+"order_counts", "_open").Int(); err != nil || v != shop.OpenVersion {
		t.Errorf("recorded version %d, %v; want %d", v, err, shop.OpenVersion)
	}
	// Current now: the next New rebuilds nothing and logs nothing.
	if err := s.Client().ZRem(ctx, s.Prefix()+"open:{orders}", openMember(orders[0])).Err(); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	again := open(redis.Config{Prefix: s.Prefix(), Logger: logger})
	if got := openEntries(t, again); slices.Contains(got, "E0") || buf.Len() != 0 {
		t.Errorf("a second New: index %v, log %q; want it left as it was, no log", got, buf.String())
	}
}

// checkRebuildConcurrent: two stores start at once on an index of
// OpenVersion 1, and rebuild it while a third, already current, moves
// orders into and out of the open ones. Afterwards every open order is
// listed open, and no other.
func checkRebuildConcurrent(t *testing.T, dial func(redis.Config) (*redis.Store, error)) {
	ctx := context.Background()
	prefix := fmt.Sprintf("rc%d:", prefixes.Add(1))
	mustDial := func() *redis.Store {
		s, err := dial(redis.Config{Prefix: prefix, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	w := mustDial() // a node already upgraded, writing throughout
	var names, movers []string
	var all []shop.Order
	for i := range 40 {
		o := storetest.NewOrder(fmt.Sprintf("C%02d", i), fmt.Sprint("u", i%3), base.Add(time.Duration(i)*time.Second))
		o.State = []shop.OrderState{shop.StateCreated, shop.StateDelivered, shop.StateRefunding, shop.StateClosed, shop.StateCreated}[i%5]
		if _, _, err := w.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		if i%5 == 4 {
			owed(t, w, o.TradeNo)
		}
		if i%10 == 1 {
			movers = append(movers, o.TradeNo)
		}
		names = append(names, o.TradeNo)
	}
	for _, no := range names {
		o, err := w.Order(ctx, no)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, o)
	}
	for round := range 2 {
		// Version 1 indexed the open states (missing the duplicates
		// whose refund failed), and had kept the other DELIVERED orders
		// too (stale entries).
		var old []shop.Order
		for _, o := range all {
			if o.State.Open() || (o.State == shop.StateDelivered && !o.Open()) {
				old = append(old, o)
			}
		}
		writeOldIndex(t, w.Client(), prefix, storetest.OldIndex{Version: 1, Orders: old})

		stop := make(chan struct{})
		var writers sync.WaitGroup
		for _, no := range movers {
			writers.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := w.UpdateOrder(ctx, no, func(o *shop.Order) error {
						switch o.State {
						case shop.StateDelivered:
							return o.Move(shop.StateRefunding, "race", base)
						case shop.StateRefunding:
							return o.Move(shop.StateDelivered, "race", base)
						}
						return shop.ErrNoChange
					}); err != nil {
						t.Errorf("move %s: %v", no, err)
						return
					}
				}
			})
		}
		stores := make([]*redis.Store, 2)
		errs := make([]error, 2)
		var starts sync.WaitGroup
		for i := range stores {
			starts.Go(func() { stores[i], errs[i] = dial(redis.Config{Prefix: prefix, Logger: slog.New(slog.DiscardHandler)}) })
		}
		starts.Wait()
		close(stop)
		writers.Wait()
		for i, s := range stores {
			if errs[i] != nil {
				t.Fatalf("round %d: New %d: %v", round, i, errs[i])
			}
			t.Cleanup(func() { _ = s.Close() })
		}
		var want []string
		for _, no := range names {
			o, err := w.Order(ctx, no)
			if err != nil {
				t.Fatal(err)
			}
			if o.Open() {
				want = append(want, no)
			}
		}
		slices.Sort(want)
		if missing := slices.DeleteFunc(slices.Clone(want), func(no string) bool { return slices.Contains(openEntries(t, w), no) }); len(missing) > 0 {
			t.Errorf("round %d: open orders %v missing from the rebuilt index", round, missing)
		}
		for i, s := range append(stores, w) {
			got, err := s.Orders(ctx, shop.OrderFilter{Open: true})
			if err != nil {
				t.Fatal(err)
			}
			var nos []string
			for _, o := range got {
				nos = append(nos, o.TradeNo)
			}
			slices.Sort(nos)
			if fmt.Sprint(nos) != fmt.Sprint(want) {
				t.Errorf("round %d: store %d lists open %v; want %v", round, i, nos, want)
			}
		}
	}
}
