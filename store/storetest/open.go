package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// The index of open orders (shop.Order.Open): a listing of open orders
// only lists exactly the open orders, whatever moved them (a duplicate
// whose refund failed is open when DELIVERED), however many writers moved
// them at once, and on data written before the index.

// allStates are the order states, for walking every legal move.
var allStates = []shop.OrderState{shop.StateCreated, shop.StatePaid, shop.StateDelivered, shop.StateClosed,
	shop.StateRefunding, shop.StateRefunded, shop.StatePartiallyRefunded}

// openFilters are the listings checked against the orders themselves: the
// reconciler's (CREATED before an instant; REFUNDING; the three open states
// for attention: every open order), each open state alone, with limits,
// and a filter that mixes in a settled state (which the index cannot
// answer alone).
func openFilters(at func(n int) time.Time) []shop.OrderFilter {
	open := []shop.OrderState{shop.StateCreated, shop.StateRefunding, shop.StatePaid}
	return []shop.OrderFilter{
		{States: open},
		{States: []shop.OrderState{shop.StateCreated}},
		{States: []shop.OrderState{shop.StatePaid}},
		{States: []shop.OrderState{shop.StateRefunding}},
		{States: []shop.OrderState{shop.StateCreated}, CreatedBefore: at(3)},
		{States: open, CreatedBefore: at(5)},
		{States: open, Limit: 2},
		{States: open, CreatedBefore: at(4), Limit: 1},
		{States: open, UserID: "u1"},
		{States: []shop.OrderState{shop.StateDelivered, shop.StateRefunding}},
		{Open: true},
		{Open: true, CreatedBefore: at(5), Limit: 3},
		{Open: true, UserID: "u1"},
	}
}

// owedDuplicate delivers an order, starts the refund of its payment as a
// duplicate and fails it: DELIVERED, and open (shop.Order.UnrefundedDuplicate).
func owedDuplicate(t *testing.T, s shop.OrderStore, tradeNo string, at time.Time) {
	t.Helper()
	o, err := s.UpdateOrder(context.Background(), tradeNo, func(o *shop.Order) error {
		if err := o.Deliver("tx-"+tradeNo, o.TotalAmt, "test", at); err != nil {
			return err
		}
		if err := o.StartDuplicateRefund("KEEPER", []string{o.Details[0].ItemID}, "R"+tradeNo, at); err != nil {
			return err
		}
		return o.FinishRefund("R"+tradeNo, "", shop.RefundFail, "test", at)
	})
	if _, owed := o.UnrefundedDuplicate(); err != nil || o.State != shop.StateDelivered || !owed {
		t.Fatalf("owed duplicate %s: %s, %v", tradeNo, o.State, err)
	}
}

// refundOwed refunds an owed duplicate by hand (a refund started, or
// finished with SUCCESS too when done): open while pending, settled after.
func refundOwed(t *testing.T, s shop.OrderStore, tradeNo string, done bool, at time.Time) {
	t.Helper()
	if _, err := s.UpdateOrder(context.Background(), tradeNo, func(o *shop.Order) error {
		if o.State != shop.StateRefunding {
			l := o.Details[0]
			if err := o.StartRefund(shop.Refund{RefundTradeNo: "H" + tradeNo, Amount: l.Amount, Details: []shop.Line{l}}, at); err != nil {
				return err
			}
		}
		if !done {
			return nil
		}
		return o.FinishRefund("H"+tradeNo, "", shop.RefundSuccess, "test", at)
	}); err != nil {
		t.Fatalf("refund %s by hand: %v", tradeNo, err)
	}
}

// checkListings compares every listing of filters with the orders named
// in names as Order returns them, filtered and sorted by the test.
func checkListings(t *testing.T, s shop.OrderStore, step string, names []string, filters []shop.OrderFilter) {
	t.Helper()
	ctx := context.Background()
	var truth []shop.Order
	for _, no := range names {
		truth = append(truth, mustGet(t, s, no))
	}
	slices.SortFunc(truth, func(a, b shop.Order) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.TradeNo, a.TradeNo)
	})
	for _, f := range filters {
		var want []string
		for i := range truth {
			if f.Match(&truth[i]) && (f.Limit == 0 || len(want) < f.Limit) {
				want = append(want, truth[i].TradeNo)
			}
		}
		got, err := s.Orders(ctx, f)
		if err != nil {
			t.Errorf("%s: Orders(%+v): %v", step, f, err)
			continue
		}
		if g, w := fmt.Sprint(tradeNos(got)), fmt.Sprint(want); g != w {
			t.Errorf("%s: Orders(%+v) (-want +got)\n-%s\n+%s", step, f, w, g)
		}
	}
}

