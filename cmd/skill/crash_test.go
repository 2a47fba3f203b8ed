package main_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// TestCrash kills the server (SIGKILL) in the middle of a create-order /
// ship-notify load, restarts it on the same data directory, and checks that
// every order answered SUCCESS is there, in a consistent state: an order
// whose ship notify was answered SUCCESS is DELIVERED, and no order was ever
// delivered twice. Then the platform's retries settle the rest.
func TestCrash(t *testing.T) {
	const (
		orders  = 100 // create order + ship notify each: about 200 requests
		workers = 8
		killAt  = 100 // requests answered before the kill
	)
	data := t.TempDir()
	env := environ(data)
	p := serve(t, env)

	var (
		mu        sync.Mutex
		created   = map[string]int{} // tradeNo → order number, answered SUCCESS
		delivered = map[string]bool{}
		answered  atomic.Int64
		killOnce  sync.Once
		wg        sync.WaitGroup
	)
	kill := func() { killOnce.Do(func() { _ = p.cmd.Process.Kill() }) }
	ship := func(i int, tradeNo string) pay.ShipNotifyRequest {
		return pay.ShipNotifyRequest{SkillID: tsktest.SkillID, UserToken: user(i), TransactionID: fmt.Sprintf("DD%06d", i),
			TradeNo: tradeNo, TotalAmt: 100, NonceStr: pay.NonceStr()}
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < orders; i += workers {
				reply, err := tsktest.PlatformFor(p.url).CreateOrder(context.Background(), fakeplatform.NewCreateOrder(user(i), shop.Line{ItemID: "coins", Quantity: 1, Amount: 100}))
				if err != nil {
					return // the server is gone
				}
				if answered.Add(1) >= killAt {
					kill()
				}
				if !reply.OK() {
					t.Errorf("create order %d: %+v", i, reply)
					return
				}
				tradeNo := reply.TradeNo
				mu.Lock()
				created[tradeNo] = i
				mu.Unlock()
				reply, err = tsktest.PlatformFor(p.url).ShipNotify(context.Background(), ship(i, tradeNo))
				if err != nil {
					return
				}
				if answered.Add(1) >= killAt {
					kill()
				}
				if !reply.OK() {
					t.Errorf("ship notify %d: %+v", i, reply)
					return
				}
				mu.Lock()
				delivered[tradeNo] = true
				mu.Unlock()
			}
		}()
	}
	go func() { time.Sleep(10 * time.Second); kill() }() // bounded even if something stalls
	wg.Wait()
	kill()
	<-p.done
	t.Logf("killed after %d answers: %d orders created, %d ship notifies answered SUCCESS", answered.Load(), len(created), len(delivered))
	if len(created) == 0 {
		t.Fatal("no order was answered before the kill")
	}

	p = serve(t, env)
	check := func(when string) {
		for tradeNo, i := range created {
			var o server.OrderView
			if st := adminGet(t, p.ops, "/admin/orders/"+tradeNo, &o); st != 200 {
				t.Fatalf("%s: order %d (%s) answered SUCCESS is missing: HTTP %d", when, i, tradeNo, st)
			}
			if delivered[tradeNo] && o.State != shop.StateDelivered {
				t.Errorf("%s: %s was answered SUCCESS to ship notify but is %s", when, tradeNo, o.State)
			}
			switch o.State {
			case shop.StateCreated:
				if o.Deliveries != 0 || o.TransactionID != "" {
					t.Errorf("%s: %s CREATED but %+v", when, tradeNo, o)
				}
			case shop.StateDelivered:
				if o.Deliveries != 1 || o.TransactionID != fmt.Sprintf("DD%06d", i) {
					t.Errorf("%s: %s DELIVERED with deliveries=%d transaction %q", when, tradeNo, o.Deliveries, o.TransactionID)
				}
			default:
				t.Errorf("%s: %s is %s", when, tradeNo, o.State)
			}
		}
		var all server.OrderList
		adminGet(t, p.ops, "/admin/orders?limit=1000", &all)
		for _, o := range all.Orders {
			if o.Deliveries > 1 || (o.State == shop.StateDelivered) != (o.Deliveries == 1) {
				t.Errorf("%s: inconsistent order %+v", when, o)
			}
		}
	}
	check("after restart")

	// The platform retries every ship notify it has not seen SUCCESS for
	// (and may repeat the others): each ends delivered exactly once.
	for tradeNo, i := range created {
		if reply, err := tsktest.PlatformFor(p.url).ShipNotify(context.Background(), ship(i, tradeNo)); err != nil || !reply.OK() {
			t.Fatalf("retried ship notify for %s: %+v, %v", tradeNo, reply, err)
		}
	}
	check("after retries")
	for tradeNo := range created {
		var o server.OrderView
		adminGet(t, p.ops, "/admin/orders/"+tradeNo, &o)
		if o.State != shop.StateDelivered || o.Deliveries != 1 {
			t.Errorf("after retries: %s is %s with %d deliveries", tradeNo, o.State, o.Deliveries)
		}
	}
	if code := p.stop(t, sigterm); code != 0 {
		t.Errorf("exit status %d", code)
	}
}

func user(i int) string { return fmt.Sprintf("crash-user-%d", i) }
