package pay_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestReconcileDeliversWithoutShipNotify(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	no := e.create(t, "u1", line("ep1", 1, 990))
	young := e.create(t, "u2", line("ep1", 1, 990))
	e.plat.Pay(no, 990)
	rec := &pay.Reconciler{Service: e.svc}
	if rep, _ := rec.RunOnce(ctx); rep.Checked != 0 {
		t.Errorf("orders younger than Delay checked: %+v", rep)
	}
	e.clock.Advance(3 * time.Minute)
	e.plat.Pay(young, 990)
	rep, err := rec.RunOnce(ctx)
	if err != nil || rep.Checked != 2 || rep.Delivered != 2 {
		t.Fatalf("RunOnce = %+v, %v", rep, err)
	}
	for _, n := range []string{no, young} {
		if o := e.order(t, n); o.State != shop.StateDelivered || o.TransactionID == "" || o.Deliveries != 1 {
			t.Errorf("%s: %s tx %q", n, o.State, o.TransactionID)
		}
	}
	// The late ship notify changes nothing.
	before := e.ledger(t)
	if r := e.svc.ShipNotify(ctx, tsktest.MustShipNotify(t, e.plat.Platform, "u1", no)); !r.OK() {
		t.Errorf("late ship notify: %+v", r)
	}
	if e.ledger(t) != before {
		t.Error("late ship notify changed the ledger")
	}
}

func TestReconcilePlatformDown(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	no := e.create(t, "u1", line("credits", 2, 200))
	e.plat.Pay(no, 200)
	e.clock.Advance(5 * time.Minute)
	rec := &pay.Reconciler{Service: e.svc}
	e.plat.Down()
	rep, err := rec.RunOnce(ctx)
	if err != nil || rep.Errors != 1 || rep.Delivered != 0 {
		t.Fatalf("down: %+v, %v", rep, err)
	}
	if o := e.order(t, no); o.State != shop.StateCreated {
		t.Fatalf("delivered while down: %s", o.State)
	}
	e.plat.Up()
	e.plat.FailNext(1) // one more hiccup, retried by the client
	rep, _ = rec.RunOnce(ctx)
	if rep.Delivered != 1 || rep.Errors != 0 {
		t.Errorf("up: %+v", rep)
	}
	rep, _ = rec.RunOnce(ctx)
	if rep.Checked != 0 {
		t.Errorf("delivered order checked again: %+v", rep)
	}
	if o := e.order(t, no); o.Deliveries != 1 {
		t.Errorf("%d deliveries", o.Deliveries)
	}
	ents, _ := e.svc.Entitlements(ctx, "u1")
	if len(ents) != 1 || ents[0].Quantity != 2 {
		t.Errorf("entitlements %+v", ents)
	}
}

// TestReconcilePlatformDownEndsChecks: once DefaultUnreachableAfter checks
// in a row cannot reach the platform, a pass asks about nothing more (each
// check used to wait out the client's attempts: hours for a pass during an
// outage); what it skipped is due on the next pass, old orders on the slow
// schedule included.
func TestReconcilePlatformDownEndsChecks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var old, young []string
	for i := range 4 {
		old = append(old, e.create(t, fmt.Sprintf("old%d", i), line("credits", 1, 100)))
	}
	e.clock.Advance(110 * time.Minute)
	for i := range 6 {
		young = append(young, e.create(t, fmt.Sprintf("young%d", i), line("credits", 1, 100)))
	}
	e.clock.Advance(5 * time.Minute) // the old orders are 1h55m old: asked about once per SlowInterval
	rec := &pay.Reconciler{Service: e.svc}
	if rep, err := rec.RunOnce(ctx); err != nil || rep.Checked != 10 || rep.Errors != 0 {
		t.Fatalf("platform up: %+v, %v", rep, err)
	}

	e.clock.Advance(10 * time.Minute) // the old orders cross 2h: due
	e.plat.Down()
	start := time.Now()
	rep, err := rec.RunOnce(ctx)
	if err != nil || rep.Checked != pay.DefaultUnreachableAfter || rep.Errors != pay.DefaultUnreachableAfter ||
		rep.Skipped != 10-pay.DefaultUnreachableAfter || rep.UnsettledOrders != 10 {
		t.Fatalf("platform down: %+v, %v; want %d checks failed, the rest skipped, all unsettled", rep, err, pay.DefaultUnreachableAfter)
	}
	t.Logf("the pass with the platform down took %v", time.Since(start))

	e.plat.Up()
	for _, no := range append(old, young...) {
		e.plat.Pay(no, 100)
	}
	e.clock.Advance(time.Minute) // no slow boundary crossed since the pass that skipped
	if rep, err := rec.RunOnce(ctx); err != nil || rep.Checked != 10 || rep.Delivered != 10 || rep.Skipped != 0 {
		t.Fatalf("platform back: %+v, %v; want every order asked about again and delivered", rep, err)
	}
}

