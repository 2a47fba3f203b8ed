package redis_test

import (
	"context"
	"sync"
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
	t.Run("ReadingOrders", func(t *testing.T) {
		storetest.RunTurns(t, func(t *testing.T) storetest.TurnStore { return open(t, srv, redis.Config{TurnReadsOrders: true}) })
	})
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
	if _, _, err := s.BeginTurn(bg, "warm", key, time.Minute); err != nil { // dials
		t.Fatal(err)
	}
	c := &redis.Sends{}
	rdb.AddHook(c)

	ctx, fresh, err := s.BeginTurn(bg, "r1", key, time.Minute)
	if err != nil || !fresh {
		t.Fatal(fresh, err)
	}
	if got, err := s.Session(ctx, key); err != nil || string(got) != "asked which product" {
		t.Fatalf("Session = %q, %v", got, err)
	}
	if n := c.Trips(); n != 1 {
		t.Errorf("request check and state read: %d round trips; want 1", n)
	}
	if err := s.SaveSession(ctx, key, []byte("asked how many"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if n := c.Trips(); n != 2 {
		t.Errorf("a whole turn: %d round trips; want 2", n)
	}
	c.Reset()
	if _, fresh, err := s.BeginTurn(bg, "r1", key, time.Minute); err != nil || fresh {
		t.Fatalf("replay: fresh %v, %v", fresh, err)
	}
	if n := c.Trips(); n != 1 {
		t.Errorf("a replay: %d round trips; want 1", n)
	}
}

// TestTurnReadsOrders: with TurnReadsOrders, BeginTurn reads the user's
// order index too, so a turn that checks what the user owns (the first
// turn of a purchase) costs two round trips in all: the turn's commands,
// the orders' GETs when the user has any (none for a new user), and the
// state's save. An order created for the user within the turn is seen.
func TestTurnReadsOrders(t *testing.T) {
	srv := redistest.Start(t)
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	s := redis.NewWithClient(rdb, redis.Config{Prefix: "tro:", TurnReadsOrders: true})
	bg := context.Background()
	old := storetest.NewOrder("T-old", "u1", base)
	if _, _, err := s.CreateOrder(bg, old); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.BeginTurn(bg, "warm", shop.SessionKey{SessionID: "s0", UserID: "u1"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Ping(bg).Err(); err != nil { // go-redis keeps pipelines' connections apart: dial a single's too
		t.Fatal(err)
	}
	c := &redis.Sends{}
	rdb.AddHook(c)

	ctx, fresh, err := s.BeginTurn(bg, "r1", shop.SessionKey{SessionID: "s1", UserID: "new"}, time.Minute)
	if err != nil || !fresh {
		t.Fatal(fresh, err)
	}
	if got, err := s.Orders(ctx, shop.OrderFilter{UserID: "new"}); err != nil || len(got) != 0 {
		t.Fatalf("a new user's orders = %v, %v", got, err)
	}
	if n := c.Trips(); n != 1 {
		t.Errorf("a new user's turn read its orders in %d round trips; want 1 (the turn's own)", n)
	}

	c.Reset()
	ctx, _, err = s.BeginTurn(bg, "r2", shop.SessionKey{SessionID: "s2", UserID: "u1"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Orders(ctx, shop.OrderFilter{UserID: "u1"})
	if err != nil || len(got) != 1 || got[0].TradeNo != "T-old" {
		t.Fatalf("u1's orders = %v, %v", got, err)
	}
	if n := c.Trips(); n != 2 {
		t.Errorf("a known user's turn read its orders in %d more round trips; want 1 (their GETs)", n-1)
	}
	if got, err := s.Orders(ctx, shop.OrderFilter{UserID: "someone else"}); err != nil || len(got) != 0 {
		t.Errorf("another user's orders within u1's turn = %v, %v", got, err)
	}
	if _, _, err := s.CreateOrder(ctx, storetest.NewOrder("T-new", "u1", base.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Orders(ctx, shop.OrderFilter{UserID: "u1"}); err != nil || len(got) != 2 || got[0].TradeNo != "T-new" {
		t.Errorf("after an order was created within the turn: %v, %v; want T-new, T-old", got, err)
	}
}

// gate holds each ZRANGE sent through a client until open is closed.
type gate struct{ open chan struct{} }

func (g gate) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (g gate) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		if cmd.Name() == "zrange" {
			<-g.open
		}
		return next(ctx, cmd)
	}
}
func (g gate) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return next
}

// TestPrefetchUser: with dialog state on another Redis, a turn reads the
// user's order index beside BeginTurn (PrefetchUser does not wait for it),
// and the dialog's listing of the user's orders answers from that read: a
// new user's costs no round trip of its own, a known user's only the GETs
// of their orders. An order created within the turn is seen.
func TestPrefetchUser(t *testing.T) {
	ordersRdb := goredis.NewClient(&goredis.Options{Addr: redistest.Start(t).Addr()})
	defer ordersRdb.Close()
	statesRdb := goredis.NewClient(&goredis.Options{Addr: redistest.Start(t).Addr()})
	defer statesRdb.Close()
	orders := redis.NewWithClient(ordersRdb, redis.Config{Prefix: "pf:"})
	states := redis.NewWithClient(statesRdb, redis.Config{Prefix: "pf:"})
	bg := context.Background()
	if _, _, err := orders.CreateOrder(bg, storetest.NewOrder("T-old", "u1", base)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := states.BeginTurn(bg, "warm", shop.SessionKey{SessionID: "s0", UserID: "u0"}, time.Minute); err != nil { // dials
		t.Fatal(err)
	}
	if _, err := orders.Orders(bg, shop.OrderFilter{UserID: "u0"}); err != nil { // dials
		t.Fatal(err)
	}
	g := gate{open: make(chan struct{})}
	ordersRdb.AddHook(g)
	c := &redis.Sends{}
	ordersRdb.AddHook(c)

	release := sync.OnceFunc(func() { close(g.open) })
	began := make(chan struct{})
	go func() { // fail, not hang, should PrefetchUser wait for its read
		defer close(began)
		select {
		case <-g.open:
		case <-time.After(10 * time.Second):
			t.Error("PrefetchUser waited for its read")
			release()
		}
	}()
	ctx := orders.PrefetchUser(bg, "new")
	ctx, fresh, err := states.BeginTurn(ctx, "r1", shop.SessionKey{SessionID: "s1", UserID: "new"}, time.Minute)
	if err != nil || !fresh {
		t.Fatal(fresh, err)
	}
	release() // the index read was held until the turn began: it did not hold up BeginTurn
	<-began
	if got, err := orders.Orders(ctx, shop.OrderFilter{UserID: "new"}); err != nil || len(got) != 0 {
		t.Fatalf("a new user's orders = %v, %v", got, err)
	}
	if n := c.Trips(); n != 1 {
		t.Errorf("a new user's orders: %d round trips to the orders' Redis; want 1 (the prefetch)", n)
	}

	c.Reset()
	ctx = orders.PrefetchUser(bg, "u1")
	got, err := orders.Orders(ctx, shop.OrderFilter{UserID: "u1"})
	if err != nil || len(got) != 1 || got[0].TradeNo != "T-old" {
		t.Fatalf("u1's orders = %v, %v", got, err)
	}
	if n := c.Trips(); n != 2 {
		t.Errorf("a known user's orders: %d round trips; want 2 (the prefetch, their GETs)", n)
	}
	if got, err := orders.Orders(ctx, shop.OrderFilter{UserID: "someone else"}); err != nil || len(got) != 0 {
		t.Errorf("another user's orders = %v, %v", got, err)
	}
	if _, _, err := orders.CreateOrder(ctx, storetest.NewOrder("T-new", "u1", base.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	if got, err := orders.Orders(ctx, shop.OrderFilter{UserID: "u1"}); err != nil || len(got) != 2 || got[0].TradeNo != "T-new" {
		t.Errorf("after an order was created: %v, %v; want T-new, T-old", got, err)
	}

	// One Redis whose turn reads the index already: nothing to
	// prefetch.
	one := redis.NewWithClient(ordersRdb, redis.Config{Prefix: "pf:", TurnReadsOrders: true})
	if ctx := one.PrefetchUser(bg, "u1"); ctx != bg {
		t.Error("PrefetchUser read the index that BeginTurn reads")
	}
}