// stateOrder returns a test order created at base+n minutes already in
// state st (as a migration or the bench's seed stores settled orders).
func stateOrder(tradeNo, user string, n int, st shop.OrderState) shop.Order {
	o := NewOrder(tradeNo, user, base.Add(time.Duration(n)*time.Minute))
	o.State = st
	return o
}

// move moves an order to state to, one legal move.
func move(t *testing.T, s shop.OrderStore, tradeNo string, to shop.OrderState, at time.Time) {
	t.Helper()
	if _, err := s.UpdateOrder(context.Background(), tradeNo, func(o *shop.Order) error {
		return o.Move(to, "test", at)
	}); err != nil {
		t.Fatalf("move %s to %s: %v", tradeNo, to, err)
	}
}

// testOpenOrders: orders created open and settled, then every legal move
// from every state (each on an order of its own), then two orders taken
// through long paths that leave the open states and come back (a late
// payment of a closed order; refunds started, failed, started again). The
// listings match the orders after every step.
func testOpenOrders(t *testing.T, s shop.OrderStore) {
	at := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	filters := openFilters(at)
	var names []string
	for i, st := range allStates {
		o := mustCreate(t, s, stateOrder(fmt.Sprintf("S%d", i), fmt.Sprint("u", i%2), i, st))
		names = append(names, o.TradeNo)
	}
	checkListings(t, s, "created in every state", names, filters)

	n := len(names)
	for _, from := range allStates {
		for _, to := range allStates {
			if !shop.CanMove(from, to) {
				continue
			}
			no := fmt.Sprintf("M-%s-%s", from, to)
			mustCreate(t, s, stateOrder(no, fmt.Sprint("u", n%2), n, from))
			n++
			names = append(names, no)
			move(t, s, no, to, at(100))
			checkListings(t, s, fmt.Sprintf("moved %s→%s", from, to), names, filters)
		}
	}

	paths := map[string][]shop.OrderState{
		"P-late": {shop.StateClosed, shop.StatePaid, shop.StateDelivered, shop.StateRefunding, shop.StateDelivered,
			shop.StateRefunding, shop.StateRefunded},
		"P-dup": {shop.StatePaid, shop.StateRefunding, shop.StatePaid, shop.StateRefunding, shop.StatePartiallyRefunded,
			shop.StateRefunding, shop.StatePartiallyRefunded},
	}
	for no := range paths {
		mustCreate(t, s, stateOrder(no, "u1", n, shop.StateCreated))
		n++
		names = append(names, no)
	}
	for i := range len(paths["P-late"]) {
		for _, no := range []string{"P-late", "P-dup"} {
			to := paths[no][i]
			move(t, s, no, to, at(200+i))
			checkListings(t, s, fmt.Sprintf("%s step %d to %s", no, i, to), names, filters)
		}
	}
	// A duplicate whose refund failed is open, DELIVERED; refunded by
	// hand, it is open while the refund is pending and settled after.
	mustCreate(t, s, stateOrder("P-owed", "u1", n, shop.StateCreated))
	names = append(names, "P-owed")
	owedDuplicate(t, s, "P-owed", at(250))
	checkListings(t, s, "a duplicate's refund failed", names, filters)
	refundOwed(t, s, "P-owed", false, at(251))
	checkListings(t, s, "refunded by hand, pending", names, filters)
	refundOwed(t, s, "P-owed", true, at(252))
	checkListings(t, s, "refunded by hand", names, filters)
	// Repeated creates of existing orders, open and settled, change
	// nothing listed.
	for _, no := range []string{"S0", "S1", "S2", "P-late"} {
		o := mustGet(t, s, no)
		again := stateOrder(no, "u1", 0, shop.StateCreated)
		again.CreatedAt = o.CreatedAt
		if no == "S1" { // another creation time: another index entry
			again.CreatedAt = at(1000)
		}
		if _, created, err := s.CreateOrder(context.Background(), again); err != nil || created {
			t.Fatalf("repeated create of %s: created %v, %v", no, created, err)
		}
	}
	checkListings(t, s, "repeated creates", names, filters)
	// Moving a user's orders to an account keeps them listed.
	if ls, ok := s.(shop.LinkStore); ok {
		if _, err := ls.MoveOrders(context.Background(), "u1", "account:a", at(300)); err != nil {
			t.Fatal(err)
		}
		checkListings(t, s, "orders moved to an account", names, filters)
	}
}

