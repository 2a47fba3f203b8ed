package pay_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestShipNotifyRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	no := e.create(t, "u1", line("credits", 2, 200))
	e.plat.Pay(no, 200)
	good := tsktest.MustShipNotify(t, e.plat.Platform, "u1", no)
	mod := func(f func(*pay.ShipNotifyRequest)) pay.ShipNotifyRequest {
		r := good
		f(&r)
		return r
	}
	tests := []struct {
		name string
		req  pay.ShipNotifyRequest
		msg  string
	}{
		{"unknown order", mod(func(r *pay.ShipNotifyRequest) { r.TradeNo = "TNOSUCHORDER" }), "unknown_trade_no"},
		{"different amount", mod(func(r *pay.ShipNotifyRequest) { r.TotalAmt = 199 }), "total_mismatch"},
		{"higher amount", mod(func(r *pay.ShipNotifyRequest) { r.TotalAmt = 2000 }), "total_mismatch"},
		{"zero amount", mod(func(r *pay.ShipNotifyRequest) { r.TotalAmt = 0 }), "bad_total"},
		{"wrong_skill_id", mod(func(r *pay.ShipNotifyRequest) { r.SkillID = "other" }), "wrong_skill_id"},
		{"non-alphanumeric tradeNo", mod(func(r *pay.ShipNotifyRequest) { r.TradeNo = no[:10] + "/../" }), "bad_trade_no"},
		{"tradeNo too long", mod(func(r *pay.ShipNotifyRequest) { r.TradeNo = strings.Repeat("T", 33) }), "bad_trade_no"},
		{"transactionId too long", mod(func(r *pay.ShipNotifyRequest) { r.TransactionID = strings.Repeat("9", 33) }), "bad_transaction_id"},
		{"transactionId missing", mod(func(r *pay.ShipNotifyRequest) { r.TransactionID = "" }), "bad_transaction_id"},
		{"nonceStr too long", mod(func(r *pay.ShipNotifyRequest) { r.NonceStr = strings.Repeat("n", 33) }), "bad_nonce"},
		{"nonceStr missing", mod(func(r *pay.ShipNotifyRequest) { r.NonceStr = "" }), "bad_nonce"},
		{"userToken missing", mod(func(r *pay.ShipNotifyRequest) { r.UserToken = "" }), "missing_user_token"},
		{"another user's", mod(func(r *pay.ShipNotifyRequest) { r.UserToken = "mallory" }), "user_token_mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.ledger(t)
			r := e.svc.ShipNotify(ctx, tc.req)
			if r.RetCode != pay.RetFail || r.RetMsg != tc.msg {
				t.Errorf("ShipNotify = %+v, want FAIL %q", r, tc.msg)
			}
			if after := e.ledger(t); after != before {
				t.Errorf("ledger changed:\n%s\n->\n%s", before, after)
			}
		})
	}
	// The good one still delivers; another transaction for it is refused.
	if r := e.svc.ShipNotify(ctx, good); !r.OK() {
		t.Fatalf("good notify: %+v", r)
	}
	before := e.ledger(t)
	if r := e.svc.ShipNotify(ctx, mod(func(r *pay.ShipNotifyRequest) { r.TransactionID = "OTHERTX" })); r.OK() {
		t.Errorf("second transaction accepted: %+v", r)
	}
	if e.ledger(t) != before {
		t.Error("ledger changed by a second transaction")
	}
}

func TestShipNotifyClosedOrderPaidLate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	no := e.create(t, "u1", line("album", 1, 500))
	e.clock.Advance(pay.DefaultPaymentWindow + time.Minute)
	rep, err := (&pay.Reconciler{Service: e.svc}).RunOnce(ctx)
	if err != nil || rep.Closed != 1 {
		t.Fatalf("RunOnce = %+v, %v; want 1 closed", rep, err)
	}
	e.plat.Pay(no, 500)
	if r := e.svc.ShipNotify(ctx, tsktest.MustShipNotify(t, e.plat.Platform, "u1", no)); !r.OK() {
		t.Fatalf("late ship notify: %+v", r)
	}
	if o := e.order(t, no); o.State != shop.StateDelivered || o.Deliveries != 1 {
		t.Errorf("order %s deliveries %d", o.State, o.Deliveries)
	}
	if owns, _ := e.svc.Ledger.Owns(ctx, "u1", "album"); !owns {
		t.Error("user does not own what they paid for")
	}
}

// 200 duplicate ship notifies for 20 orders, over HTTP, concurrently: 20
// deliveries.
func TestShipNotifyConcurrentDuplicates(t *testing.T) {
	e := newEnv(t)
	srv := serve(t, e.svc)
	var orders []string
	for i := range 20 {
		user := "u" + string(rune('a'+i))
		no := e.create(t, user, line("credits", int64(i+1), shop.Fen(100*(i+1))))
		e.plat.Pay(no, shop.Fen(100*(i+1)))
		orders = append(orders, no)
	}
	var wg sync.WaitGroup
	for i, no := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := tsktest.MustShipNotify(t, e.plat.Platform, "u"+string(rune('a'+i)), no)
			replies, err := tsktest.PlatformFor(srv.URL).ShipNotifyCopies(context.Background(), req, 10, 10)
			if err != nil {
				t.Error(err)
			}
			for _, r := range replies {
				if !r.OK() {
					t.Errorf("%s: reply %+v", no, r)
				}
			}
		}()
	}
	wg.Wait()
	for i, no := range orders {
		o := e.order(t, no)
		if o.State != shop.StateDelivered || o.Deliveries != 1 {
			t.Errorf("%s: %s, %d deliveries", no, o.State, o.Deliveries)
		}
		ents, _ := e.svc.Entitlements(context.Background(), "u"+string(rune('a'+i)))
		if len(ents) != 1 || ents[0].Quantity != int64(i+1) {
			t.Errorf("%s: entitlements %+v", no, ents)
		}
	}
	// A single signed notify again: SUCCESS, and the reply is signed.
	if r, err := tsktest.PlatformFor(srv.URL).ShipNotify(context.Background(), tsktest.MustShipNotify(t, e.plat.Platform, "ua", orders[0])); err != nil || !r.OK() {
		t.Errorf("signed single notify: %+v, %v", r, err)
	}
	// An unsigned one is refused before it reaches the Service.
	resp, err := http.Post(srv.URL+"/pay/ship-notify", "application/json", strings.NewReader(`{"tradeNo":"`+orders[0]+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned notify: HTTP %d", resp.StatusCode)
	}
}
