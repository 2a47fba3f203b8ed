// Package storetest holds the conformance suites of the two storage ports:
// RunOrders for shop.OrderStore (the bbolt and the Redis store) and
// RunState for shop.StateStore (the in-memory and the Redis store), and
// RunTurns for state stores that start a dialog turn in one round trip
// (the Redis store). Each is
// one table of behaviours, run against every implementation from that
// implementation's own tests:
//
//	func TestOrderStore(t *testing.T) {
//		storetest.RunOrders(t, func(t *testing.T) shop.OrderStore { return openStore(t) })
//	}
//
// open must return a new, empty store each time it is called and may register
// t.Cleanup to release it (calling Close more than once must be harmless).
// Subtests run in parallel; expiry tests use real, sub-second TTLs.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// RunOrders runs the order store's conformance suite against the stores
// that open returns.
func RunOrders(t *testing.T, open func(t *testing.T) shop.OrderStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s shop.OrderStore)
	}{
		{"CreateThenGet", testCreateThenGet},
		{"CreateExisting", testCreateExisting},
		{"CreateFillsCreatedAt", testCreateFillsCreatedAt},
		{"NotFound", testNotFound},
		{"UpdateWrites", testUpdateWrites},
		{"UpdateConcurrentDeliver", testUpdateConcurrentDeliver},
		{"UpdateConcurrentUse", testUpdateConcurrentUse},
		{"UpdateConcurrentResume", testUpdateConcurrentResume},
		{"UpdateFnError", testUpdateFnError},
		{"UpdateNoChange", testUpdateNoChange},
		{"UpdateIdentity", testUpdateIdentity},
		{"Orders", testOrders},
		{"OrdersEmpty", testOrdersEmpty},
		{"OpenOrders", testOpenOrders},
		{"OpenOrdersConcurrent", testOpenOrdersConcurrent},
		{"Counts", testCounts},
		{"KeysInjective", testKeysInjective},
		{"TradeNosInjective", testTradeNosInjective},
		{"OfferCreateThenGet", testOfferCreateThenGet},
		{"OfferCreateExisting", testOfferCreateExisting},
		{"OfferNotFound", testOfferNotFound},
		{"OfferForgotten", testOfferForgotten},
		{"OfferKeysInjective", testOfferKeysInjective},
		{"OfferConcurrentCreate", testOfferConcurrentCreate},
		{"CanceledContext", testCanceledContext},
		{"Close", testClose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// base is the instant the suite's orders are created around.
var base = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// NewOrder returns a CREATED order for tests: one line of 1990 fen, created
// at the given instant, expiring 15 minutes later.
func NewOrder(tradeNo, userID string, createdAt time.Time) shop.Order {
	return shop.Order{
		TradeNo:   tradeNo,
		SkillID:   "test-skill",
		UserID:    userID,
		State:     shop.StateCreated,
		TotalAmt:  1990,
		Details:   []shop.Line{{ItemID: "album-1", Quantity: 1, Amount: 1990}},
		NonceStr:  "nonce-" + tradeNo,
		Intent:    json.RawMessage(`{"name":"BuyAlbum","slots":{"album":"1"}}`),
		CreatedAt: createdAt.UTC(),
		ExpiresAt: createdAt.Add(15 * time.Minute).UTC(),
		UpdatedAt: createdAt.UTC(),
	}
}

// Diff returns "" if the orders are equal as stored (their JSON), otherwise
// both, as (-want +got).
func Diff(want, got shop.Order) string {
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	if string(w) == string(g) {
		return ""
	}
	return fmt.Sprintf("(-want +got)\n-%s\n+%s", w, g)
}

func tradeNos(os []shop.Order) []string {
	out := make([]string, 0, len(os))
	for _, o := range os {
		out = append(out, o.TradeNo)
	}
	return out
}

func mustCreate(t *testing.T, s shop.OrderStore, o shop.Order) shop.Order {
	t.Helper()
	got, created, err := s.CreateOrder(context.Background(), o)
	if err != nil || !created {
		t.Fatalf("CreateOrder(%s) = created %v, %v; want created", o.TradeNo, created, err)
	}
	return got
}

func mustGet(t *testing.T, s shop.OrderStore, tradeNo string) shop.Order {
	t.Helper()
	got, err := s.Order(context.Background(), tradeNo)
	if err != nil {
		t.Fatalf("Order(%s): %v", tradeNo, err)
	}
	return got
}

func testCreateThenGet(t *testing.T, s shop.OrderStore) {
	o := NewOrder("T1", "u1", base)
	got := mustCreate(t, s, o)
	if d := Diff(o, got); d != "" {
		t.Errorf("CreateOrder returned %s", d)
	}
	if d := Diff(o, mustGet(t, s, "T1")); d != "" {
		t.Errorf("Order %s", d)
	}
}

func testCreateExisting(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	first := NewOrder("T1", "u1", base)
	mustCreate(t, s, first)

	other := NewOrder("T1", "u2", base.Add(time.Hour))
	other.TotalAmt = 1
	got, created, err := s.CreateOrder(ctx, other)
	if err != nil || created {
		t.Fatalf("second CreateOrder = created %v, %v; want not created, nil", created, err)
	}
	if d := Diff(first, got); d != "" {
		t.Errorf("second CreateOrder returned %s", d)
	}
	if d := Diff(first, mustGet(t, s, "T1")); d != "" {
		t.Errorf("after second CreateOrder, Order %s", d)
	}
	// The losing create must not have left the order listed twice, or under
	// the other user.
	all, err := s.Orders(ctx, shop.OrderFilter{})
	if err != nil || len(all) != 1 {
		t.Errorf("Orders() = %v, %v; want [T1]", tradeNos(all), err)
	}
	u2, err := s.Orders(ctx, shop.OrderFilter{UserID: "u2"})
	if err != nil || len(u2) != 0 {
		t.Errorf("Orders(u2) = %v, %v; want none", tradeNos(u2), err)
	}
}

func testCreateFillsCreatedAt(t *testing.T, s shop.OrderStore) {
	o := NewOrder("T1", "u1", time.Time{})
	o.CreatedAt = time.Time{}
	before := time.Now().Add(-time.Minute)
	got := mustCreate(t, s, o)
	if got.CreatedAt.Before(before) || got.CreatedAt.After(time.Now().Add(time.Minute)) {
		t.Errorf("CreatedAt = %v; want about now", got.CreatedAt)
	}
	if d := Diff(got, mustGet(t, s, "T1")); d != "" {
		t.Errorf("Order %s", d)
	}
	if _, _, err := s.CreateOrder(context.Background(), NewOrder("", "u1", base)); err == nil {
		t.Error("CreateOrder with an empty tradeNo succeeded")
	}
}

func testNotFound(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	_, err := s.Order(ctx, "missing")
	if !errors.Is(err, shop.ErrNotFound) || shop.ErrorCode(err) != shop.ENOTFOUND {
		t.Errorf("Order(missing) error = %v; want one wrapping ErrNotFound", err)
	}
	called := false
	_, err = s.UpdateOrder(ctx, "missing", func(*shop.Order) error { called = true; return nil })
	if !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("UpdateOrder(missing) error = %v; want one wrapping ErrNotFound", err)
	}
	if called {
		t.Error("UpdateOrder(missing) called fn")
	}
}

func testUpdateWrites(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	mustCreate(t, s, NewOrder("T1", "u1", base))
	at := base.Add(time.Minute)
	got, err := s.UpdateOrder(ctx, "T1", func(o *shop.Order) error {
		return o.Deliver("tx-1", 1990, "ship notify", at)
	})
	if err != nil {
		t.Fatalf("UpdateOrder: %v", err)
	}
	if got.State != shop.StateDelivered || got.Deliveries != 1 || got.TransactionID != "tx-1" {
		t.Errorf("UpdateOrder returned %+v; want DELIVERED once by tx-1", got)
	}
	if d := Diff(got, mustGet(t, s, "T1")); d != "" {
		t.Errorf("Order after UpdateOrder %s", d)
	}
}

// testUpdateConcurrentDeliver: 200 goroutines send 10 duplicate ship
// notifies for each of 20 orders; each order is delivered exactly once.
func testUpdateConcurrentDeliver(t *testing.T, s shop.OrderStore) {
	const orders, dups = 20, 10
	ctx := context.Background()
	for i := range orders {
		mustCreate(t, s, NewOrder(fmt.Sprintf("T%02d", i), "u1", base.Add(time.Duration(i)*time.Second)))
	}
	errs := make(chan error, orders*dups)
	start := make(chan struct{})
	for i := range orders * dups {
		tradeNo := fmt.Sprintf("T%02d", i%orders)
		go func() {
			<-start
			_, err := s.UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
				return o.Deliver("tx-"+tradeNo, o.TotalAmt, "ship notify", base.Add(time.Hour))
			})
			errs <- err
		}()
	}
	close(start)
	for range orders * dups {
		if err := <-errs; err != nil {
			t.Errorf("UpdateOrder: %v", err)
		}
	}
	for i := range orders {
		o := mustGet(t, s, fmt.Sprintf("T%02d", i))
		if o.Deliveries != 1 || o.State != shop.StateDelivered || len(o.History) != 2 {
			t.Errorf("%s: deliveries %d, state %s, %d transitions; want exactly one delivery", o.TradeNo, o.Deliveries, o.State, len(o.History))
		}
	}
}