// TestReconcileOrderqueryDownRefundsGoOn: each endpoint has its own
// breaker: orderquery failing in transit does not keep refunds from being
// asked about (a shared one skipped them on every pass).
func TestReconcileOrderqueryDownRefundsGoOn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	refunded := e.buy(t, "r", line("album", 1, 500))
	if _, err := e.svc.Refund(ctx, refunded.TradeNo, 0, ""); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		e.create(t, fmt.Sprintf("u%d", i), line("credits", 1, 100))
	}
	e.clock.Advance(5 * time.Minute)
	target, err := url.Parse(e.plat.URL)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/orderquery") { // the connection drops: a transport error
			if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
				c.Close()
			}
			return
		}
		forward.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	client := *e.svc.Platform
	client.BaseURL, client.HTTP = proxy.URL+fakeplatform.PayPath, proxy.Client()
	e.svc.Platform = &client

	rec := &pay.Reconciler{Service: e.svc}
	rep, err := rec.RunOnce(ctx)
	if err != nil || rep.Errors != pay.DefaultUnreachableAfter || rep.Skipped != 4-pay.DefaultUnreachableAfter || rep.RefundsSettled != 1 {
		t.Fatalf("orderquery down: %+v, %v; want the orders' checks ended and the refund settled", rep, err)
	}
	if o := e.order(t, refunded.TradeNo); o.State != shop.StateRefunded {
		t.Errorf("refund not settled: %s", o.State)
	}
}

// TestReconcileClosesUnpaidPastWindow: NOTPAY closes an order only once
// its payment window is over (the configured one, never before the order's
// own ExpiresAt); PROCESSING never does.
func TestReconcileClosesUnpaidPastWindow(t *testing.T) {
	tests := []struct {
		name   string
		window time.Duration // Reconciler.PaymentWindow; 0 is the default
		open   time.Duration // still CREATED this long after create-order
	}{
		{"default a day", 0, pay.DefaultPaymentWindow},
		{"configured 2h", 2 * time.Hour, 2 * time.Hour},
		{"never before ExpiresAt", time.Minute, pay.DefaultOrderTTL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			unpaid := e.create(t, "u1", line("album", 1, 500))
			paying := e.create(t, "u1", line("credits", 1, 100))
			e.plat.ScriptTradeStatus(paying, pay.TradeProcessing)
			rec := &pay.Reconciler{Service: e.svc, PaymentWindow: tc.window}
			e.clock.Advance(tc.open - time.Second) // old enough to check, inside the window
			if rep, _ := rec.RunOnce(ctx); rep.Checked != 2 || rep.Closed != 0 {
				t.Errorf("inside the window: %+v", rep)
			}
			e.clock.Advance(time.Second)
			rep, _ := rec.RunOnce(ctx)
			if rep.Closed != 1 {
				t.Errorf("window over: %+v", rep)
			}
			o := e.order(t, unpaid)
			if o.State != shop.StateClosed || !strings.Contains(o.History[len(o.History)-1].Cause, "NOTPAY") {
				t.Errorf("unpaid: %s %+v", o.State, o.History)
			}
			if o := e.order(t, paying); o.State != shop.StateCreated {
				t.Errorf("paying (PROCESSING) order: %s, want CREATED", o.State)
			}
		})
	}
}

func TestReconcileRefundScriptedFail(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.buy(t, "u1", line("album", 1, 500))
	if _, err := e.svc.Refund(ctx, o.TradeNo, 0, ""); err != nil {
		t.Fatal(err)
	}
	rno := pay.RefundTradeNo(o.TradeNo, 1)
	e.plat.ScriptRefundStatus(rno, shop.RefundProcessing, shop.RefundFail)
	rec := &pay.Reconciler{Service: e.svc}
	if rep, _ := rec.RunOnce(ctx); rep.RefundsSettled != 0 {
		t.Errorf("PROCESSING settled: %+v", rep)
	}
	if rep, _ := rec.RunOnce(ctx); rep.RefundsSettled != 1 {
		t.Errorf("FAIL not settled: %+v", rep)
	}
	got := e.order(t, o.TradeNo)
	if got.State != shop.StateDelivered || got.Refunds[0].Status != shop.RefundFail || got.RefundedAmt != 0 {
		t.Errorf("after FAIL: %s %+v", got.State, got.Refunds)
	}
	if owns, _ := e.svc.Ledger.Owns(ctx, "u1", "album"); !owns {
		t.Error("failed refund took the album away")
	}
}