// testOpenOrdersConcurrent: writers race on the same orders, some moving
// them out of the open states (a delivery, a refund's success) and others
// back in (a refund started, a late payment), and each order ends where
// the last writer left it. Then every open order is listed, once, and no
// settled one is.
func testOpenOrdersConcurrent(t *testing.T, s shop.OrderStore) {
	const orders, rounds = 6, 25
	ctx := context.Background()
	var names []string
	for i := range orders {
		o := mustCreate(t, s, stateOrder(fmt.Sprintf("R%d", i), "u1", i, shop.StateDelivered))
		names = append(names, o.TradeNo)
	}
	// Each writer moves an order along one edge when it is in the edge's
	// first state: DELIVERED→REFUNDING (open), REFUNDING→DELIVERED
	// (settled), and so on round the cycle. Several writers per edge.
	edges := [][2]shop.OrderState{
		{shop.StateDelivered, shop.StateRefunding},
		{shop.StateRefunding, shop.StateDelivered},
		{shop.StateRefunding, shop.StatePartiallyRefunded},
		{shop.StatePartiallyRefunded, shop.StateRefunding},
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, no := range names {
		for _, e := range edges {
			for range 2 {
				wg.Go(func() {
					<-start
					for r := range rounds {
						_, err := s.UpdateOrder(ctx, no, func(o *shop.Order) error {
							if o.State != e[0] {
								return shop.ErrNoChange
							}
							return o.Move(e[1], "race", base.Add(time.Duration(r)*time.Second))
						})
						if err != nil {
							t.Errorf("move %s %s→%s: %v", no, e[0], e[1], err)
							return
						}
					}
				})
			}
		}
	}
	// A listing while they run never fails and lists only open orders.
	wg.Go(func() {
		<-start
		for range rounds {
			got, err := s.Orders(ctx, shop.OrderFilter{States: []shop.OrderState{shop.StateRefunding}})
			if err != nil {
				t.Errorf("Orders while moving: %v", err)
				return
			}
			for _, o := range got {
				if o.State != shop.StateRefunding {
					t.Errorf("Orders(REFUNDING) while moving listed %s in %s", o.TradeNo, o.State)
				}
			}
		}
	})
	close(start)
	wg.Wait()
	checkListings(t, s, "after the race", names, openFilters(func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }))
	// A close and a reopen right behind it, again and again: the
	// reopener reads the order as soon as the closer wrote it, while the
	// closer is still tidying up after its write. After each pair the
	// order is open, and listed.
	var pairs sync.WaitGroup
	for _, no := range names {
		pairs.Go(func() {
			if _, err := s.UpdateOrder(ctx, no, func(o *shop.Order) error {
				if o.State == shop.StateRefunding {
					return shop.ErrNoChange
				}
				return o.Move(shop.StateRefunding, "test", base)
			}); err != nil {
				t.Errorf("reopen %s: %v", no, err)
				return
			}
			for r := range rounds {
				var both sync.WaitGroup
				both.Go(func() {
					if _, err := s.UpdateOrder(ctx, no, func(o *shop.Order) error {
						return o.Move(shop.StateDelivered, "test", base)
					}); err != nil {
						t.Errorf("close %s: %v", no, err)
					}
				})
				both.Go(func() {
					deadline := time.Now().Add(10 * time.Second)
					for moved := false; !moved; {
						if time.Now().After(deadline) {
							t.Errorf("round %d: %s never closed", r, no)
							return
						}
						_, err := s.UpdateOrder(ctx, no, func(o *shop.Order) error {
							if o.State != shop.StateDelivered {
								return shop.ErrNoChange
							}
							moved = true
							return o.Move(shop.StateRefunding, "again", base)
						})
						if err != nil {
							t.Errorf("reopen %s: %v", no, err)
							return
						}
					}
				})
				both.Wait()
				got, err := s.Orders(ctx, shop.OrderFilter{States: []shop.OrderState{shop.StateRefunding}})
				if err != nil {
					t.Errorf("Orders: %v", err)
					return
				}
				if !slices.Contains(tradeNos(got), no) {
					t.Errorf("round %d: %s is %s and not listed open", r, no, mustGet(t, s, no).State)
					return
				}
			}
		})
	}
	pairs.Wait()
	if t.Failed() {
		return
	}
	// And once more with every order ending open, then settled.
	for _, no := range names {
		if _, err := s.UpdateOrder(ctx, no, func(o *shop.Order) error {
			if o.State == shop.StateRefunding {
				return shop.ErrNoChange
			}
			return o.Move(shop.StateRefunding, "test", base)
		}); err != nil {
			t.Fatal(err)
		}
	}
	checkListings(t, s, "all reopened", names, openFilters(func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }))
	for _, no := range names {
		move(t, s, no, shop.StateRefunded, base)
	}
	checkListings(t, s, "all settled", names, openFilters(func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }))
}

// OldIndex is the index of open orders as an older version of a store
// left it, which RunOpenUpgrade has the store's downgrade write in place
// of the current one.
type OldIndex struct {
	// None means no index at all, nor its version: a version before the
	// store kept one. Version and Orders are then unused.
	None bool
	// Version is the shop.OpenVersion recorded beside the index; 0 for
	// none (a version that kept the index but did not record one).
	Version int
	// Orders are the orders the index holds, and the only ones: the open
	// ones by that version's definition of open, or entries it left
	// behind.
	Orders []shop.Order
}

