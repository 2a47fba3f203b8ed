package pay_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// eachStore runs f on a fresh env over bbolt and over a real redis-server:
// what the reconciler counts lives in the order store.
func eachStore(t *testing.T, f func(t *testing.T, e *env)) {
	t.Run("bolt", func(t *testing.T) { f(t, newEnv(t)) })
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t)
		st, err := redis.New(context.Background(), srv.URL(), redis.Config{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		f(t, newEnvWithStore(t, st))
	})
}

// An orderquery FAIL is no answer: inside the payment window it never
// closes an order, however many times it comes (it used to close it once
// ExpiresAt was past).
func TestReconcileFailInsideWindowKeepsOrder(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		no := e.create(t, "u1", line("album", 1, 500))
		e.plat.RefuseNext("orderquery", 1000)
		rec := &pay.Reconciler{Service: e.svc}
		passes := 0
		for _, step := range []time.Duration{3 * time.Minute, 30 * time.Minute, 2 * time.Hour, 20 * time.Hour} {
			e.clock.Advance(step)
			rep, err := rec.RunOnce(ctx)
			if err != nil || rep.Closed != 0 || rep.QueryFails != 1 {
				t.Fatalf("after %v: %+v, %v", step, rep, err)
			}
			passes++
		}
		o := e.order(t, no)
		if o.State != shop.StateCreated {
			t.Fatalf("order %s inside its payment window, want CREATED", o.State)
		}
		if q := o.QueryFails; q.Count != passes || q.Late != 0 || q.Why != pay.WhyRetFail || q.RetMsg != "系统繁忙" {
			t.Errorf("QueryFails = %+v, want %d early FAILs", q, passes)
		}
	})
}

// Past the window, repeated FAILs close an order only at the
// CloseAfterFails-th in a row; an answer in between starts the count again.
func TestReconcileFailPastWindowClosesAtThreshold(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		no := e.create(t, "u1", line("album", 1, 500))
		rec := &pay.Reconciler{Service: e.svc, PaymentWindow: 2 * time.Hour, CloseAfterFails: 3}
		e.plat.RefuseNext("orderquery", 1000)
		e.clock.Advance(2 * time.Hour)
		pass := func(wantLate int, want shop.OrderState) {
			t.Helper()
			if _, err := rec.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			o := e.order(t, no)
			if o.State != want || o.QueryFails.Late != wantLate {
				t.Fatalf("state %s late %d (%+v), want %s late %d", o.State, o.QueryFails.Late, o.QueryFails, want, wantLate)
			}
			e.clock.Advance(pay.DefaultSlowInterval) // old orders are asked about once per SlowInterval
		}
		pass(1, shop.StateCreated)
		pass(2, shop.StateCreated)
		e.plat.RefuseNext("orderquery", 0)
		e.plat.ScriptTradeStatus(no, pay.TradeProcessing) // an answer: the count starts again
		pass(0, shop.StateCreated)
		e.plat.ScriptTradeStatus(no, "")
		e.plat.RefuseNext("orderquery", 1000)
		pass(1, shop.StateCreated)
		pass(2, shop.StateCreated)
		pass(3, shop.StateClosed) // the third in a row: closed (and the count kept)
		o := e.order(t, no)
		if q := o.QueryFails; q.Late != 3 || q.Count != 3 {
			t.Errorf("QueryFails after closing = %+v", q)
		}
		if cause := o.History[len(o.History)-1].Cause; !strings.Contains(cause, "FAIL 3 times past the payment window") {
			t.Errorf("close cause %q", cause)
		}
		// A late payment is still taken.
		e.plat.RefuseNext("orderquery", 0)
		e.plat.Pay(no, 500)
		if r := e.svc.ShipNotify(ctx, tsktest.MustShipNotify(t, e.plat.Platform, "u1", no)); !r.OK() {
			t.Fatalf("late ship notify: %+v", r)
		}
		if o := e.order(t, no); o.State != shop.StateDelivered {
			t.Errorf("paid after closing: %s", o.State)
		}
	})
}

