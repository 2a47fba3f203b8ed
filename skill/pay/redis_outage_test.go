package pay_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// TestRedisOutage stops Redis in the middle of a create-order/ship-notify
// run: while it is down every answer is FAIL (the platform retries), and
// once it is back the retries succeed, every order answered SUCCESS is there,
// each delivered exactly once, and nothing half-written is left.
func TestRedisOutage(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	st, err := redis.New(ctx, srv.URL(), redis.Config{MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := newEnvWithStore(t, st)

	type attempt struct {
		req     pay.CreateOrderRequest
		tradeNo string // set once create-order said SUCCESS
		shipped bool   // set once ship-notify said SUCCESS
	}
	const n = 45
	attempts := make([]*attempt, n)
	step := func(a *attempt, up bool) {
		if a.tradeNo == "" {
			r := e.svc.CreateOrder(ctx, a.req)
			if r.OK() != up {
				t.Errorf("create-order with redis up=%v answered %+v", up, r)
			}
			if !r.OK() {
				return
			}
			a.tradeNo = r.TradeNo
			e.plat.Open(r.TradeNo, a.req.TotalAmt)
			e.plat.Pay(r.TradeNo, a.req.TotalAmt)
		}
		r := e.svc.ShipNotify(ctx, tsktest.MustShipNotify(t, e.plat.Platform, a.req.UserToken, a.tradeNo))
		if r.OK() != up {
			t.Errorf("ship-notify with redis up=%v answered %+v", up, r)
		}
		a.shipped = a.shipped || r.OK()
	}
	for i := range attempts {
		attempts[i] = &attempt{req: fakeplatform.NewCreateOrder(fmt.Sprintf("outage-user-%d", i), line("credits", 2, 200))}
		switch i {
		case n / 3:
			srv.Kill()
		case 2 * n / 3:
			srv.Restart()
			waitReady(t, st)
		}
		step(attempts[i], i < n/3 || i >= 2*n/3)
	}
	// The platform retries what failed; now everything goes through.
	for _, a := range attempts {
		if a.tradeNo == "" || !a.shipped {
			step(a, true)
		}
	}
	orders, err := st.Orders(ctx, shop.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != n {
		t.Errorf("store holds %d orders, want %d (one per request, retries included)", len(orders), n)
	}
	for _, a := range attempts {
		o, err := st.Order(ctx, a.tradeNo)
		if err != nil {
			t.Errorf("order %s answered SUCCESS is missing: %v", a.tradeNo, err)
			continue
		}
		if o.State != shop.StateDelivered || o.Deliveries != 1 || o.TotalAmt != 200 || len(o.Details) != 1 {
			t.Errorf("order %s: state %s, deliveries %d, total %d", o.TradeNo, o.State, o.Deliveries, o.TotalAmt)
		}
	}
}

// waitReady waits for the store to answer again, as the platform's retries
// effectively do: the client backs off from a server it could not dial.
func waitReady(t *testing.T, st shop.OrderStore) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for st.Ping(context.Background()) != nil {
		if time.Now().After(deadline) {
			t.Fatal("redis did not come back within 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