// RunOpenUpgrade checks that a store opened on data written by an older
// version, without its index of open orders or with one built for an
// older definition of open (shop.OpenVersion), lists the open orders
// correctly, and keeps doing so as they move. open returns a new, empty
// store, and a function that closes it, replaces the index and its
// version as old says (a bolt file without the bucket, or holding other
// entries; Redis keys without the ZSET or holding others), and opens a
// store on that data anew.
func RunOpenUpgrade(t *testing.T, open func(t *testing.T) (shop.OrderStore, func(t *testing.T, old OldIndex) shop.OrderStore)) {
	t.Parallel()
	// old returns how each older version left the index of the orders
	// named: what was open by state alone (OpenVersion 1, or before
	// versions were recorded), which misses the duplicates whose refund
	// failed, plus an entry of an order since settled that version 1 had
	// left (settled must not be open).
	scenarios := []struct {
		name string
		old  func(orders []shop.Order, settled shop.Order) OldIndex
	}{
		{"NoIndex", func([]shop.Order, shop.Order) OldIndex { return OldIndex{None: true} }},
		{"Unversioned", func(orders []shop.Order, _ shop.Order) OldIndex {
			return OldIndex{Orders: openByState(orders)}
		}},
		{"Version1", func(orders []shop.Order, settled shop.Order) OldIndex {
			return OldIndex{Version: 1, Orders: append(openByState(orders), settled)}
		}},
		{"Version2", func(orders []shop.Order, _ shop.Order) OldIndex {
			var v2 []shop.Order // open by state, or owing a duplicate refund: not the unsettled moved ones
			for _, o := range orders {
				if _, owed := o.UnrefundedDuplicate(); o.State.Open() || owed {
					v2 = append(v2, o)
				}
			}
			return OldIndex{Version: 2, Orders: v2}
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			s, downgrade := open(t)
			names := seedUpgrade(t, s)
			var orders []shop.Order
			for _, no := range names {
				orders = append(orders, mustGet(t, s, no))
			}
			settled := mustGet(t, s, "O2-2") // DELIVERED throughout
			checkUpgrade(t, downgrade(t, sc.old(orders, settled)), names)
		})
	}
}

// openByState returns the orders whose state is open: the open orders
// of shop.OpenVersion 1.
func openByState(orders []shop.Order) []shop.Order {
	var out []shop.Order
	for _, o := range orders {
		if o.State.Open() {
			out = append(out, o)
		}
	}
	return out
}

// seedUpgrade writes RunOpenUpgrade's orders: three in each state, some
// moved, two duplicates whose refund failed and one moved to an account
// and not settled (open, DELIVERED). It returns their names.
func seedUpgrade(t *testing.T, s shop.OrderStore) []string {
	t.Helper()
	at := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	var names []string
	for i, st := range allStates {
		for j := range 3 {
			o := mustCreate(t, s, stateOrder(fmt.Sprintf("O%d-%d", i, j), fmt.Sprint("u", j%2), i*3+j, st))
			names = append(names, o.TradeNo)
		}
	}
	move(t, s, "O0-0", shop.StatePaid, at(50))      // CREATED→PAID, still open
	move(t, s, "O0-1", shop.StateClosed, at(50))    // open→settled
	move(t, s, "O2-0", shop.StateRefunding, at(50)) // settled→open
	for _, no := range []string{"D0", "D1"} {       // DELIVERED, open: a duplicate's refund failed
		mustCreate(t, s, stateOrder(no, "u1", 40, shop.StateCreated))
		owedDuplicate(t, s, no, at(50))
		names = append(names, no)
	}
	// DELIVERED, open: moved to an account and not checked for duplicates
	// (shop.Order.Unsettled, as MoveOrders leaves it).
	mustCreate(t, s, stateOrder("U0", "u0", 45, shop.StateDelivered))
	if _, err := s.UpdateOrder(context.Background(), "U0", func(o *shop.Order) error { o.Unsettled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	names = append(names, "U0")
	checkListings(t, s, "before the downgrade", names, openFilters(at))
	return names
}

// checkUpgrade checks the listings of s, opened on the older data, and
// after moves into and out of the open orders.
func checkUpgrade(t *testing.T, s shop.OrderStore, names []string) {
	t.Helper()
	at := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	filters := openFilters(at)
	checkListings(t, s, "opened on the older index", names, filters)
	move(t, s, "O0-0", shop.StateDelivered, at(60))
	move(t, s, "O2-1", shop.StateRefunding, at(60))
	move(t, s, "O0-1", shop.StatePaid, at(60))
	refundOwed(t, s, "D1", true, at(60))
	mustCreate(t, s, stateOrder("NEW", "u1", 100, shop.StateCreated))
	names = append(names, "NEW")
	checkListings(t, s, "moved after the upgrade", names, filters)
}