func TestRunStopsWithContext(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { (&pay.Reconciler{Service: e.svc, Interval: 10 * time.Millisecond}).Run(ctx); close(done) }()
	time.Sleep(30 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// listingStore counts how often the ledger is listed whole (open orders
// or all of them, not one user's), and calls listed after each listing.
type listingStore struct {
	shop.OrderStore
	lists  int
	listed func()
}

func (s *listingStore) Orders(ctx context.Context, f shop.OrderFilter) ([]shop.Order, error) {
	out, err := s.OrderStore.Orders(ctx, f)
	if f.UserID == "" {
		s.lists++
		if s.listed != nil {
			s.listed()
		}
	}
	return out, err
}

// TestReconcileListsOnce: a pass lists the open orders once (it listed
// them three times: unpaid ones stay open for a day, so every pass read
// each of them thrice), and what its checks settled needs no attention
// while what they left open still does.
func TestReconcileListsOnce(t *testing.T) {
	base := newEnv(t)
	st := &listingStore{OrderStore: base.store}
	e := newEnvWithStore(t, st)
	ctx := context.Background()
	paid := e.create(t, "u1", line("ep1", 1, 990))
	stuck := e.create(t, "u2", line("ep1", 1, 990))
	e.plat.Pay(paid, 990)
	e.plat.ScriptTradeStatus(stuck, pay.TradeProcessing) // the platform cannot say yet
	e.clock.Advance(pay.DefaultPaymentWindow + pay.DefaultUnpaidAttention + time.Minute)
	young := e.create(t, "u3", line("ep1", 1, 990)) // younger than Delay: not asked about
	st.lists = 0
	rec := &pay.Reconciler{Service: e.svc}
	rep, err := rec.RunOnce(ctx)
	if err != nil || rep.Checked != 2 || rep.Delivered != 1 {
		t.Fatalf("RunOnce = %+v, %v; want the two old orders asked about, the paid one delivered", rep, err)
	}
	if st.lists != 1 {
		t.Errorf("a pass listed the ledger %d times; want once", st.lists)
	}
	items, err := rec.Attention(ctx)
	if err != nil || rep.Attention != 1 || len(items) != 1 || items[0].TradeNo != stuck {
		t.Fatalf("the pass counted %d items for attention, Attention lists %+v (%v); want the unpaid %s", rep.Attention, items, err, stuck)
	}
	if o := e.order(t, young); o.State != shop.StateCreated {
		t.Errorf("the order younger than Delay was %s", o.State)
	}
}

// TestReconcileAttentionIsFresh: what the pass reports for attention is
// read again first. An order past its window that the pass does not ask
// about (the slow schedule), paid by a ship notify after the pass listed
// it, is not reported; nor is a refund past RefundAttention that the
// pass's own refundquery settles.
func TestReconcileAttentionIsFresh(t *testing.T) {
	base := newEnv(t)
	st := &listingStore{OrderStore: base.store}
	e := newEnvWithStore(t, st)
	ctx := context.Background()
	late := e.create(t, "u1", line("ep1", 1, 990))
	rec := &pay.Reconciler{Service: e.svc, Delay: time.Minute}
	e.clock.Advance(pay.DefaultPaymentWindow + pay.DefaultUnpaidAttention + 2*time.Minute)
	e.plat.ScriptTradeStatus(late, pay.TradeProcessing)
	if rep, err := rec.RunOnce(ctx); err != nil || rep.Checked != 1 || rep.Attention != 1 {
		t.Fatalf("first pass = %+v, %v; want the late order checked and listed for attention", rep, err)
	}
	e.clock.Advance(time.Minute) // not due again before the next SlowInterval boundary
	e.plat.Pay(late, 990)
	st.listed = func() {
		st.listed = nil
		if r := e.svc.ShipNotify(ctx, tsktest.MustShipNotify(t, e.plat.Platform, "u1", late)); !r.OK() {
			t.Errorf("ship notify: %+v", r)
		}
	}
	if rep, err := rec.RunOnce(ctx); err != nil || rep.Checked != 0 || rep.Attention != 0 {
		t.Errorf("pass after the ship notify = %+v, %v; want nothing checked and nothing for attention", rep, err)
	}

	o := e.buy(t, "u2", line("ep1", 1, 990))
	if _, err := e.svc.Refund(ctx, o.TradeNo, 0, "test"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(pay.DefaultRefundAttention + time.Hour)
	if rep, err := rec.RunOnce(ctx); err != nil || rep.RefundsSettled != 1 || rep.Attention != 0 {
		t.Errorf("pass settling an old refund = %+v, %v; want it settled and nothing for attention", rep, err)
	}
}