// Old orders are asked about once per SlowInterval, not on every pass.
func TestReconcileSlowSchedule(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(t, "u1", line("album", 1, 500))
	rec := &pay.Reconciler{Service: e.svc}
	e.clock.Advance(5 * time.Hour)
	for i, want := range []int{1, 0, 0, 1} { // the first pass asks; then at 5h15m
		if rep, _ := rec.RunOnce(ctx); rep.Checked != want {
			t.Errorf("pass %d at %v: checked %d, want %d", i, e.clock.Now(), rep.Checked, want)
		}
		e.clock.Advance(5 * time.Minute)
	}
	if n := e.plat.Calls("orderquery"); n != 2 {
		t.Errorf("%d orderquerys, want 2", n)
	}
}

// refundRequests returns the refundTradeNo of every refund call made.
func refundRequests(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	for _, r := range e.plat.Requests() {
		if r.Endpoint != "refund" {
			continue
		}
		var req pay.RefundRequest
		if err := json.Unmarshal(r.Body, &req); err != nil {
			t.Fatal(err)
		}
		out = append(out, req.RefundTradeNo)
	}
	return out
}

// A refundquery FAIL never fails a refund. A refund the platform never
// acknowledged is re-sent, always with the same refundTradeNo; a re-send
// refused leaves it PROCESSING (it used to be recorded FAIL, while the
// money might be on its way back).
func TestReconcileRefundQueryFailResendsSameNumber(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		o := e.buy(t, "u1", line("album", 1, 500))
		e.plat.Down()
		if _, err := e.svc.Refund(ctx, o.TradeNo, 0, ""); err != nil {
			t.Fatal(err)
		}
		e.plat.Up()
		rno := pay.RefundTradeNo(o.TradeNo, 1)
		e.plat.RefuseNext("refund", 1000)
		rec := &pay.Reconciler{Service: e.svc}
		e.clock.Advance(pay.DefaultReconcileDelay) // past its first send, which may be on its way
		for i := 1; i <= 3; i++ {                  // refundquery FAIL (unknown), re-send refused
			rep, err := rec.RunOnce(ctx)
			if err != nil || rep.RefundsResent != 1 || rep.RefundsSettled != 0 || rep.QueryFails != 1 {
				t.Fatalf("pass %d: %+v, %v", i, rep, err)
			}
			got := e.order(t, o.TradeNo)
			if r := got.Refunds[0]; got.State != shop.StateRefunding || r.Status != shop.RefundProcessing ||
				r.QueryFails.Count != i || r.QueryFails.Why != pay.WhyResendRefused {
				t.Fatalf("pass %d: %s %+v", i, got.State, r)
			}
		}
		e.plat.RefuseNext("refund", 0)
		if rep, _ := rec.RunOnce(ctx); rep.RefundsResent != 1 || rep.QueryFails != 0 {
			t.Errorf("re-send accepted: %+v", rep)
		}
		got := e.order(t, o.TradeNo)
		if r := got.Refunds[0]; r.RefundTransactionID == "" || r.QueryFails != (shop.QueryFails{}) {
			t.Errorf("after acceptance: %+v", r)
		}
		if rep, _ := rec.RunOnce(ctx); rep.RefundsSettled != 1 {
			t.Errorf("settle: %+v", rep)
		}
		if got := e.order(t, o.TradeNo); got.State != shop.StateRefunded || got.RefundedAmt != 500 {
			t.Errorf("order %s refunded %d", got.State, got.RefundedAmt)
		}
		sent := refundRequests(t, e)
		if len(sent) < 5 { // the first (attempts) while down, 3 refused, 1 accepted
			t.Errorf("%d refund calls: %v", len(sent), sent)
		}
		for _, n := range sent {
			if n != rno {
				t.Errorf("refund sent as %s, want %s every time", n, rno)
			}
		}
		if n, amt := e.plat.Refunds(o.TradeNo), e.plat.RefundedAmt(o.TradeNo); n != 1 || amt != 500 {
			t.Errorf("platform: %d refunds, %d refunded", n, amt)
		}
	})
}

