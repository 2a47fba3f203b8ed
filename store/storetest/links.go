package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// LinkOrderStore is a store of orders that also keeps account linking's
// state: MoveOrders moves orders, so the link suite needs both ports.
type LinkOrderStore interface {
	shop.OrderStore
	shop.LinkStore
}

// RunLinks runs the link store's conformance suite (grants, and moving a
// user's orders to an account) against the stores that open returns.
func RunLinks(t *testing.T, open func(t *testing.T) LinkOrderStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s LinkOrderStore)
	}{
		{"GrantPutGetTake", testGrantPutGetTake},
		{"GrantReplace", testGrantReplace},
		{"GrantExpired", testGrantExpired},
		{"GrantEmptyKey", testGrantEmptyKey},
		{"GrantKeysInjective", testGrantKeysInjective},
		{"GrantConcurrentTake", testGrantConcurrentTake},
		{"MoveOrders", testMoveOrders},
		{"MoveOrdersNothing", testMoveOrdersNothing},
		{"MoveOrdersConcurrent", testMoveOrdersConcurrent},
		{"MoveOrdersWhileUpdating", testMoveOrdersWhileUpdating},
		{"MoveOrdersOpenUntilSettled", testMoveOrdersOpenUntilSettled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// NewGrant returns a grant for tests: a code of account a for the client
// "platform", made now (by the real clock, which stores expire by) and
// valid for ttl.
func NewGrant(account string, ttl time.Duration) shop.Grant {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return shop.Grant{Account: account, ClientID: "platform", RedirectURI: "https://platform.example/cb",
		Challenge: strings.Repeat("c", 43), ChallengeMethod: "S256", CreatedAt: now, ExpiresAt: now.Add(ttl)}
}

func testGrantPutGetTake(t *testing.T, s LinkOrderStore) {
	ctx := context.Background()
	g := NewGrant("acct-1", time.Minute)
	if err := s.PutGrant(ctx, "code:h1", g); err != nil {
		t.Fatal(err)
	}
	for _, op := range []struct {
		name string
		fn   func(context.Context, string) (shop.Grant, error)
	}{{"Grant", s.Grant}, {"TakeGrant", s.TakeGrant}} {
		got, err := op.fn(ctx, "code:h1")
		if err != nil || fmt.Sprint(got) != fmt.Sprint(g) {
			t.Errorf("%s = %+v, %v; want %+v", op.name, got, err, g)
		}
	}
	for _, op := range []func(context.Context, string) (shop.Grant, error){s.Grant, s.TakeGrant} {
		if _, err := op(ctx, "code:h1"); !errors.Is(err, shop.ErrNotFound) {
			t.Errorf("after TakeGrant: err = %v, want ErrNotFound", err)
		}
	}
}

func testGrantReplace(t *testing.T, s LinkOrderStore) {
	ctx := context.Background()
	if err := s.PutGrant(ctx, "k", NewGrant("first", time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutGrant(ctx, "k", NewGrant("second", time.Hour)); err != nil {
		t.Fatal(err)
	}
	if g, err := s.TakeGrant(ctx, "k"); err != nil || g.Account != "second" {
		t.Errorf("TakeGrant = %+v, %v; want the second grant", g, err)
	}
}

func testGrantExpired(t *testing.T, s LinkOrderStore) {
	ctx := context.Background()
	if err := s.PutGrant(ctx, "past", NewGrant("a", -time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutGrant(ctx, "soon", NewGrant("a", 300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Grant(ctx, "soon"); err != nil {
		t.Fatalf("Grant(soon) before its expiry: %v", err)
	}
	time.Sleep(400 * time.Millisecond)
	for _, key := range []string{"past", "soon"} {
		if _, err := s.Grant(ctx, key); !errors.Is(err, shop.ErrNotFound) {
			t.Errorf("Grant(%s) = %v, want ErrNotFound", key, err)
		}
		if _, err := s.TakeGrant(ctx, key); !errors.Is(err, shop.ErrNotFound) {
			t.Errorf("TakeGrant(%s) = %v, want ErrNotFound", key, err)
		}
	}
}

func testGrantEmptyKey(t *testing.T, s LinkOrderStore) {
	if err := s.PutGrant(context.Background(), "", NewGrant("a", time.Minute)); shop.ErrorClass(err) != shop.EINVALID {
		t.Errorf("PutGrant(\"\") = %v, want EINVALID", err)
	}
}

func testGrantKeysInjective(t *testing.T, s LinkOrderStore) {
	ctx := context.Background()
	keys := []string{"a", "a}", "{a}", "a:b", "a\x00", "}a{", "代码"}
	for _, k := range keys {
		if err := s.PutGrant(ctx, k, NewGrant("acct "+k, time.Minute)); err != nil {
			t.Fatalf("PutGrant(%q): %v", k, err)
		}
	}
	for _, k := range keys {
		if g, err := s.TakeGrant(ctx, k); err != nil || g.Account != "acct "+k {
			t.Errorf("TakeGrant(%q) = %q, %v", k, g.Account, err)
		}
	}
}

func testGrantConcurrentTake(t *testing.T, s LinkOrderStore) {
	ctx := context.Background()
	if err := s.PutGrant(ctx, "once", NewGrant("a", time.Minute)); err != nil {
		t.Fatal(err)
	}
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.TakeGrant(ctx, "once")
			switch {
			case err == nil:
				won.Add(1)
			case !errors.Is(err, shop.ErrNotFound):
				t.Errorf("TakeGrant: %v", err)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Errorf("%d concurrent takers got the grant, want exactly 1", won.Load())
	}
}

// seedOwners creates n orders of each user, a minute apart, and returns
// their tradeNos by user.
func seedOwners(t *testing.T, s shop.OrderStore, n int, users ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for i := range n {
		for j, u := range users {
			tradeNo := fmt.Sprintf("T%d%02d", j, i)
			mustCreate(t, s, NewOrder(tradeNo, u, base.Add(time.Duration(i*len(users)+j)*time.Minute)))
			out[u] = append(out[u], tradeNo)
		}
	}
	return out
}

// owned returns the tradeNos listed for a user, newest first.
func owned(t *testing.T, s shop.OrderStore, user string) []string {
	t.Helper()
	orders, err := s.Orders(context.Background(), shop.OrderFilter{UserID: user})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range orders {
		if o.UserID != user {
			t.Errorf("Orders(user %s) lists %s of %s", user, o.TradeNo, o.UserID)
		}
		out = append(out, o.TradeNo)
	}
	return out
}

func testMoveOrders(t *testing.T, s LinkOrderStore) {
	ctx := context.Background()
	seeded := seedOwners(t, s, 3, "u1", "u2")
	acct := shop.AccountOwner("a1")
	at := base.Add(24 * time.Hour)
	before := owned(t, s, "u1")
	n, err := s.MoveOrders(ctx, "u1", acct, at)
	if err != nil || n != 3 {
		t.Fatalf("MoveOrders = %d, %v; want 3", n, err)
	}
	if got := owned(t, s, acct); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("account's orders %v, want u1's %v, newest first", got, before)
	}
	if got := owned(t, s, "u1"); len(got) != 0 {
		t.Errorf("u1 still owns %v", got)
	}
	if got := owned(t, s, "u2"); len(got) != len(seeded["u2"]) {
		t.Errorf("u2 owns %v, want its 3 orders untouched", got)
	}
	for _, tradeNo := range seeded["u1"] {
		o, err := s.Order(ctx, tradeNo)
		if err != nil {
			t.Fatal(err)
		}
		last := o.History[len(o.History)-1]
		if o.UserID != acct || o.State != shop.StateCreated || len(o.History) != 1 || !last.At.Equal(at) ||
			last.From != last.To || !strings.HasPrefix(last.Cause, shop.CauseLinked) {
			t.Errorf("%s after the move: owner %s, state %s, history %+v", tradeNo, o.UserID, o.State, o.History)
		}
	}
	all, err := s.Orders(ctx, shop.OrderFilter{})
	if err != nil || len(all) != 6 {
		t.Errorf("all orders: %d, %v; want 6, each once", len(all), err)
	}
	if n, err := s.MoveOrders(ctx, "u1", acct, at.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("second MoveOrders = %d, %v; want nothing moved", n, err)
	}
	if o, _ := s.Order(ctx, seeded["u1"][0]); len(o.History) != 1 {
		t.Errorf("a second move changed the history: %+v", o.History)
	}
}

func testMoveOrdersNothing(t *testing.T, s LinkOrderStore) {
	ctx := context.Background()
	seedOwners(t, s, 1, "u1")
	for _, tc := range []struct{ from, to string }{{"nobody", "account:a"}, {"u1", "u1"}, {"u", "account:a"}} {
		if n, err := s.MoveOrders(ctx, tc.from, tc.to, base); err != nil || n != 0 {
			t.Errorf("MoveOrders(%q, %q) = %d, %v; want 0", tc.from, tc.to, n, err)
		}
	}
	if got := owned(t, s, "u1"); len(got) != 1 {
		t.Errorf("u1 owns %v, want its order", got)
	}
}

func testMoveOrdersConcurrent(t *testing.T, s LinkOrderStore) {
	ctx := context.Background()
	seedOwners(t, s, 5, "u1")
	var total atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.MoveOrders(ctx, "u1", "account:a", base)
			if err != nil {
				t.Errorf("MoveOrders: %v", err)
			}
			total.Add(int32(n))
		}()
	}
	wg.Wait()
	if total.Load() != 5 || len(owned(t, s, "account:a")) != 5 || len(owned(t, s, "u1")) != 0 {
		t.Errorf("concurrent moves moved %d in all; want each of the 5 orders once", total.Load())
	}
}

func testMoveOrdersWhileUpdating(t *testing.T, s LinkOrderStore) {
	ctx := context.Background()
	seeded := seedOwners(t, s, 4, "u1")
	var wg sync.WaitGroup
	for _, tradeNo := range seeded["u1"] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
				return o.Deliver("tx-"+tradeNo, o.TotalAmt, "ship notify", base.Add(time.Minute))
			}); err != nil {
				t.Errorf("deliver %s: %v", tradeNo, err)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := s.MoveOrders(ctx, "u1", "account:a", base.Add(time.Minute)); err != nil {
			t.Errorf("MoveOrders: %v", err)
		}
	}()
	wg.Wait()
	for _, tradeNo := range seeded["u1"] {
		o, err := s.Order(ctx, tradeNo)
		if err != nil || o.UserID != "account:a" || o.State != shop.StateDelivered || o.Deliveries != 1 {
			t.Errorf("%s: owner %s, state %s, deliveries %d, %v; want both the move and the delivery", tradeNo, o.UserID, o.State, o.Deliveries, err)
		}
	}
}

// testMoveOrdersOpenUntilSettled: a delivered order moved to an account is
// open (shop.Order.Unsettled) and listed so until it is marked settled.
func testMoveOrdersOpenUntilSettled(t *testing.T, s LinkOrderStore) {
	ctx := context.Background()
	names := []string{"M-delivered", "M-refunded", "M-created"}
	for i, st := range []shop.OrderState{shop.StateDelivered, shop.StateRefunded, shop.StateCreated} {
		mustCreate(t, s, stateOrder(names[i], "u1", i, st))
	}
	filters := openFilters(func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) })
	checkListings(t, s, "before the move", names, filters)
	if n, err := s.MoveOrders(ctx, "u1", shop.AccountOwner("a1"), base.Add(time.Hour)); err != nil || n != 3 {
		t.Fatalf("MoveOrders = %d, %v", n, err)
	}
	if o := mustGet(t, s, "M-delivered"); !o.Unsettled || !o.Open() {
		t.Fatalf("moved: unsettled %v, open %v", o.Unsettled, o.Open())
	}
	checkListings(t, s, "moved", names, filters)
	for _, no := range names {
		if _, err := s.UpdateOrder(ctx, no, (*shop.Order).SettledMoved); err != nil {
			t.Fatalf("settle %s: %v", no, err)
		}
	}
	checkListings(t, s, "settled", names, filters)
	if o := mustGet(t, s, "M-delivered"); o.Unsettled || o.Open() {
		t.Errorf("settled: unsettled %v, open %v", o.Unsettled, o.Open())
	}
}