// testUpdateConcurrentUse checks that no concurrent update is lost: every
// one of 100 concurrent increments lands.
func testUpdateConcurrentUse(t *testing.T, s shop.OrderStore) {
	const n = 100
	ctx := context.Background()
	o := NewOrder("T1", "u1", base)
	if err := o.Deliver("tx-1", o.TotalAmt, "test", base); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, o)
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := s.UpdateOrder(ctx, "T1", func(o *shop.Order) error { return o.Use("album-1", false, base) })
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("UpdateOrder: %v", err)
		}
	}
	if got := mustGet(t, s, "T1").Uses["album-1"]; got != n {
		t.Errorf("uses = %d after %d concurrent Use; want %d (lost updates)", got, n, n)
	}
}

func testUpdateFnError(t *testing.T, s shop.OrderStore) {
	want := mustCreate(t, s, NewOrder("T1", "u1", base))
	boom := errors.New("boom")
	_, err := s.UpdateOrder(context.Background(), "T1", func(o *shop.Order) error {
		o.State = shop.StateRefunded
		o.Deliveries = 7
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("UpdateOrder error = %v; want fn's error", err)
	}
	if d := Diff(want, mustGet(t, s, "T1")); d != "" {
		t.Errorf("failed update changed the order %s", d)
	}
	// A domain error keeps its code.
	_, err = s.UpdateOrder(context.Background(), "T1", func(o *shop.Order) error {
		return o.Move(shop.StateRefunded, "illegal", base)
	})
	if shop.ErrorClass(err) != shop.ECONFLICT {
		t.Errorf("UpdateOrder with an illegal move: error %v, code %q; want %q", err, shop.ErrorClass(err), shop.ECONFLICT)
	}
}

func testUpdateNoChange(t *testing.T, s shop.OrderStore) {
	want := mustCreate(t, s, NewOrder("T1", "u1", base))
	got, err := s.UpdateOrder(context.Background(), "T1", func(o *shop.Order) error {
		o.Deliveries = 9 // discarded
		return shop.ErrNoChange
	})
	if err != nil {
		t.Fatalf("UpdateOrder with ErrNoChange: %v; want nil", err)
	}
	if d := Diff(want, got); d != "" {
		t.Errorf("UpdateOrder with ErrNoChange returned %s", d)
	}
	if d := Diff(want, mustGet(t, s, "T1")); d != "" {
		t.Errorf("UpdateOrder with ErrNoChange changed the order %s", d)
	}
	// A duplicate delivery is the real-world ErrNoChange.
	deliver := func(o *shop.Order) error { return o.Deliver("tx-1", 1990, "ship notify", base) }
	first, err := s.UpdateOrder(context.Background(), "T1", deliver)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.UpdateOrder(context.Background(), "T1", deliver)
	if err != nil || again.Deliveries != 1 {
		t.Errorf("duplicate delivery: deliveries %d, %v; want 1, nil", again.Deliveries, err)
	}
	if d := Diff(first, again); d != "" {
		t.Errorf("duplicate delivery returned %s", d)
	}
}

// testUpdateIdentity: the fields the indexes use cannot change.
func testUpdateIdentity(t *testing.T, s shop.OrderStore) {
	want := mustCreate(t, s, NewOrder("T1", "u1", base))
	for name, fn := range map[string]func(*shop.Order){
		"tradeNo":   func(o *shop.Order) { o.TradeNo = "T2" },
		"userId":    func(o *shop.Order) { o.UserID = "u2" },
		"createdAt": func(o *shop.Order) { o.CreatedAt = o.CreatedAt.Add(time.Second) },
	} {
		_, err := s.UpdateOrder(context.Background(), "T1", func(o *shop.Order) error { fn(o); return nil })
		if err == nil {
			t.Errorf("UpdateOrder changing %s succeeded", name)
		}
	}
	if d := Diff(want, mustGet(t, s, "T1")); d != "" {
		t.Errorf("order changed %s", d)
	}
}

func testOrders(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	// Created out of order; T<n> is created at base+n minutes.
	type spec struct {
		n     int
		user  string
		state shop.OrderState
	}
	for _, sp := range []spec{
		{3, "u1", shop.StateDelivered},
		{1, "u1", shop.StateCreated},
		{5, "u2", shop.StateDelivered},
		{2, "u2", shop.StateClosed},
		{4, "u1", shop.StateCreated},
		{6, "u1", shop.StateDelivered},
		{7, "u3", shop.StateCreated},
	} {
		o := NewOrder(fmt.Sprintf("T%d", sp.n), sp.user, base.Add(time.Duration(sp.n)*time.Minute))
		mustCreate(t, s, o)
		if sp.state == shop.StateCreated {
			continue
		}
		_, err := s.UpdateOrder(ctx, o.TradeNo, func(o *shop.Order) error {
			if sp.state == shop.StateClosed {
				return o.Close(o.ExpiresAt)
			}
			return o.Deliver("tx", o.TotalAmt, "test", o.CreatedAt)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	at := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	paidish := []shop.OrderState{shop.StateDelivered, shop.StatePaid}
	tests := []struct {
		name string
		f    shop.OrderFilter
		want []string
	}{
		{"all", shop.OrderFilter{}, []string{"T7", "T6", "T5", "T4", "T3", "T2", "T1"}},
		{"user", shop.OrderFilter{UserID: "u1"}, []string{"T6", "T4", "T3", "T1"}},
		{"unknown user", shop.OrderFilter{UserID: "nobody"}, nil},
		{"states", shop.OrderFilter{States: paidish}, []string{"T6", "T5", "T3"}},
		{"one state", shop.OrderFilter{States: []shop.OrderState{shop.StateClosed}}, []string{"T2"}},
		{"before", shop.OrderFilter{CreatedBefore: at(4)}, []string{"T3", "T2", "T1"}},
		{"before, between", shop.OrderFilter{CreatedBefore: at(4).Add(time.Nanosecond)}, []string{"T4", "T3", "T2", "T1"}},
		{"before, just before", shop.OrderFilter{CreatedBefore: at(4).Add(-time.Nanosecond)}, []string{"T3", "T2", "T1"}},
		{"before all", shop.OrderFilter{CreatedBefore: at(1)}, nil},
		{"before, far future", shop.OrderFilter{CreatedBefore: at(100000)}, []string{"T7", "T6", "T5", "T4", "T3", "T2", "T1"}},
		{"limit", shop.OrderFilter{Limit: 2}, []string{"T7", "T6"}},
		{"limit above count", shop.OrderFilter{Limit: 50}, []string{"T7", "T6", "T5", "T4", "T3", "T2", "T1"}},
		{"user, states", shop.OrderFilter{UserID: "u1", States: paidish}, []string{"T6", "T3"}},
		{"user, states, limit", shop.OrderFilter{UserID: "u1", States: paidish, Limit: 1}, []string{"T6"}},
		{"user, before", shop.OrderFilter{UserID: "u1", CreatedBefore: at(6)}, []string{"T4", "T3", "T1"}},
		{"states, before, limit", shop.OrderFilter{States: paidish, CreatedBefore: at(6), Limit: 1}, []string{"T5"}},
		{"user, created, before, limit", shop.OrderFilter{UserID: "u1", States: []shop.OrderState{shop.StateCreated}, CreatedBefore: at(5), Limit: 5}, []string{"T4", "T1"}},
	}
	for _, tt := range tests {
		got, err := s.Orders(ctx, tt.f)
		if err != nil {
			t.Errorf("%s: Orders: %v", tt.name, err)
			continue
		}
		if g, w := fmt.Sprint(tradeNos(got)), fmt.Sprint(tt.want); g != w {
			t.Errorf("%s: Orders(%+v) (-want +got)\n-%s\n+%s", tt.name, tt.f, w, g)
		}
		for _, o := range got {
			if d := Diff(mustGet(t, s, o.TradeNo), o); d != "" {
				t.Errorf("%s: listed %s differs from Order %s", tt.name, o.TradeNo, d)
			}
		}
	}
}

func testOrdersEmpty(t *testing.T, s shop.OrderStore) {
	got, err := s.Orders(context.Background(), shop.OrderFilter{Limit: 3})
	if err != nil || len(got) != 0 {
		t.Errorf("Orders on an empty store = %v, %v; want none", tradeNos(got), err)
	}
}

// Seed stores n orders of user u1 (T0, T1, ...) created a second apart from
// base, delivers the one in the middle, and returns them all as stored.
func Seed(t *testing.T, s shop.OrderStore, n int, base time.Time) map[string]shop.Order {
	t.Helper()
	ctx := context.Background()
	want := map[string]shop.Order{}
	for i := range n {
		o := mustCreate(t, s, NewOrder(fmt.Sprintf("T%d", i), "u1", base.Add(time.Duration(i)*time.Second)))
		want[o.TradeNo] = o
	}
	mid := fmt.Sprintf("T%d", n/2)
	d, err := s.UpdateOrder(ctx, mid, func(o *shop.Order) error { return o.Deliver("tx", o.TotalAmt, "test", base) })
	if err != nil {
		t.Fatal(err)
	}
	want[mid] = d
	return want
}

// CheckOrders checks that the store holds exactly want, each listed once
// (by the durability tests: after a reopen, a restart, a kill).
func CheckOrders(t *testing.T, s shop.OrderStore, want map[string]shop.Order) {
	t.Helper()
	ctx := context.Background()
	for tradeNo, w := range want {
		got, err := s.Order(ctx, tradeNo)
		if err != nil {
			t.Errorf("Order(%s): %v", tradeNo, err)
			continue
		}
		if d := Diff(w, got); d != "" {
			t.Errorf("Order(%s) %s", tradeNo, d)
		}
	}
	for _, f := range []shop.OrderFilter{{}, {UserID: "u1"}} {
		list, err := s.Orders(ctx, f)
		if err != nil {
			t.Fatalf("Orders(%+v): %v", f, err)
		}
		seen := map[string]bool{}
		for _, o := range list {
			if seen[o.TradeNo] {
				t.Errorf("Orders(%+v) lists %s twice", f, o.TradeNo)
			}
			seen[o.TradeNo] = true
		}
		for tradeNo := range want {
			if !seen[tradeNo] {
				t.Errorf("Orders(%+v) does not list acknowledged order %s", f, tradeNo)
			}
		}
	}
}