// A refund the platform acknowledged (it gave a refundTransactionId) is not
// re-sent on a refundquery FAIL: the FAIL is counted and the refund waits.
func TestReconcileRefundQueryFailAcknowledged(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.buy(t, "u1", line("album", 1, 500))
	if _, err := e.svc.Refund(ctx, o.TradeNo, 0, ""); err != nil {
		t.Fatal(err)
	}
	e.plat.RefuseNext("refundquery", 4)
	rec := &pay.Reconciler{Service: e.svc}
	for range 4 {
		if rep, _ := rec.RunOnce(ctx); rep.RefundsResent != 0 || rep.QueryFails != 1 {
			t.Fatalf("refundquery FAIL: %+v", rep)
		}
	}
	got := e.order(t, o.TradeNo)
	if r := got.Refunds[0]; got.State != shop.StateRefunding || r.Status != shop.RefundProcessing || r.QueryFails.Count != 4 {
		t.Fatalf("after 4 FAILs: %s %+v", got.State, r)
	}
	if n := e.plat.Calls("refund"); n != 1 {
		t.Errorf("%d refund calls, want 1", n)
	}
	if rep, _ := rec.RunOnce(ctx); rep.RefundsSettled != 1 {
		t.Errorf("answered: %+v", rep)
	}
	if got := e.order(t, o.TradeNo); got.State != shop.StateRefunded || got.Refunds[0].QueryFails.Count != 0 {
		t.Errorf("after SUCCESS: %s %+v", got.State, got.Refunds[0])
	}
}

// Only the platform's explicit word fails a refund: refundStatus FAIL from
// refundquery or the refund notify, or a refusal of the refund call itself
// on its first attempt. A refusal after an attempt lost in transit may
// answer a repeat, so it leaves the refund PROCESSING.
func TestRefundFailsOnlyOnExplicitWord(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(e *env)
		settle   func(t *testing.T, e *env, rno string) // after Refund
		wantErr  bool
		want     shop.RefundStatus
		wantSent int
	}{
		{"refundquery FAIL status", nil, func(t *testing.T, e *env, rno string) {
			e.plat.ScriptRefundStatus(rno, shop.RefundFail)
			if _, err := (&pay.Reconciler{Service: e.svc}).RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}, false, shop.RefundFail, 1},
		{"refund notify FAIL", nil, func(t *testing.T, e *env, rno string) {
			e.plat.Settle(rno, shop.RefundFail)
			if r := e.svc.RefundNotify(context.Background(), tsktest.MustRefundNotify(t, e.plat.Platform, rno)); !r.OK() {
				t.Fatalf("notify: %+v", r)
			}
		}, false, shop.RefundFail, 1},
		{"refused on the first attempt", func(e *env) { e.plat.RefuseNext("refund", 1) }, nil, true, shop.RefundFail, 1},
		{"refused after a lost attempt", func(e *env) { e.plat.FailNext(1); e.plat.RefuseNext("refund", 1) }, nil, false, shop.RefundProcessing, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			o := e.buy(t, "u1", line("album", 1, 500))
			if tc.setup != nil {
				tc.setup(e)
			}
			_, err := e.svc.Refund(ctx, o.TradeNo, 0, "")
			if (err != nil) != tc.wantErr || (err != nil && shop.ErrorCode(err) != pay.ERefundRefused) {
				t.Fatalf("Refund err = %v, want error %v", err, tc.wantErr)
			}
			rno := pay.RefundTradeNo(o.TradeNo, 1)
			if tc.settle != nil {
				tc.settle(t, e, rno)
			}
			got := e.order(t, o.TradeNo)
			if r := got.Refunds[0]; r.Status != tc.want {
				t.Errorf("refund %s, want %s", r.Status, tc.want)
			}
			if n := e.plat.Calls("refund"); n != tc.wantSent {
				t.Errorf("%d refund calls, want %d", n, tc.wantSent)
			}
		})
	}
}
